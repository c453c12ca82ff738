/**
 * How the browser engine turns server events into frames for the page:
 * the lines are the terminal's own (`wording/events.ts`, in the member's
 * language), with the structured fields the page needs (kind, id, time,
 * and how the member list changes). One place for wording: the page only
 * shows what it is given, as text.
 * @module
 */

import type { ServerEvent } from "../protocol/events.ts";
import type { Roster, WebLine, WebReply } from "../protocol/web_frames.ts";
import { formatEvent, type Line } from "../wording/events.ts";
import type { Messages } from "../wording/i18n.ts";
import { sanitize } from "../wording/sanitize.ts";

/** Columns the page's /who table is laid out for. */
const WHO_WIDTH = 60;

/** `lines` as the frame's lines (only the fields a line has). */
export function webLines(lines: readonly Line[]): WebLine[] {
  return lines.map((line) => ({ ...line }));
}

/** How the member list changes with `event`, if it does. */
export function rosterOf(event: ServerEvent): Roster | undefined {
  switch (event.kind) {
    case "members":
      return { op: "set", names: event.names, total: event.total };
    case "joined":
      return { op: "add", name: event.name };
    case "left":
      return { op: "remove", name: event.name };
    case "nick":
      return { op: "rename", from: event.from, to: event.to };
    default:
      return undefined;
  }
}

/** The `lines` frame of `event` in the words of `t`, at server time `now`. */
export function eventFrame(
  event: ServerEvent,
  t: Messages,
  now: number,
): Extract<WebReply, { type: "lines" }> {
  const frame: Extract<WebReply, { type: "lines" }> = {
    type: "lines",
    kind: event.kind,
    lines: webLines(formatEvent(event, { t, width: WHO_WIDTH, now })),
  };
  if ("id" in event) frame.id = event.id;
  if ("time" in event) frame.time = event.time;
  const roster = rosterOf(event);
  if (roster !== undefined) frame.roster = roster;
  return frame;
}

/** The member's own line once the server has it, as a terminal shows it. */
export function ownFrame(
  line: string,
  from: string,
  now: number,
): Extract<WebReply, { type: "lines" }> {
  return {
    type: "lines",
    kind: "own",
    time: now,
    lines: [{ text: line, style: "own", from: sanitize(from), time: now }],
  };
}

/** Lines from the engine itself (command help, usage), not from the room. */
export function localFrame(
  texts: readonly string[],
  style: "info" | "error",
): Extract<WebReply, { type: "lines" }> {
  return {
    type: "lines",
    kind: "local",
    lines: texts.map((text) => ({ text: sanitize(text), style })),
  };
}
