/**
 * The client's socket shell: a `UdpPump` around a `ClientCore` that only
 * listens to the server's address and hands notices to a callback.
 * @module
 */

import { Guard } from "../net/guard.ts";
import type { Origin } from "../protocol/clear.ts";
import { type PumpCore, UdpPump } from "../net/udp_pump.ts";
import type { Address } from "../protocol/address.ts";
import { NONCE_BYTES } from "../protocol/limits.ts";
import { PacketType } from "../protocol/packet.ts";
import { type ClientCore } from "./core.ts";
import { type ClientNotice } from "./notices.ts";

/** Adapts a ClientCore to the pump: filters by source, emits notices. */
class ServerOnly implements PumpCore {
  #core: ClientCore;
  #server: Address;
  #emit: (notice: ClientNotice) => void;
  #guard: Guard | undefined;

  constructor(
    core: ClientCore,
    server: Address,
    emit: (notice: ClientNotice) => void,
    guard?: Guard,
  ) {
    this.#core = core;
    this.#server = server;
    this.#emit = emit;
    this.#guard = guard;
  }

  receive(bytes: Uint8Array, from: Address, now: number, origin: Origin): void {
    // Only the server may speak to us; anything else is noise or an attack.
    if (
      from.port !== this.#server.port || from.hostname !== this.#server.hostname
    ) return;
    this.#core.receive(bytes, now, origin);
    const salt = this.#core.takeSalt();
    if (salt !== undefined) this.#guard?.useSalt(salt);
    this.emitNotices();
  }

  poll(
    into: Uint8Array,
    now: number,
  ): { bytes: Uint8Array; to: Address } | undefined {
    const bytes = this.#core.poll(into, now);
    return bytes === undefined ? undefined : { bytes, to: this.#server };
  }

  tick(now: number): void {
    this.#core.tick(now);
    this.emitNotices();
  }

  socketError(): void {}

  emitNotices(): void {
    for (const notice of this.#core.takeNotices()) this.#emit(notice);
  }
}

/** A client session on a socket it owns. */
export class UdpClient implements AsyncDisposable {
  /** The core this client drives. */
  readonly core: ClientCore;
  #pump: UdpPump;
  #adapter: ServerOnly;

  /** Drive `core` on `socket` towards `server`, emitting notices; `passphrase` seals. */
  constructor(
    socket: Deno.DatagramConn,
    core: ClientCore,
    server: Address,
    emit: (notice: ClientNotice) => void,
    passphrase?: string,
  ) {
    this.core = core;
    // A REFUSE of a sealed JOIN the server could not open echoes its end.
    const guard = passphrase === undefined
      ? undefined
      : new Guard(passphrase, "member", undefined, {
        onSealed: (inner, sealed) => {
          if (inner[3] === PacketType.join) {
            core.joinSealed(sealed.subarray(sealed.byteLength - NONCE_BYTES));
          }
        },
      });
    this.#adapter = new ServerOnly(core, server, emit, guard);
    this.#pump = new UdpPump(socket, this.#adapter, guard);
  }

  /** Run `action` on the core now, then emit and send what it produced. */
  act(action: (core: ClientCore, now: number) => void): void {
    action(this.core, Date.now());
    this.#adapter.emitNotices();
    this.#pump.wake();
  }

  /** Send what is pending (a last ack), then close. */
  async close(): Promise<void> {
    await this.#pump.flushed();
    await this.#pump.close();
  }

  /** Same as `close`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
