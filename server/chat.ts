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
} from "../protocol/events.ts";
import { MAX_EVENT_BYTES } from "../protocol/limits.ts";
import { truncateUtf8, utf8Length } from "../protocol/text.ts";
import { Bans } from "./bans.ts";
import { isLine } from "./flood.ts";
import { Mutes } from "./mutes.ts";
import { JoinLimits } from "./join_limits.ts";
import type { Logger } from "./log.ts";
import { type MemberPort, Outbound } from "./port.ts";
import { type Delivery, type JoinResult, Room } from "./room.ts";
import { DEFAULT_LOG_SIZE, MemoryLog, type RoomLog } from "./room_log.ts";
import { type Seat, Seats, words } from "./seats.ts";
import { Stats } from "./stats.ts";
import { whoList, type WhoRow, type WhoSource } from "./who.ts";

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

/** What the chat core tells a journal (`--state`) of its members, so a restart keeps it. */
export interface MemberJournal {
  /** Member `id` is now called `name`. */
  renamed(id: number, name: string): void;
  /** Member `id` is away for `reason` (empty: back). */
  away(id: number, reason: string): void;
}

/** A request that counts against a member's rate. */
type Paced = Exclude<ClientRequest, { kind: "leave" }>;

/** The room's rules over members of every kind. */
export class ChatCore {
  /** Who is in the room, and its log. */
  readonly room: Room;
  /** Banned names and addresses. */
  readonly bans = new Bans();
  /** Counters for /stats. */
  readonly stats: Stats;
  /** Who may not speak, told when a mute starts and ends. */
  readonly mutes: Mutes;
  #seats: Seats;
  /** Slow members waiting to be removed, while removals run (see `#deliver`). */
  #slow: Seat[] | undefined;
  /** Members with held requests (let go by `tick`). */
  #waiting = new Set<Seat>();
  /** Members whose /nick waits for the room's log to decide (asked again by `tick`). */
  #undecided: Array<{ seat: Seat; request: Paced }> = [];
  #limits: JoinLimits;
  #log: Logger;
  #rate: number;
  #journal: MemberJournal | undefined;

