/**
 * The native engine's sessions: by id (what datagrams name) and by address
 * (to recognise a retransmitted JOIN). Each session is a `Sender` of the
 * server's one send queue (`work.ts`), beside the classic members.
 * @module
 */

import type { Address } from "../protocol/address.ts";
import type { Lang } from "../wording/i18n.ts";
import type { Link } from "../protocol/link.ts";
import { ReceiveBudget } from "../protocol/receive_budget.ts";
import type { Outgoing, Sender } from "./work.ts";

/**
 * Most bytes every session together buffers out of order (64 MiB): a
 * session alone may hold 64 KiB (receiveBufferBytes), so about 1,000
 * sessions that never send their next frame fill it. Past it every
 * session's early frames are dropped unacknowledged and sent again by
 * their senders; frames in order are always taken, so members go on.
 */
export const ROOM_RECEIVE_BUFFER_BYTES = 64 * 1024 * 1024;

/** A member's native session as the server keeps it. */
export class Session implements Sender {
  /** The session id, also the member's id in the chat core. */
  readonly id: number;
  /** The secret a datagram must carry. */
  readonly token: Uint8Array;
  #link: Link;
  #budget: ReceiveBudget | undefined;
  /** Where the member is; undefined while suspended. */
  address?: Address;
  addressKey?: string;
  /** Restored from the journal after a restart: removed unless resumed by then. */
  suspendedUntil?: number;
  /** Set once a GOODBYE is queued: the session is forgotten after it. */
  closingUntil?: number;
  /** The packet-number floor last journaled for this session (see `native.ts`). */
  pnJournaled?: number;
  /** The cookie of the JOIN that last resumed this session. */
  resumedWith?: Uint8Array;
  /** The language its JOIN named, for the server's words to it. */
  lang?: Lang;
  /** In the send queue (the queue's own flag). */
  queued = false;
  /** False once forgotten. */
  active = true;

  /** A session `id` with `token` on `link`, not yet at an address. */
  constructor(id: number, token: Uint8Array, link: Link) {
    this.id = id;
    this.token = token;
    this.#link = link;
  }

  /** The reliable link. */
  get link(): Link {
    return this.#link;
  }

  /** A new link (the member resumed): the old one gives its buffers back. */
  set link(link: Link) {
    this.#link.release();
    this.#link = link;
    if (this.#budget !== undefined) link.channel.shareBudget(this.#budget);
  }

  /** Charge what this session's links buffer out of order to `budget`. */
  shareBudget(budget: ReceiveBudget): void {
    this.#budget = budget;
    this.#link.channel.shareBudget(budget);
  }

  /** True while the session takes part in the room. */
  get live(): boolean {
    return this.address !== undefined && this.closingUntil === undefined &&
      this.suspendedUntil === undefined;
  }

  /** The next datagram of this session, or undefined. */
  take(into: Uint8Array, now: number): Outgoing | undefined {
    if (this.address === undefined) return undefined;
    const bytes = this.link.poll(into, now);
    return bytes === undefined ? undefined : { bytes, to: this.address };
  }

  /** True while the link has something to send now. */
  wantsToSend(now: number): boolean {
    return this.address !== undefined && this.link.wantsToSend(now);
  }
}

/** Sessions by id and by address, and what they buffer out of order together. */
export class Sessions {
  /** The room-wide cap on bytes buffered out of order, shared by every session. */
  readonly budget: ReceiveBudget;
  #byId = new Map<number, Session>();
  #byAddress = new Map<string, Session>();

  /** Sessions whose early frames share at most `receiveBufferBytes`. */
  constructor(receiveBufferBytes = ROOM_RECEIVE_BUFFER_BYTES) {
    this.budget = new ReceiveBudget(receiveBufferBytes);
  }

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

  /** True when `id` is taken. */
  has(id: number): boolean {
    return this.#byId.has(id);
  }

  /** Add a session (at its address, if it has one). */
  add(session: Session): void {
    session.shareBudget(this.budget);
    this.#byId.set(session.id, session);
    if (session.addressKey !== undefined) {
      this.#byAddress.set(session.addressKey, session);
    }
  }

  /** The member is now at `address`. */
  move(session: Session, address: Address, key: string): void {
    this.#unindex(session);
    session.address = { hostname: address.hostname, port: address.port };
    session.addressKey = key;
    this.#byAddress.set(key, session);
  }

  /**
   * Drop a session from every index and give back what it buffered; the
   * send queue skips it from now on.
   */
  forget(session: Session): void {
    this.#byId.delete(session.id);
    session.active = false;
    session.link.release();
    this.#unindex(session);
  }

  #unindex(session: Session): void {
    if (
      session.addressKey !== undefined &&
      this.#byAddress.get(session.addressKey) === session
    ) {
      this.#byAddress.delete(session.addressKey);
    }
  }
}
