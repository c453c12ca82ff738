/**
 * The host's console: a plain line is an admin message to every member; a
 * line starting with "/" is a command from this table. Handlers only call
 * the core, so the table is tested without a terminal.
 * @module
 */

import { isIP } from "node:net";
import { validateText } from "../protocol/text.ts";
import { formatDuration } from "../wording/duration.ts";
import type { ServerCore } from "./core.ts";

/** What a console line produced: lines to show the host, maybe a shutdown. */
export interface ConsoleResult {
  lines: string[];
  /** Set by /shutdown: the reason members are given. */
  shutdown?: string;
  /** Set by /shutdown --restart: members wait and resume. */
  restart?: boolean;
}

/** One console command. */
export interface ConsoleCommand {
  name: string;
  usage: string;
  help: string;
  run(core: ServerCore, args: string, now: number): ConsoleResult;
}

const say = (...lines: string[]): ConsoleResult => ({ lines });

/** The console's commands, in the order /help lists them. */
export const CONSOLE_COMMANDS: readonly ConsoleCommand[] = [
  {
    name: "help",
    usage: "/help",
    help: "list the commands",
    run: () =>
      say(...CONSOLE_COMMANDS.map((c) => `${c.usage.padEnd(28)} ${c.help}`)),
  },
  {
    name: "who",
    usage: "/who",
    help: "members with address, idle time, round trip and loss",
    run: (core, _args, now) => {
      const { total, entries } = core.chat.who(now);
      return say(
        `${total} member${total === 1 ? "" : "s"}`,
        ...entries.map((m) =>
          `${m.name}  ${m.address || `on ${m.server}`}  idle ${
            seconds(m.idleMs)
          }  rtt ${m.rttMs} ms  loss ${m.lossPercent}%${
            m.away ? `  away: ${m.away}` : ""
          }`
        ),
      );
    },
  },
  {
    name: "kick",
    usage: "/kick NAME [reason]",
    help: "remove a member (it may come back)",
    run: (core, args, now) => {
      const [name, reason] = splitFirst(args);
      return name
        ? say(kick(core, name, "kicked", reason, now))
        : usage("kick");
    },
  },
  {
    name: "ban",
    usage: "/ban [--address] NAME|ADDRESS [duration]",
    help:
      "remove a member and refuse its name (--address: its IP address too; 10m, 2h, 1d; default: for good)",
    run: (core, args, now) => {
      const withAddress = /^--address(\s|$)/.test(args.trim());
      const [name, rest] = splitFirst(
        withAddress ? args.trim().slice("--address".length) : args,
      );
      const duration = rest === "" ? Infinity : parseDuration(rest);
      if (!name || duration === undefined) return usage("ban");
      const until = now + duration;
      const span = duration === Infinity
        ? "for good"
        : `for ${formatDuration(duration)}`;
      if (isIP(name) !== 0) {
        core.chat.bans.ban(undefined, name, until);
        return say(`${name} is banned ${span}`);
      }
      const member = core.chat.room.find(name);
      // The address only when asked: on one host or behind NAT it is everyone's.
      const address = withAddress && member
        ? core.chat.hostOf(member.id) || undefined
        : undefined;
      core.chat.bans.ban(member?.name ?? name, address, until);
      // One line: the removal is not logged again.
      if (member) core.chat.remove(member.id, "banned", "", now, false);
      return say(
        `${member?.name ?? name} ${member ? "was" : "is"} banned ${span}${
          address ? `, and its address ${address}` : ""
        }`,
      );
    },
  },
  {
    name: "unban",
    usage: "/unban NAME|ADDRESS",
    help: "lift a ban; with no argument, list the bans",
    run: (core, args, now) => {
      if (args) {
        return say(
          core.chat.bans.unban(args)
            ? `${args} may come back`
            : `${args} is not banned`,
        );
      }
      const bans = core.chat.bans.list(now);
      return say(
        bans.length === 0
          ? "Nobody is banned"
          : `${bans.length} ban${bans.length === 1 ? "" : "s"}:`,
        ...bans.map(([who, until]) =>
          `  ${who}  ${
            until === Infinity
              ? "for good"
              : `${formatDuration(until - now)} left`
          }`
        ),
      );
    },
  },
  {
    name: "mute",
    usage: "/mute NAME [duration [reason]]",
    help:
      "stop a member from speaking (default 10m); it is told, and told when it ends",
    run: (core, args, now) => {
      const [name, rest] = splitFirst(args);
      const [span, reason] = splitFirst(rest);
      const duration = span === "" ? 10 * 60_000 : parseDuration(span);
      if (!name || duration === undefined) return usage("mute");
      const muted = core.chat.mutes.mute(name, now + duration, reason, now);
      const member = core.chat.room.find(name)?.name ?? name;
      return say(
        muted
          ? `${member} is muted for ${formatDuration(duration)}${
            reason ? ` (${reason})` : ""
          }`
          : `No member named "${name}"`,
      );
    },
  },
  {
    name: "unmute",
    usage: "/unmute NAME",
    help: "let a muted member speak again (it is told)",
    run: (core, args) => {
      if (!args) return usage("unmute");
      const member = core.chat.room.find(args)?.name ?? args;
      return say(
        core.chat.mutes.unmute(args)
          ? `${member} may speak again`
          : `${member} is not muted`,
      );
    },
  },
  {
    name: "motd",
    usage: "/motd [text]",
    help: "set the message of the day shown on join; no text: show it",
    run: (core, args) => {
      if (args !== "") {
        const check = validateText(args);
        if (!check.ok) return say(check.message);
        core.chat.room.motd = check.text;
      }
      return say(
        core.chat.room.motd === ""
          ? "No message of the day"
          : `Message of the day: ${core.chat.room.motd}`,
      );
    },
  },
  {
    name: "say",
    usage: "/say text",
    help: "an admin message (for text that starts with /)",
    run: (core, args, now) =>
      args === "" ? usage("say") : admin(core, args, now),
  },
  {
    name: "stats",
    usage: "/stats",
    help: "members, datagrams in and out, drops, messages per second",
    run: (core, _args, now) => {
      const { stats } = core;
      const drops = [...stats.drops].map(([why, n]) => `${why}: ${n}`).join(
        ", ",
      );
      return say(
        `members ${core.chat.count()} (classic ${
          core.chat.count("classic")
        }), native sessions ${core.native.sessions.size}`,
        `datagrams in ${stats.datagramsIn} (${stats.bytesIn} bytes), out ${stats.datagramsOut} (${stats.bytesOut} bytes)`,
        `messages ${stats.messages}, ${
          stats.messagesPerSecond(now).toFixed(1)
        } a second over the last 10 s`,
        `dropped ${stats.dropped}${drops ? ` (${drops})` : ""}`,
      );
    },
  },
  {
    name: "shutdown",
    usage: "/shutdown [--restart] [reason]",
    help:
      "tell every member the server is closing, then stop (--restart: they wait and resume)",
    run: (_core, args) => {
      const restart = /^--restart(\s|$)/.test(args);
      const reason = restart ? args.slice("--restart".length).trim() : args;
      return restart
        ? { lines: [], shutdown: reason, restart }
        : { lines: [], shutdown: reason || "the host shut the server down" };
    },
  },
];

