/**
 * The server's journal (`serve --state FILE`): an append-only file of JSON
 * lines that lets a restarted server resume its members' sessions. It holds
 * each member's session id, token, name and how far its requests were
 * processed, and the room's recent events, so a member that comes back
 * after a restart keeps its name and gets exactly what it missed.
 *
 * Entries are gathered while one datagram (or tick) is handled and written
 * by `flush` in a single synchronous write before anything is sent, so a
 * killed server never half-records what a datagram did, and never sends
 * what it did not record. The file is rewritten compactly at start and
 * whenever it has grown by COMPACT_EVERY entries.
 * @module
 */

import {
  type Entry,
  fromEntry,
  fromHex,
  fromRoomEntry,
  toEntry,
  toHex,
  toRoomEntry,
  wellFormed,
} from "./journal_entry.ts";
import type { Moderation } from "./moderation.ts";
import type { LogEntry } from "./room_log.ts";

export { type Entry, toEntry } from "./journal_entry.ts";

/** A member as the journal remembers it. */
export interface JournalMember {
  id: number;
  token: Uint8Array;
  name: string;
  /** The next request seq to process: all before were. */
  next: number;
  /**
   * A packet number at or above every one the server took from this
   * member: only a newer one may move the session (roaming).
   */
  pn?: number;
  /** The last room event id before it joined: it never gets those. */
  joinedAfter?: number;
  /** Its away message; absent or empty when present. */
  away?: string;
}

/** The server's own nonces in a room with a passphrase (see `seal.ts`). */
export interface JournalSeal {
  sender: number;
  /** Every counter below this may have been used: continue from here. */
  counter: number;
}

/** What a journal holds: the state a restarted server starts from. */
export interface JournalState {
  /** The room's salt, when it has a passphrase (resumed members keep their key). */
  salt?: Uint8Array;
  /** The server's seal sender id and the counter to continue from. */
  seal?: JournalSeal;
  lastId: number;
  events: LogEntry[];
  members: JournalMember[];
  /** The room's bans, mutes and message of the day, when ever set. */
  moderation?: Moderation;
}

/**
 * Room event ids a restarted server skips: the journal is written before
 * anything is sent, but a write the OS had not stored yet (a crash of the
 * machine, not of the server) can lose the last events that members saw.
 * Numbering continues this far above the journal's last id so that no id a
 * member may have seen is used again (a member ignores ids it has seen);
 * event ids are `u32`, so this still allows 65,536 restarts.
 */
export const RESTART_ID_MARGIN = 65_536;

/** Lines appended after the last compaction before compacting again. */
const COMPACT_EVERY = 20_000;

/** An open journal file. */
export class Journal {
  #path: string;
  #file: Deno.FsFile;
  #appended = 0;
  #batch = "";
  #encoder = new TextEncoder();
  #seal: JournalSeal | undefined;

  private constructor(path: string, file: Deno.FsFile, seal?: JournalSeal) {
    this.#path = path;
    this.#file = file;
    this.#seal = seal;
  }

