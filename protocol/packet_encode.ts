/**
 * The one place a native datagram turns into bytes: the handshake
 * datagrams whole, and the session datagram either whole or piece by piece
 * on the sender's hot path. Encoders throw TypeError for a field of the
 * wrong size and RangeError for what does not fit.
 * @module
 */

import {
  COOKIE_BYTES,
  MAGIC,
  MAX_LANG_BYTES,
  MAX_NAME_BYTES,
  MIN_JOIN_BYTES,
  NONCE_BYTES,
  PROTOCOL_VERSION,
  TOKEN_BYTES,
} from "./limits.ts";
import { crc32 } from "./crc32.ts";
import {
  type AckFields,
  CHECKSUM_BYTES,
  type CookiePacket,
  FrameType,
  HEADER_BYTES,
  type JoinPacket,
  MAX_ACK_RANGES_ON_WIRE,
  type Packet,
  PacketType,
  type RefusePacket,
  type ResetPacket,
  type SessionPacket,
  type WelcomePacket,
} from "./packet.ts";
import { SALT_BYTES } from "./seal.ts";
import { Writer } from "./wire.ts";

function header(w: Writer, type: number): Writer {
  return w.u16(MAGIC).u8(PROTOCOL_VERSION).u8(type);
}

/** Encode any packet except SESSION (see `encodeSession`). */
export function encodePacket(
  packet: Exclude<Packet, SessionPacket>,
): Uint8Array {
  switch (packet.type) {
    case "join":
      return encodeJoin(packet);
    case "cookie":
      return encodeCookie(packet);
    case "welcome":
      return encodeWelcome(packet);
    case "refuse":
      return encodeRefuse(packet);
    case "reset":
      return encodeReset(packet);
    default: {
      const _exhaustive: never = packet;
      throw new TypeError(`Cannot encode packet: unknown type ${_exhaustive}`);
    }
  }
}

function encodeJoin(packet: JoinPacket): Uint8Array {
  const w = header(new Writer(MIN_JOIN_BYTES), PacketType.join)
    .bytes(fixed(packet.cookie, COOKIE_BYTES, "cookie"))
    .bytes(nonce(packet.nonce))
    .u8(packet.resume ? 1 : 0)
    .u32(packet.resume?.sessionId ?? 0)
    .bytes(fixed(packet.resume?.token, TOKEN_BYTES, "token"))
    .u32(packet.resume?.lastSeen ?? 0)
    .text(packet.name, 1, MAX_NAME_BYTES)
    .text(packet.lang ?? "", 1, MAX_LANG_BYTES);
  return seal(w.padTo(MIN_JOIN_BYTES - CHECKSUM_BYTES));
}

function encodeCookie(packet: CookiePacket): Uint8Array {
  return seal(
    header(
      new Writer(
        HEADER_BYTES + NONCE_BYTES + COOKIE_BYTES + 1 + SALT_BYTES +
          CHECKSUM_BYTES,
      ),
      PacketType.cookie,
    )
      .bytes(nonce(packet.nonce))
      .bytes(fixed(packet.cookie, COOKIE_BYTES, "cookie"))
      .u8(packet.salt ? 1 : 0)
      .bytes(fixed(packet.salt, SALT_BYTES, "salt")),
  );
}

function encodeWelcome(packet: WelcomePacket): Uint8Array {
  return seal(
    header(new Writer(256), PacketType.welcome)
      .bytes(nonce(packet.nonce))
      .u32(packet.sessionId)
      .bytes(fixed(packet.token, TOKEN_BYTES, "token"))
      .u8(packet.resumed ? 1 : 0)
      .u32(packet.resumeSeq)
      .u32(packet.heartbeatMs)
      .u32(packet.timeoutMs)
      .text(packet.name, 1, MAX_NAME_BYTES),
  );
}

function encodeRefuse(packet: RefusePacket): Uint8Array {
  return seal(
    header(new Writer(512), PacketType.refuse)
      .bytes(nonce(packet.nonce))
      .u8(packet.code)
      .text(packet.reason, 2, 400),
  );
}

function encodeReset(packet: ResetPacket): Uint8Array {
  return seal(
    header(
      new Writer(HEADER_BYTES + 4 + TOKEN_BYTES + CHECKSUM_BYTES),
      PacketType.reset,
    )
      .u32(packet.sessionId)
      .bytes(fixed(packet.token, TOKEN_BYTES, "token")),
  );
}

/** A nonce must be given, and be NONCE_BYTES long. */
function nonce(value: Uint8Array): Uint8Array {
  if (value === undefined) {
    throw new TypeError("Cannot encode nonce: missing");
  }
  return fixed(value, NONCE_BYTES, "nonce");
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
