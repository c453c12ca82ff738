/**
 * The server's pure core: sessions, the room, cookies, and what to send.
 * The shell (`server.ts`) feeds it datagrams and clock ticks and sends what
 * `poll` returns; nothing here touches a socket or reads the clock.
 * @module
 */

import { type Address, formatAddress } from "../protocol/address.ts";
import {
  type ClientRequest,
  decodeRequest,
  encodeEvent,
  type GoodbyeWhy,
  type LeaveWhy,
  type ServerEvent,
} from "../protocol/events.ts";
import { split } from "../protocol/fragment.ts";
import { TOKEN_BYTES } from "../protocol/limits.ts";
import { Link, sameToken } from "../protocol/link.ts";
import {
  decodePacket,
  encodePacket,
  isNative,
  type JoinPacket,
  MAX_FRAME_BODY,
  type Packet,
  RefuseCode,
  type SessionPacket,
} from "../protocol/packet.ts";
import { validateName } from "../protocol/names.ts";
import { CookieJar } from "./cookie.ts";
import { type Delivery, Room } from "./room.ts";
import { Stats } from "./stats.ts";

/** Tunables of a server; every field has a default. */
export interface ServerOptions {
  /** How often members should send when idle (ms). */
  heartbeatMs?: number;
  /** A member silent this long is removed as timed out (ms). */
  timeoutMs?: number;
  /** Most members at once. */
  maxMembers?: number;
  /** Room events kept for resuming members. */
  logSize?: number;
  /** Cookie secret (tests); random by default. */
  cookieSecret?: Uint8Array;
}

/** Log levels of the server's logger. */
export type LogLevel = "debug" | "info" | "warn";
/** Where the core reports what happens. */
export type Logger = (level: LogLevel, text: string) => void;

/** A datagram to send. */
export interface Outgoing {
  bytes: Uint8Array;
  to: Address;
}

interface Session {
  link: Link;
  address: Address;
  addressKey: string;
  name: string;
  /** Set once a GOODBYE is queued: the session is forgotten after it. */
  closingUntil?: number;
}

/** How long a session lingers after its GOODBYE, for the ack (ms). */
const LINGER_MS = 3000;
/** Most handshake replies queued before further ones are dropped. */
const MAX_REPLIES = 1024;

/** Server state and protocol logic, driven by the shell. */
export class ServerCore {
  readonly stats = new Stats();
  #room: Room;
  #jar: CookieJar;
  #log: Logger;
  #heartbeatMs: number;
  #timeoutMs: number;
  #maxMembers: number;
  #sessions = new Map<number, Session>();
  #byAddress = new Map<string, Session>();
  #dirty = new Set<Session>();
  #replies: Outgoing[] = [];

  /** A core with `options`, reporting to `log`. */
  constructor(options: ServerOptions = {}, log: Logger = () => {}) {
    this.#heartbeatMs = options.heartbeatMs ?? 1000;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#maxMembers = options.maxMembers ?? 10_000;
    this.#room = new Room(options.logSize);
    this.#jar = new CookieJar(options.cookieSecret);
    this.#log = log;
  }

  /** Members currently in the room. */
  get memberCount(): number {
    return this.#room.size;
  }

  /** Sessions still open (members plus those saying goodbye). */
  get sessionCount(): number {
    return this.#sessions.size;
  }

