/**
 * How each notice reads on screen. Pure: returns styled lines; every remote
 * string goes through `sanitize` here, the one place text from the network
 * becomes text for a terminal.
 * @module
 */

import type { ClientRequest, ServerEvent } from "../protocol/events.ts";
import type { ClientNotice } from "./core.ts";
import { sanitize } from "./sanitize.ts";

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
}

/** The line(s) a notice shows, in order. */
export function formatNotice(notice: ClientNotice): Line[] {
  switch (notice.type) {
    case "welcome":
      return [{
        text: welcomeText(notice.how, sanitize(notice.name)),
        style: "info",
      }];
    case "refused":
      return [{
        text: `Cannot join: ${sanitize(notice.reason)}`,
        style: "error",
      }];
    case "event":
      return formatEvent(notice.event);
    case "status":
      return [
        notice.status === "lost"
          ? { text: "Server not responding; still trying…", style: "warn" }
          : { text: "Server is back", style: "info" },
      ];
    case "delivered":
      return ownLine(notice.from, notice.request);
    case "undelivered": {
      const text = "text" in notice.request
        ? sanitize(notice.request.text)
        : notice.request.kind;
      return [{ text: `Not delivered: ${text}`, style: "error" }];
    }
    case "ended":
      return notice.why === "unreachable"
        ? [{
          text: `Cannot reach the server: ${sanitize(notice.reason)}`,
          style: "error",
        }]
        : [];
    default: {
      const _exhaustive: never = notice;
      throw new TypeError(`Unknown notice ${_exhaustive}`);
    }
  }
}

/** The line(s) a server event shows. */
export function formatEvent(event: ServerEvent): Line[] {
  switch (event.kind) {
    case "chat": {
      const from = sanitize(event.from);
      return [{
        text: `${from}: ${sanitize(event.text)}`,
        style: "chat",
        from,
        time: event.time,
      }];
    }
    case "joined":
      return [{
        text: `${sanitize(event.name)} joined`,
        style: "info",
        time: event.time,
      }];
    case "left":
      return [{ text: leftText(event), style: "info", time: event.time }];
    case "admin":
      return [{
        text: `[admin] ${sanitize(event.text)}`,
        style: "admin",
        time: event.time,
      }];
    case "members": {
      const more = event.total - event.names.length;
      const names = event.names.map(sanitize).join(", ");
      return [{
        text: `Members (${event.total}): ${names}${
          more > 0 ? `, and ${more} more` : ""
        }`,
        style: "info",
      }];
    }
    case "notice":
      return [{ text: `* ${sanitize(event.text)}`, style: "warn" }];
    case "goodbye":
      return [{
        text: goodbyeText(event),
        style: event.why === "left" ? "info" : "warn",
      }];
    case "private": {
      const from = sanitize(event.from);
      return [{
        text: `[private] ${from}: ${sanitize(event.text)}`,
        style: "chat",
        from,
        time: event.time,
      }];
    }
    case "action":
      return [{
        text: `* ${sanitize(event.from)} ${sanitize(event.text)}`,
        style: "chat",
        time: event.time,
      }];
    case "nick":
      return [{
        text: `${sanitize(event.from)} is now known as ${sanitize(event.to)}`,
        style: "info",
        time: event.time,
      }];
    case "away":
      return [{
        text: event.reason === ""
          ? `${sanitize(event.name)} is back`
          : `${sanitize(event.name)} is away: ${sanitize(event.reason)}`,
        style: "info",
        time: event.time,
      }];
    case "who":
      return [
        {
          text: `${event.total} member${event.total === 1 ? "" : "s"}:`,
          style: "info",
        },
        ...event.entries.map((e): Line => ({
          text: `  ${sanitize(e.name)}  idle ${
            Math.round(e.idleMs / 1000)
          }s  rtt ${e.rttMs} ms  loss ${e.lossPercent}%${
            e.away ? `  away: ${sanitize(e.away)}` : ""
          }`,
          style: "info",
        })),
      ];
    case "history":
      return formatEvent(event.event).map((line) => ({
        ...line,
        text: `[history] ${line.text}`,
      }));
    case "motd":
      return [{
        text: `Message of the day: ${sanitize(event.text)}`,
        style: "admin",
      }];
    case "limits":
      return [];
    default: {
      const _exhaustive: never = event;
      throw new TypeError(`Unknown event ${_exhaustive}`);
    }
  }
}

/** How the sender's own request shows once the server has it. */
function ownLine(name: string, request: ClientRequest): Line[] {
  const from = sanitize(name);
  switch (request.kind) {
    case "say":
      return [{
        text: `${from}: ${sanitize(request.text)}`,
        style: "own",
        from,
      }];
    case "action":
      return [{ text: `* ${from} ${sanitize(request.text)}`, style: "own" }];
    case "private":
      return [{
        text: `[private] ${from} → ${sanitize(request.to)}: ${
          sanitize(request.text)
        }`,
        style: "own",
      }];
    default:
      return [];
  }
}

function welcomeText(
  how: "joined" | "resumed" | "rejoined",
  name: string,
): string {
  switch (how) {
    case "joined":
      return `Welcome, ${name}! Type a message and press Enter; /quit leaves`;
    case "resumed":
      return `Reconnected as ${name}`;
    case "rejoined":
      return `Rejoined as ${name}: the server had forgotten this session`;
  }
}

function withReason(text: string, reason: string): string {
  return reason === "" ? text : `${text}: ${sanitize(reason)}`;
}

function leftText(event: Extract<ServerEvent, { kind: "left" }>): string {
  const name = sanitize(event.name);
  switch (event.why) {
    case "left":
      return `${name} left`;
    case "timeout":
      return `${name} timed out`;
    case "kicked":
      return withReason(`${name} was kicked`, event.reason);
    case "slow":
      return withReason(`${name} was dropped`, event.reason);
    case "banned":
      return withReason(`${name} was banned`, event.reason);
  }
}

function goodbyeText(event: Extract<ServerEvent, { kind: "goodbye" }>): string {
  switch (event.why) {
    case "left":
      return "Goodbye! You left the room";
    case "closing":
      return withReason("The server is closing", event.reason);
    case "kicked":
      return withReason("You were kicked", event.reason);
    case "timeout":
      return "You timed out";
    case "slow":
      return withReason("You were dropped", event.reason);
    case "banned":
      return withReason("You are banned", event.reason);
  }
}
