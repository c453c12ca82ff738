import { concat, dump, hex, norm } from "./_bytes.ts";
import { deepStrictEqual, ok, strictEqual, throws } from "node:assert/strict";
import {
  ACK_RANGE_BYTES,
  CHECKSUM_BYTES,
  DATA_FRAME_OVERHEAD,
  type Frame,
  frameBytes,
  HEADER_BYTES,
  isNative,
  MAX_ACK_RANGES_ON_WIRE,
  MAX_FRAME_BODY,
  type Packet,
  PacketType,
  RefuseCode,
  SESSION_FIXED_BYTES,
  sessionHeaderBytes,
  type SessionPacket,
  type WelcomePacket,
} from "./packet.ts";
import { decodePacket } from "./packet_decode.ts";
import { encodePacket, encodeSession } from "./packet_encode.ts";
import {
  COOKIE_BYTES,
  MAX_DATAGRAM_BYTES,
  MAX_NAME_BYTES,
  MIN_JOIN_BYTES,
  NONCE_BYTES,
  TOKEN_BYTES,
} from "./limits.ts";
import { crc32 } from "./crc32.ts";

/** Decode expecting failure; fails on success or on any other error class. */
function rejects(bytes: Uint8Array, label = ""): Error {
  let packet: Packet;
  try {
    packet = decodePacket(bytes);
  } catch (error) {
    ok(
      error instanceof RangeError || error instanceof SyntaxError,
      `${label}: threw ${error}`,
    );
    return error;
  }
  throw new Error(`${label}: decoded ${JSON.stringify(packet.type)}`);
}

/** `body` followed by its CRC-32, as the encoders end every datagram. */
function seal(body: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = concat(body, new Uint8Array(CHECKSUM_BYTES));
  new DataView(out.buffer).setUint32(body.byteLength, crc32(body));
  return out;
}

/** A datagram without its CRC-32 trailer. */
function unseal(datagram: Uint8Array): Uint8Array<ArrayBuffer> {
  return datagram.slice(0, datagram.byteLength - CHECKSUM_BYTES);
}

/**
 * A copy of an edited datagram with its trailer recomputed, so the decoder
 * gets past the checksum and the edited field is what it rejects.
 */
function reseal(datagram: Uint8Array): Uint8Array<ArrayBuffer> {
  return seal(unseal(datagram));
}

/** The big-endian u32 that ends `bytes`. */
function trailer(bytes: Uint8Array): number {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    .getUint32(bytes.byteLength - CHECKSUM_BYTES);
}

/**
 * Every prefix of `datagram` is rejected, and so is every prefix of its body
 * resealed, by the parser of `kind` ("WELCOME") rather than by the checksum.
 */
function rejectsEveryPrefix(datagram: Uint8Array, kind: string): void {
  for (let length = 0; length < datagram.byteLength; length++) {
    rejects(datagram.slice(0, length), `${kind} prefix ${length}`);
  }
  const body = unseal(datagram);
  for (let length = HEADER_BYTES; length < body.byteLength; length++) {
    const label = `${kind} resealed prefix ${length}`;
    const error = rejects(seal(body.subarray(0, length)), label);
    ok(
      error.message.startsWith(`Cannot decode ${kind} datagram: `),
      `${label}: ${error.message}`,
    );
  }
}

function session(packet: Omit<SessionPacket, "type">): Uint8Array {
  return encodeSession(new Uint8Array(MAX_DATAGRAM_BYTES), packet).slice();
}

const TOKEN = hex("a0 a1 a2 a3 a4 a5 a6 a7 a8 a9 aa ab ac ad ae af");
const COOKIE = hex(
  "01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10 11 12 13 14",
);
/** The JOIN nonce the examples echo: 8 bytes, b0…b7. */
const NONCE = hex("b0 b1 b2 b3 b4 b5 b6 b7");
const SAY_HI_WAVE = hex("00 01 00 07 68 69 20 f0 9f 91 8b");

// Exact datagrams below end with their CRC-32 on a line of its own.

/** PROTOCOL.md's SESSION example with a PONG frame appended. */
const SESSION_PACKET: SessionPacket = {
  type: "session",
  sessionId: 0x01020304,
  token: TOKEN,
  pn: 7,
  ack: { next: 5, ranges: [[7, 9]] },
  frames: [
    { type: "data", seq: 12, body: SAY_HI_WAVE },
    { type: "ping", stamp: 0x00abcdef },
    { type: "pong", stamp: 0x12345678 },
  ],
};
const SESSION_BYTES = hex(`
  55 43 02 05 01 02 03 04 a0 a1 a2 a3 a4 a5 a6 a7
  a8 a9 aa ab ac ad ae af 00 00 00 07 00 00 00 05
  01 00 00 00 07 00 00 00 09 01 00 00 00 0c 00 0b
  00 01 00 07 68 69 20 f0 9f 91 8b 02 00 ab cd ef
  03 12 34 56 78
  05 30 be 3f
`);
/** Offsets in SESSION_BYTES where a frame starts. */
const SESSION_FRAME_STARTS = [41, 59, 64];

const WELCOME_PACKET: WelcomePacket = {
  type: "welcome",
  nonce: NONCE,
  sessionId: 0x01020304,
  token: TOKEN,
  name: "bob",
  resumed: false,
  resumeSeq: 5,
  heartbeatMs: 1000,
  timeoutMs: 10_000,
};
const WELCOME_BYTES = hex(`
  55 43 02 03 b0 b1 b2 b3 b4 b5 b6 b7 01 02 03 04
  a0 a1 a2 a3 a4 a5 a6 a7 a8 a9 aa ab ac ad ae af
  00 00 00 00 05 00 00 03 e8 00 00 27 10 03 62 6f
  62
  16 c5 70 f0
`);

