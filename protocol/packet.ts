/**
 * The datagram layer of the native protocol (PROTOCOL.md, "Datagrams"):
 * the handshake datagrams and the session datagram that carries acks and
 * frames. One place turns bytes into a packet and one turns a packet into
 * bytes. Decoders treat their input as hostile and throw RangeError or
 * SyntaxError with a clear message; they never return a half-read packet.
 * @module
 */

import {
  COOKIE_BYTES,
  MAGIC,
  MAX_DATAGRAM_BYTES,
  MAX_NAME_BYTES,
  MIN_JOIN_BYTES,
  PROTOCOL_VERSION,
  TOKEN_BYTES,
} from "./limits.ts";
import { crc32 } from "./crc32.ts";
import { MAX_ACK_RANGES } from "./reliable.ts";
import { SALT_BYTES } from "./seal.ts";
import { Reader, Writer } from "./wire.ts";

/** Datagram type codes (byte 3 of every native datagram). */
export const PacketType = {
  join: 0x01,
  cookie: 0x02,
  welcome: 0x03,
  refuse: 0x04,
  session: 0x05,
  reset: 0x06,
} as const;

/** Frame type codes inside a session datagram. */
export const FrameType = { data: 0x01, ping: 0x02, pong: 0x03 } as const;

/** Why a join was refused (REFUSE datagram). */
export const RefuseCode = {
  name: 1,
  taken: 2,
  full: 3,
  banned: 4,
  throttled: 5,
  version: 6,
  passphrase: 7,
  classic: 8,
} as const;

/** Bytes of the common header: magic, version, type. */
export const HEADER_BYTES = 4;
/** Largest JOIN accepted: padding may grow a little in later versions. */
const MAX_JOIN_DATAGRAM_BYTES = MIN_JOIN_BYTES + 64;
/** Bytes of the CRC-32 that ends every native datagram. */
export const CHECKSUM_BYTES = 4;
/** Bytes of a session datagram with no ack range and no frame (checksum included). */
export const SESSION_FIXED_BYTES = HEADER_BYTES + 4 + TOKEN_BYTES + 4 + 4 + 1 +
  CHECKSUM_BYTES;
/** Bytes of one ack range. */
export const ACK_RANGE_BYTES = 8;
/** Bytes of a DATA frame's header (type, seq, length). */
export const DATA_FRAME_OVERHEAD = 1 + 4 + 2;
/** Largest body of one DATA frame: it fits even with the most ack ranges. */
export const MAX_FRAME_BODY = MAX_DATAGRAM_BYTES - SESSION_FIXED_BYTES -
  8 * ACK_RANGE_BYTES - DATA_FRAME_OVERHEAD;

/** A member's request to join, or to resume a session it had. */
export interface JoinPacket {
  type: "join";
  /** Zero-filled when the client has no cookie yet. */
  cookie: Uint8Array;
  name: string;
  /** Set when resuming: the session the member had, and its token. */
  resume?: { sessionId: number; token: Uint8Array; lastSeen: number };
}

/** The server's stateless address check: echo this cookie in the next JOIN. */
export interface CookiePacket {
  type: "cookie";
  cookie: Uint8Array;
  /** The room's salt when it has a passphrase: derive the key, then seal. */
  salt?: Uint8Array;
}

/** A join succeeded: the session id and its secret token. */
export interface WelcomePacket {
  type: "welcome";
  sessionId: number;
  token: Uint8Array;
  /** The name as the server normalised it. */
  name: string;
  /** True when an earlier session was resumed. */
  resumed: boolean;
  /** The member's next request seq: every request before it was processed. */
  resumeSeq: number;
  /** How often the member should send when idle, and when it is dropped. */
  heartbeatMs: number;
  timeoutMs: number;
}

/** A join failed; the member may try again (another name, later). */
export interface RefusePacket {
  type: "refuse";
  code: number;
  reason: string;
}

/** One acknowledgement: all before `next`, plus ranges [start, end). */
export interface AckFields {
  next: number;
  ranges: Array<readonly [number, number]>;
}

/** A frame inside a session datagram. */
export type Frame =
  | { type: "data"; seq: number; body: Uint8Array }
  | { type: "ping"; stamp: number }
  | { type: "pong"; stamp: number };

/** The datagram of an established session, in either direction. */
export interface SessionPacket {
  type: "session";
  sessionId: number;
  token: Uint8Array;
  /** Packet number, increasing per direction; roaming needs a fresh one. */
  pn: number;
  ack: AckFields;
  frames: Frame[];
}

