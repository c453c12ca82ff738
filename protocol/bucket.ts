/**
 * A token bucket: `burst` tokens, refilled at `perSecond`. The server uses
 * one per member to limit floods, the client one to pace itself under the
 * same limit, so a paste is queued instead of refused. Pure: time is passed in.
 * @module
 */

/** A token bucket; `perSecond` 0 means unlimited. */
export class TokenBucket {
  #burst: number;
  #perMs: number;
  #tokens: number;
  #at: number;

  /** A full bucket at `now`. */
  constructor(burst: number, perSecond: number, now: number) {
    this.#burst = burst;
    this.#perMs = perSecond / 1000;
    this.#tokens = burst;
    this.#at = now;
  }

  /** True when unlimited. */
  get unlimited(): boolean {
    return this.#perMs === 0;
  }

  /** Take a token if there is one. */
  take(now: number): boolean {
    if (this.unlimited) return true;
    this.#refill(now);
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** When the next token is there (ms), `now` if one is. */
  nextAt(now: number): number {
    if (this.unlimited) return now;
    this.#refill(now);
    return this.#tokens >= 1 ? now : now + (1 - this.#tokens) / this.#perMs;
  }

  /** True when the bucket is full: forgetting it loses nothing. */
  full(now: number): boolean {
    if (this.unlimited) return true;
    this.#refill(now);
    return this.#tokens >= this.#burst;
  }

  #refill(now: number): void {
    this.#tokens = Math.min(
      this.#burst,
      this.#tokens + (now - this.#at) * this.#perMs,
    );
    this.#at = now;
  }
}
