import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import {
  deriveKey,
  isSealed,
  NONCE_RESERVE,
  SEAL_OVERHEAD,
  Sealer,
} from "./seal.ts";

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

/** A sealed datagram's sender id and counter (its nonce). */
function nonceOf(sealed: Uint8Array): { sender: number; counter: number } {
  const view = new DataView(sealed.buffer, sealed.byteOffset);
  return {
    sender: view.getUint32(4),
    counter: view.getUint32(8) * 2 ** 32 + view.getUint32(12),
  };
}

Deno.test({
  name:
    "Sealer with a nonce record never reuses a nonce across a restart: it records each reservation before using it and continues past it",
  permissions: "none",
  async fn() {
    const records: number[] = [];
    const record = (counter: number) => ({
      sender: 0x5e4de4,
      counter,
      reserve(sender: number, until: number) {
        strictEqual(sender, 0x5e4de4);
        records.push(until);
      },
    });
    const first = new Sealer(key, record(0));
    const used: number[] = [];
    for (let i = 0; i < 3; i++) {
      const nonce = nonceOf(await first.seal(new Uint8Array([i])));
      strictEqual(nonce.sender, 0x5e4de4);
      used.push(nonce.counter);
    }
    deepStrictEqual(used, [0, 1, 2]);
    deepStrictEqual(records, [NONCE_RESERVE]);
    // Restarted from what was recorded: past every counter used before.
    const second = new Sealer(key, record(records.at(-1)!));
    const next = nonceOf(await second.seal(new Uint8Array([9])));
    deepStrictEqual(next, { sender: 0x5e4de4, counter: NONCE_RESERVE });
    deepStrictEqual(records, [NONCE_RESERVE, 2 * NONCE_RESERVE]);
    deepStrictEqual(
      await new Sealer(key).open(await second.seal(new Uint8Array([1]))),
      new Uint8Array([1]),
    );
  },
});
