/**
 * Splitting a long encoded event into frame bodies and joining them back.
 * Each chunk body is one flag byte (1 = more chunks follow, 0 = last) and a
 * slice of the event. The stream is ordered, so a channel needs at most one
 * partial reassembly.
 * @module
 */

import { MAX_EVENT_BYTES } from "./limits.ts";

const MORE = 1;
const LAST = 0;

/**
 * Split bytes into chunk bodies of at most maxBody bytes each (flag byte
 * included); an empty event is one chunk. The chunks are views into one
 * fresh buffer.
 */
export function split(bytes: Uint8Array, maxBody: number): Uint8Array[] {
  if (!Number.isInteger(maxBody) || maxBody < 2) {
    throw new RangeError(
      `Cannot split event: maxBody is ${maxBody}, need at least 2`,
    );
  }
  const payload = maxBody - 1;
  const count = Math.max(1, Math.ceil(bytes.byteLength / payload));
  // One allocation for every chunk: a broadcast splits once and shares them.
  const buffer = new Uint8Array(bytes.byteLength + count);
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const from = i * payload;
    const part = bytes.subarray(from, from + payload);
    const at = from + i;
    buffer[at] = i === count - 1 ? LAST : MORE;
    buffer.set(part, at + 1);
    chunks.push(buffer.subarray(at, at + 1 + part.byteLength));
  }
  return chunks;
}

/** Joins chunk bodies back into whole events; bounded by maxBytes. */
export class Reassembler {
  #maxBytes: number;
  #parts: Uint8Array[] = [];
  #pending = 0;
  /** Set after an oversized event's chunk: swallow the rest of that event. */
  #skipping = false;

  /** A reassembler for events of at most `maxBytes` (MAX_EVENT_BYTES). */
  constructor(maxBytes: number = MAX_EVENT_BYTES) {
    if (!Number.isInteger(maxBytes) || maxBytes < 0) {
      throw new RangeError(
        `Cannot create reassembler: maxBytes is ${maxBytes}`,
      );
    }
    this.#maxBytes = maxBytes;
  }

  /**
   * Feed the next in-order chunk body; returns the whole event when this
   * chunk is the last, else undefined. Copies: `chunk` may be a view into a
   * reused buffer. Throws SyntaxError for an empty chunk or a flag byte other
   * than 0/1, and RangeError when the event would exceed maxBytes; either way
   * the partial event is dropped, and after an oversized chunk the rest of
   * that event is swallowed silently, so the next event starts clean.
   */
  push(chunk: Uint8Array): Uint8Array | undefined {
    const flag = chunk[0];
    if (flag !== MORE && flag !== LAST) {
      this.reset();
      const what = flag === undefined
        ? "chunk is empty"
        : `flag byte is ${flag}, need 0 or 1`;
      throw new SyntaxError(`Cannot reassemble event: ${what}`);
    }
    if (this.#skipping) {
      this.#skipping = flag === MORE;
      return undefined;
    }
    const payload = chunk.subarray(1);
    const total = this.#pending + payload.byteLength;
    if (total > this.#maxBytes) {
      this.reset();
      this.#skipping = flag === MORE;
      throw new RangeError(
        `Cannot reassemble event: ${total} bytes exceeds ${this.#maxBytes}`,
      );
    }
    if (flag === LAST && this.#pending === 0) return payload.slice();
    // Empty payloads are not kept: a flood of bare flag bytes costs nothing.
    if (payload.byteLength > 0) this.#parts.push(payload.slice());
    this.#pending = total;
    return flag === LAST ? this.#join() : undefined;
  }

  /** Bytes held for the event in progress. */
  get pendingBytes(): number {
    return this.#pending;
  }

  /** Drop any partial event. */
  reset(): void {
    this.#parts = [];
    this.#pending = 0;
    this.#skipping = false;
  }

  #join(): Uint8Array {
    const whole = new Uint8Array(this.#pending);
    let at = 0;
    for (const part of this.#parts) {
      whole.set(part, at);
      at += part.byteLength;
    }
    this.reset();
    return whole;
  }
}
