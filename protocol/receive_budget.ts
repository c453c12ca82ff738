/**
 * A cap on the bytes that many reliable channels buffer out of order
 * together: the server shares one among every session, so a room full of
 * sessions that never send their next frame holds at most this much.
 * Pure.
 * @module
 */

/** Bytes of out-of-order frames buffered across channels, against one cap. */
export class ReceiveBudget {
  /** Most bytes the channels sharing this budget may buffer together. */
  readonly limitBytes: number;
  #used = 0;

  /** A budget of `limitBytes` (RangeError unless a whole number ≥ 0). */
  constructor(limitBytes: number) {
    if (!Number.isSafeInteger(limitBytes) || limitBytes < 0) {
      throw new RangeError(
        `Cannot create receive budget: limitBytes is ${limitBytes}, need a whole number of at least 0`,
      );
    }
    this.limitBytes = limitBytes;
  }

  /** Bytes buffered now by every channel sharing this budget. */
  get usedBytes(): number {
    return this.#used;
  }

  /** Take `bytes` if they fit under the cap; false (nothing taken) if not. */
  take(bytes: number): boolean {
    if (this.#used + bytes > this.limitBytes) return false;
    this.#used += bytes;
    return true;
  }

  /** Take `bytes` whether or not they fit (a channel that joins with frames already buffered). */
  force(bytes: number): void {
    this.#used += bytes;
  }

  /** Give back `bytes` taken earlier. */
  give(bytes: number): void {
    this.#used = Math.max(0, this.#used - bytes);
  }
}
