/**
 * The sending side's bookkeeping for the reliable channel: one record per
 * frame in flight, recycled once acknowledged, and the heap that times
 * retries. Serial-number comparison lives here too. Pure.
 * @module
 */

/** A frame from push() until it is acknowledged. */
export interface Flight {
  seq: number;
  body: Uint8Array;
  sentAt: number;
  deadline: number;
  /** Current timeout; doubles with each retransmission. */
  timeout: number;
  transmissions: number;
  /** The channel's progress count at the last transmission. */
  epoch: number;
  /** Neighbours in the seq-ordered list of unacknowledged frames in flight. */
  prev: Flight | undefined;
  next: Flight | undefined;
  heapIndex: number;
  /** Where its timer is: see Timer. */
  timer: Timer;
}

/**
 * Where a flight in flight waits for its timeout. Frames go out for the
 * first time in seq order, at a nearly steady RTO, so their deadlines
 * mostly rise along the seq-ordered in-flight list: such a first try is
 * timed "in order", with no heap, and settling it is O(1). A first try
 * whose deadline would come before an earlier one's (the RTO shrank) and
 * every retry sit in a heap instead, so nothing ever times out late.
 */
export const Timer = {
  /** Timed in order: found from the channel's oldest such flight along the in-flight list. */
  inOrder: 0,
  /** In the timer heap: a retry, or a first try out of deadline order. */
  heap: 1,
  /** Timed out: in the due heap, to go out again. */
  due: 2,
} as const;
/** Where a flight's timer is (see the constant). */
export type Timer = typeof Timer[keyof typeof Timer];

/**
 * Acknowledged flights, reused by newFlight(): a busy server acknowledges
 * hundreds of thousands a second, and recycling them keeps the garbage
 * collector out of the fan-out.
 */
const spare: Flight[] = [];
const MAX_SPARE = 65_536;
const NOTHING = new Uint8Array(0);

/** A flight for `body`, not sent yet: a recycled one when there is one. */
export function newFlight(seq: number, body: Uint8Array): Flight {
  const f = spare.pop();
  if (f === undefined) {
    return {
      seq,
      body,
      sentAt: 0,
      deadline: 0,
      timeout: 0,
      transmissions: 0,
      epoch: 0,
      prev: undefined,
      next: undefined,
      heapIndex: -1,
      timer: Timer.inOrder,
    };
  }
  f.seq = seq;
  f.body = body;
  f.transmissions = 0;
  return f;
}

/** An acknowledged flight, unlinked from everything: newFlight() may reuse it. */
export function recycle(f: Flight): void {
  f.body = NOTHING;
  if (spare.length < MAX_SPARE) spare.push(f);
}

/** The first flight from `f` on (in seq order) that is timed in order. */
export function nextInOrder(f: Flight | undefined): Flight | undefined {
  while (f !== undefined && f.timer !== Timer.inOrder) f = f.next;
  return f;
}

/** True when serial number `a` comes before `b`. */
export function before(a: number, b: number): boolean {
  return ((a - b) | 0) < 0;
}

/** True when `x` is a valid serial number: a u32. */
export function isU32(x: number): boolean {
  return x >>> 0 === x;
}

/** Heap order of timers: earliest deadline, then lowest seq. */
export function byDeadline(a: Flight, b: Flight): boolean {
  return a.deadline < b.deadline ||
    (a.deadline === b.deadline && before(a.seq, b.seq));
}

/** Heap order of due flights: lowest seq first. */
export function bySeq(a: Flight, b: Flight): boolean {
  return before(a.seq, b.seq);
}

/** A binary min-heap of flights that tracks indexes, for O(log n) removal. */
export class FlightHeap {
  #items: Flight[] = [];
  #less: (a: Flight, b: Flight) => boolean;

  /** An empty heap ordered by `less`. */
  constructor(less: (a: Flight, b: Flight) => boolean) {
    this.#less = less;
  }

  /** How many flights it holds. */
  get size(): number {
    return this.#items.length;
  }

  /** The least flight, left in place. */
  peek(): Flight | undefined {
    return this.#items[0];
  }

  /** Add a flight. */
  push(f: Flight): void {
    this.#items.push(f);
    this.#up(f, this.#items.length - 1);
  }

  /** Take out a flight it holds, wherever it is. */
  remove(f: Flight): void {
    const last = this.#items.pop()!;
    if (last !== f) {
      this.#up(last, f.heapIndex);
      this.#down(last, last.heapIndex);
    }
    f.heapIndex = -1;
    // Popping keeps an array's capacity: a burst would stay allocated in
    // every idle member's channel.
    if (this.#items.length === 0) this.#items = [];
  }

  #up(f: Flight, i: number): void {
    const items = this.#items;
    while (i > 0) {
      const parent = items[(i - 1) >> 1]!;
      if (!this.#less(f, parent)) break;
      items[i] = parent;
      parent.heapIndex = i;
      i = (i - 1) >> 1;
    }
    items[i] = f;
    f.heapIndex = i;
  }

  #down(f: Flight, i: number): void {
    const items = this.#items;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= items.length) break;
      const right = items[child + 1];
      if (right !== undefined && this.#less(right, items[child]!)) child++;
      const c = items[child]!;
      if (!this.#less(c, f)) break;
      items[i] = c;
      c.heapIndex = i;
      i = child;
    }
    items[i] = f;
    f.heapIndex = i;
  }
}
