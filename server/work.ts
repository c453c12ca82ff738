/**
 * The server's send queue: every member with something to send, of every
 * kind (native sessions, classic clients), in one FIFO visited round-robin,
 * so no member and no kind goes first and one busy member cannot starve
 * the others. O(1) per visit.
 * @module
 */

import type { Address } from "../protocol/address.ts";

/** A datagram to send. */
export interface Outgoing {
  bytes: Uint8Array;
  to: Address;
}

/** Anything the queue can ask for datagrams: a native session, a classic member. */
export interface Sender {
  /** In the queue (set and cleared by the queue only). */
  queued: boolean;
  /** False once the sender is forgotten: the queue skips it. */
  readonly active: boolean;
  /** Its next datagram (built into `into`, or its own bytes), or undefined. */
  take(into: Uint8Array, now: number): Outgoing | undefined;
  /** True while it has more to send now. */
  wantsToSend(now: number): boolean;
}

/** A first-in first-out queue with O(1) push and shift. */
export class Fifo<T> {
  #items: Array<T | undefined> = [];
  #head = 0;

  /** How many items wait. */
  get length(): number {
    return this.#items.length - this.#head;
  }

  /** Add `item` at the back. */
  push(item: T): void {
    this.#items.push(item);
  }

  /** Take the front item, or undefined when empty. */
  shift(): T | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head++] = undefined;
    // Compact rarely, so each shift costs O(1) amortised.
    if (this.#head >= 1024 && this.#head * 2 >= this.#items.length) {
      this.#items.splice(0, this.#head);
      this.#head = 0;
    }
    return item;
  }

  /** The front item, left in place, or undefined when empty. */
  peek(): T | undefined {
    return this.#items[this.#head];
  }

  /** Drop every item. */
  clear(): void {
    this.#items = [];
    this.#head = 0;
  }
}

/** Senders with work, first come first served. */
export class WorkQueue {
  /**
   * A FIFO rather than a Set: taking the first of a Set that is emptied from
   * the front and refilled at the back skips every deleted slot before it
   * (V8 compacts only on growth), which showed as the server's hottest loop
   * at M = 1000.
   */
  #work = new Fifo<Sender>();

  /** True when no sender waits for a turn. */
  get empty(): boolean {
    return this.#work.length === 0;
  }

  /** Note that `sender` may have something to send. */
  touch(sender: Sender): void {
    if (sender.queued || !sender.active) return;
    sender.queued = true;
    this.#work.push(sender);
  }

  /** The next datagram of any sender with work, round-robin. */
  poll(into: Uint8Array, now: number): Outgoing | undefined {
    for (let sender = this.#work.shift(); sender; sender = this.#work.shift()) {
      sender.queued = false;
      if (!sender.active) continue;
      const out = sender.take(into, now);
      // Back of the queue: every other sender gets a datagram first.
      if (sender.wantsToSend(now)) this.touch(sender);
      if (out !== undefined) return out;
    }
    return undefined;
  }
}
