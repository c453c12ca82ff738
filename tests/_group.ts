/**
 * A command run in a session and process group of its own (`setsid`), as a
 * terminal runs a job: so a test can send Ctrl-C's SIGINT to the whole
 * group, or a signal to the outermost process alone, and then check that
 * no process of the group outlived it.
 * @module
 */

import { Proc } from "./_cli.ts";

/** A job: its outermost process (whose pid is the group's id) and its output. */
export class Job extends Proc {
  /** Run `command` (argv) in a new session, from the repository root. */
  constructor(command: string[], env: Record<string, string> = {}) {
    super(command, env, [], "setsid");
  }

  /** The process group's id. */
  get pgid(): number {
    return this.child.pid;
  }

  /** SIGINT to every process of the group, as Ctrl-C on a terminal sends it. */
  interrupt(): void {
    Deno.kill(-this.pgid, "SIGINT");
  }

  /** The group's processes still running (not zombies), as "pid args". */
  async alive(): Promise<string[]> {
    const { stdout } = await new Deno.Command("ps", {
      args: ["-eo", "pid=,pgid=,stat=,args="],
      stdout: "piped",
    }).output();
    return new TextDecoder().decode(stdout).split("\n")
      .map((line) => line.trim().split(/\s+/))
      .filter(([, pgid, stat]) =>
        pgid === String(this.pgid) && !stat?.startsWith("Z")
      )
      .map(([pid, , , ...args]) => `${pid} ${args.join(" ")}`);
  }

  /** Wait until no process of the group runs. */
  async waitGone(timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const left = await this.alive();
      if (left.length === 0) return;
      if (Date.now() > deadline) {
        throw new Error(
          `Timed out waiting for process group ${this.pgid} to end; still running: ${
            JSON.stringify(left)
          }; stdout: ${JSON.stringify(this.lines)}; stderr: ${
            JSON.stringify(this.errors)
          }`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Kill whatever of the group still runs, then release the outer process. */
  override async [Symbol.asyncDispose](): Promise<void> {
    try {
      Deno.kill(-this.pgid, "SIGKILL");
    } catch {
      // The group is gone already.
    }
    await super[Symbol.asyncDispose]();
  }
}
