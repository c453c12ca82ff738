/**
 * The chat core: the room's rules, for every kind of member alike, and no
 * transport. Admission by name (bans, join rate, room size), requests
 * (say, private line, action, nick, away, who), flood control, kicks, bans
 * and mutes, the slow-member rule, history and admin lines. Members are
 * reached only through their `MemberPort`; the room's names and events go
 * through its `RoomLog`. Pure: time comes in as `now`.
 * @module
 */

import {
  type ClientRequest,
  type GoodbyeWhy,
  type LeaveWhy,
  MAX_REASON_BYTES,
  MAX_WHO_LISTED,
  type ServerEvent,
  type WhoEntry,
} from "../protocol/events.ts";
import { MAX_EVENT_BYTES } from "../protocol/limits.ts";
import { truncateUtf8, utf8Length } from "../protocol/text.ts";
import { Bans } from "./bans.ts";
import { FloodGate, isLine } from "./flood.ts";
import { JoinLimits } from "./join_limits.ts";
import type { Logger } from "./log.ts";
import { type MemberPort, Outbound } from "./port.ts";
import { type Delivery, type JoinResult, Room } from "./room.ts";
import { DEFAULT_LOG_SIZE, MemoryLog, type RoomLog } from "./room_log.ts";
import { Stats } from "./stats.ts";

/** The room's rules; every field has a default. */
export interface ChatOptions {
  /** Most members at once, per kind of member (a kind absent: `maxMembers`). */
  maxMembers?: number;
  /** Most members of one kind, by kind ("classic": ...). */
  maxOfKind?: Readonly<Record<string, number>>;
  /** Messages a joining member is shown from before it came (0: none). */
  history?: number;
  /** Messages queued for one member before it is dropped as too slow. */
  maxBacklog?: number;
  /** Flood control: messages per second per member (0: no limit), and the burst. */
  rate?: number;
  burst?: number;
  /** Joins per second from one IP address, per kind (0: no limit); burst is 4× that. */
  joinRate?: number;
  /** The message of the day. */
  motd?: string;
  /** Above this many members joins and leaves are not announced (0: always announced). */
  announceLimit?: number;
}

/** Why a join was refused, whatever the transport says of it. */
export type Refusal =
  | Exclude<JoinResult, { ok: true }>["problem"]
  | "banned"
  | "throttled"
  | "full";

/** Outcome of `ChatCore.admit`. */
export type Admitted =
  | { ok: true; name: string }
  | { ok: false; problem: Refusal; message: string };

/** A WHO event's bytes besides its entries: kind, total, count (see events.ts). */
const WHO_HEADER_BYTES = 1 + 4 + 2;
/** A WHO entry's bytes besides its name and away text: length prefixes, idle, rtt, loss. */
const WHO_ENTRY_BYTES = 1 + 4 + 4 + 1 + 2;

/** A request that counts against a member's rate. */
type Paced = Exclude<ClientRequest, { kind: "leave" }>;

/** A member as the chat core keeps it. */
interface Seat {
  readonly id: number;
  readonly port: MemberPort;
  /** The IP address it came from (bans). */
  readonly host: string;
  gate: FloodGate;
  warnedSlow: boolean;
  /** When it last asked for anything (its idle time in /who). */
  lastActive: number;
}

/** The room's rules over members of every kind. */
export class ChatCore {
  /** Who is in the room, and its log. */
  readonly room: Room;
  /** Banned names and addresses. */
  readonly bans = new Bans();
  /** Counters for /stats. */
  readonly stats: Stats;
  #seats = new Map<number, Seat>();
  /** How many members of each kind (counted, not scanned: joins can come in floods). */
  #ofKind = new Map<string, number>();
  /** Members with held requests (let go by `tick`). */
  #waiting = new Set<Seat>();
  #limits: JoinLimits;
  #log: Logger;
  #maxBacklog: number;
  #rate: number;
  #burst: number;

