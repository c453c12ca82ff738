/**
 * The server's pure core: sessions, the room, cookies, and what to send.
 * The shell (`server.ts`) feeds it datagrams and clock ticks and sends what
 * `poll` returns; nothing here touches a socket, a file or the clock.
 * @module
 */

import { type Address, formatAddress } from "../protocol/address.ts";
import {
  type ClientRequest,
  decodeRequest,
  encodeEvent,
  type GoodbyeWhy,
  type LeaveWhy,
} from "../protocol/events.ts";
import { split } from "../protocol/fragment.ts";
import { MIN_JOIN_BYTES, TOKEN_BYTES } from "../protocol/limits.ts";
import { Link, sameToken } from "../protocol/link.ts";
import { validateName } from "../protocol/names.ts";
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
import { CookieJar } from "./cookie.ts";
import type { Journal, JournalState } from "./journal.ts";
import { type Delivery, Room } from "./room.ts";
import { isLive, type Session, Sessions } from "./sessions.ts";
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
  /** Frames queued for one member before it is dropped as too slow. */
  maxBacklog?: number;
  /** Cookie secret (tests); random by default. */
  cookieSecret?: Uint8Array;
}

/** Log levels of the server's logger. */
export type LogLevel = "debug" | "info" | "warn";
/** Where the core reports what happens. */
export type Logger = (level: LogLevel, text: string) => void;
/** What the core writes to a journal (`Journal` does it to a file). */
export type JournalSink = Pick<
  Journal,
  | "member"
  | "processed"
  | "gone"
  | "event"
  | "flush"
  | "wantsCompaction"
  | "compact"
>;

/** A datagram to send. */
export interface Outgoing {
  bytes: Uint8Array;
  to: Address;
}

/** How long a session lingers after its GOODBYE, for the ack (ms). */
const LINGER_MS = 3000;
/** Most handshake replies queued before further ones are dropped. */
const MAX_REPLIES = 1024;
/** Bytes of the smallest SESSION datagram: a RESET must not exceed it. */
const MIN_SESSION_BYTES = 33;

/** Server state and protocol logic, driven by the shell. */
export class ServerCore {
  /** Counters for /stats and the benchmark. */
  readonly stats = new Stats();
  #room: Room;
  #jar: CookieJar;
  #log: Logger;
  #journal: JournalSink | undefined;
  #heartbeatMs: number;
  #timeoutMs: number;
  #maxMembers: number;
  #maxBacklog: number;
  #sessions = new Sessions();
  #replies: Outgoing[] = [];

  /**
   * A core with `options`, reporting to `log`. With a journal, `restored`
   * is what it held: its members wait (suspended) to resume.
   */
  constructor(
    options: ServerOptions = {},
    log: Logger = () => {},
    journal?: { sink: JournalSink; restored: JournalState; now: number },
  ) {
    this.#heartbeatMs = options.heartbeatMs ?? 1000;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#maxMembers = options.maxMembers ?? 10_000;
    this.#maxBacklog = options.maxBacklog ?? 4096;
    this.#room = new Room(options.logSize);
    this.#jar = new CookieJar(options.cookieSecret);
    this.#log = log;
    if (journal !== undefined) {
      this.#restore(journal.sink, journal.restored, journal.now);
    }
  }

  /** Members currently in the room. */
  get memberCount(): number {
    return this.#room.size;
  }

  /** True when no session is left (every GOODBYE acknowledged or given up). */
  get drained(): boolean {
    return this.#sessions.size === 0;
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
    this.#dispatch(packet, from, now);
    // Recorded before anything it caused is sent (poll comes after).
    this.#journal?.flush();
  }

