/**
 * The chat layer of the native protocol (PROTOCOL.md, "Events"): what rides
 * in the reliable stream. A member sends requests; the server sends events.
 * An encoded event may be longer than one frame: `fragment.ts` splits it.
 * @module
 */

import { MAX_EVENT_BYTES, MAX_NAME_BYTES, MAX_TEXT_BYTES } from "./limits.ts";
import { Reader, Writer } from "./wire.ts";

/** Why a member is no longer in the room. */
export type LeaveWhy = "left" | "timeout" | "kicked" | "slow" | "banned";
const LEAVE_WHYS: readonly LeaveWhy[] = [
  "left",
  "timeout",
  "kicked",
  "slow",
  "banned",
];

/** Why a member's own session ended (the GOODBYE it receives). */
export type GoodbyeWhy =
  | "left"
  | "closing"
  | "kicked"
  | "timeout"
  | "slow"
  | "banned";
const GOODBYE_WHYS: readonly GoodbyeWhy[] = [
  "left",
  "closing",
  "kicked",
  "timeout",
  "slow",
  "banned",
];

/** What the server sends a member. Room events carry a room-wide id and time. */
export type ServerEvent =
  | { kind: "chat"; id: number; time: number; from: string; text: string }
  | { kind: "joined"; id: number; time: number; name: string }
  | {
    kind: "left";
    id: number;
    time: number;
    name: string;
    why: LeaveWhy;
    reason: string;
  }
  | { kind: "admin"; id: number; time: number; text: string }
  | { kind: "members"; total: number; names: string[] }
  | { kind: "notice"; text: string }
  | { kind: "goodbye"; why: GoodbyeWhy; reason: string };

/** What a member asks of the server. */
export type ClientRequest =
  | { kind: "say"; text: string }
  | { kind: "leave" };

const EventCode = {
  chat: 0x10,
  joined: 0x11,
  left: 0x12,
  admin: 0x13,
  members: 0x14,
  notice: 0x15,
  goodbye: 0x16,
} as const;

const RequestCode = { say: 0x01, leave: 0x02 } as const;

const scratch = new Uint8Array(MAX_EVENT_BYTES);

/**
 * Most names one MEMBERS event lists (the first to join); `total` counts
 * them all. 100 names of 128 bytes stay well within MAX_EVENT_BYTES.
 */
export const MAX_MEMBERS_LISTED = 100;

/** Encode a server event into a fresh buffer. */
export function encodeEvent(event: ServerEvent): Uint8Array {
  // Encoded once per broadcast into a scratch buffer, then copied to size.
  const w = new Writer(scratch).u8(EventCode[event.kind]);
  switch (event.kind) {
    case "chat":
      w.u32(event.id).f64(event.time).text(event.from, 1, MAX_NAME_BYTES)
        .text(event.text, 2, MAX_TEXT_BYTES);
      break;
    case "joined":
      w.u32(event.id).f64(event.time).text(event.name, 1, MAX_NAME_BYTES);
      break;
    case "left":
      w.u32(event.id).f64(event.time).text(event.name, 1, MAX_NAME_BYTES)
        .u8(LEAVE_WHYS.indexOf(event.why)).text(event.reason, 2, 1024);
      break;
    case "admin":
      w.u32(event.id).f64(event.time).text(event.text, 2, MAX_TEXT_BYTES);
      break;
    case "members":
      if (event.names.length > MAX_MEMBERS_LISTED) {
        throw new RangeError(
          `Cannot encode MEMBERS: ${event.names.length} names, the limit is ${MAX_MEMBERS_LISTED}`,
        );
      }
      w.u32(event.total).u16(event.names.length);
      for (const name of event.names) w.text(name, 1, MAX_NAME_BYTES);
      break;
    case "notice":
      w.text(event.text, 2, MAX_TEXT_BYTES);
      break;
    case "goodbye":
      w.u8(GOODBYE_WHYS.indexOf(event.why)).text(event.reason, 2, 1024);
      break;
    default: {
      const _exhaustive: never = event;
      throw new TypeError(`Cannot encode event: unknown kind ${_exhaustive}`);
    }
  }
  return w.finish().slice();
}

