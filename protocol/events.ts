/**
 * The chat layer of the native protocol (PROTOCOL.md, "Events"): what rides
 * in the reliable stream. A member sends requests; the server sends events.
 * Both are a kind byte and fields in the order a schema table gives, so one
 * encoder and one decoder serve every kind. An encoded event may be longer
 * than one frame: `fragment.ts` splits it.
 * @module
 */

import { MAX_EVENT_BYTES, MAX_NAME_BYTES, MAX_TEXT_BYTES } from "./limits.ts";
import { Reader, Writer } from "./wire.ts";

/** Why a member is no longer in the room. */
export type LeaveWhy = "left" | "timeout" | "kicked" | "slow" | "banned";
/** Why a member's own session ended (the GOODBYE it receives). */
export type GoodbyeWhy =
  | "left"
  | "closing"
  | "kicked"
  | "timeout"
  | "slow"
  | "banned";

/** One line of a WHO reply. */
export interface WhoEntry {
  name: string;
  /** Since the member last sent anything (ms). */
  idleMs: number;
  /** Smoothed round trip (ms); 0 when not measured yet. */
  rttMs: number;
  /** Share of the server's frames to it that needed a retransmission, 0..100. */
  lossPercent: number;
  /** Away message; empty when present. */
  away: string;
  /** The server it is on (HOST:PORT), in a room several servers share (WHO_AT). */
  server?: string;
}

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
  | { kind: "goodbye"; why: GoodbyeWhy; reason: string }
  | {
    kind: "private";
    id: number;
    time: number;
    from: string;
    to: string;
    text: string;
  }
  | { kind: "action"; id: number; time: number; from: string; text: string }
  | { kind: "nick"; id: number; time: number; from: string; to: string }
  | { kind: "away"; id: number; time: number; name: string; reason: string }
  | { kind: "who"; total: number; entries: WhoEntry[] }
  /** /who in a room several servers share: each entry names its server. */
  | { kind: "whoAt"; total: number; entries: WhoEntry[] }
  | { kind: "history"; event: RoomEvent }
  | { kind: "motd"; text: string }
  | { kind: "limits"; burst: number; perSecond: number }
  /** A request the server acknowledged but will not carry out, and why. */
  | { kind: "unsent"; request: ClientRequest; reason: string }
  /**
   * The server is restarting (with its journal): wait and resume, as after
   * a crash. A member that does not know this kind drops it and does so
   * anyway once the server is silent.
   */
  | { kind: "restarting"; reason: string }
  /** The member may not speak for `ms` more (0: it may speak again), and why. */
  | { kind: "muted"; ms: number; reason: string };

/** Events that belong to the room's numbered log. */
export type RoomEvent = Extract<ServerEvent, { id: number }>;

/** What a member asks of the server. */
export type ClientRequest =
  | { kind: "say"; text: string }
  | { kind: "leave"; reason: string }
  | { kind: "private"; to: string; text: string }
  | { kind: "action"; text: string }
  | { kind: "nick"; name: string }
  | { kind: "away"; reason: string }
  | { kind: "who" };

/** Most names one MEMBERS event lists (the first to join); `total` counts all. */
export const MAX_MEMBERS_LISTED = 100;
/** Most entries one WHO event lists; `total` counts all. */
export const MAX_WHO_LISTED = 200;
/** Longest reason or away message in bytes. */
export const MAX_REASON_BYTES = 1024;
/** Longest server address in a WHO_AT entry, in bytes. */
export const MAX_SERVER_BYTES = 255;

type Field =
  | "u32"
  | "f64"
  | "name"
  | "text"
  | "reason"
  | "leaveWhy"
  | "goodbyeWhy"
  | "names"
  | "who"
  | "whoAt"
  | "event"
  | "request";

type Schema = Record<
  string,
  readonly [code: number, fields: ReadonlyArray<readonly [string, Field]>]
>;

const ROOM = [["id", "u32"], ["time", "f64"]] as const;

