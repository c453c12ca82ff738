/**
 * The client's wording, in English and in Chinese (worded like the classic
 * chat app: "小明进入了聊天室", "小明说: 你好", "管理员说: ..."). Every line a
 * member sees comes from one of these catalogues; the arguments are already
 * sanitised. English lines are what the pipe-mode tests and scripts match on,
 * so change them only with care.
 * @module
 */

import type { GoodbyeWhy, LeaveWhy } from "../protocol/events.ts";
import { RefuseCode } from "../protocol/packet.ts";
import { MAX_NAME_CHARS, MAX_TEXT_BYTES } from "../protocol/limits.ts";
import type { NameProblem } from "../protocol/names.ts";
import { type TextProblem, textProblem } from "../protocol/text.ts";

/** A language the client speaks. */
export type Lang = "en" | "zh";

/** Every language, in the order `--help` lists them. */
export const LANGS: readonly Lang[] = ["en", "zh"];

/** One text per language (command help). */
export type Localized = Readonly<Record<Lang, string>>;

/** How a welcome came about. */
export type WelcomeHow = "joined" | "resumed" | "rejoined";

/** Column titles of the /who table. */
export interface WhoHeader {
  name: string;
  idle: string;
  rtt: string;
  loss: string;
  away: string;
  server: string;
}

/** Every line the client shows, as functions of their (sanitised) parts. */
export interface Messages {
  readonly lang: Lang;
  askName: string;
  welcome(how: WelcomeHow, name: string): string;
  refused(reason: string): string;
  /** Why a join was refused, from the code alone (passphrase rooms send no reason). */
  refuseCode(code: number): string;
  /** The room has a passphrase and we none ("needed"), or the other way. */
  passphrase(mismatch: "needed" | "unneeded"): string;
  /** The browser page's hello did not prove the room's passphrase. */
  webPassphrase: string;
  /** The server at `address` did not answer the join in time. */
  unreachable(address: string): string;
  /** Shown at once on a terminal: the join has started. */
  connecting(address: string): string;
  /** The server has not answered the join for `seconds`. */
  stillTrying(seconds: number): string;
  lost: string;
  back: string;
  /** The member is now in the room through the server at `address` (another of its list). */
  nowOn(address: string): string;
  undelivered(text: string): string;
  /** Leaving: how many lines still go out at the room's rate, and about how long. */
  draining(lines: number, seconds: number): string;
  /** A line the server took but will not pass on, and why (the text is not repeated). */
  unsent(reason: string): string;
  chat(from: string, text: string): string;
  joined(name: string): string;
  left(name: string, why: LeaveWhy, reason: string): string;
  admin(text: string): string;
  members(total: number, names: string[]): string;
  notice(text: string): string;
  goodbye(why: GoodbyeWhy, reason: string): string;
  /** The server is restarting; `wait`: this member resumes, else it must join again. */
  restarting(reason: string, wait: boolean): string;
  privateIn(from: string, text: string): string;
  privateOut(from: string, to: string, text: string): string;
  /** A classic member's own private line: no name its request did not carry. */
  privateSent(to: string, text: string): string;
  action(from: string, text: string): string;
  nick(from: string, to: string): string;
  away(name: string, reason: string): string;
  whoTitle(total: number, listed: number): string;
  whoHeader: WhoHeader;
  history(stamp: string): string;
  motd(text: string): string;
  usage(usage: string): string;
  unknownCommand(name: string): string;
  commandsTitle: string;
  slashHint: string;
  ignoring(name: string): string;
  unignored(name: string): string;
  notIgnoring(name: string): string;
  ignoreList(names: string[]): string;
  ignoreSelf: string;
  reasonTooLong(bytes: number, limit: number): string;
  /** Why a name cannot be used (`message`: the English words for it). */
  invalidName(problem: NameProblem, message: string): string;
  /** Why a line cannot be sent (`bytes`: its length in UTF-8). */
  invalidText(problem: TextProblem, bytes: number): string;
  /** The member is muted for `duration` (worded by `formatDuration`), maybe with a reason. */
  muted(duration: string, reason: string): string;
  /** The member's mute ended. */
  unmuted: string;
  /** After a rejoin, the history shown starts here: `count` earlier lines are not. */
  earlier(count: number): string;
}