Deno.test({
  name:
    "encodePacket() JOIN matches the PROTOCOL.md example, padded to MIN_JOIN_BYTES",
  permissions: "none",
  fn() {
    const bytes = encodePacket({
      type: "join",
      nonce: NONCE,
      cookie: new Uint8Array(COOKIE_BYTES),
      name: "小明",
    });
    strictEqual(bytes.byteLength, MIN_JOIN_BYTES);
    strictEqual(
      dump(bytes.subarray(0, 64)),
      norm(`
        55 43 02 01 00 00 00 00 00 00 00 00 00 00 00 00
        00 00 00 00 00 00 00 00 b0 b1 b2 b3 b4 b5 b6 b7
        00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
        00 00 00 00 00 00 00 00 00 06 e5 b0 8f e6 98 8e
      `),
    );
    // Zero padding up to 1196 bytes, then the CRC-32 of those 1196 bytes.
    deepStrictEqual(
      bytes.subarray(64, MIN_JOIN_BYTES - CHECKSUM_BYTES),
      new Uint8Array(MIN_JOIN_BYTES - CHECKSUM_BYTES - 64),
    );
    strictEqual(
      dump(bytes.subarray(MIN_JOIN_BYTES - CHECKSUM_BYTES)),
      norm("18 ac bb 37"),
    );
    deepStrictEqual(decodePacket(bytes), {
      type: "join",
      nonce: NONCE,
      cookie: new Uint8Array(COOKIE_BYTES),
      name: "小明",
    });
  },
});

Deno.test({
  name:
    "encodePacket() JOIN with a cookie and resume writes exact bytes and round-trips",
  permissions: "none",
  fn() {
    const packet: Packet = {
      type: "join",
      nonce: NONCE,
      cookie: COOKIE,
      name: "Ann",
      resume: { sessionId: 0x01020304, token: TOKEN, lastSeen: 0x11223344 },
    };
    const bytes = encodePacket(packet);
    strictEqual(bytes.byteLength, 1200);
    strictEqual(
      dump(bytes.subarray(0, 68)),
      norm(`
        55 43 02 01 01 02 03 04 05 06 07 08 09 0a 0b 0c
        0d 0e 0f 10 11 12 13 14 b0 b1 b2 b3 b4 b5 b6 b7
        01 01 02 03 04 a0 a1 a2 a3 a4 a5 a6 a7 a8 a9 aa
        ab ac ad ae af 11 22 33 44 03 41 6e 6e 00 00 00
        00 00 00 00
      `),
    );
    // 61 bytes of content, 1135 bytes of zero padding, then the CRC-32.
    deepStrictEqual(bytes.subarray(61, 1196), new Uint8Array(1135));
    strictEqual(dump(bytes.subarray(1196)), norm("7d 1f 78 41"));
    deepStrictEqual(decodePacket(bytes), packet);
  },
});

Deno.test({
  name: "encodePacket() COOKIE matches the PROTOCOL.md example and round-trips",
  permissions: "none",
  fn() {
    const cookie = hex(
      "69 c1 c2 c3 c4 c5 c6 c7 c8 c9 ca cb cc cd ce cf d0 d1 d2 d3",
    );
    const bytes = encodePacket({ type: "cookie", nonce: NONCE, cookie });
    strictEqual(
      dump(bytes),
      norm(`
        55 43 02 02 b0 b1 b2 b3 b4 b5 b6 b7 69 c1 c2 c3
        c4 c5 c6 c7 c8 c9 ca cb cc cd ce cf d0 d1 d2 d3
        00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
        00
        50 91 34 df
      `),
    );
    deepStrictEqual(decodePacket(bytes), {
      type: "cookie",
      nonce: NONCE,
      cookie,
    });
  },
});

Deno.test({
  name:
    "encodePacket() COOKIE of a room with a passphrase carries flag 1 and the salt",
  permissions: "none",
  fn() {
    const cookie = hex(
      "69 c1 c2 c3 c4 c5 c6 c7 c8 c9 ca cb cc cd ce cf d0 d1 d2 d3",
    );
    const salt = hex("10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d 1e 1f");
    const bytes = encodePacket({ type: "cookie", nonce: NONCE, cookie, salt });
    strictEqual(
      dump(bytes),
      norm(`
        55 43 02 02 b0 b1 b2 b3 b4 b5 b6 b7 69 c1 c2 c3
        c4 c5 c6 c7 c8 c9 ca cb cc cd ce cf d0 d1 d2 d3
        01 10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d 1e
        1f
        cf 2b 49 ae
      `),
    );
    deepStrictEqual(decodePacket(bytes), {
      type: "cookie",
      nonce: NONCE,
      cookie,
      salt,
    });
  },
});

Deno.test({
  name:
    "encodePacket() WELCOME matches the PROTOCOL.md example and round-trips",
  permissions: "none",
  fn() {
    const bytes = encodePacket(WELCOME_PACKET);
    strictEqual(dump(bytes), dump(WELCOME_BYTES));
    deepStrictEqual(decodePacket(bytes), WELCOME_PACKET);
  },
});

