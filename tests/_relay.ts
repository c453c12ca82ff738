/**
 * A fault-injection UDP relay for end-to-end tests. Members send to the
 * relay; each member address gets its own upstream socket towards the server,
 * so the server sees one address per member. Loss, duplication, reordering,
 * delay, jitter and corruption are applied per direction from a seeded PRNG,
 * so a run is reproducible.
 * @module
 */

/** Faults applied to every datagram travelling in one direction. */
export interface Impairment {
  /** Probability 0..1 that a datagram is dropped. */
  loss?: number;
  /** Probability 0..1 that a datagram is sent twice. */
  duplicate?: number;
  /** Probability 0..1 that a datagram is held and sent after the next one. */
  reorder?: number;
  /** Longest a reordered datagram is held when nothing follows it (ms). */
  reorderMs?: number;
  /** Fixed delay added to every datagram (ms). */
  delayMs?: number;
  /** Uniform random extra delay, 0..jitterMs (ms). */
  jitterMs?: number;
  /** Probability 0..1 that one random byte is changed. */
  corrupt?: number;
}

/** How to start a {@linkcode Relay}. */
export interface RelayOptions {
  /** The server the relay forwards to. */
  target: { hostname: string; port: number };
  /** Faults from member to server. */
  toServer?: Impairment;
  /** Faults from server to member. */
  toMember?: Impairment;
  /** Replace every member's upstream socket this often, like a NAT rebinding. */
  rebindEveryMs?: number;
  /** PRNG seed; default 1. */
  seed?: number;
  /** Close a member's upstream socket after this long without traffic (ms). */
  idleMs?: number;
  /** Most member addresses tracked at once; each costs a 64 KiB buffer. */
  maxMembers?: number;
  /** Most datagrams delayed, held or queued at once. */
  maxHeld?: number;
}

/** Which way a datagram travels. */
export type Direction = "toServer" | "toMember";

/** Counters for one direction. */
export interface DirectionStats {
  /** Datagrams that arrived at the relay. */
  received: number;
  /** Sends that succeeded, duplicates included. */
  forwarded: number;
  /** Datagrams dropped by `loss`. */
  dropped: number;
  /** Datagrams sent a second time. */
  duplicated: number;
  /** Datagrams held back behind later ones. */
  reordered: number;
  /** Datagrams with a byte changed. */
  corrupted: number;
  /** Datagrams dropped because a member or held-datagram cap was reached. */
  overflowed: number;
  /** Sends that threw, or whose member was closed meanwhile. */
  failed: number;
}

/** A snapshot of a relay's counters. */
export interface RelayStats {
  /** Member to server. */
  toServer: DirectionStats;
  /** Server to member. */
  toMember: DirectionStats;
  /** Upstream sockets replaced by `rebindEveryMs`. */
  rebinds: number;
  /** Member addresses currently tracked. */
  members: number;
  /** Datagrams currently delayed, held or queued. */
  held: number;
}

const LOOPBACK = "127.0.0.1";
const BUFFER_BYTES = 65_536;
const DEFAULT_REORDER_MS = 30;
const DEFAULT_IDLE_MS = 60_000;
const DEFAULT_MAX_MEMBERS = 1024;
const DEFAULT_MAX_HELD = 10_000;

interface Member {
  addr: Deno.NetAddr;
  socket: Deno.DatagramConn;
  lastSeen: number;
  closed: boolean;
}

type Timer = ReturnType<typeof setTimeout>;

interface Item {
  dir: Direction;
  member: Member;
  data: Uint8Array;
}

