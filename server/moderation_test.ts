import assert from "node:assert/strict";
import { Net } from "../tests/_loopback.ts";
import { FakeJournal, journaled } from "../tests/_journal.ts";
import type { ServerCore } from "./core.ts";
import { replay } from "./journal.ts";
import { moderationOf, restoreModeration } from "./moderation.ts";

const MINUTE = 60_000;

/**
 * A room whose host banned, muted and set the message of the day, where
 * ann went away and ben renamed himself; then the server dies and one
 * started from its journal at `restartAt` (ms after the deaths) takes over.
 */
function restartedRoom(restartAfter: number, options = {}) {
  const journal = new FakeJournal();
  const net = new Net();
  net.server = journaled(journal, 0, "", { motd: "first" });
  const [ann, ben] = net.join(["ann", "ben"]);
  const { chat } = net.server;
  chat.bans.ban("mallory", undefined, Infinity);
  chat.bans.ban("trudy", "10.9.9.9", net.now + 10 * MINUTE);
  chat.bans.ban(undefined, "10.8.8.8", net.now + 2 * MINUTE);
  chat.room.motd = "be kind";
  ann!.core.send({ kind: "away", reason: "lunch" }, net.now);
  ben!.core.send({ kind: "nick", name: "benny" }, net.now);
  net.run(net.now + 500);
  // Muted after the rename: the mute follows the member's new name.
  assert.ok(chat.mutes.mute("benny", net.now + 5 * MINUTE, "", net.now));
  chat.mutes.mute("ann", net.now + MINUTE, "", net.now);
  net.run(net.now + 100);
  const at = net.now + restartAfter;
  net.now = at;
  net.server = journaled(new FakeJournal(), at, journal.text, options);
  return { net, journal, ann: ann!, ben: ben!, at };
}

function refusal(server: ServerCore, name: string, host: string, now: number) {
  return server.chat.bans.refusal(name, host, now);
}

Deno.test({
  name:
    "ServerCore restarted from a journal keeps bans, mutes, the message of the day, away messages and new names",
  permissions: "none",
  fn() {
    const { net, ann, ben, at } = restartedRoom(1000);
    const { chat } = net.server;
    assert.ok(refusal(net.server, "Mallory", "10.1.1.1", at));
    assert.ok(refusal(net.server, "trudy", "10.1.1.1", at));
    assert.ok(refusal(net.server, "anyone", "10.9.9.9", at));
    assert.ok(refusal(net.server, "anyone", "10.8.8.8", at));
    assert.equal(refusal(net.server, "carol", "10.1.1.1", at), undefined);
    assert.equal(chat.room.motd, "be kind");
    net.until(
      () => [ann, ben].every((p) => p.of("welcome").length === 2),
      5000,
    );
    assert.equal(ben.of("welcome").at(-1)?.name, "benny");
    assert.equal(ben.of("welcome").at(-1)?.how, "resumed");
    const benny = chat.room.find("benny")!;
    assert.ok(chat.room.mutedUntil(benny.id) > net.now);
    assert.equal(chat.room.find("ben"), undefined);
    assert.equal(chat.room.find("ann")?.away, "lunch");
    // The mute holds: benny's line comes back as not delivered.
    ben.core.say("let me speak", net.now);
    net.run(net.now + 500);
    assert.deepEqual(ben.settled("undelivered"), ["let me speak"]);
    assert.deepEqual(ann.chats("benny"), []);
  },
});

Deno.test({
  name:
    "ServerCore restarted from a journal after bans and mutes ran out keeps them expired, and the rest in force",
  permissions: "none",
  fn() {
    const { net, at } = restartedRoom(3 * MINUTE);
    const { chat } = net.server;
    assert.ok(refusal(net.server, "mallory", "10.1.1.1", at));
    assert.ok(refusal(net.server, "trudy", "10.1.1.1", at));
    assert.equal(refusal(net.server, "x", "10.8.8.8", at), undefined);
    const ann = chat.room.find("ann")!;
    const benny = chat.room.find("benny")!;
    assert.equal(chat.room.mutedUntil(ann.id) > at, false);
    assert.ok(chat.room.mutedUntil(benny.id) > at);
    const later = at + 10 * MINUTE;
    assert.equal(refusal(net.server, "trudy", "10.9.9.9", later), undefined);
    assert.deepEqual(moderationOf(chat, later).mutes, []);
  },
});

Deno.test({
  name:
    "ServerCore started with --motd from a journal shows the command line's message of the day",
  permissions: "none",
  fn() {
    const { net } = restartedRoom(1000, { motd: "new day" });
    assert.equal(net.server.chat.room.motd, "new day");
    assert.ok(refusal(net.server, "mallory", "10.1.1.1", net.now));
  },
});

Deno.test({
  name:
    "replay() takes the last moderation line, and a ban for good survives as one",
  permissions: "none",
  fn() {
    const { journal } = restartedRoom(1000);
    const state = replay(journal.text, 1024);
    const names = new Map(state.moderation!.bans.names);
    assert.equal(names.get("mallory"), Infinity);
    assert.equal(state.moderation!.motd, "be kind");
    assert.equal(state.members.find((m) => m.name === "ann")?.away, "lunch");
    assert.ok(state.members.some((m) => m.name === "benny"));
    const net = new Net();
    restoreModeration(net.server.chat, state.moderation!, false);
    assert.match(
      refusal(net.server, "mallory", "1.2.3.4", 1e15)!,
      /You are banned from this room$/,
    );
  },
});
