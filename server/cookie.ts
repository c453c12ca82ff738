/**
 * Stateless join cookies (like DTLS's HelloVerifyRequest): the server proves
 * that a joining address can receive before it keeps any state for it.
 * A cookie is 4 bytes of issue time (seconds) and 16 bytes of
 * HMAC-SHA-256(secret, time | address | nonce), truncated: it is good only
 * for the JOIN attempt whose nonce it answered, so a JOIN replayed later
 * cannot pass for a new attempt with the same cookie (see `used_nonces.ts`).
 * @module
 */

import { createHmac } from "node:crypto";
import { COOKIE_BYTES, COOKIE_LIFETIME_MS } from "../protocol/limits.ts";
import { sameToken } from "../protocol/link.ts";

/** Issues and checks join cookies under a secret that never leaves memory. */
export class CookieJar {
  #secret: Uint8Array;

  /** A jar with a fresh random secret, or the given one (tests). */
  constructor(secret: Uint8Array = crypto.getRandomValues(new Uint8Array(32))) {
    this.#secret = secret;
  }

  /** A cookie for `address` ("host:port") and the JOIN's `nonce`, issued at `now` (ms). */
  issue(address: string, nonce: Uint8Array, now: number): Uint8Array {
    const seconds = Math.floor(now / 1000) >>> 0;
    const cookie = new Uint8Array(COOKIE_BYTES);
    new DataView(cookie.buffer).setUint32(0, seconds);
    cookie.set(this.#mac(seconds, address, nonce), 4);
    return cookie;
  }

  /** True when `cookie` was issued by this jar to `address` for `nonce`, recently. */
  verify(
    cookie: Uint8Array,
    address: string,
    nonce: Uint8Array,
    now: number,
  ): boolean {
    if (cookie.byteLength !== COOKIE_BYTES) return false;
    const seconds = new DataView(cookie.buffer, cookie.byteOffset, 4).getUint32(
      0,
    );
    const age = Math.floor(now / 1000) - seconds;
    if (age < 0 || age * 1000 > COOKIE_LIFETIME_MS) return false;
    return sameToken(
      cookie.subarray(4),
      this.#mac(seconds, address, nonce),
    );
  }

  #mac(seconds: number, address: string, nonce: Uint8Array): Uint8Array {
    const mac = createHmac("sha256", this.#secret)
      .update(`${seconds}|${address}|`)
      .update(nonce)
      .digest();
    return new Uint8Array(mac.buffer, mac.byteOffset, COOKIE_BYTES - 4);
  }
}