Deno.test({
  name: "encodePacket() WELCOME sets flag bit 0 when resumed",
  permissions: "none",
  fn() {
    const packet: WelcomePacket = {
      ...WELCOME_PACKET,
      resumed: true,
      name: "小明",
    };
    const bytes = encodePacket(packet);
    strictEqual(
      dump(bytes),
      norm(`
        55 43 02 03 b0 b1 b2 b3 b4 b5 b6 b7 01 02 03 04
        a0 a1 a2 a3 a4 a5 a6 a7 a8 a9 aa ab ac ad ae af
        01 00 00 00 05 00 00 03 e8 00 00 27 10 06 e5 b0
        8f e6 98 8e
        8b 19 a6 d6
      `),
    );
    deepStrictEqual(decodePacket(bytes), packet);
  },
});

Deno.test({
  name: "encodePacket() REFUSE matches the PROTOCOL.md example and round-trips",
  permissions: "none",
  fn() {
    const packet: Packet = {
      type: "refuse",
      nonce: NONCE,
      code: RefuseCode.taken,
      reason: 'Name "bob" is taken',
    };
    const bytes = encodePacket(packet);
    strictEqual(
      dump(bytes),
      norm(`
        55 43 02 04 b0 b1 b2 b3 b4 b5 b6 b7 02 00 13 4e
        61 6d 65 20 22 62 6f 62 22 20 69 73 20 74 61 6b
        65 6e
        63 42 0b 73
      `),
    );
    deepStrictEqual(decodePacket(bytes), packet);
  },
});

Deno.test({
  name: "encodePacket() REFUSE round-trips every code and an empty reason",
  permissions: "none",
  fn() {
    // A passphrase room's REFUSE: the code alone (PROTOCOL.md example).
    strictEqual(
      dump(
        encodePacket({ type: "refuse", nonce: NONCE, code: 2, reason: "" }),
      ),
      norm(`
        55 43 02 04 b0 b1 b2 b3 b4 b5 b6 b7 02 00 00
        b6 80 14 17
      `),
    );
    for (const code of Object.values(RefuseCode)) {
      const packet: Packet = { type: "refuse", nonce: NONCE, code, reason: "" };
      deepStrictEqual(decodePacket(encodePacket(packet)), packet);
    }
  },
});

Deno.test({
  name: "encodePacket() RESET writes exact bytes and round-trips",
  permissions: "none",
  fn() {
    const packet: Packet = {
      type: "reset",
      sessionId: 0xfedcba98,
      token: TOKEN,
    };
    const bytes = encodePacket(packet);
    strictEqual(
      dump(bytes),
      norm(`
        55 43 02 06 fe dc ba 98 a0 a1 a2 a3 a4 a5 a6 a7
        a8 a9 aa ab ac ad ae af
        fa 16 a2 ea
      `),
    );
    deepStrictEqual(decodePacket(bytes), packet);
  },
});

Deno.test({
  name:
    "encodeSession() with an ack range, DATA, PING and PONG writes exact bytes",
  permissions: "none",
  fn() {
    const bytes = session(SESSION_PACKET);
    strictEqual(dump(bytes), dump(SESSION_BYTES));
    deepStrictEqual(decodePacket(bytes), SESSION_PACKET);
  },
});

Deno.test({
  name:
    "encodeSession() of a pure ack is SESSION_FIXED_BYTES long and round-trips",
  permissions: "none",
  fn() {
    const packet: SessionPacket = {
      type: "session",
      sessionId: 1,
      token: TOKEN,
      pn: 0xffff_ffff,
      ack: { next: 0, ranges: [] },
      frames: [],
    };
    const bytes = session(packet);
    strictEqual(bytes.byteLength, SESSION_FIXED_BYTES);
    strictEqual(
      dump(bytes),
      norm(`
        55 43 02 05 00 00 00 01 a0 a1 a2 a3 a4 a5 a6 a7
        a8 a9 aa ab ac ad ae af ff ff ff ff 00 00 00 00
        00
        36 5b 34 a0
      `),
    );
    deepStrictEqual(decodePacket(bytes), packet);
  },
});

Deno.test({
  name: "encodeSession() round-trips several DATA frames and 8 ack ranges",
  permissions: "none",
  fn() {
    const ranges: Array<readonly [number, number]> = [];
    for (let i = 0; i < MAX_ACK_RANGES_ON_WIRE; i++) {
      ranges.push([100 + 10 * i, 105 + 10 * i]);
    }
    const packet: SessionPacket = {
      type: "session",
      sessionId: 0x7fffffff,
      token: TOKEN,
      pn: 3,
      ack: { next: 99, ranges },
      frames: [
        { type: "data", seq: 99, body: hex("00 01 00 01 61") },
        { type: "pong", stamp: 0 },
        { type: "data", seq: 0xffff_ffff, body: new Uint8Array(300).fill(7) },
      ],
    };
    deepStrictEqual(decodePacket(session(packet)), packet);
  },
});

Deno.test({
  name: "encodeSession() writes into the given buffer and reuses it",
  permissions: "none",
  fn() {
    const buffer = new Uint8Array(MAX_DATAGRAM_BYTES);
    const first = encodeSession(buffer, SESSION_PACKET);
    strictEqual(first.buffer, buffer.buffer);
    strictEqual(first.byteOffset, 0);
    const small: SessionPacket = {
      type: "session",
      sessionId: 2,
      token: TOKEN,
      pn: 8,
      ack: { next: 1, ranges: [] },
      frames: [{ type: "ping", stamp: 1 }],
    };
    const second = encodeSession(buffer, small);
    strictEqual(second.byteLength, SESSION_FIXED_BYTES + 5);
    deepStrictEqual(decodePacket(second), small);
  },
});

