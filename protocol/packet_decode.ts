/**
 * The one place bytes turn into a native datagram. Decoders treat their
 * input as hostile and throw RangeError or SyntaxError with a clear
 * message; they never return a half-read packet.
 * @module
 */

import {
  COOKIE_BYTES,
  MAGIC,
  MAX_DATAGRAM_BYTES,
  MAX_LANG_BYTES,
  MAX_NAME_BYTES,
  MIN_JOIN_BYTES,
  NONCE_BYTES,
  PROTOCOL_VERSION,
  TOKEN_BYTES,
} from "./limits.ts";
import { crc32 } from "./crc32.ts";
import {
  CHECKSUM_BYTES,
  type CookiePacket,
  type Frame,
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
import { Reader } from "./wire.ts";

/** Largest JOIN accepted: padding may grow a little in later versions. */
const MAX_JOIN_DATAGRAM_BYTES = MIN_JOIN_BYTES + 64;

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
    case PacketType.cookie:
      return decodeCookie(new Reader(body, "COOKIE datagram", HEADER_BYTES));
    case PacketType.welcome:
      return decodeWelcome(new Reader(body, "WELCOME datagram", HEADER_BYTES));
    case PacketType.refuse:
      return decodeRefuse(new Reader(body, "REFUSE datagram", HEADER_BYTES));
    case PacketType.session:
      return decodeSession(new Reader(body, "SESSION datagram", HEADER_BYTES));
    case PacketType.reset:
      return decodeReset(new Reader(body, "RESET datagram", HEADER_BYTES));
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
  const nonce = r.bytes(NONCE_BYTES, "nonce");
  const flags = r.u8("flags");
  if (flags > 1) {
    throw new SyntaxError(`Cannot decode JOIN datagram: flags ${flags}`);
  }
  const sessionId = r.u32("session id");
  const token = r.bytes(TOKEN_BYTES, "token");
  const lastSeen = r.u32("last seen");
  const name = r.text("name", 1, MAX_NAME_BYTES);
  const packet: JoinPacket = { type: "join", cookie, nonce, name };
  const lang = langTag(r);
  if (lang !== undefined) packet.lang = lang;
  if (flags === 1) packet.resume = { sessionId, token, lastSeen };
  return packet;
}

/**
 * The optional language tag after a JOIN's name: a zero length (an older
 * member's padding) or anything but a short tag of letters, digits and
 * hyphens is no tag, never an error.
 */
function langTag(r: Reader): string | undefined {
  const length = r.u8("language");
  if (length === 0 || length > MAX_LANG_BYTES) return undefined;
  const tag = String.fromCharCode(...r.bytes(length, "language"));
  return /^[A-Za-z0-9-]+$/.test(tag) ? tag : undefined;
}

function decodeCookie(r: Reader): CookiePacket {
  const nonce = r.bytes(NONCE_BYTES, "nonce");
  const cookie = r.bytes(COOKIE_BYTES, "cookie");
  const flags = r.u8("flags");
  const salt = r.bytes(SALT_BYTES, "salt");
  r.end();
  if (flags > 1) {
    throw new SyntaxError(`Cannot decode COOKIE datagram: flags ${flags}`);
  }
  return flags === 1
    ? { type: "cookie", nonce, cookie, salt }
    : { type: "cookie", nonce, cookie };
}

function decodeWelcome(r: Reader): WelcomePacket {
  const nonce = r.bytes(NONCE_BYTES, "nonce");
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
    nonce,
    sessionId,
    token,
    resumed: flags === 1,
    resumeSeq,
    heartbeatMs,
    timeoutMs,
    name,
  };
}

function decodeRefuse(r: Reader): RefusePacket {
  const nonce = r.bytes(NONCE_BYTES, "nonce");
  const code = r.u8("code");
  const reason = r.text("reason", 2, 400);
  r.end();
  return { type: "refuse", nonce, code, reason };
}

function decodeReset(r: Reader): ResetPacket {
  const sessionId = r.u32("session id");
  const token = r.bytes(TOKEN_BYTES, "token");
  r.end();
  return { type: "reset", sessionId, token };
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
