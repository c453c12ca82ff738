/**
 * Room state: who is here under which name, and what everyone must be told.
 * Pure: no sockets, no clock of its own (callers pass `now`). Methods return
 * deliveries; the server loop turns them into datagrams.
 * @module
 */

import {
  type LeaveWhy,
  MAX_MEMBERS_LISTED,
  type ServerEvent,
} from "../protocol/events.ts";
import { type NameCheck, nameTaken, validateName } from "../protocol/names.ts";
import { validateText } from "../protocol/text.ts";

/** A member as the room knows it; the server keys sessions by the same id. */
export interface RoomMember {
  readonly id: number;
  name: string;
  key: string;
  readonly joinedAt: number;
}

/** One event for one member, or for everyone but `except`. */
export type Delivery =
  | { to: "all"; except?: number; event: ServerEvent }
  | { to: number; event: ServerEvent };

/** Outcome of a join attempt. */
export type JoinResult =
  | { ok: true; member: RoomMember; deliveries: Delivery[] }
  | Extract<NameCheck, { ok: false }>;

/** Room events kept for members that resume (see `since`). */
export const DEFAULT_LOG_SIZE = 1024;

/** The chat room. */
export class Room {
  #members = new Map<number, RoomMember>();
  #byKey = new Map<string, RoomMember>();
  #lastId = 0;
  #log: Array<ServerEvent & { id: number }> = [];
  #logSize: number;

  /** `logSize`: how many room events are kept for members that resume. */
  constructor(logSize = DEFAULT_LOG_SIZE) {
    this.#logSize = logSize;
  }

  /** How many members are in the room. */
  get size(): number {
    return this.#members.size;
  }

  /** Id of the newest room event (0 before the first). */
  get lastId(): number {
    return this.#lastId;
  }

  /** Members in join order. */
  members(): RoomMember[] {
    return [...this.#members.values()];
  }

  /** The member with this id. */
  get(id: number): RoomMember | undefined {
    return this.#members.get(id);
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
    const member: RoomMember = {
      id,
      name: check.name,
      key: check.key,
      joinedAt: now,
    };
    this.#members.set(id, member);
    this.#byKey.set(member.key, member);
    const joined = this.#record({
      kind: "joined",
      id: 0,
      time: now,
      name: member.name,
    });
    return {
      ok: true,
      member,
      deliveries: [
        {
          to: id,
          event: {
            kind: "members",
            total: this.size,
            names: this.#firstNames(),
          },
        },
        { to: "all", except: id, event: joined },
      ],
    };
  }

  /** Remove a member, telling the others why. Unknown ids yield nothing. */
  leave(id: number, why: LeaveWhy, reason: string, now: number): Delivery[] {
    const member = this.#members.get(id);
    if (member === undefined) return [];
    this.#members.delete(id);
    this.#byKey.delete(member.key);
    const left = this.#record({
      kind: "left",
      id: 0,
      time: now,
      name: member.name,
      why,
      reason,
    });
    return [{ to: "all", except: id, event: left }];
  }

  /** A member's chat line, for everyone else; invalid text earns a notice. */
  say(id: number, raw: string, now: number): Delivery[] {
    const member = this.#members.get(id);
    if (member === undefined) return [];
    const check = validateText(raw);
    if (!check.ok) {
      return [{ to: id, event: { kind: "notice", text: check.message } }];
    }
    const chat = this.#record({
      kind: "chat",
      id: 0,
      time: now,
      from: member.name,
      text: check.text,
    });
    return [{ to: "all", except: id, event: chat }];
  }

  /** A line from the host's console, for every member. */
  admin(raw: string, now: number): Delivery[] {
    const check = validateText(raw);
    if (!check.ok) return [];
    return [{
      to: "all",
      event: this.#record({
        kind: "admin",
        id: 0,
        time: now,
        text: check.text,
      }),
    }];
  }

  /** The room events still in the log, oldest first. */
  recent(): ServerEvent[] {
    return [...this.#log];
  }

  /**
   * Start from a journal: members back in the room without a word to
   * anyone, the event log, and the last event id (ids never repeat).
   */
  restore(
    lastId: number,
    events: readonly ServerEvent[],
    members: ReadonlyArray<{ id: number; name: string }>,
  ): void {
    this.#lastId = Math.max(this.#lastId, lastId);
    for (const event of events) {
      if ("id" in event) this.#log.push(event);
    }
    this.#log.splice(0, Math.max(0, this.#log.length - this.#logSize));
    for (const { id, name } of members) {
      const check = validateName(name);
      if (!check.ok || this.#byKey.has(check.key)) continue;
      const member: RoomMember = {
        id,
        name: check.name,
        key: check.key,
        joinedAt: 0,
      };
      this.#members.set(id, member);
      this.#byKey.set(member.key, member);
    }
  }

  /** Room events after `lastSeen`, or undefined when the log no longer reaches back. */
  since(lastSeen: number): ServerEvent[] | undefined {
    if (lastSeen >= this.#lastId) return [];
    const first = this.#log[0];
    if (first === undefined || first.id > lastSeen + 1) return undefined;
    return this.#log.slice(lastSeen + 1 - first.id);
  }

  #firstNames(): string[] {
    const names: string[] = [];
    for (const member of this.#members.values()) {
      if (names.length === MAX_MEMBERS_LISTED) break;
      names.push(member.name);
    }
    return names;
  }

  #record<E extends ServerEvent & { id: number }>(event: E): E {
    event.id = ++this.#lastId;
    this.#log.push(event);
    if (this.#log.length > this.#logSize) this.#log.shift();
    return event;
  }
}
