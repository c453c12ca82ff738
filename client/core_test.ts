/**
 * Unit tests of the client core against a real server core over an
 * in-memory network with a fake clock: refusals, queued lines, a lost and
 * found server, rejoining after removal, leaving, giving up.
 */

import assert from "node:assert/strict";
import { encodeEvent } from "../protocol/events.ts";
import { split } from "../protocol/fragment.ts";
import { MAX_FRAME_BODY, PacketType } from "../protocol/packet.ts";
import { encodeSession } from "../protocol/packet_encode.ts";
import { describe, Net, type Peer, STEP_MS } from "../tests/_loopback.ts";

/** The types of a member's notices after the first `skip`, events left out. */
function summary(peer: Peer, skip = 0): string[] {
  return peer.notices.slice(skip).flatMap((n) => {
    switch (n.type) {
      case "event":
        return [];
      case "welcome":
        return [`welcome ${n.how}`];
      case "status":
        return [`status ${n.status}`];
      case "ended":
        return [`ended ${n.why}`];
      case "delivered":
      case "undelivered":
        return [`${n.type} ${describe(n.request)}`];
      default:
        return [n.type];
    }
  });
}

Deno.test({
  name: "ClientCore reports a refused name and can join again under another",
  permissions: "none",
  fn() {
    const net = new Net();
    net.join(["alice"]);
    const bob = net.add("admin", {}, "bob");
    net.until(() => bob.core.state === "idle", 1000);
    bob.core.join("alice", net.now);
    net.until(() => bob.core.state === "idle", 1000);
    assert.throws(() => net.peers[0]!.core.join("x", net.now), TypeError);
    bob.core.join("bob", net.now);
    net.until(() => bob.core.state === "joined", 1000);
    assert.deepEqual(bob.of("refused").map((n) => n.code), [1, 2]);
    assert.deepEqual(bob.of("welcome"), [
      { type: "welcome", name: "bob", how: "joined" },
    ]);
  },
});

Deno.test({
  name: "ClientCore sends lines typed while joining once welcomed",
  permissions: "none",
  fn() {
    const net = new Net();
    const [alice] = net.join(["alice"]);
    const bob = net.add("bob");
    assert.equal(bob.core.say("early 1", net.now), undefined);
    assert.equal(bob.core.say("early 2", net.now), undefined);
    net.run(net.now + 500);
    assert.deepEqual(alice!.chats("bob"), ["early 1", "early 2"]);
    assert.deepEqual(summary(bob), [
      "welcome joined",
      "delivered early 1",
      "delivered early 2",
    ]);
  },
});

Deno.test({
  name: "ClientCore say() refuses invalid text and sends long text whole",
  permissions: "none",
  fn() {
    const net = new Net();
    const [alice, bob] = net.join(["alice", "bob"]);
    assert.equal(bob!.core.say("", net.now), "Message is empty");
    assert.match(bob!.core.say("a\0b", net.now)!, /NUL/);
    assert.match(bob!.core.say("x".repeat(16_385), net.now)!, /limit/);
    const long = "é".repeat(4 * MAX_FRAME_BODY); // Several frames.
    assert.equal(bob!.core.say(long, net.now), undefined);
    net.run(net.now + 500);
    assert.deepEqual(alice!.chats("bob"), [long]);
    assert.deepEqual(bob!.settled(), [long]);
  },
});

Deno.test({
  name: "ClientCore reports the server lost after lostAfterMs, then back",
  permissions: "none",
  fn() {
    const net = new Net({ timeoutMs: 5000 });
    const [alice, bob] = net.join(["alice", "bob"], { lostAfterMs: 1500 });
    net.run(net.now + 1500);
    bob!.up = bob!.down = false;
    const heardAt = bob!.core.link!.lastHeard;
    bob!.core.say("in the dark", net.now);
    net.run(heardAt + 1500);
    assert.deepEqual(bob!.of("status"), []);
    net.run(heardAt + 1500 + 2 * STEP_MS);
    assert.deepEqual(bob!.of("status").map((n) => n.status), ["lost"]);
    net.run(net.now + 1500);
    bob!.up = bob!.down = true;
    net.run(net.now + 500);
    assert.deepEqual(bob!.of("status").map((n) => n.status), ["lost", "back"]);
    net.run(net.now + 2000); // The line's retransmission timer backed off.
    assert.deepEqual(bob!.of("welcome").length, 1);
    assert.deepEqual(bob!.settled(), ["in the dark"]);
    assert.deepEqual(alice!.chats("bob"), ["in the dark"]);
    assert.deepEqual(alice!.events("left"), []);
  },
});

