import { deepStrictEqual, strictEqual, throws } from "node:assert/strict";
import { Reader, Writer } from "./wire.ts";

function bytes(...values: number[]): Uint8Array {
  return new Uint8Array(values);
}

Deno.test({
  name: "Reader reads u8, u16, u32 and f64 big-endian and advances",
  permissions: "none",
  fn() {
    const r = new Reader(
      bytes(
        0x01,
        0x02,
        0x03,
        0x04,
        0x05,
        0x06,
        0x07,
        ...[0x3f, 0xf8, 0, 0, 0, 0, 0, 0],
      ),
      "test",
    );
    strictEqual(r.remaining, 15);
    strictEqual(r.u8("a"), 0x01);
    strictEqual(r.u16("b"), 0x0203);
    strictEqual(r.u32("c"), 0x04050607);
    strictEqual(r.offset, 7);
    strictEqual(r.f64("d"), 1.5);
    strictEqual(r.remaining, 0);
    r.end();
  },
});

Deno.test({
  name: "Reader reads u32 values above 2^31 as unsigned",
  permissions: "none",
  fn() {
    strictEqual(
      new Reader(bytes(0xff, 0xff, 0xff, 0xff), "test").u32("x"),
      0xffff_ffff,
    );
    strictEqual(new Reader(bytes(0xff, 0xff), "test").u16("x"), 0xffff);
  },
});

Deno.test({
  name: "Reader respects the byteOffset of a subarray and a start offset",
  permissions: "none",
  fn() {
    const backing = bytes(0xee, 0xee, 0x12, 0x34, 0x56, 0xee);
    const r = new Reader(backing.subarray(2, 5), "test");
    strictEqual(r.u16("x"), 0x1234);
    strictEqual(r.u8("y"), 0x56);
    throws(() => r.u8("z"), RangeError);

    const s = new Reader(bytes(0, 0, 0, 9), "test", 3);
    strictEqual(s.offset, 3);
    strictEqual(s.remaining, 1);
    strictEqual(s.u8("x"), 9);
  },
});

Deno.test({
  name: "Reader throws RangeError on every read past the end, without moving",
  permissions: "none",
  fn() {
    const reads: Array<[string, (r: Reader) => unknown, number]> = [
      ["u8", (r) => r.u8("field"), 0],
      ["u16", (r) => r.u16("field"), 1],
      ["u32", (r) => r.u32("field"), 3],
      ["f64", (r) => r.f64("field"), 7],
      ["bytes", (r) => r.bytes(5, "field"), 4],
      ["text1", (r) => r.text("field", 1, 255), 0],
      ["text2", (r) => r.text("field", 2, 255), 1],
    ];
    for (const [label, read, have] of reads) {
      const r = new Reader(new Uint8Array(have), "THING datagram");
      throws(() => read(r), RangeError, label);
      strictEqual(r.offset, 0, label);
      strictEqual(r.remaining, have, label);
    }
  },
});

Deno.test({
  name: "Reader names the structure, field, offset and shortfall in errors",
  permissions: "none",
  fn() {
    const r = new Reader(bytes(1, 2, 3), "WELCOME datagram");
    r.u8("flags");
    throws(() => r.u32("session id"), {
      name: "RangeError",
      message:
        "Cannot decode WELCOME datagram: session id needs 4 bytes at offset 1, have 2",
    });
  },
});

Deno.test({
  name: "Reader.f64() rejects NaN and infinities",
  permissions: "none",
  fn() {
    for (const value of [NaN, Infinity, -Infinity]) {
      const b = new Uint8Array(8);
      new DataView(b.buffer).setFloat64(0, value);
      throws(() => new Reader(b, "test").f64("time"), RangeError, `${value}`);
    }
  },
});

Deno.test({
  name: "Reader.bytes() returns a view into the input, not a copy",
  permissions: "none",
  fn() {
    const input = bytes(1, 2, 3, 4);
    const r = new Reader(input, "test");
    r.u8("skip");
    const view = r.bytes(2, "two");
    deepStrictEqual(view, bytes(2, 3));
    strictEqual(view.buffer, input.buffer);
    strictEqual(view.byteOffset, 1);
    deepStrictEqual(r.bytes(0, "none"), new Uint8Array(0));
  },
});

Deno.test({
  name: "Reader.rest() returns what is left and consumes it",
  permissions: "none",
  fn() {
    const r = new Reader(bytes(1, 2, 3), "test");
    r.u8("skip");
    deepStrictEqual(r.rest(), bytes(2, 3));
    strictEqual(r.remaining, 0);
    deepStrictEqual(r.rest(), new Uint8Array(0));
    r.end();
  },
});

