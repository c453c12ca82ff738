import { prng } from "../tests/_random.ts";
import {
  deepStrictEqual,
  fail,
  notStrictEqual,
  ok,
  strictEqual,
  throws,
} from "node:assert/strict";
import { ReliableChannel } from "./reliable.ts";
import { type AckState, MAX_ACK_RANGES } from "./reliable_receive.ts";
import { type OutFrame } from "./reliable_send.ts";

const OVERHEAD = 7;
const ROOMY = 1_000_000;
const NEAR_WRAP = 0xFFFF_FFF0;

/** A body that names its frame: u32 `n`, then a pattern. */
function body(n: number, length = 8): Uint8Array {
  const bytes = new Uint8Array(length);
  new DataView(bytes.buffer).setUint32(0, n);
  for (let i = 4; i < length; i++) bytes[i] = (n + i) & 0xff;
  return bytes;
}

function take(channel: ReliableChannel, now: number): number[] {
  return channel.takeFrames(now, ROOMY, OVERHEAD).map((f) => f.seq);
}

/** The frames takeFrames gives, copied (its objects are the channel's). */
function takeCopies(channel: ReliableChannel, now: number): OutFrame[] {
  return channel.takeFrames(now, ROOMY, OVERHEAD).map(({ seq, body }) => ({
    seq,
    body,
  }));
}

/** A channel with `count` frames pushed and sent at time 0. */
function sending(count: number, options = {}): ReliableChannel {
  const channel = new ReliableChannel(options);
  for (let i = 0; i < count; i++) channel.push(body(i));
  strictEqual(take(channel, 0).length, count);
  return channel;
}

Deno.test({
  name:
    "ReliableChannel.push() numbers frames from 0 and takeFrames() sends them in order",
  permissions: "none",
  fn() {
    const channel = new ReliableChannel();
    deepStrictEqual([
      channel.push(body(0)),
      channel.push(body(1)),
      channel.push(body(2)),
    ], [0, 1, 2]);
    strictEqual(channel.queued, 3);
    strictEqual(channel.hasDue(0), true);
    deepStrictEqual(takeCopies(channel, 0), [
      { seq: 0, body: body(0) },
      { seq: 1, body: body(1) },
      { seq: 2, body: body(2) },
    ]);
    strictEqual(channel.queued, 0);
    strictEqual(channel.unacked, 3);
    strictEqual(channel.hasDue(0), false);
    deepStrictEqual(channel.takeFrames(0, ROOMY, OVERHEAD), []);
  },
});

Deno.test({
  name:
    "ReliableChannel.takeFrames() keeps the running total of body plus overhead within the budget",
  permissions: "none",
  fn() {
    const channel = new ReliableChannel();
    for (let i = 0; i < 5; i++) channel.push(body(i, 100));
    deepStrictEqual(channel.takeFrames(0, 329, 10).map((f) => f.seq), [0, 1]);
    deepStrictEqual(channel.takeFrames(0, 330, 10).map((f) => f.seq), [
      2,
      3,
      4,
    ]);
  },
});

Deno.test({
  name:
    "ReliableChannel.takeFrames() never returns a frame larger than the budget",
  permissions: "none",
  fn() {
    const channel = new ReliableChannel();
    channel.push(body(0, 500));
    deepStrictEqual(channel.takeFrames(0, 506, OVERHEAD), []);
    strictEqual(channel.queued, 1);
    strictEqual(channel.takeFrames(0, 507, OVERHEAD).length, 1);
    deepStrictEqual(channel.takeFrames(250, 506, OVERHEAD), []);
    strictEqual(channel.takeFrames(250, 507, OVERHEAD).length, 1);
  },
});

Deno.test({
  name:
    "ReliableChannel.takeFrames() stops at the window and resumes as acks arrive",
  permissions: "none",
  fn() {
    const channel = new ReliableChannel({ window: 4 });
    for (let i = 0; i < 10; i++) channel.push(body(i));
    deepStrictEqual(take(channel, 0), [0, 1, 2, 3]);
    strictEqual(channel.hasDue(0), false);
    strictEqual(channel.queued, 6);
    strictEqual(channel.onAck({ next: 2, ranges: [] }, 10), 2);
    deepStrictEqual(take(channel, 10), [4, 5]);
  },
});

