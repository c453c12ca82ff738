import { concat, dump, hex, norm } from "./_bytes.ts";
import { deepStrictEqual, ok, strictEqual, throws } from "node:assert/strict";
import {
  type ClientRequest,
  decodeEvent,
  decodeRequest,
  encodeEvent,
  encodeRequest,
  type GoodbyeWhy,
  type LeaveWhy,
  MAX_MEMBERS_LISTED,
  type ServerEvent,
} from "./events.ts";
import { MAX_EVENT_BYTES, MAX_NAME_BYTES, MAX_TEXT_BYTES } from "./limits.ts";
import { Writer } from "./wire.ts";

/** Run `decode` expecting RangeError or SyntaxError, never success. */
function rejects(decode: () => unknown, label: string): Error {
  let result: unknown;
  try {
    result = decode();
  } catch (error) {
    ok(
      error instanceof RangeError || error instanceof SyntaxError,
      `${label}: threw ${error}`,
    );
    return error;
  }
  throw new Error(`${label}: decoded ${JSON.stringify(result)}`);
}

/** 2025-11-24T16:00:00Z, 0x4279ab697e800000 as an f64. */
const TIME = 1_764_000_000_000;
const TIME_HEX = "42 79 ab 69 7e 80 00 00";
const LEAVE_WHYS: LeaveWhy[] = ["left", "timeout", "kicked", "slow", "banned"];
const GOODBYE_WHYS: GoodbyeWhy[] = [
  "left",
  "closing",
  "kicked",
  "timeout",
  "slow",
  "banned",
];
const INTERNATIONAL = "你好，世界 👋🏽 👨‍👩‍👧 ❤️ café Ωμέγα";

const SAMPLE_EVENTS: ServerEvent[] = [
  { kind: "chat", id: 42, time: TIME, from: "bob", text: "hi" },
  { kind: "chat", id: 0xffff_ffff, time: 0, from: "小明", text: INTERNATIONAL },
  { kind: "joined", id: 43, time: TIME, name: "小明" },
  ...LEAVE_WHYS.map((why, i): ServerEvent => ({
    kind: "left",
    id: 50 + i,
    time: TIME + i,
    name: "bob",
    why,
    reason: why === "kicked" ? "spamming 🚫" : "",
  })),
  { kind: "admin", id: 44, time: TIME + 0.5, text: "Server restarts at noon" },
  { kind: "members", total: 0, names: [] },
  { kind: "members", total: 3, names: ["bob", "小明", "🐱"] },
  { kind: "notice", text: "Message is empty" },
  ...GOODBYE_WHYS.map((why): ServerEvent => ({
    kind: "goodbye",
    why,
    reason: why === "closing" ? "Server is shutting down" : "",
  })),
];

const SAMPLE_REQUESTS: ClientRequest[] = [
  { kind: "say", text: "hi 👋" },
  { kind: "say", text: INTERNATIONAL },
  { kind: "leave", reason: "" },
  { kind: "leave", reason: "back soon" },
];

Deno.test({
  name: "encodeEvent() and decodeEvent() round-trip every event kind",
  permissions: "none",
  fn() {
    for (const event of SAMPLE_EVENTS) {
      deepStrictEqual(
        decodeEvent(encodeEvent(event)),
        event,
        JSON.stringify(event),
      );
    }
  },
});

Deno.test({
  name: "encodeRequest() and decodeRequest() round-trip every request kind",
  permissions: "none",
  fn() {
    for (const request of SAMPLE_REQUESTS) {
      deepStrictEqual(decodeRequest(encodeRequest(request)), request);
    }
  },
});

Deno.test({
  name: "encodeEvent() CHAT matches the PROTOCOL.md example",
  permissions: "none",
  fn() {
    const bytes = encodeEvent({
      kind: "chat",
      id: 42,
      time: TIME,
      from: "bob",
      text: "hi",
    });
    strictEqual(
      dump(bytes),
      norm(`
        10 00 00 00 2a 42 79 ab 69 7e 80 00 00 03 62 6f
        62 00 02 68 69
      `),
    );
  },
});

