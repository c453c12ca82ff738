/**
 * End-to-end tests of the member's line editor in a real pseudo-terminal
 * (tmux): leaving with Ctrl-D, Ctrl-Z and fg, a large paste, redrawing
 * when a restarted server takes the member back, Tab completion and
 * mentions without colour.
 */

import assert from "node:assert/strict";
import { startMember, startServer } from "./_cli.ts";
import { joinCommand, shellLine, showingExit, Tmux } from "./_tmux.ts";

/** The last row with anything on it. */
const lastRow = (rows: string[]) => rows.filter((row) => row !== "").at(-1);

/** Wait (generously: a cold Deno start on a busy machine) for the welcome. */
async function welcomed(tty: Tmux, name: string): Promise<void> {
  await tty.waitFor(
    (rows) => rows.some((row) => row.startsWith(`Welcome, ${name}!`)),
    30_000,
  );
}

Deno.test("Ctrl-D on an empty line leaves: exit 0, the others told, the prompt erased", async () => {
  await using server = await startServer();
  await using erin = await startMember("erin", server.port);
  await using tty = await Tmux.start(
    showingExit(joinCommand(server.port, "dave")),
    { NO_COLOR: "1" },
  );
  await welcomed(tty, "dave");
  // On a line with text, Ctrl-D deletes the character under the cursor.
  await tty.type("abc");
  await tty.keys("Home", "C-d");
  await tty.waitFor((rows) => lastRow(rows) === "> bc");
  await tty.keys("End", "C-u", "C-d");
  const rows = await tty.waitFor((rows) => rows.includes("exit=0"), 15_000);
  await erin.waitFor("dave left");
  const at = rows.indexOf("exit=0");
  assert.match(rows[at - 1]!, /^Goodbye/, rows.join("\n"));
  assert.equal(rows.filter((row) => row.startsWith(">")).length, 0);
  assert.equal(rows.filter((row) => /Uncaught|Error/.test(row)).length, 0);
});

Deno.test("after Ctrl-Z and fg the client takes keys at once", async () => {
  await using server = await startServer();
  await using erin = await startMember("erin", server.port);
  await using tty = await Tmux.start(["bash", "--norc", "--noprofile", "-i"], {
    NO_COLOR: "1",
  });
  await tty.type(shellLine(joinCommand(server.port, "dave")), true);
  await welcomed(tty, "dave");
  await tty.type("hal");
  await tty.waitFor((rows) => lastRow(rows) === "> hal");
  await tty.keys("C-z");
  await tty.waitFor((rows) => rows.some((row) => row.includes("Stopped")));
  await tty.type("fg", true);
  await tty.waitFor((rows) => lastRow(rows) === "> hal");
  // Edited by the client, not echoed by the terminal: Left moves the cursor.
  await tty.keys("Left");
  await tty.type("X");
  await tty.waitFor((rows) => lastRow(rows) === "> haXl");
  await tty.keys("Enter");
  await erin.waitFor("dave: haXl");
});

Deno.test("a 16 KiB paste echoes at once, incoming lines pass it, the scrollback keeps one copy; a pasted line each is sent", async () => {
  await using server = await startServer();
  await using erin = await startMember("erin", server.port);
  await using tty = await Tmux.start(joinCommand(server.port, "dave"), {
    NO_COLOR: "1",
  });
  await welcomed(tty, "dave");
  const paste = "x".repeat(16_384 - 7) + "ENDMARK";
  const started = Date.now();
  await tty.paste(paste);
  await tty.waitFor((rows) => lastRow(rows)?.endsWith("ENDMARK") === true);
  const tookMs = Date.now() - started;
  // Was 130 s; the bound leaves room for a busy machine and tmux itself.
  assert.ok(tookMs < 5000, `the paste took ${tookMs} ms to show`);
  await erin.type("incoming while pasting");
  await erin.type("and another");
  const rows = await tty.waitFor((rows) =>
    rows.some((row) => row.includes("erin: and another")) &&
    lastRow(rows)?.endsWith("ENDMARK") === true
  );
  // The input area fits the window and is redrawn in place, never pushed
  // into the scrollback with each incoming line.
  const all = await tty.screen({ scrollback: true });
  const copies = all.filter((row) => /^x{40}/.test(row)).length;
  assert.ok(copies < 24, `${copies} rows of the paste:\n${rows.join("\n")}`);
  await tty.keys("Enter");
  await erin.waitFor(/^dave: x+ENDMARK$/, 15_000);
  await tty.paste("p one\np two\np three\n");
  await erin.waitFor("dave: p three");
  const heard = erin.lines.filter((line) => line.startsWith("dave: p "));
  assert.deepEqual(heard, ["dave: p one", "dave: p two", "dave: p three"]);
});