Deno.test({
  name: "ReliableChannel window spans from the oldest unacknowledged frame",
  permissions: "none",
  fn() {
    // Ranges above a hole do not open the window: the peer's receive
    // window is measured from that hole too.
    const channel = new ReliableChannel({ window: 4 });
    for (let i = 0; i < 6; i++) channel.push(body(i));
    take(channel, 0);
    strictEqual(channel.onAck({ next: 0, ranges: [[1, 4]] }, 10), 3);
    strictEqual(channel.unacked, 1);
    strictEqual(channel.hasDue(10), false);
    deepStrictEqual(take(channel, 10), []);
    strictEqual(channel.onAck({ next: 4, ranges: [] }, 20), 1);
    deepStrictEqual(take(channel, 20), [4, 5]);
  },
});

Deno.test({
  name:
    "ReliableChannel.takeFrames() retransmits at the initial RTO, doubling up to maxRtoMs",
  permissions: "none",
  fn() {
    const channel = sending(1);
    const times: number[] = [];
    for (let now = 1; now <= 10_000; now++) {
      if (take(channel, now).length > 0) times.push(now);
    }
    deepStrictEqual(times, [250, 750, 1750, 3750, 5750, 7750, 9750]);
    strictEqual(channel.stats().retransmitted, 7);
    strictEqual(channel.nextDeadline(), 11_750);
  },
});

Deno.test({
  name:
    "ReliableChannel.takeFrames() sends due retransmissions before new frames, lowest seq first",
  permissions: "none",
  fn() {
    const channel = new ReliableChannel();
    channel.push(body(0));
    deepStrictEqual(take(channel, 0), [0]);
    deepStrictEqual(take(channel, 250), [0]); // next try at 750
    channel.push(body(1));
    deepStrictEqual(take(channel, 400), [1]); // next try at 650
    channel.push(body(2));
    deepStrictEqual(take(channel, 800), [0, 1, 2]);
  },
});

Deno.test({
  name:
    "ReliableChannel.onAck() acknowledges ranges so only the holes are retransmitted",
  permissions: "none",
  fn() {
    const channel = sending(6);
    const ack: AckState = { next: 1, ranges: [[2, 3], [4, 6]] };
    strictEqual(channel.onAck(ack, 50), 4);
    strictEqual(channel.onAck(ack, 60), 0);
    strictEqual(channel.unacked, 2);
    deepStrictEqual(take(channel, 249), []);
    deepStrictEqual(take(channel, 250), [1, 3]);
    strictEqual(channel.onAck({ next: 6, ranges: [] }, 300), 2);
    strictEqual(channel.unacked, 0);
    strictEqual(channel.nextDeadline(), Infinity);
  },
});

Deno.test({
  name: "ReliableChannel.onAck() samples RTT only from frames sent once",
  permissions: "none",
  fn() {
    const channel = sending(1);
    deepStrictEqual(take(channel, 250), [0]);
    strictEqual(channel.onAck({ next: 1, ranges: [] }, 300), 1);
    strictEqual(channel.stats().srttMs, undefined);
    strictEqual(channel.stats().rtoMs, 250);

    channel.push(body(1));
    take(channel, 300);
    channel.onAck({ next: 2, ranges: [] }, 340);
    deepStrictEqual([channel.stats().srttMs, channel.stats().rtoMs], [40, 120]);

    // One sample per ack, from the newest frame it covers (410, not 400).
    channel.push(body(2));
    take(channel, 400);
    channel.push(body(3));
    take(channel, 410);
    channel.onAck({ next: 4, ranges: [] }, 450);
    deepStrictEqual([channel.stats().srttMs, channel.stats().rtoMs], [40, 100]);
  },
});

Deno.test({
  name:
    "ReliableChannel.onAck() computes srtt, rttvar and rto as RFC 6298, clamped",
  permissions: "none",
  fn() {
    const channel = sending(2);
    channel.onAck({ next: 1, ranges: [] }, 100); // srtt 100, rttvar 50
    deepStrictEqual([channel.stats().srttMs, channel.stats().rtoMs], [
      100,
      300,
    ]);
    channel.push(body(2));
    take(channel, 200);
    channel.onAck({ next: 3, ranges: [] }, 500); // rttvar 87.5, srtt 125
    deepStrictEqual([channel.stats().srttMs, channel.stats().rtoMs], [
      125,
      475,
    ]);
    channel.push(body(3));
    take(channel, 1000);
    strictEqual(channel.nextDeadline(), 1475);

    const fast = sending(1);
    fast.onAck({ next: 1, ranges: [] }, 10);
    strictEqual(fast.stats().rtoMs, 60);
    const slow = sending(1);
    slow.onAck({ next: 1, ranges: [] }, 1500);
    strictEqual(slow.stats().rtoMs, 2000);
  },
});

