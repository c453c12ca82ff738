/**
 * How each server event reads, as lines: the one place text from the
 * network becomes text for a screen (every remote string goes through
 * `sanitize`). The client's screens and the server's classic members both
 * read events through here; the wording comes from `i18n.ts`.
 * @module
 */

import type { ServerEvent, WhoEntry } from "../protocol/events.ts";
import { formatDuration } from "./duration.ts";
import { EN, type Messages } from "./i18n.ts";
import { displayWidth, sanitize } from "./sanitize.ts";

/** How a line is shown: chat is plain, the rest stand out. */
export type LineStyle = "chat" | "own" | "admin" | "info" | "warn" | "error";

/** One line for the terminal. */
export interface Line {
  text: string;
  style: LineStyle;
  /** The sender's name as shown (sanitised), for colouring; absent for system lines. */
  from?: string;
  /** When the event happened (ms since the epoch), for timestamps. */
  time?: number;
  /** Replayed from before this member joined; `text` carries its time. */
  history?: boolean;
}

/** What formatting depends on besides the notice. */
export interface FormatOptions {
  /** The wording (default English). */
  t?: Messages;
  /** Columns the /who table must fit (default 80). */
  width?: number;
  /** The current time, to date history older than today (default now). */
  now?: number;
}

/** The line(s) a server event shows. */
export function formatEvent(
  event: ServerEvent,
  options: FormatOptions = {},
): Line[] {
  const t = options.t ?? EN;
  const { time } = "time" in event ? event : { time: undefined };
  const line = (text: string, style: LineStyle, from?: string): Line[] => {
    const out: Line = { text, style };
    if (from !== undefined) out.from = from;
    if (time !== undefined) out.time = time;
    return [out];
  };
  switch (event.kind) {
    case "chat": {
      const from = sanitize(event.from);
      return line(t.chat(from, sanitize(event.text)), "chat", from);
    }
    case "joined":
      return line(t.joined(sanitize(event.name)), "info");
    case "left":
      return line(
        t.left(sanitize(event.name), event.why, sanitize(event.reason)),
        "info",
      );
    case "admin":
      return line(t.admin(sanitize(event.text)), "admin");
    case "members":
      return line(t.members(event.total, event.names.map(sanitize)), "info");
    case "notice":
      return line(t.notice(sanitize(event.text)), "warn");
    case "goodbye":
      return line(
        t.goodbye(event.why, sanitize(event.reason)),
        event.why === "left" ? "info" : "warn",
      );
    case "private": {
      const from = sanitize(event.from);
      return line(t.privateIn(from, sanitize(event.text)), "chat", from);
    }
    case "action": {
      const from = sanitize(event.from);
      return line(t.action(from, sanitize(event.text)), "chat", from);
    }
    case "nick":
      return line(t.nick(sanitize(event.from), sanitize(event.to)), "info");
    case "away":
      return line(
        t.away(sanitize(event.name), sanitize(event.reason)),
        "info",
      );
    case "who":
    case "whoAt":
      return whoTable(event.total, event.entries, t, options.width ?? 80)
        .map((text) => ({ text, style: "info" }));
    case "history":
      return formatEvent(event.event, options).map((inner) => ({
        ...inner,
        text: `${
          t.history(historyStamp(event.event.time, options.now ?? Date.now()))
        } ${inner.text}`,
        history: true,
      }));
    case "motd":
      return line(t.motd(sanitize(event.text)), "admin");
    case "limits":
      return [];
    case "unsent":
      return line(t.unsent(sanitize(event.reason)), "error");
    case "restarting":
      return line(t.restarting(sanitize(event.reason), true), "warn");
    case "muted":
      return event.ms === 0 ? line(t.unmuted, "info") : line(
        t.muted(formatDuration(event.ms, t.lang), sanitize(event.reason)),
        "warn",
      );
    default: {
      const _exhaustive: never = event;
      throw new TypeError(`Unknown event ${_exhaustive}`);
    }
  }
}

/** "HH:MM" in local time. */
export function clock(time: number): string {
  const date = new Date(time);
  return `${two(date.getHours())}:${two(date.getMinutes())}`;
}

/** "HH:MM" for today, "MM-DD HH:MM" for an earlier day. */
export function historyStamp(time: number, now: number): string {
  const date = new Date(time);
  const today = new Date(now);
  return date.toDateString() === today.toDateString()
    ? clock(time)
    : `${two(date.getMonth() + 1)}-${two(date.getDate())} ${clock(time)}`;
}

function two(n: number): string {
  return String(n).padStart(2, "0");
}

/** "42s", "5m", "3h" or "2d": how long ago, in its largest whole unit. */
export function shortDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}

/** `text` cut to at most `width` columns, with "…" when cut. */
export function fit(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  let out = "";
  let used = 0;
  for (const char of text) {
    const w = displayWidth(char);
    if (used + w > width - 1) break;
    out += char;
    used += w;
  }
  return `${out}…`;
}

/** `text` padded with spaces to `width` columns (left-aligned, or right). */
export function pad(text: string, width: number, right = false): string {
  const fill = " ".repeat(Math.max(0, width - displayWidth(text)));
  return right ? fill + text : text + fill;
}

const NAME_COLUMN_MAX = 20;
const SERVER_COLUMN_MAX = 24;

/** The /who reply as a title and a table at most `width` columns wide. */
function whoTable(
  total: number,
  entries: WhoEntry[],
  t: Messages,
  width: number,
): string[] {
  const h = t.whoHeader;
  const names = entries.map((e) => sanitize(e.name));
  const nameWidth = Math.min(
    NAME_COLUMN_MAX,
    Math.max(displayWidth(h.name), ...names.map(displayWidth)),
  );
  // In a room several servers share, each member's server after LOSS.
  const servers = entries.map((e) => sanitize(e.server ?? ""));
  const serverWidth = entries.some((e) => e.server !== undefined)
    ? Math.min(
      SERVER_COLUMN_MAX,
      Math.max(displayWidth(h.server), ...servers.map(displayWidth)),
    )
    : 0;
  const row = (
    cells: [string, string, string, string, string],
    server: string,
  ) => {
    const fixed = `  ${pad(fit(cells[0], nameWidth), nameWidth)}  ${
      pad(cells[1], 4, true)
    }  ${pad(cells[2], 6, true)}  ${pad(cells[3], 4, true)}${
      serverWidth > 0 ? `  ${pad(fit(server, serverWidth), serverWidth)}` : ""
    }`;
    const room = width - displayWidth(fixed) - 2;
    return cells[4] === "" || room < 2
      ? fixed
      : `${fixed}  ${fit(cells[4], room)}`;
  };
  return [
    t.whoTitle(total, entries.length),
    row([h.name, h.idle, h.rtt, h.loss, h.away], h.server),
    ...entries.map((e, i) =>
      row([
        names[i]!,
        shortDuration(e.idleMs),
        e.rttMs > 0 ? `${e.rttMs}ms` : "-",
        `${e.lossPercent}%`,
        sanitize(e.away),
      ], servers[i]!)
    ),
  ];
}
