/**
 * The server's socket shell: a `UdpPump` around a `ServerCore`, plus the
 * graceful shutdown. It takes an already bound socket, so tests bind port 0
 * and drive the real thing.
 * @module
 */

import { TICK_MS, UdpPump } from "../net/udp_pump.ts";
import type { ServerCore } from "./core.ts";
import type { Guard } from "../net/guard.ts";
import type { Journal } from "./journal.ts";

/** Runs a core on a socket until `shutdown` or `close`. */
export class UdpServer implements AsyncDisposable {
  /** The core this server drives. */
  readonly core: ServerCore;
  #pump: UdpPump;
  #journal: Journal | undefined;

  /** Start serving `core` on `socket` (which this server now owns). */
  constructor(
    socket: Deno.DatagramConn,
    core: ServerCore,
    journal?: Journal,
    guard?: Guard,
  ) {
    this.core = core;
    this.#pump = new UdpPump(socket, core, guard);
    this.#journal = journal;
  }

  /** The bound address. */
  get address(): Deno.NetAddr {
    return this.#pump.address;
  }

  /** Run `action` on the core now, then send what it produced. */
  act<T>(action: (core: ServerCore, now: number) => T): T {
    const result = action(this.core, Date.now());
    this.#pump.wake();
    return result;
  }

  /**
   * Say goodbye to every member (or, with `restart`, that the server is
   * restarting), wait for their acks and for `store` to settle (at most
   * `graceMs`), close.
   */
  async shutdown(
    reason: string,
    graceMs = 2000,
    restart = false,
    store?: { readonly settled: boolean },
  ): Promise<void> {
    this.core.shutdown(reason, Date.now(), restart);
    this.#pump.wake();
    const deadline = Date.now() + graceMs;
    // A shared room's store must also have what the goodbyes caused (the leaves).
    while (
      !(this.core.drained && (store?.settled ?? true)) && Date.now() < deadline
    ) {
      await new Promise((resolve) => setTimeout(resolve, TICK_MS));
    }
    await this.close();
  }

  /** Stop at once: close the socket and wait for the pump to end. */
  async close(): Promise<void> {
    await this.#pump.close();
    this.#journal?.close();
    this.#journal = undefined;
  }

  /** Same as `close`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
