/**
 * What a member types, in a terminal or in the browser page: chat text, or a
 * slash command from the table below.
 * Commands never touch the worker or the screen directly; they act through a
 * `CommandContext`, so the table is tested without either. A line starting
 * with "/" is never broadcast unless it starts with "//" (sent with one "/").
 * @module
 */

import {
  type ClientRequest,
  MAX_REASON_BYTES,
  type ServerEvent,
} from "../protocol/events.ts";
import { nameKey, validateName } from "../protocol/names.ts";
import { utf8Length, validateText } from "../protocol/text.ts";
import type { Localized, Messages } from "../wording/i18n.ts";

/** A request the main thread may post to the worker. */
export type OutgoingRequest = Exclude<ClientRequest, { kind: "leave" }>;

/** What a command may do. */
export interface CommandContext {
  /** Send a request to the server. */
  send(request: OutgoingRequest): void;
  /** Leave the room (the server is told first). */
  /** Leave the room, telling the others `reason` when there is one. */
  leave(reason?: string): void;
  /** Show a line from the client itself, not from the room. */
  show(text: string, style?: "info" | "error"): void;
  /** Say why a line meant for the room cannot go (an error: a pipe then exits 1). */
  unsent(text: string): void;
  /** Members whose chat, actions and private messages are hidden: key → name. */
  readonly ignored: Map<string, string>;
  /** This member's name, as the server has it. */
  readonly self: string;
  /** The wording. */
  readonly t: Messages;
}

/** One slash command. */
export interface Command {
  /** Typed after the slash. */
  name: string;
  /** Other names for it. */
  aliases?: readonly string[];
  /** How to call it, e.g. "/msg NAME text". */
  usage: string;
  /** What it does, per language. */
  help: Localized;
  /** Run with what followed the name (leading space removed). */
  run(args: string, ctx: CommandContext): void;
}

/** Every member command, in the order /help lists them. */
export const COMMANDS: readonly Command[] = [
  {
    name: "help",
    usage: "/help [COMMAND]",
    help: { en: "list the commands", zh: "列出命令" },
    run: (args, ctx) => help(args.trim(), ctx),
  },
  {
    name: "who",
    usage: "/who",
    help: {
      en: "who is here: idle time, round trip, loss, away",
      zh: "谁在聊天室：空闲时间、延迟、丢包、是否离开",
    },
    run: (_args, ctx) => ctx.send({ kind: "who" }),
  },
  {
    name: "msg",
    aliases: ["m", "tell"],
    usage: "/msg NAME text",
    help: { en: "a private message to NAME", zh: "悄悄对 NAME 说话" },
    run(args, ctx) {
      const [, to, text] = /^(\S+)\s+([^]*)$/.exec(args) ?? [];
      if (to === undefined || text === undefined || text.trim() === "") {
        return ctx.show(ctx.t.usage(this.usage), "error");
      }
      const name = validateName(to);
      if (!name.ok) {
        return ctx.show(ctx.t.invalidName(name.problem, name.message), "error");
      }
      withText(
        text,
        ctx,
        (text) => ctx.send({ kind: "private", to: name.name, text }),
      );
    },
  },
  {
    name: "me",
    usage: "/me action",
    help: { en: 'an action: "/me waves" shows "* NAME waves"', zh: "做个动作" },
    run(args, ctx) {
      if (args.trim() === "") return ctx.show(ctx.t.usage(this.usage), "error");
      withText(args, ctx, (text) => ctx.send({ kind: "action", text }));
    },
  },
  {
    name: "nick",
    usage: "/nick NEW",
    help: { en: "change your name", zh: "改名" },
    run(args, ctx) {
      const words = args.trim().split(/\s+/).filter((w) => w !== "");
      if (words.length !== 1) return ctx.show(ctx.t.usage(this.usage), "error");
      const name = validateName(words[0]!);
      if (!name.ok) {
        return ctx.show(ctx.t.invalidName(name.problem, name.message), "error");
      }
      ctx.send({ kind: "nick", name: name.name });
    },
  },
  {
    name: "away",
    usage: "/away [reason]",
    help: {
      en: "mark yourself away; /away alone: back",
      zh: "暂时离开；只输入 /away 表示回来了",
    },
    run(args, ctx) {
      const reason = reasonOf(args, ctx);
      if (reason !== undefined) ctx.send({ kind: "away", reason });
    },
  },
  {
    name: "ignore",
    usage: "/ignore [NAME]",
    help: {
      en: "hide NAME's messages; /ignore alone lists",
      zh: "屏蔽 NAME 的消息；只输入 /ignore 列出已屏蔽的人",
    },
    run(args, ctx) {
      const to = args.trim();
      if (to === "") {
        return ctx.show(ctx.t.ignoreList([...ctx.ignored.values()]));
      }
      const name = validateName(to);
      if (!name.ok) {
        return ctx.show(ctx.t.invalidName(name.problem, name.message), "error");
      }
      if (name.key === nameKey(ctx.self)) {
        return ctx.show(ctx.t.ignoreSelf, "error");
      }
      ctx.ignored.set(name.key, name.name);
      ctx.show(ctx.t.ignoring(name.name));
    },
  },
  {
    name: "unignore",
    usage: "/unignore NAME",
    help: { en: "show NAME's messages again", zh: "取消屏蔽 NAME" },
    run(args, ctx) {
      const to = args.trim();
      if (to === "") return ctx.show(ctx.t.usage(this.usage), "error");
      const key = nameKey(to);
      const name = ctx.ignored.get(key);
      if (name === undefined) return ctx.show(ctx.t.notIgnoring(to), "error");
      ctx.ignored.delete(key);
      ctx.show(ctx.t.unignored(name));
    },
  },
  {
    name: "quit",
    aliases: ["exit", "leave"],
    usage: "/quit [reason]",
    help: {
      en: "leave the room (the others see the reason)",
      zh: "离开聊天室（其他人会看到原因）",
    },
    run: (args, ctx) => {
      const reason = reasonOf(args, ctx);
      if (reason !== undefined) ctx.leave(reason);
    },
  },
];

