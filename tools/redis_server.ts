/**
 * What the tests (`tests/_redis.ts`) and the benchmark (`bench/_servers.ts`)
 * both need to run a throwaway `redis-server` on loopback: whether it is
 * installed, a free port, its command line (no snapshots, data in a folder
 * of the caller's) and the wait until it answers. Each caller spawns and
 * kills the process its own way.
 * @module
 */

/** Why `redis-server` cannot run here, or undefined when it can. */
export function redisMissing(): string | undefined {
  try {
    const { success } = new Deno.Command("redis-server", {
      args: ["--version"],
      stdout: "null",
      stderr: "null",
    }).outputSync();
    return success ? undefined : "redis-server does not run";
  } catch {
    return "redis-server is not installed (apt-get install redis-server)";
  }
}

/** A free TCP port on 127.0.0.1 (nobody listens on it now). */
export function freeTcpPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** How a throwaway Redis runs. */
export interface RedisPlace {
  port: number;
  /** Its working folder (the append-only file, if any). */
  dir: string;
  /** Every write in the append-only file (fsync every second). */
  appendOnly?: boolean;
}

/** The arguments of `redis-server` for `place`: loopback only, no snapshots. */
export function redisArgs(place: RedisPlace): string[] {
  return [
    "--port",
    String(place.port),
    "--bind",
    "127.0.0.1",
    "--dir",
    place.dir,
    "--save",
    "",
    "--appendonly",
    place.appendOnly ? "yes" : "no",
    "--protected-mode",
    "no",
  ];
}

/** True when Redis at `port` answers PING. */
async function pings(port: number): Promise<boolean> {
  try {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    try {
      await conn.write(new TextEncoder().encode("PING\r\n"));
      const buffer = new Uint8Array(16);
      const n = await conn.read(buffer);
      return new TextDecoder().decode(buffer.subarray(0, n ?? 0)).startsWith(
        "+PONG",
      );
    } finally {
      conn.close();
    }
  } catch {
    return false;
  }
}

/**
 * Resolves once the Redis at `port` answers PING; rejects after
 * `timeoutMs`, or as soon as `exited()` says the process is gone.
 */
export async function waitForRedis(
  port: number,
  timeoutMs = 10_000,
  exited: () => boolean = () => false,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await pings(port))) {
    if (exited()) throw new Error("redis-server exited at start");
    if (Date.now() > deadline) throw new Error("redis-server did not start");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
