/**
 * One classic member as the classic engine keeps it: its address, when it
 * was last heard, its answer credit (3× what its address sent) and its
 * queue of lines, a `Sender` of the server's one send queue. Lines waiting
 * together leave in one datagram.
 * @module
 */

import type { Address } from "../protocol/address.ts";
import { CLASSIC_LINE_BYTES } from "./classic_lines.ts";
import { Fifo, type Outgoing, type Sender } from "./work.ts";

/** A classic reply to an address that proved nothing: at most this many times its request. */
export const AMPLIFICATION = 3;
/** Most answer credit a classic member can save up (bytes). */
const MAX_CREDIT = 16 * 1024;
const NEWLINE = 0x0a;

/** True when `next` is a whole line that fits after `used` bytes led by line `first`. */
function joinable(
  first: Uint8Array,
  next: Uint8Array | undefined,
  used: number,
): boolean {
  return next !== undefined && first[0] === NEWLINE && next[0] === NEWLINE &&
    used + next.byteLength <= CLASSIC_LINE_BYTES;
}

/** One classic member: its address and its queue of lines. */
export class ClassicMember implements Sender {
  readonly id: number;
  readonly address: Address;
  readonly key: string;
  lastHeard: number;
  /** When it was told it will be dropped unless it sends something. */
  warnedAt: number | undefined;
  /**
   * Bytes the member may still be sent in answer to what it sent (3× what
   * came from its address, capped): a forged address cannot turn /who or
   * /help into a flood of the real owner.
   */
  credit = 0;
  queued = false;
  active = true;
  #lines = new Fifo<Uint8Array>();

  constructor(id: number, address: Address, key: string, now: number) {
    this.id = id;
    this.address = { hostname: address.hostname, port: address.port };
    this.key = key;
    this.lastHeard = now;
  }

  /** What arrived from the member's address earns answers of 3× its size. */
  earn(bytes: number): void {
    this.credit = Math.min(MAX_CREDIT, this.credit + bytes * AMPLIFICATION);
  }

  /** Spend credit on `datagrams`; false (nothing spent) when it does not cover them. */
  spend(datagrams: readonly Uint8Array[]): boolean {
    let cost = 0;
    for (const d of datagrams) cost += d.byteLength;
    if (cost > this.credit) return false;
    this.credit -= cost;
    return true;
  }

  /** Lines waiting to be sent. */
  get backlog(): number {
    return this.#lines.length;
  }

  push(datagram: Uint8Array): void {
    this.#lines.push(datagram);
  }

  clear(): void {
    this.#lines.clear();
  }

  /**
   * The next datagram: lines waiting together share one, up to
   * CLASSIC_LINE_BYTES (each starts with a newline, so a classic client
   * prints them as the lines they are). Under load that is what keeps up:
   * a send costs the same for one line or ten. `OK`, `EXIT` and the pieces
   * of a split line always go alone.
   */
  take(into: Uint8Array): Outgoing | undefined {
    const first = this.#lines.shift();
    if (first === undefined) return undefined;
    let next = this.#lines.peek();
    if (!joinable(first, next, first.byteLength)) {
      return { bytes: first, to: this.address };
    }
    into.set(first);
    let used = first.byteLength;
    while (joinable(first, next, used)) {
      into.set(next!, used);
      used += next!.byteLength;
      this.#lines.shift();
      next = this.#lines.peek();
    }
    return { bytes: into.subarray(0, used), to: this.address };
  }

  wantsToSend(): boolean {
    return this.#lines.length > 0;
  }
}
