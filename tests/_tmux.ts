/**
 * Drives a command in a real pseudo-terminal through tmux (a private tmux
 * server per instance), for tests of the interactive client.
 * @module
 */

/** A tmux session running one command in an 80×24 terminal. */
export class Tmux implements AsyncDisposable {
  #socket: string;

  private constructor(socket: string) {
    this.#socket = socket;
  }

  /** Start `command` (argv) in a fresh detached tmux session. */
  static async start(
    command: string[],
    env: Record<string, string> = {},
  ): Promise<Tmux> {
    const socket = `udpchat-test-${crypto.randomUUID()}`;
    const tmux = new Tmux(socket);
    const exports = Object.entries(env).map(([k, v]) => `${k}=${shellQuote(v)}`)
      .join(" ");
    const line = `${exports} ${command.map(shellQuote).join(" ")}`;
    await tmux.#run([
      "new-session",
      "-d",
      "-x",
      "80",
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

  /** The visible screen, one string per row (trailing spaces removed). */
  async screen(): Promise<string[]> {
    const text = await this.#run(["capture-pane", "-t", "t", "-p"]);
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

function shellQuote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}
