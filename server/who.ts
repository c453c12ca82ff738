/**
 * The /who list, from what the chat core knows of each member: cut to a
 * number of entries and to the bytes of one WHO event, so an answer of any
 * size is shortened by design (its total still counts everyone) and never
 * overflows the encoder. Pure.
 * @module
 */

import type { WhoEntry } from "../protocol/events.ts";
import { utf8Length } from "../protocol/text.ts";
import type { LinkInfo } from "./port.ts";

/** A WHO event's bytes besides its entries: kind, total, count (see events.ts). */
const WHO_HEADER_BYTES = 1 + 4 + 2;
/** A WHO entry's bytes besides its name and away text: length prefixes, idle, rtt, loss. */
const WHO_ENTRY_BYTES = 1 + 4 + 4 + 1 + 2;

/** One row of /who, with the member's address (the console shows it). */
export type WhoRow = WhoEntry & { address: string };

/** A member as /who reads it; `link` undefined while it is not connected. */
export interface WhoSource {
  name: string;
  away: string;
  lastActive: number;
  link: LinkInfo | undefined;
  /** The server it is on, in a room several servers share. */
  server?: string;
}

/** At most `limit` rows fitting `maxBytes` as a WHO event, and how many members there are. */
export function whoList(
  members: Iterable<WhoSource>,
  now: number,
  limit = Infinity,
  maxBytes = Infinity,
): { total: number; entries: WhoRow[] } {
  const entries: WhoRow[] = [];
  let total = 0;
  let bytes = WHO_HEADER_BYTES;
  for (const { name, away, lastActive, link, server } of members) {
    if (link === undefined) continue;
    total++;
    if (entries.length >= limit) continue;
    const size = WHO_ENTRY_BYTES + utf8Length(name) + utf8Length(away) +
      (server === undefined ? 0 : 1 + utf8Length(server));
    if (bytes + size > maxBytes) {
      limit = entries.length;
      continue;
    }
    bytes += size;
    entries.push({
      name,
      address: link.address,
      idleMs: Math.max(0, now - lastActive),
      rttMs: link.rttMs,
      lossPercent: link.lossPercent,
      away,
      ...(server === undefined ? {} : { server }),
    });
  }
  return { total, entries };
}
