/**
 * The socket shell both sides share: a receive loop, a few send loops
 * (each awaits its own send, so at most SENDERS datagrams are in flight:
 * un-awaited sends collapse under load, see DENO_UDP_FACTS), and a clock
 * tick, around a pure core.
 * @module
 */

import { setImmediate } from "node:timers";
import type { Address } from "../protocol/address.ts";
import type { Origin } from "../protocol/clear.ts";
import type { Guard } from "./guard.ts";
import {
  MAX_DATAGRAM_BYTES,
  RECEIVE_BUFFER_BYTES,
} from "../protocol/limits.ts";

/** What a pump drives: a pure core fed datagrams and time. */
export interface PumpCore {
  /**
   * A datagram arrived; `bytes` is a view valid only during the call.
   * `origin` says whether a passphrase guard opened it ("plain" without one).
   */
  receive(bytes: Uint8Array, from: Address, now: number, origin: Origin): void;
  /** The next datagram to send, built into `into`, or undefined. */
  poll(
    into: Uint8Array,
    now: number,
  ): { bytes: Uint8Array; to: Address } | undefined;
  /** Time passed. */
  tick(now: number): void;
  /** Something went wrong with the socket; counted, never fatal. */
  socketError(what: "receive" | "send", error: Error): void;
}

/** How often the core's tick runs (ms). */
export const TICK_MS = 10;

/**
 * Send loops. Measured with `deno task bench`: one loop gave the most
 * deliveries a second (more loops contend for the same socket and reorder a
 * member's datagrams); the code takes any number.
 *
 * Each loop awaits its send before the next. Tried and rejected (2026-12-02,
 * classic phase and native M=100/1000, 3 interleaved rounds, medians, on a
 * machine other sessions kept at load 4-6, so ±30% between rounds): a
 * window of 8 sends in flight per loop, each slot with its own buffer (no
 * copy) and a send waiting for an unfinished one to the same address (order
 * per member). Deno polls a send eagerly (992 of 1,000 settled within three
 * microtasks), so datagrams already leave in call order and a window only
 * saves the await: ~0.7 µs of ~6.5 µs a bare send (154k→173k sends/s at
 * 16). In the server, medians base vs window 8: native M=100 200k vs 233k,
 * M=1,000 195k vs 195k, classic M=100 81k vs 63k deliveries/s, all inside
 * the rounds' spread (M=100: 156k-261k for the same code); light p99 no
 * better. Worse, with the window the classic phase fell into overload
 * (loss 17-58%, p99 seconds) in 4 of 5 rounds, without it in 1 of 5: a
 * backlog past ~16k datagrams in the core's classic queue makes each
 * Array shift O(n) (0.3 µs at 10k, 5.9 µs at 65k) and it never drains.
 */
export const SENDERS = 1;

/**
 * Sends between two yields of a send loop to the event loop. Deno polls the
 * socket for arrivals only every few dozen turns of its loop, so this sets
 * how long arrivals wait in the kernel's fixed receive buffer while a
 * fan-out runs: at 16, members' acks overflowed it at M = 1,000 (bench).
 * The yield is the largest cost the pump adds (a pump-only loop to 100
 * addresses: ~2.5 µs CPU a send at 4 against 16), but 16 again failed the
 * full bench (2026-12-02, 3 rounds): native M=1,000 178k vs 195k
 * deliveries/s with sat p99 1.1 s vs 0.54 s, classic M=100 73k vs 81k.
 */
const YIELD_EVERY = 4;

/** Pumps datagrams between a socket it owns and a core. */
export class UdpPump implements AsyncDisposable {
  #socket: Deno.DatagramConn;
  #core: PumpCore;
  #guard: Guard | undefined;
  #closed = false;
  /** Send loops waiting for work. */
  #sleepers: Array<() => void> = [];
  /** Send loops in the middle of a send. */
  #sending = 0;
  #idle: Array<() => void> = [];
  #timer: ReturnType<typeof setInterval>;
  #loops: Promise<void>[];

  /** Start pumping; the pump owns `socket`. A `guard` seals and opens (passphrase rooms). */
  constructor(socket: Deno.DatagramConn, core: PumpCore, guard?: Guard) {
    this.#socket = socket;
    this.#core = core;
    this.#guard = guard;
    this.#timer = setInterval(() => {
      this.#core.tick(Date.now());
      this.wake();
    }, TICK_MS);
    this.#loops = [
      this.#receiveLoop(),
      ...Array.from({ length: SENDERS }, () => this.#sendLoop()),
    ];
  }

  /** The bound address. */
  get address(): Deno.NetAddr {
    return this.#socket.addr as Deno.NetAddr;
  }

  /** Let a send loop look for work (after feeding the core from outside). */
  wake(): void {
    this.#sleepers.shift()?.();
  }

  /** Resolves once the core has nothing more to send right now. */
  flushed(): Promise<void> {
    return new Promise((resolve) => {
      this.#idle.push(resolve);
      this.wake();
    });
  }

  /** Close the socket and wait for both loops to end. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    this.#socket.close();
    for (const wake of this.#sleepers.splice(0)) wake();
    await Promise.all(this.#loops);
    for (const resolve of this.#idle.splice(0)) resolve();
  }

  /** Same as `close`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #receiveLoop(): Promise<void> {
    const buffer = new Uint8Array(RECEIVE_BUFFER_BYTES);
    while (!this.#closed) {
      let received: [Uint8Array, Deno.Addr];
      try {
        received = await this.#socket.receive(buffer);
      } catch (error) {
        if (this.#closed) return;
        this.#core.socketError("receive", error as Error);
        continue;
      }
      const [view, from] = received as [Uint8Array, Deno.NetAddr];
      if (this.#guard === undefined) {
        this.#core.receive(view, from, Date.now(), "plain");
      } else {
        // Copied: the next receive reuses the buffer while this one decrypts.
        const { bytes, origin } = await this.#guard.open(view.slice());
        if (this.#closed) return;
        this.#core.receive(bytes, from, Date.now(), origin);
      }
      this.wake();
    }
  }

  async #sendLoop(): Promise<void> {
    const buffer = new Uint8Array(MAX_DATAGRAM_BYTES);
    let sent = 0;
    while (!this.#closed) {
      // Back-to-back awaited sends can starve the receive loop until the
      // kernel's buffer overflows: let the event loop take in I/O now and then.
      if (++sent % YIELD_EVERY === 0) {
        // Not setTimeout: Deno clamps it to a millisecond, which showed in p99.
        await new Promise((resolve) => setImmediate(resolve));
        if (this.#closed) return; // Closed meanwhile: sleeping now would be forever.
      }
      const out = this.#core.poll(buffer, Date.now());
      if (out === undefined) {
        if (this.#sending === 0) {
          for (const resolve of this.#idle.splice(0)) resolve();
        }
        await new Promise<void>((resolve) => this.#sleepers.push(resolve));
        continue;
      }
      // There may be more: a second loop looks while this one sends.
      this.wake();
      this.#sending++;
      try {
        const bytes = this.#guard
          ? await this.#guard.seal(out.bytes.slice())
          : out.bytes;
        await this.#socket.send(bytes, {
          transport: "udp",
          hostname: out.to.hostname,
          port: out.to.port,
        });
      } catch (error) {
        if (this.#closed) return;
        this.#core.socketError("send", error as Error);
      } finally {
        this.#sending--;
      }
    }
  }
}