Deno.test({
  name: "encodeSession() into a too-small buffer throws RangeError",
  permissions: "none",
  fn() {
    // Inside the header, at the first frame, inside DATA, inside PONG and
    // inside the CRC: the trailer must fit too.
    for (const size of [0, 3, SESSION_FIXED_BYTES - 1, 41, 58, 68, 72]) {
      throws(
        () => encodeSession(new Uint8Array(size), SESSION_PACKET),
        RangeError,
        `size ${size}`,
      );
    }
    strictEqual(
      encodeSession(new Uint8Array(73), SESSION_PACKET).byteLength,
      73,
    );
  },
});

Deno.test({
  name: "encodeSession() rejects more than MAX_ACK_RANGES_ON_WIRE ranges",
  permissions: "none",
  fn() {
    const ranges: Array<readonly [number, number]> = [];
    for (let i = 0; i <= MAX_ACK_RANGES_ON_WIRE; i++) {
      ranges.push([2 * i + 2, 2 * i + 3]);
    }
    throws(
      () => session({ ...SESSION_PACKET, ack: { next: 1, ranges } }),
      {
        name: "RangeError",
        message: "Cannot encode ack: 9 ranges, the limit is 8",
      },
    );
  },
});

Deno.test({
  name: "encodeSession() ends the datagram with the CRC-32 of the rest",
  permissions: "none",
  fn() {
    const buffer = new Uint8Array(MAX_DATAGRAM_BYTES);
    const packets: Array<Omit<SessionPacket, "type">> = [
      SESSION_PACKET,
      { ...SESSION_PACKET, ack: { next: 0, ranges: [] }, frames: [] },
      {
        ...SESSION_PACKET,
        frames: [{ type: "data", seq: 1, body: new Uint8Array(900).fill(3) }],
      },
      // Shorter than the one before: the trailer follows it, not the old one.
      { ...SESSION_PACKET, frames: [{ type: "ping", stamp: 9 }] },
    ];
    for (const packet of packets) {
      const bytes = encodeSession(buffer, packet);
      const rest = bytes.subarray(0, bytes.byteLength - CHECKSUM_BYTES);
      strictEqual(trailer(bytes), crc32(rest), `${bytes.byteLength} bytes`);
      deepStrictEqual(decodePacket(bytes), { type: "session", ...packet });
    }
  },
});

Deno.test({
  name: "encodePacket() ends every datagram with the CRC-32 of the rest",
  permissions: "none",
  fn() {
    const datagrams = [
      encodePacket({ type: "join", nonce: NONCE, cookie: COOKIE, name: "bob" }),
      encodePacket({ type: "cookie", nonce: NONCE, cookie: COOKIE }),
      encodePacket(WELCOME_PACKET),
      encodePacket({ type: "refuse", nonce: NONCE, code: 1, reason: "No" }),
      encodePacket({ type: "reset", sessionId: 1, token: TOKEN }),
    ];
    for (const bytes of datagrams) {
      const rest = bytes.subarray(0, bytes.byteLength - CHECKSUM_BYTES);
      strictEqual(trailer(bytes), crc32(rest), `type ${bytes[3]}`);
    }
  },
});

Deno.test({
  name:
    "encodePacket() and encodeSession() reject a token or cookie of the wrong length",
  permissions: "none",
  fn() {
    const short = new Uint8Array(TOKEN_BYTES - 1);
    throws(
      () =>
        encodePacket({
          type: "cookie",
          nonce: NONCE,
          cookie: new Uint8Array(21),
        }),
      TypeError,
    );
    throws(
      () =>
        encodePacket({ type: "join", nonce: NONCE, cookie: short, name: "a" }),
      TypeError,
    );
    throws(
      () =>
        encodePacket({
          type: "join",
          nonce: NONCE,
          cookie: COOKIE,
          name: "a",
          resume: { sessionId: 1, token: short, lastSeen: 0 },
        }),
      TypeError,
    );
    throws(() => encodePacket({ ...WELCOME_PACKET, token: short }), TypeError);
    throws(
      () => encodePacket({ type: "reset", sessionId: 1, token: short }),
      TypeError,
    );
    throws(() => session({ ...SESSION_PACKET, token: short }), TypeError);
  },
});

Deno.test({
  name: "encodePacket() accepts a name of MAX_NAME_BYTES and rejects one more",
  permissions: "none",
  fn() {
    const longest = "é".repeat(MAX_NAME_BYTES / 2);
    const join = decodePacket(
      encodePacket({
        type: "join",
        nonce: NONCE,
        cookie: COOKIE,
        name: longest,
      }),
    );
    strictEqual(join.type === "join" && join.name, longest);
    throws(
      () =>
        encodePacket({
          type: "join",
          nonce: NONCE,
          cookie: COOKIE,
          name: longest + "x",
        }),
      RangeError,
    );
    throws(
      () => encodePacket({ ...WELCOME_PACKET, name: longest + "x" }),
      RangeError,
    );
  },
});

Deno.test({
  name: "encodePacket() REFUSE accepts a 400-byte reason and rejects 401",
  permissions: "none",
  fn() {
    const reason = "r".repeat(400);
    deepStrictEqual(
      decodePacket(
        encodePacket({ type: "refuse", nonce: NONCE, code: 1, reason }),
      ),
      { type: "refuse", nonce: NONCE, code: 1, reason },
    );
    throws(
      () =>
        encodePacket({
          type: "refuse",
          nonce: NONCE,
          code: 1,
          reason: reason + "r",
        }),
      RangeError,
    );
  },
});