  /** A room with `options` on `log`, counting into `stats`, reporting to `logger`. */
  constructor(
    options: ChatOptions = {},
    logger: Logger = () => {},
    stats = new Stats(),
    log?: RoomLog,
  ) {
    const history = options.history ?? 50;
    this.room = new Room(
      log ?? new MemoryLog(Math.max(DEFAULT_LOG_SIZE, history)),
      history,
      options.announceLimit === 0 ? Infinity : options.announceLimit,
    );
    this.room.motd = options.motd ?? "";
    this.stats = stats;
    this.#log = logger;
    this.#limits = new JoinLimits(
      options.joinRate ?? 10,
      options.maxMembers ?? 10_000,
      options.maxOfKind ?? {},
    );
    this.#maxBacklog = options.maxBacklog ?? 4096;
    this.#rate = options.rate ?? 5;
    this.#burst = options.burst ?? 10;
  }

  /** How many members there are of `kind` (all kinds without one). */
  count(kind?: string): number {
    if (kind === undefined) return this.#seats.size;
    return this.#ofKind.get(kind) ?? 0;
  }

  /** True while `id` is a member. */
  has(id: number): boolean {
    return this.#seats.has(id);
  }

  /** The member's name, or undefined. */
  nameOf(id: number): string | undefined {
    return this.room.get(id)?.name;
  }

  /** The member's IP address, or undefined. */
  hostOf(id: number): string | undefined {
    return this.#seats.get(id)?.host;
  }

  /** Why `name` from `host` may not join (a ban in force), or undefined. */
  banned(name: string, host: string, now: number): string | undefined {
    const until = this.bans.until(name, host, now);
    if (until === undefined) return undefined;
    const left = until === Infinity
      ? ""
      : ` for ${Math.ceil((until - now) / 60_000)} more minutes`;
    return `You are banned from this room${left}`;
  }

  /**
   * Admit member `id` as `name`, from `host`, reached through `port`: the
   * same checks for every kind (bans, join rate, room size, name). On
   * success the member gets its welcome and everyone else is told.
   */
  admit(
    id: number,
    name: string,
    host: string,
    port: MemberPort,
    now: number,
  ): Admitted {
    const banned = this.banned(name, host, now);
    if (banned !== undefined) {
      return { ok: false, problem: "banned", message: banned };
    }
    const { kind } = port;
    const full = this.#limits.full(kind, (k) => this.count(k));
    if (full !== undefined) {
      return { ok: false, problem: "full", message: full };
    }
    if (!this.#limits.allowed(kind, host, now)) {
      this.stats.drop("join throttled");
      return {
        ok: false,
        problem: "throttled",
        message: "Too many joins from your address; wait a moment",
      };
    }
    const result = this.room.join(id, name, now);
    if (!result.ok) return result;
    this.#seat(id, host, port, now);
    this.#log(
      "info",
      `${result.member.name} joined from ${host} (${port.kind})`,
    );
    this.#deliver(result.deliveries, now);
    return { ok: true, name: result.member.name };
  }

  /**
   * Seat member `id`, already in the room (restored from a journal), without
   * a word to anyone; it is reached through `port` from now on.
   */
  reseat(id: number, host: string, port: MemberPort, now: number): void {
    if (this.room.get(id) !== undefined) this.#seat(id, host, port, now);
  }

  /** Member `id` came back after missing what followed `lastSeen`: send it that. */
  resume(id: number, lastSeen: number, now: number): void {
    const seat = this.#seats.get(id);
    if (seat === undefined) return;
    seat.lastActive = now;
    this.#tellLimits(seat);
    const missed = this.room.since(lastSeen, id);
    const events: ServerEvent[] = missed ??
      [{
        kind: "notice",
        text: "Some messages were missed while you were away",
      }];
    for (const event of events) seat.port.deliver(new Outbound(event));
  }

  /** Act on a request of member `id`, within its rate. */
  request(id: number, request: ClientRequest, now: number): void {
    const seat = this.#seats.get(id);
    if (seat === undefined) return;
    seat.lastActive = now;
    const verdict = seat.gate.offer(request, now);
    if (verdict === "now") return this.#act(seat, request, now);
    this.#waiting.add(seat);
    this.stats.drop("over the rate (delayed)");
    if (verdict === "flooding") {
      this.remove(id, "kicked", "flooding", now);
    } else if (seat.gate.tellNow) {
      const text =
        `Slow down: at most ${this.#rate} messages a second; yours are being delayed`;
      seat.port.deliver(new Outbound({ kind: "notice", text }));
    }
  }

  /** Take member `id` out of the room, telling it (through its port) and the others. */
  remove(id: number, why: LeaveWhy, reason: string, now: number): boolean {
    const seat = this.#seats.get(id);
    if (seat === undefined) return false;
    reason = truncateUtf8(reason, MAX_REASON_BYTES);
    const name = this.nameOf(id);
    this.#log(
      "info",
      `${name} ${why === "timeout" ? "timed out" : why}${
        reason ? ` (${reason})` : ""
      }`,
    );
    this.#unseat(seat);
    // What it sent and was told the server had, but will not go out: say so.
    if (why !== "timeout") {
      for (const held of seat.gate.drain()) {
        if (isLine(held)) {
          this.#unsent(
            seat,
            held,
            `you ${why === "left" ? "left" : `were ${why}`}`,
          );
        }
      }
    }
    seat.port.remove(why, reason, now);
    this.#deliver(this.room.leave(id, why, reason, now), now);
    return true;
  }

  /** A line from the host's console: an admin message to every member. */
  admin(text: string, now: number): void {
    this.#deliver(this.room.admin(text, now), now);
  }

  /** Silence the member named `name` until `until`; false when there is none. */
  mute(name: string, until: number): boolean {
    return this.room.mute(name, until);
  }

  /** Tell every member the server is closing; nobody is announced as leaving. */
  shutdown(reason: string, now: number, why: GoodbyeWhy = "closing"): void {
    for (const seat of [...this.#seats.values()]) {
      this.#unseat(seat);
      seat.port.remove(why, reason, now);
    }
  }

  /** Advance time: perform throttled requests as their members' rates allow. */
  tick(now: number): void {
    for (const seat of this.#waiting) {
      for (
        let r = seat.gate.next(now);
        r !== undefined;
        r = seat.gate.next(now)
      ) {
        this.#act(seat, r, now);
        if (!this.#seats.has(seat.id)) break;
      }
      if (seat.gate.waiting === 0) this.#waiting.delete(seat);
    }
  }

  /**
   * The members for /who: at most `limit` of them, fitting `maxBytes` as a
   * WHO event (so a reply of any size is cut by design, never overflows),
   * and how many there are.
   */
  who(now: number, limit = Infinity, maxBytes = Infinity): {
    total: number;
    entries: Array<WhoEntry & { address: string }>;
  } {
    const entries: Array<WhoEntry & { address: string }> = [];
    let total = 0;
    let bytes = WHO_HEADER_BYTES;
    for (const seat of this.#seats.values()) {
      const link = seat.port.describe(now);
      const member = this.room.get(seat.id);
      if (link === undefined || member === undefined) continue;
      total++;
      if (entries.length >= limit) continue;
      const size = WHO_ENTRY_BYTES + utf8Length(member.name) +
        utf8Length(member.away);
      if (bytes + size > maxBytes) {
        limit = entries.length;
        continue;
      }
      bytes += size;
      entries.push({
        name: member.name,
        address: link.address,
        idleMs: Math.max(0, now - seat.lastActive),
        rttMs: link.rttMs,
        lossPercent: link.lossPercent,
        away: member.away,
      });
    }
    return { total, entries };
  }

  #seat(id: number, host: string, port: MemberPort, now: number): void {
    const seat: Seat = {
      id,
      port,
      host,
      gate: new FloodGate(this.#rate, this.#burst, now),
      warnedSlow: false,
      lastActive: now,
    };
    this.#seats.set(id, seat);
    this.#ofKind.set(port.kind, this.count(port.kind) + 1);
    this.#tellLimits(seat);
  }

  #unseat(seat: Seat): void {
    this.#seats.delete(seat.id);
    this.#ofKind.set(seat.port.kind, this.count(seat.port.kind) - 1);
    this.#waiting.delete(seat);
  }

  /** Tell a member the flood limit, so its client paces itself under it. */
  #tellLimits(seat: Seat): void {
    const event: ServerEvent = {
      kind: "limits",
      burst: this.#burst,
      perSecond: this.#rate,
    };
    seat.port.deliver(new Outbound(event));
  }

  /** Carry out a request whose turn has come. */
  #act(seat: Seat, request: ClientRequest, now: number): void {
    if (request.kind === "leave") {
      this.remove(seat.id, "left", "", now);
      return;
    }
    if (isLine(request)) {
      const why = this.#refusal(seat, request.text, now);
      if (why !== undefined) return this.#unsent(seat, request, why);
    }
    this.#perform(seat, request, now);
  }

  /** Why a line of `seat`'s may not go out (muted, too long for its kind), or undefined. */
  #refusal(seat: Seat, text: string, now: number): string | undefined {
    const muted = this.room.mutedUntil(seat.id) - now;
    if (muted > 0) {
      return `you are muted for ${Math.ceil(muted / 1000)} more seconds`;
    }
    const most = seat.port.maxTextBytes;
    if (most !== undefined && utf8Length(text) > most) {
      return `longer than ${most} bytes`;
    }
    return undefined;
  }

  /** Tell the member a line it sent will not go out. */
  #unsent(seat: Seat, request: ClientRequest, reason: string): void {
    this.stats.drop("not delivered");
    seat.port.deliver(new Outbound({ kind: "unsent", request, reason }));
  }

  /** Act on a chat-like request (within the member's rate). */
  #perform(seat: Seat, request: Paced, now: number): void {
    const { id } = seat;
    const name = this.nameOf(id);
    switch (request.kind) {
      case "say":
        this.stats.message();
        this.#log("info", `${name}: ${request.text}`);
        return this.#deliver(this.room.say(id, request.text, now), now);
      case "action":
        this.stats.message();
        this.#log("info", `* ${name} ${request.text}`);
        return this.#deliver(this.room.action(id, request.text, now), now);
      case "private":
        this.stats.message();
        return this.#deliver(
          this.room.private(id, request.to, request.text, now),
          now,
        );
      case "nick":
        return this.#deliver(this.room.nick(id, request.name, now), now);
      case "away":
        return this.#deliver(this.room.away(id, request.reason, now), now);
      case "who":
        // Paced too: a WHO answer is large, a flood of them would be costly.
        seat.port.deliver(
          new Outbound({
            kind: "who",
            ...this.who(now, MAX_WHO_LISTED, MAX_EVENT_BYTES),
          }),
        );
        return;
      default: {
        const _exhaustive: never = request;
        throw new TypeError(`Unhandled request ${_exhaustive}`);
      }
    }
  }

  /** Hand deliveries to their members' ports; drop those too far behind. */
  #deliver(deliveries: Delivery[], now: number): void {
    const slow: Seat[] = [];
    for (const delivery of deliveries) {
      const outbound = new Outbound(delivery.event);
      if (delivery.event.kind === "admin") this.stats.message();
      if (delivery.to !== "all") {
        const seat = this.#seats.get(delivery.to);
        if (seat !== undefined && this.#behind(seat, outbound)) slow.push(seat);
        continue;
      }
      for (const seat of this.#seats.values()) {
        if (seat.id === delivery.except) continue;
        if (this.#behind(seat, outbound)) slow.push(seat);
      }
    }
    for (const seat of slow) {
      if (this.#seats.has(seat.id)) {
        this.remove(seat.id, "slow", "too far behind", now);
      }
    }
  }

  /** Deliver to one member; warn it when it falls behind; true once too far behind. */
  #behind(seat: Seat, outbound: Outbound): boolean {
    const backlog = seat.port.deliver(outbound);
    if (backlog > this.#maxBacklog) return true;
    if (backlog > this.#maxBacklog / 2 && !seat.warnedSlow) {
      seat.warnedSlow = true;
      const text =
        `You are falling behind: ${backlog} messages are waiting for you`;
      seat.port.deliver(new Outbound({ kind: "notice", text }));
    }
    return false;
  }
}