/** Run one console line: a command, or an admin message. */
export function runConsole(
  core: ServerCore,
  line: string,
  now: number,
): ConsoleResult {
  const text = line.trim();
  if (text === "") return say();
  if (!text.startsWith("/") || text.startsWith("//")) {
    return admin(core, text.startsWith("//") ? text.slice(1) : text, now);
  }
  const [name, args] = splitFirst(text.slice(1));
  const command = CONSOLE_COMMANDS.find((c) => c.name === name.toLowerCase());
  if (command === undefined) {
    return say(`Unknown command /${name}; /help lists them`);
  }
  return command.run(core, args, now);
}

/** "90s", "10m", "2h", "1d" or plain seconds, in ms; undefined when unreadable. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*(s|m|h|d)?$/i.exec(text.trim());
  if (!match) return undefined;
  const unit = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[
    (match[2] ?? "s").toLowerCase() as "s" | "m" | "h" | "d"
  ];
  return Number(match[1]) * unit;
}

/** Remove the member named `name`; what happened, in words. */
function kick(
  core: ServerCore,
  name: string,
  why: "kicked" | "banned",
  reason: string,
  now: number,
): string {
  const member = core.chat.room.findAnywhere(name);
  const removed = member !== undefined &&
    (core.chat.remove(member.id, why, reason, now, false) ||
      core.chat.room.kickElsewhere(member.id, why, reason));
  if (!member || !removed) return `No member named "${name}"`;
  return `${member.name} was ${why}${reason ? ` (${reason})` : ""}`;
}

/** An admin message to every member, or why it was not sent. */
function admin(core: ServerCore, text: string, now: number): ConsoleResult {
  const check = validateText(text);
  if (!check.ok) return say(`Not sent: ${check.message}`);
  core.admin(check.text, now);
  return say();
}

function splitFirst(text: string): [string, string] {
  const trimmed = text.trim();
  const space = trimmed.search(/\s/);
  return space === -1
    ? [trimmed, ""]
    : [trimmed.slice(0, space), trimmed.slice(space).trim()];
}

function usage(name: string): ConsoleResult {
  const command = CONSOLE_COMMANDS.find((c) => c.name === name)!;
  return say(`Usage: ${command.usage}`);
}

function seconds(ms: number): string {
  return ms < 60_000
    ? `${Math.round(ms / 1000)}s`
    : `${Math.round(ms / 60_000)}m`;
}