Deno.test({
  name:
    "ClientCore shows a rejoin's last 10 history lines and counts the rest; a first join shows them all",
  permissions: "none",
  fn() {
    const net = new Net({ timeoutMs: 2000 });
    const [alice, bob] = net.join(["alice", "bob"], { lostAfterMs: 1500 });
    for (let i = 1; i <= 15; i++) alice!.core.say(`line ${i}`, net.now);
    net.run(net.now + 500);
    bob!.up = bob!.down = false;
    net.run(net.now + 3000);
    const mark = bob!.notices.length;
    bob!.up = bob!.down = true;
    net.until(() => bob!.of("welcome").length === 2, 3000);
    net.run(net.now + 500);
    const after = bob!.notices.slice(mark);
    assert.deepEqual(after.filter((n) => n.type === "earlier"), [
      { type: "earlier", count: 5 },
    ]);
    const history = after.flatMap((n) =>
      n.type === "event" && n.event.kind === "history" &&
        n.event.event.kind === "chat"
        ? [n.event.event.text]
        : []
    );
    assert.deepEqual(
      history,
      Array.from({ length: 10 }, (_, i) => `line ${i + 6}`),
    );
    // The count comes before the lines it stands for.
    const earlier = after.findIndex((n) => n.type === "earlier");
    assert.ok(
      earlier <
        after.findIndex((n) =>
          n.type === "event" && n.event.kind === "history"
        ),
    );
    const carol = net.add("carol");
    net.until(() => carol.core.state === "joined", 1000);
    net.run(net.now + 500);
    assert.equal(carol.of("earlier").length, 0);
    assert.equal(carol.events("history").length, 15);
  },
});

Deno.test({
  name:
    "ClientCore rejoins when the server removed it; unacked lines are undelivered",
  permissions: "none",
  fn() {
    const net = new Net({ timeoutMs: 2000 });
    const [alice, bob] = net.join(["alice", "bob"], { lostAfterMs: 1500 });
    bob!.core.say("heard", net.now);
    net.run(net.now + 300);
    const mark = bob!.notices.length;
    bob!.up = bob!.down = false;
    bob!.core.say("unheard 1", net.now);
    bob!.core.say("unheard 2", net.now);
    net.run(net.now + 3000);
    assert.equal(net.server.memberCount, 1);
    bob!.up = bob!.down = true;
    net.until(() => bob!.of("welcome").length === 2, 3000);
    net.run(net.now + 500);
    assert.deepEqual(summary(bob!, mark), [
      "status lost",
      "undelivered unheard 1",
      "undelivered unheard 2",
      "welcome rejoined",
    ]);
    assert.deepEqual(alice!.chats("bob"), ["heard"]);
    assert.deepEqual(alice!.departures(), [["bob", "timeout"]]);
    assert.deepEqual(alice!.events("joined").map((e) => e.name), [
      "bob",
      "bob",
    ]);
    bob!.core.say("again", net.now);
    net.run(net.now + 300);
    assert.deepEqual(alice!.chats("bob"), ["heard", "again"]);
  },
});

Deno.test({
  name: "ClientCore coming back to a name taken meanwhile is refused",
  permissions: "none",
  fn() {
    const net = new Net({ timeoutMs: 2000 });
    const [, bob] = net.join(["alice", "bob"], { lostAfterMs: 1500 });
    bob!.up = bob!.down = false;
    bob!.core.say("unheard", net.now);
    net.run(net.now + 3000);
    const thief = net.add("BOB", {}, "thief");
    net.until(() => thief.core.state === "joined", 1000);
    bob!.up = bob!.down = true;
    net.until(() => bob!.core.state === "idle", 3000);
    assert.deepEqual(bob!.of("refused").map((n) => n.code), [2]);
    assert.deepEqual(bob!.settled("undelivered"), ["unheard"]);
  },
});

Deno.test({
  name:
    "ClientCore leave() ends with the server's goodbye, or after leaveTimeoutMs",
  permissions: "none",
  fn() {
    const net = new Net();
    const options = { leaveTimeoutMs: 1000 };
    const [alice, bob, carol] = net.join(["alice", "bob", "carol"], options);
    bob!.core.leave(net.now);
    assert.equal(bob!.core.state, "leaving");
    net.run(net.now + 200);
    assert.equal(bob!.core.state, "ended");
    assert.deepEqual(bob!.of("ended"), [
      { type: "ended", why: "left", reason: "" },
    ]);
    carol!.up = false;
    carol!.core.leave(net.now);
    net.run(net.now + 1000 - STEP_MS);
    assert.equal(carol!.core.state, "leaving");
    net.run(net.now + 2 * STEP_MS);
    assert.deepEqual(carol!.of("ended").map((n) => n.why), ["left"]);
    assert.equal(carol!.core.poll(new Uint8Array(2048), net.now), undefined);
    assert.deepEqual(alice!.departures(), [["bob", "left"]]);
  },
});