Deno.test({
  name:
    "ReliableChannel.onAck() progress resets the backoff of frames still in flight",
  permissions: "none",
  fn() {
    const channel = sending(2);
    deepStrictEqual(take(channel, 250), [0, 1]); // both next at 750
    strictEqual(channel.onAck({ next: 0, ranges: [[1, 2]] }, 300), 1);
    deepStrictEqual(take(channel, 750), [0]);
    // 2 × rto (250) again rather than 2 × 500.
    strictEqual(channel.nextDeadline(), 1250);
    deepStrictEqual(take(channel, 1250), [0]);
    strictEqual(channel.nextDeadline(), 2250);
  },
});

Deno.test({
  name: "ReliableChannel.onAck() ignores hostile acks and leaves state intact",
  permissions: "none",
  fn() {
    const channel = sending(5);
    channel.push(body(5)); // queued, never sent
    const hostile: AckState[] = [
      { next: 6, ranges: [] },
      { next: 1000, ranges: [] },
      { next: 0x7FFF_FFFF, ranges: [] },
      { next: 1.5, ranges: [] },
      { next: -1, ranges: [] },
      { next: NaN, ranges: [] },
      { next: 2 ** 32, ranges: [] },
      { next: 0, ranges: [[3, 4], [1, 2]] },
      { next: 0, ranges: [[1, 3], [2, 4]] },
      { next: 0, ranges: [[2, 2]] },
      { next: 0, ranges: [[3, 2]] },
      { next: 0, ranges: [[1, 6]] },
      { next: 0, ranges: [[1, 2.5]] },
      { next: 3, ranges: [[1, 2]] },
      { next: 2, ranges: [[3, 4], [4, 9]] },
    ];
    for (const ack of hostile) {
      strictEqual(channel.onAck(ack, 100), 0, JSON.stringify(ack));
    }
    strictEqual(channel.unacked, 5);
    strictEqual(channel.queued, 1);
    strictEqual(channel.stats().srttMs, undefined);
    deepStrictEqual(take(channel, 249), [5]);
    deepStrictEqual(take(channel, 250), [0, 1, 2, 3, 4]);
    strictEqual(channel.onAck({ next: 6, ranges: [] }, 260), 6);
    strictEqual(channel.unacked, 0);
  },
});

Deno.test({
  name: "ReliableChannel.onAck() treats a stale, reordered ack as a no-op",
  permissions: "none",
  fn() {
    const channel = sending(5);
    strictEqual(channel.onAck({ next: 3, ranges: [] }, 40), 3);
    strictEqual(channel.onAck({ next: 1, ranges: [[2, 3]] }, 45), 0);
    strictEqual(channel.unacked, 2);
    strictEqual(channel.onAck({ next: 1, ranges: [[2, 5]] }, 50), 2);
    strictEqual(channel.unacked, 0);
  },
});

Deno.test({
  name: "ReliableChannel.failed turns true when a frame's last retry times out",
  permissions: "none",
  fn() {
    const channel = sending(1);
    let transmissions = 1;
    while (!channel.failed) {
      const at = channel.nextDeadline();
      ok(at < 60_000, "never failed");
      transmissions += take(channel, at).length;
    }
    strictEqual(transmissions, 13);
    strictEqual(channel.hasDue(100_000), false);
    deepStrictEqual(take(channel, 100_000), []);
    strictEqual(channel.nextDeadline(), Infinity);

    const short = sending(1, { maxRetries: 2 });
    take(short, 250);
    take(short, 750);
    strictEqual(short.hasDue(1749), false);
    strictEqual(short.failed, false);
    strictEqual(short.hasDue(1750), false);
    strictEqual(short.failed, true);
  },
});

