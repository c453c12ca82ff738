/**
 * Rooms with a passphrase: every datagram but the first handshake step is
 * encrypted and authenticated with AES-256-GCM (Web Crypto), under a key
 * derived from the passphrase by PBKDF2-SHA-256 with the room's random salt.
 *
 * A SEALED datagram is the native header with type 0x07, the 12-byte nonce
 * (a 4-byte sender id, random per sender, then a 64-bit counter that only
 * grows), and the ciphertext of a whole native datagram with its 16-byte
 * tag; the header and nonce are authenticated too. A nonce never repeats
 * under a key, and a receiver rejects a counter it has seen (or one too old
 * for its window) from the same sender: replays are dropped.
 * @module
 */

import { MAGIC, PROTOCOL_VERSION } from "./limits.ts";

/** The datagram type of a sealed datagram. */
export const SEALED_TYPE = 0x07;
/** Bytes a seal adds: header, nonce, tag. */
export const SEAL_OVERHEAD = 4 + 12 + 16;
/** Bytes of the room salt. */
export const SALT_BYTES = 16;
/** PBKDF2 iterations: slow enough to hurt guessing, fast enough to join. */
export const KDF_ITERATIONS = 200_000;
/** Counters older than this many behind the newest are refused. */
const REPLAY_WINDOW = 1024;
/** Senders whose counters are remembered; the oldest is forgotten past it. */
const MAX_SENDERS = 4096;
/**
 * Counters a sender with a record (`NonceRecord`) reserves at a time: it
 * records the reservation before using the first of them, so a restart
 * continues past every counter it may have used (one record per 65,536
 * datagrams sealed).
 */
export const NONCE_RESERVE = 65_536;

/**
 * A sender's nonces kept across restarts (the server's, with `--state`):
 * where to continue, and how to record a reservation.
 */
export interface NonceRecord {
  /** The sender id used before. */
  sender: number;
  /** Every counter below this may have been used. */
  counter: number;
  /**
   * Record, durably and before returning, that counters below `until` may
   * be used under `sender`.
   */
  reserve(sender: number, until: number): void;
}

/** The room key for `passphrase` and `salt`. */
export async function deriveKey(
  passphrase: string,
  salt: Uint8Array,
): Promise<CryptoKey> {
  const material = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(passphrase),
    "PBKDF2",
    false,
    ["deriveKey"],
  );
  return await crypto.subtle.deriveKey(
    {
      name: "PBKDF2",
      hash: "SHA-256",
      salt: salt.slice(),
      iterations: KDF_ITERATIONS,
    },
    material,
    { name: "AES-GCM", length: 256 },
    false,
    ["encrypt", "decrypt"],
  );
}

/** True when `bytes` is a sealed datagram. */
export function isSealed(bytes: Uint8Array): boolean {
  return bytes.byteLength >= SEAL_OVERHEAD &&
    ((bytes[0]! << 8) | bytes[1]!) === MAGIC &&
    bytes[2] === PROTOCOL_VERSION && bytes[3] === SEALED_TYPE;
}

/** Seals and opens datagrams under one room key. */
export class Sealer {
  #key: CryptoKey;
  #sender: number;
  #counter: number;
  #record: NonceRecord | undefined;
  #reserved: number;
  /** Per sender: the highest counter seen and which of the last REPLAY_WINDOW were. */
  #seen = new Map<number, { top: number; bits: Set<number> }>();

  /**
   * A sealer with the room key; with `record`, its nonces continue after
   * the ones it recorded before (a restarted server never reuses one).
   */
  constructor(key: CryptoKey, record?: NonceRecord) {
    this.#key = key;
    this.#record = record;
    this.#sender = record?.sender ??
      crypto.getRandomValues(new Uint32Array(1))[0]!;
    this.#counter = record?.counter ?? 0;
    this.#reserved = this.#counter;
  }

  /** Encrypt and authenticate a whole native datagram. */
  async seal(inner: Uint8Array): Promise<Uint8Array> {
    const head = new Uint8Array(16);
    const view = new DataView(head.buffer);
    view.setUint16(0, MAGIC);
    view.setUint8(2, PROTOCOL_VERSION);
    view.setUint8(3, SEALED_TYPE);
    view.setUint32(4, this.#sender);
    const counter = this.#counter++;
    if (this.#record !== undefined && counter >= this.#reserved) {
      this.#reserved = counter + NONCE_RESERVE;
      this.#record.reserve(this.#sender, this.#reserved);
    }
    view.setUint32(8, Math.floor(counter / 2 ** 32));
    view.setUint32(12, counter >>> 0);
    const sealed = await crypto.subtle.encrypt(
      {
        name: "AES-GCM",
        iv: head.subarray(4),
        additionalData: head.subarray(0, 4),
      },
      this.#key,
      inner.slice(),
    );
    const out = new Uint8Array(16 + sealed.byteLength);
    out.set(head);
    out.set(new Uint8Array(sealed), 16);
    return out;
  }

  /** The inner datagram, or undefined when forged, corrupt, or a replay. */
  async open(bytes: Uint8Array): Promise<Uint8Array | undefined> {
    if (!isSealed(bytes)) return undefined;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const sender = view.getUint32(4);
    const counter = view.getUint32(8) * 2 ** 32 + view.getUint32(12);
    if (this.#replayed(sender, counter)) return undefined;
    let inner: ArrayBuffer;
    try {
      inner = await crypto.subtle.decrypt(
        {
          name: "AES-GCM",
          iv: bytes.slice(4, 16),
          additionalData: bytes.slice(0, 4),
        },
        this.#key,
        bytes.slice(16),
      );
    } catch {
      return undefined;
    }
    // Only an authentic datagram may move the window (forgeries cannot evict).
    if (!this.#accept(sender, counter)) return undefined;
    return new Uint8Array(inner);
  }

  #replayed(sender: number, counter: number): boolean {
    const seen = this.#seen.get(sender);
    return seen !== undefined &&
      (counter + REPLAY_WINDOW <= seen.top || seen.bits.has(counter));
  }

  #accept(sender: number, counter: number): boolean {
    let seen = this.#seen.get(sender);
    if (seen === undefined) {
      if (this.#seen.size >= MAX_SENDERS) {
        this.#seen.delete(this.#seen.keys().next().value!);
      }
      seen = { top: counter, bits: new Set() };
      this.#seen.set(sender, seen);
    }
    // Decryption awaited: another datagram may have taken this counter meanwhile.
    if (counter + REPLAY_WINDOW <= seen.top || seen.bits.has(counter)) {
      return false;
    }
    seen.bits.add(counter);
    if (counter > seen.top) {
      seen.top = counter;
      for (const old of seen.bits) {
        if (old + REPLAY_WINDOW <= counter) seen.bits.delete(old);
      }
    }
    return true;
  }
}
