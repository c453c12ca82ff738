/**
 * Room state: who is here under which name, what they are (away, muted),
 * and what everyone must be told. Names are owned and events numbered and
 * kept by the room's log (`room_log.ts`). Pure: no sockets, no clock of its
 * own (callers pass `now`). Methods return deliveries; the chat core hands
 * them to each member's port. A notice to the member that acted is worded
 * in its language (`w`, English by default).
 * @module
 */

import {
  type LeaveWhy,
  MAX_MEMBERS_LISTED,
  type RoomEvent,
  type ServerEvent,
} from "../protocol/events.ts";
import {
  type NameCheck,
  nameKey,
  nameTaken,
  validateName,
} from "../protocol/names.ts";
import { validateText } from "../protocol/text.ts";
import { NOTICES_EN, type NoticeWords } from "../wording/notices.ts";
import { type LogEntry, MemoryLog, type RoomLog } from "./room_log.ts";

/** A member as the room knows it; the server keys sessions by the same id. */
export interface RoomMember {
  readonly id: number;
  name: string;
  key: string;
  readonly joinedAt: number;
  /**
   * Id of the last room event before the member was here: it was never
   * sent one at or below this, so resuming never sends them either.
   */
  joinedAfter: number;
  /** Away message; empty when present. */
  away: string;
}

/** A member as a journal brings it back (see `Room.restore`). */
export interface RestoredMember {
  id: number;
  name: string;
  /** See `RoomMember.joinedAfter`; 0 when unknown (an older journal). */
  joinedAfter?: number;
  away?: string;
}

/** One event for one member, or for everyone but `except`. */
export type Delivery =
  | { to: "all"; except?: number; event: ServerEvent }
  | { to: number; event: ServerEvent };

/** Outcome of a join attempt: admitted, refused, or pending (the log has not decided). */
export type JoinResult =
  | { ok: true; member: RoomMember; deliveries: Delivery[] }
  | Extract<NameCheck, { ok: false }>
  | { ok: false; problem: "pending"; message: string };

/** Rooms larger than this do not announce joins and leaves (see Room). */
export const DEFAULT_ANNOUNCE_LIMIT = 500;

/** Room event kinds replayed as history to a member who joins. */
const HISTORY_KINDS: ReadonlySet<ServerEvent["kind"]> = new Set([
  "chat",
  "action",
  "admin",
]);

/** The chat room. */
export class Room {
  #members = new Map<number, RoomMember>();
  #byKey = new Map<string, RoomMember>();
  #muted = new Map<string, number>();
  #log: RoomLog;
  #history: number;
  /**
   * Above this many members, joins and leaves are not announced: in a room
   * of thousands, a wave of arrivals would tell everyone about everyone.
   */
  #announceLimit: number;
  #motd = "";
  /** Grows with every change of mutes or the message of the day (see `Bans.version`). */
  #version = 0;

  /**
   * A room on `log`; `history`: how many messages a joining member is shown
   * (0: none; at most what the log keeps).
   */
  constructor(
    log: RoomLog = new MemoryLog(),
    history = 50,
    announceLimit = DEFAULT_ANNOUNCE_LIMIT,
  ) {
    this.#announceLimit = announceLimit;
    this.#log = log;
    this.#history = history;
  }

  /** The message of the day shown on join; empty for none. */
  get motd(): string {
    return this.#motd;
  }

  set motd(text: string) {
    this.#motd = text;
    this.#version++;
  }

  /** Grows with every change of mutes or the message of the day. */
  get version(): number {
    return this.#version;
  }

