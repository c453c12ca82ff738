/**
 * End-to-end test of the tasks in deno.json, run the way the README says:
 * `deno task serve -- ARGS`, where Deno passes the `--` on to main.ts.
 */

import assert from "node:assert/strict";
import { Proc } from "./_cli.ts";

Deno.test("deno task serve -- --port 0 starts a server, names the join task in its hints, and SIGTERM stops it", async () => {
  await using task = new Proc(
    ["task", "serve", "--", "--port", "0", "--host", "127.0.0.1"],
    {},
    [],
  );
  assert.match(
    await task.waitFor(/listening on/, 20_000),
    /^udpchat listening on 127\.0\.0\.1:\d+$/,
  );
  // From source there is no `udpchat` command: the hints name the task.
  await task.waitFor(/^ {2}npx deno task join NAME --server 127\.0\.0\.1:\d+$/);
  assert.equal(task.count("udpchat join"), 0, task.lines.join("\n"));
  task.kill("SIGTERM");
  const status = await task.status();
  assert.equal(status.success, true, task.errors.join("\n"));
});