/** Decode a server event; throws RangeError or SyntaxError when malformed. */
export function decodeEvent(bytes: Uint8Array): ServerEvent {
  const r = new Reader(bytes, "event");
  const code = r.u8("kind");
  let event: ServerEvent;
  switch (code) {
    case EventCode.chat:
      event = {
        kind: "chat",
        id: r.u32("id"),
        time: r.f64("time"),
        from: r.text("from", 1, MAX_NAME_BYTES),
        text: r.text("text", 2, MAX_TEXT_BYTES),
      };
      break;
    case EventCode.joined:
      event = {
        kind: "joined",
        id: r.u32("id"),
        time: r.f64("time"),
        name: r.text("name", 1, MAX_NAME_BYTES),
      };
      break;
    case EventCode.left:
      event = {
        kind: "left",
        id: r.u32("id"),
        time: r.f64("time"),
        name: r.text("name", 1, MAX_NAME_BYTES),
        why: pick(LEAVE_WHYS, r.u8("why"), "LEFT why"),
        reason: r.text("reason", 2, 1024),
      };
      break;
    case EventCode.admin:
      event = {
        kind: "admin",
        id: r.u32("id"),
        time: r.f64("time"),
        text: r.text("text", 2, MAX_TEXT_BYTES),
      };
      break;
    case EventCode.members: {
      const total = r.u32("total");
      const count = r.u16("count");
      if (count > MAX_MEMBERS_LISTED) {
        throw new RangeError(
          `Cannot decode MEMBERS: ${count} names, the limit is ${MAX_MEMBERS_LISTED}`,
        );
      }
      const names: string[] = [];
      for (let i = 0; i < count; i++) {
        names.push(r.text("name", 1, MAX_NAME_BYTES));
      }
      event = { kind: "members", total, names };
      break;
    }
    case EventCode.notice:
      event = { kind: "notice", text: r.text("text", 2, MAX_TEXT_BYTES) };
      break;
    case EventCode.goodbye:
      event = {
        kind: "goodbye",
        why: pick(GOODBYE_WHYS, r.u8("why"), "GOODBYE why"),
        reason: r.text("reason", 2, 1024),
      };
      break;
    default:
      throw new SyntaxError(`Cannot decode event: unknown kind ${code}`);
  }
  r.end();
  return event;
}

/** Encode a member's request. */
export function encodeRequest(request: ClientRequest): Uint8Array {
  const w = new Writer(scratch).u8(RequestCode[request.kind]);
  switch (request.kind) {
    case "say":
      w.text(request.text, 2, MAX_TEXT_BYTES);
      break;
    case "leave":
      break;
    default: {
      const _exhaustive: never = request;
      throw new TypeError(`Cannot encode request: unknown kind ${_exhaustive}`);
    }
  }
  return w.finish().slice();
}

/** Decode a member's request; throws RangeError or SyntaxError when malformed. */
export function decodeRequest(bytes: Uint8Array): ClientRequest {
  const r = new Reader(bytes, "request");
  const code = r.u8("kind");
  let request: ClientRequest;
  switch (code) {
    case RequestCode.say:
      request = { kind: "say", text: r.text("text", 2, MAX_TEXT_BYTES) };
      break;
    case RequestCode.leave:
      request = { kind: "leave" };
      break;
    default:
      throw new SyntaxError(`Cannot decode request: unknown kind ${code}`);
  }
  r.end();
  return request;
}

function pick<T>(values: readonly T[], index: number, what: string): T {
  const value = values[index];
  if (value === undefined) {
    throw new RangeError(`Cannot decode ${what}: unknown code ${index}`);
  }
  return value;
}