Deno.test({
  name:
    "ReliableChannel.receive() delivers in order and buffers copies of out-of-order frames",
  permissions: "none",
  fn() {
    const channel = new ReliableChannel();
    const first = body(0);
    const delivered = channel.receive(0, first, 0);
    strictEqual(delivered.length, 1);
    strictEqual(delivered[0], first);

    const reused = new Uint8Array(16);
    reused.set(body(2));
    deepStrictEqual(channel.receive(2, reused.subarray(0, 8), 1), []);
    reused.set(body(3));
    deepStrictEqual(channel.receive(3, reused.subarray(0, 8), 2), []);
    reused.fill(0xee);
    deepStrictEqual(channel.receive(1, body(1), 3), [
      body(1),
      body(2),
      body(3),
    ]);
    deepStrictEqual(channel.ackState(), { next: 4, ranges: [] });
    strictEqual(channel.stats().received, 4);
  },
});

Deno.test({
  name:
    "ReliableChannel.receive() ignores duplicates but makes the ack due at once",
  permissions: "none",
  fn() {
    const channel = new ReliableChannel();
    channel.receive(0, body(0), 0);
    channel.ackSent(20);
    deepStrictEqual(channel.receive(0, body(0), 100), []);
    strictEqual(channel.ackDue(100), true);
    channel.ackSent(100);
    deepStrictEqual(channel.receive(5, body(5), 200), []);
    channel.ackSent(200);
    deepStrictEqual(channel.receive(5, body(5), 300), []);
    strictEqual(channel.ackDue(300), true);
    strictEqual(channel.stats().duplicates, 2);
    strictEqual(channel.stats().received, 2);
  },
});

Deno.test({
  name: "ReliableChannel.receive() drops frames beyond receiveWindow",
  permissions: "none",
  fn() {
    const channel = new ReliableChannel({ receiveWindow: 4 });
    deepStrictEqual(channel.receive(4, body(4), 0), []);
    deepStrictEqual(channel.receive(0xFFFF_FFFF + 1, body(9), 0), []);
    deepStrictEqual(channel.receive(3, body(3), 0), []);
    strictEqual(channel.stats().dropped, 2);
    deepStrictEqual(channel.ackState(), { next: 0, ranges: [[3, 4]] });
  },
});

Deno.test({
  name:
    "ReliableChannel.ackDue() waits ackDelayMs for in-order frames but not for out-of-order ones",
  permissions: "none",
  fn() {
    const channel = new ReliableChannel({ ackDelayMs: 10 });
    channel.receive(0, body(0), 100);
    strictEqual(channel.ackDue(109), false);
    strictEqual(channel.nextDeadline(), 110);
    strictEqual(channel.ackDue(110), true);
    channel.ackSent(110);
    strictEqual(channel.ackDue(1000), false);
    strictEqual(channel.nextDeadline(), Infinity);

    channel.receive(1, body(1), 200);
    channel.receive(2, body(2), 201); // the delay runs from the first owed
    strictEqual(channel.ackDue(209), false);
    channel.receive(4, body(4), 205);
    strictEqual(channel.ackDue(205), true);
    channel.ackSent(205);

    deepStrictEqual(channel.receive(3, body(3), 300).length, 2);
    strictEqual(channel.ackDue(300), true, "a filled hole is acked at once");
  },
});

Deno.test({
  name:
    "ReliableChannel.ackState() reports at most MAX_ACK_RANGES ranges, nearest next first",
  permissions: "none",
  fn() {
    strictEqual(MAX_ACK_RANGES, 8);
    const channel = new ReliableChannel();
    for (let seq = 24; seq >= 2; seq -= 2) channel.receive(seq, body(seq), 0);
    deepStrictEqual(channel.ackState(), {
      next: 0,
      ranges: [[2, 3], [4, 5], [6, 7], [8, 9], [10, 11], [12, 13], [14, 15], [
        16,
        17,
      ]],
    });
  },
});

