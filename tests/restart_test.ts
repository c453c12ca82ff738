/**
 * End-to-end tests of a server killed (SIGKILL) and restarted with the same
 * `--state` journal: room event ids never go backwards, so every later line
 * reaches the members, also lines of classic members; and a datagram
 * recorded before the restart and replayed from elsewhere moves nothing,
 * with or without a passphrase.
 */

import assert from "node:assert/strict";
import { type Proc, startMember, startServer } from "./_cli.ts";
import { ClassicClient } from "./_classic.ts";
import { sendFromElsewhere, Tap } from "./_tap.ts";

/** Kill `server` outright and start another on its port with `args`. */
async function restart(
  server: Proc & { port: number },
  args: string[],
): Promise<Proc & { port: number }> {
  server.kill("SIGKILL");
  await server.status();
  await server[Symbol.asyncDispose]();
  return await startServer([...args, "--port", String(server.port)]);
}

async function inStateDir<T>(fn: (state: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "udpchat-restart-" });
  try {
    return await fn(`${dir}/room.journal`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("a room with classic and native members restarted with --state delivers every later line to a native member", async () => {
  await inStateDir(async (state) => {
    const args = ["--state", state, "--rate", "0"];
    const first = await startServer(args);
    await using ann = await startMember("ann", first.port);
    await using bob = new ClassicClient(first.port);
    await bob.login("bob");
    await ann.waitFor("bob joined");
    for (let i = 0; i < 6; i++) await bob.send(`C bob before ${i}`);
    await ann.waitForCount(/^bob: before \d$/, 6);

    await using second = await restart(first, args);
    await ann.waitFor(/^Reconnected as ann/, 15_000);
    // Classic members are not journaled: bob logs in again.
    await bob.login("bob");
    for (let i = 0; i < 6; i++) await bob.send(`C bob after ${i}`);
    await ann.type("ann after");
    await bob.send("C bob last");
    await ann.waitFor("bob: last", 10_000);
    assert.deepEqual(
      ann.lines.filter((line) => /^bob: after \d$/.test(line)),
      Array.from({ length: 6 }, (_, i) => `bob: after ${i}`),
      ann.lines.join("\n"),
    );
    assert.equal(second.count(/^Skipped/), 0, second.lines.join("\n"));
  });
});

for (const passphrase of [false, true]) {
  const room = passphrase ? "a room with a passphrase" : "a room";
  Deno.test(`${room} restarted with --state does not move a session for a datagram replayed from before the restart`, async () => {
    await inStateDir(async (state) => {
      const dir = state.slice(0, state.lastIndexOf("/"));
      const secret = `${dir}/passphrase`;
      await Deno.writeTextFile(secret, "correct horse\n", { mode: 0o600 });
      const keyArgs = passphrase ? ["--passphrase-file", secret] : [];
      const args = ["--state", state, "--rate", "0", ...keyArgs];
      const first = await startServer(args);
      await using tap = new Tap(first.port);
      await using ann = await startMember("ann", tap.port, { args: keyArgs });
      await using ben = await startMember("ben", first.port, {
        args: keyArgs,
      });
      await ann.waitFor("ben joined");
      for (let i = 0; i < 10; i++) await ann.type(`ann ${i}`);
      await ben.waitForCount(/^ann: ann \d$/, 10);
      const recorded = tap.sent.at(-1)!;

      await using second = await restart(first, args);
      await ann.waitFor(/^Reconnected as ann/, 15_000);
      await ben.waitFor(/^Reconnected as ben/, 15_000);
      await ann.type("resumed");
      await ben.waitFor("ann: resumed", 10_000);

      await sendFromElsewhere(recorded, second.port);
      await ann.type("still here");
      await ben.waitFor("ann: still here", 5_000);
      assert.equal(second.count("moved from"), 0, second.lines.join("\n"));
    });
  });
}

Deno.test("a member that saw the room's lines as history gets none of them again, nor its join, after a restart with --state", async () => {
  await inStateDir(async (state) => {
    const args = ["--state", state];
    const first = await startServer(args);
    await using ann = await startMember("ann", first.port);
    for (let i = 1; i <= 5; i++) await ann.type(`line ${i}`);
    await first.waitForCount(/ann: line \d$/, 5);
    await using ben = await startMember("ben", first.port);
    await ben.waitForCount(/^\[history [\d:-]+\] ann: line \d$/, 5);
    await ann.waitFor("ben joined");

    await using _second = await restart(first, args);
    await ben.waitFor(/^Reconnected as ben/, 15_000);
    await ann.waitFor(/^Reconnected as ann/, 15_000);
    await ann.type("after");
    await ben.waitFor("ann: after", 10_000);
    await ben.type("back");
    await ann.waitFor("ben: back", 10_000);
    const all = ben.lines.join("\n");
    assert.equal(ben.count(/^ann: line \d$/), 0, all);
    assert.equal(ben.count(/^\[history [\d:-]+\] ann: line \d$/), 5, all);
    assert.equal(ben.count(/joined$/), 0, all);
    assert.equal(ben.count("ann: after"), 1, all);
    assert.equal(ann.count("ben joined"), 1, ann.lines.join("\n"));
    assert.equal(ann.count("ben: back"), 1, ann.lines.join("\n"));
  });
});

Deno.test("a server restarted with --state after SIGKILL keeps bans, mutes, the message of the day, away messages and new names", async () => {
  await inStateDir(async (state) => {
    const args = ["--state", state];
    const first = await startServer(args);
    await using ann = await startMember("ann", first.port);
    await using ben = await startMember("ben", first.port);
    await ann.waitFor("ben joined");
    await ben.type("/away lunch");
    await ann.type("/nick anna");
    await ann.waitFor("ben is away: lunch");
    await ben.waitFor("ann is now known as anna");
    await first.type("/ban mallory");
    await first.type("/motd be kind");
    await first.type("/mute anna 10m");
    await first.waitFor(/anna is muted/);
    await first.waitFor("Message of the day: be kind");

    await using second = await restart(first, args);
    await ann.waitFor(/^Reconnected as anna/, 15_000);
    await ben.waitFor(/^Reconnected as ben/, 15_000);
    await using mallory = await startMember("mallory", second.port, {
      wait: false,
    });
    await mallory.waitFor(/banned/i, 10_000, true);
    await using cat = await startMember("cat", second.port);
    await cat.waitFor("Message of the day: be kind");
    await second.type("/who");
    await second.waitFor(/^anna\s/);
    await second.waitFor(/^ben\s.*away: lunch/);
    await ann.type("hush");
    await ann.waitFor(/^Not delivered: hush/, 10_000, true);
    await ben.type("ping");
    await ann.waitFor("ben: ping", 10_000);
    assert.equal(ben.count("anna: hush"), 0, ben.lines.join("\n"));
  });
});

Deno.test("a server stopped with /shutdown and started again with --state keeps its bans and message of the day", async () => {
  await inStateDir(async (state) => {
    const args = ["--state", state];
    const first = await startServer(args);
    await first.type("/ban mallory 1h");
    await first.type("/motd be kind");
    await first.waitFor("Message of the day: be kind");
    await first.type("/shutdown");
    assert.equal((await first.status()).code, 0);
    await first[Symbol.asyncDispose]();
    await using second = await startServer([
      ...args,
      "--port",
      String(first.port),
    ]);
    await using mallory = await startMember("mallory", second.port, {
      wait: false,
    });
    await mallory.waitFor(/banned/i, 10_000, true);
    await using cat = await startMember("cat", second.port);
    await cat.waitFor("Message of the day: be kind");
  });
});

for (
  const [how, stop] of [
    [
      "/shutdown --restart",
      (server: Proc) => server.type("/shutdown --restart maintenance"),
    ],
    ["SIGTERM under --state", (server: Proc) => server.kill("SIGTERM")],
  ] as const
) {
  Deno.test(`${how} lets members wait and resume on the restarted server: no leave or join, nothing twice`, async () => {
    await inStateDir(async (state) => {
      const args = ["--state", state];
      const first = await startServer(args);
      await using ann = await startMember("ann", first.port);
      await using ben = await startMember("ben", first.port);
      await ann.waitFor("ben joined");
      await ann.type("before");
      await ben.waitFor("ann: before");
      await stop(first);
      for (const member of [ann, ben]) {
        await member.waitFor(/^Server is restarting: .+; waiting…$/);
      }
      assert.equal((await first.status()).code, 0);
      await first[Symbol.asyncDispose]();
      await ann.type("while down");
      await using _second = await startServer([
        ...args,
        "--port",
        String(first.port),
      ]);
      await ann.waitFor(/^Reconnected as ann/, 15_000);
      await ben.waitFor(/^Reconnected as ben/, 15_000);
      await ben.waitFor("ann: while down", 10_000);
      await ben.type("after");
      await ann.waitFor("ben: after", 10_000);
      if (how.startsWith("/shutdown")) {
        assert.equal(
          ann.count("Server is restarting: maintenance; waiting…"),
          1,
        );
      }
      for (const member of [ann, ben]) {
        const all = member.lines.join("\n");
        assert.equal(member.count(/ left$| timed out$|^The server/), 0, all);
        assert.equal(member.count(/^Server not responding/), 0, all);
        assert.equal(member.count(/^Server is restarting/), 1, all);
      }
      assert.equal(ben.count("ann: before"), 1);
      assert.equal(ben.count("ann: while down"), 1);
      assert.equal(ann.count("ben: after"), 1);
      assert.equal(ann.count("ben joined"), 1);
      assert.equal(ben.count(/joined$/), 0);
      assert.deepEqual([...ann.errors, ...ben.errors], []);
    });
  });
}