/** The server does not know this session (it restarted): join again. */
export interface ResetPacket {
  type: "reset";
  sessionId: number;
  token: Uint8Array;
}

/** Every native datagram. */
export type Packet =
  | JoinPacket
  | CookiePacket
  | WelcomePacket
  | RefusePacket
  | SessionPacket
  | ResetPacket;

/** Upper bound on ack ranges one datagram carries: what a channel reports. */
export const MAX_ACK_RANGES_ON_WIRE = MAX_ACK_RANGES;

/** True when `bytes` starts with the native magic (classic text does not). */
export function isNative(bytes: Uint8Array): boolean {
  return bytes.byteLength >= 2 && ((bytes[0]! << 8) | bytes[1]!) === MAGIC;
}

function header(w: Writer, type: number): Writer {
  return w.u16(MAGIC).u8(PROTOCOL_VERSION).u8(type);
}

/** Encode any packet except SESSION (see `encodeSession`). */
export function encodePacket(
  packet: Exclude<Packet, SessionPacket>,
): Uint8Array {
  switch (packet.type) {
    case "join": {
      const w = header(new Writer(MIN_JOIN_BYTES), PacketType.join)
        .bytes(fixed(packet.cookie, COOKIE_BYTES, "cookie"))
        .u8(packet.resume ? 1 : 0)
        .u32(packet.resume?.sessionId ?? 0)
        .bytes(fixed(packet.resume?.token, TOKEN_BYTES, "token"))
        .u32(packet.resume?.lastSeen ?? 0)
        .text(packet.name, 1, MAX_NAME_BYTES);
      return seal(w.padTo(MIN_JOIN_BYTES - CHECKSUM_BYTES));
    }
    case "cookie":
      return seal(
        header(
          new Writer(
            HEADER_BYTES + COOKIE_BYTES + 1 + SALT_BYTES + CHECKSUM_BYTES,
          ),
          PacketType.cookie,
        )
          .bytes(fixed(packet.cookie, COOKIE_BYTES, "cookie"))
          .u8(packet.salt ? 1 : 0)
          .bytes(fixed(packet.salt, SALT_BYTES, "salt")),
      );
    case "welcome":
      return seal(
        header(new Writer(256), PacketType.welcome)
          .u32(packet.sessionId)
          .bytes(fixed(packet.token, TOKEN_BYTES, "token"))
          .u8(packet.resumed ? 1 : 0)
          .u32(packet.resumeSeq)
          .u32(packet.heartbeatMs)
          .u32(packet.timeoutMs)
          .text(packet.name, 1, MAX_NAME_BYTES),
      );
    case "refuse":
      return seal(
        header(new Writer(512), PacketType.refuse).u8(packet.code).text(
          packet.reason,
          2,
          400,
        ),
      );
    case "reset":
      return seal(
        header(
          new Writer(HEADER_BYTES + 4 + TOKEN_BYTES + CHECKSUM_BYTES),
          PacketType.reset,
        )
          .u32(packet.sessionId)
          .bytes(fixed(packet.token, TOKEN_BYTES, "token")),
      );
    default: {
      const _exhaustive: never = packet;
      throw new TypeError(`Cannot encode packet: unknown type ${_exhaustive}`);
    }
  }
}

function fixed(
  value: Uint8Array | undefined,
  length: number,
  what: string,
): Uint8Array {
  if (value === undefined) return new Uint8Array(length);
  if (value.byteLength !== length) {
    throw new TypeError(
      `Cannot encode ${what}: ${value.byteLength} bytes, need ${length}`,
    );
  }
  return value;
}

/** Bytes a session datagram spends on everything but its frames. */
export function sessionHeaderBytes(ack: AckFields): number {
  return SESSION_FIXED_BYTES + ack.ranges.length * ACK_RANGE_BYTES;
}

/** Bytes a frame takes on the wire. */
export function frameBytes(frame: Frame): number {
  return frame.type === "data"
    ? DATA_FRAME_OVERHEAD + frame.body.byteLength
    : 5;
}

/**
 * Encode a session datagram into `into` (a reusable buffer) and return the
 * view of it that was written. Throws RangeError when it does not fit.
 */
