import { strictEqual } from "node:assert/strict";
import { crc32 } from "./crc32.ts";

Deno.test({
  name: "crc32() matches the standard check values",
  permissions: "none",
  fn() {
    const ascii = (s: string) => new TextEncoder().encode(s);
    strictEqual(crc32(new Uint8Array()), 0);
    strictEqual(crc32(ascii("123456789")), 0xcbf43926);
    strictEqual(
      crc32(ascii("The quick brown fox jumps over the lazy dog")),
      0x414fa339,
    );
  },
});

Deno.test({
  name: "crc32() changes when any single bit flips",
  permissions: "none",
  fn() {
    const bytes = Uint8Array.from({ length: 64 }, (_, i) => i * 7);
    const base = crc32(bytes);
    for (let bit = 0; bit < bytes.byteLength * 8; bit++) {
      const flipped = bytes.slice();
      flipped[bit >> 3]! ^= 1 << (bit & 7);
      strictEqual(crc32(flipped) === base, false, `bit ${bit}`);
    }
  },
});
