/**
 * Unit tests of the server core driven by real client cores over an
 * in-memory network with a fake clock: handshake, chat, loss, timeouts,
 * leaving, roaming, forged tokens, restart from a journal, slow members.
 */

import assert from "node:assert/strict";
import { encodeRequest } from "../protocol/events.ts";
import { split } from "../protocol/fragment.ts";
import { MAX_FRAME_BODY, PacketType } from "../protocol/packet.ts";
import { decodePacket } from "../protocol/packet_decode.ts";
import { encodeSession } from "../protocol/packet_encode.ts";
import { Net, type Peer, STEP_MS } from "../tests/_loopback.ts";
import type { ServerOptions } from "./core.ts";
import { FakeJournal, journaled } from "../tests/_journal.ts";

function whoAddress(net: Net, name: string): string | undefined {
  return net.server.chat.who(net.now).entries.find((m) => m.name === name)
    ?.address;
}

Deno.test({
  name: "ServerCore admits a member after a COOKIE round trip",
  permissions: "none",
  fn() {
    const net = new Net();
    const [alice, bob] = net.join(["alice", "bob"]);
    const handshake = net.trace
      .filter((w) => w.peer === bob && w.type !== PacketType.session)
      .map((w) => decodePacket(w.bytes));
    const types = handshake.map((p) => p.type);
    assert.deepEqual(types, ["join", "cookie", "join", "welcome"]);
    const [first, cookie, second] = handshake;
    assert.ok(first?.type === "join" && first.cookie.every((b) => b === 0));
    assert.ok(cookie?.type === "cookie" && second?.type === "join");
    assert.deepEqual(second.cookie, cookie.cookie);
    assert.deepEqual(bob!.of("welcome"), [
      { type: "welcome", name: "bob", how: "joined" },
    ]);
    assert.deepEqual(bob!.events("members")[0]?.names, ["alice", "bob"]);
    assert.deepEqual(alice!.events("joined").map((e) => e.name), ["bob"]);
    assert.equal(net.server.memberCount, 2);
  },
});

Deno.test({
  name: "ServerCore refuses a taken name and admits the member under another",
  permissions: "none",
  fn() {
    const net = new Net();
    const [alice] = net.join(["alice"]);
    const bob = net.add("Alice", {}, "bob");
    net.until(() => bob.of("refused").length > 0, 2000);
    assert.equal(bob.of("refused")[0]?.code, 2);
    assert.equal(bob.core.state, "idle");
    bob.core.join("bob", net.now);
    net.until(() => bob.of("welcome").length > 0, 2000);
    net.run(net.now + 200);
    assert.deepEqual(bob.of("welcome"), [
      { type: "welcome", name: "bob", how: "joined" },
    ]);
    assert.deepEqual(alice!.events("joined").map((e) => e.name), ["bob"]);
    assert.equal(net.server.memberCount, 2);
  },
});

Deno.test({
  name:
    "ServerCore answers a JOIN repeated after a lost WELCOME with the same session",
  permissions: "none",
  fn() {
    const net = new Net();
    const [alice] = net.join(["alice"]);
    let dropped = 0;
    net.drop = (w) =>
      w.peer.label === "bob" && w.type === PacketType.welcome &&
      dropped++ === 0;
    const bob = net.add("bob");
    net.until(() => bob.of("welcome").length > 0, 3000);
    net.run(net.now + 500);
    const welcomes = net.trace
      .filter((w) => w.peer === bob && w.type === PacketType.welcome)
      .map((w) => decodePacket(w.bytes));
    assert.equal(welcomes.length, 2);
    assert.deepEqual(welcomes[0], welcomes[1]);
    assert.equal(bob.of("welcome").length, 1);
    assert.deepEqual(alice!.events("joined").map((e) => e.name), ["bob"]);
    assert.equal(net.server.memberCount, 2);
  },
});

