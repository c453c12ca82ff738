import {
  deepStrictEqual,
  notDeepStrictEqual,
  strictEqual,
} from "node:assert/strict";
import { CookieJar } from "./cookie.ts";
import { COOKIE_BYTES, COOKIE_LIFETIME_MS } from "../protocol/limits.ts";

/** Secret bytes 0x00..0x1f, so every cookie below is known in advance. */
const SECRET = Uint8Array.from({ length: 32 }, (_, i) => i);
/** 2023-11-14T22:13:20Z, on a whole second: 0x6553f100. */
const NOW = 1_700_000_000_000;
const ADDRESS = "127.0.0.1:9000";
/** The JOIN nonce every cookie below answers. */
const NONCE = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);

function dump(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join(" ");
}

Deno.test({
  name:
    "CookieJar.issue() writes the issue second and a truncated HMAC-SHA-256",
  permissions: "none",
  fn() {
    const cookie = new CookieJar(SECRET).issue(ADDRESS, NONCE, NOW);
    strictEqual(cookie.byteLength, COOKIE_BYTES);
    // HMAC-SHA-256(0x00..0x1f, "1700000000|127.0.0.1:9000|" then the
    // nonce 01..08), first 16 bytes.
    strictEqual(
      dump(cookie),
      "65 53 f1 00 cc 87 42 9b bb 6e bd c0 58 3c 25 c1 71 77 89 9c",
    );
  },
});

Deno.test({
  name: "CookieJar.issue() is the same within one second and for one secret",
  permissions: "none",
  fn() {
    const jar = new CookieJar(SECRET);
    const cookie = jar.issue(ADDRESS, NONCE, NOW);
    deepStrictEqual(jar.issue(ADDRESS, NONCE, NOW + 999), cookie);
    deepStrictEqual(
      new CookieJar(SECRET.slice()).issue(ADDRESS, NONCE, NOW),
      cookie,
    );
    notDeepStrictEqual(jar.issue(ADDRESS, NONCE, NOW + 1000), cookie);
    notDeepStrictEqual(jar.issue("127.0.0.1:9001", NONCE, NOW), cookie);
  },
});

Deno.test({
  name:
    "CookieJar.verify() accepts a cookie from the same address within COOKIE_LIFETIME_MS",
  permissions: "none",
  fn() {
    const jar = new CookieJar(SECRET);
    const cookie = jar.issue(ADDRESS, NONCE, NOW);
    for (
      const later of [
        0,
        1,
        999,
        1000,
        COOKIE_LIFETIME_MS / 2,
        COOKIE_LIFETIME_MS,
      ]
    ) {
      strictEqual(
        jar.verify(cookie, ADDRESS, NONCE, NOW + later),
        true,
        `after ${later} ms`,
      );
    }
  },
});

Deno.test({
  name: "CookieJar.verify() rejects a cookie from another address or port",
  permissions: "none",
  fn() {
    const jar = new CookieJar(SECRET);
    const cookie = jar.issue(ADDRESS, NONCE, NOW);
    for (
      const other of [
        "127.0.0.1:9001",
        "127.0.0.2:9000",
        "127.0.0.1:900",
        "[::1]:9000",
        "127.0.0.1",
        "",
      ]
    ) {
      strictEqual(jar.verify(cookie, other, NONCE, NOW), false, other);
    }
  },
});

Deno.test({
  name: "CookieJar.verify() rejects a cookie older than COOKIE_LIFETIME_MS",
  permissions: "none",
  fn() {
    const jar = new CookieJar(SECRET);
    const cookie = jar.issue(ADDRESS, NONCE, NOW);
    for (
      const later of [
        COOKIE_LIFETIME_MS + 1000,
        COOKIE_LIFETIME_MS + 5000,
        86_400_000,
      ]
    ) {
      strictEqual(
        jar.verify(cookie, ADDRESS, NONCE, NOW + later),
        false,
        `after ${later} ms`,
      );
    }
  },
});

