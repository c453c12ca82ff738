/**
 * The room's log when several servers share the room (`--cluster`): what
 * this server's room does is queued as operations for the shared store,
 * and the room's events come back from the store's stream, numbered in one
 * order for every server; only then are they kept and handed to this
 * server's members. Names are taken in the store, so a name taken on one
 * server is refused on every other. It also keeps the members of the other
 * servers (`elsewhere`), from the same stream. Pure: the shell
 * (`cluster_shell.ts`) carries operations to the store and records back.
 * @module
 */

import type { RoomEvent, ServerEvent } from "../protocol/events.ts";
import { nameKey } from "../protocol/names.ts";
import type { Control, MemberRecord, Op, StreamRecord } from "./cluster_ops.ts";
import {
  type Claim,
  DEFAULT_LOG_SIZE,
  type LogEntry,
  MemoryLog,
  type RoomLog,
} from "./room_log.ts";

/** A member of another server, as this server knows it from the stream. */
export interface Remote {
  id: number;
  name: string;
  /** The server it is on. */
  srv: string;
  away: string;
}

/** What the log hands to the server it belongs to. */
export interface ClusterHooks {
  /** A room event, in the room's order: for this server's members. */
  deliver(entry: LogEntry): void;
  /** A control record (moderation, takeover, kick), in the room's order. */
  control(control: Control, srv: string): void;
}

/** A name this server asked for, and what the store said. */
interface Asked {
  id: number;
  state: Claim;
  /** When the store granted it; a grant no member used is given back. */
  at: number;
  used: boolean;
}

/** A claim granted but never used (the member gave up joining) is given back after this long (ms). */
const UNUSED_CLAIM_MS = 60_000;

/** The log of one server of a room shared through a store. */
export class ClusterLog implements RoomLog {
  /** This server's id in the store. */
  readonly srv: string;
  /** Server id → where members reach it (HOST:PORT), from the servers' leases. */
  readonly addresses = new Map<string, string>();
  #kept: MemoryLog;
  #ops: Op[] = [];
  #held = new WeakSet<LogEntry>();
  #asked = new Map<string, Asked>();
  #elsewhere = new Map<number, Remote>();
  #byKey = new Map<string, Remote>();
  #hooks: ClusterHooks | undefined;
  #cursor = 0;

  /** The log of server `srv`, keeping `size` events for members that resume. */
  constructor(srv: string, size = DEFAULT_LOG_SIZE) {
    this.srv = srv;
    this.#kept = new MemoryLog(size);
  }

  /** Where events and control records go once the stream brings them. */
  connect(hooks: ClusterHooks): void {
    this.#hooks = hooks;
  }

  /** Id of the newest room event this server has seen in the stream. */
  get lastId(): number {
    return this.#kept.lastId;
  }

  /** Take `key` for `id`: known at once when held here or elsewhere, else asked of the store. */
  claim(key: string, id: number): Claim {
    const other = this.#byKey.get(key);
    if (other !== undefined && other.id !== id) return "taken";
    const asked = this.#asked.get(key);
    if (asked !== undefined && asked.id !== id) {
      return asked.state === "taken" ? this.#retry(key) : "taken";
    }
    if (asked?.state === "taken") {
      // Said once; a later join asks the store again.
      this.#asked.delete(key);
      return "taken";
    }
    if (asked !== undefined) return asked.state;
    this.#asked.set(key, { id, state: "pending", at: 0, used: false });
    this.#ops.push({ o: "claim", key, id });
    return "pending";
  }

  /** The store answered a claim of `key` for `id`. */
  claimed(key: string, id: number, ok: boolean, now: number): void {
    const asked = this.#asked.get(key);
    if (asked === undefined || asked.id !== id) {
      if (ok) this.#ops.push({ o: "release", key, id });
      return;
    }
    asked.state = ok ? "ok" : "taken";
    asked.at = now;
  }

  /** Give `key` back when `id` holds it. */
  release(key: string, id: number): void {
    const asked = this.#asked.get(key);
    if (asked !== undefined && asked.id !== id) return;
    this.#asked.delete(key);
    this.#ops.push({ o: "release", key, id });
  }

  /** A member taken over (or seated) here holds `key` already. */
  hold(key: string, id: number, now: number): void {
    this.#asked.set(key, { id, state: "ok", at: now, used: true });
  }

  /** Queue `entry` for the store: it is numbered, kept and delivered when the stream brings it back. */
  append(entry: LogEntry): void {
    // A member that joined uses its name (a classic member has no other record).
    const { event } = entry;
    if (
      event.kind === "joined" && entry.to === "all" &&
      entry.except !== undefined
    ) {
      this.#use(nameKey(event.name), entry.except);
    }
    this.#held.add(entry);
    this.#ops.push({ o: "event", entry });
  }

  /** True for an entry this server queued: it is delivered from the stream, not at once. */
  held(entry: object): boolean {
    return this.#held.has(entry as LogEntry);
  }

  /** Events after `lastSeen` that went to member `id`. */
  since(lastSeen: number, id?: number): RoomEvent[] | undefined {
    return this.#kept.since(lastSeen, id);
  }

  /** The last `count` events for everyone of `kinds`. */
  history(count: number, kinds: ReadonlySet<ServerEvent["kind"]>): RoomEvent[] {
    return this.#kept.history(count, kinds);
  }

  /** Every entry kept. */
  recent(): LogEntry[] {
    return this.#kept.recent();
  }