Deno.test({
  name: "ServerCore delivers chat to every other member once, in order, acked",
  permissions: "none",
  fn() {
    const net = new Net();
    const [alice, bob, carol] = net.join(["alice", "bob", "carol"]);
    for (const text of ["a1", "a2", "a3"]) alice!.core.say(text, net.now);
    bob!.core.say("b1", net.now);
    net.run(net.now + 20);
    alice!.core.say("a4", net.now);
    bob!.core.say("b2", net.now);
    net.run(net.now + 1000);
    for (const peer of [bob!, carol!]) {
      assert.deepEqual(peer.chats("alice"), ["a1", "a2", "a3", "a4"]);
    }
    for (const peer of [alice!, carol!]) {
      assert.deepEqual(peer.chats("bob"), ["b1", "b2"]);
    }
    assert.deepEqual(alice!.chats("alice"), []);
    assert.deepEqual(carol!.chats("carol"), []);
    const idOf = (peer: Peer, text: string) =>
      peer.events("chat").find((e) => e.text === text)?.id;
    assert.equal(idOf(bob!, "a4"), idOf(carol!, "a4"));
    assert.equal(idOf(alice!, "b2"), idOf(carol!, "b2"));
    for (const peer of [alice!, bob!, carol!]) peer.assertIncreasingIds();
    assert.deepEqual(alice!.settled(), ["a1", "a2", "a3", "a4"]);
    assert.ok(alice!.of("delivered").every((n) => n.from === "alice"));
  },
});

/**
 * alice, bob and carol send 200 numbered lines in all over a link that
 * loses 30% both ways (and duplicates and reorders); returns what each sent.
 */
function lossyChat(options: ServerOptions) {
  const net = new Net(options, 7);
  const peers = net.join(["alice", "bob", "carol"]);
  net.up = net.down = { loss: 0.3, duplicate: 0.05, jitterMs: 40 };
  const sent = peers.map((p, i) =>
    Array.from({ length: i < 2 ? 67 : 66 }, (_, n) => `${p.label} ${n}`)
  );
  for (let n = 0; n < 67; n++) {
    peers.forEach((p, i) => {
      if (sent[i]![n] !== undefined) p.core.say(sent[i]![n]!, net.now);
    });
    net.run(net.now + 30);
  }
  const complete = () =>
    peers.every((p, i) => p.of("delivered").length === sent[i]!.length);
  net.until(complete, 60_000);
  net.run(net.now + 3000);
  assert.ok(net.lost > 100, `only ${net.lost} datagrams lost`);
  return { net, peers, sent };
}

function assertExactlyOnce(peers: Peer[], sent: string[][]): void {
  peers.forEach((to, j) => {
    peers.forEach((from, i) => {
      if (to !== from) assert.deepEqual(to.chats(from.label), sent[i]);
    });
    to.assertIncreasingIds();
    assert.deepEqual(to.settled(), sent[j]);
    assert.deepEqual(to.events("notice"), []);
    assert.deepEqual(to.events("left"), []);
  });
}

Deno.test({
  name:
    "ServerCore delivers 200 messages exactly once in order through 30% loss",
  permissions: "none",
  fn() {
    const { net, peers, sent } = lossyChat({ rate: 0 });
    assertExactlyOnce(peers, sent);
    assert.equal(net.server.memberCount, 3);
  },
});

Deno.test({
  name:
    "ServerCore flood control delays, never drops, paced lines that loss bunched up",
  permissions: "none",
  fn() {
    // Default limits (5 a second, burst 10): the client paces its sends, but
    // lines held behind a lost frame reach the server all at once.
    const { net, peers, sent } = lossyChat({});
    assert.equal(net.server.stats.drops.get("over the rate"), undefined);
    assertExactlyOnce(peers, sent);
  },
});

Deno.test({
  name: "ServerCore removes a silent member after timeoutMs and frees its name",
  permissions: "none",
  fn() {
    const net = new Net({ timeoutMs: 2000 });
    const [alice, bob] = net.join(["alice", "bob"]);
    net.run(net.now + 300);
    bob!.up = false;
    const bob_ = [...net.server.native.sessions.values()].find((s) =>
      net.server.chat.nameOf(s.id) === "bob"
    )!;
    const heardAt = bob_.link.lastHeard;
    net.run(heardAt + 2000 - STEP_MS);
    assert.equal(net.server.memberCount, 2);
    net.run(heardAt + 2000 + 2 * STEP_MS);
    assert.equal(net.server.memberCount, 1);
    net.run(net.now + 100);
    assert.deepEqual(alice!.departures(), [["bob", "timeout"]]);
    const again = net.add("bob", {}, "bob again");
    net.until(() => again.of("welcome").length > 0, 2000);
    assert.deepEqual(again.of("welcome")[0]?.how, "joined");
    net.run(net.now + 100);
    assert.deepEqual(alice!.events("joined").map((e) => e.name), [
      "bob",
      "bob",
    ]);
  },
});

