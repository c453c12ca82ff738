/**
 * The JOIN nonces admission has already decided on, so a JOIN captured and
 * replayed while its cookie is still good cannot admit a ghost: each nonce
 * (with its address) is admitted, or refused, once. Bounded in memory: an
 * entry lives only as long as its cookie could still verify, and at most
 * `MAX_USED_NONCES` live at once; past that, admission refuses new joins
 * (throttled) rather than forget one early. Pure and clock-free.
 * @module
 */

import { COOKIE_LIFETIME_MS } from "../protocol/limits.ts";

/**
 * Nonces remembered at once: 16,384 decisions in one cookie lifetime (about
 * 540 joins a second, each from an address that proved itself with a
 * cookie). An entry is its key (address and nonce, under 80 bytes), its
 * expiry, and for a refusal the encoded REFUSE (at most 431 bytes): at most
 * about 8 MiB, typically well under 2 MiB.
 */
export const MAX_USED_NONCES = 16_384;

/** What became of a JOIN: admitted, or the REFUSE it got (sent again to a retransmission). */
export type Decision = { refusal?: Uint8Array };

interface Entry extends Decision {
  expires: number;
}

/** A bounded, time-expiring set of the nonces of decided JOINs. */
export class UsedNonces {
  #entries = new Map<string, Entry>();
  #capacity: number;

  /** A set that holds at most `capacity` unexpired nonces. */
  constructor(capacity = MAX_USED_NONCES) {
    this.#capacity = capacity;
  }

  /** Nonces held (expired ones go at the next `get`, `full` or `add`). */
  get size(): number {
    return this.#entries.size;
  }

  /** The decision taken on `nonce` from `address`, while its cookie lives. */
  get(address: string, nonce: Uint8Array, now: number): Decision | undefined {
    this.#expire(now);
    return this.#entries.get(keyOf(address, nonce));
  }

  /** True when no nonce can be added until one expires. */
  full(now: number): boolean {
    this.#expire(now);
    return this.#entries.size >= this.#capacity;
  }

  /**
   * Remember `decision` on `nonce` from `address`, whose cookie was issued
   * at `issued` (seconds): kept until that cookie no longer verifies.
   */
  add(
    address: string,
    nonce: Uint8Array,
    issued: number,
    decision: Decision,
  ): void {
    // CookieJar accepts an age of up to COOKIE_LIFETIME_MS in whole seconds.
    const expires = (issued + 1) * 1000 + COOKIE_LIFETIME_MS;
    this.#entries.set(keyOf(address, nonce), { ...decision, expires });
  }

  /** Drop expired entries from the oldest; insertion order is nearly expiry order. */
  #expire(now: number): void {
    for (const [key, entry] of this.#entries) {
      if (entry.expires > now) return;
      this.#entries.delete(key);
    }
  }
}

function keyOf(address: string, nonce: Uint8Array): string {
  return `${address}|${nonce.join(",")}`;
}
