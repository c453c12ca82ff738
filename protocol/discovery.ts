/**
 * Finding a room on the local network: the PROBE a member broadcasts and the
 * ANSWER a server sends back (PROTOCOL.md, "Finding a room"). A probe is
 * padded to PROBE_BYTES and an answer never exceeds MAX_ANSWER_BYTES, which
 * is smaller, so answering cannot amplify. Pure: bytes in, bytes out; the
 * decoders treat their input as hostile and throw on anything malformed.
 * @module
 */

import { Reader, Writer } from "./wire.ts";

/** The two magic bytes of discovery datagrams: "UD" (the chat's are "UC"). */
export const DISCOVERY_MAGIC = 0x5544;

/** Version of the discovery datagrams (apart from the chat protocol's). */
export const DISCOVERY_VERSION = 1;

/** The well-known UDP port servers listen for probes on. */
export const DISCOVERY_PORT = 8889;

/** The IPv4 multicast group probes are also sent to (organisation-local scope). */
export const DISCOVERY_GROUP_V4 = "239.255.85.67";

/**
 * The IPv6 link-local multicast group probes are also sent to, on each
 * interface with an IPv6 link-local address ("ud" = 0x7564).
 */
export const DISCOVERY_GROUP_V6 = "ff02::7564";

/** Every probe is exactly this long: the padding pays for the answer. */
export const PROBE_BYTES = 512;

/** Longest room name in UTF-8 bytes. */
export const MAX_ROOM_BYTES = 64;

/** Largest answer: the fixed fields and the longest room name. */
export const MAX_ANSWER_BYTES = 32 + 1 + MAX_ROOM_BYTES;

/** Random bytes a probe carries and its answers echo. */
export const NONCE_BYTES = 8;

/** Random bytes naming one running server, so its answers are counted once. */
export const SERVER_ID_BYTES = 8;

const PROBE = 0x01;
const ANSWER = 0x02;
const PASSPHRASE = 0x01;

/** One interface address, as `Deno.networkInterfaces()` lists it. */
export interface Nic {
  family: "IPv4" | "IPv6";
  address: string;
  netmask: string;
  /** The interface's name (not needed by the IPv4 rules). */
  name?: string;
  /** The IPv6 scope id: the interface index of a link-local address. */
  scopeid?: number | null;
}

/** True for an IPv6 link-local address (fe80::/10). */
export function isLinkLocalV6(address: string): boolean {
  return /^fe[89ab][0-9a-f]:/i.test(address);
}

/** What a server says about its room. */
export interface Answer {
  nonce: Uint8Array;
  /** Random per server run: answers with the same id come from one server. */
  serverId: Uint8Array;
  /** The chat protocol version the server speaks. */
  version: number;
  passphrase: boolean;
  /** The IPv4 address and UDP port members join at. */
  hostname: string;
  port: number;
  members: number;
  room: string;
}

/** A probe carrying `nonce`, padded to PROBE_BYTES. */
export function encodeProbe(nonce: Uint8Array): Uint8Array {
  return header(new Writer(PROBE_BYTES), PROBE).bytes(checkNonce(nonce))
    .padTo(PROBE_BYTES).finish();
}

/** The nonce of a probe; throws unless `bytes` is a probe of PROBE_BYTES or more. */
export function decodeProbe(bytes: Uint8Array): Uint8Array {
  if (bytes.byteLength < PROBE_BYTES) {
    throw new RangeError(
      `Cannot decode probe: ${bytes.byteLength} bytes, need ${PROBE_BYTES}`,
    );
  }
  const r = new Reader(bytes, "probe");
  readHeader(r, PROBE, "probe");
  return r.bytes(NONCE_BYTES, "nonce").slice();
}

/** An answer; throws RangeError for a field out of range. */
export function encodeAnswer(answer: Answer): Uint8Array {
  const w = header(new Writer(MAX_ANSWER_BYTES), ANSWER)
    .bytes(checkNonce(answer.nonce));
  if (answer.serverId.byteLength !== SERVER_ID_BYTES) {
    throw new RangeError(`Cannot encode answer: server id is not 8 bytes`);
  }
  w.bytes(answer.serverId).u8(answer.version)
    .u8(answer.passphrase ? PASSPHRASE : 0)
    .bytes(ipv4Bytes(answer.hostname)).u16(answer.port)
    .u32(Math.min(answer.members, 0xffffffff))
    .text(answer.room, 1, MAX_ROOM_BYTES);
  return w.finish();
}

/** An answer from hostile bytes; throws on anything malformed. */
export function decodeAnswer(bytes: Uint8Array): Answer {
  if (bytes.byteLength > MAX_ANSWER_BYTES) {
    throw new RangeError(
      `Cannot decode answer: ${bytes.byteLength} bytes, the limit is ${MAX_ANSWER_BYTES}`,
    );
  }
  const r = new Reader(bytes, "answer");
  readHeader(r, ANSWER, "answer");
  const nonce = r.bytes(NONCE_BYTES, "nonce").slice();
  const serverId = r.bytes(SERVER_ID_BYTES, "server id").slice();
  const version = r.u8("version");
  const flags = r.u8("flags");
  const hostname = [...r.bytes(4, "address")].join(".");
  const port = r.u16("port");
  if (port === 0) throw new RangeError("Cannot decode answer: port is 0");
  const members = r.u32("members");
  const room = r.text("room", 1, MAX_ROOM_BYTES);
  r.end();
  const passphrase = (flags & PASSPHRASE) !== 0;
  return {
    nonce,
    serverId,
    version,
    passphrase,
    hostname,
    port,
    members,
    room,
  };
}

/** True when `a` and `b` hold the same bytes. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && a.every((x, i) => x === b[i]);
}

function header(w: Writer, type: number): Writer {
  return w.u16(DISCOVERY_MAGIC).u8(DISCOVERY_VERSION).u8(type);
}

function readHeader(r: Reader, type: number, what: string): void {
  if (r.u16("magic") !== DISCOVERY_MAGIC) {
    throw new SyntaxError(`Cannot decode ${what}: wrong magic`);
  }
  const version = r.u8("version");
  if (version !== DISCOVERY_VERSION) {
    throw new RangeError(`Cannot decode ${what}: discovery version ${version}`);
  }
  if (r.u8("type") !== type) {
    throw new SyntaxError(`Cannot decode ${what}: wrong type`);
  }
}

function checkNonce(nonce: Uint8Array): Uint8Array {
  if (nonce.byteLength !== NONCE_BYTES) {
    throw new RangeError(`Cannot encode: nonce is not ${NONCE_BYTES} bytes`);
  }
  return nonce;
}

/** The four bytes of a dotted IPv4 address; throws RangeError for anything else. */
export function ipv4Bytes(address: string): Uint8Array {
  const parts = address.split(".");
  if (
    parts.length !== 4 ||
    parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)
  ) {
    throw new RangeError(`Not an IPv4 address: ${address}`);
  }
  return Uint8Array.from(parts, Number);
}
