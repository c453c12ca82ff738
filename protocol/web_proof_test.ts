import assert from "node:assert/strict";
import { deriveKey, SALT_BYTES } from "./seal.ts";
import { verifyProof } from "./web_proof.ts";
// The page's own copy of the rule: it must agree with the server's.
import {
  deriveRoomKey,
  fromBase64,
  proveKey,
  toBase64,
} from "../web/room_key.js";

const opts = { permissions: "none" } as const;
const salt = new Uint8Array(SALT_BYTES).fill(7);
const challenge = new Uint8Array(16).fill(42);

Deno.test(
  "verifyProof() accepts the page's proof made with the same passphrase",
  opts,
  async () => {
    const server = await deriveKey("correct horse", salt);
    const page = await deriveRoomKey("correct horse", salt);
    assert.ok(
      await verifyProof(server, challenge, await proveKey(page, challenge)),
    );
  },
);

Deno.test(
  "verifyProof() refuses another passphrase, challenge, or a mangled proof",
  opts,
  async () => {
    const server = await deriveKey("correct horse", salt);
    const wrong = await deriveRoomKey("battery staple", salt);
    assert.equal(
      await verifyProof(server, challenge, await proveKey(wrong, challenge)),
      false,
    );
    const page = await deriveRoomKey("correct horse", salt);
    const other = new Uint8Array(16).fill(1);
    const proof = await proveKey(page, other);
    assert.equal(await verifyProof(server, challenge, proof), false);
    const bytes = fromBase64(proof);
    bytes[20]! ^= 1;
    assert.equal(await verifyProof(server, other, toBase64(bytes)), false);
    assert.equal(await verifyProof(server, other, "!!"), false);
    assert.equal(await verifyProof(server, other, ""), false);
  },
);
