/**
 * The room's log: who owns which name, the numbered room events and how
 * far back they reach. The `Room` keeps its members and rules; everything
 * that must be the same for every server of a room goes through this seam.
 * `MemoryLog` is the default (one process); `JournaledLog` also writes each
 * event to the `--state` journal; a shared log can replace both.
 * @module
 */

import type { RoomEvent, ServerEvent } from "../protocol/events.ts";

/** A logged room event and whom it went to (a resuming member gets only its own). */
export type LogEntry =
  | { to: "all"; except?: number; event: RoomEvent }
  | { to: number; event: RoomEvent };

/** Whether a name could be taken: yes, no, or not known yet (ask again). */
export type Claim = "ok" | "taken" | "pending";

/** What the room needs of its log. */
export interface RoomLog {
  /** Id of the newest room event (0 before the first). */
  readonly lastId: number;
  /** Take name `key` for member `id` (a member may claim its own name again). */
  claim(key: string, id: number): Claim;
  /** Give name `key` back, if member `id` holds it. */
  release(key: string, id: number): void;
  /** Number `entry`'s event after every other one and keep it. */
  append(entry: LogEntry): void;
  /** Events after `lastSeen` that went to member `id`; undefined when the log no longer reaches back. */
  since(lastSeen: number, id?: number): RoomEvent[] | undefined;
  /** The last `count` events that went to everyone, of the given kinds, oldest first. */
  history(count: number, kinds: ReadonlySet<ServerEvent["kind"]>): RoomEvent[];
  /** Every entry still kept, oldest first. */
  recent(): LogEntry[];
  /**
   * True for an entry appended here that the log delivers itself, later
   * (a log shared by servers delivers in the room's order); absent: none.
   */
  held?(entry: object): boolean;
  /** A member of another server sharing the room, by name key; absent: none. */
  remote?(key: string): { id: number; name: string } | undefined;
  /** The members of the other servers sharing the room (`server`: where, HOST:PORT). */
  remotes?(): Iterable<{ name: string; away: string; server: string }>;
  /** How many members the other servers have. */
  readonly remoteCount?: number;
  /** This server's address (HOST:PORT) when other servers share the room. */
  readonly here?: string;
  /** Ask the server of member `id` (another one) to remove it; false when it is not known. */
  kick?(id: number, why: "kicked" | "banned", reason: string): boolean;
}

/** Room events kept for members that resume (see `since`). */
export const DEFAULT_LOG_SIZE = 1024;

/** The log of a room that lives in one process. */
export class MemoryLog implements RoomLog {
  #names = new Map<string, number>();
  #entries: LogEntry[] = [];
  #head = 0;
  #lastId: number;
  #size: number;
  /** With `reachesFrom`: every event after this id is kept (ids may skip). */
  #floor: number | undefined;

  /** A log keeping `size` events, continuing after `lastId` with `entries`. */
  constructor(
    size = DEFAULT_LOG_SIZE,
    lastId = 0,
    entries: readonly LogEntry[] = [],
  ) {
    this.#size = Math.max(1, size);
    this.#lastId = lastId;
    for (const entry of entries.slice(-this.#size)) {
      this.#entries.push(entry);
      this.#lastId = Math.max(this.#lastId, entry.event.id);
    }
  }

  /** Id of the newest room event. */
  get lastId(): number {
    return this.#lastId;
  }

  /** Take `key` for `id` unless another member has it. */
  claim(key: string, id: number): Claim {
    const owner = this.#names.get(key);
    if (owner !== undefined && owner !== id) return "taken";
    this.#names.set(key, id);
    return "ok";
  }

  /** Free `key` if `id` holds it. */
  release(key: string, id: number): void {
    if (this.#names.get(key) === id) this.#names.delete(key);
  }

  /** Number and keep `entry`. */
  append(entry: LogEntry): void {
    entry.event.id = this.#lastId + 1;
    this.keep(entry);
  }

  /**
   * Every event after `id` is kept from now on, though ids may skip (a
   * shared log's control records take ids too): `since` then reaches back
   * to `id` rather than to an unbroken run of ids.
   */
  reachesFrom(id: number): void {
    this.#floor = id;
  }

  /** Keep `entry`, numbered elsewhere after every entry kept so far. */
  keep(entry: LogEntry): void {
    this.#lastId = entry.event.id;
    this.#entries.push(entry);
    // Drop from the front in batches: shift() per event is O(n).
    if (this.#entries.length - this.#head > this.#size) {
      if (this.#floor !== undefined) {
        this.#floor = this.#entries[this.#head]!.event.id;
      }
      this.#head++;
    }
    if (this.#head >= this.#size) {
      this.#entries.splice(0, this.#head);
      this.#head = 0;
    }
  }

  /** Events after `lastSeen` for member `id`, or undefined when too old. */
  since(lastSeen: number, id?: number): RoomEvent[] | undefined {
    if (lastSeen >= this.#lastId) return [];
    const first = this.#entries[this.#head];
    const reaches = this.#floor !== undefined
      ? lastSeen >= this.#floor
      : first !== undefined && first.event.id <= lastSeen + 1;
    if (!reaches) return undefined;
    const events: RoomEvent[] = [];
    // A scan, not an index: ids need not be contiguous (a journal's lost tail).
    for (let i = this.#head; i < this.#entries.length; i++) {
      const entry = this.#entries[i]!;
      if (entry.event.id <= lastSeen) continue;
      const mine = entry.to === "all"
        ? entry.except === undefined || entry.except !== id
        : entry.to === id;
      if (mine) events.push(entry.event);
    }
    return events;
  }

  /** The last `count` events for everyone of `kinds`. */
  history(count: number, kinds: ReadonlySet<ServerEvent["kind"]>): RoomEvent[] {
    const events: RoomEvent[] = [];
    for (
      let i = this.#entries.length - 1;
      i >= this.#head && events.length < count;
      i--
    ) {
      const entry = this.#entries[i]!;
      if (entry.to === "all" && kinds.has(entry.event.kind)) {
        events.push(entry.event);
      }
    }
    return events.reverse();
  }

  /** Every entry kept. */
  recent(): LogEntry[] {
    return this.#entries.slice(this.#head);
  }
}

/** A memory log that also hands every event to a journal. */
export class JournaledLog extends MemoryLog {
  #record: (entry: LogEntry) => void;

  /** A log like `MemoryLog`'s that calls `record` with every entry it numbers. */
  constructor(
    record: (entry: LogEntry) => void,
    size?: number,
    lastId?: number,
    entries?: readonly LogEntry[],
  ) {
    super(size, lastId, entries);
    this.#record = record;
  }

  /** Number, keep and journal `entry`. */
  override append(entry: LogEntry): void {
    super.append(entry);
    this.#record(entry);
  }
}