  #dispatch(packet: Packet, from: Address, now: number): void {
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
    this.#deliver(this.#room.admin(text, now), now);
    this.#journal?.flush();
  }

  /** Tell every member the server is closing; sessions end once acked. */
  shutdown(reason: string, now: number): void {
    for (const session of this.#sessions.values()) {
      if (session.closingUntil !== undefined) continue;
      // Members told the room is closing leave; a restart must not expect them.
      this.#journal?.gone(session.id);
      if (isLive(session)) this.#goodbye(session, "closing", reason, now);
      else this.#sessions.forget(session);
    }
    this.#journal?.flush();
  }

  /** Advance time: timeouts, retransmissions, delayed acks, lingering. */
  tick(now: number): void {
    for (const session of this.#sessions.values()) {
      const { link } = session;
      if (session.closingUntil !== undefined) {
        const done = link.channel.unacked === 0 && link.channel.queued === 0;
        if (done || now >= session.closingUntil || link.channel.failed) {
          this.#sessions.forget(session);
        }
      } else if (session.suspendedUntil !== undefined) {
        if (now >= session.suspendedUntil) {
          this.#remove(session, "timeout", "did not come back", now);
        }
      } else if (
        now - link.lastHeard > this.#timeoutMs || link.channel.failed
      ) {
        this.#remove(session, "timeout", "no answer", now);
      } else if (link.wantsToSend(now)) {
        this.#sessions.touch(session);
      }
    }
    this.#compact();
  }

  /**
   * The next datagram to send, or undefined. `into` is a reusable buffer:
   * send the result before calling again.
   */
  poll(into: Uint8Array, now: number): Outgoing | undefined {
    const out = this.#replies.shift() ?? this.#sessions.poll(into, now);
    if (out !== undefined) this.stats.datagramOut(out.bytes.byteLength);
    return out;
  }

  /** The members with their addresses, idle time and round trip, for the console. */
  who(
    now: number,
  ): Array<{ name: string; address: string; idleMs: number; rttMs?: number }> {
    return [...this.#sessions.values()].filter(isLive).map((s) => ({
      name: s.name,
      address: s.addressKey ?? "",
      idleMs: now - s.link.lastHeard,
      rttMs: s.link.channel.stats().srttMs,
    }));
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
    const key = formatAddress(from);
    if (!this.#jar.verify(packet.cookie, key, now)) {
      const cookie = encodePacket({
        type: "cookie",
        cookie: this.#jar.issue(key, now),
      });
      return this.#reply(cookie, from, MIN_JOIN_BYTES);
    }
    const { resume } = packet;
    const known = resume && this.#sessions.get(resume.sessionId);
    if (
      resume && known && known.closingUntil === undefined &&
      sameToken(known.token, resume.token)
    ) {
      return this.#resume(
        known,
        from,
        key,
        resume.lastSeen,
        packet.cookie,
        now,
      );
    }
    // A JOIN retransmitted because our WELCOME was lost.
    const existing = this.#sessions.at(key);
    const check = validateName(packet.name);
    if (
      existing && isLive(existing) && check.ok &&
      this.#room.get(existing.id)?.key === check.key
    ) {
      return this.#welcome(existing, false);
    }
    this.#admit(packet.name, from, key, now);
  }

  #resume(
    session: Session,
    from: Address,
    key: string,
    lastSeen: number,
    cookie: Uint8Array,
    now: number,
  ): void {
    // The same JOIN again (our WELCOME was lost): answer, change nothing.
    if (
      session.resumedWith !== undefined &&
      sameToken(session.resumedWith, cookie)
    ) {
      return this.#welcome(session, true);
    }
    session.resumedWith = cookie.slice();
    session.link = new Link(session.id, session.token, now, {
      initialReceiveSeq: session.link.completedNext,
    });
    session.suspendedUntil = undefined;
    this.#sessions.move(session, from, key);
    this.#log("info", `${session.name} resumed from ${key}`);
    this.#welcome(session, true);
    const missed = this.#room.since(lastSeen);
    if (missed === undefined) {
      const text = "Some messages were missed while you were away";
      session.link.send(encodeEvent({ kind: "notice", text }));
    } else {
      for (const event of missed) session.link.send(encodeEvent(event));
    }
    this.#sessions.touch(session);
  }

  #admit(name: string, from: Address, key: string, now: number): void {
    if (this.#room.size >= this.#maxMembers) {
      const reason = `The room is full (${this.#maxMembers} members)`;
      const refuse = encodePacket({
        type: "refuse",
        code: RefuseCode.full,
        reason,
      });
      return this.#reply(refuse, from, MIN_JOIN_BYTES);
    }
    const id = this.#sessions.newId();
    const result = this.#room.join(id, name, now);
    if (!result.ok) {
      const code = result.problem === "taken"
        ? RefuseCode.taken
        : RefuseCode.name;
      const refuse = encodePacket({
        type: "refuse",
        code,
        reason: result.message,
      });
      return this.#reply(refuse, from, MIN_JOIN_BYTES);
    }
    const token = crypto.getRandomValues(new Uint8Array(TOKEN_BYTES));
    const session: Session = {
      id,
      token,
      name: result.member.name,
      link: new Link(id, token, now),
    };
    this.#sessions.add(session);
    this.#sessions.move(session, from, key);
    this.#journal?.member(id, token, session.name);
    this.#log("info", `${session.name} joined from ${key}`);
    this.#welcome(session, false);
    this.#deliver(result.deliveries, now);
  }

  #welcome(session: Session, resumed: boolean): void {
    const welcome = encodePacket({
      type: "welcome",
      sessionId: session.id,
      token: session.token,
      name: session.name,
      resumed,
      resumeSeq: session.link.completedNext,
      heartbeatMs: this.#heartbeatMs,
      timeoutMs: this.#timeoutMs,
    });
    if (session.address !== undefined) {
      this.#reply(welcome, session.address, MIN_JOIN_BYTES);
    }
  }

  #session(packet: SessionPacket, from: Address, now: number): void {
    const session = this.#sessions.get(packet.sessionId);
    const valid = session !== undefined &&
      sameToken(packet.token, session.token);
    if (
      session === undefined || (valid && session.suspendedUntil !== undefined)
    ) {
      // A member of a server that restarted: it must join again (resuming).
      this.stats.drop(session ? "suspended session" : "unknown session");
      const reset = encodePacket({
        type: "reset",
        sessionId: packet.sessionId,
        token: packet.token,
      });
      return this.#reply(reset, from, MIN_SESSION_BYTES);
    }
    if (!valid) {
      this.stats.drop("bad token");
      return;
    }
    if (
      from.port !== session.address?.port ||
      from.hostname !== session.address.hostname
    ) {
      // mosh's rule: move only for a valid token and a packet number never seen.
      if (!session.link.isFresh(packet)) {
        this.stats.drop("stale packet from new address");
        return;
      }
      const key = formatAddress(from);
      this.#log(
        "info",
        `${session.name} moved from ${session.addressKey} to ${key}`,
      );
      this.#sessions.move(session, from, key);
    }
    const messages = session.link.receive(packet, now);
    for (const message of messages) this.#request(session, message, now);
    if (messages.length > 0) {
      this.#journal?.processed(session.id, session.link.completedNext);
    }
    this.#sessions.touch(session);
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
    if (!isLive(session)) return;
    switch (request.kind) {
      case "say":
        this.stats.message();
        this.#log("info", `${session.name}: ${request.text}`);
        return this.#deliver(
          this.#room.say(session.id, request.text, now),
          now,
        );
      case "leave":
        return this.#remove(session, "left", "", now);
      default: {
        const _exhaustive: never = request;
        throw new TypeError(`Unhandled request ${_exhaustive}`);
      }
    }
  }

  /** Take a member out of the room, telling it (unless it timed out) and the others. */
  #remove(session: Session, why: LeaveWhy, reason: string, now: number): void {
    const timedOut = why === "timeout";
    this.#log(
      "info",
      `${session.name} ${timedOut ? "timed out" : why}${
        reason ? ` (${reason})` : ""
      }`,
    );
    this.#journal?.gone(session.id);
    if (timedOut) this.#sessions.forget(session);
    else this.#goodbye(session, why, reason, now);
    this.#deliver(this.#room.leave(session.id, why, reason, now), now);
  }

  #goodbye(
    session: Session,
    why: GoodbyeWhy,
    reason: string,
    now: number,
  ): void {
    session.link.send(encodeEvent({ kind: "goodbye", why, reason }));
    session.closingUntil = now + LINGER_MS;
    this.#sessions.touch(session);
  }

  #deliver(deliveries: Delivery[], now: number): void {
    const slow: Session[] = [];
    for (const { to, event, ...rest } of deliveries) {
      if ("id" in event) this.#journal?.event(event);
      if (event.kind === "admin") this.stats.message();
      const chunks = split(encodeEvent(event), MAX_FRAME_BODY);
      const except = "except" in rest ? rest.except : undefined;
      const targets = to === "all"
        ? this.#sessions.values()
        : [this.#sessions.get(to)];
      for (const session of targets) {
        if (
          session === undefined || !isLive(session) || session.id === except
        ) continue;
        session.link.sendChunks(chunks);
        this.#sessions.touch(session);
        if (this.#behind(session)) slow.push(session);
      }
    }
    for (const session of slow) {
      if (isLive(session)) this.#remove(session, "slow", "too far behind", now);
    }
  }

  /** Warn a member that falls behind; true once it is too far behind. */
  #behind(session: Session): boolean {
    const { channel } = session.link;
    const backlog = channel.queued + channel.unacked;
    if (backlog > this.#maxBacklog) return true;
    if (backlog > this.#maxBacklog / 2 && !session.warnedSlow) {
      session.warnedSlow = true;
      const text =
        `You are falling behind: ${backlog} messages are waiting for you`;
      session.link.send(encodeEvent({ kind: "notice", text }));
    }
    return false;
  }

  #restore(sink: JournalSink, state: JournalState, now: number): void {
    this.#journal = sink;
    this.#room.restore(state.lastId, state.events, state.members);
    for (const m of state.members) {
      const link = new Link(m.id, m.token, now, { initialReceiveSeq: m.next });
      this.#sessions.add({
        id: m.id,
        token: m.token,
        name: m.name,
        link,
        suspendedUntil: now + this.#timeoutMs,
      });
    }
    if (state.members.length > 0) {
      this.#log(
        "info",
        `Waiting for ${state.members.length} members to resume`,
      );
    }
  }

  #compact(): void {
    if (!this.#journal?.wantsCompaction) return;
    const members = [...this.#sessions.values()]
      .filter((s) => isLive(s) || s.suspendedUntil !== undefined)
      .map((s) => ({
        id: s.id,
        token: s.token,
        name: s.name,
        next: s.link.completedNext,
      }));
    this.#journal.compact({
      lastId: this.#room.lastId,
      events: this.#room.recent(),
      members,
    });
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
