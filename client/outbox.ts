/**
 * What a member sent that the server has not acknowledged yet, so it can
 * show delivery status and, after a server restart, send exactly the
 * requests the server never processed. Pure.
 * @module
 */

import type { Link, SeqRange } from "../protocol/link.ts";

interface Entry {
  range: SeqRange;
  encoded: Uint8Array;
  /** The chat text, for status lines; absent for requests like LEAVE. */
  text?: string;
}

/** True when serial number `a` comes before `b`. */
function before(a: number, b: number): boolean {
  return ((a - b) | 0) < 0;
}

/** Requests in flight, oldest first. */
export class Outbox {
  #entries: Entry[] = [];

  /** How many requests wait for the server. */
  get size(): number {
    return this.#entries.length;
  }

  /** Send `encoded` on `link` and remember it until acknowledged. */
  send(link: Link, encoded: Uint8Array, text?: string): void {
    this.#entries.push({ range: link.send(encoded), encoded, text });
  }

  /** Forget what the server has now (every seq before `peerNext`); returns those texts. */
  settle(peerNext: number): string[] {
    const done: string[] = [];
    while (
      this.#entries.length > 0 && before(this.#entries[0]!.range.last, peerNext)
    ) {
      const { text } = this.#entries.shift()!;
      if (text !== undefined) done.push(text);
    }
    return done;
  }

  /**
   * The session resumed on `link`: the server processed every request
   * before `resumeSeq`; send the rest again. Returns the texts now known
   * delivered.
   */
  resume(link: Link, resumeSeq: number): string[] {
    const done = this.settle(resumeSeq);
    for (const entry of this.#entries) entry.range = link.send(entry.encoded);
    return done;
  }

  /** Give up on everything (the session is gone); returns the texts. */
  abandon(): string[] {
    const texts = this.#entries.flatMap((e) =>
      e.text === undefined ? [] : [e.text]
    );
    this.#entries = [];
    return texts;
  }
}
