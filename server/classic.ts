/**
 * The classic chat room's text protocol, beside the native one on the same
 * port: `L name` joins (answered `OK` or a reason), `C name text` talks,
 * `Q name` leaves (answered `EXIT`); members get plain UTF-8 lines. Safer
 * than the original: the name in `C` and `Q` is ignored, the one bound to
 * the source address is used. Classic members carry no token and send no
 * heartbeats, so they are a weaker class: they can be turned off, are
 * refused in a room with a passphrase, and are dropped after a long
 * silence. Pure: the core passes time in and sends what `send` is given.
 * @module
 */

import { type Address, formatAddress } from "../protocol/address.ts";
import type { LeaveWhy, ServerEvent } from "../protocol/events.ts";
import { decodeUtf8, trimLineEnds } from "../protocol/text.ts";
import { formatEvent } from "../wording/events.ts";
import { sanitize } from "../wording/sanitize.ts";
import type { Delivery, Room } from "./room.ts";

/** Longest datagram sent to a classic client: the smallest buffer they read with. */
export const CLASSIC_LINE_BYTES = 128;
/** Most classic members at once (they are cheap to spoof). */
const MAX_CLASSIC_MEMBERS = 1000;
/** Classic member ids start past every u32 session id, so they never collide. */
const FIRST_ID = 2 ** 32;

/** What the gateway needs from the server core. */
export interface ClassicHost {
  room: Room;
  /** Deliver room deliveries to everyone (native and classic members). */
  deliver(deliveries: Delivery[], now: number): void;
  /** Queue one datagram. */
  send(bytes: Uint8Array, to: Address): void;
  /** May this address join now (the join rate)? */
  joinAllowed(host: string, now: number): boolean;
  /** Why `name` from `host` may not join (a ban), or undefined. */
  banned(name: string, host: string, now: number): string | undefined;
  /** Report. */
  log(text: string): void;
  /** Count a dropped datagram. */
  drop(reason: string): void;
}

interface ClassicMember {
  id: number;
  address: Address;
  lastHeard: number;
}

const encoder = new TextEncoder();

/** Classic members, by address. */
export class ClassicGateway {
  #host: ClassicHost;
  #timeoutMs: number;
  /** Why classic clients may not join, or undefined when they may. */
  #closed: string | undefined;
  #byAddress = new Map<string, ClassicMember>();
  #byId = new Map<number, ClassicMember>();
  #nextId = FIRST_ID;

  /** `closed`: the reason given to classic clients when they may not join. */
  constructor(host: ClassicHost, timeoutMs: number, closed?: string) {
    this.#host = host;
    this.#timeoutMs = timeoutMs;
    this.#closed = closed;
  }

  /** The address of classic member `id`. */
  address(id: number): Address | undefined {
    return this.#byId.get(id)?.address;
  }

  /** True when `id` is a classic member. */
  has(id: number): boolean {
    return this.#byId.has(id);
  }

  /** How many classic members there are. */
  get size(): number {
    return this.#byId.size;
  }

