/**
 * The server's pure core: the handshake, sessions, requests, and what to
 * send; the join handshake itself is `Admission`'s (`admission.ts`). The
 * shell (`server.ts`) feeds it datagrams and clock ticks and sends what
 * `poll` returns; nothing here touches a socket, a file or the clock.
 * The console's commands (`commands.ts`) work on its public parts.
 * @module
 */

import { type Address, formatAddress } from "../protocol/address.ts";
import {
  type ClientRequest,
  decodeRequest,
  encodeEvent,
  type GoodbyeWhy,
  type LeaveWhy,
  MAX_REASON_BYTES,
  MAX_WHO_LISTED,
  type ServerEvent,
} from "../protocol/events.ts";
import { split } from "../protocol/fragment.ts";
import { Link, sameToken } from "../protocol/link.ts";
import { truncateUtf8 } from "../protocol/text.ts";
import {
  decodePacket,
  encodePacket,
  isNative,
  MAX_FRAME_BODY,
  type Packet,
  SESSION_FIXED_BYTES,
  type SessionPacket,
} from "../protocol/packet.ts";
import { acceptedInTheClear, type Origin } from "../protocol/clear.ts";
import { Admission } from "./admission.ts";
import { Bans } from "./bans.ts";
import { ClassicGateway } from "./classic.ts";
import type { Journal, JournalState } from "./journal.ts";
import { DEFAULT_LOG_SIZE, type Delivery, Room } from "./room.ts";
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
  /** Messages a joining member is shown from before it came (0: none). */
  history?: number;
  /** Frames queued for one member before it is dropped as too slow. */
  maxBacklog?: number;
  /** Flood control: messages per second per member (0: no limit), and the burst. */
  rate?: number;
  burst?: number;
  /** Joins per second from one IP address (0: no limit); burst is 4× that. */
  joinRate?: number;
  /** The message of the day. */
  motd?: string;
  /** Above this many members joins and leaves are not announced (0: always announced). */
  announceLimit?: number;
  /** Accept clients of the classic text protocol (default true). */
  classic?: boolean;
  /** A classic member silent this long is dropped (ms; default 30 minutes). */
  classicTimeoutMs?: number;
  /** Cookie secret (tests); random by default. */
  cookieSecret?: Uint8Array;
  /**
   * The room's salt when it has a passphrase: the shell's guard seals and
   * opens; this core then accepts only a first JOIN in the clear.
   */
  salt?: Uint8Array;
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

/** Requests that count against a member's rate. */
type Paced = Exclude<ClientRequest, { kind: "leave" }>;

/** A datagram to send. */
export interface Outgoing {
  bytes: Uint8Array;
  to: Address;
}

/** How long a session lingers after its GOODBYE, for the ack (ms). */
const LINGER_MS = 3000;
/** Most handshake replies queued before further ones are dropped. */
export const MAX_REPLIES = 1024;
/** Most datagrams queued for classic members before further ones are dropped. */
const MAX_CLASSIC_QUEUE = 65_536;

/** Server state and protocol logic, driven by the shell. */
export class ServerCore {
  /** Counters for /stats and the benchmark. */
  readonly stats = new Stats();
  /** Who is in the room. */
  readonly room: Room;
  /** Every session. */
  readonly sessions = new Sessions();
  /** Banned names and addresses. */
  readonly bans = new Bans();
  /** A member silent this long is removed (ms). */
  readonly timeoutMs: number;
  #admission: Admission;
  #log: Logger;
  #journal: JournalSink | undefined;
  #maxBacklog: number;
  #rate: number;
  #burst: number;
  #replies: Outgoing[] = [];
  #salt: Uint8Array | undefined;
  /** Clients of the classic text protocol. */
  readonly classic: ClassicGateway;
  #classicQueue: Outgoing[] = [];

