/**
 * The servers a member may use, in the order given (`join --server A,B`),
 * and when it moves from one to the next: a server that does not answer a
 * JOIN within its window is left for the next, cycling; a session whose
 * server falls silent resumes elsewhere. Pure: the clock is passed in.
 * @module
 */

import { type Address, formatAddress } from "../protocol/address.ts";

/**
 * A server's window, in first JOIN retry intervals: 6 × 250 ms = 1.5 s by
 * default, which holds three JOINs (at 0, 250 and 750 ms) before the next
 * server gets its turn. Long enough for a loaded server's COOKIE, short
 * enough that a dead one costs little of the join's 5 s.
 */
export const RETRIES_PER_SERVER = 6;

/**
 * Heartbeats of silence after which a member with several servers stops
 * waiting on its session and resumes (at the same server first, for one
 * window). The lost-server notice waits 3 s and a link only fails after
 * its retransmissions run out, which is far longer; at 2 heartbeats (2 s by
 * default) plus one window the member is on the next server about 3.5 s
 * after its server died. A member that hears nothing for 2 heartbeats has
 * missed about 4 PONGs (it pings four times per heartbeat when silent), so
 * a lossy link rarely trips it, and if it does, the member only resumes on
 * the server it was on.
 */
export const SILENT_HEARTBEATS = 2;

/** A member's list of servers and which one it uses now. */
export class Servers {
  /** Every server, in the order given. */
  readonly list: readonly Address[];
  #current = 0;
  /** The server the member last got in at; undefined before its first welcome. */
  #joined: number | undefined;
  /** When the current server's window ends. */
  #until = Infinity;
  #windowMs: number;

  /** `list` (may be empty: one server the shell knows); each gets `windowMs` to answer. */
  constructor(list: readonly Address[], windowMs: number) {
    this.list = list.map((address) => ({ ...address }));
    this.#windowMs = windowMs;
  }

  /** The server JOINs and SESSION datagrams go to now; undefined for an empty list. */
  get current(): Address | undefined {
    return this.list[this.#current];
  }

  /** More than one server: the member moves between them. */
  get several(): boolean {
    return this.list.length > 1;
  }

  /** A join (first or resuming) starts at `now`: the current server gets a window. */
  start(now: number): void {
    this.#until = now + this.#windowMs;
  }

  /** The current server answered at `now`: it is alive, so it gets another window. */
  answered(now: number): void {
    this.#until = now + this.#windowMs;
  }

  /**
   * Move to the next server when the current one's window ran out by
   * `now`; true when it moved (the join starts over there).
   */
  rotate(now: number): boolean {
    if (!this.several || now < this.#until) return false;
    this.#current = (this.#current + 1) % this.list.length;
    this.#until = now + this.#windowMs;
    return true;
  }

  /**
   * The member got in at the current server: its address ("host:port")
   * when that is another server than the one it was in before, else
   * undefined (the first join, or back where it was).
   */
  welcomed(): string | undefined {
    const before = this.#joined;
    this.#joined = this.#current;
    if (before === undefined || before === this.#current) return undefined;
    return formatAddress(this.list[this.#current]!);
  }

  /**
   * Whether `silenceMs` without a word from the server (whose heartbeat is
   * `heartbeatMs`) means resuming, perhaps elsewhere: only with several.
   */
  tooSilent(silenceMs: number, heartbeatMs: number): boolean {
    return this.several && silenceMs > SILENT_HEARTBEATS * heartbeatMs;
  }
}
