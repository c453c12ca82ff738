/**
 * How classic clients get lines: one UTF-8 line per datagram, starting with
 * a newline as classic servers send them, whole up to the 1,024 bytes the
 * classic clients read after login; longer lines split at character
 * boundaries.
 * @module
 */

import type { ServerEvent } from "../protocol/events.ts";
import { formatEvent } from "../wording/events.ts";
import type { Messages } from "../wording/i18n.ts";

/** Longest datagram sent to a classic client: what they read after login. */
export const CLASSIC_LINE_BYTES = 1024;

const encoder = new TextEncoder();

/** Events a classic member is not shown: its own welcome and the flood limit. */
const UNSHOWN: ReadonlySet<ServerEvent["kind"]> = new Set([
  "members",
  "history",
  "motd",
  "limits",
]);

/** The datagrams a classic client gets for `event`, worded by `t`. */
export function render(event: ServerEvent, t: Messages): Uint8Array[] {
  if (UNSHOWN.has(event.kind)) return [];
  return datagramsOf(formatEvent(event, { t }).map((line) => line.text));
}

/**
 * Lines as classic datagrams: each line starts with a newline; lines go
 * together while they fit CLASSIC_LINE_BYTES, a longer one is split at
 * character boundaries.
 */
export function datagramsOf(lines: readonly string[]): Uint8Array[] {
  const datagrams: Uint8Array[] = [];
  let pending = "";
  for (const line of lines) {
    const next = `\n${line}`;
    if (
      pending !== "" &&
      encoder.encode(pending + next).byteLength > CLASSIC_LINE_BYTES
    ) {
      datagrams.push(...splitUtf8(pending, CLASSIC_LINE_BYTES));
      pending = "";
    }
    pending += next;
  }
  if (pending !== "") datagrams.push(...splitUtf8(pending, CLASSIC_LINE_BYTES));
  return datagrams;
}

/** Split text into UTF-8 pieces of at most `max` bytes, never inside a character. */
export function splitUtf8(text: string, max: number): Uint8Array[] {
  const bytes = encoder.encode(text);
  const pieces: Uint8Array[] = [];
  let start = 0;
  while (start < bytes.byteLength) {
    let end = Math.min(start + max, bytes.byteLength);
    // Back off to a character boundary (continuation bytes are 10xxxxxx).
    while (end < bytes.byteLength && (bytes[end]! & 0xc0) === 0x80) end--;
    if (end === start) break; // Not even one character fits.
    pieces.push(bytes.slice(start, end));
    start = end;
  }
  return pieces;
}