Deno.test({
  name: "ServerCore says goodbye to a leaver and forgets acked sessions",
  permissions: "none",
  fn() {
    const net = new Net();
    const [alice, bob] = net.join(["alice", "bob"]);
    bob!.core.say("bye all", net.now);
    bob!.core.leave(net.now);
    net.run(net.now + 300);
    assert.deepEqual(alice!.chats("bob"), ["bye all"]);
    assert.deepEqual(bob!.settled(), ["bye all", "leave"]);
    assert.deepEqual(bob!.events("goodbye"), [
      { kind: "goodbye", why: "left", reason: "" },
    ]);
    assert.deepEqual(bob!.of("ended"), [
      { type: "ended", why: "left", reason: "" },
    ]);
    const kinds = alice!.events().slice(-2).map((e) => e.kind);
    assert.deepEqual(kinds, ["chat", "left"]);
    assert.deepEqual(alice!.departures(), [["bob", "left"]]);
    assert.equal(net.server.memberCount, 1);
    // The goodbye was acked: a later datagram of the session is unknown.
    const last = bob!.sent.findLast((b) => b[3] === PacketType.session)!;
    net.server.receive(last, bob!.address, net.now);
    assert.equal(net.server.stats.drops.get("unknown session"), 1);
    net.server.shutdown("maintenance", net.now);
    assert.equal(net.server.drained, false);
    net.run(net.now + 500); // Well within the 3 s linger: the acks did it.
    assert.equal(net.server.drained, true);
    assert.deepEqual(alice!.of("ended"), [
      { type: "ended", why: "closing", reason: "maintenance" },
    ]);
  },
});

Deno.test({
  name: "ServerCore follows a roaming member but not a replayed old datagram",
  permissions: "none",
  fn() {
    const net = new Net();
    const [alice, bob] = net.join(["alice", "bob"]);
    bob!.core.say("before", net.now);
    net.run(net.now + 300);
    const old = bob!.sent.findLast((b) => b[3] === PacketType.session)!;
    bob!.address = { hostname: "10.0.0.99", port: 5555 };
    bob!.core.say("after", net.now);
    net.run(net.now + 300);
    assert.equal(whoAddress(net, "bob"), "10.0.0.99:5555");
    const stranger = { hostname: "10.0.0.77", port: 7777 };
    net.server.receive(old, stranger, net.now);
    const stale = net.server.stats.drops.get("stale packet from new address");
    assert.equal(stale, 1);
    assert.equal(whoAddress(net, "bob"), "10.0.0.99:5555");
    bob!.core.say("still here", net.now);
    net.run(net.now + 300);
    const all = ["before", "after", "still here"];
    assert.deepEqual(alice!.chats("bob"), all);
    assert.deepEqual(bob!.settled(), all);
    assert.equal(net.server.memberCount, 2);
  },
});

Deno.test({
  name: "ServerCore drops a SESSION datagram with a wrong token",
  permissions: "none",
  fn() {
    const net = new Net();
    const [alice, bob] = net.join(["alice", "bob"]);
    net.run(net.now + 300);
    bob!.up = false;
    bob!.core.say("hello", net.now);
    net.run(net.now + STEP_MS);
    const genuine = decodePacket(bob!.sent.at(-1)!);
    assert.ok(genuine.type === "session");
    const seq = genuine.frames.find((f) => f.type === "data")!.seq;
    const say = encodeRequest({ kind: "say", text: "forged" });
    const body = split(say, MAX_FRAME_BODY)[0]!;
    const forged = encodeSession(new Uint8Array(1200), {
      ...genuine,
      token: genuine.token.map((b) => b ^ 0xff),
      pn: genuine.pn + 1000,
      frames: [{ type: "data", seq, body }],
    }).slice();
    const before = whoAddress(net, "bob");
    net.server.receive(forged, { hostname: "10.6.6.6", port: 666 }, net.now);
    assert.equal(net.server.stats.drops.get("bad token"), 1);
    assert.equal(whoAddress(net, "bob"), before);
    bob!.up = true;
    net.run(net.now + 1000);
    assert.deepEqual(alice!.chats("bob"), ["hello"]);
    assert.equal(net.server.memberCount, 2);
  },
});

