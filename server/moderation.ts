/**
 * The room's moderation as a journal (`--state`) keeps it: bans, mutes and
 * the message of the day. Times are absolute (ms since the epoch), so what
 * expired before a restart stays expired after it; the rules that read them
 * stay in `Bans` and `Room`. Pure.
 * @module
 */

import type { BanState } from "./bans.ts";
import type { ChatCore } from "./chat.ts";

/** Bans, mutes and the message of the day, as one snapshot. */
export interface Moderation {
  bans: BanState;
  /** Name key and until when (ms since the epoch). */
  mutes: Array<[key: string, until: number]>;
  motd: string;
}

/** What moderation lives on: the chat core's bans and room. */
type Moderated = Pick<ChatCore, "bans" | "room">;

/** What is in force at `now`. */
export function moderationOf(chat: Moderated, now: number): Moderation {
  return {
    bans: chat.bans.state(now),
    mutes: chat.room.mutes(now),
    motd: chat.room.motd,
  };
}

/** Grows with every change of the moderation (a journal writes it again then). */
export function moderationVersion(chat: Moderated): number {
  return chat.bans.version + chat.room.version;
}

/**
 * Take back what a journal kept. The message of the day given on the
 * command line (`keepMotd`) wins over the journal's.
 */
export function restoreModeration(
  chat: Moderated,
  moderation: Moderation,
  keepMotd: boolean,
): void {
  chat.bans.restore(moderation.bans);
  chat.room.restoreMutes(moderation.mutes);
  if (!keepMotd) chat.room.motd = moderation.motd;
}
