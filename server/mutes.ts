/**
 * Mutes as the chat core runs them: the room keeps who is muted until
 * when; this tells the member, once when a mute starts (how long, and why)
 * and once when it ends, by the console or by the clock. Pure.
 * @module
 */

import { MAX_REASON_BYTES, type ServerEvent } from "../protocol/events.ts";
import { truncateUtf8 } from "../protocol/text.ts";
import type { Room } from "./room.ts";

/** Longest mute a MUTED event can say (its `u32` milliseconds). */
const MAX_MUTE_MS = 0xffff_ffff;

/** The room's mutes, told to their members through `tell`. */
export class Mutes {
  #room: Room;
  #tell: (id: number, event: ServerEvent) => void;

  /** Mutes kept by `room`; `tell` reaches a member that is seated. */
  constructor(room: Room, tell: (id: number, event: ServerEvent) => void) {
    this.#room = room;
    this.#tell = tell;
  }

  /** Silence the member named `name` until `until`, telling it once (with `reason`); false when there is none. */
  mute(name: string, until: number, reason: string, now: number): boolean {
    const member = this.#room.mute(name, until);
    if (member === undefined) return false;
    const ms = Math.min(Math.max(1, until - now), MAX_MUTE_MS);
    this.#told(member.id, ms, reason);
    return true;
  }

  /** Let the member named `name` speak again, telling it; false when it was not muted. */
  unmute(name: string): boolean {
    const member = this.#room.unmute(name);
    if (member !== undefined) this.#told(member.id, 0, "");
    return member !== undefined;
  }

  /** End the mutes that ran out by `now`, telling their members. */
  expire(now: number): void {
    for (const member of this.#room.expireMutes(now)) {
      this.#told(member.id, 0, "");
    }
  }

  /** How long member `id` stays muted (ms; 0: it may speak). */
  left(id: number, now: number): number {
    return Math.max(0, this.#room.mutedUntil(id) - now);
  }

  #told(id: number, ms: number, reason: string): void {
    this.#tell(id, {
      kind: "muted",
      ms,
      reason: truncateUtf8(reason, MAX_REASON_BYTES),
    });
  }
}
