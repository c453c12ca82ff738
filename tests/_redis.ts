/**
 * A real `redis-server` for tests: on a free loopback port, with its data
 * in a temporary folder, optionally append-only (persistence), killed with
 * SIGKILL and started again on the same port and folder to test outages.
 * Tests without `redis-server` installed are skipped with the reason.
 * @module
 */

/** Why Redis tests cannot run here, or undefined when they can. */
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
function freeTcpPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
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
      args: [
        "--port",
        String(this.port),
        "--bind",
        "127.0.0.1",
        "--dir",
        this.dir,
        "--save",
        "",
        "--appendonly",
        this.#appendOnly ? "yes" : "no",
        "--protected-mode",
        "no",
      ],
      stdout: "null",
      stderr: "null",
    }).spawn();
    const deadline = Date.now() + 10_000;
    while (!(await pings(this.port))) {
      if (Date.now() > deadline) throw new Error("redis-server did not start");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
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
