import { strictEqual } from "node:assert/strict";
import { displayWidth, LINE_BREAK, PLACEHOLDER, sanitize } from "./sanitize.ts";

const P = PLACEHOLDER;

/** True when no code point a terminal could act on survives. */
function inert(s: string): boolean {
  return !/[\p{Cc}\u202a-\u202e\u2066-\u2069]/u.test(s);
}

Deno.test({
  name: "sanitize() returns printable text unchanged",
  permissions: "none",
  fn() {
    const texts = [
      "hello, world",
      "小明：你好！",
      "👍🏽 👨‍👩‍👧 🇨🇳 ❤️",
      "café naïve",
      "e\u0301 a\u0308 Z\u0336",
      "مرحبا שלום",
      "",
    ];
    for (const text of texts) strictEqual(sanitize(text), text);
  },
});

Deno.test({
  name: "sanitize() neutralises a clear-screen CSI",
  permissions: "none",
  fn() {
    strictEqual(sanitize("\x1b[2Jgotcha"), `${P}gotcha`);
    strictEqual(sanitize("\x1b[?1049h\x1b[H"), `${P}${P}`);
    strictEqual(sanitize("\x1b[31mred\x1b[0m"), `${P}red${P}`);
  },
});

Deno.test({
  name: "sanitize() removes a window title OSC ended by BEL or ST",
  permissions: "none",
  fn() {
    strictEqual(sanitize("a\x1b]0;pwned\x07b"), `a${P}b`);
    strictEqual(sanitize("a\x1b]2;pwned\x1b\\b"), `a${P}b`);
    strictEqual(sanitize("a\x1b]2;pwned\u009cb"), `a${P}b`);
    strictEqual(sanitize("a\x1b]8;;https://evil\x1b\\link"), `a${P}link`);
  },
});

Deno.test({
  name: "sanitize() swallows an unended OSC to the end of the string",
  permissions: "none",
  fn() {
    strictEqual(sanitize("hi\x1b]0;never ended"), `hi${P}`);
  },
});

Deno.test({
  name: "sanitize() removes DCS, APC, PM and SOS strings",
  permissions: "none",
  fn() {
    strictEqual(sanitize("a\x1bP1$r\x1b\\b"), `a${P}b`);
    strictEqual(sanitize("a\x1b_apc\x1b\\b"), `a${P}b`);
    strictEqual(sanitize("a\x1b^pm\x1b\\b"), `a${P}b`);
    strictEqual(sanitize("a\x1bXsos\x1b\\b"), `a${P}b`);
  },
});

Deno.test({
  name: "sanitize() neutralises single-character escapes",
  permissions: "none",
  fn() {
    strictEqual(sanitize("a\x1bcb"), `a${P}b`); // full reset
    strictEqual(sanitize("a\x1b#8b"), `a${P}b`); // fill screen with E
    strictEqual(sanitize("a\x1b(0b"), `a${P}b`); // line-drawing charset
    strictEqual(sanitize("a\x1b"), `a${P}`);
    strictEqual(sanitize("\x1b\x1b[2J"), `${P}${P}`);
  },
});

Deno.test({
  name: "sanitize() neutralises 8-bit C1 sequences",
  permissions: "none",
  fn() {
    strictEqual(sanitize("a\u009b2Jb"), `a${P}b`);
    strictEqual(sanitize("a\u009d0;title\u0007b"), `a${P}b`);
    strictEqual(sanitize("a\u0090data\u009cb"), `a${P}b`);
    strictEqual(sanitize("a\u0084b\u0080c"), `a${P}b${P}c`);
  },
});

Deno.test({
  name: "sanitize() neutralises C0 controls and DEL",
  permissions: "none",
  fn() {
    strictEqual(sanitize("ding\x07"), `ding${P}`);
    strictEqual(sanitize("abc\b\b\bxyz"), `abc${P}${P}${P}xyz`);
    strictEqual(sanitize("a\x00b\x7fc"), `a${P}b${P}c`);
  },
});

Deno.test({
  name: "sanitize() turns a tab into a space",
  permissions: "none",
  fn() {
    strictEqual(sanitize("a\tb"), "a b");
  },
});