Deno.test({
  name:
    "ReliableChannel.ackState() merges out-of-order frames into ranges as they arrive",
  permissions: "none",
  fn() {
    const channel = new ReliableChannel();
    const ranges = () => channel.ackState().ranges;
    for (const seq of [3, 5, 4]) channel.receive(seq, body(seq), 0);
    deepStrictEqual(ranges(), [[3, 6]]);
    channel.receive(7, body(7), 0);
    deepStrictEqual(ranges(), [[3, 6], [7, 8]]);
    channel.receive(6, body(6), 0);
    deepStrictEqual(ranges(), [[3, 8]]);
    channel.receive(1, body(1), 0);
    deepStrictEqual(ranges(), [[1, 2], [3, 8]]);
    strictEqual(channel.receive(0, body(0), 0).length, 2);
    deepStrictEqual(channel.ackState(), { next: 2, ranges: [[3, 8]] });
    deepStrictEqual(
      channel.receive(2, body(2), 0),
      [2, 3, 4, 5, 6, 7].map((n) => body(n)),
    );
    deepStrictEqual(channel.ackState(), { next: 8, ranges: [] });
  },
});

Deno.test({
  name:
    "ReliableChannel.nextDeadline() reports the earliest ack or retransmission time",
  permissions: "none",
  fn() {
    const channel = new ReliableChannel({ ackDelayMs: 10 });
    strictEqual(channel.nextDeadline(), Infinity);
    channel.push(body(0));
    strictEqual(channel.nextDeadline(), -Infinity);
    take(channel, 0);
    strictEqual(channel.nextDeadline(), 250);
    channel.receive(0, body(0), 100);
    strictEqual(channel.nextDeadline(), 110);
    channel.ackSent(110);
    strictEqual(channel.hasDue(249), false);
    strictEqual(channel.hasDue(250), true);
    strictEqual(channel.nextDeadline(), -Infinity);
  },
});

Deno.test({
  name:
    "ReliableChannel sequence numbers wrap across 2^32 with ranges spanning the wrap",
  permissions: "none",
  fn() {
    const sender = new ReliableChannel({ initialSendSeq: NEAR_WRAP });
    const receiver = new ReliableChannel({ initialReceiveSeq: NEAR_WRAP });
    const pushed = Array.from({ length: 40 }, (_, i) => sender.push(body(i)));
    deepStrictEqual(pushed.slice(14, 18), [0xFFFF_FFFE, 0xFFFF_FFFF, 0, 1]);
    const frames = sender.takeFrames(0, ROOMY, OVERHEAD);
    let delivered = 0;
    for (const f of frames) {
      if (f.seq !== 0xFFFF_FFFF) {
        delivered += receiver.receive(f.seq, f.body, 10).length;
      }
    }
    strictEqual(delivered, 15);
    deepStrictEqual(receiver.ackState(), {
      next: 0xFFFF_FFFF,
      ranges: [[0, 24]],
    });
    strictEqual(sender.onAck(receiver.ackState(), 20), 39);
    const retry = sender.takeFrames(250, ROOMY, OVERHEAD);
    deepStrictEqual(retry.map((f) => f.seq), [0xFFFF_FFFF]);
    const rest = receiver.receive(0xFFFF_FFFF, retry[0]!.body, 260);
    deepStrictEqual(rest, Array.from({ length: 25 }, (_, i) => body(15 + i)));
    deepStrictEqual(receiver.ackState(), { next: 24, ranges: [] });
    strictEqual(sender.onAck(receiver.ackState(), 270), 1);

    // A range whose exclusive end wraps to 0.
    const edge = sending(16, { initialSendSeq: NEAR_WRAP });
    const peer = new ReliableChannel({ initialReceiveSeq: NEAR_WRAP });
    peer.receive(0xFFFF_FFFF, body(15), 0);
    deepStrictEqual(peer.ackState(), {
      next: NEAR_WRAP,
      ranges: [[0xFFFF_FFFF, 0]],
    });
    strictEqual(edge.onAck(peer.ackState(), 10), 1);
    strictEqual(edge.unacked, 15);
  },
});

Deno.test({
  name: "ReliableChannel constructor rejects out-of-range options",
  permissions: "none",
  fn() {
    throws(() => new ReliableChannel({ window: 0 }), {
      name: "RangeError",
      message: "Cannot create channel: window is 0, need 1 to 1073741824",
    });
    throws(() => new ReliableChannel({ window: 1.5 }), RangeError);
    throws(() => new ReliableChannel({ receiveWindow: 2 ** 31 }), RangeError);
    throws(() => new ReliableChannel({ initialSendSeq: 2 ** 32 }), RangeError);
    throws(() => new ReliableChannel({ initialReceiveSeq: -1 }), RangeError);
    throws(() => new ReliableChannel({ maxRetries: NaN }), RangeError);
    throws(() => new ReliableChannel({ minRtoMs: 3000 }), {
      name: "RangeError",
      message: "Cannot create channel: minRtoMs 3000 exceeds maxRtoMs 2000",
    });
  },
});

