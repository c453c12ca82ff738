import { deepStrictEqual, ok, strictEqual, throws } from "node:assert/strict";
import {
  ACK_RANGE_BYTES,
  DATA_FRAME_OVERHEAD,
  decodePacket,
  encodePacket,
  encodeSession,
  type Frame,
  frameBytes,
  HEADER_BYTES,
  isNative,
  MAX_ACK_RANGES_ON_WIRE,
  MAX_FRAME_BODY,
  type Packet,
  RefuseCode,
  SESSION_FIXED_BYTES,
  sessionHeaderBytes,
  type SessionPacket,
  type WelcomePacket,
} from "./packet.ts";
import {
  COOKIE_BYTES,
  MAX_DATAGRAM_BYTES,
  MAX_NAME_BYTES,
  MIN_JOIN_BYTES,
  TOKEN_BYTES,
} from "./limits.ts";

/** Bytes from a hex dump such as "55 43 01". */
function hex(dump: string): Uint8Array {
  const digits = dump.replace(/\s+/g, "");
  const out = new Uint8Array(digits.length / 2);
  for (let i = 0; i < out.length; i++) {
    out[i] = parseInt(digits.slice(2 * i, 2 * i + 2), 16);
  }
  return out;
}

/** A hex dump for readable assertion diffs. */
function dump(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join(" ");
}

function norm(text: string): string {
  return dump(hex(text));
}

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

function session(packet: Omit<SessionPacket, "type">): Uint8Array {
  return encodeSession(new Uint8Array(MAX_DATAGRAM_BYTES), packet).slice();
}

function concat(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
}

const TOKEN = hex("a0 a1 a2 a3 a4 a5 a6 a7 a8 a9 aa ab ac ad ae af");
const COOKIE = hex(
  "01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10 11 12 13 14",
);
const SAY_HI_WAVE = hex("00 01 00 07 68 69 20 f0 9f 91 8b");

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
  55 43 01 05 01 02 03 04 a0 a1 a2 a3 a4 a5 a6 a7
  a8 a9 aa ab ac ad ae af 00 00 00 07 00 00 00 05
  01 00 00 00 07 00 00 00 09 01 00 00 00 0c 00 0b
  00 01 00 07 68 69 20 f0 9f 91 8b 02 00 ab cd ef
  03 12 34 56 78
`);
/** Offsets in SESSION_BYTES where a frame starts (or the datagram ends). */
const SESSION_FRAME_STARTS = [41, 59, 64];

const WELCOME_PACKET: WelcomePacket = {
  type: "welcome",
  sessionId: 0x01020304,
  token: TOKEN,
  name: "bob",
  resumed: false,
  resumeSeq: 5,
  heartbeatMs: 1000,
  timeoutMs: 10_000,
};
const WELCOME_BYTES = hex(`
  55 43 01 03 01 02 03 04 a0 a1 a2 a3 a4 a5 a6 a7
  a8 a9 aa ab ac ad ae af 00 00 00 00 05 00 00 03
  e8 00 00 27 10 03 62 6f 62