  /**
   * Open (or create) the journal at `path`; returns it with the state it
   * held, already compacted, and how many lines were skipped. Event ids
   * continue RESTART_ID_MARGIN above the last one. Throws when the file
   * cannot be read or written, or its temporary file is not this user's
   * regular file.
   */
  static open(
    path: string,
    logSize: number,
  ): { journal: Journal; state: JournalState; skipped: number } {
    let text: string | undefined;
    try {
      text = Deno.readTextFileSync(path);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    const { state, skipped } = replayCounting(text ?? "", logSize);
    // Its tail may be lost: never number an event as one a member saw.
    if (text !== undefined) state.lastId += RESTART_ID_MARGIN;
    writeCompact(path, state);
    const file = Deno.openSync(path, { append: true });
    return { journal: new Journal(path, file, state.seal), state, skipped };
  }

  /** The room's salt (a room with a passphrase). */
  salt(salt: Uint8Array): void {
    this.#append({ t: "salt", salt: toHex(salt) });
  }

  /** A member joined with this session, after room event `after`. */
  member(id: number, token: Uint8Array, name: string, after?: number): void {
    this.#append(memberEntry({ id, token, name, joinedAfter: after }));
  }

  /** Member `id` took a new name. */
  renamed(id: number, name: string): void {
    this.#append({ t: "name", id, name });
  }

  /** Member `id` is away for `reason` (empty: back). */
  away(id: number, reason: string): void {
    this.#append({ t: "away", id, reason });
  }

  /** The room's moderation is now `moderation`. */
  moderation(moderation: Moderation): void {
    this.#append(toRoomEntry(moderation));
  }

  /**
   * Requests of member `id` were processed up to (not including) `next`;
   * `pn`, when given, is at or above every packet number taken from it.
   */
  processed(id: number, next: number, pn?: number): void {
    this.#append(
      pn === undefined ? { t: "next", id, next } : { t: "next", id, next, pn },
    );
  }

  /**
   * The server's seal may use counters up to (not including) `counter`
   * under `sender`: written and flushed before any is used.
   */
  seal(seal: JournalSeal): void {
    this.#seal = { ...seal };
    this.#append({ t: "seal", sender: seal.sender, counter: seal.counter });
    this.flush();
  }

  /** Member `id` is gone for good. */
  gone(id: number): void {
    this.#append({ t: "gone", id });
  }

  /** A room event happened (with whom it went to). */
  event(entry: LogEntry): void {
    this.#append(toEntry(entry));
  }

  /** True when the file has grown enough that `compact` should run. */
  get wantsCompaction(): boolean {
    return this.#appended >= COMPACT_EVERY;
  }

