import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { decodeUtf8, utf8Length, validateText } from "./text.ts";
import { MAX_TEXT_BYTES } from "./limits.ts";

Deno.test({
  name: "validateText() keeps text as typed",
  permissions: "none",
  fn() {
    for (
      const text of [
        "hi",
        "  indented",
        "a\tb",
        "line1\nline2",
        "你好 👋",
        "\x1b[31mred",
      ]
    ) {
      deepStrictEqual(validateText(text), { ok: true, text });
    }
  },
});

Deno.test({
  name: "validateText() trims trailing CR and LF only",
  permissions: "none",
  fn() {
    deepStrictEqual(validateText("hello\r\n"), { ok: true, text: "hello" });
    deepStrictEqual(validateText("hello\n\n\r"), { ok: true, text: "hello" });
    deepStrictEqual(validateText("hello \n"), { ok: true, text: "hello " });
    deepStrictEqual(validateText("\nhello"), { ok: true, text: "\nhello" });
  },
});

Deno.test({
  name: "validateText() refuses empty text",
  permissions: "none",
  fn() {
    for (const text of ["", "\n", "\r\n\r\n"]) {
      deepStrictEqual(validateText(text), {
        ok: false,
        problem: "empty",
        bytes: 0,
        message: "Message is empty",
      });
    }
  },
});

Deno.test({
  name: "validateText() accepts exactly MAX_TEXT_BYTES",
  permissions: "none",
  fn() {
    strictEqual(validateText("a".repeat(MAX_TEXT_BYTES)).ok, true);
    strictEqual(validateText("a".repeat(MAX_TEXT_BYTES) + "\r\n").ok, true);
    strictEqual(validateText("😀".repeat(MAX_TEXT_BYTES / 4)).ok, true);
  },
});

Deno.test({
  name: "validateText() refuses text over MAX_TEXT_BYTES and says the size",
  permissions: "none",
  fn() {
    deepStrictEqual(validateText("a".repeat(20_000)), {
      ok: false,
      problem: "long",
      bytes: 20_000,
      message: "Message is 20000 bytes, the limit is 16384",
    });
    // 5462 three-byte characters: fewer UTF-16 units than the limit, more bytes.
    deepStrictEqual(validateText("小".repeat(5462)), {
      ok: false,
      problem: "long",
      bytes: 16_386,
      message: "Message is 16386 bytes, the limit is 16384",
    });
  },
});

Deno.test({
  name: "validateText() refuses a NUL",
  permissions: "none",
  fn() {
    deepStrictEqual(validateText("a\0b"), {
      ok: false,
      problem: "nul",
      bytes: 3,
      message: "Message contains a NUL character",
    });
  },
});

Deno.test({
  name: "validateText() refuses an unpaired surrogate",
  permissions: "none",
  fn() {
    deepStrictEqual(validateText("a\ud83d"), {
      ok: false,
      problem: "surrogate",
      bytes: 4,
      message: "Message contains an unpaired surrogate",
    });
  },
});

Deno.test({
  name: "validateText() trims a long run of newlines in linear time",
  permissions: "none",
  fn() {
    const started = performance.now();
    strictEqual(validateText("\n".repeat(200_000) + "x").ok, false);
    strictEqual(performance.now() - started < 1000, true);
  },
});

Deno.test({
  name: "utf8Length() agrees with TextEncoder",
  permissions: "none",
  fn() {
    const encoder = new TextEncoder();
    for (
      const s of [
        "",
        "abc",
        "é",
        "小明",
        "👍🏽",
        "a\ud800b",
        "\udc00\ud800",
        "\u07ff\u0800",
      ]
    ) {
      strictEqual(utf8Length(s), encoder.encode(s).length, JSON.stringify(s));
    }
  },
});

Deno.test({
  name: "decodeUtf8() decodes valid UTF-8",
  permissions: "none",
  fn() {
    const bytes = new TextEncoder().encode("héllo 小明 👍");
    strictEqual(decodeUtf8(bytes), "héllo 小明 👍");
    strictEqual(decodeUtf8(new Uint8Array()), "");
  },
});

Deno.test({
  name: "decodeUtf8() keeps a leading byte order mark",
  permissions: "none",
  fn() {
    strictEqual(
      decodeUtf8(new Uint8Array([0xef, 0xbb, 0xbf, 0x41])),
      "\ufeffA",
    );
  },
});

Deno.test({
  name: "decodeUtf8() returns undefined for invalid UTF-8",
  permissions: "none",
  fn() {
    const invalid = [
      [0xff], // never valid
      [0x80], // lone continuation byte
      [0xc0, 0x80], // overlong NUL
      [0xe5, 0xb0], // truncated sequence
      [0xed, 0xa0, 0x80], // encoded surrogate
      [0xf4, 0x90, 0x80, 0x80], // above U+10FFFF
    ];
    for (const bytes of invalid) {
      strictEqual(decodeUtf8(new Uint8Array(bytes)), undefined, String(bytes));
    }
  },
});

Deno.test({
  name: "decodeUtf8() recovers after invalid input",
  permissions: "none",
  fn() {
    strictEqual(decodeUtf8(new Uint8Array([0xe5, 0xb0])), undefined);
    strictEqual(decodeUtf8(new Uint8Array([0x8f])), undefined);
    strictEqual(decodeUtf8(new Uint8Array([0x41])), "A");
  },
});
