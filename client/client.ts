/**
 * The client's socket shell: a `UdpPump` around a `ClientCore` that only
 * listens to the core's current server (one of its list) and hands notices
 * to a callback.
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
export class ServerOnly implements PumpCore {
  /** Datagrams dropped for not coming from the current server. */
  dropped = 0;
  #core: ClientCore;
  #emit: (notice: ClientNotice) => void;
  #guard: Guard | undefined;

  /** Feed `core` what its current server sends; `guard` learns a COOKIE's salt. */
  constructor(
    core: ClientCore,
    emit: (notice: ClientNotice) => void,
    guard?: Guard,
  ) {
    this.#core = core;
    this.#emit = emit;
    this.#guard = guard;
  }

  /** Take in a datagram when it comes from the current server. */
  receive(bytes: Uint8Array, from: Address, now: number, origin: Origin): void {
    // Only the current server may speak to us: anything else is noise, an
    // attack, or a server the member has left (its late datagrams).
    const server = this.#core.server;
    if (
      server === undefined || from.port !== server.port ||
      from.hostname !== server.hostname
    ) {
      this.dropped++;
      return;
    }
    this.#core.receive(bytes, now, origin);
    const salt = this.#core.takeSalt();
    if (salt !== undefined) this.#guard?.useSalt(salt);
    this.emitNotices();
  }

  /** The core's next datagram, to its current server. */
  poll(
    into: Uint8Array,
    now: number,
  ): { bytes: Uint8Array; to: Address } | undefined {
    const bytes = this.#core.poll(into, now);
    // Read after polling: the core may have moved on to the next server.
    const to = this.#core.server;
    return bytes === undefined || to === undefined ? undefined : { bytes, to };
  }

  /** Advance the core's clock. */
  tick(now: number): void {
    this.#core.tick(now);
    this.emitNotices();
  }

  /** Nothing to do: a server that cannot be reached is a silent one. */
  socketError(): void {}

  /** Pass on the core's notices. */
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

  /** Drive `core` on `socket` towards its servers, emitting notices; `passphrase` seals. */
  constructor(
    socket: Deno.DatagramConn,
    core: ClientCore,
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
    this.#adapter = new ServerOnly(core, emit, guard);
    this.#pump = new UdpPump(socket, this.#adapter, guard);
  }

  /** Datagrams dropped for not coming from the current server. */
  get dropped(): number {
    return this.#adapter.dropped;
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
