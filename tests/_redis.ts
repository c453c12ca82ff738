/**
 * A real `redis-server` for tests: on a free loopback port, with its data
 * in a temporary folder, optionally append-only (persistence), killed with
 * SIGKILL and started again on the same port and folder to test outages.
 * Tests without `redis-server` installed are skipped with the reason.
 * @module
 */

import {
  freeTcpPort,
  redisArgs,
  redisMissing,
  waitForRedis,
} from "../tools/redis_server.ts";

export { redisMissing };

/** A redis-server process of a test. */
export class TestRedis implements AsyncDisposable {
  readonly port: number;
  readonly dir: string;
  #appendOnly: boolean;
  #child: Deno.ChildProcess | undefined;

  private constructor(port: number, dir: string, appendOnly: boolean) {
    this.port = port;
    this.dir = dir;
    this.#appendOnly = appendOnly;
  }

  /** Start one; `appendOnly`: every write in the append-only file (fsync every second). */
  static async start(appendOnly = false): Promise<TestRedis> {
    const dir = await Deno.makeTempDir({ prefix: "udpchat-redis-" });
    const redis = new TestRedis(freeTcpPort(), dir, appendOnly);
    await redis.restart();
    return redis;
  }

  /** The URL servers are given (`--cluster`). */
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Start (again) on the same port and folder; resolves once it answers. */
  async restart(): Promise<void> {
    this.#child = new Deno.Command("redis-server", {
      args: redisArgs({
        port: this.port,
        dir: this.dir,
        appendOnly: this.#appendOnly,
      }),
      stdout: "null",
      stderr: "null",
    }).spawn();
    await waitForRedis(this.port);
  }

  /** Kill it at once (SIGKILL), as a crash would. */
  async kill(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (child === undefined) return;
    try {
      child.kill("SIGKILL");
    } catch {
      // Already gone.
    }
    await child.status;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.kill();
    await Deno.remove(this.dir, { recursive: true }).catch(() => {});
  }
}