function because(text: string, reason: string, sep = ": "): string {
  return reason === "" ? text : `${text}${sep}${reason}`;
}

/** English: the default, and what scripts and tests match on. */
export const EN: Messages = {
  lang: "en",
  askName: "Your name: ",
  welcome: (how, name) =>
    how === "joined"
      ? `Welcome, ${name}! Type a message and press Enter; /help lists commands, /quit leaves`
      : how === "resumed"
      ? `Reconnected as ${name}`
      : `Rejoined as ${name}: the server had forgotten this session`,
  refused: (reason) => `Cannot join: ${reason}`,
  refuseCode: (code) => {
    switch (code) {
      case RefuseCode.name:
        return "That name is not allowed; choose another";
      case RefuseCode.taken:
        return "That name is taken; choose another";
      case RefuseCode.full:
        return "The room is full";
      case RefuseCode.banned:
        return "You are banned from this room";
      case RefuseCode.throttled:
        return "Too many joins; wait a moment";
      case RefuseCode.version:
        return "The server speaks another protocol version";
      case RefuseCode.passphrase:
        return "Wrong passphrase; check --passphrase-file";
      default:
        return `Refused (code ${code})`;
    }
  },
  webPassphrase: "Wrong passphrase, or none: type the room's passphrase",
  passphrase: (mismatch) =>
    mismatch === "needed"
      ? "This room needs a passphrase: join with --passphrase-file FILE"
      : "This room has no passphrase: join without --passphrase-file",
  unreachable: (address) =>
    `Cannot reach the server: no answer from ${address}`,
  connecting: (address) => `Connecting to ${address}…`,
  stillTrying: (seconds) => `Still trying… (${seconds}s)`,
  lost: "Server not responding; still trying…",
  back: "Server is back",
  nowOn: (address) => `Now on ${address}`,
  undelivered: (text) => `Not delivered: ${text}`,
  unsent: (reason) => `Not delivered: ${reason}`,
  draining: (lines, seconds) =>
    `Sending the last ${lines} line${
      lines === 1 ? "" : "s"
    } at the room's rate (about ${seconds} s)…`,
  chat: (from, text) => `${from}: ${text}`,
  joined: (name) => `${name} joined`,
  left: (name, why, reason) => {
    switch (why) {
      case "left":
        return reason === "" ? `${name} left` : `${name} left (${reason})`;
      case "timeout":
        return `${name} timed out`;
      case "kicked":
        return because(`${name} was kicked`, reason);
      case "slow":
        return because(`${name} was dropped`, reason);
      case "banned":
        return because(`${name} was banned`, reason);
    }
  },
  admin: (text) => `[admin] ${text}`,
  members: (total, names) =>
    `Members (${total}): ${names.join(", ")}${
      total > names.length ? `, and ${total - names.length} more` : ""
    }`,
  notice: (text) => `* ${text}`,
  goodbye: (why, reason) => {
    switch (why) {
      case "left":
        return "Goodbye! You left the room";
      case "closing":
        return because("The server is closing", reason);
      case "kicked":
        return because("You were kicked", reason);
      case "timeout":
        return "You timed out";
      case "slow":
        return because("You were dropped", reason);
      case "banned":
        return because("You are banned", reason);
    }
  },
  restarting: (reason, wait) =>
    `${because("Server is restarting", reason)}; ${
      wait ? "waiting…" : "join again in a moment"
    }`,
  privateIn: (from, text) => `[private] ${from}: ${text}`,
  privateOut: (from, to, text) => `[private] ${from} → ${to}: ${text}`,
  privateSent: (to, text) => `[private] → ${to}: ${text}`,
  action: (from, text) => `* ${from} ${text}`,
  nick: (from, to) => `${from} is now known as ${to}`,
  away: (name, reason) =>
    reason === "" ? `${name} is back` : `${name} is away: ${reason}`,
  whoTitle: (total, listed) =>
    `${total} member${total === 1 ? "" : "s"} here${
      listed < total ? ` (first ${listed} shown)` : ""
    }:`,
  whoHeader: {
    name: "NAME",
    idle: "IDLE",
    rtt: "RTT",
    loss: "LOSS",
    away: "AWAY",
    server: "SERVER",
  },
  history: (stamp) => `[history ${stamp}]`,
  motd: (text) => `Message of the day: ${text}`,
  usage: (usage) => `Usage: ${usage}`,
  unknownCommand: (name) =>
    `Unknown command /${name}; /help lists the commands (// sends a line starting with /)`,
  commandsTitle: "Commands:",
  slashHint: "Start a line with // to send a line that begins with /",
  ignoring: (name) => `Ignoring ${name}: their messages are hidden`,
  unignored: (name) => `No longer ignoring ${name}`,
  notIgnoring: (name) => `You are not ignoring ${name}`,
  ignoreList: (names) =>
    names.length === 0 ? "Ignoring nobody" : `Ignoring: ${names.join(", ")}`,
  ignoreSelf: "You cannot ignore yourself",
  reasonTooLong: (bytes, limit) =>
    `Reason is ${bytes} bytes, the limit is ${limit}`,
  invalidText: textProblem,
  invalidName: (_problem, message) => message,
  muted: (duration, reason) =>
    because(
      `You are muted for ${duration}: your lines will not be delivered`,
      reason,
      " — ",
    ),
  unmuted: "You are no longer muted; you may speak again",
  earlier: (count) =>
    `… ${count} earlier line${count === 1 ? "" : "s"} not shown`,
};