  /** A datagram without the native magic: a classic command, or noise. */
  receive(bytes: Uint8Array, from: Address, now: number): void {
    const decoded = decodeUtf8(bytes);
    const text = decoded === undefined ? undefined : trimLineEnds(decoded);
    const match = text === undefined
      ? null
      : /^([LCQ]) (\S+)(?: ([^]*))?$/.exec(text);
    if (match === null) return this.#host.drop("not a classic command");
    const [, command, name, rest] = match as unknown as [
      string,
      string,
      string,
      string | undefined,
    ];
    const key = formatAddress(from);
    const member = this.#byAddress.get(key);
    if (member) member.lastHeard = now;
    if (command === "L") {
      return this.#login(member, name, from, key, bytes.byteLength, now);
    }
    if (member === undefined) {
      return this.#reply("Send L name first", from, bytes.byteLength);
    }
    if (command === "C") {
      this.#host.log(
        `${this.#host.room.get(member.id)?.name}: ${rest ?? ""} (classic)`,
      );
      return this.#host.deliver(
        this.#host.room.say(member.id, rest ?? "", now),
        now,
      );
    }
    // A bound member: the protocol's EXIT goes whole, whatever the request's size.
    this.#host.send(encoder.encode("EXIT"), from);
    this.#leave(member, "left", "", now);
  }

  /** Send `event` to the classic members it is for (all but `except`, or one). */
  deliver(delivery: Delivery): void {
    const { event } = delivery;
    const targets = delivery.to === "all"
      ? this.#byId.values()
      : [this.#byId.get(delivery.to)].filter((m) => m !== undefined);
    let datagrams: Uint8Array[] | undefined;
    for (const member of targets) {
      if (delivery.to === "all" && member.id === delivery.except) continue;
      datagrams ??= render(event);
      for (const datagram of datagrams) {
        this.#host.send(datagram, member.address);
      }
    }
  }

  /** Drop classic members silent for longer than the timeout. */
  tick(now: number): void {
    for (const member of this.#byId.values()) {
      if (now - member.lastHeard > this.#timeoutMs) {
        this.#leave(member, "timeout", "", now);
      }
    }
  }

  #login(
    member: ClassicMember | undefined,
    name: string,
    from: Address,
    key: string,
    size: number,
    now: number,
  ): void {
    if (this.#closed !== undefined) {
      return this.#reply(this.#closed, from, size);
    }
    if (member !== undefined) {
      const current = this.#host.room.get(member.id)?.name ?? "";
      if (current === name) return this.#host.send(encoder.encode("OK"), from);
      return this.#line(`Already joined as ${current}`, from);
    }
    const banned = this.#host.banned(name, from.hostname, now);
    if (banned !== undefined) return this.#reply(banned, from, size);
    if (this.#byId.size >= MAX_CLASSIC_MEMBERS) {
      return this.#reply("The room is full", from, size);
    }
    if (!this.#host.joinAllowed(from.hostname, now)) {
      return this.#reply("Too many joins", from, size);
    }
    const id = this.#nextId++;
    const result = this.#host.room.join(id, name, now);
    if (!result.ok) return this.#reply(result.message, from, size);
    const joined: ClassicMember = {
      id,
      address: { hostname: from.hostname, port: from.port },
      lastHeard: now,
    };
    this.#byAddress.set(key, joined);
    this.#byId.set(id, joined);
    this.#host.log(`${result.member.name} joined from ${key} (classic)`);
    this.#reply("OK", from, size);
    // The joiner's own welcome (members list, history) is native-only.
    this.#host.deliver(result.deliveries.filter((d) => d.to !== id), now);
  }

  /** Remove classic member `id` (the console's /kick and /ban); false when there is none. */
  remove(id: number, why: LeaveWhy, reason: string, now: number): boolean {
    const member = this.#byId.get(id);
    if (member === undefined) return false;
    this.#line(`You were ${why}${reason ? `: ${reason}` : ""}`, member.address);
    this.#leave(member, why, reason, now);
    return true;
  }

  /** The server is closing: tell every classic member. */
  shutdown(reason: string): void {
    for (const member of this.#byId.values()) {
      this.#line(`The server is closing: ${reason}`, member.address);
    }
  }

  /** A line for a bound member (its address took part: no size cap but the buffer's). */
  #line(text: string, to: Address): void {
    for (const piece of splitUtf8(sanitize(text) + "\n", CLASSIC_LINE_BYTES)) {
      this.#host.send(piece, to);
    }
  }

  #leave(
    member: ClassicMember,
    why: LeaveWhy,
    reason: string,
    now: number,
  ): void {
    this.#byId.delete(member.id);
    this.#byAddress.delete(formatAddress(member.address));
    const name = this.#host.room.get(member.id)?.name;
    this.#host.log(
      `${name} ${why === "timeout" ? "timed out" : why} (classic)`,
    );
    this.#host.deliver(this.#host.room.leave(member.id, why, reason, now), now);
  }

  /** A reply to an address that proved nothing: never more bytes than it sent. */
  #reply(text: string, to: Address, size: number): void {
    const [reply] = splitUtf8(text, size);
    if (reply !== undefined) this.#host.send(reply, to);
  }
}

/** The lines a classic client shows for `event`, each split to fit its buffer. */
export function render(event: ServerEvent): Uint8Array[] {
  return formatEvent(event).flatMap((line) =>
    splitUtf8(line.text + "\n", CLASSIC_LINE_BYTES)
  );
}

/** Split text into UTF-8 pieces of at most `max` bytes, never inside a character. */
export function splitUtf8(text: string, max: number): Uint8Array[] {
  const bytes = encoder.encode(text);
  const pieces: Uint8Array[] = [];
  let start = 0;
  while (start < bytes.byteLength) {
    let end = Math.min(start + max, bytes.byteLength);
    // Back off to a character boundary (continuation bytes are 10xxxxxx).
    while (end < bytes.byteLength && (bytes[end]! & 0xc0) === 0x80) end--;
    if (end === start) break; // Not even one character fits.
    pieces.push(bytes.slice(start, end));
    start = end;
  }
  return pieces;
}
