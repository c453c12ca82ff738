/**
 * The receiving half of a reliable channel: in-order delivery of the
 * peer's frames, buffering of early ones, and what to acknowledge and when
 * (selective ack ranges, delayed acks). Pure: the clock is passed in as
 * `now`.
 * @module
 */

import { before, isU32 } from "./flight.ts";
import type { ReceiveBudget } from "./receive_budget.ts";
import type { ReliableOptions } from "./reliable_options.ts";

/** Most ranges `ackState()` reports; the ones nearest `next` win. */
export const MAX_ACK_RANGES = 8;

/**
 * Bytes charged for a buffered frame besides its body: its map entry, the
 * string header and its share of the range list, rounded up. A flood of
 * empty frames is bounded like a flood of full ones.
 */
export const BUFFERED_FRAME_OVERHEAD = 64;

/**
 * Acknowledgement state: every seq before `next` was received, plus ranges
 * above it.
 */
export interface AckState {
  next: number;
  /** [start, end), ascending, non-overlapping, above `next`. */
  ranges: Array<readonly [start: number, end: number]>;
}

/** The receiving half of a ReliableChannel. */
export class ReliableReceiver {
  #opts: Required<ReliableOptions>;
  // Receiving: out-of-order bodies by seq, and the same seqs as a flat list
  // of merged [start, end) pairs so ackState() never scans the window.
  #receiveNext: number;
  /**
   * Made on the first out-of-order frame: most channels never need it.
   * Bodies are kept as one-byte strings, in V8's heap: after a storm of
   * sessions times out the heap gives its pages back to the system, while
   * glibc kept the freed ArrayBuffer copies (2,000 sessions of 64 early
   * frames: 40 MiB of RSS still held after they all timed out).
   */
  #buffered: Map<number, string> | undefined;
  /** What the buffered frames are charged, against receiveBufferBytes. */
  #bufferedBytes = 0;
  #budget: ReceiveBudget | undefined;
  #ranges: number[] = [];
  #ackOwed = false;
  #ackAt = Infinity;
  /** Frames accepted since the last ack went out. */
  #sinceAck = 0;
  #received = 0;
  #duplicates = 0;
  #dropped = 0;

  /** A receiver with resolved `options` (see resolveOptions). */
  constructor(options: Required<ReliableOptions>) {
    this.#opts = options;
    this.#receiveNext = options.initialReceiveSeq;
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
      if (this.#keep(seq, body)) this.#received++;
      else this.#dropped++;
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

  /**
   * Charge the frames this receiver buffers to `budget`, shared with other
   * receivers, from now on (and those it holds already).
   */
  shareBudget(budget: ReceiveBudget): void {
    this.#budget?.give(this.#bufferedBytes);
    this.#budget = budget;
    budget.force(this.#bufferedBytes);
  }

  /**
   * Drop every buffered frame and give its bytes back to the budget: the
   * session is over. Frames already acknowledged are never dropped while
   * it lasts (the peer has forgotten them).
   */
  release(): void {
    this.#budget?.give(this.#bufferedBytes);
    this.#bufferedBytes = 0;
    this.#buffered = undefined;
    this.#ranges = [];
  }

  /** Bytes charged now for frames buffered out of order. */
  get bufferedBytes(): number {
    return this.#bufferedBytes;
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

  /** Owe the peer an ack now (what may be acknowledged grew without a frame). */
  owe(now: number): void {
    this.#oweAck(now, true);
  }

  /** The caller put ackState() into an outgoing datagram at `now`. */
  ackSent(): void {
    this.#ackOwed = false;
    this.#ackAt = Infinity;
    this.#sinceAck = 0;
  }

  /** When the owed ack falls due; Infinity when none is owed. */
  ackDeadline(): number {
    return this.#ackOwed ? this.#ackAt : Infinity;
  }

  /** The next seq this end expects: every one before was delivered. */
  get receiveNext(): number {
    return this.#receiveNext;
  }

  /** Distinct frames accepted from the peer (delivered or buffered). */
  get received(): number {
    return this.#received;
  }

  /** Frames that came again after they were accepted. */
  get duplicates(): number {
    return this.#duplicates;
  }

  /**
   * Frames beyond the receive window, early ones with no buffer room left
   * (here or room-wide), or with a seq that is not a u32.
   */
  get dropped(): number {
    return this.#dropped;
  }

  #oweAck(now: number, immediately: boolean): void {
    if (!this.#ackOwed) {
      this.#ackOwed = true;
      this.#ackAt = now + this.#opts.ackDelayMs;
    }
    if (immediately && now < this.#ackAt) this.#ackAt = now;
  }

  /**
   * Buffer early frame `seq` if it fits, here and in the shared budget;
   * false when it does not. A frame that does not fit is not acknowledged,
   * so the peer sends it again; the frame at `next` never needs room, so
   * the stream always moves on.
   */
  #keep(seq: number, body: Uint8Array): boolean {
    const cost = body.byteLength + BUFFERED_FRAME_OVERHEAD;
    if (this.#bufferedBytes + cost > this.#opts.receiveBufferBytes) {
      return false;
    }
    if (this.#budget !== undefined && !this.#budget.take(cost)) return false;
    this.#bufferedBytes += cost;
    (this.#buffered ??= new Map()).set(seq, toLatin1(body));
    this.#insertRange(seq);
    return true;
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
    let freed = 0;
    for (let seq = this.#receiveNext; seq !== end; seq = (seq + 1) >>> 0) {
      const body = fromLatin1(this.#buffered!.get(seq)!);
      this.#buffered!.delete(seq);
      freed += body.byteLength + BUFFERED_FRAME_OVERHEAD;
      out.push(body);
    }
    this.#bufferedBytes -= freed;
    this.#budget?.give(freed);
    // An empty map gives its table back (a burst's table would stay its size).
    if (this.#bufferedBytes === 0) this.#buffered = undefined;
    this.#receiveNext = end;
    r.splice(0, 2);
    return true;
  }
}

/** Bytes as a one-byte string (code units 0–255), held in V8's heap. */
function toLatin1(bytes: Uint8Array): string {
  // fromCharCode takes an array-like; a frame body (≤ 1,200 bytes) is few arguments.
  return String.fromCharCode.apply(null, bytes as unknown as number[]);
}

/** The bytes `toLatin1` made a string of. */
function fromLatin1(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}
