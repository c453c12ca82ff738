/**
 * One peer's end of a reliable, ordered, exactly-once stream of frames in
 * both directions: per-frame u32 sequence numbers (serial arithmetic, so a
 * stream may pass 2^32 frames), selective acks, retransmission on RFC 6298
 * timers with per-frame backoff. Pure: the clock is passed in as `now`.
 * @module
 */

import {
  before,
  byDeadline,
  bySeq,
  type Flight,
  FlightHeap,
  newFlight,
  nextInOrder,
  recycle,
  Timer,
} from "./flight.ts";

/** Most ranges `ackState()` reports; the ones nearest `next` win. */
export const MAX_ACK_RANGES = 8;

/**
 * Acknowledgement state: every seq before `next` was received, plus ranges
 * above it.
 */
export interface AckState {
  next: number;
  /** [start, end), ascending, non-overlapping, above `next`. */
  ranges: Array<readonly [start: number, end: number]>;
}

/** Tuning of a channel; every field has a default. */
export interface ReliableOptions {
  /** Most seqs from the oldest unacked frame to the newest sent (256). */
  window?: number;
  /** How far past `next` an out-of-order frame is kept (1024). */
  receiveWindow?: number;
  /** Retransmission timeout before any RTT sample (250). */
  initialRtoMs?: number;
  /** Lower bound of the retransmission timeout (60). */
  minRtoMs?: number;
  /** Upper bound of the retransmission timeout and of backoff (2000). */
  maxRtoMs?: number;
  /** A frame whose try number 1 + maxRetries times out fails the channel (12). */
  maxRetries?: number;
  /** How long an in-order frame's ack may wait for company (10: long enough for company, well under the 60 ms minimum RTO). */
  ackDelayMs?: number;
  /** Frames received since the last ack that make the next one due at once (32: a fast stream never fills the sender's window waiting for the delay). */
  ackEvery?: number;
  /** Seq of the first frame pushed (0). */
  initialSendSeq?: number;
  /** Seq of the first frame expected from the peer (0). */
  initialReceiveSeq?: number;
}

/** A frame for the next datagram (read it before the channel's next call). */
export interface OutFrame {
  readonly seq: number;
  readonly body: Uint8Array;
}

/** Counters of one channel. */
export interface ReliableStats {
  /** Frames transmitted for the first time. */
  sent: number;
  retransmitted: number;
  /** Distinct frames accepted from the peer (delivered or buffered). */
  received: number;
  duplicates: number;
  /** Frames beyond the receive window, or with a seq that is not a u32. */
  dropped: number;
  srttMs: number | undefined;
  rtoMs: number;
}

const DEFAULTS: Required<ReliableOptions> = {
  window: 256,
  receiveWindow: 1024,
  initialRtoMs: 250,
  minRtoMs: 60,
  maxRtoMs: 2000,
  maxRetries: 12,
  ackDelayMs: 10,
  ackEvery: 32,
  initialSendSeq: 0,
  initialReceiveSeq: 0,
};

// Serial arithmetic needs every live seq within 2^31 of the others.
const MAX_WINDOW = 2 ** 30;

/** RFC 6298's G: the variance term never shrinks below one tick. */
const CLOCK_GRANULARITY_MS = 1;

function isU32(x: number): boolean {
  return x >>> 0 === x;
}

function clamp(x: number, low: number, high: number): number {
  return Math.min(Math.max(x, low), high);
}

/** Inclusive bounds of each option; only the *Ms ones may be fractional. */
const BOUNDS: Record<
  keyof ReliableOptions,
  readonly [low: number, high: number]
> = {
  window: [1, MAX_WINDOW],
  receiveWindow: [1, MAX_WINDOW],
  initialRtoMs: [1, 2 ** 31],
  minRtoMs: [1, 2 ** 31],
  maxRtoMs: [1, 2 ** 31],
  maxRetries: [0, 2 ** 16],
  ackDelayMs: [0, 2 ** 31],
  ackEvery: [1, 2 ** 31],
  initialSendSeq: [0, 2 ** 32 - 1],
  initialReceiveSeq: [0, 2 ** 32 - 1],
};