Deno.test("after a restarted server takes the member back, keys go in where the cursor is", async () => {
  const first = await startServer();
  await using tty = await Tmux.start(joinCommand(first.port, "dave"), {
    NO_COLOR: "1",
  });
  await welcomed(tty, "dave");
  await tty.type("half");
  await tty.waitFor((rows) => lastRow(rows) === "> half");
  first.kill("SIGKILL");
  await first.status();
  await first[Symbol.asyncDispose]();
  await using _second = await startServer(["--port", String(first.port)]);
  // The welcome back redraws the prompt; it used to put the cursor first.
  await tty.waitFor(
    (rows) => rows.some((row) => /^(Rejoined|Reconnected) as dave/.test(row)),
    20_000,
  );
  await tty.keys("Left");
  await tty.type("X");
  await tty.waitFor((rows) => lastRow(rows) === "> halXf");
});

Deno.test("Tab completes a member's name; a mention stays visible with NO_COLOR", async () => {
  await using server = await startServer();
  await using tty = await Tmux.start(joinCommand(server.port, "dave"), {
    NO_COLOR: "1",
  });
  await welcomed(tty, "dave");
  await using erin = await startMember("erin", server.port);
  await tty.waitFor((rows) => rows.some((row) => row.includes("erin joined")));
  await tty.type("er");
  await tty.keys("Tab");
  await tty.waitFor((rows) => lastRow(rows) === "> erin:");
  await tty.type("hi", true);
  await erin.waitFor("dave: erin: hi");
  await erin.type("hey dave, look");
  const rows = await tty.waitFor(
    (rows) => rows.some((row) => row.includes("erin: hey dave, look")),
  );
  const painted = await tty.screen({ escapes: true });
  const row = painted.find((row) => row.includes("erin: hey "));
  // deno-lint-ignore no-control-regex
  assert.match(row ?? "", /\x1b\[[\d;]*7[;\d]*mdave/, rows.join("\n"));
  // deno-lint-ignore no-control-regex
  assert.doesNotMatch(row ?? "", /\x1b\[3[0-7]m/, JSON.stringify(row));
});

Deno.test("in a window 16 columns wide, wrapped lines keep their indent", async () => {
  await using server = await startServer();
  await using tty = await Tmux.start(
    joinCommand(server.port, "dave"),
    { NO_COLOR: "1" },
    16,
  );
  await using erin = await startMember("erin", server.port);
  await tty.waitFor((rows) => rows.some((row) => row.startsWith("Members")));
  await erin.type("one two three four five six");
  const rows = await tty.waitFor((rows) =>
    rows.some((row) => row.trim() === "six")
  );
  const first = rows.findIndex((row) => /^\d\d:\d\d erin:/.test(row));
  const last = rows.findIndex((row) => row.trim() === "six");
  assert.ok(first >= 0 && last > first + 1, rows.join("\n"));
  for (const row of rows.slice(first + 1, last + 1)) {
    assert.match(row, /^ {6}\S/, rows.join("\n"));
    assert.ok(row.length <= 15, rows.join("\n"));
  }
});
