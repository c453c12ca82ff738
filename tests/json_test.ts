/**
 * End-to-end tests of the machine interfaces: `join --json` and
 * `udpchat send`, through real processes on 127.0.0.1.
 */

import assert from "node:assert/strict";
import { Proc, startMember, startServer, unusedPort } from "./_cli.ts";

type Json = Record<string, unknown>;

function objects(proc: Proc): Json[] {
  return proc.lines.filter((line) => line !== "").map((line) =>
    JSON.parse(line)
  );
}

Deno.test("join --json prints one JSON object per event with stable fields", async () => {
  await using server = await startServer(["--motd", "be kind"]);
  await using alice = await startMember("alice", server.port);
  await alice.type("before you came");
  await alice.type("/me waves");
  await server.waitFor("* alice waves");
  await using bot = await startMember("bot", server.port, {
    wait: false,
    args: ["--json"],
  });
  await bot.waitFor('"type":"welcome"');
  await alice.type("hello bot");
  await bot.waitFor("hello bot");
  const all = objects(bot);
  assert.deepEqual(all[0], { type: "welcome", name: "bot", how: "joined" });
  assert.deepEqual(all[1], {
    type: "event",
    kind: "members",
    total: 2,
    names: ["alice", "bot"],
  });
  const history = all.filter((o) => o.history === true);
  assert.deepEqual(history.map((o) => [o.kind, o.from, o.text]), [
    ["chat", "alice", "before you came"],
    ["action", "alice", "waves"],
  ]);
  assert.ok(all.some((o) => o.kind === "motd" && o.text === "be kind"));
  const chat = all.at(-1)!;
  assert.deepEqual(Object.keys(chat), [
    "type",
    "kind",
    "id",
    "time",
    "from",
    "text",
  ]);
  assert.equal(chat.from, "alice");
  assert.equal(typeof chat.id, "number");
  assert.ok(Math.abs(Date.parse(chat.time as string) - Date.now()) < 60_000);
});

Deno.test("join --json still takes plain lines and commands on stdin", async () => {
  await using server = await startServer();
  await using alice = await startMember("alice", server.port);
  await using bot = await startMember("bot", server.port, {
    wait: false,
    args: ["--json"],
  });
  await bot.waitFor('"type":"welcome"');
  await bot.type("beep");
  await alice.waitFor("bot: beep");
  await bot.waitFor('"type":"delivered","from":"bot","kind":"say"');
  await bot.type("/who");
  await bot.waitFor('"type":"event","kind":"who"');
  const who = objects(bot).find((o) => o.type === "event" && o.kind === "who")!;
  assert.equal(who.total, 2);
  assert.deepEqual(
    (who.entries as Json[]).map((e) => Object.keys(e)),
    Array(2).fill(["name", "idleMs", "rttMs", "lossPercent", "away"]),
  );
  await bot.type("/bogus");
  await bot.waitFor('{"type":"error","text":"Unknown command /bogus');
  await bot.type("/quit");
  assert.equal((await bot.status()).code, 0);
  assert.ok(objects(bot).some((o) => o.kind === "goodbye" && o.why === "left"));
  assert.equal(alice.count("bogus"), 0);
});

Deno.test("join --json escapes zero-width and other invisible characters, and JSON.parse gives them back", async () => {
  await using server = await startServer();
  await using alice = await startMember("alice", server.port);
  await using bot = await startMember("bot", server.port, {
    wait: false,
    args: ["--json"],
  });
  await bot.waitFor('"type":"welcome"');
  const text = "pay\u200bpal\u200c\u200d\u2060\ufeff\u00ad\u{e0041} ok";
  await alice.type(text);
  const raw = await bot.waitFor('"from":"alice"');
  assert.doesNotMatch(raw, /[\u00ad\u200b-\u200d\u2060\ufeff\u{e0041}]/u);
  assert.ok(raw.includes("pay\\u200bpal\\u200c\\u200d\\u2060\\ufeff"), raw);
  assert.equal(JSON.parse(raw).text, text);
});

function sendCommand(port: number, ...args: string[]): Proc {
  return new Proc(["send", ...args, "--server", `127.0.0.1:${port}`]);
}

Deno.test("send posts one message, waits for delivery, leaves and exits 0", async () => {
  await using server = await startServer();
  await using alice = await startMember("alice", server.port);
  await using cron = sendCommand(server.port, "cron", "nightly build: ok ✅");
  assert.equal((await cron.status()).code, 0);
  assert.deepEqual(cron.lines.filter((l) => l !== ""), []);
  assert.deepEqual(cron.errors.filter((l) => l !== ""), []);
  await alice.waitFor("cron joined");
  await alice.waitFor("cron: nightly build: ok ✅");
  await alice.waitFor("cron left");
  assert.ok(
    alice.lines.indexOf("cron: nightly build: ok ✅") <
      alice.lines.indexOf("cron left"),
  );
});

Deno.test("send exits 1 with one stderr line when the name is refused", async () => {
  await using server = await startServer();
  await using _alice = await startMember("alice", server.port);
  await using cron = sendCommand(server.port, "Alice", "hi");
  assert.equal((await cron.status()).code, 1);
  assert.deepEqual(cron.errors.filter((l) => l !== ""), [
    'Cannot join: Name "Alice" is taken',
  ]);
});

Deno.test("send exits 1 with one stderr line when the server is unreachable", async () => {
  const port = unusedPort();
  await using cron = sendCommand(port, "cron", "hi");
  assert.equal((await cron.status(15_000)).code, 1);
  const errors = cron.errors.filter((l) => l !== "");
  assert.equal(errors.length, 1, errors.join("\n"));
  assert.match(errors[0]!, /^Cannot reach the server/);
});

Deno.test("send refuses bad arguments with exit 2", async () => {
  for (
    const args of [["cron"], ["cron", ""], ["cron", "a", "b"], [
      "cron",
      "x".repeat(16_385),
    ]]
  ) {
    await using cron = sendCommand(1, ...args);
    assert.equal((await cron.status()).code, 2, args.join(" "));
    assert.equal(cron.errors.filter((l) => l !== "").length, 1);
  }
});