Deno.test({
  name: "CookieJar.verify() rejects a cookie from the future",
  permissions: "none",
  fn() {
    const jar = new CookieJar(SECRET);
    strictEqual(
      jar.verify(jar.issue(ADDRESS, NONCE, NOW), ADDRESS, NONCE, NOW - 1),
      false,
    );
    strictEqual(
      jar.verify(jar.issue(ADDRESS, NONCE, NOW + 1000), ADDRESS, NONCE, NOW),
      false,
    );
    strictEqual(
      jar.verify(jar.issue(ADDRESS, NONCE, NOW + 60_000), ADDRESS, NONCE, NOW),
      false,
    );
  },
});

Deno.test({
  name: "CookieJar.verify() rejects a cookie with any bit flipped",
  permissions: "none",
  fn() {
    const jar = new CookieJar(SECRET);
    const cookie = jar.issue(ADDRESS, NONCE, NOW);
    for (let i = 0; i < COOKIE_BYTES; i++) {
      for (let bit = 0; bit < 8; bit++) {
        const forged = cookie.slice();
        forged[i]! ^= 1 << bit;
        strictEqual(
          jar.verify(forged, ADDRESS, NONCE, NOW + 1000),
          false,
          `byte ${i} bit ${bit}`,
        );
      }
    }
    strictEqual(jar.verify(cookie, ADDRESS, NONCE, NOW + 1000), true);
  },
});

Deno.test({
  name: "CookieJar.verify() rejects a cookie issued under another jar's secret",
  permissions: "none",
  fn() {
    const cookie = new CookieJar(SECRET).issue(ADDRESS, NONCE, NOW);
    const other = SECRET.slice();
    other[31] = 0xff;
    strictEqual(
      new CookieJar(other).verify(cookie, ADDRESS, NONCE, NOW),
      false,
    );
    strictEqual(new CookieJar().verify(cookie, ADDRESS, NONCE, NOW), false);
    strictEqual(
      new CookieJar(SECRET.slice()).verify(cookie, ADDRESS, NONCE, NOW),
      true,
    );
  },
});

Deno.test({
  name: "CookieJar.verify() rejects a cookie of the wrong length or all zero",
  permissions: "none",
  fn() {
    const jar = new CookieJar(SECRET);
    const cookie = jar.issue(ADDRESS, NONCE, NOW);
    strictEqual(
      jar.verify(cookie.subarray(0, COOKIE_BYTES - 1), ADDRESS, NONCE, NOW),
      false,
    );
    const longer = new Uint8Array(COOKIE_BYTES + 1);
    longer.set(cookie);
    strictEqual(jar.verify(longer, ADDRESS, NONCE, NOW), false);
    strictEqual(jar.verify(new Uint8Array(0), ADDRESS, NONCE, NOW), false);
    strictEqual(
      jar.verify(new Uint8Array(COOKIE_BYTES), ADDRESS, NONCE, NOW),
      false,
    );
  },
});

Deno.test({
  name: "CookieJar.verify() reads a cookie that is a view at an odd offset",
  permissions: "none",
  fn() {
    // Decoded JOIN datagrams hand the cookie over as a view at offset 4.
    const jar = new CookieJar(SECRET);
    const backing = new Uint8Array(64).fill(0xee);
    backing.set(jar.issue(ADDRESS, NONCE, NOW), 5);
    const view = backing.subarray(5, 5 + COOKIE_BYTES);
    strictEqual(jar.verify(view, ADDRESS, NONCE, NOW + 2000), true);
    strictEqual(jar.verify(view, "127.0.0.1:9001", NONCE, NOW + 2000), false);
  },
});

Deno.test({
  name:
    "CookieJar.verify() rejects a cookie offered with another nonce than it was issued for",
  permissions: "none",
  fn() {
    const jar = new CookieJar(SECRET);
    const cookie = jar.issue(ADDRESS, NONCE, NOW);
    for (let i = 0; i < NONCE.byteLength; i++) {
      const other = NONCE.slice();
      other[i]! ^= 0x80;
      strictEqual(jar.verify(cookie, ADDRESS, other, NOW), false, `byte ${i}`);
    }
    strictEqual(jar.verify(cookie, ADDRESS, new Uint8Array(8), NOW), false);
    notDeepStrictEqual(jar.issue(ADDRESS, new Uint8Array(8), NOW), cookie);
    strictEqual(jar.verify(cookie, ADDRESS, NONCE.slice(), NOW), true);
  },
});
