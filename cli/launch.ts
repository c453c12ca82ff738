/**
 * The tasks' launcher: `deno task serve` and `deno task join` run
 * `deno run -A cli/launch.ts run PERMISSIONS main.ts ...`, which runs that
 * `deno run` as a child on the same terminal and waits for it.
 *
 * It exists for one case: `npx deno task serve` with SIGTERM sent to npm.
 * npm passes it to the `sh -c` it runs the task with, dash dies of it, and
 * nothing reaches `deno task` or the program (see `launchers.ts`). Only a
 * process that can read /proc can see that, and Deno lets nothing less than
 * --allow-all read it; the launcher has that, the program keeps its narrow
 * permissions. Every signal that stops the program is passed on (the
 * program ignores the copy a terminal also sent it), the program is told to
 * stop with SIGTERM when a launcher above is gone, and the launcher exits
 * with the program's exit code. The program finds `UDPCHAT_LAUNCHED=task` in
 * its environment, so `serve` tells members to `npx deno task join`.
 * @module
 */

import { LAUNCHED_ENV } from "../server/hints.ts";
import { watchLaunchers } from "./launchers.ts";
import { onStop } from "./signals.ts";

/** Run `deno ARGS` until it exits; resolves to its exit code. */
export async function launch(args: string[]): Promise<number> {
  const child = new Deno.Command(Deno.execPath(), {
    args,
    // The program was started from source: `serve` names the tasks, not `udpchat`.
    env: { [LAUNCHED_ENV]: "task" },
    stdin: "inherit",
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
  const pass = (signal: Deno.Signal) => {
    try {
      child.kill(signal);
    } catch {
      // It has exited already.
    }
  };
  // The program listens to the same signals (it has the same terminal).
  const unlisten = onStop(pass);
  const unwatch = watchLaunchers(() => pass("SIGTERM"));
  const status = await child.status;
  unwatch();
  unlisten();
  return status.code;
}

if (import.meta.main) Deno.exit(await launch(Deno.args));