export function encodeSession(
  into: Uint8Array,
  packet: Omit<SessionPacket, "type">,
): Uint8Array {
  const w = beginSession(
    into,
    packet.sessionId,
    packet.token,
    packet.pn,
    packet.ack,
  );
  for (const frame of packet.frames) {
    if (frame.type === "data") putData(w, frame.seq, frame.body);
    else putStamp(w, frame.type, frame.stamp);
  }
  return seal(w);
}

let reused: Writer | undefined;
let reusedFor: Uint8Array | undefined;

/**
 * Start a session datagram in `into`: header and ack. Frames follow with
 * putData/putStamp and `seal` ends it. This is the hot path of every
 * sender, so it allocates nothing per frame and reuses the writer of the
 * buffer it was last given.
 */
export function beginSession(
  into: Uint8Array,
  sessionId: number,
  token: Uint8Array,
  pn: number,
  ack: AckFields,
): Writer {
  if (ack.ranges.length > MAX_ACK_RANGES_ON_WIRE) {
    throw new RangeError(
      `Cannot encode ack: ${ack.ranges.length} ranges, the limit is ${MAX_ACK_RANGES_ON_WIRE}`,
    );
  }
  if (reusedFor !== into) {
    reused = new Writer(into);
    reusedFor = into;
  }
  const w = header(reused!.rewind(), PacketType.session)
    .u32(sessionId)
    .bytes(fixed(token, TOKEN_BYTES, "token"))
    .u32(pn)
    .u32(ack.next)
    .u8(ack.ranges.length);
  for (const [start, end] of ack.ranges) w.u32(start).u32(end);
  return w;
}

/** Append a DATA frame to a session datagram begun with beginSession. */
export function putData(w: Writer, seq: number, body: Uint8Array): void {
  w.u8(FrameType.data).u32(seq).u16(body.byteLength).bytes(body);
}

/** Append a PING or PONG frame to a session datagram begun with beginSession. */
export function putStamp(
  w: Writer,
  type: "ping" | "pong",
  stamp: number,
): void {
  w.u8(FrameType[type]).u32(stamp);
}

/** Append the CRC-32 of everything written so far; the datagram is done. */
export function seal(w: Writer): Uint8Array {
  return w.u32(crc32(w.finish())).finish();
}

/**
 * Decode a native datagram. Views in the result point into `bytes`: copy
 * what you keep. Throws RangeError or SyntaxError for anything malformed,
 * including a wrong magic or an unknown version.
 */
export function decodePacket(bytes: Uint8Array): Packet {
  // Checked before the checksum, so oversized junk costs nothing to drop.
  const limit = bytes[3] === PacketType.join
    ? MAX_JOIN_DATAGRAM_BYTES
    : MAX_DATAGRAM_BYTES;
  if (bytes.byteLength > limit) {
    throw new RangeError(
      `Cannot decode datagram: ${bytes.byteLength} bytes, the limit is ${limit}`,
    );
  }
  const r = new Reader(bytes, "datagram");
  if (r.u16("magic") !== MAGIC) {
    throw new SyntaxError("Cannot decode datagram: bad magic");
  }
  const version = r.u8("version");
  if (version !== PROTOCOL_VERSION) {
    throw new RangeError(
      `Cannot decode datagram: version ${version}, this peer speaks ${PROTOCOL_VERSION}`,
    );
  }
  const type = r.u8("type");
  const body = checked(bytes);
  switch (type) {
    case PacketType.join:
      return decodeJoin(
        new Reader(body, "JOIN datagram", HEADER_BYTES),
        bytes.byteLength,
      );
    case PacketType.cookie: {
      const cr = new Reader(body, "COOKIE datagram", HEADER_BYTES);
      const cookie = cr.bytes(COOKIE_BYTES, "cookie");
      const flags = cr.u8("flags");
      const salt = cr.bytes(SALT_BYTES, "salt");
      cr.end();
      if (flags > 1) {
        throw new SyntaxError(`Cannot decode COOKIE datagram: flags ${flags}`);
      }
      return flags === 1
        ? { type: "cookie", cookie, salt }
        : { type: "cookie", cookie };
    }
    case PacketType.welcome:
      return decodeWelcome(new Reader(body, "WELCOME datagram", HEADER_BYTES));
    case PacketType.refuse: {
      const rr = new Reader(body, "REFUSE datagram", HEADER_BYTES);
      const code = rr.u8("code");
      const reason = rr.text("reason", 2, 400);
      rr.end();
      return { type: "refuse", code, reason };
    }
    case PacketType.session:
      return decodeSession(new Reader(body, "SESSION datagram", HEADER_BYTES));
    case PacketType.reset: {
      const rr = new Reader(body, "RESET datagram", HEADER_BYTES);
      const sessionId = rr.u32("session id");
      const token = rr.bytes(TOKEN_BYTES, "token");
      rr.end();
      return { type: "reset", sessionId, token };
    }
    default:
      throw new SyntaxError(`Cannot decode datagram: unknown type ${type}`);
  }
}

