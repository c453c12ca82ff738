/**
 * Unit tests of the discovery codec: a probe is exactly PROBE_BYTES, an
 * answer round-trips and is never larger than a probe, and hostile bytes
 * are refused with an error, never a crash or a wrong answer.
 */

import assert from "node:assert/strict";
import {
  type Answer,
  decodeAnswer,
  decodeProbe,
  encodeAnswer,
  encodeProbe,
  MAX_ANSWER_BYTES,
  MAX_ROOM_BYTES,
  PROBE_BYTES,
} from "./discovery.ts";
import { dump } from "./_bytes.ts";

const NONCE = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);
const ID = Uint8Array.of(9, 9, 9, 9, 9, 9, 9, 9);

function answer(room = "lab"): Answer {
  return {
    nonce: NONCE,
    serverId: ID,
    version: 2,
    passphrase: true,
    hostname: "10.213.1.1",
    port: 8888,
    members: 3,
    room,
  };
}

Deno.test({
  name:
    "encodeProbe() writes the header and nonce, padded with zeros to PROBE_BYTES",
  permissions: "none",
  fn() {
    const probe = encodeProbe(NONCE);
    assert.equal(probe.byteLength, PROBE_BYTES);
    assert.equal(
      dump(probe.subarray(0, 12)),
      "55 44 01 01 01 02 03 04 05 06 07 08",
    );
    assert.ok(probe.subarray(12).every((b) => b === 0));
    assert.deepEqual(decodeProbe(probe), NONCE);
  },
});

Deno.test({
  name: "decodeProbe() refuses a short probe, another magic, version or type",
  permissions: "none",
  fn() {
    const probe = encodeProbe(NONCE);
    assert.throws(
      () => decodeProbe(probe.subarray(0, PROBE_BYTES - 1)),
      RangeError,
    );
    for (const [at, value] of [[0, 0x00], [2, 0x02], [3, 0x02]]) {
      const bad = probe.slice();
      bad[at!] = value!;
      assert.throws(() => decodeProbe(bad), Error, `byte ${at}`);
    }
    assert.throws(() => decodeProbe(new Uint8Array(0)), RangeError);
  },
});

Deno.test({
  name: "encodeAnswer() round-trips and is never larger than a probe",
  permissions: "none",
  fn() {
    const bytes = encodeAnswer(answer());
    assert.equal(
      dump(bytes),
      "55 44 01 02 01 02 03 04 05 06 07 08 09 09 09 09 09 09 09 09 02 01 0a d5 01 01 22 b8 00 00 00 03 03 6c 61 62",
    );
    assert.deepEqual(decodeAnswer(bytes), answer());
    const longest = encodeAnswer(answer("é".repeat(MAX_ROOM_BYTES / 2)));
    assert.equal(longest.byteLength, MAX_ANSWER_BYTES);
    assert.ok(MAX_ANSWER_BYTES < PROBE_BYTES);
    assert.throws(
      () => encodeAnswer(answer("x".repeat(MAX_ROOM_BYTES + 1))),
      RangeError,
    );
    assert.throws(
      () => encodeAnswer({ ...answer(), hostname: "::1" }),
      RangeError,
    );
  },
});

Deno.test({
  name:
    "decodeAnswer() refuses every truncation, trailing bytes, port 0 and bad UTF-8",
  permissions: "none",
  fn() {
    const bytes = encodeAnswer(answer());
    for (let n = 0; n < bytes.byteLength; n++) {
      assert.throws(
        () => decodeAnswer(bytes.subarray(0, n)),
        Error,
        `${n} bytes`,
      );
    }
    const trailing = new Uint8Array(bytes.byteLength + 1);
    trailing.set(bytes);
    assert.throws(() => decodeAnswer(trailing), SyntaxError);
    const port0 = bytes.slice();
    port0[26] = 0;
    port0[27] = 0;
    assert.throws(() => decodeAnswer(port0), RangeError);
    const badText = bytes.slice();
    badText[33] = 0xff;
    assert.throws(() => decodeAnswer(badText), SyntaxError);
    assert.throws(
      () => decodeAnswer(new Uint8Array(MAX_ANSWER_BYTES + 1)),
      RangeError,
    );
  },
});

Deno.test({
  name: "decodeAnswer() and decodeProbe() only throw on random bytes",
  permissions: "none",
  fn() {
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
    for (let i = 0; i < 2000; i++) {
      const bytes = Uint8Array.from({ length: next() % 120 }, next);
      if (i % 2 === 0) {
        bytes.set([0x55, 0x44, 0x01, 0x02].slice(0, bytes.length));
      }
      for (const decode of [decodeAnswer, decodeProbe]) {
        try {
          decode(bytes);
        } catch (error) {
          assert.ok(
            error instanceof RangeError || error instanceof SyntaxError,
            String(error),
          );
        }
      }
    }
  },
});