Deno.test({
  name: "decodePacket() rejects a wrong magic with a SyntaxError",
  permissions: "none",
  fn() {
    for (const magic of ["55 44", "43 55", "00 00", "ff ff"]) {
      const bytes = WELCOME_BYTES.slice();
      bytes.set(hex(magic), 0);
      // The magic is checked before the checksum: the trailer does not matter.
      for (const datagram of [bytes, reseal(bytes)]) {
        throws(() => decodePacket(datagram), {
          name: "SyntaxError",
          message: "Cannot decode datagram: bad magic",
        });
      }
    }
    throws(
      () => decodePacket(new TextEncoder().encode("L alice")),
      SyntaxError,
    );
  },
});

Deno.test({
  name: "decodePacket() rejects another version with a RangeError",
  permissions: "none",
  fn() {
    for (const version of [0, 1, 3, 0xff]) {
      const bytes = WELCOME_BYTES.slice();
      bytes[2] = version;
      // The version is checked before the checksum: the trailer does not matter.
      for (const datagram of [bytes, reseal(bytes)]) {
        throws(() => decodePacket(datagram), {
          name: "RangeError",
          message:
            `Cannot decode datagram: version ${version}, this peer speaks 2`,
        });
      }
    }
  },
});

Deno.test({
  name: "decodePacket() rejects an unknown datagram type with a SyntaxError",
  permissions: "none",
  fn() {
    for (const type of [0x00, 0x07, 0x10, 0xff]) {
      const bytes = WELCOME_BYTES.slice();
      bytes[3] = type;
      throws(() => decodePacket(reseal(bytes)), {
        name: "SyntaxError",
        message: `Cannot decode datagram: unknown type ${type}`,
      });
    }
  },
});

Deno.test({
  name:
    "decodePacket() rejects SESSION truncated inside the header, a range or a frame",
  permissions: "none",
  fn() {
    // A cut datagram loses its trailer: the length or checksum check fails.
    for (let length = 0; length < SESSION_BYTES.byteLength; length++) {
      rejects(SESSION_BYTES.slice(0, length), `prefix ${length}`);
    }
    // Resealed, a cut body reaches the field parser. Frames run to the end of
    // the datagram with no count (PROTOCOL.md), so a cut exactly between
    // frames is a valid, shorter SESSION.
    const body = unseal(SESSION_BYTES);
    for (let length = HEADER_BYTES; length < body.byteLength; length++) {
      const cut = seal(body.subarray(0, length));
      const boundary = SESSION_FRAME_STARTS.indexOf(length);
      if (boundary === -1) {
        const error = rejects(cut, `resealed prefix ${length}`);
        ok(
          error.message.startsWith("Cannot decode SESSION datagram: "),
          `resealed prefix ${length}: ${error.message}`,
        );
      } else {
        deepStrictEqual(
          decodePacket(cut),
          {
            ...SESSION_PACKET,
            frames: SESSION_PACKET.frames.slice(0, boundary),
          },
          `resealed prefix ${length}`,
        );
      }
    }
  },
});

Deno.test({
  name: "decodePacket() rejects WELCOME truncated at every length",
  permissions: "none",
  fn() {
    rejectsEveryPrefix(WELCOME_BYTES, "WELCOME");
  },
});

Deno.test({
  name:
    "decodePacket() rejects COOKIE, REFUSE and RESET truncated at every length",
  permissions: "none",
  fn() {
    rejectsEveryPrefix(
      encodePacket({ type: "cookie", nonce: NONCE, cookie: COOKIE }),
      "COOKIE",
    );
    rejectsEveryPrefix(
      encodePacket({
        type: "refuse",
        nonce: NONCE,
        code: 3,
        reason: "Room is full",
      }),
      "REFUSE",
    );
    rejectsEveryPrefix(
      encodePacket({ type: "reset", sessionId: 9, token: TOKEN }),
      "RESET",
    );
  },
});

Deno.test({
  name:
    "decodePacket() rejects trailing bytes after COOKIE, WELCOME, REFUSE and RESET",
  permissions: "none",
  fn() {
    const datagrams = [
      encodePacket({ type: "cookie", nonce: NONCE, cookie: COOKIE }),
      WELCOME_BYTES,
      encodePacket({
        type: "refuse",
        nonce: NONCE,
        code: 3,
        reason: "Room is full",
      }),
      encodePacket({ type: "reset", sessionId: 9, token: TOKEN }),
    ];
    for (const bytes of datagrams) {
      // The extra byte goes before the CRC, which covers it.
      const longer = seal(concat(unseal(bytes), hex("00")));
      const error = rejects(longer, `type ${bytes[3]}`);
      strictEqual(error.name, "SyntaxError");
      ok(error.message.endsWith("1 unexpected trailing bytes"), error.message);
    }
  },
});

Deno.test({
  name: "decodePacket() rejects a JOIN shorter than MIN_JOIN_BYTES",
  permissions: "none",
  fn() {
    const join = encodePacket({
      type: "join",
      nonce: NONCE,
      cookie: COOKIE,
      name: "bob",
    });
    const body = unseal(join);
    // `length` counts the CRC, which follows a body cut to fit.
    for (const length of [8, 53, 54, 57, 600, MIN_JOIN_BYTES - 1]) {
      const short = seal(body.subarray(0, length - CHECKSUM_BYTES));
      throws(() => decodePacket(short), {
        name: "RangeError",
        message:
          `Cannot decode JOIN datagram: ${length} bytes, must be padded to 1200`,
      });
      rejects(join.slice(0, length), `prefix ${length}`);
    }
  },
});

