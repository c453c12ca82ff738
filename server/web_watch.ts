/**
 * The projector page's view of the room: the room's public events (what
 * went to everyone, never a private line), read from the room's log on each
 * tick, as the same lines a terminal member sees. A projector is no member:
 * it needs no name, is in no list and counts toward no room limit.
 * @module
 */

import type { RoomEvent } from "../protocol/events.ts";
import { encodeWebReply } from "../protocol/web_frames.ts";
import type { Messages } from "../wording/i18n.ts";
import type { ChatCore } from "./chat.ts";
import type { WebConnection } from "./web_member.ts";
import { eventFrame } from "./web_render.ts";

/** Most projectors at once (each is a socket and a frame per event). */
export const MAX_WATCHERS = 64;
/** Lines a projector starts with. */
const BACKLOG = 50;
/** Never a member id: the log's events for it are those that went to all. */
const NOBODY = -1;

/** Projectors, fed from the room's log. */
export class WebWatchers {
  #chat: ChatCore;
  #t: Messages;
  #watchers = new Set<WebConnection>();
  #seen = 0;

  /** Projectors of `chat`'s room, in the words of `t`. */
  constructor(chat: ChatCore, t: Messages) {
    this.#chat = chat;
    this.#t = t;
  }

  /** Start feeding `connection`: the last public lines first. False when there are too many. */
  add(connection: WebConnection, now: number): boolean {
    if (this.#watchers.size >= MAX_WATCHERS) return false;
    // The others are sent what came so far: from here all go from one cursor.
    this.tick(now);
    this.#seen = this.#chat.room.lastId;
    const recent = this.#chat.room.recent()
      .filter((entry) => entry.to === "all")
      .slice(-BACKLOG);
    for (const { event } of recent) {
      connection.sendText(this.#frame(event, now));
    }
    this.#watchers.add(connection);
    return true;
  }

  /** Stop feeding `connection`. */
  delete(connection: WebConnection): void {
    this.#watchers.delete(connection);
  }

  /** Send every projector the public events since the last tick. */
  tick(now: number): void {
    if (this.#watchers.size === 0) return;
    const { room } = this.#chat;
    const events = room.since(this.#seen, NOBODY) ?? [];
    this.#seen = room.lastId;
    for (const event of events) {
      const text = this.#frame(event, now);
      for (const connection of this.#watchers) connection.sendText(text);
    }
  }

  #frame(event: RoomEvent, now: number): string {
    return encodeWebReply(eventFrame(event, this.#t, now));
  }
}
