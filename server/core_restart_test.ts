import assert from "node:assert/strict";
import { Net, type Peer } from "../tests/_loopback.ts";
import { FakeJournal, journaled } from "../tests/_journal.ts";

/** ann and ben chat; the host restarts the server (`/shutdown --restart`). */
function restarting() {
  const journal = new FakeJournal();
  const net = new Net();
  net.server = journaled(journal, 0);
  const [ann, ben] = net.join(["ann", "ben"]) as [Peer, Peer];
  ann.core.say("before", net.now);
  net.run(net.now + 300);
  net.server.shutdown("maintenance", net.now, true);
  net.until(() => net.server.drained, 2000);
  // The server stops once drained: its journal is what it left.
  return { net, left: journal.text, ann, ben };
}

Deno.test({
  name:
    "ServerCore.shutdown(…, restart) tells members it is restarting and keeps their sessions in the journal",
  permissions: "none",
  fn() {
    const { left, ann, ben } = restarting();
    for (const peer of [ann, ben]) {
      assert.deepEqual(peer.events("restarting"), [
        { kind: "restarting", reason: "maintenance" },
      ]);
      assert.deepEqual(peer.events("goodbye"), []);
      assert.deepEqual(peer.of("ended"), []);
      assert.equal(peer.core.state, "joined");
    }
    assert.doesNotMatch(left, /"gone"/);
  },
});

Deno.test({
  name:
    "A member told the server is restarting waits without 'not responding', resumes, and nothing is lost, repeated or announced",
  permissions: "none",
  fn() {
    const { net, left, ann, ben } = restarting();
    const marks = [ann.notices.length, ben.notices.length];
    // The server is down for 5 s, longer than members wait before saying
    // it does not respond; ann speaks meanwhile.
    ann.up =
      ann.down =
      ben.up =
      ben.down =
        false;
    net.run(net.now + 100);
    ann.core.say("while down", net.now);
    net.run(net.now + 5000);
    net.server = journaled(new FakeJournal(), net.now, left);
    ann.up =
      ann.down =
      ben.up =
      ben.down =
        true;
    net.until(
      () => [ann, ben].every((p) => p.of("welcome").length === 2),
      5000,
    );
    ben.core.say("after", net.now);
    net.run(net.now + 1000);
    assert.deepEqual(ben.chats("ann"), ["before", "while down"]);
    assert.deepEqual(ann.chats("ben"), ["after"]);
    [ann, ben].forEach((peer, i) => {
      const since = peer.notices.slice(marks[i]);
      assert.deepEqual(
        // Neither "not responding" nor "back": "Reconnected as NAME" says it.
        since.filter((n) => n.type === "status").map((n) => n.status),
        [],
        peer.label,
      );
      assert.equal(peer.of("welcome").at(-1)?.how, "resumed");
      assert.deepEqual(
        since.flatMap((n) =>
          n.type === "event" && ["joined", "left"].includes(n.event.kind)
            ? [n.event.kind]
            : []
        ),
        [],
      );
      peer.assertIncreasingIds();
    });
    assert.deepEqual(ann.settled("undelivered"), []);
  },
});
