/**
 * The server's table of sessions: by id (what datagrams name), by address
 * (to recognise a retransmitted JOIN), and the queue of sessions with
 * something to send, visited round-robin so one busy member cannot starve
 * the others.
 * @module
 */

import type { Address } from "../protocol/address.ts";
import type { TokenBucket } from "../protocol/bucket.ts";
import type { ClientRequest } from "../protocol/events.ts";
import type { Link } from "../protocol/link.ts";

/** A member's session as the server keeps it. */
export interface Session {
  readonly id: number;
  readonly token: Uint8Array;
  name: string;
  link: Link;
  /** Where the member is; undefined while suspended. */
  address?: Address;
  addressKey?: string;
  /** Restored from the journal after a restart: removed unless resumed by then. */
  suspendedUntil?: number;
  /** Set once a GOODBYE is queued: the session is forgotten after it. */
  closingUntil?: number;
  /** The cookie of the JOIN that last resumed this session. */
  resumedWith?: Uint8Array;
  /** The member was told it is falling behind. */
  warnedSlow?: boolean;
  /** In the queue of sessions with work (see Sessions.touch). */
  queued?: boolean;
  /** Flood control: the member's rate, and what waits for it, in order. */
  bucket: TokenBucket;
  throttled: Array<Exclude<ClientRequest, { kind: "leave" }>>;
}

/** True for a session that takes part in the room right now. */
export function isLive(session: Session): boolean {
  return session.address !== undefined && session.closingUntil === undefined &&
    session.suspendedUntil === undefined;
}

/** Sessions by id and by address, and which of them have work. */
export class Sessions {
  #byId = new Map<number, Session>();
  #byAddress = new Map<string, Session>();
  /**
   * Sessions that may have work, first come first served. A FIFO rather than
   * a Set: taking the first of a Set that is emptied from the front and
   * refilled at the back skips every deleted slot before it (V8 compacts
   * only on growth), which showed as the server's hottest loop at M = 1000.
   */
  #work: Array<Session | undefined> = [];
  #workHead = 0;

  /** How many sessions there are (members, suspended, and closing). */
  get size(): number {
    return this.#byId.size;
  }

  /** The session with this id. */
  get(id: number): Session | undefined {
    return this.#byId.get(id);
  }

  /** The session last seen at this address. */
  at(addressKey: string): Session | undefined {
    return this.#byAddress.get(addressKey);
  }

  /** Every session. */
  values(): IterableIterator<Session> {
    return this.#byId.values();
  }

  /** A fresh random session id, never 0, not in use. */
  newId(): number {
    const id = new Uint32Array(1);
    do crypto.getRandomValues(id); while (
      id[0] === 0 || this.#byId.has(id[0]!)
    );
    return id[0]!;
  }

  /** Add a session (at its address, if it has one). */
  add(session: Session): void {
    this.#byId.set(session.id, session);
    if (session.addressKey !== undefined) {
      this.#byAddress.set(session.addressKey, session);
    }
  }

  /** The member is now at `address`. */
  move(session: Session, address: Address, key: string): void {
    if (
      session.addressKey !== undefined &&
      this.#byAddress.get(session.addressKey) === session
    ) {
      this.#byAddress.delete(session.addressKey);
    }
    session.address = { hostname: address.hostname, port: address.port };
    session.addressKey = key;
    this.#byAddress.set(key, session);
  }

  /** Drop a session from every index. */
  forget(session: Session): void {
    this.#byId.delete(session.id);
    // Still in the queue: poll() skips it (it is no longer in #byId).
    session.queued = false;
    if (
      session.addressKey !== undefined &&
      this.#byAddress.get(session.addressKey) === session
    ) {
      this.#byAddress.delete(session.addressKey);
    }
  }

  /** Note that a session may have something to send. */
  touch(session: Session): void {
    if (session.address === undefined || session.queued) return;
    session.queued = true;
    this.#work.push(session);
  }

  /** The next datagram of any session with work, round-robin. */
  poll(
    into: Uint8Array,
    now: number,
  ): { bytes: Uint8Array; to: Address } | undefined {
    // Compact rarely, so the queue costs O(1) amortised per visit.
    if (this.#workHead >= 1024 && this.#workHead * 2 >= this.#work.length) {
      this.#work.splice(0, this.#workHead);
      this.#workHead = 0;
    }
    while (this.#workHead < this.#work.length) {
      const session = this.#work[this.#workHead]!;
      this.#work[this.#workHead++] = undefined;
      if (!session.queued || this.#byId.get(session.id) !== session) continue;
      session.queued = false;
      const bytes = session.link.poll(into, now);
      // Back of the queue: every other session gets a datagram first.
      if (session.link.wantsToSend(now)) this.touch(session);
      if (bytes !== undefined && session.address !== undefined) {
        return { bytes, to: session.address };
      }
    }
    this.#work.length = 0;
    this.#workHead = 0;
    return undefined;
  }
}