Deno.test({
  name:
    "decodePacket() accepts a JOIN up to 64 bytes over MIN_JOIN_BYTES and rejects more",
  permissions: "none",
  fn() {
    const body = unseal(
      encodePacket({ type: "join", nonce: NONCE, cookie: COOKIE, name: "bob" }),
    );
    const longest = seal(concat(body, new Uint8Array(64)));
    strictEqual(longest.byteLength, MIN_JOIN_BYTES + 64);
    deepStrictEqual(decodePacket(longest), {
      type: "join",
      nonce: NONCE,
      cookie: COOKIE,
      name: "bob",
    });
    throws(() => decodePacket(seal(concat(body, new Uint8Array(65)))), {
      name: "RangeError",
      message: "Cannot decode datagram: 1265 bytes, the limit is 1264",
    });
  },
});

Deno.test({
  name: "decodePacket() rejects a datagram over MAX_DATAGRAM_BYTES",
  permissions: "none",
  fn() {
    const body = new Uint8Array(
      MAX_DATAGRAM_BYTES - SESSION_FIXED_BYTES - DATA_FRAME_OVERHEAD,
    );
    const packet: SessionPacket = {
      type: "session",
      sessionId: 1,
      token: TOKEN,
      pn: 1,
      ack: { next: 0, ranges: [] },
      frames: [{ type: "data", seq: 0, body: body.fill(1) }],
    };
    const fits = encodeSession(new Uint8Array(2000), packet);
    strictEqual(fits.byteLength, MAX_DATAGRAM_BYTES);
    deepStrictEqual(decodePacket(fits), packet);

    const over = encodeSession(new Uint8Array(2000), {
      ...packet,
      frames: [{
        type: "data",
        seq: 0,
        body: new Uint8Array(body.byteLength + 1).fill(1),
      }],
    });
    throws(() => decodePacket(over), {
      name: "RangeError",
      message: "Cannot decode datagram: 1201 bytes, the limit is 1200",
    });
    const cookie = concat(
      encodePacket({ type: "cookie", nonce: NONCE, cookie: COOKIE }),
      new Uint8Array(MAX_DATAGRAM_BYTES),
    );
    throws(() => decodePacket(cookie), RangeError);
  },
});

Deno.test({
  name: "decodePacket() rejects a SESSION with more than 8 ack ranges",
  permissions: "none",
  fn() {
    const base = unseal(session({
      ...SESSION_PACKET,
      ack: { next: 0, ranges: [] },
      frames: [],
    }));
    const countAt = SESSION_FIXED_BYTES - CHECKSUM_BYTES - 1;
    for (const count of [9, 255]) {
      const bytes = concat(base, new Uint8Array(count * ACK_RANGE_BYTES));
      bytes[countAt] = count;
      const cut = bytes.subarray(0, MAX_DATAGRAM_BYTES - CHECKSUM_BYTES);
      throws(() => decodePacket(seal(cut)), {
        name: "RangeError",
        message:
          `Cannot decode SESSION datagram: ${count} ack ranges, the limit is 8`,
      });
    }
  },
});

Deno.test({
  name: "decodePacket() rejects an empty DATA frame",
  permissions: "none",
  fn() {
    const base = unseal(session({ ...SESSION_PACKET, frames: [] }));
    for (
      const frames of [
        "01 00 00 00 01 00 00",
        "02 00 00 00 01 01 00 00 00 01 00 00",
      ]
    ) {
      throws(() => decodePacket(seal(concat(base, hex(frames)))), {
        name: "SyntaxError",
        message: "Cannot decode SESSION datagram: empty DATA frame",
      });
    }
  },
});

Deno.test({
  name: "decodePacket() rejects an unknown frame type",
  permissions: "none",
  fn() {
    const base = unseal(SESSION_BYTES);
    for (const type of [0x00, 0x04, 0xff]) {
      const frame = new Uint8Array([type, 0, 0, 0, 0]);
      throws(
        () => decodePacket(seal(concat(base, frame))),
        {
          name: "SyntaxError",
          message: `Cannot decode SESSION datagram: unknown frame type ${type}`,
        },
      );
    }
  },
});

Deno.test({
  name: "decodePacket() rejects JOIN and WELCOME flags other than 0 and 1",
  permissions: "none",
  fn() {
    const join = encodePacket({
      type: "join",
      nonce: NONCE,
      cookie: COOKIE,
      name: "bob",
    });
    for (const flags of [2, 3, 0x80, 0xff]) {
      const badJoin = join.slice();
      badJoin[32] = flags;
      throws(() => decodePacket(reseal(badJoin)), {
        name: "SyntaxError",
        message: `Cannot decode JOIN datagram: flags ${flags}`,
      });
      const badWelcome = WELCOME_BYTES.slice();
      badWelcome[32] = flags;
      throws(() => decodePacket(reseal(badWelcome)), {
        name: "SyntaxError",
        message: `Cannot decode WELCOME datagram: flags ${flags}`,
      });
    }
  },
});

