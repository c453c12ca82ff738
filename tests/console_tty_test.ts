/**
 * End-to-end test of the host's console on a terminal (tmux): the members'
 * line editor, times on log lines, lines printed above the one being
 * typed, and Ctrl-D closing the console while the server runs on.
 */

import assert from "node:assert/strict";
import { startMember } from "./_cli.ts";
import { cliCommand, Tmux } from "./_tmux.ts";

const lastRow = (rows: string[]) => rows.filter((row) => row !== "").at(-1);
const has = (pattern: RegExp) => (rows: string[]) =>
  rows.some((row) => pattern.test(row));

Deno.test("console on a TTY edits lines like a member's, stamps its lines, and survives Ctrl-D", async () => {
  await using tty = await Tmux.start(
    cliCommand("serve", "--host", "127.0.0.1", "--port", "0"),
    { NO_COLOR: "1" },
  );
  const rows = await tty.waitFor(
    has(/^\d\d:\d\d udpchat listening on 127\.0\.0\.1:\d+$/),
    30_000,
  );
  const port = Number(
    rows.map((row) => /listening on 127\.0\.0\.1:(\d+)$/.exec(row)?.[1])
      .find((port) => port !== undefined),
  );
  await using erin = await startMember("erin", port);
  await tty.waitFor(has(/^\d\d:\d\d erin joined/));
  // The report: hello, Left, Left, X, Enter broadcast "hello��X".
  await tty.type("hello");
  await tty.keys("Left", "Left");
  await tty.type("X");
  await tty.keys("Enter");
  await erin.waitFor("[admin] helXlo");
  // Up brings it back; Ctrl-W and Ctrl-U cut.
  await tty.keys("Up");
  await tty.waitFor((rows) => lastRow(rows) === "admin> helXlo");
  await tty.type(" again");
  await tty.keys("Enter");
  await erin.waitFor("[admin] helXlo again");
  await tty.type("/who junk");
  await tty.keys("C-w", "BSpace", "Enter");
  await tty.waitFor(has(/^\d\d:\d\d 1 member$/));
  // A log line goes above the line being typed.
  await tty.type("half typed");
  await erin.type("from erin");
  const shown = await tty.waitFor((rows) =>
    rows.some((row) => /^\d\d:\d\d erin: from erin$/.test(row)) &&
    lastRow(rows) === "admin> half typed"
  );
  assert.equal(
    shown.filter((row) => row.includes("^[")).length,
    0,
    shown.join("\n"),
  );
  await tty.keys("C-u", "C-d");
  await tty.waitFor(has(/Console closed; the server keeps running/));
  await erin.type("still served");
  await tty.waitFor(has(/^\d\d:\d\d erin: still served$/));
});
