/**
 * Bounds-checked big-endian reading and writing of wire fields. Every codec
 * in this folder goes through these two classes, so a truncated or oversized
 * field is caught in one place.
 * @module
 */

import { decodeUtf8 } from "./text.ts";

const encoder = new TextEncoder();

/** Reads fields from hostile bytes; every read checks bounds and throws. */
export class Reader {
  /** Made on the first f64 read: integers are read from the bytes, so decoding a datagram allocates no view. */
  #view: DataView | undefined;
  #bytes: Uint8Array;
  #offset = 0;
  #what: string;

  /** `what` names the structure in error messages ("WELCOME datagram"). */
  constructor(bytes: Uint8Array, what: string, offset = 0) {
    this.#bytes = bytes;
    this.#what = what;
    this.#offset = offset;
  }

  /** Bytes not read yet. */
  get remaining(): number {
    return this.#bytes.byteLength - this.#offset;
  }

  /** Current read position. */
  get offset(): number {
    return this.#offset;
  }

  #need(n: number, field: string): number {
    const at = this.#offset;
    if (at + n > this.#bytes.byteLength) {
      throw new RangeError(
        `Cannot decode ${this.#what}: ${field} needs ${n} bytes at offset ${at}, have ${
          this.#bytes.byteLength - at
        }`,
      );
    }
    this.#offset = at + n;
    return at;
  }

  /** An unsigned 8-bit integer. */
  u8(field: string): number {
    return this.#bytes[this.#need(1, field)]!;
  }

  /** An unsigned 16-bit integer. */
  u16(field: string): number {
    const at = this.#need(2, field);
    const b = this.#bytes;
    return (b[at]! << 8) | b[at + 1]!;
  }

  /** An unsigned 32-bit integer. */
  u32(field: string): number {
    const at = this.#need(4, field);
    const b = this.#bytes;
    return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) |
      b[at + 3]!) >>> 0;
  }

  /** A 64-bit float (timestamps in milliseconds). */
  f64(field: string): number {
    const b = this.#bytes;
    this.#view ??= new DataView(b.buffer, b.byteOffset, b.byteLength);
    const value = this.#view.getFloat64(this.#need(8, field));
    if (!Number.isFinite(value)) {
      throw new RangeError(
        `Cannot decode ${this.#what}: ${field} is not finite`,
      );
    }
    return value;
  }

  /** A view of the next `n` bytes (not a copy). */
  bytes(n: number, field: string): Uint8Array {
    const at = this.#need(n, field);
    return this.#bytes.subarray(at, at + n);
  }

  /** The rest of the input as a view. */
  rest(): Uint8Array {
    return this.bytes(this.remaining, "rest");
  }

  /** UTF-8 text with a length prefix of `prefix` bytes, at most `max` bytes. */
  text(field: string, prefix: 1 | 2, max: number): string {
    const length = prefix === 1 ? this.u8(field) : this.u16(field);
    if (length > max) {
      throw new RangeError(
        `Cannot decode ${this.#what}: ${field} is ${length} bytes, the limit is ${max}`,
      );
    }
    const text = decodeUtf8(this.bytes(length, field));
    if (text === undefined) {
      throw new SyntaxError(
        `Cannot decode ${this.#what}: ${field} is not valid UTF-8`,
      );
    }
    return text;
  }

  /** Throws unless every byte was consumed. */
  end(): void {
    if (this.remaining !== 0) {
      throw new SyntaxError(
        `Cannot decode ${this.#what}: ${this.remaining} unexpected trailing bytes`,
      );
    }
  }
}

/** Writes fields into a fixed-size buffer; overflow throws a RangeError. */
export class Writer {
  #bytes: Uint8Array;
  #view: DataView;
  #offset = 0;

  /** Write into `bytes`, or into a fresh buffer of `size` bytes. */
  constructor(bytesOrSize: Uint8Array | number) {
    this.#bytes = typeof bytesOrSize === "number"
      ? new Uint8Array(bytesOrSize)
      : bytesOrSize;
    this.#view = new DataView(
      this.#bytes.buffer,
      this.#bytes.byteOffset,
      this.#bytes.byteLength,
    );
  }

  /** Start over at the beginning of the buffer (to reuse this writer). */
  rewind(): this {
    this.#offset = 0;
    return this;
  }

  /** Bytes written so far. */
  get length(): number {
    return this.#offset;
  }

  /** Room left. */
  get remaining(): number {
    return this.#bytes.byteLength - this.#offset;
  }

  #take(n: number): number {
    const at = this.#offset;
    if (at + n > this.#bytes.byteLength) {
      throw new RangeError(
        `Cannot encode: ${n} more bytes exceed the ${this.#bytes.byteLength}-byte buffer`,
      );
    }
    this.#offset = at + n;
    return at;
  }

  /** An unsigned 8-bit integer. */
  u8(value: number): this {
    this.#view.setUint8(this.#take(1), value);
    return this;
  }

  /** An unsigned 16-bit integer. */
  u16(value: number): this {
    this.#view.setUint16(this.#take(2), value);
    return this;
  }

  /** An unsigned 32-bit integer. */
  u32(value: number): this {
    this.#view.setUint32(this.#take(4), value >>> 0);
    return this;
  }

  /** A 64-bit float. */
  f64(value: number): this {
    this.#view.setFloat64(this.#take(8), value);
    return this;
  }

  /** Raw bytes. */
  bytes(value: Uint8Array): this {
    this.#bytes.set(value, this.#take(value.byteLength));
    return this;
  }

  /** Zero bytes up to a total length of `total` (no-op when already past). */
  padTo(total: number): this {
    if (this.#offset < total) {
      const at = this.#take(total - this.#offset);
      this.#bytes.fill(0, at, total); // The buffer may be reused.
    }
    return this;
  }

  /** UTF-8 text with a length prefix; throws RangeError past `max` bytes. */
  text(value: string, prefix: 1 | 2, max: number): this {
    const start = this.#offset;
    const limit = Math.min(max, prefix === 1 ? 0xff : 0xffff);
    this.#take(prefix);
    const { read, written } = encoder.encodeInto(
      value,
      this.#bytes.subarray(this.#offset),
    );
    if (read !== value.length || written > limit) {
      this.#offset = start;
      throw new RangeError(
        `Cannot encode text: ${
          encoder.encode(value).byteLength
        } bytes, the limit is ${Math.min(limit, this.remaining)}`,
      );
    }
    if (prefix === 1) this.#view.setUint8(start, written);
    else this.#view.setUint16(start, written);
    this.#offset += written;
    return this;
  }

  /** A view of what was written. */
  finish(): Uint8Array {
    return this.#bytes.subarray(0, this.#offset);
  }
}
