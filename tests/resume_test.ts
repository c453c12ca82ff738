/**
 * End-to-end tests of liveness and resumption with real processes: a member
 * killed outright times out, and a server killed and restarted with its
 * journal (`--state`) resumes every session without leave/join noise and
 * without losing or repeating a message.
 */

import assert from "node:assert/strict";
import { Proc, startMember, startServer } from "./_cli.ts";
import { Relay } from "./_relay.ts";

Deno.test("a member killed with SIGKILL times out for the others and frees its name", async () => {
  await using server = await startServer(["--timeout", "2"]);
  await using alice = await startMember("alice", server.port);
  const bob = await startMember("bob", server.port);
  await alice.waitFor("bob joined");
  bob.kill("SIGKILL");
  await bob.status();
  await bob[Symbol.asyncDispose]();
  await alice.waitFor("bob timed out", 10_000);
  assert.equal(alice.count("bob left"), 0);
  await using again = await startMember("bob", server.port);
  await alice.waitForCount(/^bob joined$/, 2);
  assert.ok(again.lines.some((line) => line.startsWith("Welcome, bob")));
});

/** Wait until `proc` saw `count` numbered lines from `from`. */
function waitNumbered(proc: Proc, from: string, count: number): Promise<void> {
  return proc.waitForCount(
    new RegExp(`^${from}: ${from} \\d+$`),
    count,
    30_000,
  );
}

/** The numbers `proc` saw from `from`, in order. */
function numbers(proc: Proc, from: string): number[] {
  const pattern = new RegExp(`^${from}: ${from} (\\d+)$`);
  return proc.lines.flatMap((line) => {
    const match = pattern.exec(line);
    return match ? [Number(match[1])] : [];
  });
}

Deno.test("a server killed and restarted with --state resumes everyone, exactly once, one member through loss", async () => {
  const dir = await Deno.makeTempDir({ prefix: "udpchat-state-" });
  const state = `${dir}/room.journal`;
  try {
    const first = await startServer([
      "--state",
      state,
      "--timeout",
      "10",
      "--rate",
      "0",
    ]);
    const { port } = first;
    // ben talks through a lossy relay, which outlives the server's restart.
    await using relay = Relay.start({
      target: { hostname: "127.0.0.1", port },
      toServer: { loss: 0.05 },
      toMember: { loss: 0.05 },
      seed: 11,
    });
    await using ann = await startMember("ann", port);
    await using ben = await startMember("ben", relay.port);
    await using cat = await startMember("cat", port);
    await ann.waitFor("cat joined");
    await ben.waitFor("cat joined");
    const members = { ann, ben, cat };
    const send = async (
      from: keyof typeof members,
      range: [number, number],
    ) => {
      for (let i = range[0]; i < range[1]; i++) {
        await members[from].type(`${from} ${i}`);
      }
    };
    await Promise.all([
      send("ann", [0, 50]),
      send("ben", [0, 50]),
      send("cat", [0, 50]),
    ]);
    await waitNumbered(ben, "ann", 20);

    first.kill("SIGKILL"); // Mid-conversation: some lines are still in flight.
    await first.status();
    await first[Symbol.asyncDispose]();
    await Promise.all([
      send("ann", [50, 100]),
      send("ben", [50, 100]),
      send("cat", [50, 100]),
    ]);
    await using second = await startServer([
      "--state",
      state,
      "--port",
      String(port),
      "--rate",
      "0",
    ]);

    for (const [name, member] of Object.entries(members)) {
      for (const other of Object.keys(members)) {
        if (other !== name) await waitNumbered(member, other, 100);
      }
    }
    for (const [name, member] of Object.entries(members)) {
      for (const other of Object.keys(members)) {
        if (other === name) continue;
        const seen = numbers(member, other);
        assert.deepEqual(
          seen,
          Array.from({ length: 100 }, (_, i) => i),
          `${name} saw from ${other}`,
        );
      }
      assert.equal(
        member.count(/ left$| timed out$/),
        0,
        `${name}: ${member.lines.join("\n")}`,
      );
      assert.ok(
        member.lines.some((line) => line.startsWith(`Reconnected as ${name}`)),
      );
    }
    assert.equal(second.count(/joined from/), 0, second.lines.join("\n"));
    for (const member of Object.values(members)) await member.type("/quit");
    for (const member of Object.values(members)) {
      assert.equal((await member.status()).code, 0);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a restarted server times out members that do not come back", async () => {
  const dir = await Deno.makeTempDir({ prefix: "udpchat-state-" });
  const state = `${dir}/room.journal`;
  try {
    const first = await startServer(["--state", state]);
    const { port } = first;
    await using ann = await startMember("ann", port);
    const ben = await startMember("ben", port);
    await ann.waitFor("ben joined");
    ben.kill("SIGKILL");
    first.kill("SIGKILL");
    await Promise.all([ben.status(), first.status()]);
    await ben[Symbol.asyncDispose]();
    await first[Symbol.asyncDispose]();
    await using _second = await startServer([
      "--state",
      state,
      "--port",
      String(port),
      "--timeout",
      "3",
    ]);
    await ann.waitFor(/^Reconnected as ann/, 15_000);
    await ann.waitFor("ben timed out", 15_000);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
