/**
 * The datagrams of the native protocol (PROTOCOL.md, "Datagrams"): the
 * handshake datagrams and the session datagram that carries acks and
 * frames, as types, type codes and sizes. Turning them into bytes lives in
 * `packet_encode.ts`, turning bytes into them in `packet_decode.ts`.
 * @module
 */

import { MAGIC, MAX_DATAGRAM_BYTES, TOKEN_BYTES } from "./limits.ts";
import { MAX_ACK_RANGES } from "./reliable_receive.ts";

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
  /** Random per join attempt (NONCE_BYTES); every reply echoes it. */
  nonce: Uint8Array;
  name: string;
  /**
   * The member's language tag ("zh"), for the server's words to it; absent
   * (an older member): the server's default.
   */
  lang?: string;
  /** Set when resuming: the session the member had, and its token. */
  resume?: { sessionId: number; token: Uint8Array; lastSeen: number };
}

/** The server's stateless address check: echo this cookie in the next JOIN. */
export interface CookiePacket {
  type: "cookie";
  /** The JOIN's nonce, echoed. */
  nonce: Uint8Array;
  cookie: Uint8Array;
  /** The room's salt when it has a passphrase: derive the key, then seal. */
  salt?: Uint8Array;
}

/** A join succeeded: the session id and its secret token. */
export interface WelcomePacket {
  type: "welcome";
  /** The JOIN's nonce, echoed. */
  nonce: Uint8Array;
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
  /**
   * The JOIN's nonce, echoed; for a sealed JOIN that would not open, the
   * last NONCE_BYTES of that sealed datagram (its tag's end).
   */
  nonce: Uint8Array;
  code: number;
  /** Empty when the room has a passphrase: the member words the code. */
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