/**
 * ann, ben and cat chat; the server dies with ann's "a2" processed but not
 * acked, ann's "a3" and "a4" never received, and ben behind by two events;
 * a server restarted from the journal takes over; cat never comes back.
 */
function restartedRoom() {
  const journal = new FakeJournal();
  const net = new Net();
  net.server = journaled(journal, 0);
  const [ann, ben, cat] = net.join(["ann", "ben", "cat"]);
  ann!.core.say("a1", net.now);
  net.run(net.now + 300);
  ann!.down = false;
  ann!.core.say("a2", net.now);
  net.run(net.now + 300);
  ben!.down = false;
  net.server.admin("x1", net.now);
  cat!.core.say("c1", net.now);
  net.run(net.now + 300);
  ann!.up = false;
  ann!.core.say("a3", net.now);
  ann!.core.say("a4", net.now);
  net.run(net.now + 300);
  assert.deepEqual(ann!.settled(), ["a1"]);
  assert.deepEqual(ben!.chats("ann"), ["a1", "a2"]);
  assert.deepEqual(cat!.chats("ann"), ["a1", "a2"]);
  const restartedAt = net.now;
  cat!.up = cat!.down = false;
  net.server = journaled(new FakeJournal(), restartedAt, journal.text);
  const marks = [ann!.notices.length, ben!.notices.length];
  ann!.up = ann!.down = ben!.down = true;
  net.until(
    () => [ann!, ben!].every((p) => p.of("welcome").length === 2),
    5000,
  );
  net.run(net.now + 1000);
  return { net, ann: ann!, ben: ben!, restartedAt, marks };
}

Deno.test({
  name: "ServerCore restarted from a journal resumes members where they were",
  permissions: "none",
  fn() {
    const { net, ann, ben, restartedAt, marks } = restartedRoom();
    for (const peer of [ann, ben]) {
      assert.deepEqual(peer.of("welcome").at(-1), {
        type: "welcome",
        name: peer.label,
        how: "resumed",
      });
      peer.assertIncreasingIds();
    }
    assert.deepEqual(ben.chats("ann"), ["a1", "a2", "a3", "a4"]);
    assert.deepEqual(ben.chats("cat"), ["c1"]);
    assert.deepEqual(ben.events("admin").map((e) => e.text), ["x1"]);
    assert.deepEqual(ann.settled(), ["a1", "a2", "a3", "a4"]);
    assert.deepEqual(ann.settled("undelivered"), []);
    const noise = (peer: Peer, mark: number) =>
      peer.notices.slice(mark).filter((n) =>
        n.type === "event" && ["joined", "left"].includes(n.event.kind)
      );
    assert.deepEqual(noise(ann, marks[0]!), []);
    assert.deepEqual(noise(ben, marks[1]!), []);
    assert.equal(net.server.memberCount, 3);
    // cat never comes back: removed once the restarted server's timeout ran.
    net.run(restartedAt + 3000 - STEP_MS);
    assert.equal(net.server.memberCount, 3);
    net.run(restartedAt + 3000 + 100);
    assert.equal(net.server.memberCount, 2);
    assert.deepEqual(ann.departures(), [["cat", "timeout"]]);
    assert.deepEqual(ben.departures(), [["cat", "timeout"]]);
  },
});

Deno.test({
  name:
    "ServerCore resuming a member does not replay that member's own events to it",
  permissions: "none",
  fn() {
    const { ann } = restartedRoom();
    // ann missed only the admin line "x1" and cat's "c1"; its own lines "a1"
    // and "a2" (after the last event it saw) must not come back to it.
    assert.deepEqual(ann.chats("cat"), ["c1"]);
    assert.deepEqual(ann.events("admin").map((e) => e.text), ["x1"]);
    assert.deepEqual(ann.chats("ann"), []);
  },
});