`);

Deno.test({
  name:
    "encodePacket() JOIN matches the PROTOCOL.md example, padded to MIN_JOIN_BYTES",
  permissions: "none",
  fn() {
    const bytes = encodePacket({
      type: "join",
      cookie: new Uint8Array(COOKIE_BYTES),
      name: "小明",
    });
    strictEqual(bytes.byteLength, MIN_JOIN_BYTES);
    strictEqual(
      dump(bytes.subarray(0, 56)),
      norm(`
        55 43 01 01 00 00 00 00 00 00 00 00 00 00 00 00
        00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
        00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
        00 06 e5 b0 8f e6 98 8e
      `),
    );
    deepStrictEqual(bytes.subarray(56), new Uint8Array(MIN_JOIN_BYTES - 56));
    deepStrictEqual(decodePacket(bytes), {
      type: "join",
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
      cookie: COOKIE,
      name: "Ann",
      resume: { sessionId: 0x01020304, token: TOKEN, lastSeen: 0x11223344 },
    };
    const bytes = encodePacket(packet);
    strictEqual(bytes.byteLength, 1200);
    strictEqual(
      dump(bytes.subarray(0, 60)),
      norm(`
        55 43 01 01 01 02 03 04 05 06 07 08 09 0a 0b 0c
        0d 0e 0f 10 11 12 13 14 01 01 02 03 04 a0 a1 a2
        a3 a4 a5 a6 a7 a8 a9 aa ab ac ad ae af 11 22 33
        44 03 41 6e 6e 00 00 00 00 00 00 00
      `),
    );
    // 53 bytes of content, then 1147 bytes of zero padding.
    deepStrictEqual(bytes.subarray(53), new Uint8Array(1147));
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
    const bytes = encodePacket({ type: "cookie", cookie });
    strictEqual(
      dump(bytes),
      norm(`
        55 43 01 02 69 c1 c2 c3 c4 c5 c6 c7 c8 c9 ca cb
        cc cd ce cf d0 d1 d2 d3
      `),
    );
    deepStrictEqual(decodePacket(bytes), { type: "cookie", cookie });
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
        55 43 01 03 01 02 03 04 a0 a1 a2 a3 a4 a5 a6 a7
        a8 a9 aa ab ac ad ae af 01 00 00 00 05 00 00 03
        e8 00 00 27 10 06 e5 b0 8f e6 98 8e
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
      code: RefuseCode.taken,
      reason: 'Name "bob" is taken',
    };
    const bytes = encodePacket(packet);
    strictEqual(
      dump(bytes),
      norm(`
        55 43 01 04 02 00 13 4e 61 6d 65 20 22 62 6f 62
        22 20 69 73 20 74 61 6b 65 6e
      `),
    );
    deepStrictEqual(decodePacket(bytes), packet);
  },
});

Deno.test({
  name: "encodePacket() REFUSE round-trips every code and an empty reason",
  permissions: "none",
  fn() {
    for (const code of Object.values(RefuseCode)) {
      const packet: Packet = { type: "refuse", code, reason: "" };
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
        55 43 01 06 fe dc ba 98 a0 a1 a2 a3 a4 a5 a6 a7
        a8 a9 aa ab ac ad ae af
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
        55 43 01 05 00 00 00 01 a0 a1 a2 a3 a4 a5 a6 a7
        a8 a9 aa ab ac ad ae af ff ff ff ff 00 00 00 00
        00
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
    for (const size of [0, 3, SESSION_FIXED_BYTES - 1, 41, 58, 68]) {
      throws(
        () => encodeSession(new Uint8Array(size), SESSION_PACKET),
        RangeError,
        `size ${size}`,
      );
    }
    strictEqual(
      encodeSession(new Uint8Array(69), SESSION_PACKET).byteLength,
      69,
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
  name:
    "encodePacket() and encodeSession() reject a token or cookie of the wrong length",
  permissions: "none",
  fn() {
    const short = new Uint8Array(TOKEN_BYTES - 1);
    throws(
      () => encodePacket({ type: "cookie", cookie: new Uint8Array(21) }),
      TypeError,
    );
    throws(
      () => encodePacket({ type: "join", cookie: short, name: "a" }),
      TypeError,
    );
    throws(
      () =>
        encodePacket({
          type: "join",
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
      encodePacket({ type: "join", cookie: COOKIE, name: longest }),
    );
    strictEqual(join.type === "join" && join.name, longest);
    throws(
      () => encodePacket({ type: "join", cookie: COOKIE, name: longest + "x" }),
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
      decodePacket(encodePacket({ type: "refuse", code: 1, reason })),
      { type: "refuse", code: 1, reason },
    );
    throws(
      () => encodePacket({ type: "refuse", code: 1, reason: reason + "r" }),
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
      throws(() => decodePacket(bytes), {
        name: "SyntaxError",
        message: "Cannot decode datagram: bad magic",
      });
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
    for (const version of [0, 2, 0xff]) {
      const bytes = WELCOME_BYTES.slice();
      bytes[2] = version;
      throws(() => decodePacket(bytes), {
        name: "RangeError",
        message:
          `Cannot decode datagram: version ${version}, this peer speaks 1`,
      });
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
      throws(() => decodePacket(bytes), {
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
    // Frames run to the end of the datagram with no count (PROTOCOL.md), so
    // a cut exactly between frames is a valid, shorter SESSION.
    for (let length = 0; length < SESSION_BYTES.byteLength; length++) {
      const prefix = SESSION_BYTES.slice(0, length);
      const boundary = SESSION_FRAME_STARTS.indexOf(length);
      if (boundary === -1) {
        rejects(prefix, `prefix ${length}`);
      } else {
        deepStrictEqual(
          decodePacket(prefix),
          {
            ...SESSION_PACKET,
            frames: SESSION_PACKET.frames.slice(0, boundary),
          },
          `prefix ${length}`,
        );
      }
    }
  },
});

Deno.test({
  name: "decodePacket() rejects WELCOME truncated at every length",
  permissions: "none",
  fn() {
    for (let length = 0; length < WELCOME_BYTES.byteLength; length++) {
      rejects(WELCOME_BYTES.slice(0, length), `prefix ${length}`);
    }
  },
});

Deno.test({
  name:
    "decodePacket() rejects COOKIE, REFUSE and RESET truncated at every length",
  permissions: "none",
  fn() {
    const datagrams = [
      encodePacket({ type: "cookie", cookie: COOKIE }),
      encodePacket({ type: "refuse", code: 3, reason: "Room is full" }),
      encodePacket({ type: "reset", sessionId: 9, token: TOKEN }),
    ];
    for (const bytes of datagrams) {
      for (let length = 0; length < bytes.byteLength; length++) {
        rejects(bytes.slice(0, length), `type ${bytes[3]} prefix ${length}`);
      }
    }
  },
});

Deno.test({
  name:
    "decodePacket() rejects trailing bytes after COOKIE, WELCOME, REFUSE and RESET",
  permissions: "none",
  fn() {
    const datagrams = [
      encodePacket({ type: "cookie", cookie: COOKIE }),
      WELCOME_BYTES,
      encodePacket({ type: "refuse", code: 3, reason: "Room is full" }),
      encodePacket({ type: "reset", sessionId: 9, token: TOKEN }),
    ];
    for (const bytes of datagrams) {
      const error = rejects(concat(bytes, hex("00")), `type ${bytes[3]}`);
      strictEqual(error.name, "SyntaxError");
      ok(error.message.endsWith("1 unexpected trailing bytes"), error.message);
    }
  },
});

Deno.test({
  name: "decodePacket() rejects a JOIN shorter than MIN_JOIN_BYTES",
  permissions: "none",
  fn() {
    const join = encodePacket({ type: "join", cookie: COOKIE, name: "bob" });
    for (const length of [4, 53, 54, 600, MIN_JOIN_BYTES - 1]) {
      throws(() => decodePacket(join.slice(0, length)), {
        name: "RangeError",
        message:
          `Cannot decode JOIN datagram: ${length} bytes, must be padded to 1200`,
      });
    }
  },
});

Deno.test({
  name:
    "decodePacket() accepts a JOIN up to 64 bytes over MIN_JOIN_BYTES and rejects more",
  permissions: "none",
  fn() {
    const join = encodePacket({ type: "join", cookie: COOKIE, name: "bob" });
    const longest = concat(join, new Uint8Array(64));
    deepStrictEqual(decodePacket(longest), {
      type: "join",
      cookie: COOKIE,
      name: "bob",
    });
    throws(() => decodePacket(concat(join, new Uint8Array(65))), {
      name: "RangeError",
      message: "Cannot decode JOIN datagram: 1265 bytes, the limit is 1264",
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
      encodePacket({ type: "cookie", cookie: COOKIE }),
      new Uint8Array(MAX_DATAGRAM_BYTES),
    );
    throws(() => decodePacket(cookie), RangeError);
  },
});

Deno.test({
  name: "decodePacket() rejects a SESSION with more than 8 ack ranges",
  permissions: "none",
  fn() {
    const base = session({
      ...SESSION_PACKET,
      ack: { next: 0, ranges: [] },
      frames: [],
    });
    for (const count of [9, 255]) {
      const bytes = concat(base, new Uint8Array(count * ACK_RANGE_BYTES));
      bytes[SESSION_FIXED_BYTES - 1] = count;
      throws(() => decodePacket(bytes.slice(0, MAX_DATAGRAM_BYTES)), {
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
    const base = session({ ...SESSION_PACKET, frames: [] });
    throws(() => decodePacket(concat(base, hex("01 00 00 00 01 00 00"))), {
      name: "SyntaxError",
      message: "Cannot decode SESSION datagram: empty DATA frame",
    });
    throws(
      () =>
        decodePacket(concat(base, hex("02 00 00 00 01 01 00 00 00 01 00 00"))),
      SyntaxError,
    );
  },
});

Deno.test({
  name: "decodePacket() rejects an unknown frame type",
  permissions: "none",
  fn() {
    const base = session(SESSION_PACKET);
    for (const type of [0x00, 0x04, 0xff]) {
      throws(
        () => decodePacket(concat(base, new Uint8Array([type, 0, 0, 0, 0]))),
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
    const join = encodePacket({ type: "join", cookie: COOKIE, name: "bob" });
    for (const flags of [2, 3, 0x80, 0xff]) {
      const badJoin = join.slice();
      badJoin[24] = flags;
      throws(() => decodePacket(badJoin), {
        name: "SyntaxError",
        message: `Cannot decode JOIN datagram: flags ${flags}`,
      });
      const badWelcome = WELCOME_BYTES.slice();
      badWelcome[24] = flags;
      throws(() => decodePacket(badWelcome), {
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
      cookie: COOKIE,
      name: "bob",
      resume: { sessionId: 5, token: TOKEN, lastSeen: 6 },
    });
    bytes[24] = 0;
    deepStrictEqual(decodePacket(bytes), {
      type: "join",
      cookie: COOKIE,
      name: "bob",
    });
  },
});

Deno.test({
  name: "decodePacket() rejects a name or reason that is not UTF-8",
  permissions: "none",
  fn() {
    const join = encodePacket({ type: "join", cookie: COOKIE, name: "bob" });
    join[50] = 0xff;
    throws(() => decodePacket(join), {
      name: "SyntaxError",
      message: "Cannot decode JOIN datagram: name is not valid UTF-8",
    });
    const welcome = WELCOME_BYTES.slice();
    welcome.set(hex("c0 80"), 38);
    throws(() => decodePacket(welcome), {
      name: "SyntaxError",
      message: "Cannot decode WELCOME datagram: name is not valid UTF-8",
    });
    const refuse = encodePacket({ type: "refuse", code: 1, reason: "abc" });
    refuse.set(hex("ed a0 80"), 7);
    throws(() => decodePacket(refuse), SyntaxError);
  },
});

Deno.test({
  name: "decodePacket() rejects a JOIN name longer than MAX_NAME_BYTES",
  permissions: "none",
  fn() {
    const join = encodePacket({ type: "join", cookie: COOKIE, name: "" });
    join[49] = MAX_NAME_BYTES + 1;
    join.fill(0x61, 50, 50 + MAX_NAME_BYTES + 1);
    throws(() => decodePacket(join), {
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
      encodePacket({ type: "cookie", cookie: COOKIE }),
      encodePacket({ type: "refuse", code: 2, reason: "taken" }),
      encodePacket({ type: "reset", sessionId: 1, token: TOKEN }),
      encodePacket({
        type: "join",
        cookie: COOKIE,
        name: "小明",
        resume: { sessionId: 1, token: TOKEN, lastSeen: 2 },
      }),
    ];
    for (let i = 0; i < 3000; i++) {
      const source = valid[next(valid.length)]!;
      let bytes: Uint8Array = source.slice();
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
      try {
        decodePacket(bytes);
      } catch (error) {
        ok(
          error instanceof RangeError || error instanceof SyntaxError,
          `iteration ${i}: ${error}`,
        );
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
    const backing = hex("00 55 43 01");
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
