import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { deriveKey, isSealed, SEAL_OVERHEAD, Sealer } from "./seal.ts";

const SALT = new Uint8Array(16).fill(7);
const key = await deriveKey("correct horse battery staple", SALT);

Deno.test({
  name: "Sealer.seal() and open() round-trip and add SEAL_OVERHEAD bytes",
  permissions: "none",
  async fn() {
    const a = new Sealer(key);
    const b = new Sealer(key);
    const inner = new TextEncoder().encode("hello, room");
    const sealed = await a.seal(inner);
    strictEqual(sealed.byteLength, inner.byteLength + SEAL_OVERHEAD);
    ok(isSealed(sealed));
    deepStrictEqual(await b.open(sealed), inner);
  },
});

Deno.test({
  name: "Sealer never reuses a nonce",
  permissions: "none",
  async fn() {
    const a = new Sealer(key);
    const nonces = new Set<string>();
    for (let i = 0; i < 500; i++) {
      const sealed = await a.seal(new Uint8Array([i & 0xff]));
      nonces.add(Array.from(sealed.subarray(4, 16)).join(","));
    }
    strictEqual(nonces.size, 500);
  },
});

Deno.test({
  name:
    "Sealer.open() rejects a replay, a flipped bit, and another passphrase's key",
  permissions: "none",
  async fn() {
    const a = new Sealer(key);
    const b = new Sealer(key);
    const sealed = await a.seal(new Uint8Array([1, 2, 3]));
    ok(await b.open(sealed));
    strictEqual(await b.open(sealed), undefined, "replay");
    const later = await a.seal(new Uint8Array([4]));
    for (let bit = 0; bit < later.byteLength * 8; bit += 7) {
      const flipped = later.slice();
      flipped[bit >> 3]! ^= 1 << (bit & 7);
      strictEqual(await b.open(flipped), undefined, `bit ${bit}`);
    }
    ok(
      await b.open(later),
      "the untouched datagram still opens after the forgeries",
    );
    const other = new Sealer(await deriveKey("wrong", SALT));
    strictEqual(await other.open(await a.seal(new Uint8Array([5]))), undefined);
  },
});

Deno.test({
  name:
    "Sealer.open() accepts reordering within the window and refuses what is too old",
  permissions: "none",
  async fn() {
    const a = new Sealer(key);
    const b = new Sealer(key);
    const sealed = [];
    for (let i = 0; i < 1100; i++) {
      sealed.push(await a.seal(new Uint8Array([i & 0xff])));
    }
    ok(await b.open(sealed[1050]!));
    ok(await b.open(sealed[1000]!), "50 behind: within the window");
    strictEqual(await b.open(sealed[10]!), undefined, "1040 behind: too old");
  },
});
