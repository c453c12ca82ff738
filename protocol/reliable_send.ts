/**
 * The sending half of a reliable channel: frames queued, sent within the
 * window, acknowledged by the peer's selective acks, and retransmitted on
 * RFC 6298 timers with per-frame backoff. Pure: the clock is passed in as
 * `now`.
 * @module
 */

import {
  before,
  byDeadline,
  bySeq,
  type Flight,
  FlightHeap,
  isU32,
  newFlight,
  nextInOrder,
  recycle,
  Timer,
} from "./flight.ts";
import type { AckState } from "./reliable_receive.ts";
import type { ReliableOptions } from "./reliable_options.ts";

/** A frame for the next datagram (read it before the channel's next call). */
export interface OutFrame {
  readonly seq: number;
  readonly body: Uint8Array;
}

/** RFC 6298's G: the variance term never shrinks below one tick. */
const CLOCK_GRANULARITY_MS = 1;

function clamp(x: number, low: number, high: number): number {
  return Math.min(Math.max(x, low), high);
}

/** The sending half of a ReliableChannel. */
export class ReliableSender {
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
  /** The highest cumulative ack the peer sent: it has every seq before. */
  #peerNext: number;
  #sent = 0;
  #retransmitted = 0;

  /** A sender with resolved `options` (see resolveOptions). */
  constructor(options: Required<ReliableOptions>) {
    this.#opts = options;
    this.#pushNext = this.#sendNext = options.initialSendSeq;
    this.#peerNext = options.initialSendSeq;
    this.#rto = clamp(options.initialRtoMs, options.minRtoMs, options.maxRtoMs);
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
   * Earliest time at which hasDue may become true without new input:
   * -Infinity when something can be sent already, Infinity when nothing is
   * pending or the channel failed.
   */
  nextDeadline(): number {
    if (this.#failed) return Infinity;
    if (this.#due.size > 0 || (this.queued > 0 && this.#windowOpen())) {
      return -Infinity;
    }
    return Math.min(
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

  /** Frames sent and not yet acknowledged. */
  get unacked(): number {
    return this.#inFlight;
  }

  /** Frames pushed and never sent yet. */
  get queued(): number {
    return this.#queue.length - this.#queueHead;
  }

  /** Frames transmitted for the first time. */
  get sent(): number {
    return this.#sent;
  }

  /** Frames transmitted again after a timeout. */
  get retransmitted(): number {
    return this.#retransmitted;
  }

  /** The smoothed round-trip time; undefined before the first sample. */
  get srttMs(): number | undefined {
    return this.#srtt;
  }

  /** The current retransmission timeout. */
  get rtoMs(): number {
    return this.#rto;
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
}