interface Datagram {
  at: number;
  ack: AckState;
  frames: OutFrame[];
}

interface LinkRun {
  ends: ReliableChannel[];
  endedAt: number;
  holesFilled: number;
}

const SESSION_HEADER = 33;

/**
 * Two channels exchanging `frames` bodies each way through a link that
 * loses, duplicates and delays (so reorders) datagrams, driven by a fake
 * clock in 1 ms steps. Every delivered body is checked at once, against the
 * next expected one, before the reused receive buffer is overwritten.
 */
function runLossyLink(seed: number, frames: number, initialSeq = 0): LinkRun {
  const random = prng(seed);
  const options = { initialSendSeq: initialSeq, initialReceiveSeq: initialSeq };
  const ends = [new ReliableChannel(options), new ReliableChannel(options)];
  const bodies: Uint8Array[][] = [[], []];
  for (const [side, end] of ends.entries()) {
    for (let i = 0; i < frames; i++) {
      bodies[side]!.push(body(i, 4 + Math.floor(random() * 300)));
    }
    for (const b of bodies[side]!) end.push(b);
  }
  const wire: Datagram[][] = [[], []];
  const delivered = [0, 0];
  const scratch = new Uint8Array(2048);
  let holesFilled = 0;
  const send = (to: number, datagram: Omit<Datagram, "at">, now: number) => {
    if (random() < 0.2) return;
    const copies = random() < 0.1 ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      const late = random() < 0.1 ? 1 + Math.floor(random() * 60) : 0;
      wire[to]!.push({ ...datagram, at: now + 20 + late });
    }
  };
  const arrive = (side: number, now: number) => {
    const due = wire[side]!.filter((d) => d.at <= now).sort((a, b) =>
      a.at - b.at
    );
    wire[side] = wire[side]!.filter((d) => d.at > now);
    for (const d of due) {
      ends[side]!.onAck(d.ack, now);
      for (const f of d.frames) {
        scratch.set(f.body);
        const out = ends[side]!.receive(
          f.seq,
          scratch.subarray(0, f.body.byteLength),
          now,
        );
        if (out.length > 1) holesFilled++;
        for (const got of out) {
          const want = bodies[1 - side]![delivered[side]!];
          if (want === undefined || got.join() !== want.join()) {
            fail(
              `Side ${side} got a wrong body as #${delivered[side]} at ${now}`,
            );
          }
          delivered[side]!++;
        }
      }
    }
  };
  const transmit = (side: number, now: number) => {
    const end = ends[side]!;
    for (let n = 0; n < 64 && (end.hasDue(now) || end.ackDue(now)); n++) {
      const ack = end.ackState();
      ok(ack.ranges.length <= MAX_ACK_RANGES);
      const out = end.takeFrames(
        now,
        1200 - SESSION_HEADER - 8 * ack.ranges.length,
        OVERHEAD,
      );
      end.ackSent(now);
      send(1 - side, { ack, frames: out }, now);
    }
  };
  const settled = () =>
    delivered.every((n) => n === frames) &&
    ends.every((e) => e.unacked === 0 && e.queued === 0);
  let now = 0;
  for (; now < 120_000 && !settled(); now++) {
    arrive(0, now);
    arrive(1, now);
    transmit(0, now);
    transmit(1, now);
  }
  deepStrictEqual(delivered, [frames, frames]);
  return { ends, endedAt: now, holesFilled };
}

function assertLossyRun(run: LinkRun): void {
  for (const end of run.ends) {
    strictEqual(end.failed, false);
    strictEqual(end.unacked, 0);
    const stats = end.stats();
    ok(stats.retransmitted > 0, "loss caused retransmissions");
    ok(stats.duplicates > 0, "duplication reached the receiver");
    strictEqual(stats.dropped, 0);
    notStrictEqual(stats.srttMs, undefined);
  }
  ok(run.holesFilled > 0, "reordering filled holes");
  ok(run.endedAt < 120_000, "the run settled");
}

