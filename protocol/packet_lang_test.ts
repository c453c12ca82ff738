/**
 * The optional language tag of a JOIN: written after the name, read back,
 * absent in an older member's padding, and never a reason to drop a JOIN.
 */

import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { crc32 } from "./crc32.ts";
import { COOKIE_BYTES, NONCE_BYTES } from "./limits.ts";
import type { JoinPacket } from "./packet.ts";
import { decodePacket } from "./packet_decode.ts";
import { encodePacket } from "./packet_encode.ts";

const JOIN: JoinPacket = {
  type: "join",
  cookie: new Uint8Array(COOKIE_BYTES),
  nonce: new Uint8Array(NONCE_BYTES).fill(7),
  name: "小明",
};
/** Where the tag's length byte sits: after the name's length and 6 bytes. */
const TAG_AT = 57 + 1 + 6;

/** `bytes` with `tag` written at the tag's place and the checksum made right. */
function withTag(bytes: Uint8Array, tag: number[]): Uint8Array {
  const out = bytes.slice();
  out.set(tag, TAG_AT);
  const end = out.byteLength - 4;
  new DataView(out.buffer).setUint32(end, crc32(out.subarray(0, end)));
  return out;
}

Deno.test({
  name: "encodePacket() JOIN carries a language tag after the name",
  permissions: "none",
  fn() {
    const bytes = encodePacket({ ...JOIN, lang: "zh" });
    strictEqual(bytes.byteLength, 1200);
    deepStrictEqual([...bytes.subarray(TAG_AT, TAG_AT + 4)], [
      2,
      0x7a,
      0x68,
      0,
    ]);
    deepStrictEqual(decodePacket(bytes), { ...JOIN, lang: "zh" });
  },
});

Deno.test({
  name:
    "encodePacket() JOIN without a tag writes the bytes an older member wrote (zero padding)",
  permissions: "none",
  fn() {
    const bytes = encodePacket(JOIN);
    strictEqual(bytes[TAG_AT], 0);
    deepStrictEqual(decodePacket(bytes), JOIN);
  },
});

Deno.test({
  name:
    "decodePacket() JOIN with a malformed tag (too long, bytes outside a tag) reads it as no tag",
  permissions: "none",
  fn() {
    const plain = encodePacket(JOIN);
    for (
      const tag of [
        [17, ...new Array(17).fill(0x61)],
        [2, 0xe5, 0xb0],
        [3, 0x7a, 0x00, 0x68],
        [2, 0x7a, 0x20],
        [255],
      ]
    ) {
      deepStrictEqual(decodePacket(withTag(plain, tag)), JOIN, `${tag}`);
    }
    deepStrictEqual(
      decodePacket(withTag(plain, [5, ...new TextEncoder().encode("zh-CN")])),
      {
        ...JOIN,
        lang: "zh-CN",
      },
    );
  },
});