Deno.test({
  name: "Reader.text() reads text with a 1-byte length prefix",
  permissions: "none",
  fn() {
    const r = new Reader(bytes(3, 0x62, 0x6f, 0x62, 0), "test");
    strictEqual(r.text("name", 1, 128), "bob");
    strictEqual(r.text("empty", 1, 128), "");
    r.end();
  },
});

Deno.test({
  name: "Reader.text() reads text with a 2-byte length prefix",
  permissions: "none",
  fn() {
    const utf8 = new TextEncoder().encode("你好 👋");
    const r = new Reader(bytes(0, utf8.byteLength, ...utf8), "test");
    strictEqual(r.text("text", 2, 1000), "你好 👋");
    r.end();

    const long = "x".repeat(300);
    const r2 = new Reader(
      bytes(0x01, 0x2c, ...new TextEncoder().encode(long)),
      "test",
    );
    strictEqual(r2.text("text", 2, 300), long);
  },
});

Deno.test({
  name: "Reader.text() accepts exactly max bytes and rejects one more",
  permissions: "none",
  fn() {
    strictEqual(
      new Reader(bytes(3, 0x61, 0x62, 0x63), "test").text("t", 1, 3),
      "abc",
    );
    throws(
      () =>
        new Reader(bytes(4, 0x61, 0x62, 0x63, 0x64), "test").text("t", 1, 3),
      {
        name: "RangeError",
        message: "Cannot decode test: t is 4 bytes, the limit is 3",
      },
    );
    throws(
      () =>
        new Reader(bytes(0, 4, 0x61, 0x62, 0x63, 0x64), "t").text("t", 2, 3),
      RangeError,
    );
  },
});

Deno.test({
  name: "Reader.text() rejects a length prefix longer than the input",
  permissions: "none",
  fn() {
    throws(
      () => new Reader(bytes(5, 0x61, 0x62), "test").text("t", 1, 128),
      RangeError,
    );
    throws(
      () => new Reader(bytes(0x01, 0x00, 0x61), "test").text("t", 2, 1000),
      RangeError,
    );
  },
});

Deno.test({
  name: "Reader.text() rejects invalid UTF-8 with a SyntaxError",
  permissions: "none",
  fn() {
    const invalid: Array<[string, number[]]> = [
      ["lone continuation byte", [0x80]],
      ["0xff", [0xff]],
      ["overlong NUL", [0xc0, 0x80]],
      ["overlong slash", [0xe0, 0x80, 0xaf]],
      ["encoded surrogate", [0xed, 0xa0, 0x80]],
      ["truncated 3-byte sequence", [0xe5, 0xb0]],
      ["truncated 4-byte sequence", [0xf0, 0x9f, 0x91]],
      ["above U+10FFFF", [0xf4, 0x90, 0x80, 0x80]],
      ["valid then invalid", [0x61, 0xfe]],
    ];
    for (const [label, body] of invalid) {
      for (const prefix of [1, 2] as const) {
        const head = prefix === 1 ? [body.length] : [0, body.length];
        throws(
          () =>
            new Reader(bytes(...head, ...body), "test").text("t", prefix, 64),
          {
            name: "SyntaxError",
            message: "Cannot decode test: t is not valid UTF-8",
          },
          `${label} (prefix ${prefix})`,
        );
      }
    }
  },
});

Deno.test({
  name: "Reader.text() keeps a leading byte order mark",
  permissions: "none",
  fn() {
    strictEqual(
      new Reader(bytes(4, 0xef, 0xbb, 0xbf, 0x61), "test").text("t", 1, 64),
      "\ufeffa",
    );
  },
});

Deno.test({
  name: "Reader.end() rejects trailing bytes with a SyntaxError",
  permissions: "none",
  fn() {
    const r = new Reader(bytes(1, 2, 3), "COOKIE datagram");
    r.u8("x");
    throws(() => r.end(), {
      name: "SyntaxError",
      message: "Cannot decode COOKIE datagram: 2 unexpected trailing bytes",
    });
    r.u16("y");
    r.end();
    new Reader(new Uint8Array(0), "empty").end();
  },
});

Deno.test({
  name: "Writer writes u8, u16, u32 and f64 big-endian",
  permissions: "none",
  fn() {
    const w = new Writer(15);
    strictEqual(w.remaining, 15);
    w.u8(0x01).u16(0x0203).u32(0x04050607).f64(1.5);
    strictEqual(w.length, 15);
    strictEqual(w.remaining, 0);
    deepStrictEqual(
      w.finish(),
      bytes(1, 2, 3, 4, 5, 6, 7, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0),
    );
  },
});

