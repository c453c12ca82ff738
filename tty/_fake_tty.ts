/**
 * A terminal for unit tests of what runs on one: keys are pushed in, what
 * is written is recorded, signals are fired by hand. No I/O.
 * @module
 */

import type { TtyIo } from "./input_line.ts";

/** A fake `TtyIo` of `columns` × `rows`. */
export class FakeTty implements TtyIo {
  columns: number;
  rows: number;
  /** Everything written so far. */
  written = "";
  raw = false;
  #chunks: (string | null)[] = [];
  #waiting: (() => void) | undefined;
  #handlers = new Map<string, () => void>();

  constructor(columns = 80, rows = 24) {
    this.columns = columns;
    this.rows = rows;
  }

  /** Type `text` (one chunk, as a paste arrives); null ends input. */
  type(text: string | null): Promise<void> {
    this.#chunks.push(text);
    this.#waiting?.();
    // Let the reader take it and act.
    return new Promise((resolve) => setTimeout(resolve, 0));
  }

  /** Fire `signal`'s handler. */
  signal(signal: string): void {
    this.#handlers.get(signal)?.();
  }

  /** Forget what was written. */
  clear(): void {
    this.written = "";
  }

  async read(buffer: Uint8Array): Promise<number | null> {
    while (this.#chunks.length === 0) {
      await new Promise<void>((resolve) => (this.#waiting = resolve));
    }
    const chunk = this.#chunks.shift()!;
    if (chunk === null) return null;
    const bytes = new TextEncoder().encode(chunk);
    buffer.set(bytes);
    return bytes.length;
  }

  write(text: string): void {
    this.written += text;
  }

  setRaw(raw: boolean): void {
    this.raw = raw;
  }

  size(): { columns: number; rows: number } {
    return { columns: this.columns, rows: this.rows };
  }

  onSignal(signal: string, handler: () => void): () => void {
    this.#handlers.set(signal, handler);
    return () => this.#handlers.delete(signal);
  }
}