function resolveOptions(options: ReliableOptions): Required<ReliableOptions> {
  // Most channels take the defaults: share one object (the server has thousands).
  if (Object.keys(options).length === 0) return DEFAULTS;
  const o = { ...DEFAULTS };
  for (const key of Object.keys(DEFAULTS) as Array<keyof ReliableOptions>) {
    const value = options[key] ?? DEFAULTS[key];
    const [low, high] = BOUNDS[key];
    const whole = key.endsWith("Ms") || Number.isInteger(value);
    if (!(value >= low && value <= high) || !whole) {
      throw new RangeError(
        `Cannot create channel: ${key} is ${value}, need ${low} to ${high}`,
      );
    }
    o[key] = value;
  }
  if (o.minRtoMs > o.maxRtoMs) {
    throw new RangeError(
      `Cannot create channel: minRtoMs ${o.minRtoMs} exceeds maxRtoMs ${o.maxRtoMs}`,
    );
  }
  return o;
}

/** One peer's end of a reliable, ordered, exactly-once stream of frames. */
export class ReliableChannel {
  #opts: Required<ReliableOptions>;
  // Sending: pushed flights wait in #queue, then sit in the seq-ordered list
  // and in exactly one heap until acknowledged.
  #queue: Flight[] = [];
  #queueHead = 0;
  #pushNext: number;
  #sendNext: number;
  #oldest: Flight | undefined;
  #newest: Flight | undefined;
  #inFlight = 0;
  /** The oldest flight timed in order (see Timer). */
  #inOrder: Flight | undefined;
  /** The latest deadline ever timed in order: a later one must not be earlier. */
  #inOrderDeadline = -Infinity;
  #timers = new FlightHeap(byDeadline);
  #due = new FlightHeap(bySeq);
  #srtt: number | undefined;
  #rttvar = 0;
  #rto: number;
  /** Counts acks that acknowledged something; a change resets backoff. */
  #progress = 0;
  #sampleSentAt = -Infinity;
  #failed = false;
  // Receiving: out-of-order bodies by seq, and the same seqs as a flat list
  // of merged [start, end) pairs so ackState() never scans the window.
  #receiveNext: number;
  /** The highest cumulative ack the peer sent: it has every seq before. */
  #peerNext: number;
  /** Made on the first out-of-order frame: most channels never need it. */
  #buffered: Map<number, Uint8Array> | undefined;
  #ranges: number[] = [];
  #ackOwed = false;
  #ackAt = Infinity;
  /** Frames accepted since the last ack went out. */
  #sinceAck = 0;
  #sent = 0;
  #retransmitted = 0;
  #received = 0;
  #duplicates = 0;
  #dropped = 0;