Deno.test({
  name: "Writer.u32() writes values modulo 2^32 (wrapping counters)",
  permissions: "none",
  fn() {
    deepStrictEqual(
      new Writer(12).u32(0xffff_ffff).u32(-1).u32(2 ** 32 + 5).finish(),
      bytes(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 5),
    );
  },
});

Deno.test({
  name: "Writer writes at the byteOffset of a given subarray",
  permissions: "none",
  fn() {
    const backing = new Uint8Array(6);
    const w = new Writer(backing.subarray(2, 5));
    w.u16(0xabcd).u8(0xef);
    throws(() => w.u8(1), RangeError);
    deepStrictEqual(backing, bytes(0, 0, 0xab, 0xcd, 0xef, 0));
    const out = w.finish();
    strictEqual(out.buffer, backing.buffer);
    strictEqual(out.byteOffset, 2);
  },
});

Deno.test({
  name: "Writer.bytes() copies raw bytes",
  permissions: "none",
  fn() {
    const source = bytes(9, 8, 7);
    const out = new Writer(3).bytes(source).finish();
    source[0] = 0;
    deepStrictEqual(out, bytes(9, 8, 7));
  },
});

Deno.test({
  name: "Writer throws RangeError on overflow and stays usable",
  permissions: "none",
  fn() {
    const writes: Array<[string, (w: Writer) => unknown]> = [
      ["u8", (w) => w.u8(1)],
      ["u16", (w) => w.u16(1)],
      ["u32", (w) => w.u32(1)],
      ["f64", (w) => w.f64(1)],
      ["bytes", (w) => w.bytes(new Uint8Array(4))],
      ["padTo", (w) => w.padTo(5)],
      ["text1", (w) => w.text("abcd", 1, 128)],
      ["text2", (w) => w.text("abc", 2, 128)],
    ];
    for (const [label, write] of writes) {
      const w = new Writer(4);
      w.u8(0xaa);
      if (label !== "u8") {
        // Leave exactly one byte: too little for anything but u8.
        w.u16(0xbbcc);
      } else {
        w.u16(0xbbcc).u8(0xdd);
      }
      const before = w.length;
      throws(() => write(w), RangeError, label);
      strictEqual(w.length, before, label);
      if (w.remaining > 0) w.u8(0x11);
      deepStrictEqual(
        w.finish(),
        label === "u8"
          ? bytes(0xaa, 0xbb, 0xcc, 0xdd)
          : bytes(0xaa, 0xbb, 0xcc, 0x11),
        label,
      );
    }
  },
});

Deno.test({
  name: "Writer overflow error names the size and the buffer",
  permissions: "none",
  fn() {
    throws(() => new Writer(3).u32(1), {
      name: "RangeError",
      message: "Cannot encode: 4 more bytes exceed the 3-byte buffer",
    });
  },
});

Deno.test({
  name: "Writer.text() writes a 1-byte length prefix and UTF-8",
  permissions: "none",
  fn() {
    deepStrictEqual(
      new Writer(16).text("bob", 1, 128).text("", 1, 128).finish(),
      bytes(3, 0x62, 0x6f, 0x62, 0),
    );
    deepStrictEqual(
      new Writer(16).text("小明", 1, 128).finish(),
      bytes(6, 0xe5, 0xb0, 0x8f, 0xe6, 0x98, 0x8e),
    );
  },
});

Deno.test({
  name: "Writer.text() writes a 2-byte length prefix and UTF-8",
  permissions: "none",
  fn() {
    deepStrictEqual(
      new Writer(16).text("hi 👋", 2, 1000).finish(),
      bytes(0, 7, 0x68, 0x69, 0x20, 0xf0, 0x9f, 0x91, 0x8b),
    );
    const long = "y".repeat(300);
    const out = new Writer(400).text(long, 2, 300).finish();
    deepStrictEqual(out.subarray(0, 2), bytes(0x01, 0x2c));
    strictEqual(out.byteLength, 302);
    strictEqual(new Reader(out, "test").text("t", 2, 300), long);
  },
});

Deno.test({
  name:
    "Writer.text() accepts exactly max bytes and rejects one more, unchanged",
  permissions: "none",
  fn() {
    for (const prefix of [1, 2] as const) {
      const w = new Writer(64);
      w.text("éé", prefix, 4);
      const before = w.length;
      throws(() => w.text("éé!", prefix, 4), {
        name: "RangeError",
        message: "Cannot encode text: 5 bytes, the limit is 4",
      });
      strictEqual(w.length, before);
      w.text("ok", prefix, 4);
      const r = new Reader(w.finish(), "test");
      strictEqual(r.text("a", prefix, 4), "éé");
      strictEqual(r.text("b", prefix, 4), "ok");
      r.end();
    }
  },
});