  /**
   * A core with `options`, reporting to `log`. With a journal, `restored`
   * is what it held: its members wait (suspended) to resume.
   */
  constructor(
    options: ServerOptions = {},
    log: Logger = () => {},
    journal?: { sink: JournalSink; restored: JournalState; now: number },
  ) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.#maxBacklog = options.maxBacklog ?? 4096;
    this.#rate = options.rate ?? 5;
    this.#burst = options.burst ?? 10;
    const history = options.history ?? 50;
    this.room = new Room(
      Math.max(DEFAULT_LOG_SIZE, history),
      history,
      options.announceLimit === 0 ? Infinity : options.announceLimit,
    );
    this.room.motd = options.motd ?? "";
    this.#salt = options.salt;
    this.#log = log;
    this.#admission = new Admission(
      {
        room: this.room,
        sessions: this.sessions,
        bans: this.bans,
        stats: this.stats,
        reply: (bytes, to, limit) => this.#reply(bytes, to, limit),
        deliver: (deliveries, now) => this.#deliver(deliveries, now),
        recordMember: (id, token, name) =>
          this.#journal?.member(id, token, name),
        log: (text) => this.#log("info", text),
      },
      {
        heartbeatMs: options.heartbeatMs ?? 1000,
        timeoutMs: this.timeoutMs,
        maxMembers: options.maxMembers ?? 10_000,
        rate: this.#rate,
        burst: this.#burst,
        joinRate: options.joinRate ?? 10,
        cookieSecret: options.cookieSecret,
        salt: options.salt,
      },
    );
    this.classic = new ClassicGateway(
      {
        room: this.room,
        deliver: (deliveries, now) => this.#deliver(deliveries, now),
        send: (bytes, to) => this.#queueClassic(bytes, to),
        joinAllowed: (host, now) => this.#admission.joinAllowed(host, now),
        banned: (name, host, now) => this.#admission.banned(name, host, now),
        log: (text) => this.#log("info", text),
        drop: (reason) => this.stats.drop(reason),
      },
      options.classicTimeoutMs ?? 30 * 60_000,
      options.salt !== undefined
        ? "This room needs a passphrase; classic clients cannot join"
        : options.classic === false
        ? "Classic clients are turned off here"
        : undefined,
    );
    if (journal !== undefined) {
      this.#restore(journal.sink, journal.restored, journal.now);
    }
  }

  /** Members currently in the room. */
  get memberCount(): number {
    return this.room.size;
  }

  /** True when no session is left (every GOODBYE acknowledged or given up). */
  get drained(): boolean {
    return this.sessions.size === 0;
  }

  /**
   * Take in one datagram from `from`. Never throws on bad input. `origin`
   * is what the passphrase guard made of it (always "plain" without one).
   */
  receive(
    bytes: Uint8Array,
    from: Address,
    now: number,
    origin: Origin = "plain",
  ): void {
    this.stats.datagramIn(bytes.byteLength);
    if (origin === "forged") {
      return this.#admission.forged(bytes.byteLength, from);
    }
    if (!isNative(bytes)) {
      this.classic.receive(bytes, from, now);
      this.#journal?.flush();
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
    if (
      this.#salt !== undefined && origin === "plain" &&
      !acceptedInTheClear(packet.type, "server")
    ) {
      this.stats.drop("not sealed");
      return;
    }
    this.#dispatch(packet, from, now, origin);
    // Recorded before anything it caused is sent (poll comes after).
    this.#journal?.flush();
  }

  /** The socket failed to receive or send; counted by error name. */
  socketError(what: "receive" | "send", error: Error): void {
    this.stats.drop(`${what} error: ${error.name}`);
  }

  /** A line from the host's console: an admin message to every member. */
  admin(text: string, now: number): void {
    this.#deliver(this.room.admin(text, now), now);
    this.#journal?.flush();
  }

  /** Take a member out of the room, telling it (unless it timed out) and the others. */
  expel(session: Session, why: LeaveWhy, reason: string, now: number): void {
    reason = truncateUtf8(reason, MAX_REASON_BYTES);
    const timedOut = why === "timeout";
    this.#log(
      "info",
      `${session.name} ${timedOut ? "timed out" : why}${
        reason ? ` (${reason})` : ""
      }`,
    );
    this.#journal?.gone(session.id);
    if (timedOut || !isLive(session)) this.sessions.forget(session);
    else this.#goodbye(session, why, reason, now);
    this.#deliver(this.room.leave(session.id, why, reason, now), now);
    this.#journal?.flush();
  }

  /** Tell every member the server is closing; sessions end once acked. */
  shutdown(reason: string, now: number): void {
    for (const session of this.sessions.values()) {
      if (session.closingUntil !== undefined) continue;
      // Members told the room is closing leave; a restart must not expect them.
      this.#journal?.gone(session.id);
      if (isLive(session)) this.#goodbye(session, "closing", reason, now);
      else this.sessions.forget(session);
    }
    this.classic.shutdown(reason);
    this.#journal?.flush();
  }

  /** Advance time: timeouts, retransmissions, delayed acks, lingering. */
  tick(now: number): void {
    for (const session of this.sessions.values()) {
      const { link } = session;
      if (session.closingUntil !== undefined) {
        const done = link.channel.unacked === 0 && link.channel.queued === 0;
        if (done || now >= session.closingUntil || link.channel.failed) {
          this.sessions.forget(session);
        }
      } else if (session.suspendedUntil !== undefined) {
        if (now >= session.suspendedUntil) {
          this.expel(session, "timeout", "did not come back", now);
        }
      } else if (now - link.lastHeard > this.timeoutMs || link.channel.failed) {
        this.expel(session, "timeout", "no answer", now);
      } else {
        this.#release(session, now);
        if (link.wantsToSend(now)) this.sessions.touch(session);
      }
    }
    this.classic.tick(now);
    this.stats.sample(now);
    this.#journal?.flush();
    this.#compact();
  }

  /**
   * The next datagram to send, or undefined. `into` is a reusable buffer:
   * send the result before calling again.
   */
  poll(into: Uint8Array, now: number): Outgoing | undefined {
    const out = this.#replies.shift() ?? this.#classicQueue.shift() ??
      this.sessions.poll(into, now);
    if (out !== undefined) this.stats.datagramOut(out.bytes.byteLength);
    return out;
  }

  #dispatch(packet: Packet, from: Address, now: number, origin: Origin): void {
    switch (packet.type) {
      case "join":
        return this.#admission.join(packet, from, now, origin);
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

  #queueClassic(bytes: Uint8Array, to: Address): void {
    if (this.#classicQueue.length >= MAX_CLASSIC_QUEUE) {
      return this.stats.drop("classic queue full");
    }
    this.#classicQueue.push({
      bytes,
      to: { hostname: to.hostname, port: to.port },
    });
  }

  #session(packet: SessionPacket, from: Address, now: number): void {
    const session = this.sessions.get(packet.sessionId);
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
      return this.#reply(reset, from, SESSION_FIXED_BYTES);
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
      this.sessions.move(session, from, key);
    }
    const messages = session.link.receive(packet, now);
    for (const message of messages) this.#request(session, message, now);
    if (messages.length > 0) {
      this.#journal?.processed(session.id, session.link.completedNext);
    }
    this.sessions.touch(session);
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
    if (request.kind === "leave") return this.expel(session, "left", "", now);

    if (session.throttled.length > 0 || !session.bucket.take(now)) {
      return this.#throttle(session, request, now);
    }
    this.#perform(session, request, now);
  }

  /** Act on a chat-like request (within the member's rate). */
  #perform(session: Session, request: Paced, now: number): void {
    const { id } = session;
    switch (request.kind) {
      case "say":
        this.stats.message();
        this.#log("info", `${session.name}: ${request.text}`);
        return this.#deliver(this.room.say(id, request.text, now), now);
      case "action":
        this.stats.message();
        this.#log("info", `* ${session.name} ${request.text}`);
        return this.#deliver(this.room.action(id, request.text, now), now);
      case "private":
        this.stats.message();
        return this.#deliver(
          this.room.private(id, request.to, request.text, now),
          now,
        );
      case "nick":
        this.#deliver(this.room.nick(id, request.name, now), now);
        session.name = this.room.get(id)?.name ?? session.name;
        return;
      case "away":
        return this.#deliver(this.room.away(id, request.reason, now), now);
      case "who":
        // Paced too: a WHO answer is large, a flood of them would be costly.
        return this.#send(session, {
          kind: "who",
          ...this.who(now, MAX_WHO_LISTED),
        });
      default: {
        const _exhaustive: never = request;
        throw new TypeError(`Unhandled request ${_exhaustive}`);
      }
    }
  }

  /**
   * Flood control: a request over the member's rate waits, in order (loss
   * can bunch up what a client paced). A member whose waiting requests pass
   * the burst is told to slow down; past three bursts it is disconnected.
   */
  #throttle(session: Session, request: Paced, now: number): void {
    session.throttled.push(request);
    this.stats.drop("over the rate (delayed)");
    if (session.throttled.length > this.#burst * 3) {
      return this.expel(session, "kicked", "flooding", now);
    }
    if (session.throttled.length === this.#burst + 1) {
      const text =
        `Slow down: at most ${this.#rate} messages a second; yours are being delayed`;
      this.#send(session, { kind: "notice", text });
    }
  }

  /** Perform throttled requests as the member's rate allows. */
  #release(session: Session, now: number): void {
    while (
      session.throttled.length > 0 && isLive(session) &&
      session.bucket.take(now)
    ) {
      this.#perform(session, session.throttled.shift()!, now);
    }
  }

  /** The members for /who: at most `limit` of them, and how many there are. */
  who(now: number, limit = Infinity): {
    total: number;
    entries: Array<
      {
        name: string;
        address: string;
        idleMs: number;
        rttMs: number;
        lossPercent: number;
        away: string;
      }
    >;
  } {
    const live = [...this.sessions.values()].filter(isLive);
    const entries = live.slice(0, limit).map((s) => {
      const { sent, retransmitted, srttMs } = s.link.channel.stats();
      return {
        name: s.name,
        address: s.addressKey ?? "",
        idleMs: Math.max(0, now - s.link.lastHeard),
        rttMs: Math.round(srttMs ?? s.link.pingRttMs ?? 0),
        lossPercent: sent === 0
          ? 0
          : Math.min(100, Math.round((100 * retransmitted) / sent)),
        away: this.room.get(s.id)?.away ?? "",
      };
    });
    return { total: live.length, entries };
  }

  #goodbye(
    session: Session,
    why: GoodbyeWhy,
    reason: string,
    now: number,
  ): void {
    session.link.send(encodeEvent({ kind: "goodbye", why, reason }));
    session.closingUntil = now + LINGER_MS;
    this.sessions.touch(session);
  }

  #send(session: Session, event: ServerEvent): void {
    session.link.send(encodeEvent(event));
    this.sessions.touch(session);
  }

  #deliver(deliveries: Delivery[], now: number): void {
    const slow: Session[] = [];
    for (const delivery of deliveries) {
      const { event } = delivery;
      if (event.kind === "admin") this.stats.message();
      const chunks = split(encodeEvent(event), MAX_FRAME_BODY);
      const except = delivery.to === "all" ? delivery.except : undefined;
      const targets = delivery.to === "all"
        ? this.sessions.values()
        : [this.sessions.get(delivery.to)];
      for (const session of targets) {
        if (
          session === undefined || !isLive(session) || session.id === except
        ) continue;
        session.link.queue(chunks);
        this.sessions.touch(session);
        if (this.#behind(session)) slow.push(session);
      }
      this.classic.deliver(delivery);
    }
    for (const session of slow) {
      if (isLive(session)) this.expel(session, "slow", "too far behind", now);
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
    this.room.onRecord = (entry) => sink.event(entry);
    this.room.restore(state.lastId, state.events, state.members);
    for (const m of state.members) {
      const link = new Link(m.id, m.token, now, { initialReceiveSeq: m.next });
      const session = this.#admission.newSession(
        m.id,
        m.token,
        m.name,
        link,
        now,
      );
      session.suspendedUntil = now + this.timeoutMs;
      this.sessions.add(session);
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
    const members = [...this.sessions.values()]
      .filter((s) => isLive(s) || s.suspendedUntil !== undefined)
      .map((s) => ({
        id: s.id,
        token: s.token,
        name: s.name,
        next: s.link.completedNext,
      }));
    this.#journal.compact({
      salt: this.#salt,
      lastId: this.room.lastId,
      events: this.room.recent(),
      members,
    });
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
