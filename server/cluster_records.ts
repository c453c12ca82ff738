/**
 * What a server reads back from the shared store, checked before it
 * reaches the room: the store may hold anything (another release, a
 * hand-made key, an attacker with access to Redis), so a record the
 * servers could not have written is dropped, never thrown on. The same
 * checks as the journal's lines (`journal_entry.ts`). Pure.
 * @module
 */

import type { Control, MemberRecord, StreamRecord } from "./cluster_ops.ts";
import { fromEntry, fromRoomEntry, wellFormed } from "./journal_entry.ts";
import { MAX_REASON_BYTES } from "../protocol/events.ts";
import { validateName } from "../protocol/names.ts";
import { utf8Length } from "../protocol/text.ts";

/** Longest server id a record may name. */
const MAX_SERVER_ID = 64;

const isId = (x: unknown): x is number =>
  Number.isSafeInteger(x) && (x as number) >= 0;
const isU32 = (x: unknown): x is number =>
  typeof x === "number" && x >>> 0 === x;
const isServer = (x: unknown): x is string =>
  typeof x === "string" && x.length <= MAX_SERVER_ID;

function parse(json: unknown): unknown {
  if (typeof json !== "string") return undefined;
  try {
    return JSON.parse(json);
  } catch {
    return undefined;
  }
}

/** The stream record with id `id` and fields `s` (server) and `e` (event) or `c` (control). */
export function checkedRecord(
  fields: Record<string, unknown>,
  id: number,
): StreamRecord | undefined {
  const srv = fields.s;
  if (!isId(id) || !isServer(srv)) return undefined;
  if (fields.e !== undefined) {
    const line = parse(fields.e);
    if (!wellFormed(line) || line.t !== "event") return undefined;
    return { id, srv, entry: fromEntry(line) };
  }
  const control = checkedControl(parse(fields.c));
  return control && { id, srv, control };
}

function checkedControl(x: unknown): Control | undefined {
  if (typeof x !== "object" || x === null) return undefined;
  const c = x as Record<string, unknown>;
  switch (c.t) {
    case "mod": {
      const room = { ...(c.moderation as object), t: "room" };
      return wellFormed(room) && room.t === "room"
        ? { t: "mod", moderation: fromRoomEntry(room) }
        : undefined;
    }
    case "moved":
      return isId(c.id) && isServer(c.to)
        ? { t: "moved", id: c.id, to: c.to }
        : undefined;
    case "kick":
      return isId(c.id) && (c.why === "kicked" || c.why === "banned") &&
          typeof c.reason === "string" &&
          utf8Length(c.reason) <= MAX_REASON_BYTES
        ? { t: "kick", id: c.id, why: c.why, reason: c.reason }
        : undefined;
    default:
      return undefined;
  }
}

/** A member's record (JSON) with its progress ("next:pn"), or undefined. */
export function checkedMember(
  json: unknown,
  progress: string | undefined,
): MemberRecord | undefined {
  const r = parse(json) as Record<string, unknown> | undefined;
  if (typeof r !== "object" || r === null) return undefined;
  const { id, name, srv, kind, after, away, lang } = r;
  if (
    !isId(id) || typeof name !== "string" || !validateName(name).ok ||
    !isServer(srv) || (kind !== "native" && kind !== "classic") ||
    !isId(after) || (away !== undefined && typeof away !== "string") ||
    (lang !== undefined && typeof lang !== "string")
  ) return undefined;
  const [next, pn] = (progress ?? "").split(":").map((s) =>
    s === "" ? undefined : Number(s)
  );
  const member: MemberRecord = {
    id,
    name,
    srv,
    kind,
    next: isU32(next) ? next : 0,
    after,
    away: typeof away === "string" ? away : "",
  };
  if (isU32(pn)) member.pn = pn;
  if (typeof lang === "string") member.lang = lang;
  return member;
}