  /** Take in one datagram from `from`. Never throws on bad input. */
  receive(bytes: Uint8Array, from: Address, now: number): void {
    this.stats.datagramIn(bytes.byteLength);
    if (!isNative(bytes)) {
      this.stats.drop("not native");
      return;
    }
    let packet: Packet;
    try {
      packet = decodePacket(bytes);
    } catch (error) {
      this.stats.drop("malformed");
      this.#log(
        "debug",
        `Dropped datagram from ${formatAddress(from)}: ${messageOf(error)}`,
      );
      return;
    }
    switch (packet.type) {
      case "join":
        return this.#join(packet, from, now);
      case "session":
        return this.#session(packet, from, now);
      case "cookie":
      case "welcome":
      case "refuse":
      case "reset":
        this.stats.drop("wrong direction");
        return;
      default: {
        const _exhaustive: never = packet;
        throw new TypeError(`Unhandled packet ${_exhaustive}`);
      }
    }
  }

  /** The socket failed to receive or send; counted by error name. */
  socketError(what: "receive" | "send", error: Error): void {
    this.stats.drop(`${what} error: ${error.name}`);
  }

  /** A line from the host's console: an admin message to every member. */
  admin(text: string, now: number): void {
    this.#deliver(this.#room.admin(text, now));
  }

  /** Tell every member the server is closing; sessions end once acked. */
  shutdown(reason: string, now: number): void {
    for (const session of this.#sessions.values()) {
      if (session.closingUntil === undefined) {
        this.#room.leave(session.link.sessionId, "left", reason, now);
        this.#goodbye(session, "closing", reason, now);
      }
    }
  }

  /** True when every GOODBYE was acknowledged or gave up. */
  get drained(): boolean {
    return this.#sessions.size === 0;
  }

  /** Advance time: timeouts, retransmissions, delayed acks, lingering. */
  tick(now: number): void {
    for (const session of this.#sessions.values()) {
      const { link } = session;
      if (session.closingUntil !== undefined) {
        const done = link.channel.unacked === 0 && link.channel.queued === 0;
        if (done || now >= session.closingUntil || link.channel.failed) {
          this.#forget(session);
          continue;
        }
      } else if (
        now - link.lastHeard > this.#timeoutMs || link.channel.failed
      ) {
        this.#remove(session, "timeout", "no answer", now);
        continue;
      }
      if (link.wantsToSend(now)) this.#dirty.add(session);
    }
  }

  /**
   * The next datagram to send, or undefined. `into` is a reusable buffer:
   * send the result before calling again.
   */
  poll(into: Uint8Array, now: number): Outgoing | undefined {
    const reply = this.#replies.shift();
    if (reply !== undefined) return this.#sent(reply);
    for (const session of this.#dirty) {
      this.#dirty.delete(session);
      const bytes = session.link.poll(into, now);
      if (session.link.wantsToSend(now)) this.#dirty.add(session);
      if (bytes !== undefined) {
        return this.#sent({ bytes, to: session.address });
      }
    }
    return undefined;
  }

  /** Names in the room with their addresses, for the console. */
  who(): Array<
    { name: string; address: string; idleMs: number; rttMs?: number }
  > {
    return [...this.#sessions.values()]
      .filter((s) => s.closingUntil === undefined)
      .map((s) => ({
        name: s.name,
        address: s.addressKey,
        idleMs: s.link.lastHeard,
        rttMs: s.link.channel.stats().srttMs,
      }));
  }

  #sent(out: Outgoing): Outgoing {
    this.stats.datagramOut(out.bytes.byteLength);
    return out;
  }

  #reply(bytes: Uint8Array, to: Address, limit: number): void {
    // Never send an unvalidated address more than it sent us (no amplification).
    if (bytes.byteLength > limit) {
      this.stats.drop("reply larger than request");
      return;
    }
    if (this.#replies.length >= MAX_REPLIES) {
      this.stats.drop("reply queue full");
      return;
    }
    this.#replies.push({ bytes, to: { hostname: to.hostname, port: to.port } });
  }

  #join(packet: JoinPacket, from: Address, now: number): void {
    const addressKey = formatAddress(from);
    const size = 1200;
    if (!this.#jar.verify(packet.cookie, addressKey, now)) {
      this.#reply(
        encodePacket({
          type: "cookie",
          cookie: this.#jar.issue(addressKey, now),
        }),
        from,
        size,
      );
      return;
    }
    const resumed = packet.resume &&
      this.#sessions.get(packet.resume.sessionId);
    if (
      resumed && packet.resume &&
      sameToken(resumed.link.token, packet.resume.token)
    ) {
      this.#move(resumed, from, addressKey);
      return this.#welcome(resumed, true, size);
    }
    const existing = this.#byAddress.get(addressKey);
    if (existing && existing.closingUntil === undefined) {
      // A JOIN retransmitted because our WELCOME was lost.
      const check = validateName(packet.name);
      if (
        check.ok && this.#room.get(existing.link.sessionId)?.key === check.key
      ) {
        return this.#welcome(existing, false, size);
      }
    }
    this.#admit(packet.name, from, addressKey, now, size);
  }

  #admit(
    name: string,
    from: Address,
    addressKey: string,
    now: number,
    size: number,
  ): void {
    if (this.#room.size >= this.#maxMembers) {
      const reason = `The room is full (${this.#maxMembers} members)`;
      return this.#reply(
        encodePacket({ type: "refuse", code: RefuseCode.full, reason }),
        from,
        size,
      );
    }
    const id = this.#newSessionId();
    const result = this.#room.join(id, name, now);
    if (!result.ok) {
      const code = result.problem === "taken"
        ? RefuseCode.taken
        : RefuseCode.name;
      this.#reply(
        encodePacket({ type: "refuse", code, reason: result.message }),
        from,
        size,
      );
      return;
    }
    const token = crypto.getRandomValues(new Uint8Array(TOKEN_BYTES));
    const session: Session = {
      link: new Link(id, token, now),
      address: { hostname: from.hostname, port: from.port },
      addressKey,
      name: result.member.name,
    };
    this.#sessions.set(id, session);
    this.#byAddress.set(addressKey, session);
    this.#log("info", `${session.name} joined from ${addressKey}`);
    this.#welcome(session, false, size);
    this.#deliver(result.deliveries);
  }

  #welcome(session: Session, resumed: boolean, size: number): void {
    const welcome = encodePacket({
      type: "welcome",
      sessionId: session.link.sessionId,
      token: session.link.token,
      name: session.name,
      resumed,
      heartbeatMs: this.#heartbeatMs,
      timeoutMs: this.#timeoutMs,
    });
    this.#reply(welcome, session.address, size);
  }

  #newSessionId(): number {
    const id = new Uint32Array(1);
    do crypto.getRandomValues(id); while (
      id[0] === 0 || this.#sessions.has(id[0]!)
    );
    return id[0]!;
  }

  #session(packet: SessionPacket, from: Address, now: number): void {
    const session = this.#sessions.get(packet.sessionId);
    if (session === undefined) {
      // Probably a member of a server that restarted: tell it to join again.
      this.stats.drop("unknown session");
      const reset = encodePacket({
        type: "reset",
        sessionId: packet.sessionId,
        token: packet.token,
      });
      return this.#reply(reset, from, 24);
    }
    if (!sameToken(packet.token, session.link.token)) {
      this.stats.drop("bad token");
      return;
    }
    if (
      from.port !== session.address.port ||
      from.hostname !== session.address.hostname
    ) {
      // mosh's rule: move only for a valid token and a packet number never seen.
      if (!session.link.isFresh(packet)) {
        this.stats.drop("stale packet from new address");
        return;
      }
      this.#move(session, from, formatAddress(from));
    }
    for (const message of session.link.receive(packet, now)) {
      this.#request(session, message, now);
    }
    if (session.link.wantsToSend(now)) this.#dirty.add(session);
  }

  #request(session: Session, message: Uint8Array, now: number): void {
    let request: ClientRequest;
    try {
      request = decodeRequest(message);
    } catch (error) {
      this.stats.drop("bad request");
      this.#log(
        "warn",
        `Bad request from ${session.name}: ${messageOf(error)}`,
      );
      return;
    }
    if (session.closingUntil !== undefined) return;
    const id = session.link.sessionId;
    switch (request.kind) {
      case "say":
        this.stats.message();
        this.#deliver(this.#room.say(id, request.text, now));
        this.#log("info", `${session.name}: ${request.text}`);
        return;
      case "leave":
        return this.#remove(session, "left", "", now);
      default: {
        const _exhaustive: never = request;
        throw new TypeError(`Unhandled request ${_exhaustive}`);
      }
    }
  }

  #move(session: Session, to: Address, key: string): void {
    if (this.#byAddress.get(session.addressKey) === session) {
      this.#byAddress.delete(session.addressKey);
    }
    this.#log(
      "info",
      `${session.name} moved from ${session.addressKey} to ${key}`,
    );
    session.address = { hostname: to.hostname, port: to.port };
    session.addressKey = key;
    this.#byAddress.set(key, session);
  }

  #remove(session: Session, why: LeaveWhy, reason: string, now: number): void {
    const goodbye: GoodbyeWhy = why;
    this.#deliver(this.#room.leave(session.link.sessionId, why, reason, now));
    this.#log(
      "info",
      `${session.name} ${why === "timeout" ? "timed out" : why}`,
    );
    if (why === "timeout") this.#forget(session);
    else this.#goodbye(session, goodbye, reason, now);
  }

  #goodbye(
    session: Session,
    why: GoodbyeWhy,
    reason: string,
    now: number,
  ): void {
    session.link.send(encodeEvent({ kind: "goodbye", why, reason }));
    session.closingUntil = now + LINGER_MS;
    this.#dirty.add(session);
  }

  #forget(session: Session): void {
    this.#sessions.delete(session.link.sessionId);
    this.#dirty.delete(session);
    if (this.#byAddress.get(session.addressKey) === session) {
      this.#byAddress.delete(session.addressKey);
    }
  }

  #deliver(deliveries: Delivery[]): void {
    for (const delivery of deliveries) {
      const chunks = split(encodeEvent(delivery.event), MAX_FRAME_BODY);
      if (delivery.to === "all") {
        for (const session of this.#sessions.values()) {
          const id = session.link.sessionId;
          if (id !== delivery.except && session.closingUntil === undefined) {
            this.#queue(session, chunks);
          }
        }
      } else {
        const session = this.#sessions.get(delivery.to);
        if (session !== undefined) this.#queue(session, chunks);
      }
      if (delivery.event.kind === "admin") this.stats.message();
    }
  }

  #queue(session: Session, chunks: Uint8Array[]): void {
    session.link.sendChunks(chunks);
    this.#dirty.add(session);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Re-exported for the shell's type annotations. */
export type { ServerEvent };
