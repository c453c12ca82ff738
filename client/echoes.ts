/**
 * When the member's own lines show: a line shows once the server has it,
 * except what the server may still refuse. A private line shows when the
 * server's copy comes back (so `/msg nobody hi` never looks sent); while
 * the member is muted, a line waits until the server refuses it (then it
 * shows as not delivered) or the mute ends (then it went out). Pure.
 * @module
 */

import type { ClientRequest, ServerEvent } from "../protocol/events.ts";

/** Own lines the server has, held back while they may still be refused. */
export class Echoes {
  #muted = false;
  #held: ClientRequest[] = [];

  /**
   * Of `acked` (requests the server now has), those to show at once, given
   * the `events` that came with the acknowledgement; the rest wait.
   */
  settle(
    acked: readonly ClientRequest[],
    events: readonly ServerEvent[],
  ): ClientRequest[] {
    const muting = this.#muted ||
      events.some((e) => e.kind === "muted" && e.ms > 0);
    const shown: ClientRequest[] = [];
    for (const request of acked) {
      // Its copy from the server shows it (see `ClientCore`).
      if (request.kind === "private") continue;
      if (muting && (request.kind === "say" || request.kind === "action")) {
        this.#held.push(request);
      } else shown.push(request);
    }
    // Refused in the very datagram that acknowledged it: never shown.
    for (const event of events) {
      if (event.kind === "unsent") take(shown, event.request);
    }
    return shown;
  }

  /** The server refused `request`: it will not show. */
  refused(request: ClientRequest): void {
    take(this.#held, request);
  }

  /** The member is muted (`ms` > 0) or not; returns the held lines that went out. */
  muted(ms: number): ClientRequest[] {
    this.#muted = ms > 0;
    return this.#muted ? [] : this.#held.splice(0);
  }

  /** The session ended with the server's goodbye: what it did not refuse went out. */
  ended(): ClientRequest[] {
    this.#muted = false;
    return this.#held.splice(0);
  }
}

/** Remove the first request like `request` from `list`. */
function take(list: ClientRequest[], request: ClientRequest): void {
  const i = list.findIndex((r) =>
    r.kind === request.kind &&
    ("text" in r ? r.text : "") ===
      ("text" in request ? request.text : "") &&
    ("to" in r ? r.to : "") === ("to" in request ? request.to : "")
  );
  if (i !== -1) list.splice(i, 1);
}
