/**
 * What a member sent that the server has not acknowledged yet, so it can
 * show delivery status and, after a server restart, send exactly the
 * requests the server never processed. Pure.
 * @module
 */

import type { ClientRequest } from "../protocol/events.ts";
import type { Link, SeqRange } from "../protocol/link.ts";

interface Entry {
  range: SeqRange;
  encoded: Uint8Array;
  request: ClientRequest;
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

  /** Send `encoded` (the encoding of `request`) on `link`, and remember it until acknowledged. */
  send(link: Link, encoded: Uint8Array, request: ClientRequest): void {
    this.#entries.push({ range: link.send(encoded), encoded, request });
  }

  /** Forget what the server has now (every seq before `peerNext`); returns those requests. */
  settle(peerNext: number): ClientRequest[] {
    const done: ClientRequest[] = [];
    while (
      this.#entries.length > 0 && before(this.#entries[0]!.range.last, peerNext)
    ) {
      done.push(this.#entries.shift()!.request);
    }
    return done;
  }

  /**
   * The session resumed on `link`: the server processed every request
   * before `resumeSeq`; send the rest again. Returns the requests now known
   * delivered.
   */
  resume(link: Link, resumeSeq: number): ClientRequest[] {
    const done = this.settle(resumeSeq);
    for (const entry of this.#entries) entry.range = link.send(entry.encoded);
    return done;
  }

  /** Give up on everything (the session is gone); returns the requests. */
  abandon(): ClientRequest[] {
    return this.#entries.splice(0).map((entry) => entry.request);
  }
}