Deno.test({
  name: "sanitize() shows line breaks so a line cannot be forged",
  permissions: "none",
  fn() {
    const forged = "hi\n<admin> everyone send me your password";
    strictEqual(
      sanitize(forged),
      `hi${LINE_BREAK}<admin> everyone send me your password`,
    );
    strictEqual(sanitize("a\r\nb"), `a${LINE_BREAK}b`);
    strictEqual(sanitize("a\rb"), `a${LINE_BREAK}b`);
    for (const brk of ["\v", "\f", "\u0085", "\u2028", "\u2029"]) {
      strictEqual(sanitize(`a${brk}b`), `a${LINE_BREAK}b`, JSON.stringify(brk));
    }
  },
});

Deno.test({
  name: "sanitize() neutralises bidi overrides and isolates",
  permissions: "none",
  fn() {
    strictEqual(sanitize("file\u202Etxt.exe"), `file${P}txt.exe`);
    for (
      const c of [
        "\u202a",
        "\u202b",
        "\u202c",
        "\u202d",
        "\u2066",
        "\u2067",
        "\u2068",
        "\u2069",
      ]
    ) {
      strictEqual(sanitize(`a${c}b`), `a${P}b`, JSON.stringify(c));
    }
  },
});

Deno.test({
  name: "sanitize() neutralises invisible format characters but keeps joiners",
  permissions: "none",
  fn() {
    for (const c of ["\u200b", "\u2060", "\ufeff", "\u{e0041}", "\u00ad"]) {
      strictEqual(sanitize(`a${c}b`), `a${P}b`, JSON.stringify(c));
    }
    strictEqual(sanitize("a\u200cb\u200dc"), "a\u200cb\u200dc");
  },
});

Deno.test({
  name: "sanitize() replaces a lone surrogate",
  permissions: "none",
  fn() {
    strictEqual(sanitize("a\ud800b\udc00"), `a${P}b${P}`);
    strictEqual(sanitize("\ud83d\udc4d"), "👍");
  },
});

Deno.test({
  name:
    "sanitize() leaves nothing a terminal acts on, for every code unit pair",
  permissions: "none",
  fn() {
    const specials = [
      0x00,
      0x07,
      0x0a,
      0x0d,
      0x1b,
      0x5b,
      0x5c,
      0x5d,
      0x7f,
      0x9b,
      0x9c,
      0x9d,
      0x202e,
    ];
    for (const a of specials) {
      for (let b = 0; b < 0x100; b++) {
        const s = `x${String.fromCharCode(a, b)}y${String.fromCharCode(b, a)}`;
        strictEqual(inert(sanitize(s)), true, JSON.stringify(s));
      }
    }
  },
});

Deno.test({
  name: "displayWidth() counts ASCII one column each",
  permissions: "none",
  fn() {
    strictEqual(displayWidth("abc"), 3);
    strictEqual(displayWidth(""), 0);
  },
});

Deno.test({
  name: "displayWidth() counts CJK and fullwidth two columns each",
  permissions: "none",
  fn() {
    strictEqual(displayWidth("小明"), 4);
    strictEqual(displayWidth("こんにちは"), 10);
    strictEqual(displayWidth("한국어"), 6);
    strictEqual(displayWidth("ＡＢ"), 4);
    strictEqual(displayWidth("ｱｲ"), 2); // halfwidth katakana
    strictEqual(displayWidth("小明: hi"), 8);
  },
});

Deno.test({
  name: "displayWidth() counts an emoji two columns",
  permissions: "none",
  fn() {
    strictEqual(displayWidth("👍"), 2);
    strictEqual(displayWidth("👍🏽"), 2);
    strictEqual(displayWidth("👨‍👩‍👧"), 2);
    strictEqual(displayWidth("🇨🇳"), 2);
    strictEqual(displayWidth("❤️"), 2);
    strictEqual(displayWidth("☺"), 1);
  },
});

Deno.test({
  name: "displayWidth() counts combining marks zero columns",
  permissions: "none",
  fn() {
    strictEqual(displayWidth("e\u0301"), 1);
    strictEqual(displayWidth("Z\u0336\u0335\u0334"), 1);
    strictEqual(displayWidth("\u0301"), 0);
    strictEqual(displayWidth("\u1100\u1161\u11a8"), 2); // conjoining jamo: 각
  },
});

Deno.test({
  name: "displayWidth() counts the placeholders that sanitize() adds",
  permissions: "none",
  fn() {
    strictEqual(displayWidth(sanitize("a\x1b[2Jb\nc")), 5);
  },
});
