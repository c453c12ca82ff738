/**
 * The passphrase layer between a socket and a pure core: opens sealed
 * datagrams before the core sees them (saying whether they were sealed,
 * or forged) and seals what the core sends, except the handshake steps that
 * must travel in the clear. Web Crypto is asynchronous, so this lives in
 * the shell, not in the cores.
 * @module
 */

import { inTheClear, type Origin, type Side } from "../protocol/clear.ts";
import {
  deriveKey,
  isSealed,
  type NonceRecord,
  Sealer,
} from "../protocol/seal.ts";

/** Seals and opens for one side of a room with a passphrase. */
export class Guard {
  #passphrase: string;
  #side: Side;
  #salt: string | undefined;
  #sealer: Promise<Sealer> | undefined;
  #onSealed: ((inner: Uint8Array, sealed: Uint8Array) => void) | undefined;
  #nonces: NonceRecord | undefined;

  /**
   * A guard for the `side` that sends through it; `salt`, when known (the
   * server), starts deriving the key now. `onSealed` hears of each datagram
   * sealed, before it is sent. With `nonces` (a server with a journal) its
   * nonces continue after the ones used before a restart.
   */
  constructor(
    passphrase: string,
    side: Side,
    salt?: Uint8Array,
    options: {
      onSealed?: (inner: Uint8Array, sealed: Uint8Array) => void;
      nonces?: NonceRecord;
    } = {},
  ) {
    this.#passphrase = passphrase;
    this.#side = side;
    this.#onSealed = options.onSealed;
    this.#nonces = options.nonces;
    if (salt !== undefined) this.useSalt(salt);
  }

  /** Derive the key for `salt` (the client learns it from the COOKIE). */
  useSalt(salt: Uint8Array): void {
    const id = salt.join(",");
    if (id === this.#salt) return;
    this.#salt = id;
    this.#sealer = deriveKey(this.#passphrase, salt).then((key) =>
      new Sealer(key, this.#nonces)
    );
  }

  /** The key is derived (the server waits for it before it listens). */
  async ready(): Promise<void> {
    await this.#sealer;
  }

  /** Unwrap an incoming datagram (its own copy). */
  async open(
    bytes: Uint8Array,
  ): Promise<{ bytes: Uint8Array; origin: Origin }> {
    if (!isSealed(bytes)) return { bytes, origin: "plain" };
    const inner = await (await this.#sealer)?.open(bytes);
    return inner === undefined
      ? { bytes, origin: "forged" }
      : { bytes: inner, origin: "sealed" };
  }

  /** Wrap an outgoing datagram (its own copy), or leave it in the clear. */
  async seal(bytes: Uint8Array): Promise<Uint8Array> {
    if (inTheClear(bytes, this.#side) || this.#sealer === undefined) {
      return bytes;
    }
    const sealed = await (await this.#sealer).seal(bytes);
    this.#onSealed?.(bytes, sealed);
    return sealed;
  }
}
