/**
 * What the server says to classic text clients beyond the room's events
 * (those read as `events.ts` says): refusals, from the longest wording to
 * the shortest, so one fits the anti-amplification budget whole; the
 * warning before a silent member is dropped; the commands they may type.
 * @module
 */

import type { Lang } from "./i18n.ts";

/** Why a classic login or line was refused. */
export type ClassicProblem =
  | "taken"
  | "name"
  | "banned"
  | "full"
  | "throttled"
  | "closed"
  | "passphrase"
  | "host full"
  | "login first";

/** Server lines for classic clients in one language. */
export interface ClassicWords {
  /** Wordings of each refusal, longest first; `name` is the name asked for. */
  refusal(problem: ClassicProblem, name: string, detail: string): string[];
  alreadyJoined(name: string): string;
  /** Sent once before a silent member is dropped. */
  dropSoon(minutes: number): string;
  /** The commands a classic member may type. */
  help: string[];
}

const EN_WORDS: ClassicWords = {
  refusal(problem, name, detail) {
    switch (problem) {
      case "taken":
        return [
          `Name "${name}" is taken; try another`,
          `"${name}" is taken`,
          "Name taken",
          "Taken",
        ];
      case "name":
        return [detail, "Invalid name", "Bad name"];
      case "banned":
        return [detail, "You are banned", "Banned"];
      case "full":
        return [detail, "The room is full", "Full"];
      case "throttled":
        return ["Too many joins; wait a moment", "Too many joins", "Wait"];
      case "closed":
        return ["Classic clients are turned off here", "Classic off", "Closed"];
      case "passphrase":
        return [
          "This room needs a passphrase; classic clients cannot join",
          "Passphrase room",
          "Closed",
        ];
      case "host full":
        return [
          "Too many classic clients from your address",
          "Too many from here",
          "Full",
        ];
      case "login first":
        return ["Send L name first", "L name first", "L first"];
    }
  },
  alreadyJoined: (name) => `Already joined as ${name}`,
  dropSoon: (minutes) =>
    `You will be dropped in ${minutes} minute${
      minutes === 1 ? "" : "s"
    } unless you send something`,
  help: [
    "Commands: /who  /msg NAME text  /me action  /nick NAME  /away [reason]  /quit",
    "Start a line with // to send a line that begins with /",
  ],
};

const ZH_WORDS: ClassicWords = {
  refusal(problem, name, detail) {
    switch (problem) {
      case "taken":
        return ["该用户已存在", ...EN_WORDS.refusal(problem, name, detail)];
      case "name":
        return ["名字不合法", ...EN_WORDS.refusal(problem, name, detail)];
      case "banned":
        return [
          "你被禁止进入聊天室",
          ...EN_WORDS.refusal(problem, name, detail),
        ];
      case "full":
        return ["聊天室已满", ...EN_WORDS.refusal(problem, name, detail)];
      case "throttled":
        return [
          "登录太频繁，请稍等",
          ...EN_WORDS.refusal(problem, name, detail),
        ];
      default:
        return EN_WORDS.refusal(problem, name, detail);
    }
  },
  alreadyJoined: (name) => `你已经以${name}的身份登录`,
  dropSoon: (minutes) => `你已经很久没有发言，${minutes}分钟后将被移出聊天室`,
  help: [
    "命令: /who  /msg 名字 内容  /me 动作  /nick 新名字  /away [原因]  /quit",
    "以 // 开头可发送以 / 开头的消息",
  ],
};

/** The classic wording for `lang`. */
export function classicWords(lang: Lang): ClassicWords {
  return lang === "zh" ? ZH_WORDS : EN_WORDS;
}