  /** A channel with `options` (RangeError when one is out of range). */
  constructor(options: ReliableOptions = {}) {
    this.#opts = resolveOptions(options);
    this.#pushNext = this.#sendNext = this.#opts.initialSendSeq;
    this.#receiveNext = this.#opts.initialReceiveSeq;
    this.#peerNext = this.#opts.initialSendSeq;
    this.#rto = clamp(
      this.#opts.initialRtoMs,
      this.#opts.minRtoMs,
      this.#opts.maxRtoMs,
    );
  }

  /** Queue a body for reliable delivery; returns its seq. */
  push(body: Uint8Array): number {
    const seq = this.#pushNext;
    this.#pushNext = (seq + 1) >>> 0;
    this.#queue.push(newFlight(seq, body));
    return seq;
  }

  /**
   * Frames for the next datagram: due retransmissions first (lowest seq
   * first), then new frames while the window allows, while the running total
   * of (body.length + overheadBytes) stays within budgetBytes; stops at the
   * first frame that does not fit. Marks them sent at `now`. They are
   * appended to `out` (a caller's reusable array, or a new one).
   */
  takeFrames(
    now: number,
    budgetBytes: number,
    overheadBytes: number,
    out: OutFrame[] = [],
  ): OutFrame[] {
    if (this.#failed || !this.#expire(now)) return out;
    let used = 0;
    for (let f = this.#due.peek(); f !== undefined; f = this.#due.peek()) {
      used += f.body.byteLength + overheadBytes;
      if (used > budgetBytes) return out;
      this.#due.remove(f);
      this.#transmit(f, now);
      this.#retransmitted++;
      out.push(f);
    }
    while (this.#queueHead < this.#queue.length && this.#windowOpen()) {
      const f = this.#queue[this.#queueHead]!;
      used += f.body.byteLength + overheadBytes;
      if (used > budgetBytes) break;
      this.#dequeue();
      this.#transmit(f, now);
      this.#sent++;
      out.push(f);
    }
    return out;
  }

  /** True when takeFrames would return something now, given room. */
  hasDue(now: number): boolean {
    if (this.#failed || !this.#expire(now)) return false;
    return this.#due.size > 0 || (this.queued > 0 && this.#windowOpen());
  }

  /**
   * Apply the peer's ack; returns how many frames became acknowledged.
   * A malformed ack (seqs never sent, ranges descending, overlapping or
   * empty) is ignored as a whole. Work is O(newly acknowledged + holes
   * between ranges + ranges).
   */
  onAck(ack: AckState, now: number): number {
    if (!this.#validAck(ack)) return 0;
    if (before(this.#peerNext, ack.next)) this.#peerNext = ack.next;
    let acked = 0;
    let f = this.#oldest;
    for (; f !== undefined && before(f.seq, ack.next); acked++) {
      f = this.#settle(f);
    }
    for (const [start, end] of ack.ranges) {
      while (f !== undefined && before(f.seq, start)) f = f.next;
      for (; f !== undefined && before(f.seq, end); acked++) {
        f = this.#settle(f);
      }
    }
    if (acked > 0) {
      this.#progress++;
      // Karn: only frames sent once give an unambiguous sample; the newest
      // of them reflects the path best and keeps it one sample per ack.
      if (this.#sampleSentAt > -Infinity) {
        this.#sampleRtt(Math.max(0, now - this.#sampleSentAt));
      }
      this.#sampleSentAt = -Infinity;
    }
    return acked;
  }

  /**
   * Accept a frame from the peer; returns the bodies now deliverable in order.
   * An in-order body may come back as the given view; buffered ones are copies.
   */
  receive(seq: number, body: Uint8Array, now: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    const ahead = (seq - this.#receiveNext) | 0;
    if (!isU32(seq) || ahead >= this.#opts.receiveWindow) {
      this.#dropped++;
      this.#oweAck(now, true);
    } else if (ahead < 0 || this.#buffered?.has(seq)) {
      // The peer may have lost our ack: tell it again, at once.
      this.#duplicates++;
      this.#oweAck(now, true);
    } else if (ahead > 0) {
      this.#received++;
      (this.#buffered ??= new Map()).set(seq, body.slice());
      this.#insertRange(seq);
      this.#oweAck(now, true);
    } else {
      this.#received++;
      out.push(body);
      this.#receiveNext = (seq + 1) >>> 0;
      // Filling a hole is news the sender wants at once (RFC 5681 4.2).
      const filled = this.#drainBuffered(out);
      this.#oweAck(now, filled || ++this.#sinceAck >= this.#opts.ackEvery);
    }
    return out;
  }

  /** What to acknowledge right now. */
  ackState(): AckState {
    const r = this.#ranges;
    const count = Math.min(r.length / 2, MAX_ACK_RANGES);
    const ranges: Array<readonly [number, number]> = [];
    for (let i = 0; i < count; i++) ranges.push([r[2 * i]!, r[2 * i + 1]!]);
    return { next: this.#receiveNext, ranges };
  }

  /**
   * True when an ack is owed and due (delay elapsed, or out-of-order or
   * duplicate seen).
   */
  ackDue(now: number): boolean {
    return this.#ackOwed && now >= this.#ackAt;
  }

  /** The caller put ackState() into an outgoing datagram at `now`. */
  ackSent(_now: number): void {
    this.#ackOwed = false;
    this.#ackAt = Infinity;
    this.#sinceAck = 0;
  }

  /**
   * Earliest time at which hasDue/ackDue may become true without new input:
   * -Infinity when something can be sent already, Infinity when nothing is
   * pending.
   */
  nextDeadline(): number {
    const ackAt = this.#ackOwed ? this.#ackAt : Infinity;
    if (this.#failed) return ackAt;
    if (this.#due.size > 0 || (this.queued > 0 && this.#windowOpen())) {
      return -Infinity;
    }
    return Math.min(
      ackAt,
      this.#inOrder?.deadline ?? Infinity,
      this.#timers.peek()?.deadline ?? Infinity,
    );
  }

  /** True once a frame's last try timed out; consider the peer gone. */
  get failed(): boolean {
    return this.#failed;
  }

  /** The peer has received, in order, every seq before this one. */
  get peerNext(): number {
    return this.#peerNext;
  }

  /** The seq the next push() will get. */
  get pushNext(): number {
    return this.#pushNext;
  }

  /** The next seq this end expects: every one before was delivered. */
  get receiveNext(): number {
    return this.#receiveNext;
  }

  /** Frames sent and not yet acknowledged. */
  get unacked(): number {
    return this.#inFlight;
  }

  /** Frames pushed and never sent yet. */
  get queued(): number {
    return this.#queue.length - this.#queueHead;
  }

  /** Counters for /who and /stats. */
  stats(): ReliableStats {
    return {
      sent: this.#sent,
      retransmitted: this.#retransmitted,
      received: this.#received,
      duplicates: this.#duplicates,
      dropped: this.#dropped,
      srttMs: this.#srtt,
      rtoMs: this.#rto,
    };
  }

  /** Move timed-out flights to the due heap; false once the channel failed. */
  #expire(now: number): boolean {
    for (
      let f = this.#inOrder;
      f !== undefined && f.deadline <= now;
      f = this.#inOrder
    ) {
      if (f.transmissions > this.#opts.maxRetries) return this.#fail();
      this.#inOrder = nextInOrder(f.next);
      f.timer = Timer.due;
      this.#due.push(f);
    }
    for (
      let f = this.#timers.peek();
      f !== undefined && f.deadline <= now;
      f = this.#timers.peek()
    ) {
      if (f.transmissions > this.#opts.maxRetries) return this.#fail();
      this.#timers.remove(f);
      f.timer = Timer.due;
      this.#due.push(f);
    }
    return true;
  }

  #fail(): false {
    this.#failed = true;
    return false;
  }

  #windowOpen(): boolean {
    const base = this.#oldest?.seq ?? this.#sendNext;
    return ((this.#sendNext - base) >>> 0) < this.#opts.window;
  }

  /** Take the next queued flight into the in-flight list. */
  #dequeue(): void {
    const f = this.#queue[this.#queueHead++]!;
    // Empty: drop the sent flights at once (they would outlive their acks).
    // Otherwise compact rarely, so the queue costs O(1) amortised per frame.
    if (this.#queueHead === this.#queue.length) {
      this.#queue = [];
      this.#queueHead = 0;
    } else if (
      this.#queueHead >= 1024 && this.#queueHead * 2 >= this.#queue.length
    ) {
      this.#queue.splice(0, this.#queueHead);
      this.#queueHead = 0;
    }
    f.prev = this.#newest;
    if (this.#newest === undefined) this.#oldest = f;
    else this.#newest.next = f;
    this.#newest = f;
    this.#inFlight++;
    this.#sendNext = (f.seq + 1) >>> 0;
  }

  #transmit(f: Flight, now: number): void {
    if (f.transmissions === 0) {
      f.timeout = this.#rto;
    } else {
      // Progress since this frame's last try restarts its backoff from rto.
      const base = f.epoch === this.#progress ? f.timeout : this.#rto;
      f.timeout = Math.min(base * 2, this.#opts.maxRtoMs);
    }
    f.transmissions++;
    f.epoch = this.#progress;
    f.sentAt = now;
    f.deadline = now + f.timeout;
    if (f.transmissions === 1 && f.deadline >= this.#inOrderDeadline) {
      // The newest in flight: it heads the in-order ones only if none is older.
      f.timer = Timer.inOrder;
      this.#inOrder ??= f;
      this.#inOrderDeadline = f.deadline;
    } else {
      f.timer = Timer.heap;
      this.#timers.push(f);
    }
  }

  /** Acknowledge one flight; returns the next one in flight. */
  #settle(f: Flight): Flight | undefined {
    const next = f.next;
    if (f === this.#inOrder) this.#inOrder = nextInOrder(next);
    else if (f.timer === Timer.heap) this.#timers.remove(f);
    else if (f.timer === Timer.due) this.#due.remove(f);
    if (f.prev === undefined) this.#oldest = next;
    else f.prev.next = next;
    if (next === undefined) this.#newest = f.prev;
    else next.prev = f.prev;
    f.prev = f.next = undefined;
    this.#inFlight--;
    if (f.transmissions === 1 && f.sentAt > this.#sampleSentAt) {
      this.#sampleSentAt = f.sentAt;
    }
    recycle(f);
    return next;
  }

  #validAck(ack: AckState): boolean {
    const limit = this.#sendNext;
    if (!isU32(ack.next) || before(limit, ack.next)) return false;
    let floor = ack.next;
    for (const [start, end] of ack.ranges) {
      if (!isU32(start) || !isU32(end)) return false;
      if (before(start, floor) || !before(start, end) || before(limit, end)) {
        return false;
      }
      floor = end;
    }
    return true;
  }

  /** RFC 6298 section 2. */
  #sampleRtt(rtt: number): void {
    if (this.#srtt === undefined) {
      this.#srtt = rtt;
      this.#rttvar = rtt / 2;
    } else {
      this.#rttvar = 0.75 * this.#rttvar + 0.25 * Math.abs(this.#srtt - rtt);
      this.#srtt = 0.875 * this.#srtt + 0.125 * rtt;
    }
    const rto = this.#srtt + Math.max(CLOCK_GRANULARITY_MS, 4 * this.#rttvar);
    this.#rto = clamp(rto, this.#opts.minRtoMs, this.#opts.maxRtoMs);
  }

  #oweAck(now: number, immediately: boolean): void {
    if (!this.#ackOwed) {
      this.#ackOwed = true;
      this.#ackAt = now + this.#opts.ackDelayMs;
    }
    if (immediately && now < this.#ackAt) this.#ackAt = now;
  }

  /** Record buffered `seq` in the merged range list. */
  #insertRange(seq: number): void {
    const r = this.#ranges;
    // Arrivals mostly extend the highest range, so search from the top.
    let i = r.length;
    while (i > 0 && before(seq, r[i - 2]!)) i -= 2;
    const after = (seq + 1) >>> 0;
    const joinsLeft = i > 0 && r[i - 1] === seq;
    const joinsRight = i < r.length && r[i] === after;
    if (joinsLeft && joinsRight) r.splice(i - 1, 2);
    else if (joinsLeft) r[i - 1] = after;
    else if (joinsRight) r[i] = seq;
    else r.splice(i, 0, seq, after);
  }

  /** Release the buffered run an in-order arrival joined; true if any. */
  #drainBuffered(out: Uint8Array[]): boolean {
    const r = this.#ranges;
    if (r[0] !== this.#receiveNext) return false;
    const end = r[1]!;
    for (let seq = this.#receiveNext; seq !== end; seq = (seq + 1) >>> 0) {
      out.push(this.#buffered!.get(seq)!);
      this.#buffered!.delete(seq);
    }
    this.#receiveNext = end;
    r.splice(0, 2);
    return true;
  }
}
