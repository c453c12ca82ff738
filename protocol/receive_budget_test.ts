import { deepStrictEqual, ok, strictEqual, throws } from "node:assert/strict";
import { MAX_FRAME_BODY } from "./packet.ts";
import { ReceiveBudget } from "./receive_budget.ts";
import { ReliableChannel } from "./reliable.ts";

const OVERHEAD = 7;
const KIB_64 = 64 * 1024;

/** A full-size body that names its frame. */
function body(n: number): Uint8Array {
  const bytes = new Uint8Array(MAX_FRAME_BODY).fill(n & 0xff);
  new DataView(bytes.buffer).setUint32(0, n);
  return bytes;
}

/** Feed `receiver` frames from..to (inclusive) of full-size bodies. */
function feed(receiver: ReliableChannel, from: number, to: number): number {
  let delivered = 0;
  for (let seq = from; seq <= to; seq++) {
    delivered += receiver.receive(seq, body(seq), 0).length;
  }
  return delivered;
}

/**
 * Run `sender` to `receiver` on a fake clock until `count` bodies arrived
 * (the first try of frame 0 is lost); what arrived, and the most buffered.
 */
function exchange(sender: ReliableChannel, receiver: ReliableChannel) {
  const got: Uint8Array[] = [];
  let most = 0;
  let lostZero = false;
  for (let now = 0; now < 600_000 && !sender.failed; now += 5) {
    for (const f of sender.takeFrames(now, 1200, OVERHEAD)) {
      if (f.seq === 0 && !lostZero) {
        lostZero = true;
        continue;
      }
      got.push(...receiver.receive(f.seq, f.body.slice(), now));
      most = Math.max(most, receiver.bufferedBytes);
    }
    if (receiver.ackDue(now)) {
      sender.onAck(receiver.ackState(), now);
      receiver.ackSent(now);
    }
    if (sender.unacked === 0 && sender.queued === 0) break;
  }
  return { got, most };
}

Deno.test({
  name:
    "ReliableChannel.receive() buffers at most 64 KiB of frames 1..1023 sent without frame 0, then takes frame 0 and moves on",
  permissions: "none",
  fn() {
    const receiver = new ReliableChannel();
    strictEqual(feed(receiver, 1, 1023), 0);
    ok(receiver.bufferedBytes > 0);
    ok(receiver.bufferedBytes <= KIB_64, `${receiver.bufferedBytes} bytes`);
    // What did not fit was dropped and is not acknowledged.
    const { next, ranges } = receiver.ackState();
    strictEqual(next, 0);
    strictEqual(ranges.length, 1);
    const [[start, end]] = ranges as [[number, number]];
    strictEqual(start, 1);
    ok((end - 1) * (MAX_FRAME_BODY + 64) <= KIB_64, `acked up to ${end}`);
    const dropped = receiver.stats().dropped;
    strictEqual(dropped, 1023 - (end - 1));
    // Frame 0 releases the buffered run, in order.
    const out = receiver.receive(0, body(0), 1);
    deepStrictEqual(out, Array.from({ length: end }, (_, n) => body(n)));
    strictEqual(receiver.bufferedBytes, 0);
    strictEqual(receiver.receiveNext, end);
  },
});

Deno.test({
  name:
    "ReliableChannel delivers 1,024 frames exactly once in order through a 64 KiB receive buffer when frame 0 is lost",
  permissions: "none",
  fn() {
    const sender = new ReliableChannel({ window: 1024 });
    for (let n = 0; n < 1024; n++) sender.push(body(n));
    const receiver = new ReliableChannel();
    const { got, most } = exchange(sender, receiver);
    ok(!sender.failed);
    ok(most <= KIB_64, `buffered ${most} bytes at most`);
    strictEqual(got.length, 1024);
    deepStrictEqual(got, Array.from({ length: 1024 }, (_, n) => body(n)));
    strictEqual(receiver.bufferedBytes, 0);
  },
});

Deno.test({
  name:
    "ReliableChannel with receiveBufferBytes 0 buffers nothing and still delivers everything in order",
  permissions: "none",
  fn() {
    const sender = new ReliableChannel();
    for (let n = 0; n < 64; n++) sender.push(body(n));
    const receiver = new ReliableChannel({ receiveBufferBytes: 0 });
    const { got, most } = exchange(sender, receiver);
    strictEqual(most, 0);
    deepStrictEqual(got, Array.from({ length: 64 }, (_, n) => body(n)));
  },
});

Deno.test({
  name:
    "ReceiveBudget caps what channels sharing it buffer together; release() gives a channel's bytes back",
  permissions: "none",
  fn() {
    const budget = new ReceiveBudget(100 * 1024);
    const channels = [0, 1, 2].map(() => new ReliableChannel());
    for (const channel of channels) {
      channel.shareBudget(budget);
      feed(channel, 1, 1023);
    }
    const held = channels.map((c) => c.bufferedBytes);
    strictEqual(budget.usedBytes, held[0]! + held[1]! + held[2]!);
    ok(budget.usedBytes <= budget.limitBytes, `${budget.usedBytes} bytes`);
    ok(held[0]! > 0 && held[0]! <= KIB_64);
    ok(held[2] === 0, `the third channel got ${held[2]} bytes`);
    // Past the cap a channel still takes the frame it needs next.
    strictEqual(channels[2]!.receive(0, body(0), 0).length, 1);
    strictEqual(channels[2]!.receiveNext, 1);
    // A session that ends gives its share to the others.
    channels[0]!.release();
    strictEqual(channels[0]!.bufferedBytes, 0);
    strictEqual(budget.usedBytes, held[1]);
    feed(channels[2]!, 2, 1023);
    ok(channels[2]!.bufferedBytes > 0);
    strictEqual(budget.usedBytes, held[1]! + channels[2]!.bufferedBytes);
    // Draining in order gives back too.
    channels[1]!.receive(0, body(0), 0);
    channels[2]!.receive(1, body(1), 0);
    strictEqual(budget.usedBytes, 0);
  },
});

Deno.test({
  name: "ReceiveBudget() rejects a negative or fractional limit",
  permissions: "none",
  fn() {
    throws(() => new ReceiveBudget(-1), RangeError);
    throws(() => new ReceiveBudget(1.5), RangeError);
  },
});