/** Chinese, worded like the classic app. */
export const ZH: Messages = {
  lang: "zh",
  askName: "你的名字: ",
  welcome: (how, name) =>
    how === "joined"
      ? `欢迎你，${name}！输入消息后按回车发送；/help 查看命令，/quit 退出`
      : how === "resumed"
      ? `已重新连接，你仍是${name}`
      : `已重新加入，你是${name}：服务器已不记得之前的会话`,
  refused: (reason) => `无法加入: ${reason}`,
  refuseCode: (code) => {
    switch (code) {
      case RefuseCode.name:
        return "不能使用这个名字，请换一个";
      case RefuseCode.taken:
        return "该用户已存在，请换一个名字";
      case RefuseCode.full:
        return "聊天室已满";
      case RefuseCode.banned:
        return "你已被禁止进入这个聊天室";
      case RefuseCode.throttled:
        return "加入太频繁，请稍后再试";
      case RefuseCode.version:
        return "服务器的协议版本不同";
      case RefuseCode.passphrase:
        return "口令错误，请检查 --passphrase-file";
      default:
        return `被拒绝（代码 ${code}）`;
    }
  },
  webPassphrase: "口令错误或未填写：请输入聊天室的口令",
  passphrase: (mismatch) =>
    mismatch === "needed"
      ? "这个聊天室需要口令，请用 --passphrase-file 文件 加入"
      : "这个聊天室没有口令，请不带 --passphrase-file 加入",
  unreachable: (address) => `无法连接服务器: ${address} 没有回应`,
  connecting: (address) => `正在连接 ${address}…`,
  stillTrying: (seconds) => `仍在尝试… (${seconds} 秒)`,
  lost: "服务器没有响应，正在重试…",
  back: "服务器恢复了",
  nowOn: (address) => `现在使用服务器 ${address}`,
  undelivered: (text) => `未送达: ${text}`,
  unsent: (reason) => `未送达: ${reason}`,
  draining: (lines, seconds) =>
    `正在按聊天室的速度发送最后${lines}条消息（约${seconds}秒）…`,
  chat: (from, text) => `${from}说: ${text}`,
  joined: (name) => `${name}进入了聊天室`,
  left: (name, why, reason) => {
    switch (why) {
      case "left":
        return because(`${name}退出了聊天室`, reason, "，原因: ");
      case "timeout":
        return `${name}超时，离开了聊天室`;
      case "kicked":
        return because(`${name}被踢出了聊天室`, reason);
      case "slow":
        return because(`${name}跟不上消息，被移出了聊天室`, reason);
      case "banned":
        return because(`${name}被禁止进入聊天室`, reason);
    }
  },
  admin: (text) => `管理员说: ${text}`,
  members: (total, names) =>
    `聊天室里有${total}人: ${names.join("、")}${
      total > names.length ? `等` : ""
    }`,
  notice: (text) => `提示: ${text}`,
  goodbye: (why, reason) => {
    switch (why) {
      case "left":
        return "再见！你离开了聊天室";
      case "closing":
        return because("服务器即将关闭", reason);
      case "kicked":
        return because("你被踢出了聊天室", reason);
      case "timeout":
        return "你超时了";
      case "slow":
        return because("你跟不上消息，被移出了聊天室", reason);
      case "banned":
        return because("你被禁止进入聊天室", reason);
    }
  },
  restarting: (reason, wait) =>
    `${because("服务器正在重启", reason)}，${
      wait ? "请稍候…" : "请稍后重新加入"
    }`,
  privateIn: (from, text) => `${from}悄悄对你说: ${text}`,
  privateOut: (_from, to, text) => `你悄悄对${to}说: ${text}`,
  privateSent: (to, text) => `你悄悄对${to}说: ${text}`,
  action: (from, text) => `* ${from} ${text}`,
  nick: (from, to) => `${from}改名为${to}`,
  away: (name, reason) =>
    reason === "" ? `${name}回来了` : `${name}暂时离开: ${reason}`,
  whoTitle: (total, listed) =>
    `聊天室里有${total}人${listed < total ? `（只列出前${listed}人）` : ""}:`,
  whoHeader: {
    name: "名字",
    idle: "空闲",
    rtt: "延迟",
    loss: "丢包",
    away: "离开",
    server: "服务器",
  },
  history: (stamp) => `[历史 ${stamp}]`,
  motd: (text) => `今日公告: ${text}`,
  usage: (usage) => `用法: ${usage}`,
  unknownCommand: (name) =>
    `没有 /${name} 这个命令；/help 查看命令（以 // 开头可发送以 / 开头的消息）`,
  commandsTitle: "命令:",
  slashHint: "以 // 开头可发送以 / 开头的消息",
  ignoring: (name) => `已屏蔽${name}，不再显示其消息`,
  unignored: (name) => `不再屏蔽${name}`,
  notIgnoring: (name) => `你没有屏蔽${name}`,
  ignoreList: (names) =>
    names.length === 0 ? "没有屏蔽任何人" : `已屏蔽: ${names.join("、")}`,
  ignoreSelf: "不能屏蔽自己",
  reasonTooLong: (bytes, limit) => `原因有${bytes}字节，最多${limit}字节`,
  invalidName: (problem) => {
    switch (problem) {
      case "invalid_utf8":
        return "名字不是有效的 UTF-8";
      case "empty":
        return "名字是空的";
      case "too_long":
        return `名字最多${MAX_NAME_CHARS}个字符`;
      case "whitespace":
        return "名字不能含有空白";
      case "control":
        return "名字不能含有控制字符或看不见的字符";
      case "reserved":
        return "这个名字是保留的（也不能含有括号），请换一个";
      case "taken":
        return "该用户已存在，请换一个名字";
    }
  },
  invalidText: (problem, bytes) => {
    switch (problem) {
      case "empty":
        return "消息是空的";
      case "long":
        return `消息有${bytes}字节，最多${MAX_TEXT_BYTES}字节`;
      case "nul":
        return "消息含有 NUL 字符";
      case "surrogate":
        return "消息含有不成对的代理字符";
    }
  },
  muted: (duration, reason) =>
    because(`你被禁言${duration}，期间的消息不会送达`, reason, "。原因: "),
  unmuted: "禁言已解除，你可以发言了",
  earlier: (count) => `… 更早的${count}条消息未显示`,
};

/** The catalogue for `lang`. */
export function messagesFor(lang: Lang): Messages {
  return lang === "zh" ? ZH : EN;
}

/**
 * The language to use: `--lang` when given (RangeError when unsupported),
 * else the locale (LC_ALL, then LC_MESSAGES, then LANG, the first set),
 * Chinese when it starts with "zh", English otherwise.
 */
export function pickLang(
  option: string | undefined,
  env: (name: string) => string | undefined,
): Lang {
  if (option !== undefined) {
    const lang = option.toLowerCase().split(/[-_.]/)[0];
    if (lang === "en" || lang === "zh") return lang;
    throw new RangeError(
      `Unsupported language "${option}": expected ${LANGS.join(" or ")}`,
    );
  }
  for (const name of ["LC_ALL", "LC_MESSAGES", "LANG"]) {
    const value = env(name);
    if (value) return value.toLowerCase().startsWith("zh") ? "zh" : "en";
  }
  return "en";
}
