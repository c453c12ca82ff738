/**
 * End-to-end tests of the interactive client in a real pseudo-terminal
 * (tmux): the name prompt, and a half-typed line surviving incoming lines.
 */

import assert from "node:assert/strict";
import { startMember, startServer } from "./_cli.ts";
import { joinCommand, Tmux } from "./_tmux.ts";

Deno.test("join on a TTY asks for a name, and again when it is refused", async () => {
  await using server = await startServer();
  await using _taken = await startMember("erin", server.port);
  await using tty = await Tmux.start(joinCommand(server.port), {
    NO_COLOR: "1",
  });
  // Generous: a fresh pseudo-terminal and a cold Deno start on a loaded CI machine.
  await tty.waitFor(
    (rows) => rows.some((row) => row.startsWith("Your name:")),
    30_000,
  );
  await tty.type("admin", true);
  await tty.waitFor((rows) =>
    rows.some((row) => row.includes('Name "admin" is reserved'))
  );
  await tty.type("erin", true);
  await tty.waitFor((rows) =>
    rows.some((row) => row.includes('Name "erin" is taken'))
  );
  await tty.type("dave", true);
  await tty.waitFor((rows) =>
    rows.some((row) => row.startsWith("Welcome, dave!"))
  );
  await tty.type("/quit", true);
  await server.waitFor("dave left");
});

Deno.test("a half-typed line survives incoming messages on a TTY", async () => {
  await using server = await startServer();
  await using tty = await Tmux.start(joinCommand(server.port, "dave"), {
    NO_COLOR: "1",
  });
  await tty.waitFor(
    (rows) => rows.some((row) => row.startsWith("Welcome, dave!")),
    30_000,
  );
  await using erin = await startMember("erin", server.port);
  await tty.type("half typed 半");
  await erin.type("first incoming");
  await erin.type("second incoming");
  // Both lines arrive and, once drawn, the half-typed line is still last.
  const lastRow = (rows: string[]) => rows.filter((row) => row !== "").at(-1);
  const rows = await tty.waitFor((rows) =>
    rows.some((row) => row.includes("erin: second incoming")) &&
    lastRow(rows) === "> half typed 半"
  );
  const incoming = rows.findIndex((row) =>
    row.includes("erin: first incoming")
  );
  assert.ok(
    incoming >= 0 && incoming < rows.lastIndexOf("> half typed 半"),
    rows.join("\n"),
  );
  await tty.type(" done", true);
  await erin.waitFor("dave: half typed 半 done");
  // Once the server has it, the sender's own line replaces what was typed.
  const after = await tty.waitFor((rows) =>
    rows.some((row) => /^\d\d:\d\d dave: half typed 半 done$/.test(row))
  );
  assert.equal(
    after.filter((row) => row.includes("> half typed")).length,
    0,
    after.join("\n"),
  );
});