Deno.test({
  name: "encodeEvent() writes exact bytes for every other event kind",
  permissions: "none",
  fn() {
    const cases: Array<[ServerEvent, string]> = [
      [
        { kind: "joined", id: 43, time: TIME, name: "小明" },
        `11 00 00 00 2b ${TIME_HEX} 06 e5 b0 8f e6 98 8e`,
      ],
      [
        {
          kind: "left",
          id: 44,
          time: TIME,
          name: "bob",
          why: "timeout",
          reason: "",
        },
        `12 00 00 00 2c ${TIME_HEX} 03 62 6f 62 01 00 00`,
      ],
      [
        {
          kind: "left",
          id: 44,
          time: TIME,
          name: "bob",
          why: "banned",
          reason: "x",
        },
        `12 00 00 00 2c ${TIME_HEX} 03 62 6f 62 04 00 01 78`,
      ],
      [
        { kind: "admin", id: 45, time: TIME, text: "hi" },
        `13 00 00 00 2d ${TIME_HEX} 00 02 68 69`,
      ],
      [
        { kind: "members", total: 3, names: ["bob", "小明"] },
        "14 00 00 00 03 00 02 03 62 6f 62 06 e5 b0 8f e6 98 8e",
      ],
      [{ kind: "members", total: 0, names: [] }, "14 00 00 00 00 00 00"],
      [{ kind: "notice", text: "no" }, "15 00 02 6e 6f"],
      [
        { kind: "goodbye", why: "closing", reason: "bye" },
        "16 01 00 03 62 79 65",
      ],
      [{ kind: "goodbye", why: "banned", reason: "" }, "16 05 00 00"],
    ];
    for (const [event, expected] of cases) {
      strictEqual(dump(encodeEvent(event)), norm(expected), event.kind);
    }
  },
});

Deno.test({
  name: "encodeRequest() SAY and LEAVE write exact bytes",
  permissions: "none",
  fn() {
    strictEqual(
      dump(encodeRequest({ kind: "say", text: "hi 👋" })),
      norm("01 00 07 68 69 20 f0 9f 91 8b"),
    );
    strictEqual(dump(encodeRequest({ kind: "leave", reason: "" })), "02 00 00");
  },
});

Deno.test({
  name: "decodeEvent() and decodeRequest() keep CJK and emoji text intact",
  permissions: "none",
  fn() {
    const text =
      "你好 世界 こんにちは 안녕 👋🏽 👨‍👩‍👧 🏳️‍🌈 ❤️ \u{1F9D1}\u200D\u{1F4BB}";
    const chat = decodeEvent(
      encodeEvent({ kind: "chat", id: 1, time: TIME, from: "小明", text }),
    );
    ok(chat.kind === "chat");
    strictEqual(chat.text, text);
    strictEqual(chat.from, "小明");
    const say = decodeRequest(encodeRequest({ kind: "say", text }));
    ok(say.kind === "say");
    strictEqual(say.text, text);
    strictEqual([...say.text].length, [...text].length);
  },
});

Deno.test({
  name:
    "encodeEvent() accepts text of exactly MAX_TEXT_BYTES in every text event",
  permissions: "none",
  fn() {
    // One-, two- and four-byte characters that add up to the limit exactly.
    for (
      const text of [
        "a".repeat(MAX_TEXT_BYTES),
        "é".repeat(MAX_TEXT_BYTES / 2),
        "🙂".repeat(MAX_TEXT_BYTES / 4),
      ]
    ) {
      const events: ServerEvent[] = [
        { kind: "chat", id: 1, time: TIME, from: "bob", text },
        { kind: "admin", id: 2, time: TIME, text },
        { kind: "notice", text },
      ];
      for (const event of events) {
        deepStrictEqual(decodeEvent(encodeEvent(event)), event, event.kind);
      }
      deepStrictEqual(decodeRequest(encodeRequest({ kind: "say", text })), {
        kind: "say",
        text,
      });
    }
  },
});

Deno.test({
  name:
    "encodeEvent() and encodeRequest() reject text one byte over MAX_TEXT_BYTES",
  permissions: "none",
  fn() {
    for (
      const text of [
        "a".repeat(MAX_TEXT_BYTES + 1),
        "é".repeat(MAX_TEXT_BYTES / 2) + "a",
      ]
    ) {
      const events: ServerEvent[] = [
        { kind: "chat", id: 1, time: TIME, from: "bob", text },
        { kind: "admin", id: 2, time: TIME, text },
        { kind: "notice", text },
      ];
      for (const event of events) {
        throws(() => encodeEvent(event), {
          name: "RangeError",
          message: "Cannot encode text: 16385 bytes, the limit is 16384",
        });
      }
      throws(() => encodeRequest({ kind: "say", text }), RangeError);
    }
  },
});

Deno.test({
  name:
    "decodeEvent() and decodeRequest() reject text one byte over MAX_TEXT_BYTES",
  permissions: "none",
  fn() {
    const over = new Uint8Array(MAX_TEXT_BYTES + 1).fill(0x61);
    const withText = (head: (w: Writer) => Writer) =>
      head(new Writer(MAX_TEXT_BYTES + 64)).u16(over.byteLength).bytes(over)
        .finish();
    const encodings: Array<[string, Uint8Array]> = [
      [
        "chat",
        withText((w) => w.u8(0x10).u32(1).f64(TIME).text("bob", 1, 128)),
      ],
      ["admin", withText((w) => w.u8(0x13).u32(1).f64(TIME))],
      ["notice", withText((w) => w.u8(0x15))],
    ];
    for (const [label, bytes] of encodings) {
      throws(() => decodeEvent(bytes), {
        name: "RangeError",
        message: "Cannot decode event: text is 16385 bytes, the limit is 16384",
      }, label);
    }
    throws(() => decodeRequest(withText((w) => w.u8(0x01))), {
      name: "RangeError",
      message: "Cannot decode request: text is 16385 bytes, the limit is 16384",
    });
  },
});