Deno.test({
  name: "ClientCore leaving while joining sends what was typed, then leaves",
  permissions: "none",
  fn() {
    const net = new Net();
    const [alice] = net.join(["alice"]);
    const bob = net.add("bob");
    bob.core.say("hello and bye", net.now);
    bob.core.leave(net.now, "see you");
    net.run(net.now + 500);
    assert.deepEqual(alice!.chats("bob"), ["hello and bye"]);
    // The reason survives the wait for the welcome (a pipe's /quit REASON).
    assert.deepEqual(
      alice!.events("left").map((e) => [e.name, e.reason]),
      [["bob", "see you"]],
    );
    assert.deepEqual(bob.of("ended").map((n) => n.why), ["left"]);
    assert.deepEqual(bob.settled(), ["hello and bye", "leave"]);
  },
});

Deno.test({
  name:
    "ClientCore leaving once the server answered the join waits for the welcome, then leaves",
  permissions: "none",
  fn() {
    const net = new Net();
    const [alice] = net.join(["alice"]);
    const bob = net.add("bob");
    // The server admits bob, but its WELCOME is late: bob leaves meanwhile.
    let late = true;
    net.drop = (wire) =>
      late && wire.peer === bob && wire.type === PacketType.welcome;
    net.until(
      () => alice!.events("joined").some((e) => e.name === "bob"),
      1000,
    );
    bob.core.leave(net.now);
    assert.equal(bob.core.state, "joining");
    late = false;
    net.run(net.now + 2000);
    assert.deepEqual(alice!.events("left").map((e) => e.name), ["bob"]);
    assert.deepEqual(bob.of("ended").map((n) => n.why), ["left"]);
  },
});

Deno.test({
  name: "ClientCore leaving before the server answered ends at once",
  permissions: "none",
  fn() {
    const net = new Net();
    const bob = net.add("bob");
    bob.up = false;
    net.run(net.now + 100);
    bob.core.leave(net.now);
    assert.equal(bob.core.state, "ended");
  },
});

Deno.test({
  name: "ClientCore gives up joining a silent server after joinTimeoutMs",
  permissions: "none",
  fn() {
    const net = new Net();
    const bob = net.add("bob", { joinTimeoutMs: 2000 });
    bob.up = false;
    bob.core.say("into the void", net.now);
    net.run(2000);
    assert.equal(bob.core.state, "joining");
    net.run(2000 + 2 * STEP_MS);
    assert.deepEqual(summary(bob), [
      "undelivered into the void",
      "ended unreachable",
    ]);
  },
});

Deno.test({
  name: "ClientCore leave() that times out reports unacked lines undelivered",
  permissions: "none",
  fn() {
    const net = new Net();
    const [, bob] = net.join(["alice", "bob"], { leaveTimeoutMs: 1000 });
    bob!.up = false;
    bob!.core.say("never sent", net.now);
    bob!.core.leave(net.now);
    net.run(net.now + 1100);
    assert.deepEqual(bob!.of("ended").map((n) => n.why), ["left"]);
    // Leaving while still joining reports them; leaving once joined must too.
    const lines = bob!.settled("undelivered").filter((t) => t !== "leave");
    assert.deepEqual(lines, ["never sent"]);
  },
});

Deno.test({
  name: "ClientCore ignores datagrams that are not for its session",
  permissions: "none",
  fn() {
    const net = new Net();
    const [alice, bob] = net.join(["alice", "bob"]);
    const link = bob!.core.link!;
    const chat = encodeEvent({
      kind: "chat",
      id: 999,
      time: 0,
      from: "alice",
      text: "forged",
    });
    const seq = link.channel.receiveNext;
    const body = split(chat, MAX_FRAME_BODY)[0]!;
    const forge = (sessionId: number, token: Uint8Array) =>
      encodeSession(new Uint8Array(1200), {
        sessionId,
        token,
        pn: 1_000_000,
        ack: { next: 0, ranges: [] },
        frames: [{ type: "data", seq, body }],
      }).slice();
    const core = bob!.core;
    core.receive(forge(link.sessionId, link.token.map((b) => ~b)), net.now);
    core.receive(forge(link.sessionId + 1, link.token), net.now);
    core.receive(new TextEncoder().encode("C alice hi"), net.now);
    core.receive(Uint8Array.of(0x55, 0x43, 1, PacketType.session, 0), net.now);
    core.receive(new Uint8Array(0), net.now);
    alice!.core.say("real", net.now);
    net.run(net.now + 300);
    assert.equal(core.state, "joined");
    assert.deepEqual(bob!.chats("alice"), ["real"]);
  },
});
