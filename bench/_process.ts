/**
 * Child processes of the benchmark: every one is registered while it runs,
 * so an error or Ctrl-C can kill and await them all; none outlives
 * `bench.ts`.
 * @module
 */

const live = new Set<Child>();
/** Set by `killAll`: from then on no child may start. */
let stopping = false;

/** Lines kept from a child's output for error messages. */
const TAIL_LINES = 20;

/** A spawned process whose stdout and stderr are read line by line. */
export class Child implements AsyncDisposable {
  /** The process id (for /proc). */
  readonly pid: number;
  /** Every stdout line, when `keepStdout`; else only the first ones. */
  readonly stdout: string[] = [];
  /** The last stderr lines. */
  readonly stderr: string[] = [];
  #process: Deno.ChildProcess;
  #readers: Promise<void>[];
  #status: Promise<Deno.CommandStatus>;
  #exited = false;
  #changed: (() => void) | undefined;
  #keepStdout: boolean;

  /** Spawn `command` with `args`; output is collected until it exits. */
  constructor(
    command: string,
    args: string[],
    options: { cwd?: string; keepStdout?: boolean } = {},
  ) {
    if (stopping) throw new Error(`Not starting ${command}: stopping`);
    this.#keepStdout = options.keepStdout ?? false;
    this.#process = new Deno.Command(command, {
      args,
      cwd: options.cwd,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.pid = this.#process.pid;
    live.add(this);
    this.#status = this.#process.status.then((status) => {
      this.#exited = true;
      live.delete(this);
      this.#changed?.();
      return status;
    });
    this.#readers = [
      this.#read(this.#process.stdout, this.stdout, true),
      this.#read(this.#process.stderr, this.stderr, false),
    ];
  }

  /** True once the process has exited. */
  get exited(): boolean {
    return this.#exited;
  }

  async #read(
    stream: ReadableStream<Uint8Array>,
    into: string[],
    isStdout: boolean,
  ): Promise<void> {
    const decoder = new TextDecoder();
    let pending = "";
    for await (const chunk of stream) {
      // A busy server logs every message: past the first lines, stdout is
      // drained without decoding, so the benchmark costs the machine little.
      const skip = isStdout && !this.#keepStdout && into.length >= TAIL_LINES;
      if (skip) continue;
      pending += decoder.decode(chunk, { stream: true });
      const lines = pending.split("\n");
      pending = lines.pop()!;
      into.push(...lines);
      if (!isStdout && into.length > TAIL_LINES) {
        into.splice(0, into.length - TAIL_LINES);
      }
      this.#changed?.();
    }
    if (pending !== "") into.push(pending);
    this.#changed?.();
  }

  /** The first stdout line matching `pattern`, waiting up to `timeoutMs`. */
  async waitFor(pattern: RegExp, timeoutMs: number): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const line = this.stdout.find((l) => pattern.test(l));
      if (line !== undefined) return line;
      const left = deadline - Date.now();
      if (this.#exited || left <= 0) {
        throw new Error(
          `${
            this.#exited ? "Exited" : "Timed out"
          } before printing ${pattern}; stderr: ${this.stderr.join(" | ")}`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 100));
        this.#changed = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** Wait for the exit, at most `timeoutMs`; then kill it with SIGKILL. */
  async finish(timeoutMs: number): Promise<Deno.CommandStatus> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<"late">((resolve) => {
      timer = setTimeout(() => resolve("late"), timeoutMs);
    });
    const first = await Promise.race([this.#status, late]);
    clearTimeout(timer);
    if (first === "late") this.kill("SIGKILL");
    const status = await this.#status;
    await Promise.all(this.#readers);
    return status;
  }

  /** Send a signal, if it still runs. */
  kill(signal: Deno.Signal = "SIGKILL"): void {
    if (this.#exited) return;
    try {
      this.#process.kill(signal);
    } catch {
      // It exited meanwhile.
    }
  }

  /** Kill (SIGKILL) and await the process and its output. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.kill("SIGKILL");
    await this.finish(5000);
  }
}

/**
 * Kill and await every child still running (on error or a signal); no new
 * child starts afterwards.
 */
export async function killAll(): Promise<void> {
  stopping = true;
  while (live.size > 0) {
    await Promise.all([...live].map((child) => child[Symbol.asyncDispose]()));
  }
}
