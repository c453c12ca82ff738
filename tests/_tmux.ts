/**
 * Drives a command in a real pseudo-terminal through tmux (a private tmux
 * server per instance), for tests of the interactive client.
 * @module
 */

const MAIN = new URL("../main.ts", import.meta.url).pathname;
const CONFIG = new URL("../deno.json", import.meta.url).pathname;

/** The argv that runs `udpchat ARGS` from this checkout. */
export function cliCommand(...args: string[]): string[] {
  return [Deno.execPath(), "run", "--config", CONFIG, "-A", MAIN, ...args];
}

/** `udpchat join ARGS` against the server on 127.0.0.1:`port`. */
export function joinCommand(port: number, ...args: string[]): string[] {
  return cliCommand("join", ...args, "--server", `127.0.0.1:${port}`);
}

/** `command`, then a row `exit=CODE` left on screen once it ends. */
export function showingExit(command: string[]): string[] {
  return [
    "sh",
    "-c",
    `${shellLine(command)}; echo "exit=$?"; sleep 600`,
  ];
}

/** A tmux session running one command in an 80×24 terminal. */
export class Tmux implements AsyncDisposable {
  #socket: string;

  private constructor(socket: string) {
    this.#socket = socket;
  }

  /** Start `command` (argv) in a fresh detached tmux session `columns` wide. */
  static async start(
    command: string[],
    env: Record<string, string> = {},
    columns = 80,
  ): Promise<Tmux> {
    const socket = `udpchat-test-${crypto.randomUUID()}`;
    const tmux = new Tmux(socket);
    const exports = Object.entries(env).map(([k, v]) => `${k}=${shellQuote(v)}`)
      .join(" ");
    const line = `${exports} ${shellLine(command)}`;
    await tmux.#run([
      "new-session",
      "-d",
      "-x",
      String(columns),
      "-y",
      "24",
      "-s",
      "t",
      line,
    ]);
    return tmux;
  }

  async #run(args: string[]): Promise<string> {
    const { code, stdout, stderr } = await new Deno.Command("tmux", {
      args: ["-L", this.#socket, ...args],
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (code !== 0) {
      throw new Error(
        `tmux ${args[0]} failed: ${new TextDecoder().decode(stderr)}`,
      );
    }
    return new TextDecoder().decode(stdout);
  }

  /** Type text; `enter` presses Enter after it. */
  async type(text: string, enter = false): Promise<void> {
    await this.#run(["send-keys", "-t", "t", "-l", text]);
    if (enter) await this.#run(["send-keys", "-t", "t", "Enter"]);
  }

  /** Press keys by tmux name (`C-d`, `Left`, `Tab`, `Enter`). */
  async keys(...names: string[]): Promise<void> {
    await this.#run(["send-keys", "-t", "t", ...names]);
  }

  /** Paste `text` at once, as a terminal's paste does (newlines as Enter). */
  async paste(text: string): Promise<void> {
    const file = await Deno.makeTempFile();
    try {
      await Deno.writeTextFile(file, text);
      await this.#run(["load-buffer", "-b", "p", file]);
      await this.#run(["paste-buffer", "-d", "-b", "p", "-t", "t"]);
    } finally {
      await Deno.remove(file);
    }
  }

  /**
   * The visible screen, one string per row (trailing spaces removed);
   * `scrollback` adds the rows scrolled off above it, `escapes` keeps the
   * text attributes as escape sequences.
   */
  async screen(
    options: { scrollback?: boolean; escapes?: boolean } = {},
  ): Promise<string[]> {
    const text = await this.#run([
      "capture-pane",
      "-t",
      "t",
      "-p",
      ...(options.scrollback ? ["-S", "-"] : []),
      ...(options.escapes ? ["-e"] : []),
    ]);
    return text.split("\n").map((row) => row.trimEnd());
  }

  /** Wait until the screen satisfies `test`; returns the screen. */
  async waitFor(
    test: (rows: string[]) => boolean,
    timeoutMs = 10_000,
  ): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const rows = await this.screen();
      if (test(rows)) return rows;
      if (Date.now() > deadline) {
        throw new Error(`Timed out; screen:\n${rows.join("\n")}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Kill the tmux server and everything in it. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.#run(["kill-server"]).catch(() => {});
  }
}

/** `argv` as one line a shell runs as is. */
export function shellLine(argv: string[]): string {
  return argv.map(shellQuote).join(" ");
}

function shellQuote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}
