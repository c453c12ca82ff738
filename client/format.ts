/**
 * How each notice reads, as lines for a screen or as JSON for scripts. Pure;
 * server events read as `wording/events.ts` says, remote text is sanitised
 * there and here.
 * @module
 */

import type { ClientRequest, ServerEvent } from "../protocol/events.ts";
import type { ClientNotice } from "./notices.ts";
import { EN, type Messages } from "../wording/i18n.ts";
import {
  formatEvent,
  type FormatOptions,
  type Line,
} from "../wording/events.ts";
import { sanitize } from "../wording/sanitize.ts";

/** How notices read: as events do, and naming the server's address. */
export interface NoticeOptions extends FormatOptions {
  /** The server's address, named when it does not answer (else the reason). */
  server?: string;
}

/** The line(s) a notice shows, in order. */
export function formatNotice(
  notice: ClientNotice,
  options: NoticeOptions = {},
): Line[] {
  const t = options.t ?? EN;
  switch (notice.type) {
    case "welcome":
      return [{
        text: t.welcome(notice.how, sanitize(notice.name)),
        style: "info",
      }];
    case "refused": {
      // A room with a passphrase sends only the code (its REFUSE is in the
      // clear); the server's words are English, so another language says
      // the code in its own.
      const reason = notice.passphrase !== undefined
        ? t.passphrase(notice.passphrase)
        : notice.reason === "" || t.lang !== "en"
        ? t.refuseCode(notice.code)
        : sanitize(notice.reason);
      return [{ text: t.refused(reason), style: "error" }];
    }
    case "event":
      return formatEvent(notice.event, options);
    case "status":
      return notice.status === "lost"
        ? [{ text: t.lost, style: "warn" }]
        : [{ text: t.back, style: "info" }];
    case "server":
      return [{ text: t.nowOn(sanitize(notice.address)), style: "info" }];
    case "delivered":
      return ownLine(notice.from, notice.request, t);
    case "undelivered": {
      const { request, reason } = notice;
      const text = sanitize("text" in request ? request.text : request.kind);
      return [{
        text: t.undelivered(reason ? `${text} (${sanitize(reason)})` : text),
        style: "error",
      }];
    }
    case "invalid":
      return [{ text: sanitize(notice.reason), style: "error" }];
    case "earlier":
      return [{ text: t.earlier(notice.count), style: "info" }];
    case "draining":
      return [{
        text: t.draining(notice.lines, notice.seconds),
        style: "info",
      }];
    case "ended":
      return notice.why === "unreachable"
        ? [{
          text: t.unreachable(options.server ?? sanitize(notice.reason)),
          style: "error",
        }]
        : [];
    default: {
      const _exhaustive: never = notice;
      throw new TypeError(`Unknown notice ${_exhaustive}`);
    }
  }
}

/** How the sender's own request shows once the server has it. */
function ownLine(name: string, request: ClientRequest, t: Messages): Line[] {
  const from = sanitize(name);
  switch (request.kind) {
    case "say":
      return [{
        text: t.chat(from, sanitize(request.text)),
        style: "own",
        from,
      }];
    case "action":
      return [{
        text: t.action(from, sanitize(request.text)),
        style: "own",
        from,
      }];
    case "private":
      return [{
        text: t.privateOut(from, sanitize(request.to), sanitize(request.text)),
        style: "own",
        from,
      }];
    default:
      return [];
  }
}

/**
 * A notice as one JSON object for `join --json`: `type` is the notice
 * (welcome, refused, event, status, server, delivered, undelivered,
 * ended); an event's
 * fields sit beside it with `kind`, `time` as an ISO 8601 string (null
 * when out of range), and
 * `history: true` for replayed events; a request's fields sit beside
 * `type` for delivered and undelivered. Text is as sent, not sanitised.
 */
export function noticeJson(notice: ClientNotice): Record<string, unknown> {
  switch (notice.type) {
    case "event":
      return { type: "event", ...eventJson(notice.event) };
    case "delivered":
      return { type: "delivered", from: notice.from, ...notice.request };
    case "undelivered":
      return { type: "undelivered", ...notice.request };
    default:
      return { ...notice };
  }
}

function eventJson(event: ServerEvent): Record<string, unknown> {
  if (event.kind === "history") {
    return { ...eventJson(event.event), history: true };
  }
  return "time" in event
    ? { ...event, time: isoTime(event.time) }
    : { ...event };
}

/** `ms` as ISO 8601, or null for a time no `Date` holds (a server's bad clock or journal). */
function isoTime(ms: number): string | null {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/**
 * Characters JSON.stringify leaves raw that a terminal might act on, or
 * that would not show: the same set the terminal path neutralises
 * (`wording/sanitize.ts`): controls, format characters (bidi controls,
 * zero-width U+200B..U+200D, U+2060, U+FEFF, tags, …) and the line and
 * paragraph separators. JSON.stringify already escapes C0 controls and
 * lone surrogates.
 */
const JSON_UNSAFE = /[\p{Cc}\p{Cf}\u2028\u2029]/gu;

/**
 * `value` as one line of JSON, with terminal-active and invisible
 * characters escaped (`\uXXXX`, a surrogate pair for those past U+FFFF):
 * still valid JSON, and JSON.parse gives the text back exactly.
 */
export function jsonLine(value: unknown): string {
  return JSON.stringify(value).replace(JSON_UNSAFE, escapeUnits);
}

function escapeUnits(ch: string): string {
  let out = "";
  for (let i = 0; i < ch.length; i++) {
    out += `\\u${ch.charCodeAt(i).toString(16).padStart(4, "0")}`;
  }
  return out;
}
