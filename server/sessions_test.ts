/**
 * Unit tests of the session table's work queue: every session with work is
 * visited in turn, once per round, and a forgotten one never again.
 */

import assert from "node:assert/strict";
import { TokenBucket } from "../protocol/bucket.ts";
import { Link } from "../protocol/link.ts";
import { decodePacket } from "../protocol/packet.ts";
import { type Session, Sessions } from "./sessions.ts";

const NOW = 1_000;

function session(id: number): Session {
  const token = new Uint8Array(16).fill(id);
  return {
    id,
    token,
    name: `m${id}`,
    link: new Link(id, token, NOW),
    address: { hostname: "127.0.0.1", port: 40_000 + id },
    addressKey: `127.0.0.1:${40_000 + id}`,
    bucket: new TokenBucket(10, 5, NOW),
    throttled: [],
  };
}

/** Session ids of the datagrams polled until nothing is left (at most `max`). */
function drain(sessions: Sessions, max = 100): number[] {
  const ids: number[] = [];
  const into = new Uint8Array(1200);
  for (let i = 0; i < max; i++) {
    const out = sessions.poll(into, NOW);
    if (out === undefined) break;
    const packet = decodePacket(out.bytes);
    assert.ok(packet.type === "session");
    ids.push(packet.sessionId);
  }
  return ids;
}

/** A session with `frames` messages of 1,000 bytes queued (one datagram each). */
function busy(id: number, frames: number): Session {
  const s = session(id);
  for (let i = 0; i < frames; i++) s.link.send(new Uint8Array(1000));
  return s;
}

Deno.test({
  name:
    "Sessions.poll visits sessions with work round-robin, one datagram each",
  permissions: "none",
  fn() {
    const sessions = new Sessions();
    const all = [busy(1, 3), busy(2, 1), busy(3, 2)];
    for (const s of all) {
      sessions.add(s);
      sessions.touch(s);
      sessions.touch(s); // Touching twice queues once.
    }
    assert.deepEqual(drain(sessions), [1, 2, 3, 1, 3, 1]);
    assert.deepEqual(drain(sessions), []);
  },
});

Deno.test({
  name: "Sessions.poll skips a forgotten session and one without an address",
  permissions: "none",
  fn() {
    const sessions = new Sessions();
    const [a, b, c] = [busy(1, 2), busy(2, 2), busy(3, 1)];
    for (const s of [a, b, c]) {
      sessions.add(s);
      sessions.touch(s);
    }
    sessions.forget(b);
    const away = busy(4, 1);
    delete away.address;
    sessions.add(away);
    sessions.touch(away);
    assert.deepEqual(drain(sessions), [1, 3, 1]);
    // Forgotten, then touched again by mistake: still never polled.
    sessions.touch(b);
    assert.deepEqual(drain(sessions), []);
  },
});

Deno.test({
  name: "Sessions.poll keeps serving one session over thousands of rounds",
  permissions: "none",
  fn() {
    const sessions = new Sessions();
    const s = busy(1, 5000);
    sessions.add(s);
    sessions.touch(s);
    let sent = 0;
    const into = new Uint8Array(1200);
    // Acknowledge as it goes, so the window never closes.
    while (sessions.poll(into, NOW) !== undefined) {
      sent++;
      const { channel } = s.link;
      channel.onAck({
        next: (channel.peerNext + channel.unacked) >>> 0,
        ranges: [],
      }, NOW);
      if (channel.queued > 0) sessions.touch(s);
    }
    assert.equal(sent, 5000);
    assert.equal(s.link.channel.queued, 0);
  },
});