/** A running relay; `await using relay = Relay.start({ target })`. */
export class Relay implements AsyncDisposable {
  /** The address members send to. */
  readonly hostname: string = LOOPBACK;
  /** The port members send to. */
  readonly port: number;
  #socket: Deno.DatagramConn;
  #target: Deno.NetAddr;
  #imp: Record<Direction, Impairment>;
  #rng: Record<Direction, () => number>;
  #stats = { toServer: newStats(), toMember: newStats(), rebinds: 0 };
  #members = new Map<string, Member>();
  #maxMembers: number;
  #maxHeld: number;
  #held = 0;
  #timers = new Set<Timer>();
  #reorderHeld: Record<Direction, { item: Item; timer?: Timer }[]> = {
    toServer: [],
    toMember: [],
  };
  #queue: Item[] = [];
  #pumping: Promise<void> | undefined;
  #intervals: Timer[] = [];
  #loops = new Set<Promise<void>>();
  #closedSockets = new WeakSet<Deno.DatagramConn>();
  #closing: Promise<void> | undefined;
  #error: unknown;

  private constructor(options: RelayOptions) {
    const { target, seed = 1, idleMs = DEFAULT_IDLE_MS } = options;
    this.#target = { transport: "udp", ...pick(target) };
    this.#imp = { toServer: {}, toMember: {} };
    this.setImpairment("toServer", options.toServer ?? {});
    this.setImpairment("toMember", options.toMember ?? {});
    // One stream per direction: reply timing cannot shift the other's pattern.
    this.#rng = { toServer: prng(seed), toMember: prng(~seed) };
    this.#maxMembers = options.maxMembers ?? DEFAULT_MAX_MEMBERS;
    this.#maxHeld = options.maxHeld ?? DEFAULT_MAX_HELD;
    this.#socket = listen();
    this.port = (this.#socket.addr as Deno.NetAddr).port;
    this.#spawn(this.#socket, (data, from) => this.#fromMember(data, from));
    if (options.rebindEveryMs !== undefined) {
      const every = options.rebindEveryMs;
      this.#intervals.push(setInterval(() => this.#rebindAll(), every));
    }
    const sweepMs = Math.max(50, Math.min(idleMs / 2, 10_000));
    this.#intervals.push(setInterval(() => this.#sweep(idleMs), sweepMs));
  }

  /** Bind 127.0.0.1 on a port the OS picks and start relaying to `target`. */
  static start(options: RelayOptions): Relay {
    validateOptions(options);
    return new Relay(options);
  }

  /** A snapshot of the counters. */
  stats(): RelayStats {
    const { toServer, toMember, rebinds } = this.#stats;
    return {
      toServer: { ...toServer },
      toMember: { ...toMember },
      rebinds,
      members: this.#members.size,
      held: this.#held,
    };
  }

  /**
   * Replace the faults for one direction. They apply to datagrams the relay
   * reads from now on; one a member sent a moment ago may not be read yet.
   */
  setImpairment(dir: Direction, imp: Impairment): void {
    validateImpairment(imp);
    this.#imp[dir] = { ...imp };
  }

  /** Stop: clear held datagrams, close every socket, await every loop. */
  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  /** Same as {@linkcode Relay.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #shutdown(): Promise<void> {
    this.#intervals.forEach(clearInterval);
    this.#timers.forEach(clearTimeout);
    this.#timers.clear();
    for (const held of Object.values(this.#reorderHeld)) {
      held.forEach(({ timer }) => clearTimeout(timer));
      held.length = 0;
    }
    this.#queue = [];
    await this.#pumping;
    this.#closeSocket(this.#socket);
    for (const member of this.#members.values()) this.#closeMember(member);
    this.#members.clear();
    this.#held = 0;
    await Promise.all(this.#loops);
    if (this.#error !== undefined) throw this.#error;
  }

  #spawn(
    socket: Deno.DatagramConn,
    onDatagram: (data: Uint8Array, from: Deno.NetAddr) => void,
  ): void {
    const buf = new Uint8Array(BUFFER_BYTES);
    const loop = (async () => {
      while (!this.#closedSockets.has(socket)) {
        let got: [Uint8Array, Deno.Addr];
        try {
          got = await socket.receive(buf);
        } catch (err) {
          if (this.#closedSockets.has(socket) && isCloseError(err)) return;
          throw err;
        }
        if (this.#closing === undefined) {
          onDatagram(got[0].slice(), got[1] as Deno.NetAddr);
        }
      }
    })().catch((err) => {
      this.#error ??= err;
    }).finally(() => this.#loops.delete(loop));
    this.#loops.add(loop);
  }

  #fromMember(data: Uint8Array, from: Deno.NetAddr): void {
    const key = `${from.hostname}:${from.port}`;
    let member = this.#members.get(key);
    if (member === undefined) {
      if (this.#members.size >= this.#maxMembers) {
        this.#stats.toServer.overflowed++;
        return;
      }
      // The main socket stands in until the upstream one exists.
      member = { addr: from, socket: this.#socket, lastSeen: 0, closed: false };
      member.socket = this.#openUpstream(member);
      this.#members.set(key, member);
    }
    member.lastSeen = Date.now();
    this.#admit({ dir: "toServer", member, data });
  }

  #openUpstream(member: Member): Deno.DatagramConn {
    const socket = listen();
    this.#spawn(socket, (data) => {
      member.lastSeen = Date.now();
      this.#admit({ dir: "toMember", member, data });
    });
    return socket;
  }

  #admit(item: Item): void {
    const { dir, data } = item;
    const imp = this.#imp[dir];
    const stats = this.#stats[dir];
    const rng = this.#rng[dir];
    // Always draw the same count so one fault's pattern ignores the others.
    const [lossR, dupR, reorderR, corruptR, posR, maskR, jitterR] = Array.from(
      { length: 7 },
      rng,
    ) as [number, number, number, number, number, number, number];
    stats.received++;
    if (lossR < (imp.loss ?? 0)) {
      stats.dropped++;
      return;
    }
    const copies = dupR < (imp.duplicate ?? 0) ? 2 : 1;
    if (this.#held + copies > this.#maxHeld) {
      stats.overflowed++;
      return;
    }
    if (corruptR < (imp.corrupt ?? 0) && data.length > 0) {
      data[Math.floor(posR * data.length)]! ^= 1 + Math.floor(maskR * 255);
      stats.corrupted++;
    }
    if (copies === 2) stats.duplicated++;
    this.#held += copies;
    const hold = reorderR < (imp.reorder ?? 0);
    const delay = (imp.delayMs ?? 0) + jitterR * (imp.jitterMs ?? 0);
    const emit = () => {
      for (let i = 0; i < copies; i++) this.#emit(item, hold);
    };
    if (delay <= 0) return emit();
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      emit();
    }, delay);
    this.#timers.add(timer);
  }

  #emit(item: Item, hold: boolean): void {
    const held = this.#reorderHeld[item.dir];
    if (hold) {
      this.#stats[item.dir].reordered++;
      const ms = this.#imp[item.dir].reorderMs ?? DEFAULT_REORDER_MS;
      const entry: { item: Item; timer?: Timer } = { item };
      entry.timer = setTimeout(() => {
        held.splice(held.indexOf(entry), 1);
        this.#enqueue(item);
      }, ms);
      held.push(entry);
      return;
    }
    this.#enqueue(item);
    for (const entry of held.splice(0)) {
      clearTimeout(entry.timer);
      this.#enqueue(entry.item);
    }
  }

  #enqueue(item: Item): void {
    this.#queue.push(item);
    this.#pumping ??= this.#pump();
  }

  // The only sender: one send in flight at a time, however much is queued.
  async #pump(): Promise<void> {
    while (this.#queue.length > 0 && this.#closing === undefined) {
      const batch = this.#queue;
      this.#queue = [];
      for (const item of batch) {
        if (this.#closing !== undefined) break;
        await this.#send(item);
        this.#held--;
      }
    }
    this.#pumping = undefined;
  }

  async #send({ dir, member, data }: Item): Promise<void> {
    const stats = this.#stats[dir];
    if (member.closed) {
      stats.failed++;
      return;
    }
    try {
      if (dir === "toServer") await member.socket.send(data, this.#target);
      else await this.#socket.send(data, member.addr);
      stats.forwarded++;
    } catch {
      stats.failed++;
    }
  }

  #rebindAll(): void {
    for (const member of this.#members.values()) {
      const old = member.socket;
      member.socket = this.#openUpstream(member);
      this.#closeSocket(old);
      this.#stats.rebinds++;
    }
  }

  #sweep(idleMs: number): void {
    const now = Date.now();
    for (const [key, member] of this.#members) {
      if (now - member.lastSeen < idleMs) continue;
      this.#closeMember(member);
      this.#members.delete(key);
    }
  }

  #closeMember(member: Member): void {
    member.closed = true;
    this.#closeSocket(member.socket);
  }

  #closeSocket(socket: Deno.DatagramConn): void {
    if (this.#closedSockets.has(socket)) return;
    this.#closedSockets.add(socket);
    socket.close();
  }
}

function pick({ hostname, port }: RelayOptions["target"]) {
  return { hostname, port };
}

function listen(): Deno.DatagramConn {
  return Deno.listenDatagram({ transport: "udp", hostname: LOOPBACK, port: 0 });
}

function isCloseError(err: unknown): boolean {
  return err instanceof Deno.errors.Interrupted ||
    err instanceof Deno.errors.BadResource;
}

function newStats(): DirectionStats {
  return {
    received: 0,
    forwarded: 0,
    dropped: 0,
    duplicated: 0,
    reordered: 0,
    corrupted: 0,
    overflowed: 0,
    failed: 0,
  };
}

function validateImpairment(imp: Impairment): void {
  for (const key of ["loss", "duplicate", "reorder", "corrupt"] as const) {
    const p = imp[key];
    if (p !== undefined && !(p >= 0 && p <= 1)) {
      throw new RangeError(
        `Cannot set impairment: ${key} is ${p}, must be between 0 and 1`,
      );
    }
  }
  for (const key of ["reorderMs", "delayMs", "jitterMs"] as const) {
    const ms = imp[key];
    if (ms !== undefined && !(ms >= 0 && Number.isFinite(ms))) {
      throw new RangeError(
        `Cannot set impairment: ${key} is ${ms}, must be a finite number >= 0`,
      );
    }
  }
}

function validateOptions(options: RelayOptions): void {
  const { target } = options;
  if (typeof target?.hostname !== "string" || !Number.isInteger(target.port)) {
    throw new TypeError("Cannot start relay: target needs hostname and port");
  }
  for (
    const key of ["rebindEveryMs", "idleMs", "maxMembers", "maxHeld"] as const
  ) {
    const n = options[key];
    if (n !== undefined && !(n > 0 && Number.isFinite(n))) {
      throw new RangeError(
        `Cannot start relay: ${key} is ${n}, must be a finite number > 0`,
      );
    }
  }
}
import { prng } from "./_random.ts";
