/**
 * Unit tests of the server's one send queue: every sender with work, native
 * sessions and classic members alike, is visited in turn, once per round,
 * and a forgotten one never again.
 */

import assert from "node:assert/strict";
import { Link } from "../protocol/link.ts";
import { isNative } from "../protocol/packet.ts";
import { decodePacket } from "../protocol/packet_decode.ts";
import { Session, Sessions } from "./sessions.ts";
import { Fifo, type Outgoing, type Sender, WorkQueue } from "./work.ts";

const NOW = 1_000;

/** A session with `frames` messages of 1,000 bytes queued (one datagram each). */
function busy(id: number, frames: number): Session {
  const token = new Uint8Array(16).fill(id);
  const s = new Session(id, token, new Link(id, token, NOW));
  s.address = { hostname: "127.0.0.1", port: 40_000 + id };
  s.addressKey = `127.0.0.1:${40_000 + id}`;
  for (let i = 0; i < frames; i++) s.link.send(new Uint8Array(1000));
  return s;
}

/** A sender of `lines` plain datagrams, each naming it: a classic member's shape. */
class Lines implements Sender {
  queued = false;
  active = true;
  #lines = new Fifo<Uint8Array>();
  constructor(readonly name: string, lines: number) {
    for (let i = 0; i < lines; i++) {
      this.#lines.push(new TextEncoder().encode(name));
    }
  }
  take(): Outgoing | undefined {
    const bytes = this.#lines.shift();
    return bytes && { bytes, to: { hostname: "127.0.0.1", port: 9 } };
  }
  wantsToSend(): boolean {
    return this.#lines.length > 0;
  }
}

/** Who sent each datagram polled until nothing is left (at most `max`). */
function drain(work: WorkQueue, max = 100): string[] {
  const who: string[] = [];
  const into = new Uint8Array(1200);
  for (let i = 0; i < max; i++) {
    const out = work.poll(into, NOW);
    if (out === undefined) break;
    if (!isNative(out.bytes)) {
      who.push(new TextDecoder().decode(out.bytes));
      continue;
    }
    const packet = decodePacket(out.bytes);
    assert.ok(packet.type === "session");
    who.push(String(packet.sessionId));
  }
  return who;
}

Deno.test({
  name:
    "WorkQueue.poll visits native and classic senders round-robin, one datagram each, no kind first",
  permissions: "none",
  fn() {
    const work = new WorkQueue();
    const all = [busy(1, 3), new Lines("c", 3), busy(2, 1), new Lines("d", 1)];
    for (const s of all) {
      work.touch(s);
      work.touch(s); // Touching twice queues once.
    }
    assert.deepEqual(drain(work), ["1", "c", "2", "d", "1", "c", "1", "c"]);
    assert.deepEqual(drain(work), []);
    assert.equal(work.empty, true);
  },
});

Deno.test({
  name: "WorkQueue.poll skips a forgotten session and one without an address",
  permissions: "none",
  fn() {
    const sessions = new Sessions();
    const work = new WorkQueue();
    const [a, b, c] = [busy(1, 2), busy(2, 2), busy(3, 1)];
    for (const s of [a, b, c]) {
      sessions.add(s);
      work.touch(s);
    }
    sessions.forget(b);
    const away = busy(4, 1);
    delete away.address;
    sessions.add(away);
    work.touch(away);
    assert.deepEqual(drain(work), ["1", "3", "1"]);
    // Forgotten, then touched again by mistake: still never polled.
    work.touch(b);
    assert.deepEqual(drain(work), []);
  },
});

Deno.test({
  name: "WorkQueue.poll keeps serving one session over thousands of rounds",
  permissions: "none",
  fn() {
    const work = new WorkQueue();
    const s = busy(1, 5000);
    work.touch(s);
    let sent = 0;
    const into = new Uint8Array(1200);
    // Acknowledge as it goes, so the window never closes.
    while (work.poll(into, NOW) !== undefined) {
      sent++;
      const { channel } = s.link;
      channel.onAck({
        next: (channel.peerNext + channel.unacked) >>> 0,
        ranges: [],
      }, NOW);
      if (channel.queued > 0) work.touch(s);
    }
    assert.equal(sent, 5000);
    assert.equal(s.link.channel.queued, 0);
  },
});

Deno.test({
  name: "Fifo keeps order across compaction",
  permissions: "none",
  fn() {
    const fifo = new Fifo<number>();
    for (let i = 0; i < 5000; i++) fifo.push(i);
    for (let i = 0; i < 3000; i++) assert.equal(fifo.shift(), i);
    for (let i = 5000; i < 6000; i++) fifo.push(i);
    assert.equal(fifo.length, 3000);
    for (let i = 3000; i < 6000; i++) assert.equal(fifo.shift(), i);
    assert.equal(fifo.shift(), undefined);
  },
});
