/**
 * An in-memory network for unit tests of the pure cores: one `ServerCore`
 * and several `ClientCore`s exchange datagrams under a fake clock advanced
 * in 5 ms steps, with loss, duplication and reordering from a seeded PRNG.
 * No sockets, no timers: addresses are only labels.
 * @module
 */

import { prng, randomFill } from "./_random.ts";
import assert from "node:assert/strict";
import { ClientCore, type ClientOptions } from "../client/core.ts";
import { type ClientNotice } from "../client/notices.ts";
import type { Address } from "../protocol/address.ts";
import type { ClientRequest, ServerEvent } from "../protocol/events.ts";
import { ServerCore, type ServerOptions } from "../server/core.ts";

/** The cookie secret every test server uses. */
export const SECRET: Uint8Array = new Uint8Array(32).fill(42);
/** How far the clock moves per step (ms). */
export const STEP_MS = 5;

/** Faults applied to each datagram in one direction. */
export interface Faults {
  /** Probability 0..1 that a datagram is lost. */
  loss?: number;
  /** Probability 0..1 that a datagram arrives twice. */
  duplicate?: number;
  /** Extra random delay up to this (ms), so datagrams overtake each other. */
  jitterMs?: number;
}

/** A datagram as it was sent: up (to the server) or down (to a member). */
export interface Wire {
  dir: "up" | "down";
  peer: Peer;
  /** The datagram type byte. */
  type: number;
  bytes: Uint8Array;
}

interface InFlight extends Wire {
  at: number;
  /** Where it came from (up) or where it goes (down). */
  address: Address;
}

/** A request as one word: the text of a SAY, else its kind. */
export function describe(request: ClientRequest): string {
  return request.kind === "say" ? request.text : request.kind;
}

/** A member: its core, its address, and every notice it reported. */
export class Peer {
  /** Every notice, in order. */
  readonly notices: ClientNotice[] = [];
  /** Every datagram it sent, dropped or not. */
  readonly sent: Uint8Array[] = [];
  /** False: its datagrams vanish (up) or never reach it (down). */
  up = true;
  down = true;

  /** A member called `label` in tests, at `address`. */
  constructor(
    readonly label: string,
    readonly core: ClientCore,
    public address: Address,
  ) {}

  /** Its notices of one type. */
  of<T extends ClientNotice["type"]>(
    type: T,
  ): Array<Extract<ClientNotice, { type: T }>> {
    return this.notices.filter((n): n is Extract<ClientNotice, { type: T }> =>
      n.type === type
    );
  }

  /** The events it received, of one kind or all. */
  events<K extends ServerEvent["kind"]>(
    kind?: K,
  ): Array<Extract<ServerEvent, { kind: K }>> {
    return this.of("event").map((n) => n.event).filter((
      e,
    ): e is Extract<ServerEvent, { kind: K }> =>
      kind === undefined || e.kind === kind
    );
  }

  /** What its "delivered" (or "undelivered") notices were about. */
  settled(type: "delivered" | "undelivered" = "delivered"): string[] {
    return this.of(type).map((n) => describe(n.request));
  }

  /** Texts it received from `from`, in order. */
  chats(from: string): string[] {
    return this.events("chat").filter((e) => e.from === from).map((e) =>
      e.text
    );
  }

  /** Who it saw leave, and why. */
  departures(): string[][] {
    return this.events("left").map((e) => [e.name, e.why]);
  }

  /** Fails unless the room event ids it saw only ever grew. */
  assertIncreasingIds(): void {
    const ids = this.events().flatMap((e) => "id" in e ? [e.id] : []);
    for (let i = 1; i < ids.length; i++) {
      assert.ok(ids[i]! > ids[i - 1]!, `${this.label} saw ids ${ids}`);
    }
  }
}