Deno.test({
  name:
    "ServerCore restarted from a journal does not move a session for a datagram recorded before the restart",
  permissions: "none",
  fn() {
    const journal = new FakeJournal();
    const net = new Net();
    net.server = journaled(journal, 0);
    const [ann, ben] = net.join(["ann", "ben"]);
    for (let i = 0; i < 20; i++) {
      ann!.core.say(`a${i}`, net.now);
      net.run(net.now + 100);
    }
    const recorded = ann!.sent.at(-1)!.slice();
    assert.equal(decodePacket(recorded).type, "session");
    net.server = journaled(new FakeJournal(), net.now, journal.text);
    net.until(
      () => [ann!, ben!].every((p) => p.of("welcome").length === 2),
      5000,
    );
    net.run(net.now + 1000);
    const before = whoAddress(net, "ann");
    net.server.receive(recorded, { hostname: "10.6.6.6", port: 666 }, net.now);
    assert.equal(whoAddress(net, "ann"), before);
    assert.equal(
      net.server.stats.drops.get("stale packet from new address"),
      1,
    );
    ann!.core.say("still here", net.now);
    net.run(net.now + 1000);
    assert.deepEqual(ben!.chats("ann").at(-1), "still here");
  },
});

Deno.test({
  name:
    "ServerCore resumed session does not move for a datagram of its link before the resume",
  permissions: "none",
  fn() {
    const net = new Net();
    const [ann, ben] = net.join(["ann", "ben"]);
    for (let i = 0; i < 20; i++) {
      ann!.core.say(`a${i}`, net.now);
      net.run(net.now + 100);
    }
    const recorded = ann!.sent.at(-1)!.slice();
    // The server forgets ann's link for long enough that ann resumes.
    ann!.down = false;
    ann!.core.say("unheard acks", net.now);
    net.until(() => ann!.core.state === "joining", 60_000);
    ann!.down = true;
    net.until(() => ann!.of("welcome").length === 2, 5000);
    net.run(net.now + 1000);
    assert.equal(ann!.of("welcome").at(-1)?.how, "resumed");
    const before = whoAddress(net, "ann");
    net.server.receive(recorded, { hostname: "10.6.6.6", port: 666 }, net.now);
    assert.equal(whoAddress(net, "ann"), before);
    ann!.core.say("still here", net.now);
    net.run(net.now + 1000);
    assert.deepEqual(ben!.chats("ann").at(-1), "still here");
  },
});

Deno.test({
  name: "ServerCore warns a member that never acks, then drops it as slow",
  permissions: "none",
  fn() {
    const net = new Net({ maxBacklog: 64, rate: 0 });
    const [alice, bob, slow] = net.join(["alice", "bob", "slow"]);
    slow!.up = false;
    for (let n = 0; n < 100; n++) {
      (n % 2 ? alice! : bob!).core.say(`m${n}`, net.now);
      net.run(net.now + 10);
    }
    net.run(net.now + 1000);
    const notices = slow!.events("notice").map((e) => e.text);
    assert.equal(notices.length, 1);
    assert.match(notices[0]!, /falling behind/);
    assert.deepEqual(slow!.events("goodbye").map((e) => e.why), ["slow"]);
    assert.equal(slow!.of("ended")[0]?.why, "slow");
    const received = slow!.events("chat").length;
    assert.ok(received > 32 && received <= 65, `slow got ${received}`);
    assert.deepEqual(alice!.departures(), [["slow", "slow"]]);
    assert.deepEqual(bob!.departures(), [["slow", "slow"]]);
    const numbered = (odd: number) =>
      Array.from({ length: 50 }, (_, i) => `m${2 * i + odd}`);
    assert.deepEqual(alice!.chats("bob"), numbered(0));
    assert.deepEqual(bob!.chats("alice"), numbered(1));
    assert.equal(net.server.memberCount, 2);
  },
});

Deno.test({
  name:
    "ServerCore restored from a journal where two sessions hold one name keeps one: the other cannot resume into a room that does not know it",
  permissions: "none",
  fn() {
    // ann renamed herself (not journaled) and another member took "ann".
    const journal = new FakeJournal();
    journal.member(1, new Uint8Array(16).fill(1), "ann");
    journal.member(2, new Uint8Array(16).fill(2), "ann");
    journal.flush();
    const server = journaled(new FakeJournal(), 1_000, journal.text);
    assert.equal(server.memberCount, 1);
    assert.equal(server.native.sessions.size, 1);
    assert.equal(server.chat.count(), 1);
  },
});
