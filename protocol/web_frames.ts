/**
 * The browser members' protocol (PROTOCOL.md, "Browser members"): JSON text
 * frames over a WebSocket. One place turns a frame from the page into a
 * request (`decodeWebRequest`, safe on any input: it throws a `SyntaxError`,
 * `TypeError` or `RangeError` saying what was wrong) and one place turns the
 * server's replies into text (`encodeWebReply`). Pure.
 * @module
 */

import { MAX_NAME_BYTES, MAX_TEXT_BYTES, TOKEN_BYTES } from "./limits.ts";
import { utf8Length } from "./text.ts";

/** The version of the browser protocol, sent in `hello`, `watch` and `room`. */
export const WEB_PROTOCOL_VERSION = 1;
/** Longest frame either side sends, in UTF-8 bytes (a line is escaped JSON). */
export const MAX_WEB_FRAME_BYTES = 8 * MAX_TEXT_BYTES;
/** Longest proof of the passphrase (base64 of IV, challenge and tag). */
const MAX_PROOF_CHARS = 256;

/** The page's languages (the server's words to it). */
export type WebLang = "en" | "zh";

/** Resuming a browser member after a dropped connection. */
export interface WebResume {
  /** The token its welcome gave it, as hex. */
  token: string;
  /** The id of the last room event it showed. */
  lastSeen: number;
}

/** What the page sends. */
export type WebRequest =
  /** Join as `name` (or resume), proving the passphrase when the room has one. */
  | {
    type: "hello";
    name: string;
    lang?: WebLang;
    resume?: WebResume;
    proof?: string;
  }
  /** The projector: watch the room's public lines, as no member. */
  | { type: "watch"; proof?: string }
  /** A typed line: chat, or a slash command as in the terminal. */
  | { type: "line"; text: string }
  /** Still here (sent when idle). */
  | { type: "ping" };

/** One line as a terminal member sees it (see wording/events.ts `Line`). */
export interface WebLine {
  text: string;
  style: string;
  from?: string;
  time?: number;
  history?: boolean;
}

/** How the member list changes with a frame. */
export type Roster =
  | { op: "set"; names: string[]; total: number }
  | { op: "add"; name: string }
  | { op: "remove"; name: string }
  | { op: "rename"; from: string; to: string };

/** What the server sends the page. */
export type WebReply =
  /** First frame on every connection: what the room needs of a hello. */
  | {
    type: "room";
    v: number;
    passphrase: boolean;
    /** The room's salt and a fresh challenge (base64), with a passphrase. */
    salt?: string;
    challenge?: string;
  }
  | {
    type: "welcome";
    name: string;
    token: string;
    how: "joined" | "resumed";
    heartbeatMs: number;
    lines: WebLine[];
  }
  /** The hello was refused; the page may try another name. */
  | { type: "refused"; problem: string; text: string }
  /**
   * Lines to show: a room event (`id`, `time`), an answer, or the member's
   * own line (`kind` "own") once the server has it.
   */
  | {
    type: "lines";
    kind: string;
    id?: number;
    time?: number;
    lines: WebLine[];
    roster?: Roster;
  }
  /** The member is out of the room, and why; the server closes the socket. */
  | { type: "goodbye"; why: string; lines: WebLine[] }
  /** A frame the server could not use. */
  | { type: "error"; text: string }
  | { type: "pong" };

/** `reply` as the text of one WebSocket frame. */
export function encodeWebReply(reply: WebReply): string {
  return JSON.stringify(reply);
}

/** The request in one text frame from the page; throws on anything else. */
export function decodeWebRequest(text: string): WebRequest {
  if (utf8Length(text) > MAX_WEB_FRAME_BYTES) {
    throw new RangeError(
      `Cannot decode frame: longer than ${MAX_WEB_FRAME_BYTES} bytes`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new SyntaxError("Cannot decode frame: not JSON");
  }
  const frame = record(value, "frame");
  switch (frame.type) {
    case "hello":
      version(frame);
      return withOptional({
        type: "hello",
        name: string(frame.name, "name", MAX_NAME_BYTES * 2),
      }, {
        lang: frame.lang === undefined ? undefined : lang(frame.lang),
        resume: frame.resume === undefined ? undefined : resume(frame.resume),
        proof: proof(frame.proof),
      });
    case "watch":
      version(frame);
      return withOptional({ type: "watch" }, { proof: proof(frame.proof) });
    case "line":
      return { type: "line", text: string(frame.text, "text", Infinity) };
    case "ping":
      return { type: "ping" };
    default:
      throw new TypeError(
        `Cannot decode frame: unknown type ${
          JSON.stringify(String(frame.type)).slice(0, 40)
        }`,
      );
  }
}

/** `base` with the fields of `optional` that are defined. */
function withOptional<T extends object, O extends object>(
  base: T,
  optional: O,
): T & Partial<O> {
  const out = { ...base } as Record<string, unknown>;
  for (const [key, value] of Object.entries(optional)) {
    if (value !== undefined) out[key] = value;
  }
  return out as T & Partial<O>;
}

function record(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TypeError(`Cannot decode frame: ${what} is not an object`);
  }
  return value as Record<string, unknown>;
}

function version(frame: Record<string, unknown>): void {
  if (frame.v !== WEB_PROTOCOL_VERSION) {
    throw new RangeError(
      `Cannot decode frame: version ${
        String(frame.v).slice(0, 20)
      }, need ${WEB_PROTOCOL_VERSION}`,
    );
  }
}

function string(value: unknown, field: string, maxBytes: number): string {
  if (typeof value !== "string") {
    throw new TypeError(`Cannot decode frame: ${field} is not a string`);
  }
  if (maxBytes !== Infinity && utf8Length(value) > maxBytes) {
    throw new RangeError(
      `Cannot decode frame: ${field} is longer than ${maxBytes} bytes`,
    );
  }
  return value;
}

function lang(value: unknown): WebLang {
  if (value !== "en" && value !== "zh") {
    throw new RangeError("Cannot decode frame: lang is not en or zh");
  }
  return value;
}

function resume(value: unknown): WebResume {
  const r = record(value, "resume");
  const token = string(r.token, "token", TOKEN_BYTES * 2);
  if (!new RegExp(`^[0-9a-f]{${TOKEN_BYTES * 2}}$`).test(token)) {
    throw new SyntaxError("Cannot decode frame: token is not hex");
  }
  const { lastSeen } = r;
  if (
    typeof lastSeen !== "number" || !Number.isSafeInteger(lastSeen) ||
    lastSeen < 0
  ) {
    throw new RangeError("Cannot decode frame: lastSeen is not an event id");
  }
  return { token, lastSeen };
}

function proof(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const text = string(value, "proof", MAX_PROOF_CHARS);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) {
    throw new SyntaxError("Cannot decode frame: proof is not base64");
  }
  return text;
}