/** The command called `name` (or an alias; any case), if any. */
export function findCommand(name: string): Command | undefined {
  const wanted = name.toLowerCase();
  return COMMANDS.find((c) => c.name === wanted || c.aliases?.includes(wanted));
}

/** Act on one typed line: a command, or chat text (blank lines do nothing). */
export function runLine(raw: string, ctx: CommandContext): void {
  const line = raw.replace(/\r$/, "");
  if (line.trim() === "") return;
  if (!line.startsWith("/") || line.startsWith("//")) {
    const text = line.startsWith("//") ? line.slice(1) : line;
    return withText(text, ctx, (text) => ctx.send({ kind: "say", text }));
  }
  const [, name = "", args = ""] = /^\/(\S*)\s?([^]*)$/.exec(line) ?? [];
  const command = findCommand(name);
  if (command === undefined) {
    return ctx.show(ctx.t.unknownCommand(name), "error");
  }
  command.run(args, ctx);
}

function withText(
  raw: string,
  ctx: CommandContext,
  then: (text: string) => void,
): void {
  const check = validateText(raw);
  if (check.ok) then(check.text);
  else ctx.unsent(ctx.t.invalidText(check.problem, check.bytes));
}

function help(topic: string, ctx: CommandContext): void {
  const wanted = topic.replace(/^\//, "");
  const command = wanted === "" ? undefined : findCommand(wanted);
  if (wanted !== "" && command === undefined) {
    return ctx.show(ctx.t.unknownCommand(wanted), "error");
  }
  const listed = command === undefined ? COMMANDS : [command];
  const width = Math.max(...listed.map((c) => c.usage.length));
  if (command === undefined) ctx.show(ctx.t.commandsTitle);
  for (const c of listed) {
    ctx.show(`  ${c.usage.padEnd(width)}  ${c.help[ctx.t.lang]}`);
  }
  if (command === undefined) ctx.show(`  ${ctx.t.slashHint}`);
}

/** True when `event` is chat, an action or a private message from someone ignored. */
export function isIgnored(
  event: ServerEvent,
  ignored: ReadonlyMap<string, string>,
): boolean {
  if (ignored.size === 0) return false;
  switch (event.kind) {
    case "chat":
    case "action":
    case "private":
      return ignored.has(nameKey(event.from));
    case "history":
      return isIgnored(event.event, ignored);
    default:
      return false;
  }
}

/** An ignored member who changes name stays ignored under the new name. */
export function followNick(
  ignored: Map<string, string>,
  from: string,
  to: string,
): void {
  const key = nameKey(from);
  if (!ignored.has(key)) return;
  ignored.delete(key);
  ignored.set(nameKey(to), to);
}

/** A reason typed after a command (empty: none), or undefined once told why it cannot be sent. */
function reasonOf(args: string, ctx: CommandContext): string | undefined {
  const reason = args.trim();
  if (reason === "") return reason;
  // Its own limit first: a 64 KB reason is a reason too long, not a message.
  const bytes = utf8Length(reason);
  if (bytes > MAX_REASON_BYTES) {
    return void ctx.unsent(ctx.t.reasonTooLong(bytes, MAX_REASON_BYTES));
  }
  const check = validateText(reason);
  if (!check.ok) {
    return void ctx.unsent(ctx.t.invalidText(check.problem, check.bytes));
  }
  return check.text;
}