Deno.test({
  name: "Writer.text() rejects text that does not fit the buffer, unchanged",
  permissions: "none",
  fn() {
    const w = new Writer(6).u8(0x7e);
    throws(() => w.text("abcdef", 1, 128), RangeError);
    strictEqual(w.length, 1);
    // A multi-byte character that would be cut at the end is not written half.
    throws(() => w.text("abc👋", 1, 128), RangeError);
    strictEqual(w.length, 1);
    w.text("abcd", 1, 128);
    deepStrictEqual(w.finish(), bytes(0x7e, 4, 0x61, 0x62, 0x63, 0x64));
  },
});

Deno.test({
  name: "Writer.padTo() pads a fresh buffer with zeros up to the total",
  permissions: "none",
  fn() {
    const w = new Writer(8).u16(0xffff).padTo(6);
    strictEqual(w.length, 6);
    deepStrictEqual(w.finish(), bytes(0xff, 0xff, 0, 0, 0, 0));
    w.u8(7).padTo(8);
    deepStrictEqual(w.finish(), bytes(0xff, 0xff, 0, 0, 0, 0, 7, 0));
  },
});

Deno.test({
  name: "Writer.padTo() does nothing when already at or past the total",
  permissions: "none",
  fn() {
    const w = new Writer(4).u32(0x01020304);
    w.padTo(4).padTo(2).padTo(0);
    strictEqual(w.length, 4);
    deepStrictEqual(w.finish(), bytes(1, 2, 3, 4));
  },
});

Deno.test({
  name: "Writer.padTo() past the buffer throws RangeError and stays usable",
  permissions: "none",
  fn() {
    const w = new Writer(4).u8(1);
    throws(() => w.padTo(5), RangeError);
    strictEqual(w.length, 1);
    w.padTo(4);
    deepStrictEqual(w.finish(), bytes(1, 0, 0, 0));
  },
});

Deno.test({
  name: "Writer.padTo() writes zeros over stale bytes in a reused buffer",
  permissions: "none",
  fn() {
    // A Writer may wrap a buffer that held an earlier datagram.
    const reused = new Writer(bytes(9, 9, 9, 9)).u8(1).padTo(4).finish();
    deepStrictEqual(reused, bytes(1, 0, 0, 0));
  },
});

Deno.test({
  name:
    "Writer.padTo() after a failed text() pads with zeros, not the rejected text",
  permissions: "none",
  fn() {
    // text() encodes before it checks and then rewinds, leaving bytes past
    // the offset that padTo must not expose.
    const w = new Writer(6);
    throws(() => w.text("abcdefgh", 1, 128), RangeError);
    deepStrictEqual(w.padTo(6).finish(), new Uint8Array(6));
  },
});

Deno.test({
  name:
    "Writer.text() with a 1-byte prefix rejects text over 255 bytes whatever max says",
  permissions: "none",
  fn() {
    // Otherwise the prefix would wrap (256 written as 0) and corrupt the rest.
    const w = new Writer(600);
    w.text("z".repeat(255), 1, 300);
    throws(() => w.text("z".repeat(256), 1, 300), RangeError);
    strictEqual(w.length, 256);
    throws(
      () => new Writer(70_000).text("z".repeat(65_536), 2, 70_000),
      RangeError,
    );
  },
});

Deno.test({
  name: "Writer.finish() returns a view of what was written so far",
  permissions: "none",
  fn() {
    const w = new Writer(8).u16(0x0102);
    const first = w.finish();
    deepStrictEqual(first, bytes(1, 2));
    w.u8(3);
    deepStrictEqual(w.finish(), bytes(1, 2, 3));
    strictEqual(first.buffer, w.finish().buffer);
  },
});

Deno.test({
  name: "Writer and Reader round-trip every field type",
  permissions: "none",
  fn() {
    const out = new Writer(64)
      .u8(255).u16(65535).u32(4_000_000_000).f64(1_764_000_000_000.5)
      .bytes(bytes(1, 2)).text("né", 1, 10).text("😀", 2, 10).finish();
    const r = new Reader(out, "test");
    strictEqual(r.u8("a"), 255);
    strictEqual(r.u16("b"), 65535);
    strictEqual(r.u32("c"), 4_000_000_000);
    strictEqual(r.f64("d"), 1_764_000_000_000.5);
    deepStrictEqual(r.bytes(2, "e"), bytes(1, 2));
    strictEqual(r.text("f", 1, 10), "né");
    strictEqual(r.text("g", 2, 10), "😀");
    r.end();
  },
});