  /** Queue an operation of the server's own (a member's record, moderation, a kick). */
  push(op: Op): void {
    if (op.o === "member") this.#use(nameKey(op.record.name), op.record.id);
    if (op.o === "name") this.#use(nameKey(op.name), op.id);
    this.#ops.push(op);
  }

  /** The operations queued since the last call, for one commit. */
  take(): Op[] {
    return this.#ops.splice(0);
  }

  /** True when operations wait for a commit. */
  get pending(): boolean {
    return this.#ops.length > 0;
  }

  /** Members of the other servers. */
  elsewhere(): IterableIterator<Remote> {
    return this.#elsewhere.values();
  }

  /** Members of the other servers, with where each is (HOST:PORT, else its server's id). */
  *remotes(): Generator<{ name: string; away: string; server: string }> {
    for (const { name, away, srv } of this.#elsewhere.values()) {
      yield { name, away, server: this.addresses.get(srv) ?? srv };
    }
  }

  /** Ask the server of member `id` to remove it (the stream carries the request). */
  kick(id: number, why: "kicked" | "banned", reason: string): boolean {
    if (!this.#elsewhere.has(id)) return false;
    this.#ops.push({ o: "kick", id, why, reason });
    return true;
  }

  /** Where this server is (HOST:PORT, once its lease was read back; else its id). */
  get here(): string {
    return this.addresses.get(this.srv) ?? this.srv;
  }

  /** How many members the other servers have. */
  get remoteCount(): number {
    return this.#elsewhere.size;
  }

  /** The member of another server with name key `key`. */
  remote(key: string): Remote | undefined {
    return this.#byKey.get(key);
  }

  /** The members the store had when this server started (its own are gone, see `ClusterShell`). */
  seed(members: readonly MemberRecord[]): void {
    for (const m of members) {
      if (m.srv !== this.srv) this.#add({ ...m, away: m.away ?? "" });
    }
  }

  /** Id of the newest record taken from the stream (events and control records). */
  get cursor(): number {
    return this.#cursor;
  }

  /** Take in records of the stream, oldest first; ones already taken are ignored. */
  apply(records: readonly StreamRecord[]): void {
    for (const record of records) {
      if (record.id <= this.#cursor) continue;
      // What came before the first record this server took, it never had.
      if (this.#cursor === 0) this.#kept.reachesFrom(record.id - 1);
      // Control records take ids too: members see gaps, which are harmless
      // (ids need not be contiguous, see MemoryLog.since).
      this.#cursor = record.id;
      if ("control" in record) {
        this.#control(record.control);
        this.#hooks?.control(record.control, record.srv);
        continue;
      }
      const { entry } = record;
      entry.event.id = record.id;
      this.#kept.keep(entry);
      if (record.srv !== this.srv) this.#track(entry.event, entry, record.srv);
      this.#hooks?.deliver(entry);
    }
  }

  /** Give back names granted but never used (a member that gave up joining). */
  tick(now: number): void {
    for (const [key, asked] of this.#asked) {
      if (
        asked.state === "ok" && !asked.used && now - asked.at > UNUSED_CLAIM_MS
      ) {
        this.release(key, asked.id);
      }
    }
  }

  /** Member `id` (name key `key`) is now this server's (a takeover): no longer elsewhere. */
  adopt(id: number, key: string, now: number): void {
    this.#remove(id);
    this.hold(key, id, now);
  }

  /** This server's member went to server `srv` (a takeover there). */
  moved(member: { id: number; name: string; away: string }, srv: string): void {
    const asked = this.#asked.get(nameKey(member.name));
    if (asked?.id === member.id) this.#asked.delete(nameKey(member.name));
    this.#add({ id: member.id, name: member.name, srv, away: member.away });
  }

  #use(key: string, id: number): void {
    const asked = this.#asked.get(key);
    if (asked?.id === id) asked.used = true;
  }

  #retry(key: string): Claim {
    this.#asked.delete(key);
    return "pending";
  }

  /** A control record moves members between servers. */
  #control(control: Control): void {
    if (control.t !== "moved") return;
    const remote = this.#elsewhere.get(control.id);
    if (remote !== undefined) remote.srv = control.to;
  }

  /** Follow the members of other servers through their room events. */
  #track(event: RoomEvent, entry: LogEntry, srv: string): void {
    switch (event.kind) {
      case "joined":
        if (entry.to === "all" && entry.except !== undefined) {
          this.#add({ id: entry.except, name: event.name, srv, away: "" });
        }
        return;
      case "left":
        if (entry.to === "all" && entry.except !== undefined) {
          this.#remove(entry.except);
        }
        return;
      case "nick": {
        const remote = this.#byKey.get(nameKey(event.from));
        if (remote === undefined) return;
        this.#byKey.delete(nameKey(event.from));
        remote.name = event.to;
        this.#byKey.set(nameKey(event.to), remote);
        return;
      }
      case "away": {
        const remote = this.#byKey.get(nameKey(event.name));
        if (remote !== undefined) remote.away = event.reason;
        return;
      }
    }
  }

  #add(remote: Remote): void {
    this.#remove(remote.id);
    this.#elsewhere.set(remote.id, remote);
    this.#byKey.set(nameKey(remote.name), remote);
  }

  #remove(id: number): void {
    const remote = this.#elsewhere.get(id);
    if (remote === undefined) return;
    this.#elsewhere.delete(id);
    if (this.#byKey.get(nameKey(remote.name)) === remote) {
      this.#byKey.delete(nameKey(remote.name));
    }
  }
}