  /** Rewrite the file to hold just `state` (and the last seal reservation). */
  compact(state: JournalState): void {
    this.#batch = "";
    this.#file.close();
    writeCompact(this.#path, { ...state, seal: state.seal ?? this.#seal });
    this.#file = Deno.openSync(this.#path, { append: true });
    this.#appended = 0;
  }

  /** Flush and close the file. */
  close(): void {
    this.flush();
    this.#file.close();
  }

  /** Write what was gathered since the last flush, in one write. */
  flush(): void {
    if (this.#batch === "") return;
    const bytes = this.#encoder.encode(this.#batch);
    this.#batch = "";
    let written = 0;
    while (written < bytes.byteLength) {
      written += this.#file.writeSync(bytes.subarray(written));
    }
  }

  #append(entry: Entry): void {
    this.#batch += JSON.stringify(entry) + "\n";
    this.#appended++;
  }
}

/** Rebuild the state from journal text; a torn, foreign or out-of-range line is skipped. */
export function replay(text: string, logSize: number): JournalState {
  return replayCounting(text, logSize).state;
}

/** `replay`, also saying how many lines were skipped. */
export function replayCounting(
  text: string,
  logSize: number,
): { state: JournalState; skipped: number } {
  const members = new Map<number, JournalMember>();
  const events: LogEntry[] = [];
  let lastId = 0;
  let salt: Uint8Array | undefined;
  let seal: JournalSeal | undefined;
  let moderation: Moderation | undefined;
  let skipped = 0;
  for (const line of text.split("\n")) {
    if (line === "") continue;
    let entry: unknown;
    try {
      entry = JSON.parse(line);
    } catch {
      entry = undefined;
    }
    if (!wellFormed(entry)) {
      skipped++;
      continue;
    }
    switch (entry.t) {
      case "member":
        members.set(entry.id, {
          id: entry.id,
          token: fromHex(entry.token),
          name: entry.name,
          next: 0,
          ...(entry.after === undefined ? {} : { joinedAfter: entry.after }),
        });
        break;
      case "name":
      case "away": {
        const member = members.get(entry.id);
        if (member === undefined) break;
        if (entry.t === "name") member.name = entry.name;
        else member.away = entry.reason;
        break;
      }
      case "room":
        moderation = fromRoomEntry(entry);
        break;
      case "next": {
        const member = members.get(entry.id);
        if (member) {
          member.next = entry.next;
          if (entry.pn !== undefined) member.pn = entry.pn;
        }
        break;
      }
      case "gone":
        members.delete(entry.id);
        break;
      case "last":
        lastId = Math.max(lastId, entry.id);
        break;
      case "salt":
        salt = fromHex(entry.salt);
        break;
      case "seal":
        if (seal === undefined || seal.sender !== entry.sender) {
          seal = { sender: entry.sender, counter: entry.counter };
        } else seal.counter = Math.max(seal.counter, entry.counter);
        break;
      case "event":
        lastId = Math.max(lastId, entry.event.id);
        events.push(fromEntry(entry));
        if (events.length > logSize) events.shift();
        break;
    }
  }
  const state: JournalState = {
    salt,
    lastId,
    events,
    members: [...members.values()],
  };
  if (seal !== undefined) state.seal = seal;
  if (moderation !== undefined) state.moderation = moderation;
  return { state, skipped };
}

function memberEntry(
  m: Pick<JournalMember, "id" | "token" | "name" | "joinedAfter">,
): Entry {
  const entry: Entry = {
    t: "member",
    id: m.id,
    token: toHex(m.token),
    name: m.name,
  };
  if (m.joinedAfter !== undefined) entry.after = m.joinedAfter;
  return entry;
}

function writeCompact(path: string, state: JournalState): void {
  const lines: Entry[] = [{ t: "last", id: state.lastId }];
  if (state.salt !== undefined) {
    lines.push({ t: "salt", salt: toHex(state.salt) });
  }
  if (state.seal !== undefined) lines.push({ t: "seal", ...state.seal });
  if (state.moderation !== undefined) {
    lines.push(toRoomEntry(state.moderation));
  }
  for (const m of state.members) {
    const { id } = m;
    lines.push(memberEntry(m));
    lines.push(
      m.pn === undefined
        ? { t: "next", id, next: m.next }
        : { t: "next", id, next: m.next, pn: m.pn },
    );
    if (m.away) lines.push({ t: "away", id, reason: m.away });
  }
  for (const entry of state.events) lines.push(toEntry(entry));
  const temporary = `${path}.tmp`;
  const file = createTemporary(temporary);
  try {
    const bytes = new TextEncoder().encode(
      lines.map((l) => JSON.stringify(l) + "\n").join(""),
    );
    let written = 0;
    while (written < bytes.byteLength) {
      written += file.writeSync(bytes.subarray(written));
    }
    file.syncSync();
  } finally {
    file.close();
  }
  Deno.renameSync(temporary, path);
}

/**
 * Create `path` for writing, exclusively (never through a symlink, never a
 * file someone else made) and readable by this user only: tokens are
 * secrets. A regular file of this user's is left from a compaction that
 * was cut short and is removed; anything else there is refused.
 */
function createTemporary(path: string): Deno.FsFile {
  const options = { write: true, createNew: true, mode: 0o600 } as const;
  try {
    return Deno.openSync(path, options);
  } catch (error) {
    if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
  }
  const info = Deno.lstatSync(path);
  const uid = ownUid();
  if (!info.isFile || uid === null || info.uid !== uid) {
    const what = info.isSymlink
      ? "a symbolic link"
      : !info.isFile
      ? "not a regular file"
      : uid === null
      ? "a file whose owner cannot be checked (allow --allow-sys=uid)"
      : "owned by another user";
    throw new Deno.errors.AlreadyExists(
      `Temporary file ${path} exists and is ${what}; remove it and start again`,
    );
  }
  Deno.removeSync(path);
  // Exclusive again: whatever appeared meanwhile is refused, not adopted.
  return Deno.openSync(path, options);
}

/** This process's user id; null when unknown (Windows, or no sys permission). */
function ownUid(): number | null {
  try {
    return Deno.uid();
  } catch {
    return null;
  }
}
