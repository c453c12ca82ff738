/**
 * Test helpers that run the real CLI as separate processes on loopback:
 * `startServer()` and `startMember()` spawn `main.ts`, read stdout line by
 * line, and clean up with `await using` so sanitizers stay happy.
 * @module
 */

const ROOT = new URL("../", import.meta.url);
const MAIN = new URL("../main.ts", import.meta.url).pathname;

/** Another program to run as udpchat, such as the single file: `command ARGS` in `cwd`. */
export interface Launch {
  command: string;
  cwd: string | URL;
  env?: Record<string, string>;
}

/** A running udpchat process with its output collected line by line. */
export class Proc implements AsyncDisposable {
  readonly child: Deno.ChildProcess;
  readonly lines: string[] = [];
  readonly errors: string[] = [];
  #stdin: WritableStreamDefaultWriter<Uint8Array>;
  #readers: Promise<void>[];
  #status: Promise<Deno.CommandStatus>;
  #stdinClosed = false;
  #changed: (() => void) | undefined;

  /**
   * Spawn `main.ts` with `args`; with `deno` given, spawn `deno ...deno, ...args`
   * instead (`deno: []` runs `deno ARGS` itself, such as a task), and with
   * `program`, that instead of deno (such as `setsid npx ...`); with a
   * Launch, its command.
   */
  constructor(
    args: string[],
    env: Record<string, string> = {},
    deno: string[] | Launch = [
      "run",
      "--config",
      new URL("deno.json", ROOT).pathname,
      "-A",
      MAIN,
    ],
    program: string = Deno.execPath(),
  ) {
    const launch = Array.isArray(deno)
      ? { command: program, args: [...deno, ...args], cwd: ROOT, env }
      : { ...deno, args, env: { ...deno.env, ...env } };
    this.child = new Deno.Command(launch.command, {
      args: launch.args,
      cwd: launch.cwd,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1", ...launch.env },
    }).spawn();
    this.#stdin = this.child.stdin.getWriter();
    this.#readers = [
      this.#collect(this.child.stdout, this.lines),
      this.#collect(this.child.stderr, this.errors),
    ];
    this.#status = this.child.status;
  }

  async #collect(
    stream: ReadableStream<Uint8Array>,
    into: string[],
  ): Promise<void> {
    let pending = "";
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      pending += chunk;
      const parts = pending.split("\n");
      pending = parts.pop()!;
      into.push(...parts);
      this.#changed?.();
    }
    if (pending !== "") into.push(pending);
    this.#changed?.();
  }

  /** Wait until a stdout (or, with `stderr`, stderr) line matches; returns it. */
  async waitFor(
    pattern: RegExp | string,
    timeoutMs = 10_000,
    stderr = false,
  ): Promise<string> {
    await this.waitForCount(pattern, 1, timeoutMs, stderr);
    return (stderr ? this.errors : this.lines).find((line) =>
      matches(line, pattern)
    )!;
  }

  /** Wait until `count` stdout (or stderr) lines match. */
  async waitForCount(
    pattern: RegExp | string,
    count: number,
    timeoutMs = 10_000,
    stderr = false,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const source = stderr ? this.errors : this.lines;
    while (source.filter((line) => matches(line, pattern)).length < count) {
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(
          `Timed out waiting for ${count} × ${pattern}; stdout: ${
            JSON.stringify(this.lines)
          }; stderr: ${JSON.stringify(this.errors)}`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 200));
        this.#changed = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** How many stdout lines match. */
  count(pattern: RegExp | string): number {
    return this.lines.filter((line) => matches(line, pattern)).length;
  }

  /** Type a line on stdin. */
  async type(line: string): Promise<void> {
    await this.#stdin.write(new TextEncoder().encode(line + "\n"));
  }

  /** Close stdin (EOF). */
  async closeStdin(): Promise<void> {
    if (this.#stdinClosed) return;
    this.#stdinClosed = true;
    await this.#stdin.close().catch(() => {});
  }

  /** Send a signal. */
  kill(signal: Deno.Signal = "SIGTERM"): void {
    try {
      this.child.kill(signal);
    } catch {
      // Already exited.
    }
  }

  /** Wait for the exit status (and all output). */
  async status(timeoutMs = 10_000): Promise<Deno.CommandStatus> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error("Process did not exit in time")),
        timeoutMs,
      );
    });
    try {
      const status = await Promise.race([this.#status, timeout]);
      await Promise.all(this.#readers);
      return status;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Kill if still running, and release everything. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.closeStdin();
    this.kill("SIGKILL");
    await this.#status;
    await Promise.all(this.#readers);
  }
}

function matches(line: string, pattern: RegExp | string): boolean {
  return typeof pattern === "string"
    ? line.includes(pattern)
    : pattern.test(line);
}

/** A UDP port on 127.0.0.1 that the OS handed out and nobody listens on now. */
export function unusedPort(): number {
  const socket = Deno.listenDatagram({
    transport: "udp",
    hostname: "127.0.0.1",
    port: 0,
  });
  const { port } = socket.addr as Deno.NetAddr;
  socket.close();
  return port;
}

/** Start `udpchat serve` on 127.0.0.1 with an OS-chosen port (from source, or `launch`). */
export async function startServer(
  args: string[] = [],
  launch?: Launch,
  timeoutMs = 10_000,
): Promise<Proc & { port: number }> {
  const proc = new Proc(
    ["serve", "--host", "127.0.0.1", "--port", "0", ...args],
    {},
    launch,
  );
  try {
    const line = await proc.waitFor("listening", timeoutMs);
    const port = Number(/:(\d+)\s*$/.exec(line)?.[1]);
    return Object.assign(proc, { port });
  } catch (error) {
    await proc[Symbol.asyncDispose]();
    throw error;
  }
}

/** Start `udpchat join NAME` against a port; waits for the welcome unless told not to. */
export async function startMember(
  name: string,
  port: number,
  options: { wait?: boolean; args?: string[]; launch?: Launch } = {},
): Promise<Proc> {
  const proc = new Proc(
    ["join", name, "--server", `127.0.0.1:${port}`, ...(options.args ?? [])],
    {},
    options.launch,
  );
  if (options.wait ?? true) {
    try {
      await proc.waitFor(/^Welcome/, options.launch ? 30_000 : 10_000);
    } catch (error) {
      await proc[Symbol.asyncDispose]();
      throw error;
    }
  }
  return proc;
}

/** The base URL of the pages a `serve --web` process printed. */
export async function webUrl(server: Proc): Promise<string> {
  const line = await server.waitFor(/^Browser members: /);
  const url = /(http:\/\/\S+?)\/\s/.exec(line)?.[1];
  if (url === undefined) throw new Error(`No web address in: ${line}`);
  return url;
}
