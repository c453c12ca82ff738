/**
 * A cluster server holds its members' acks until the room's store took
 * their requests (`Link.holdAcks`); a member that resumes meanwhile must
 * not have requests the server processed already carried out twice.
 */

import assert from "node:assert/strict";
import { Net } from "../tests/_loopback.ts";

Deno.test({
  name:
    "ServerCore holding acks does not carry out twice what a resuming member sends again",
  permissions: "none",
  fn() {
    // Nothing commits here: every ack stays held at the start.
    const net = new Net({
      cluster: { classicFirstId: 2 ** 32, webFirstId: 2 ** 52 },
    });
    const [ann, ben] = net.join(["ann", "ben"]);
    ann!.core.say("one", net.now);
    net.run(net.now + 500);
    assert.deepEqual(ben!.chats("ann"), ["one"]);
    // ann hears nothing for long enough that it resumes.
    ann!.down = false;
    ann!.core.say("two", net.now);
    net.until(() => ann!.core.state === "joining", 60_000);
    ann!.down = true;
    net.until(() => ann!.of("welcome").length === 2, 5000);
    assert.equal(ann!.of("welcome").at(-1)?.how, "resumed");
    net.run(net.now + 2000);
    assert.deepEqual(ben!.chats("ann"), ["one", "two"]);
    // Still not acknowledged: ann keeps both, unsettled.
    assert.deepEqual(ann!.settled(), []);
    ann!.core.say("three", net.now);
    net.run(net.now + 1000);
    assert.deepEqual(ben!.chats("ann"), ["one", "two", "three"]);
    // The store took everything: now it is acknowledged, once.
    for (const { link } of net.server.native.sessions.values()) {
      link.commit(link.completedNext, net.now);
    }
    net.run(net.now + 1000);
    assert.deepEqual(ann!.settled(), ["one", "two", "three"]);
    assert.deepEqual(ben!.chats("ann"), ["one", "two", "three"]);
  },
});
