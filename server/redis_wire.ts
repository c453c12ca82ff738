/**
 * The Redis store's wire forms: an operation as the commit script reads it
 * (events and records already JSON, tokens hashed), and Redis replies
 * (field/value lists, stream entries) as maps and checked records. Pure but
 * for the hash (Web Crypto).
 * @module
 */

import type { MemberRecord, Op, StreamRecord } from "./cluster_ops.ts";
import { checkedRecord } from "./cluster_records.ts";
import { toEntry, toHex, toRoomEntry } from "./journal_entry.ts";

/** A Redis reply, as the client hands it over. */
export type Reply = unknown;

/** SHA-256 of `token`, hex: what Redis keeps instead of a token. */
export async function tokenHash(token: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest(
    "SHA-256",
    token as Uint8Array<ArrayBuffer>,
  );
  return toHex(new Uint8Array(digest));
}

/** An op as the commit script reads it: events and records already JSON, tokens hashed. */
export async function wireOp(
  op: Op,
  srv: string,
): Promise<Record<string, unknown>> {
  const wire = await wireBody(op, srv);
  // The member the op is about: dropped if another server took it over.
  const by = op.o === "event"
    ? (op.entry.to === "all" ? op.entry.except : undefined)
    : op.o === "member" || op.o === "claim" || op.o === "mod" || op.o === "kick"
    ? undefined
    : op.id;
  return by === undefined ? wire : { ...wire, by };
}

/** An op's fields as the commit script reads them. */
async function wireBody(op: Op, srv: string): Promise<Record<string, unknown>> {
  switch (op.o) {
    case "event": {
      const { entry } = op;
      const e = JSON.stringify(toEntry(entry));
      const by = entry.to === "all" ? entry.except : undefined;
      if (entry.event.kind === "joined" && by !== undefined) {
        const rec: MemberRecord = {
          id: by,
          name: entry.event.name,
          srv,
          kind: "classic",
          next: 0,
          after: 0,
          away: "",
        };
        return { o: "event", e, joined: by, rec: JSON.stringify(rec) };
      }
      if (entry.event.kind === "left" && by !== undefined) {
        return { o: "event", e, left: by };
      }
      return { o: "event", e };
    }
    case "member": {
      const th = op.token && await tokenHash(op.token);
      const rec = JSON.stringify({ ...op.record, srv, th });
      return { o: "member", id: op.record.id, rec, th };
    }
    case "next":
      return { o: "next", id: op.id, p: `${op.next}:${op.pn ?? ""}` };
    case "mod":
      return {
        o: "mod",
        c: JSON.stringify({ t: "mod", moderation: toRoomEntry(op.moderation) }),
      };
    case "kick":
      return {
        o: "kick",
        c: JSON.stringify({
          t: "kick",
          id: op.id,
          why: op.why,
          reason: op.reason,
        }),
      };
    default:
      return op;
  }
}

/** A Redis reply of field/value pairs (a flat list, or as this client gives HGETALL, an object) as a map. */
export function pairs(reply: Reply): Map<string, string> {
  const map = new Map<string, string>();
  if (typeof reply === "object" && reply !== null && !Array.isArray(reply)) {
    for (const [key, value] of Object.entries(reply)) {
      map.set(key, String(value));
    }
    return map;
  }
  if (!Array.isArray(reply)) return map;
  for (let i = 0; i + 1 < reply.length; i += 2) {
    map.set(String(reply[i]), String(reply[i + 1]));
  }
  return map;
}

/** Stream entries (`[id, [field, value, ...]]`) as checked records; unreadable ones dropped. */
export function records(reply: Reply): StreamRecord[] {
  if (!Array.isArray(reply)) return [];
  const out: StreamRecord[] = [];
  for (const item of reply) {
    if (!Array.isArray(item) || typeof item[0] !== "string") continue;
    const id = Number(item[0].split("-")[1]);
    const fields = Object.fromEntries(pairs(item[1]));
    const record = checkedRecord(fields, id);
    if (record !== undefined) out.push(record);
  }
  return out;
}
