/**
 * One peer's end of a reliable, ordered, exactly-once stream of frames in
 * both directions: per-frame u32 sequence numbers (serial arithmetic, so a
 * stream may pass 2^32 frames), selective acks, retransmission on RFC 6298
 * timers with per-frame backoff. Pure: the clock is passed in as `now`.
 * The sending half lives in `reliable_send.ts`, the receiving half and its
 * acks in `reliable_receive.ts`, the tuning in `reliable_options.ts`.
 * @module
 */

import type { ReceiveBudget } from "./receive_budget.ts";
import { type AckState, ReliableReceiver } from "./reliable_receive.ts";
import { type ReliableOptions, resolveOptions } from "./reliable_options.ts";
import { type OutFrame, ReliableSender } from "./reliable_send.ts";

/** Counters of one channel. */
export interface ReliableStats {
  /** Frames transmitted for the first time. */
  sent: number;
  retransmitted: number;
  /** Distinct frames accepted from the peer (delivered or buffered). */
  received: number;
  duplicates: number;
  /**
   * Frames beyond the receive window, early ones with no buffer room left
   * (receiveBufferBytes, or a shared ReceiveBudget), or with a seq that is
   * not a u32.
   */
  dropped: number;
  srttMs: number | undefined;
  rtoMs: number;
}

/**
 * One peer's end of a reliable, ordered, exactly-once stream of frames: a
 * sending half and a receiving half that share only the options.
 */
export class ReliableChannel {
  #send: ReliableSender;
  #receive: ReliableReceiver;

  /** A channel with `options` (RangeError when one is out of range). */
  constructor(options: ReliableOptions = {}) {
    const resolved = resolveOptions(options);
    this.#send = new ReliableSender(resolved);
    this.#receive = new ReliableReceiver(resolved);
  }

  /** Queue a body for reliable delivery; returns its seq. */
  push(body: Uint8Array): number {
    return this.#send.push(body);
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
    return this.#send.takeFrames(now, budgetBytes, overheadBytes, out);
  }

  /** True when takeFrames would return something now, given room. */
  hasDue(now: number): boolean {
    return this.#send.hasDue(now);
  }

  /**
   * Apply the peer's ack; returns how many frames became acknowledged.
   * A malformed ack (seqs never sent, ranges descending, overlapping or
   * empty) is ignored as a whole. Work is O(newly acknowledged + holes
   * between ranges + ranges).
   */
  onAck(ack: AckState, now: number): number {
    return this.#send.onAck(ack, now);
  }

  /**
   * Accept a frame from the peer; returns the bodies now deliverable in order.
   * An in-order body may come back as the given view; buffered ones are copies.
   */
  receive(seq: number, body: Uint8Array, now: number): Uint8Array[] {
    return this.#receive.receive(seq, body, now);
  }

  /** Charge frames buffered out of order to `budget`, shared with other channels. */
  shareBudget(budget: ReceiveBudget): void {
    this.#receive.shareBudget(budget);
  }

  /** Drop the frames buffered out of order and give their bytes back: the channel is done. */
  release(): void {
    this.#receive.release();
  }

  /** Bytes charged now for frames buffered out of order. */
  get bufferedBytes(): number {
    return this.#receive.bufferedBytes;
  }

  /** What to acknowledge right now. */
  ackState(): AckState {
    return this.#receive.ackState();
  }

  /**
   * True when an ack is owed and due (delay elapsed, or out-of-order or
   * duplicate seen).
   */
  ackDue(now: number): boolean {
    return this.#receive.ackDue(now);
  }

  /** Owe the peer an ack now (see `Link.commit`). */
  oweAck(now: number): void {
    this.#receive.owe(now);
  }

  /** The caller put ackState() into an outgoing datagram at `now`. */
  ackSent(_now: number): void {
    this.#receive.ackSent();
  }

  /**
   * Earliest time at which hasDue/ackDue may become true without new input:
   * -Infinity when something can be sent already, Infinity when nothing is
   * pending.
   */
  nextDeadline(): number {
    const send = this.#send.nextDeadline();
    // Something to send now comes before any ack timer.
    if (send === -Infinity) return -Infinity;
    return Math.min(this.#receive.ackDeadline(), send);
  }

  /** True once a frame's last try timed out; consider the peer gone. */
  get failed(): boolean {
    return this.#send.failed;
  }

  /** The peer has received, in order, every seq before this one. */
  get peerNext(): number {
    return this.#send.peerNext;
  }

  /** The seq the next push() will get. */
  get pushNext(): number {
    return this.#send.pushNext;
  }

  /** The next seq this end expects: every one before was delivered. */
  get receiveNext(): number {
    return this.#receive.receiveNext;
  }

  /** Frames sent and not yet acknowledged. */
  get unacked(): number {
    return this.#send.unacked;
  }

  /** Frames pushed and never sent yet. */
  get queued(): number {
    return this.#send.queued;
  }

  /** Counters for /who and /stats. */
  stats(): ReliableStats {
    return {
      sent: this.#send.sent,
      retransmitted: this.#send.retransmitted,
      received: this.#receive.received,
      duplicates: this.#receive.duplicates,
      dropped: this.#receive.dropped,
      srttMs: this.#send.srttMs,
      rtoMs: this.#send.rtoMs,
    };
  }
}
