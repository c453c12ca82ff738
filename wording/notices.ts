/**
 * What the server tells one member in words: its notices ("You are already
 * alice") and why a line it sent will not go out ("you are muted for 9m 54s
 * more"), in the member's language (a native member names it in its JOIN, a
 * classic member gets the server's `--lang`). English stays what it always
 * was: scripts and tests match on it.
 * @module
 */

import type { GoodbyeWhy } from "../protocol/events.ts";
import type { NameRefusal } from "../protocol/names.ts";
import type { TextCheck } from "../protocol/text.ts";
import { formatDuration } from "./duration.ts";
import { type Lang, LANGS, type Messages, messagesFor } from "./i18n.ts";

/** The server's words to one member. */
export interface NoticeWords {
  readonly lang: Lang;
  /** Why a name cannot be used (see `Messages.invalidName`). */
  badName(check: NameRefusal): string;
  /** Why a line cannot be sent (see `Messages.invalidText`). */
  badText(check: Extract<TextCheck, { ok: false }>): string;
  /** Nobody in the room goes by `name` (`unsent`: lower case, as a reason). */
  noMember(name: string, unsent?: boolean): string;
  /** The member named itself (a private line to itself). */
  isSelf(unsent?: boolean): string;
  alreadyNamed(name: string): string;
  notAway: string;
  alreadyAway(reason: string): string;
  /** `name` is banned, for `ms` more (Infinity: for good). */
  bannedName(name: string, ms: number): string;
  /** A line not sent: the member is muted for `ms` more. */
  muted(ms: number): string;
  /** A line not sent: longer than this kind of member may send. */
  longer(most: number): string;
  /** A line not sent: the member is gone (`why`). */
  gone(why: GoodbyeWhy): string;
  slowDown(rate: number): string;
  behind(backlog: number): string;
  missed: string;
  /** The room's shared store (a cluster's Redis) cannot be reached; lines wait. */
  roomAway: string;
  /** The room's shared store is back. */
  roomBack: string;
}

function words(t: Messages): Pick<NoticeWords, "lang" | "badName" | "badText"> {
  return {
    lang: t.lang,
    badName: (check) => t.invalidName(check.problem, check.message),
    badText: (check) => t.invalidText(check.problem, check.bytes),
  };
}

/** English, word for word what the server always said. */
export const NOTICES_EN: NoticeWords = {
  ...words(messagesFor("en")),
  noMember: (name, unsent) => `${unsent ? "no" : "No"} member named "${name}"`,
  isSelf: (unsent) => unsent ? "that is you" : "That is you",
  alreadyNamed: (name) => `You are already ${name}`,
  notAway: "You are not away",
  alreadyAway: (reason) => `You are already away: ${reason}`,
  bannedName: (name, ms) =>
    `The name "${name}" is banned from this room${
      ms === Infinity ? "" : ` for ${formatDuration(ms)} more`
    }`,
  muted: (ms) => `you are muted for ${formatDuration(ms)} more`,
  longer: (most) => `longer than ${most} bytes`,
  gone: (why) => why === "left" ? "you left" : `you were ${why}`,
  slowDown: (rate) =>
    `Slow down: at most ${rate} messages a second; yours are being delayed`,
  behind: (backlog) =>
    `You are falling behind: ${backlog} messages are waiting for you`,
  missed: "Some messages were missed while you were away",
  roomAway:
    "The room is unavailable (its store cannot be reached); your lines wait and go out when it is back",
  roomBack: "The room is back",
};

const GONE_ZH: Record<GoodbyeWhy, string> = {
  left: "你已离开聊天室",
  closing: "服务器已关闭",
  kicked: "你被踢出了聊天室",
  timeout: "你的连接超时了",
  slow: "你跟不上消息，被移出了聊天室",
  banned: "你被禁止进入聊天室",
};

/** Chinese. */
export const NOTICES_ZH: NoticeWords = {
  ...words(messagesFor("zh")),
  noMember: (name) => `聊天室里没有叫“${name}”的人`,
  isSelf: () => "那是你自己",
  alreadyNamed: (name) => `你已经叫${name}了`,
  notAway: "你没有处于离开状态",
  alreadyAway: (reason) => `你已经处于离开状态: ${reason}`,
  bannedName: (name, ms) =>
    `名字“${name}”被禁止使用${
      ms === Infinity ? "" : `，还有${formatDuration(ms, "zh")}`
    }`,
  muted: (ms) => `你被禁言了，还有${formatDuration(ms, "zh")}`,
  longer: (most) => `消息超过${most}字节`,
  gone: (why) => GONE_ZH[why],
  slowDown: (rate) => `请慢一点: 每秒最多${rate}条消息，你的消息正在延后发送`,
  behind: (backlog) => `你跟不上了: 有${backlog}条消息在等你`,
  missed: "你离开期间错过了一些消息",
  roomAway: "聊天室暂时不可用（无法连接其存储）；你的消息会在恢复后发出",
  roomBack: "聊天室已恢复",
};

/** The words for `lang`. */
export function noticesFor(lang: Lang): NoticeWords {
  return lang === "zh" ? NOTICES_ZH : NOTICES_EN;
}

/** The language a JOIN names ("zh", "zh-CN"), when the server speaks it. */
export function langOfTag(tag: string | undefined): Lang | undefined {
  const lang = tag?.toLowerCase().split("-")[0];
  return LANGS.find((known) => known === lang);
}
