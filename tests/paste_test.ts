/**
 * End-to-end tests of what a member pipes in (issue: silent loss when a
 * member leaves): lines piped into `join` are a paste, not a flood; every
 * line reaches the room in order at the room's rate, also through loss, and
 * a `join` that hits EOF leaves only after its last line was carried out,
 * exiting 0 only when every line reached the room. Default limits: a burst
 * of 10, then 5 a second.
 */

import assert from "node:assert/strict";
import { type Proc, startMember, startServer } from "./_cli.ts";
import { Relay } from "./_relay.ts";

const numbered = (count: number) =>
  Array.from(
    { length: count },
    (_, i) => `line ${String(i + 1).padStart(3, "0")}`,
  );

/** What `member` shows of `from`'s chat lines, in order. */
function heard(member: Proc, from: string): string[] {
  const prefix = `${from}: `;
  return member.lines.filter((l) => l.startsWith(prefix)).map((l) =>
    l.slice(prefix.length)
  );
}

Deno.test("25 lines piped into join then EOF: all reach the room in order, and exit 0 says so", async () => {
  await using server = await startServer();
  await using alice = await startMember("alice", server.port);
  await using carol = await startMember("carol", server.port, { wait: false });
  const lines = numbered(25);
  // As `printf '%s\n' l1 … l25 | udpchat join carol`: all of it at once, then EOF.
  await carol.type(lines.join("\n"));
  await carol.closeStdin();
  const status = await carol.status(30_000);
  assert.equal(status.code, 0, carol.errors.join("\n"));
  await alice.waitFor("carol left", 5000);
  assert.deepEqual(heard(alice, "carol"), lines);
  assert.equal(carol.count(/Not delivered|kicked/), 0, carol.lines.join("\n"));
});

Deno.test("100 lines piped with stdin left open arrive in order at the room's rate; nobody is kicked", async () => {
  await using server = await startServer();
  await using alice = await startMember("alice", server.port);
  // Piped from the start, before the client knows the room's rate.
  await using carol = await startMember("carol", server.port, { wait: false });
  const lines = numbered(100);
  const started = Date.now();
  await carol.type(lines.join("\n"));
  await alice.waitFor(`carol: ${lines.at(-1)}`, 60_000);
  const tookMs = Date.now() - started;
  assert.deepEqual(heard(alice, "carol"), lines);
  // 10 at once, then 90 at 5 a second: paced, not dumped and not dropped.
  assert.ok(tookMs >= 15_000, `took only ${tookMs} ms`);
  assert.equal(alice.count(/carol (left|was kicked)/), 0);
  assert.equal(
    carol.errors.filter((l) => l !== "").length,
    0,
    carol.errors.join("\n"),
  );
});

Deno.test("100 lines piped through 20% loss each way, then EOF: all arrive in order, exit 0", async () => {
  await using server = await startServer();
  await using alice = await startMember("alice", server.port);
  await using relay = Relay.start({
    target: { hostname: "127.0.0.1", port: server.port },
    seed: 14,
  });
  await using carol = await startMember("carol", relay.port);
  await alice.waitFor("carol joined");
  relay.setImpairment("toServer", { loss: 0.2 });
  relay.setImpairment("toMember", { loss: 0.2 });
  const lines = numbered(100);
  await carol.type(lines.join("\n"));
  await carol.closeStdin();
  const status = await carol.status(90_000);
  assert.equal(
    status.code,
    0,
    `${carol.errors.join("\n")}\nrelay ${JSON.stringify(relay.stats())}`,
  );
  await alice.waitFor("carol left", 10_000);
  assert.deepEqual(heard(alice, "carol"), lines);
});