  /** True while the room is small enough to announce joins and leaves. */
  get #announces(): boolean {
    return this.total <= this.#announceLimit;
  }

  /** Members in the whole room: here, and on the other servers sharing it. */
  get total(): number {
    return this.#members.size + (this.#log.remoteCount ?? 0);
  }

  /** Where this server is (HOST:PORT) when other servers share the room; else undefined. */
  get here(): string | undefined {
    return this.#log.here;
  }

  /** The members of the other servers sharing the room (see `RoomLog.remotes`). */
  remotes(): Iterable<{ name: string; away: string; server: string }> {
    return this.#log.remotes?.() ?? [];
  }

  /** How many members are in the room. */
  get size(): number {
    return this.#members.size;
  }

  /** Id of the newest room event (0 before the first). */
  get lastId(): number {
    return this.#log.lastId;
  }

  /** Members in join order. */
  members(): RoomMember[] {
    return [...this.#members.values()];
  }

  /** The member with this id. */
  get(id: number): RoomMember | undefined {
    return this.#members.get(id);
  }

  /** The member with this name (any case or width). */
  find(name: string): RoomMember | undefined {
    const check = validateName(name);
    return check.ok ? this.#byKey.get(check.key) : undefined;
  }

  /** The member with this name here or on another server of the room (id and name). */
  findAnywhere(name: string): { id: number; name: string } | undefined {
    const check = validateName(name);
    if (!check.ok) return undefined;
    return this.#byKey.get(check.key) ?? this.#log.remote?.(check.key);
  }

  /**
   * The deliveries to hand out now: all of them, but for those the room's
   * log hands out itself, later (see `RoomLog.held`; a room in one process
   * has none, and pays no copy).
   */
  notHeld(deliveries: Delivery[]): Delivery[] {
    const log = this.#log;
    if (log.held === undefined) return deliveries;
    return deliveries.filter((d) => !log.held!(d));
  }

  /** Check a name without joining (the name as given, or why not). */
  checkName(raw: string): NameCheck {
    const check = validateName(raw);
    if (check.ok && this.#byKey.has(check.key)) return nameTaken(check.name);
    return check;
  }

  /** Admit a member under `raw` (normalised), telling everyone else. */
  join(id: number, raw: string, now: number): JoinResult {
    const check = this.checkName(raw);
    if (!check.ok) return check;
    if (this.#members.has(id)) {
      throw new RangeError(
        `Cannot join: member id ${id} is already in the room`,
      );
    }
    const claim = this.#log.claim(check.key, id);
    if (claim === "taken") return nameTaken(check.name);
    if (claim === "pending") {
      return { ok: false, problem: "pending", message: "Checking the name" };
    }
    this.#add({
      id,
      name: check.name,
      key: check.key,
      joinedAt: now,
      joinedAfter: 0,
      away: "",
    });
    const welcome: Delivery[] = [
      {
        to: id,
        event: {
          kind: "members",
          total: this.total,
          names: this.#firstNames(),
        },
      },
    ];
    const history = this.#history === 0
      ? []
      : this.#log.history(this.#history, HISTORY_KINDS);
    for (const event of history) {
      welcome.push({ to: id, event: { kind: "history", event } });
    }
    if (this.motd !== "") {
      welcome.push({ to: id, event: { kind: "motd", text: this.motd } });
    }
    const joined = this.#announces
      ? [
        this.#record(
          { kind: "joined", id: 0, time: now, name: check.name },
          "all",
          id,
        ),
      ]
      : [];
    const member = this.#members.get(id)!;
    // Its own JOINED went to the others only: everything so far is before it.
    member.joinedAfter = this.#log.lastId;
    return {
      ok: true,
      member,
      deliveries: [...welcome, ...joined],
    };
  }

  /** Remove a member, telling the others why. Unknown ids yield nothing. */
  leave(id: number, why: LeaveWhy, reason: string, now: number): Delivery[] {
    const member = this.#members.get(id);
    if (member === undefined) return [];
    const announce = this.#announces;
    this.#members.delete(id);
    this.#byKey.delete(member.key);
    this.#log.release(member.key, id);
    if (!announce) return [];
    return [
      this.#record(
        { kind: "left", id: 0, time: now, name: member.name, why, reason },
        "all",
        id,
      ),
    ];
  }

  /** Remove member `id` of another server (a console's /kick); false when there is none. */
  kickElsewhere(id: number, why: "kicked" | "banned", reason: string): boolean {
    return this.#log.kick?.(id, why, reason) ?? false;
  }

  /**
   * Forget a member without a word to anyone: it is now another server's
   * (its name stays taken), or, with `release`, another server already
   * announced it gone (its name is given back).
   */
  forget(id: number, release = false): void {
    const member = this.#members.get(id);
    if (member === undefined) return;
    this.#members.delete(id);
    this.#byKey.delete(member.key);
    if (release) this.#log.release(member.key, id);
  }

  /** A member's chat line, for everyone else; invalid text earns a notice. */
  say(
    id: number,
    raw: string,
    now: number,
    w: NoticeWords = NOTICES_EN,
  ): Delivery[] {
    return this.#speak(id, raw, w, (from, text) => {
      return [
        this.#record({ kind: "chat", id: 0, time: now, from, text }, "all", id),
      ];
    });
  }

  /** A member's action ("/me waves"), for everyone else. */
  action(
    id: number,
    raw: string,
    now: number,
    w: NoticeWords = NOTICES_EN,
  ): Delivery[] {
    return this.#speak(id, raw, w, (from, text) => {
      return [
        this.#record(
          { kind: "action", id: 0, time: now, from, text },
          "all",
          id,
        ),
      ];
    });
  }

  /** A private message to the member named `to`, for that member and a copy for the sender. */
  private(
    id: number,
    to: string,
    raw: string,
    now: number,
    w: NoticeWords = NOTICES_EN,
  ): Delivery[] {
    const target = this.findAnywhere(to);
    if (target === undefined) return notice(id, w.noMember(to));
    if (target.id === id) return notice(id, w.isSelf());
    return this.#speak(id, raw, w, (from, text) => {
      const event = {
        kind: "private",
        id: 0,
        time: now,
        from,
        to: target.name,
        text,
      } as const;
      // The sender's copy is its proof of delivery: its client shows the
      // line then, never for a message that went nowhere.
      return [this.#record(event, target.id), this.#record({ ...event }, id)];
    });
  }

  /**
   * Rename a member under the joining rules; everyone, the member too, is
   * told. Undefined while the log has not decided whether the name is free
   * (ask again).
   */
  nick(
    id: number,
    raw: string,
    now: number,
    w: NoticeWords = NOTICES_EN,
  ): Delivery[] | undefined {
    const member = this.#members.get(id);
    if (member === undefined) return [];
    const check = validateName(raw);
    if (!check.ok) return notice(id, w.badName(check));
    if (check.name === member.name) {
      return notice(id, w.alreadyNamed(member.name));
    }
    if (check.key !== member.key) {
      const claim = this.#byKey.has(check.key)
        ? "taken"
        : this.#log.claim(check.key, id);
      if (claim === "pending") return undefined;
      if (claim === "taken") {
        return notice(id, w.badName(nameTaken(check.name)));
      }
    }
    const from = member.name;
    this.#byKey.delete(member.key);
    if (check.key !== member.key) this.#log.release(member.key, id);
    // A mute follows the member, not the name it had.
    const muted = this.#muted.get(member.key);
    if (muted !== undefined) {
      this.#muted.delete(member.key);
      this.#muted.set(check.key, muted);
      this.#version++;
    }
    member.name = check.name;
    member.key = check.key;
    this.#byKey.set(member.key, member);
    return [
      this.#record({ kind: "nick", id: 0, time: now, from, to: member.name }),
    ];
  }

  /** Mark a member away (a reason) or back (empty); everyone is told. */
  away(
    id: number,
    reason: string,
    now: number,
    w: NoticeWords = NOTICES_EN,
  ): Delivery[] {
    const member = this.#members.get(id);
    if (member === undefined) return [];
    if (member.away === reason) {
      return notice(id, reason === "" ? w.notAway : w.alreadyAway(reason));
    }
    member.away = reason;
    return [
      this.#record({
        kind: "away",
        id: 0,
        time: now,
        name: member.name,
        reason,
      }),
    ];
  }

  /** A line from the host's console, for every member. */
  admin(raw: string, now: number): Delivery[] {
    const check = validateText(raw);
    if (!check.ok) return [];
    return [
      this.#record({ kind: "admin", id: 0, time: now, text: check.text }),
    ];
  }

  /** Silence the member named `name` until `until` (ms); the member, or undefined when there is none. */
  mute(name: string, until: number): { id: number; name: string } | undefined {
    const member = this.findAnywhere(name);
    if (member === undefined) return undefined;
    // A member of another server too: mutes go to every server of the room.
    this.#muted.set(nameKey(member.name), until);
    this.#version++;
    return member;
  }

  /** The mutes in force at `now` (name key, until when), for a journal. */
  mutes(now: number): Array<[key: string, until: number]> {
    return [...this.#muted].filter(([, until]) => until > now);
  }

  /** Take back mutes a journal kept (absolute times: expired ones stay expired). */
  restoreMutes(mutes: ReadonlyArray<readonly [string, number]>): void {
    for (const [key, until] of mutes) this.#muted.set(key, until);
  }

  /** Lift the mute of the member named `name`; the member, or undefined when it was not muted. */
  unmute(name: string): { id: number; name: string } | undefined {
    const member = this.findAnywhere(name);
    if (member === undefined || !this.#muted.delete(nameKey(member.name))) {
      return undefined;
    }
    this.#version++;
    return member;
  }

  /** End every mute that ran out by `now`; the members still here whose mute ended. */
  expireMutes(now: number): RoomMember[] {
    const ended: RoomMember[] = [];
    for (const [key, until] of this.#muted) {
      if (until > now) continue;
      this.#muted.delete(key);
      this.#version++;
      const member = this.#byKey.get(key);
      if (member !== undefined) ended.push(member);
    }
    return ended;
  }

  /** Until when member `id` is muted (0: not muted). */
  mutedUntil(id: number): number {
    const member = this.#members.get(id);
    return member === undefined ? 0 : this.#muted.get(member.key) ?? 0;
  }

  /** The room events still in the log, oldest first. */
  recent(): LogEntry[] {
    return this.#log.recent();
  }

  /** Start from a journal: members back without a word to anyone. */
  restore(members: readonly RestoredMember[]): void {
    for (const { id, name, joinedAfter = 0, away = "" } of members) {
      const check = validateName(name);
      if (
        check.ok && !this.#byKey.has(check.key) &&
        this.#log.claim(check.key, id) === "ok"
      ) {
        this.#add({
          id,
          name: check.name,
          key: check.key,
          joinedAt: 0,
          joinedAfter,
          away,
        });
      }
    }
  }

  /**
   * Room events after `lastSeen` that went to member `id` (not those it
   * sent or was told about itself, nor any from before it joined), or
   * undefined when the log no longer reaches back that far.
   */
  since(lastSeen: number, id?: number): RoomEvent[] | undefined {
    // A member that has seen no event since it joined says 0 (its history
    // came wrapped): what came before it joined is not news to it.
    const floor = id === undefined ? 0 : this.#members.get(id)?.joinedAfter;
    return this.#log.since(Math.max(lastSeen, floor ?? 0), id);
  }

  #add(member: RoomMember): void {
    this.#members.set(member.id, member);
    this.#byKey.set(member.key, member);
  }

  /** Common checks before a member speaks (the chat core checks mutes): present, valid text. */
  #speak(
    id: number,
    raw: string,
    w: NoticeWords,
    then: (from: string, text: string) => Delivery[],
  ): Delivery[] {
    const member = this.#members.get(id);
    if (member === undefined) return [];
    const check = validateText(raw);
    return check.ok
      ? then(member.name, check.text)
      : notice(id, w.badText(check));
  }

  #firstNames(): string[] {
    const names: string[] = [];
    for (const member of this.#members.values()) {
      if (names.length === MAX_MEMBERS_LISTED) return names;
      names.push(member.name);
    }
    for (const member of this.remotes()) {
      if (names.length === MAX_MEMBERS_LISTED) break;
      names.push(member.name);
    }
    return names;
  }

  /** Number `event`, log it with whom it goes to, and return it as a delivery. */
  #record(
    event: RoomEvent,
    to: "all" | number = "all",
    except?: number,
  ): LogEntry {
    const entry: LogEntry = to === "all"
      ? (except === undefined ? { to, event } : { to, except, event })
      : { to, event };
    this.#log.append(entry);
    return entry;
  }
}

function notice(id: number, text: string): Delivery[] {
  return [{ to: id, event: { kind: "notice", text } }];
}
