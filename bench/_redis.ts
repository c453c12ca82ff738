/**
 * The Redis of target "udpchat-cluster3": a throwaway `redis-server` on a
 * free loopback port, started as a benchmark child (so an error or Ctrl-C
 * kills it too), no persistence, killed after the run.
 * @module
 */

import { freeTcpPort, redisArgs, waitForRedis } from "../tools/redis_server.ts";
import { Child } from "./_process.ts";

/** A running Redis of the benchmark. */
export interface BenchRedis extends AsyncDisposable {
  readonly child: Child;
  /** What servers are given (`--cluster`). */
  readonly url: string;
}

/** Start `redis-server` working in `dir`; resolves once it answers PING. */
export async function startRedis(dir: string): Promise<BenchRedis> {
  const port = freeTcpPort();
  const child = new Child("redis-server", redisArgs({ port, dir }));
  try {
    await waitForRedis(port, 10_000, () => child.exited);
  } catch (error) {
    await child[Symbol.asyncDispose]();
    throw new Error(
      `${(error as Error).message}: ${child.stdout.join(" | ")}`,
    );
  }
  return {
    child,
    url: `redis://127.0.0.1:${port}`,
    [Symbol.asyncDispose]: () => child[Symbol.asyncDispose](),
  };
}