const EVENTS: Schema = {
  chat: [0x10, [...ROOM, ["from", "name"], ["text", "text"]]],
  joined: [0x11, [...ROOM, ["name", "name"]]],
  left: [0x12, [...ROOM, ["name", "name"], ["why", "leaveWhy"], [
    "reason",
    "reason",
  ]]],
  admin: [0x13, [...ROOM, ["text", "text"]]],
  members: [0x14, [["total", "u32"], ["names", "names"]]],
  notice: [0x15, [["text", "text"]]],
  goodbye: [0x16, [["why", "goodbyeWhy"], ["reason", "reason"]]],
  private: [0x17, [...ROOM, ["from", "name"], ["to", "name"], [
    "text",
    "text",
  ]]],
  action: [0x18, [...ROOM, ["from", "name"], ["text", "text"]]],
  nick: [0x19, [...ROOM, ["from", "name"], ["to", "name"]]],
  away: [0x1a, [...ROOM, ["name", "name"], ["reason", "reason"]]],
  who: [0x1b, [["total", "u32"], ["entries", "who"]]],
  history: [0x1c, [["event", "event"]]],
  motd: [0x1d, [["text", "text"]]],
  limits: [0x1e, [["burst", "u32"], ["perSecond", "u32"]]],
  unsent: [0x1f, [["request", "request"], ["reason", "reason"]]],
  restarting: [0x20, [["reason", "reason"]]],
  muted: [0x21, [["ms", "u32"], ["reason", "reason"]]],
  whoAt: [0x22, [["total", "u32"], ["entries", "whoAt"]]],
};

const REQUESTS: Schema = {
  say: [0x01, [["text", "text"]]],
  leave: [0x02, [["reason", "reason"]]],
  private: [0x03, [["to", "name"], ["text", "text"]]],
  action: [0x04, [["text", "text"]]],
  nick: [0x05, [["name", "name"]]],
  away: [0x06, [["reason", "reason"]]],
  who: [0x07, []],
};

const LEAVE_WHYS: readonly LeaveWhy[] = [
  "left",
  "timeout",
  "kicked",
  "slow",
  "banned",
];
const GOODBYE_WHYS: readonly GoodbyeWhy[] = [
  "left",
  "closing",
  "kicked",
  "timeout",
  "slow",
  "banned",
];

const scratch = new Uint8Array(MAX_EVENT_BYTES);

/** Encode a server event into a fresh buffer (RangeError past the limits). */
export function encodeEvent(event: ServerEvent): Uint8Array {
  const w = new Writer(scratch);
  writeMessage(w, EVENTS, event as unknown as Message, "event");
  return w.finish().slice();
}

/** Decode a server event; throws RangeError or SyntaxError when malformed. */
export function decodeEvent(bytes: Uint8Array): ServerEvent {
  return readMessage(
    new Reader(bytes, "event"),
    EVENTS,
    "event",
    true,
  ) as unknown as ServerEvent;
}

/** Encode a member's request. */
export function encodeRequest(request: ClientRequest): Uint8Array {
  const w = new Writer(scratch);
  writeMessage(w, REQUESTS, request as unknown as Message, "request");
  return w.finish().slice();
}

/** Decode a member's request; throws RangeError or SyntaxError when malformed. */
export function decodeRequest(bytes: Uint8Array): ClientRequest {
  return readMessage(
    new Reader(bytes, "request"),
    REQUESTS,
    "request",
    true,
  ) as unknown as ClientRequest;
}

type Message = { kind: string } & Record<string, unknown>;

const CODES = new Map<Schema, Map<number, string>>(
  [EVENTS, REQUESTS].map((schema) => [
    schema,
    new Map(Object.entries(schema).map(([kind, [code]]) => [code, kind])),
  ]),
);

function writeMessage(
  w: Writer,
  schema: Schema,
  message: Message,
  what: string,
): void {
  const entry = schema[message.kind];
  if (entry === undefined) {
    throw new TypeError(`Cannot encode ${what}: unknown kind ${message.kind}`);
  }
  w.u8(entry[0]);
  for (const [name, field] of entry[1]) {
    writeField(w, field, message[name], message.kind);
  }
}

function readMessage(
  r: Reader,
  schema: Schema,
  what: string,
  whole: boolean,
): Message {
  const code = r.u8("kind");
  const kind = CODES.get(schema)!.get(code);
  if (kind === undefined) {
    throw new SyntaxError(`Cannot decode ${what}: unknown kind ${code}`);
  }
  const message: Message = { kind };
  for (const [name, field] of schema[kind]![1]) {
    message[name] = readField(r, field, name, kind);
  }
  if (whole) r.end();
  return message;
}