/** The datagram without its checksum, once the checksum is right. */
function checked(bytes: Uint8Array): Uint8Array {
  const end = bytes.byteLength - CHECKSUM_BYTES;
  if (end < HEADER_BYTES) {
    throw new RangeError(
      `Cannot decode datagram: ${bytes.byteLength} bytes, need ${
        HEADER_BYTES + CHECKSUM_BYTES
      }`,
    );
  }
  const body = bytes.subarray(0, end);
  const sum = new DataView(bytes.buffer, bytes.byteOffset + end, CHECKSUM_BYTES)
    .getUint32(0);
  if (crc32(body) !== sum) {
    throw new SyntaxError("Cannot decode datagram: checksum mismatch");
  }
  return body;
}

function decodeJoin(r: Reader, size: number): JoinPacket {
  if (size < MIN_JOIN_BYTES) {
    throw new RangeError(
      `Cannot decode JOIN datagram: ${size} bytes, must be padded to ${MIN_JOIN_BYTES}`,
    );
  }
  const cookie = r.bytes(COOKIE_BYTES, "cookie");
  const flags = r.u8("flags");
  if (flags > 1) {
    throw new SyntaxError(`Cannot decode JOIN datagram: flags ${flags}`);
  }
  const sessionId = r.u32("session id");
  const token = r.bytes(TOKEN_BYTES, "token");
  const lastSeen = r.u32("last seen");
  const name = r.text("name", 1, MAX_NAME_BYTES);
  const packet: JoinPacket = { type: "join", cookie, name };
  if (flags === 1) packet.resume = { sessionId, token, lastSeen };
  return packet;
}

function decodeWelcome(r: Reader): WelcomePacket {
  const sessionId = r.u32("session id");
  const token = r.bytes(TOKEN_BYTES, "token");
  const flags = r.u8("flags");
  const resumeSeq = r.u32("resume seq");
  const heartbeatMs = r.u32("heartbeat");
  const timeoutMs = r.u32("timeout");
  const name = r.text("name", 1, MAX_NAME_BYTES);
  r.end();
  if (flags > 1) {
    throw new SyntaxError(`Cannot decode WELCOME datagram: flags ${flags}`);
  }
  return {
    type: "welcome",
    sessionId,
    token,
    resumed: flags === 1,
    resumeSeq,
    heartbeatMs,
    timeoutMs,
    name,
  };
}

function decodeSession(r: Reader): SessionPacket {
  const sessionId = r.u32("session id");
  const token = r.bytes(TOKEN_BYTES, "token");
  const pn = r.u32("packet number");
  const next = r.u32("ack");
  const count = r.u8("ack range count");
  if (count > MAX_ACK_RANGES_ON_WIRE) {
    throw new RangeError(
      `Cannot decode SESSION datagram: ${count} ack ranges, the limit is ${MAX_ACK_RANGES_ON_WIRE}`,
    );
  }
  const ranges: Array<readonly [number, number]> = [];
  for (let i = 0; i < count; i++) {
    ranges.push([r.u32("ack range start"), r.u32("ack range end")]);
  }
  const frames: Frame[] = [];
  while (r.remaining > 0) {
    const type = r.u8("frame type");
    if (type === FrameType.data) {
      const seq = r.u32("frame seq");
      const length = r.u16("frame length");
      if (length === 0) {
        throw new SyntaxError(
          "Cannot decode SESSION datagram: empty DATA frame",
        );
      }
      frames.push({ type: "data", seq, body: r.bytes(length, "frame body") });
    } else if (type === FrameType.ping || type === FrameType.pong) {
      const stamp = r.u32("stamp");
      frames.push({ type: type === FrameType.ping ? "ping" : "pong", stamp });
    } else {
      throw new SyntaxError(
        `Cannot decode SESSION datagram: unknown frame type ${type}`,
      );
    }
  }
  return {
    type: "session",
    sessionId,
    token,
    pn,
    ack: { next, ranges },
    frames,
  };
}