Deno.test({
  name:
    "ReliableChannel delivers exactly once in order through loss, duplication and reordering",
  permissions: "none",
  fn() {
    assertLossyRun(runLossyLink(0xC0FFEE, 3000));
  },
});

Deno.test({
  name:
    "ReliableChannel delivers exactly once in order through a lossy link across 2^32",
  permissions: "none",
  fn() {
    assertLossyRun(runLossyLink(7, 3000, NEAR_WRAP - 1500));
  },
});

Deno.test({
  name: "ReliableChannel.stats() counts first sends and retransmissions apart",
  permissions: "none",
  fn() {
    const channel = sending(3);
    take(channel, 250);
    const stats = channel.stats();
    deepStrictEqual([stats.sent, stats.retransmitted, stats.received], [
      3,
      3,
      0,
    ]);
  },
});

Deno.test({
  name:
    "ReliableChannel recycles acknowledged flights without mixing up channels",
  permissions: "none",
  fn() {
    // Flights acked in one channel are reused by the next push anywhere:
    // each channel must still send its own seqs and bodies, in order.
    const a = new ReliableChannel();
    const b = new ReliableChannel({ initialSendSeq: 1000 });
    for (let i = 0; i < 5; i++) a.push(body(i));
    deepStrictEqual(take(a, 0), [0, 1, 2, 3, 4]);
    strictEqual(a.onAck({ next: 5, ranges: [] }, 1), 5);
    for (let i = 0; i < 3; i++) b.push(body(100 + i));
    a.push(body(5));
    deepStrictEqual(takeCopies(b, 2), [
      { seq: 1000, body: body(100) },
      { seq: 1001, body: body(101) },
      { seq: 1002, body: body(102) },
    ]);
    deepStrictEqual(takeCopies(a, 2), [{ seq: 5, body: body(5) }]);
    // A recycled flight starts over: first transmission, fresh timeout.
    strictEqual(b.stats().retransmitted, 0);
    strictEqual(b.hasDue(2 + 249), false);
    strictEqual(b.hasDue(2 + 250), true);
    deepStrictEqual(take(b, 2 + 250), [1000, 1001, 1002]);
    strictEqual(b.stats().retransmitted, 3);
    strictEqual(a.unacked, 1);
    strictEqual(b.unacked, 3);
  },
});

Deno.test({
  name:
    "ReliableChannel: a first try sent after the RTO shrank times out on its own deadline",
  permissions: "none",
  fn() {
    const channel = new ReliableChannel({ initialRtoMs: 2000 });
    channel.push(body(0));
    channel.push(body(1));
    deepStrictEqual(take(channel, 0), [0, 1]); // Both time out at 2000.
    // Seq 1 acked at 5 ms (seq 0 still out): the RTO drops to its 60 ms floor.
    strictEqual(channel.onAck({ next: 0, ranges: [[1, 2]] }, 5), 1);
    strictEqual(channel.stats().rtoMs, 60);
    channel.push(body(2));
    deepStrictEqual(take(channel, 10), [2]); // Its own deadline: 70.
    strictEqual(channel.nextDeadline(), 70);
    strictEqual(channel.hasDue(69), false);
    deepStrictEqual(take(channel, 70), [2]);
    // Seq 0 keeps its own, later deadline (seq 2 has timed out again by then).
    deepStrictEqual(take(channel, 1999), [2]);
    deepStrictEqual(take(channel, 2000), [0]);
  },
});

Deno.test({
  name:
    "ReliableChannel acks at once after ackEvery in-order frames, else after the delay",
  permissions: "none",
  fn() {
    const channel = new ReliableChannel({ ackEvery: 4, ackDelayMs: 10 });
    for (let seq = 0; seq < 3; seq++) channel.receive(seq, body(seq), 0);
    strictEqual(channel.ackDue(0), false);
    strictEqual(channel.ackDue(10), true);
    channel.receive(3, body(3), 1);
    strictEqual(channel.ackDue(1), true, "the fourth frame since the last ack");
    channel.ackSent(1);
    // The count starts over with each ack sent.
    for (let seq = 4; seq < 7; seq++) channel.receive(seq, body(seq), 2);
    strictEqual(channel.ackDue(2), false);
    channel.receive(7, body(7), 2);
    strictEqual(channel.ackDue(2), true);
  },
});