Deno.test({
  name:
    "encodeEvent() rejects a name over MAX_NAME_BYTES and a reason over 1024 bytes",
  permissions: "none",
  fn() {
    const longName = "n".repeat(MAX_NAME_BYTES + 1);
    throws(
      () =>
        encodeEvent({
          kind: "chat",
          id: 1,
          time: TIME,
          from: longName,
          text: "x",
        }),
      RangeError,
    );
    throws(
      () => encodeEvent({ kind: "joined", id: 1, time: TIME, name: longName }),
      RangeError,
    );
    throws(
      () => encodeEvent({ kind: "members", total: 2, names: ["ok", longName] }),
      RangeError,
    );
    const reason = "r".repeat(1024);
    const left: ServerEvent = {
      kind: "left",
      id: 1,
      time: TIME,
      name: "bob",
      why: "kicked",
      reason,
    };
    deepStrictEqual(decodeEvent(encodeEvent(left)), left);
    throws(() => encodeEvent({ ...left, reason: reason + "r" }), RangeError);
    throws(
      () =>
        encodeEvent({ kind: "goodbye", why: "kicked", reason: reason + "r" }),
      RangeError,
    );
  },
});

Deno.test({
  name:
    "encodeEvent() MEMBERS accepts MAX_MEMBERS_LISTED names and rejects one more",
  permissions: "none",
  fn() {
    const names = Array.from({ length: MAX_MEMBERS_LISTED }, (_, i) => `m${i}`);
    const event = { kind: "members", total: 500, names } as const;
    deepStrictEqual(decodeEvent(encodeEvent(event)), event);
    throws(
      () =>
        encodeEvent({
          kind: "members",
          total: 500,
          names: [...names, "one-more"],
        }),
      {
        name: "RangeError",
        message: "Cannot encode MEMBERS: 101 entries, the limit is 100",
      },
    );
  },
});

Deno.test({
  name: "decodeEvent() rejects a MEMBERS count over MAX_MEMBERS_LISTED",
  permissions: "none",
  fn() {
    const bytes = concat(
      hex("14 00 00 01 f4 00 65"),
      new Uint8Array(MAX_MEMBERS_LISTED + 1),
    );
    throws(() => decodeEvent(bytes), {
      name: "RangeError",
      message: "Cannot decode MEMBERS: 101 entries, the limit is 100",
    });
  },
});

Deno.test({
  name: "encodeEvent() returns independent buffers despite the shared scratch",
  permissions: "none",
  fn() {
    const first = encodeEvent({ kind: "notice", text: "first" });
    const copy = first.slice();
    encodeEvent({ kind: "notice", text: "second, longer" });
    encodeRequest({ kind: "say", text: "third" });
    deepStrictEqual(first, copy);
    strictEqual(first.byteOffset, 0);
    strictEqual(first.buffer.byteLength, first.byteLength);
  },
});

Deno.test({
  name: "encodeEvent() works normally after a rejected encode",
  permissions: "none",
  fn() {
    throws(() =>
      encodeEvent({ kind: "notice", text: "x".repeat(MAX_TEXT_BYTES + 1) })
    );
    throws(() =>
      encodeRequest({ kind: "say", text: "x".repeat(MAX_TEXT_BYTES + 1) })
    );
    strictEqual(
      dump(encodeEvent({ kind: "notice", text: "no" })),
      "15 00 02 6e 6f",
    );
    strictEqual(dump(encodeRequest({ kind: "say", text: "a" })), "01 00 01 61");
  },
});

Deno.test({
  name: "decodeEvent() rejects unknown kind codes with a SyntaxError",
  permissions: "none",
  fn() {
    for (const code of [0x00, 0x01, 0x02, 0x0f, 0x23, 0x24, 0xff]) {
      throws(() => decodeEvent(new Uint8Array([code, 0, 0, 0, 0])), {
        name: "SyntaxError",
        message: `Cannot decode event: unknown kind ${code}`,
      });
    }
  },
});

Deno.test({
  name: "decodeRequest() rejects unknown kind codes with a SyntaxError",
  permissions: "none",
  fn() {
    for (const code of [0x00, 0x08, 0x10, 0x16, 0xff]) {
      throws(() => decodeRequest(new Uint8Array([code, 0, 0])), {
        name: "SyntaxError",
        message: `Cannot decode request: unknown kind ${code}`,
      });
    }
  },
});

