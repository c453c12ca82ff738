/**
 * The one small port through which the chat core reaches a member of any
 * kind (a native UDP session, a classic text client, later a browser):
 * deliver an event, remove the member with a reason, describe it for /who.
 * The chat core knows nothing else of how a member is connected.
 * @module
 */

import type { GoodbyeWhy, ServerEvent } from "../protocol/events.ts";
import type { Lang } from "../wording/i18n.ts";

/** What /who shows of a member's connection. */
export interface LinkInfo {
  /** Where it is, as HOST:PORT. */
  address: string;
  /** Smoothed round trip (ms); 0 when the kind has none. */
  rttMs: number;
  /** Share of datagrams that needed a retransmission, 0..100. */
  lossPercent: number;
}

/**
 * An event on its way to members: the core makes one per broadcast, and
 * each kind of member encodes it once (`as`), however many members get it.
 */
export class Outbound {
  /** The event. */
  readonly event: ServerEvent;
  #forms: Array<[unknown, unknown]> = [];

  /** An event to deliver. */
  constructor(event: ServerEvent) {
    this.event = event;
  }

  /** The event encoded by `encode`, made on the first call for that encoder. */
  as<T>(encode: (event: ServerEvent) => T): T {
    for (const [key, value] of this.#forms) {
      if (key === encode) return value as T;
    }
    const value = encode(this.event);
    this.#forms.push([encode, value]);
    return value;
  }
}

/** One member as its transport presents it to the chat core. */
export interface MemberPort {
  /** Which kind of member ("native", "classic", ...): limits are per kind. */
  readonly kind: string;
  /** Longest line (UTF-8 bytes) this kind may send, below the room's own limit. */
  readonly maxTextBytes?: number;
  /** The language of the server's words to it; English when unset. */
  readonly lang?: Lang;
  /** Queue `event` for the member; returns how many messages wait for it. */
  deliver(event: Outbound): number;
  /**
   * The member is out of the room (or the server is closing): tell it why,
   * when it can still be told, and end its connection.
   */
  remove(why: GoodbyeWhy, reason: string, now: number): void;
  /**
   * The server is restarting: tell the member. True when it waits and
   * resumes (it stays a member until the server stops); false when it was
   * told to join again and its connection is over. A port without this is
   * removed as when the server closes.
   */
  restart?(reason: string, now: number): boolean;
  /** The connection for /who; undefined while it is not connected. */
  describe(now: number): LinkInfo | undefined;
}