function writeField(
  w: Writer,
  field: Field,
  value: unknown,
  kind: string,
): void {
  switch (field) {
    case "u32":
      return void w.u32(value as number);
    case "f64":
      return void w.f64(value as number);
    case "name":
      return void w.text(value as string, 1, MAX_NAME_BYTES);
    case "text":
      return void w.text(value as string, 2, MAX_TEXT_BYTES);
    case "reason":
      return void w.text(value as string, 2, MAX_REASON_BYTES);
    case "leaveWhy":
      return void w.u8(LEAVE_WHYS.indexOf(value as LeaveWhy));
    case "goodbyeWhy":
      return void w.u8(GOODBYE_WHYS.indexOf(value as GoodbyeWhy));
    case "names":
      return writeList(
        w,
        value as string[],
        MAX_MEMBERS_LISTED,
        kind,
        (name) => w.text(name, 1, MAX_NAME_BYTES),
      );
    case "who":
    case "whoAt":
      return writeList(w, value as WhoEntry[], MAX_WHO_LISTED, kind, (e) => {
        w.text(e.name, 1, MAX_NAME_BYTES).u32(e.idleMs).u32(e.rttMs).u8(
          e.lossPercent,
        )
          .text(e.away, 2, MAX_REASON_BYTES);
        if (field === "whoAt") w.text(e.server ?? "", 1, MAX_SERVER_BYTES);
      });
    case "event":
      return writeMessage(w, EVENTS, value as Message, "event");
    case "request":
      return writeMessage(w, REQUESTS, value as Message, "request");
  }
}

function writeList<T>(
  w: Writer,
  items: T[],
  max: number,
  kind: string,
  write: (item: T) => void,
): void {
  if (items.length > max) {
    throw new RangeError(
      `Cannot encode ${kind.toUpperCase()}: ${items.length} entries, the limit is ${max}`,
    );
  }
  w.u16(items.length);
  for (const item of items) write(item);
}

function readField(
  r: Reader,
  field: Field,
  name: string,
  kind: string,
): unknown {
  switch (field) {
    case "u32":
      return r.u32(name);
    case "f64":
      return r.f64(name);
    case "name":
      return r.text(name, 1, MAX_NAME_BYTES);
    case "text":
      return r.text(name, 2, MAX_TEXT_BYTES);
    case "reason":
      return r.text(name, 2, MAX_REASON_BYTES);
    case "leaveWhy":
      return pick(LEAVE_WHYS, r.u8(name), `${kind.toUpperCase()} why`);
    case "goodbyeWhy":
      return pick(GOODBYE_WHYS, r.u8(name), `${kind.toUpperCase()} why`);
    case "names":
      return readList(
        r,
        MAX_MEMBERS_LISTED,
        kind,
        () => r.text("name", 1, MAX_NAME_BYTES),
      );
    case "who":
    case "whoAt":
      return readList(r, MAX_WHO_LISTED, kind, (): WhoEntry => {
        const entry: WhoEntry = {
          name: r.text("name", 1, MAX_NAME_BYTES),
          idleMs: r.u32("idle"),
          rttMs: r.u32("rtt"),
          lossPercent: Math.min(100, r.u8("loss")),
          away: r.text("away", 2, MAX_REASON_BYTES),
        };
        if (field === "whoAt") {
          entry.server = r.text("server", 1, MAX_SERVER_BYTES);
        }
        return entry;
      });
    case "event": {
      const inner = readMessage(r, EVENTS, "event", false);
      if (!("id" in inner)) {
        throw new SyntaxError(
          `Cannot decode HISTORY: ${inner.kind} is not a room event`,
        );
      }
      return inner;
    }
    case "request":
      return readMessage(r, REQUESTS, "request", false);
  }
}

function readList<T>(r: Reader, max: number, kind: string, read: () => T): T[] {
  const count = r.u16("count");
  if (count > max) {
    throw new RangeError(
      `Cannot decode ${kind.toUpperCase()}: ${count} entries, the limit is ${max}`,
    );
  }
  const items: T[] = [];
  for (let i = 0; i < count; i++) items.push(read());
  return items;
}

function pick<T>(values: readonly T[], index: number, what: string): T {
  const value = values[index];
  if (value === undefined) {
    throw new RangeError(`Cannot decode ${what}: unknown code ${index}`);
  }
  return value;
}
