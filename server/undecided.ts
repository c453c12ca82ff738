/**
 * Joins the room's log has not decided yet (a cluster's store answers a
 * name claim later): an engine whose clients ask only once (classic, the
 * browser page) keeps each here under the member id it asked with, and
 * asks again on its ticks until the log decides or the wait runs out.
 * Pure: time comes in as `now`.
 * @module
 */

/** A join not decided within this long is refused (try again) (ms). */
export const UNDECIDED_MS = 5000;

/** One join waiting for the room's log. */
export interface Waiting<V> {
  /** The member id the join asked with (the log's claim is for it). */
  id: number;
  value: V;
  since: number;
}

/** Joins waiting for the room's log, by key (an address, a socket). */
export class Undecided<K, V> {
  #waiting = new Map<K, Waiting<V>>();
  #max: number;

  /** At most `max` joins wait at once; past it a join is not kept. */
  constructor(max = 1024) {
    this.#max = max;
  }

  /** Keep a join asked with `id`, waiting since `since`; false when full. */
  hold(key: K, id: number, value: V, since: number): boolean {
    if (this.#waiting.size >= this.#max && !this.#waiting.has(key)) {
      return false;
    }
    this.#waiting.set(key, { id, value, since });
    return true;
  }

  /** Take `key`'s waiting join out (it is asked again, or its client is gone). */
  take(key: K): Waiting<V> | undefined {
    const waiting = this.#waiting.get(key);
    this.#waiting.delete(key);
    return waiting;
  }

  /** True while `key` has a join waiting. */
  has(key: K): boolean {
    return this.#waiting.has(key);
  }

  /**
   * Every waiting join, taken out: `expired` when it waited UNDECIDED_MS
   * (refuse it), else ask again (keep it with `hold` if still undecided).
   */
  *due(now: number): Generator<Waiting<V> & { key: K; expired: boolean }> {
    for (const [key, waiting] of [...this.#waiting]) {
      this.#waiting.delete(key);
      yield { key, ...waiting, expired: now - waiting.since >= UNDECIDED_MS };
    }
  }
}
