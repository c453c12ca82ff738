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

import { encodeEvent, type RoomEvent } from "../protocol/events.ts";
import { TOKEN_BYTES } from "../protocol/limits.ts";
import { SALT_BYTES } from "../protocol/seal.ts";
import type { LogEntry } from "./room_log.ts";

/** A member as the journal remembers it. */
export interface JournalMember {
  id: number;
  token: Uint8Array;
  name: string;
  /** The next request seq to process: all before were. */
  next: number;
}

/** What a journal holds: the state a restarted server starts from. */
export interface JournalState {
  /** The room's salt, when it has a passphrase (resumed members keep their key). */
  salt?: Uint8Array;
  lastId: number;
  events: LogEntry[];
  members: JournalMember[];
}

/** One line of the journal. */
export type Entry =
  | { t: "member"; id: number; token: string; name: string }
  | { t: "next"; id: number; next: number }
  | { t: "gone"; id: number }
  | { t: "last"; id: number }
  | { t: "salt"; salt: string }
  | { t: "event"; event: LogEntry["event"]; to?: number; x?: number };

/** Lines appended after the last compaction before compacting again. */
const COMPACT_EVERY = 20_000;

/** An open journal file. */
export class Journal {
  #path: string;
  #file: Deno.FsFile;
  #appended = 0;
  #batch = "";
  #encoder = new TextEncoder();

  private constructor(path: string, file: Deno.FsFile) {
    this.#path = path;
    this.#file = file;
  }

  /**
   * Open (or create) the journal at `path`; returns it with the state it
   * held, already compacted. Throws when the file cannot be read or written.
   */
  static open(
    path: string,
    logSize: number,
  ): { journal: Journal; state: JournalState } {
    let text = "";
    try {
      text = Deno.readTextFileSync(path);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    const state = replay(text, logSize);
    writeCompact(path, state);
    const file = Deno.openSync(path, { append: true });
    return { journal: new Journal(path, file), state };
  }

  /** The room's salt (a room with a passphrase). */
  salt(salt: Uint8Array): void {
    this.#append({ t: "salt", salt: toHex(salt) });
  }

  /** A member joined with this session. */
  member(id: number, token: Uint8Array, name: string): void {
    this.#append({ t: "member", id, token: toHex(token), name });
  }

  /** Requests of member `id` were processed up to (not including) `next`. */
  processed(id: number, next: number): void {
    this.#append({ t: "next", id, next });
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

  /** Rewrite the file to hold just `state`. */
  compact(state: JournalState): void {
    this.#batch = "";
    this.#file.close();
    writeCompact(this.#path, state);
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

/** Rebuild the state from journal text; a torn or foreign line is skipped. */
export function replay(text: string, logSize: number): JournalState {
  const members = new Map<number, JournalMember>();
  const events: LogEntry[] = [];
  let lastId = 0;
  let salt: Uint8Array | undefined;
  for (const line of text.split("\n")) {
    let entry: Entry;
    try {
      entry = JSON.parse(line);
    } catch {
      continue;
    }
    if (!wellFormed(entry)) continue;
    switch (entry.t) {
      case "member":
        members.set(entry.id, {
          id: entry.id,
          token: fromHex(entry.token),
          name: entry.name,
          next: 0,
        });
        break;
      case "next": {
        const member = members.get(entry.id);
        if (member) member.next = entry.next;
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
      case "event":
        lastId = Math.max(lastId, entry.event.id);
        events.push(fromEntry(entry));
        if (events.length > logSize) events.shift();
        break;
    }
  }
  return { salt, lastId, events, members: [...members.values()] };
}

function writeCompact(path: string, state: JournalState): void {
  const lines: Entry[] = [{ t: "last", id: state.lastId }];
  if (state.salt !== undefined) {
    lines.push({ t: "salt", salt: toHex(state.salt) });
  }
  for (const m of state.members) {
    lines.push({ t: "member", id: m.id, token: toHex(m.token), name: m.name });
    lines.push({ t: "next", id: m.id, next: m.next });
  }
  for (const entry of state.events) lines.push(toEntry(entry));
  const temporary = `${path}.tmp`;
  // Tokens are secrets: only the server's user may read the journal.
  Deno.writeTextFileSync(
    temporary,
    lines.map((l) => JSON.stringify(l) + "\n").join(""),
    { mode: 0o600 },
  );
  Deno.renameSync(temporary, path);
}

/** The journal line of a room event (exported for test doubles of the journal). */
export function toEntry(entry: LogEntry): Entry {
  if (entry.to !== "all") {
    return { t: "event", event: entry.event, to: entry.to };
  }
  return entry.except === undefined
    ? { t: "event", event: entry.event }
    : { t: "event", event: entry.event, x: entry.except };
}

function fromEntry(entry: Extract<Entry, { t: "event" }>): LogEntry {
  if (typeof entry.to === "number") return { to: entry.to, event: entry.event };
  return typeof entry.x === "number"
    ? { to: "all", except: entry.x, event: entry.event }
    : { to: "all", event: entry.event };
}

const isU32 = (x: unknown): x is number =>
  typeof x === "number" && x >>> 0 === x;
const isHex = (x: unknown, bytes: number): x is string =>
  typeof x === "string" && new RegExp(`^[0-9a-f]{${bytes * 2}}$`).test(x);

/** A line the journal could have written: every field there with its type. */
function wellFormed(entry: unknown): entry is Entry {
  if (typeof entry !== "object" || entry === null) return false;
  const e = entry as Record<string, unknown>;
  switch (e.t) {
    case "member":
      return isU32(e.id) && isHex(e.token, TOKEN_BYTES) &&
        typeof e.name === "string";
    case "next":
      return isU32(e.id) && isU32(e.next);
    case "gone":
    case "last":
      return isU32(e.id);
    case "salt":
      return isHex(e.salt, SALT_BYTES);
    case "event": {
      if (
        (e.to !== undefined && !isU32(e.to)) ||
        (e.x !== undefined && !isU32(e.x))
      ) return false;
      // The event must be one the codec can encode: its kind and fields are real.
      try {
        const event = e.event as RoomEvent;
        encodeEvent(event);
        return isU32(event.id);
      } catch {
        return false;
      }
    }
    default:
      return false;
  }
}

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function fromHex(hex: string): Uint8Array {
  return Uint8Array.from(hex.match(/../g) ?? [], (pair) => parseInt(pair, 16));
}
