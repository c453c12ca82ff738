/**
 * One line of the server's journal (`journal.ts`): its shape, how a logged
 * room event becomes a line and back, and the check every line passes on
 * replay. The journal is read back after a crash, so a line may be torn,
 * foreign or hostile: anything the server could not have written is
 * refused here, before it reaches the room or a member.
 * @module
 */

import {
  encodeEvent,
  MAX_REASON_BYTES,
  type RoomEvent,
} from "../protocol/events.ts";
import { TOKEN_BYTES } from "../protocol/limits.ts";
import { SALT_BYTES } from "../protocol/seal.ts";
import { utf8Length, validateText } from "../protocol/text.ts";
import type { Moderation } from "./moderation.ts";
import type { LogEntry } from "./room_log.ts";

/** A time until which something holds; null: for good (JSON has no Infinity). */
type Until = number | null;

/** The room's moderation as a line holds it (see `Moderation`). */
type RoomEntry = {
  t: "room";
  bans: {
    names: Array<[string, Until]>;
    addresses: Array<[string, Until]>;
    linked: Array<[string, string]>;
  };
  mutes: Array<[string, number]>;
  motd: string;
};

/** One line of the journal. */
export type Entry =
  /** `after`: the last room event id before it joined (see `RoomMember.joinedAfter`). */
  | { t: "member"; id: number; token: string; name: string; after?: number }
  | { t: "name"; id: number; name: string }
  | { t: "away"; id: number; reason: string }
  | RoomEntry
  | { t: "next"; id: number; next: number; pn?: number }
  | { t: "gone"; id: number }
  | { t: "last"; id: number }
  | { t: "salt"; salt: string }
  | { t: "seal"; sender: number; counter: number }
  | { t: "event"; event: LogEntry["event"]; to?: number; x?: number };

/** The latest time a `Date` can hold (ms since the epoch). */
const MAX_TIME_MS = 8.64e15;

/** The journal line of a room event (exported for test doubles of the journal). */
export function toEntry(entry: LogEntry): Entry {
  if (entry.to !== "all") {
    return { t: "event", event: entry.event, to: entry.to };
  }
  return entry.except === undefined
    ? { t: "event", event: entry.event }
    : { t: "event", event: entry.event, x: entry.except };
}

/** The logged room event of a journal line. */
export function fromEntry(entry: Extract<Entry, { t: "event" }>): LogEntry {
  if (typeof entry.to === "number") return { to: entry.to, event: entry.event };
  return typeof entry.x === "number"
    ? { to: "all", except: entry.x, event: entry.event }
    : { to: "all", event: entry.event };
}

/** The journal line of the room's moderation. */
export function toRoomEntry(moderation: Moderation): Entry {
  const { bans } = moderation;
  const until = ([target, ms]: [string, number]): [string, Until] => [
    target,
    ms === Infinity ? null : ms,
  ];
  return {
    t: "room",
    bans: {
      names: bans.names.map(until),
      addresses: bans.addresses.map(until),
      linked: bans.linked,
    },
    mutes: moderation.mutes,
    motd: moderation.motd,
  };
}

/** The room's moderation of a journal line. */
export function fromRoomEntry(entry: RoomEntry): Moderation {
  const until = ([target, ms]: [string, Until]): [string, number] => [
    target,
    ms ?? Infinity,
  ];
  return {
    bans: {
      names: entry.bans.names.map(until),
      addresses: entry.bans.addresses.map(until),
      linked: entry.bans.linked,
    },
    mutes: entry.mutes,
    motd: entry.motd,
  };
}

const isU32 = (x: unknown): x is number =>
  typeof x === "number" && x >>> 0 === x;
/**
 * A member id: native members' are `u32` session ids, classic members'
 * start at 2^32 (`classic.ts`), so any safe non-negative integer.
 */
const isMemberId = (x: unknown): x is number =>
  Number.isSafeInteger(x) && (x as number) >= 0;
const isHex = (x: unknown, bytes: number): x is string =>
  typeof x === "string" && new RegExp(`^[0-9a-f]{${bytes * 2}}$`).test(x);
/** A time a member can show: a `Date` that exists, not before the epoch. */
const isTime = (x: unknown): x is number =>
  typeof x === "number" && Number.isFinite(x) && x >= 0 && x <= MAX_TIME_MS;

/** A list of pairs whose parts pass `first` and `second`. */
const isPairs = (
  x: unknown,
  first: (y: unknown) => boolean,
  second: (y: unknown) => boolean,
): boolean =>
  Array.isArray(x) &&
  x.every((pair) =>
    Array.isArray(pair) && pair.length === 2 && first(pair[0]) &&
    second(pair[1])
  );
const isString = (x: unknown): x is string => typeof x === "string";
const isUntil = (x: unknown): x is Until => x === null || isTime(x);
/** Text a member could be shown as a message of the day. */
const isMotd = (x: unknown): x is string =>
  x === "" || (isString(x) && validateText(x).ok);

/** The moderation line's bans, mutes and message of the day, each checked. */
function wellFormedRoom(e: Record<string, unknown>): boolean {
  const bans = e.bans as Record<string, unknown> | null;
  return typeof bans === "object" && bans !== null &&
    isPairs(bans.names, isString, isUntil) &&
    isPairs(bans.addresses, isString, isUntil) &&
    isPairs(bans.linked, isString, isString) &&
    isPairs(e.mutes, isString, isTime) && isMotd(e.motd);
}

/** A line the journal could have written: every field there with its type and range. */
export function wellFormed(entry: unknown): entry is Entry {
  if (typeof entry !== "object" || entry === null) return false;
  const e = entry as Record<string, unknown>;
  switch (e.t) {
    case "member":
      return isU32(e.id) && isHex(e.token, TOKEN_BYTES) &&
        isString(e.name) && (e.after === undefined || isU32(e.after));
    case "name":
      return isMemberId(e.id) && isString(e.name);
    case "away":
      return isMemberId(e.id) && isString(e.reason) &&
        utf8Length(e.reason) <= MAX_REASON_BYTES;
    case "room":
      return wellFormedRoom(e);
    case "next":
      return isU32(e.id) && isU32(e.next) &&
        (e.pn === undefined || isU32(e.pn));
    case "gone":
    case "last":
      return isU32(e.id);
    case "salt":
      return isHex(e.salt, SALT_BYTES);
    case "seal":
      return isU32(e.sender) && Number.isSafeInteger(e.counter) &&
        (e.counter as number) >= 0;
    case "event":
      if (
        (e.to !== undefined && !isMemberId(e.to)) ||
        (e.x !== undefined && !isMemberId(e.x))
      ) return false;
      return wellFormedEvent(e.event);
    default:
      return false;
  }
}

/** A room event the codec can encode (its kind and fields are real), with a time a member can show. */
function wellFormedEvent(event: unknown): event is RoomEvent {
  if (typeof event !== "object" || event === null) return false;
  const e = event as RoomEvent;
  if (!isU32(e.id) || !isTime(e.time)) return false;
  try {
    encodeEvent(e);
    return true;
  } catch {
    return false;
  }
}

/** Bytes as lowercase hex. */
export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Hex (already checked by `wellFormed`) as bytes. */
export function fromHex(hex: string): Uint8Array {
  return Uint8Array.from(hex.match(/../g) ?? [], (pair) => parseInt(pair, 16));
}