Deno.test({
  name:
    "decodePacket() ignores resume fields of a JOIN without the resume flag",
  permissions: "none",
  fn() {
    const bytes = encodePacket({
      type: "join",
      nonce: NONCE,
      cookie: COOKIE,
      name: "bob",
      resume: { sessionId: 5, token: TOKEN, lastSeen: 6 },
    });
    bytes[32] = 0;
    deepStrictEqual(decodePacket(reseal(bytes)), {
      type: "join",
      nonce: NONCE,
      cookie: COOKIE,
      name: "bob",
    });
  },
});

Deno.test({
  name: "decodePacket() rejects a name or reason that is not UTF-8",
  permissions: "none",
  fn() {
    const join = encodePacket({
      type: "join",
      nonce: NONCE,
      cookie: COOKIE,
      name: "bob",
    });
    join[58] = 0xff;
    throws(() => decodePacket(reseal(join)), {
      name: "SyntaxError",
      message: "Cannot decode JOIN datagram: name is not valid UTF-8",
    });
    const welcome = WELCOME_BYTES.slice();
    welcome.set(hex("c0 80"), 46);
    throws(() => decodePacket(reseal(welcome)), {
      name: "SyntaxError",
      message: "Cannot decode WELCOME datagram: name is not valid UTF-8",
    });
    const refuse = encodePacket({
      type: "refuse",
      nonce: NONCE,
      code: 1,
      reason: "abc",
    });
    refuse.set(hex("ed a0 80"), 15);
    throws(() => decodePacket(reseal(refuse)), {
      name: "SyntaxError",
      message: "Cannot decode REFUSE datagram: reason is not valid UTF-8",
    });
  },
});

Deno.test({
  name: "decodePacket() rejects a JOIN name longer than MAX_NAME_BYTES",
  permissions: "none",
  fn() {
    const join = encodePacket({
      type: "join",
      nonce: NONCE,
      cookie: COOKIE,
      name: "",
    });
    join[57] = MAX_NAME_BYTES + 1;
    join.fill(0x61, 58, 58 + MAX_NAME_BYTES + 1);
    throws(() => decodePacket(reseal(join)), {
      name: "RangeError",
      message:
        "Cannot decode JOIN datagram: name is 129 bytes, the limit is 128",
    });
  },
});

Deno.test({
  name: "decodePacket() returns views into the input for tokens and bodies",
  permissions: "none",
  fn() {
    const bytes = SESSION_BYTES.slice();
    const packet = decodePacket(bytes);
    ok(packet.type === "session");
    strictEqual(packet.token.buffer, bytes.buffer);
    const frame = packet.frames[0];
    ok(frame?.type === "data");
    strictEqual(frame.body.buffer, bytes.buffer);
  },
});

Deno.test({
  name: "decodePacket() rejects a wrong checksum with a SyntaxError",
  permissions: "none",
  fn() {
    for (const at of [3, 4, 40, SESSION_BYTES.byteLength - 1]) {
      const bytes = SESSION_BYTES.slice();
      bytes[at]! ^= 0x01;
      throws(() => decodePacket(bytes), {
        name: "SyntaxError",
        message: "Cannot decode datagram: checksum mismatch",
      });
    }
  },
});

Deno.test({
  name: "decodePacket() rejects SESSION, WELCOME and JOIN with any bit flipped",
  permissions: "none",
  fn() {
    const datagrams = [
      SESSION_BYTES,
      WELCOME_BYTES,
      encodePacket({
        type: "join",
        nonce: NONCE,
        cookie: COOKIE,
        name: "小明",
        resume: { sessionId: 1, token: TOKEN, lastSeen: 2 },
      }),
    ];
    for (const valid of datagrams) {
      for (let bit = 0; bit < valid.byteLength * 8; bit++) {
        const bytes = valid.slice();
        bytes[bit >> 3]! ^= 0x80 >> (bit & 7);
        const error = rejects(bytes, `type ${valid[3]} bit ${bit}`);
        // Magic and version come first; the CRC catches every other flip.
        if (bit >= 3 * 8) {
          strictEqual(
            error.message,
            "Cannot decode datagram: checksum mismatch",
            `type ${valid[3]} bit ${bit}`,
          );
        }
      }
    }
  },
});

Deno.test({
  name:
    "decodePacket() rejects a datagram of 4 to 7 bytes as too short for its CRC",
  permissions: "none",
  fn() {
    // Every type, even an unknown one: the length is checked before the type.
    for (const type of [...Object.values(PacketType), 0x07]) {
      for (let length = HEADER_BYTES; length < 8; length++) {
        const bytes = new Uint8Array(length);
        bytes.set([0x55, 0x43, 0x02, type]);
        throws(() => decodePacket(bytes), {
          name: "RangeError",
          message: `Cannot decode datagram: ${length} bytes, need 8`,
        });
      }
    }
  },
});

