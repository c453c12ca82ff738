/**
 * What a server of a cluster tells the room's shared store, and what it
 * reads back: the operations of one atomic commit, the records of the
 * room's stream, a member's record (its session, for a takeover) and the
 * store's interface. The store keeps one stream per room; its order is the
 * room's order. Types only, and the checks a record read back must pass.
 * @module
 */

import type { Moderation } from "./moderation.ts";
import type { LogEntry } from "./room_log.ts";

/** How far above the ids a server has seen a store that lost its data numbers on. */
export const REBASE_MARGIN = 65_536;

/** A member as the store keeps it: enough for another server to take its session over. */
export interface MemberRecord {
  /** Member id (a native session id, or a classic member's id). */
  id: number;
  name: string;
  /** The server it is on (a server id). */
  srv: string;
  /** Kind of member ("native", "classic"): only native sessions can be taken over. */
  kind: string;
  /** Seq of its first request the room did not take (see `Link.completedNext`). */
  next: number;
  /** Its packet-number floor (see `native.ts`). */
  pn?: number;
  /** Id of the last room event before it joined. */
  after: number;
  away: string;
  /** The server's words to it ("zh"); absent: English. */
  lang?: string;
}

/** One operation of a commit, applied in order, all or none. */
export type Op =
  /** Take a name for a member: answered true (taken now or already its own) or false. */
  | { o: "claim"; key: string; id: number }
  /** Give a name back, if the member holds it. */
  | { o: "release"; key: string; id: number }
  /** Number a room event after every other one: answered with its id. */
  | { o: "event"; entry: LogEntry }
  /** A member joined (its token is hashed by the store's shell, never kept). */
  | { o: "member"; record: MemberRecord; token?: Uint8Array }
  /** How far the member's requests were taken. */
  | { o: "next"; id: number; next: number; pn?: number }
  | { o: "name"; id: number; name: string }
  | { o: "away"; id: number; reason: string }
  /** The member is gone: its record, token and name are forgotten. */
  | { o: "gone"; id: number }
  /** The room's bans, mutes and message of the day changed. */
  | { o: "mod"; moderation: Moderation }
  /** Remove a member of another server (a console's /kick or /ban). */
  | { o: "kick"; id: number; why: "kicked" | "banned"; reason: string };

/** What happened in the room that is not a room event a member is shown. */
export type Control =
  | { t: "mod"; moderation: Moderation }
  /** The member's session now lives on server `to` (a takeover). */
  | { t: "moved"; id: number; to: string }
  | { t: "kick"; id: number; why: "kicked" | "banned"; reason: string };

/** One record of the room's stream, in the room's order. */
export type StreamRecord =
  /** A room event. */
  | { id: number; srv: string; entry: LogEntry }
  | { id: number; srv: string; control: Control };

/** A server of the room, as its lease tells the others. */
export interface ServerInfo {
  id: string;
  /** Where members reach it (HOST:PORT), for /who. */
  address: string;
}

/** The room's shared store (Redis, or a fake in tests); every call may fail (store away). */
export interface ClusterStore {
  /**
   * Apply `ops` atomically as batch `batch` of server `srv`: a batch that
   * was applied before is not applied again (its answers are null). `seen`:
   * the newest record id the server has taken; a store whose numbering is
   * below it (it lost its data) numbers on REBASE_MARGIN above it, so no
   * member ever gets an id it already showed.
   */
  commit(
    srv: string,
    batch: number,
    ops: readonly Op[],
    seen: number,
  ): Promise<unknown[]>;
  /** Records after id `after`, oldest first; waits up to `waitMs` for one. */
  read(after: number, waitMs: number): Promise<StreamRecord[]>;
  /** The last `count` records, oldest first. */
  recent(count: number): Promise<StreamRecord[]>;
  /** Every member of the room. */
  members(): Promise<MemberRecord[]>;
  /** This server is alive for `ttlMs` more. */
  lease(server: ServerInfo, ttlMs: number): Promise<void>;
  /** The servers whose lease holds. */
  servers(): Promise<ServerInfo[]>;
  /**
   * Move member `id`'s session to server `srv` if `token` is its token;
   * its record then, or undefined.
   */
  takeOver(
    id: number,
    token: Uint8Array,
    srv: string,
  ): Promise<MemberRecord | undefined>;
  /**
   * Forget member `id` if it is still on server `srv` (dead), recording
   * `entry` (its leave) as the room event it became: true only for the one
   * call that did.
   */
  reap(id: number, srv: string, entry: LogEntry): Promise<boolean>;
  /** The room's moderation, if it has any yet. */
  moderation(): Promise<Moderation | undefined>;
  /** The room's passphrase salt: `salt` unless the room already has one. */
  salt(salt: Uint8Array): Promise<Uint8Array>;
}

/** A Redis URL without its password, for messages and logs. */
export function redactedUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/]*@/i, "$1***@");
}