Deno.test({
  name: "decodeEvent() rejects unknown LEFT and GOODBYE why codes",
  permissions: "none",
  fn() {
    for (const why of [5, 6, 0xff]) {
      throws(
        () =>
          decodeEvent(
            hex(
              `12 00 00 00 01 ${TIME_HEX} 03 62 6f 62 ${
                why.toString(16).padStart(2, "0")
              } 00 00`,
            ),
          ),
        {
          name: "RangeError",
          message: `Cannot decode LEFT why: unknown code ${why}`,
        },
      );
    }
    for (const why of [6, 7, 0xff]) {
      throws(() => decodeEvent(new Uint8Array([0x16, why, 0, 0])), {
        name: "RangeError",
        message: `Cannot decode GOODBYE why: unknown code ${why}`,
      });
    }
  },
});

Deno.test({
  name: "decodeEvent() rejects a time that is not finite",
  permissions: "none",
  fn() {
    for (
      const time of [
        "7f f8 00 00 00 00 00 00",
        "7f f0 00 00 00 00 00 00",
        "ff f0 00 00 00 00 00 00",
      ]
    ) {
      throws(
        () =>
          decodeEvent(hex(`10 00 00 00 01 ${time} 03 62 6f 62 00 02 68 69`)),
        RangeError,
      );
      throws(
        () => decodeEvent(hex(`13 00 00 00 01 ${time} 00 02 68 69`)),
        RangeError,
      );
    }
  },
});

Deno.test({
  name: "decodeEvent() and decodeRequest() reject text that is not UTF-8",
  permissions: "none",
  fn() {
    throws(() => decodeEvent(hex("15 00 02 c0 80")), {
      name: "SyntaxError",
      message: "Cannot decode event: text is not valid UTF-8",
    });
    throws(
      () => decodeEvent(hex(`11 00 00 00 01 ${TIME_HEX} 01 ff`)),
      SyntaxError,
    );
    throws(
      () => decodeEvent(hex("14 00 00 00 01 00 01 03 ed a0 80")),
      SyntaxError,
    );
    throws(() => decodeRequest(hex("01 00 03 e5 b0 61")), {
      name: "SyntaxError",
      message: "Cannot decode request: text is not valid UTF-8",
    });
  },
});

Deno.test({
  name: "decodeEvent() and decodeRequest() reject trailing bytes",
  permissions: "none",
  fn() {
    for (const event of SAMPLE_EVENTS) {
      for (const extra of ["00", "ff", "00 00 00"]) {
        throws(() => decodeEvent(concat(encodeEvent(event), hex(extra))), {
          name: "SyntaxError",
          message: `Cannot decode event: ${
            hex(extra).byteLength
          } unexpected trailing bytes`,
        }, event.kind);
      }
    }
    for (const request of SAMPLE_REQUESTS) {
      throws(() => decodeRequest(concat(encodeRequest(request), hex("00"))), {
        name: "SyntaxError",
        message: "Cannot decode request: 1 unexpected trailing bytes",
      }, request.kind);
    }
  },
});

Deno.test({
  name: "decodeEvent() rejects every event truncated at every length",
  permissions: "none",
  fn() {
    for (const event of SAMPLE_EVENTS) {
      const bytes = encodeEvent(event);
      for (let length = 0; length < bytes.byteLength; length++) {
        rejects(
          () => decodeEvent(bytes.slice(0, length)),
          `${event.kind} prefix ${length}`,
        );
      }
    }
  },
});

Deno.test({
  name: "decodeRequest() rejects every request truncated at every length",
  permissions: "none",
  fn() {
    for (const request of SAMPLE_REQUESTS) {
      const bytes = encodeRequest(request);
      for (let length = 0; length < bytes.byteLength; length++) {
        rejects(
          () => decodeRequest(bytes.slice(0, length)),
          `${request.kind} prefix ${length}`,
        );
      }
    }
  },
});

Deno.test({
  name:
    "encodeEvent() MEMBERS of MAX_MEMBERS_LISTED longest names fits MAX_EVENT_BYTES",
  permissions: "none",
  fn() {
    const names = Array.from(
      { length: MAX_MEMBERS_LISTED },
      (_, i) => String.fromCodePoint(0x10000 + i).repeat(32),
    );
    const bytes = encodeEvent({ kind: "members", total: 10_000, names });
    ok(
      bytes.byteLength <= MAX_EVENT_BYTES,
      `MEMBERS of ${names.length} names is ${bytes.byteLength} bytes, MAX_EVENT_BYTES is ${MAX_EVENT_BYTES}`,
    );
    throws(
      () =>
        encodeEvent({ kind: "members", total: 101, names: [...names, "x"] }),
      RangeError,
    );
  },
});