Deno.test({
  name:
    "decodePacket() throws only RangeError or SyntaxError on mutated datagrams",
  permissions: "none",
  fn() {
    // A fixed-seed generator keeps this deterministic.
    let seed = 0x2545f491;
    const next = (n: number) => {
      seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
      return (seed >>> 8) % n;
    };
    const valid = [
      SESSION_BYTES,
      WELCOME_BYTES,
      encodePacket({ type: "cookie", nonce: NONCE, cookie: COOKIE }),
      encodePacket({ type: "refuse", nonce: NONCE, code: 2, reason: "taken" }),
      encodePacket({ type: "reset", sessionId: 1, token: TOKEN }),
      encodePacket({
        type: "join",
        nonce: NONCE,
        cookie: COOKIE,
        name: "小明",
        resume: { sessionId: 1, token: TOKEN, lastSeen: 2 },
      }),
    ];
    for (let i = 0; i < 3000; i++) {
      const source = valid[next(valid.length)]!;
      let bytes: Uint8Array = unseal(source);
      const edits = 1 + next(4);
      for (let e = 0; e < edits; e++) {
        // Keep the header mostly intact so the body decoders get exercised.
        const at = HEADER_BYTES +
          next(Math.max(1, bytes.byteLength - HEADER_BYTES));
        switch (next(3)) {
          case 0:
            if (at < bytes.byteLength) bytes[at] = next(256);
            break;
          case 1:
            bytes = bytes.slice(0, at);
            break;
          case 2:
            bytes = concat(bytes, new Uint8Array(next(8)).map(() => next(256)));
            break;
        }
      }
      // Resealed, the edits reach the body decoders; with the old trailer
      // they exercise the checksum check instead.
      const stale = concat(bytes, source.subarray(-CHECKSUM_BYTES));
      for (const datagram of [seal(bytes), stale]) {
        try {
          decodePacket(datagram);
        } catch (error) {
          ok(
            error instanceof RangeError || error instanceof SyntaxError,
            `iteration ${i}: ${error}`,
          );
        }
      }
    }
  },
});

Deno.test({
  name: "isNative() is true exactly when the datagram starts with the magic",
  permissions: "none",
  fn() {
    strictEqual(isNative(WELCOME_BYTES), true);
    strictEqual(isNative(hex("55 43")), true);
    strictEqual(isNative(hex("55 43 02 ff")), true);
    strictEqual(isNative(new Uint8Array(0)), false);
    strictEqual(isNative(hex("55")), false);
    strictEqual(isNative(hex("43 55 01 01")), false);
    strictEqual(isNative(hex("55 44 01 01")), false);
    for (const classic of ["L alice", "C alice hi", "Q alice"]) {
      strictEqual(isNative(new TextEncoder().encode(classic)), false, classic);
    }
  },
});

Deno.test({
  name: "isNative() reads a subarray from its own start",
  permissions: "none",
  fn() {
    const backing = hex("00 55 43 02");
    strictEqual(isNative(backing.subarray(1)), true);
    strictEqual(isNative(backing.subarray(0, 3)), false);
  },
});

Deno.test({
  name:
    "sessionHeaderBytes() and frameBytes() match what encodeSession() writes",
  permissions: "none",
  fn() {
    const ack = SESSION_PACKET.ack;
    let total = sessionHeaderBytes(ack);
    strictEqual(total, SESSION_FIXED_BYTES + ACK_RANGE_BYTES);
    for (const frame of SESSION_PACKET.frames) total += frameBytes(frame);
    strictEqual(total, SESSION_BYTES.byteLength);
    strictEqual(frameBytes({ type: "ping", stamp: 1 }), 5);
    strictEqual(
      frameBytes({ type: "data", seq: 1, body: new Uint8Array(10) }),
      17,
    );
  },
});

Deno.test({
  name:
    "MAX_FRAME_BODY plus headers with 8 ack ranges fills MAX_DATAGRAM_BYTES exactly",
  permissions: "none",
  fn() {
    const ranges: Array<readonly [number, number]> = [];
    for (let i = 0; i < 8; i++) ranges.push([10 * i + 2, 10 * i + 5]);
    const ack = { next: 1, ranges };
    const frame: Frame = {
      type: "data",
      seq: 1,
      body: new Uint8Array(MAX_FRAME_BODY).fill(0x5a),
    };
    strictEqual(
      sessionHeaderBytes(ack) + frameBytes(frame),
      MAX_DATAGRAM_BYTES,
    );
    const packet: SessionPacket = {
      type: "session",
      sessionId: 1,
      token: TOKEN,
      pn: 1,
      ack,
      frames: [frame],
    };
    const buffer = new Uint8Array(MAX_DATAGRAM_BYTES);
    const bytes = encodeSession(buffer, packet);
    strictEqual(bytes.byteLength, MAX_DATAGRAM_BYTES);
    deepStrictEqual(decodePacket(bytes), packet);
    throws(
      () =>
        encodeSession(buffer, {
          ...packet,
          frames: [{ ...frame, body: new Uint8Array(MAX_FRAME_BODY + 1) }],
        }),
      RangeError,
    );
  },
});

Deno.test({
  name:
    "decodePacket() reads the nonce of JOIN, COOKIE, WELCOME and REFUSE, and rejects one cut short",
  permissions: "none",
  fn() {
    const datagrams = [
      encodePacket({ type: "join", nonce: NONCE, cookie: COOKIE, name: "a" }),
      encodePacket({ type: "cookie", nonce: NONCE, cookie: COOKIE }),
      WELCOME_BYTES,
      encodePacket({ type: "refuse", nonce: NONCE, code: 2, reason: "" }),
    ];
    for (const bytes of datagrams) {
      const packet = decodePacket(bytes);
      ok("nonce" in packet);
      deepStrictEqual(packet.nonce, NONCE, packet.type);
    }
    // A REFUSE of version 1's layout (no nonce) is too short for version 2's.
    const v1 = seal(hex("55 43 02 04 02 00 00"));
    rejects(v1, "REFUSE without a nonce");
    throws(
      () =>
        encodePacket({
          type: "refuse",
          nonce: new Uint8Array(NONCE_BYTES - 1),
          code: 1,
          reason: "",
        }),
      TypeError,
    );
  },
});