/** One server and its members on a fake network with a fake clock. */
export class Net {
  /** The fake clock (ms). */
  now = 0;
  /** The server; a test may replace it (a restart). */
  server: ServerCore;
  /** Every member added, in order. */
  readonly peers: Peer[] = [];
  /** Every datagram sent, lost or not. */
  readonly trace: Wire[] = [];
  /** Faults towards the server and towards members. */
  up: Faults = {};
  down: Faults = {};
  /** Datagrams the faults lost. */
  lost = 0;
  /** Return true to drop one datagram. */
  drop: ((wire: Wire) => boolean) | undefined;
  #rng: () => number;
  #wire: InFlight[] = [];
  #buffer = new Uint8Array(2048);

  /** A server with `options` (and the test secret); faults seeded by `seed`. */
  constructor(options: ServerOptions = {}, seed = 1) {
    this.server = new ServerCore({ cookieSecret: SECRET, ...options });
    this.#rng = prng(seed);
  }

  /** A new member at its own address, starting to join as `name`. */
  add(name: string, options?: ClientOptions, label = name): Peer {
    const i = this.peers.length;
    const address = { hostname: `10.0.0.${i + 1}`, port: 1000 + i };
    const core = new ClientCore(randomFill(0x10 + i), options);
    const peer = new Peer(label, core, address);
    this.peers.push(peer);
    peer.core.join(name, this.now);
    return peer;
  }

  /** Join `names` one after another; each is welcomed before the next. */
  join(names: string[], options?: ClientOptions): Peer[] {
    return names.map((name) => {
      const peer = this.add(name, options);
      this.until(() => peer.of("welcome").length > 0, 2000);
      return peer;
    });
  }

  /** Advance the clock to `untilMs`. */
  run(untilMs: number): void {
    while (this.now < untilMs) this.step();
  }

  /** Advance until `done()` holds; fails after `limitMs`. */
  until(done: () => boolean, limitMs: number): void {
    const limit = this.now + limitMs;
    while (!done()) {
      if (this.now >= limit) assert.fail(`Not done after ${limitMs} ms`);
      this.step();
    }
  }

  /** One step: deliver what is due, tick everyone, send what they poll. */
  step(): void {
    this.now += STEP_MS;
    const due = this.#wire.filter((d) => d.at <= this.now);
    this.#wire = this.#wire.filter((d) => d.at > this.now);
    for (const d of due) {
      if (d.dir === "up") this.server.receive(d.bytes, d.address, this.now);
      else if (sameAddress(d.peer.address, d.address)) {
        d.peer.core.receive(d.bytes, this.now);
      }
    }
    this.server.tick(this.now);
    for (const peer of this.peers) peer.core.tick(this.now);
    for (let out; (out = this.server.poll(this.#buffer, this.now));) {
      const peer = this.peers.find((p) => sameAddress(p.address, out!.to));
      if (peer) this.#send("down", peer, out.bytes, out.to);
    }
    for (const peer of this.peers) {
      for (let bytes; (bytes = peer.core.poll(this.#buffer, this.now));) {
        peer.sent.push(bytes.slice());
        this.#send("up", peer, bytes, peer.address);
      }
      peer.notices.push(...peer.core.takeNotices());
    }
  }

  #send(dir: Wire["dir"], peer: Peer, bytes: Uint8Array, to: Address): void {
    const wire = { dir, peer, type: bytes[3]!, bytes: bytes.slice() };
    this.trace.push(wire);
    const faults = dir === "up" ? this.up : this.down;
    if (!(dir === "up" ? peer.up : peer.down) || this.drop?.(wire)) return;
    if (this.#rng() < (faults.loss ?? 0)) {
      this.lost++;
      return;
    }
    const copies = this.#rng() < (faults.duplicate ?? 0) ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      const at = this.now + 1 +
        Math.floor(this.#rng() * (faults.jitterMs ?? 0));
      this.#wire.push({ ...wire, address: { ...to }, at });
    }
  }
}

function sameAddress(a: Address, b: Address): boolean {
  return a.hostname === b.hostname && a.port === b.port;
}