  /**
   * A room with `options` on `log`, counting into `stats`, reporting to
   * `logger`, telling `journal` what its members change of themselves.
   */
  constructor(
    options: ChatOptions = {},
    logger: Logger = () => {},
    stats = new Stats(),
    log?: RoomLog,
    journal?: MemberJournal,
  ) {
    this.#journal = journal;
    const history = options.history ?? 50;
    this.room = new Room(
      log ?? new MemoryLog(Math.max(DEFAULT_LOG_SIZE, history)),
      history,
      options.announceLimit === 0 ? Infinity : options.announceLimit,
    );
    this.room.motd = options.motd ?? "";
    this.mutes = new Mutes(this.room, (id, event) => {
      this.#seats.get(id)?.port.deliver(new Outbound(event));
    });
    this.stats = stats;
    this.#log = logger;
    this.#limits = new JoinLimits(
      options.joinRate ?? 10,
      options.maxMembers ?? 10_000,
      options.maxOfKind ?? {},
    );
    this.#rate = options.rate ?? 5;
    this.#seats = new Seats(
      this.#rate,
      options.burst ?? 10,
      options.maxBacklog ?? 4096,
    );
  }

  /** How many members there are of `kind` (all kinds without one). */
  count(kind?: string): number {
    return this.#seats.count(kind);
  }

  /** True while `id` is a member. */
  has(id: number): boolean {
    return this.#seats.get(id) !== undefined;
  }

  /** The member's name, or undefined. */
  nameOf(id: number): string | undefined {
    return this.room.get(id)?.name;
  }

  /** The member's IP address, or undefined. */
  hostOf(id: number): string | undefined {
    return this.#seats.get(id)?.host;
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
    const banned = this.bans.refusal(name, host, now);
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
    this.#seats.add(id, host, port, now);
    this.#log(
      "info",
      `${result.member.name} joined from ${host} (${port.kind})`,
    );
    this.#deliver(result.deliveries, now);
    return { ok: true, name: result.member.name };
  }

  /**
   * Seat member `id`, already in the room (restored from a journal), without
   * a word to anyone; it is reached through `port` from now on. False when
   * the room does not have it (its name went to another) or it is seated.
   */
  reseat(id: number, host: string, port: MemberPort, now: number): boolean {
    if (this.room.get(id) === undefined || this.has(id)) return false;
    this.#seats.add(id, host, port, now);
    return true;
  }

  /** Member `id` came back after missing what followed `lastSeen`: send it that. */
  resume(id: number, lastSeen: number, now: number): void {
    const seat = this.#seats.get(id);
    if (seat === undefined) return;
    seat.lastActive = now;
    this.#seats.tellLimits(seat);
    const missed = this.room.since(lastSeen, id);
    const events: ServerEvent[] = missed ??
      [{ kind: "notice", text: words(seat).missed }];
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
      const text = words(seat).slowDown(this.#rate);
      seat.port.deliver(new Outbound({ kind: "notice", text }));
    }
  }

  /**
   * Take member `id` out of the room, telling it (through its port) and the
   * others; logged unless `log` is false (the console says it itself).
   */
  remove(
    id: number,
    why: LeaveWhy,
    reason: string,
    now: number,
    log = true,
  ): boolean {
    const seat = this.#seats.get(id);
    if (seat === undefined) return false;
    reason = truncateUtf8(reason, MAX_REASON_BYTES);
    const name = this.nameOf(id);
    if (log) {
      this.#log(
        "info",
        `${name} ${why === "timeout" ? "timed out" : why}${
          reason ? ` (${reason})` : ""
        }`,
      );
    }
    this.#unseat(seat);
    // What it sent and was told the server had, but will not go out: say so.
    if (why !== "timeout") {
      for (const held of seat.gate.drain()) {
        if (isLine(held)) {
          this.#unsent(seat, held, words(seat).gone(why));
        }
      }
    }
    seat.port.remove(why, reason, now);
    this.#deliver(this.room.leave(id, why, reason, now), now);
    return true;
  }

  /** Member `id` went to another server of the room: forgotten here, without a word. */
  release(id: number): void {
    const seat = this.#seats.get(id);
    if (seat !== undefined) this.#unseat(seat);
    this.room.forget(id);
  }

  /**
   * Another server announced member `id` timed out (this one could not
   * reach the room's store for too long): end it here, without a second
   * announcement.
   */
  timedOutElsewhere(id: number, reason: string, now: number): void {
    const seat = this.#seats.get(id);
    if (seat === undefined) return;
    this.#log("info", `${this.nameOf(id)} timed out (${reason})`);
    this.#unseat(seat);
    seat.port.remove("timeout", reason, now);
    this.room.forget(id, true);
  }

  /** Tell every member here whether the room (its shared store) can be reached. */
  roomAvailable(available: boolean): void {
    for (const seat of this.#seats.values()) {
      const w = words(seat);
      const text = available ? w.roomBack : w.roomAway;
      seat.port.deliver(new Outbound({ kind: "notice", text }));
    }
  }

  /** Remove every member that a ban (made on another server) now covers. */
  enforceBans(now: number): void {
    for (const seat of [...this.#seats.values()]) {
      const name = this.nameOf(seat.id);
      if (
        name !== undefined &&
        this.bans.refusal(name, seat.host, now) !== undefined
      ) {
        this.remove(seat.id, "banned", "", now);
      }
    }
  }

  /** A line from the host's console: an admin message to every member. */
  admin(text: string, now: number): void {
    this.#deliver(this.room.admin(text, now), now);
  }

  /**
   * Tell every member the server is closing; nobody is announced as
   * leaving, unless `announce` (the room goes on on other servers).
   */
  shutdown(
    reason: string,
    now: number,
    why: GoodbyeWhy = "closing",
    announce = false,
  ): void {
    for (const seat of [...this.#seats.values()]) {
      this.#unseat(seat);
      seat.port.remove(why, reason, now);
      if (announce) {
        this.#deliver(this.room.leave(seat.id, "left", reason, now), now);
      }
    }
  }

  /**
   * Tell every member the server is restarting: those that can resume stay
   * members (they wait and come back to the restarted server), the rest
   * are told and let go. Nobody is announced as leaving.
   */
  restart(reason: string, now: number): void {
    for (const seat of [...this.#seats.values()]) {
      if (seat.port.restart?.(reason, now)) continue;
      this.#unseat(seat);
      if (!seat.port.restart) seat.port.remove("closing", reason, now);
    }
  }

  /** Advance time: end mutes that ran out, perform throttled requests as their members' rates allow. */
  tick(now: number): void {
    this.mutes.expire(now);
    for (const { seat, request } of this.#undecided.splice(0)) {
      if (this.has(seat.id)) this.#perform(seat, request, now);
    }
    for (const seat of this.#waiting) {
      for (
        let r = seat.gate.next(now);
        r !== undefined;
        r = seat.gate.next(now)
      ) {
        this.#act(seat, r, now);
        if (!this.has(seat.id)) break;
      }
      if (seat.gate.waiting === 0) this.#waiting.delete(seat);
    }
  }

  /** The members for /who: at most `limit` of them, fitting `maxBytes` as one WHO event. */
  who(now: number, limit = Infinity, maxBytes = Infinity): {
    total: number;
    entries: WhoRow[];
  } {
    return whoList(this.#whoSources(now), now, limit, maxBytes);
  }

  *#whoSources(now: number): Generator<WhoSource> {
    const here = this.room.here;
    for (const seat of this.#seats.values()) {
      const member = this.room.get(seat.id);
      if (member === undefined) continue;
      const { name, away } = member;
      yield {
        name,
        away,
        lastActive: seat.lastActive,
        link: seat.port.describe(now),
        ...(here === undefined ? {} : { server: here }),
      };
    }
    // Members of the other servers sharing the room: where, not how.
    for (const { name, away, server } of this.room.remotes()) {
      yield {
        name,
        away,
        lastActive: now,
        link: { address: "", rttMs: 0, lossPercent: 0 },
        server,
      };
    }
  }

  #unseat(seat: Seat): void {
    this.#seats.delete(seat);
    this.#waiting.delete(seat);
  }

  /** Carry out a request whose turn has come. */
  #act(seat: Seat, request: ClientRequest, now: number): void {
    if (request.kind === "leave") {
      this.remove(seat.id, "left", oneLine(request.reason), now);
      return;
    }
    if (isLine(request)) {
      // A mute that ran out ends (and is told) before the line that follows it.
      this.mutes.expire(now);
      const why = this.#refusal(seat, request.text, now);
      if (why !== undefined) return this.#unsent(seat, request, why);
    }
    this.#perform(seat, request, now);
  }

  /** Why a line of `seat`'s may not go out (muted, too long for its kind), or undefined. */
  #refusal(seat: Seat, text: string, now: number): string | undefined {
    const muted = this.mutes.left(seat.id, now);
    if (muted > 0) return words(seat).muted(muted);
    const most = seat.port.maxTextBytes;
    if (most !== undefined && utf8Length(text) > most) {
      return words(seat).longer(most);
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
    const w = words(seat);
    switch (request.kind) {
      case "say":
        this.stats.message();
        this.#log("info", `${name}: ${request.text}`);
        return this.#deliver(this.room.say(id, request.text, now, w), now);
      case "action":
        this.stats.message();
        this.#log("info", `* ${name} ${request.text}`);
        return this.#deliver(this.room.action(id, request.text, now, w), now);
      case "private": {
        const to = this.room.findAnywhere(request.to);
        if (to === undefined || to.id === id) {
          const why = to === undefined
            ? w.noMember(request.to, true)
            : w.isSelf(true);
          return this.#unsent(seat, request, why);
        }
        this.stats.message();
        return this.#deliver(
          this.room.private(id, request.to, request.text, now, w),
          now,
        );
      }
      case "nick": {
        // The one rule for every kind of member: a banned name stays banned.
        const banned = this.bans.nameRefusal(request.name, now, w);
        if (banned !== undefined) {
          return void seat.port.deliver(
            new Outbound({ kind: "notice", text: banned }),
          );
        }
        const deliveries = this.room.nick(id, request.name, now, w);
        // Another server's store decides: asked again on the next tick.
        if (deliveries === undefined) {
          return void this.#undecided.push({ seat, request });
        }
        const renamed = this.nameOf(id);
        if (renamed !== name && renamed !== undefined) {
          this.#journal?.renamed(id, renamed);
        }
        return this.#deliver(deliveries, now);
      }
      case "away": {
        const deliveries = this.room.away(id, request.reason, now, w);
        if (deliveries.length > 0) this.#journal?.away(id, request.reason);
        return this.#deliver(deliveries, now);
      }
      case "who":
        // Paced too: a WHO answer is large, a flood of them would be costly.
        seat.port.deliver(
          new Outbound({
            // A room several servers share says where each member is.
            kind: this.room.here === undefined ? "who" : "whoAt",
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

  /**
   * A room event the room's log delivers itself (a log shared by servers),
   * now that its turn in the room's order has come.
   */
  deliverLogged(entry: Delivery, now: number): void {
    this.#fanOut([entry], now);
  }

  /** Hand deliveries to their members' ports (those the log holds come later, see `deliverLogged`). */
  #deliver(deliveries: Delivery[], now: number): void {
    for (const { event } of deliveries) {
      if (event.kind === "admin") this.stats.message();
    }
    this.#fanOut(this.room.notHeld(deliveries), now);
  }

  /** Hand deliveries to their members' ports; drop those too far behind. */
  #fanOut(deliveries: Delivery[], now: number): void {
    const slow = this.#seats.fanOut(deliveries);
    // Removing one slow member announces it, which may find others slow:
    // while removals run, new ones wait their turn here, so a room of slow
    // members is a loop, never a recursion as deep as the room.
    if (this.#slow !== undefined) return void this.#slow.push(...slow);
    this.#slow = slow;
    try {
      for (let seat = slow.shift(); seat; seat = slow.shift()) {
        if (this.has(seat.id)) {
          this.remove(seat.id, "slow", "too far behind", now);
        }
      }
    } finally {
      this.#slow = undefined;
    }
  }
}

/** A member's free text (a reason to leave) as one line: runs of white space become one space. */
function oneLine(text: string): string {
  return text.replace(/[\s\p{Cc}]+/gu, " ").trim();
}
