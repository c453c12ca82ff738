/**
 * `udpchat join`: its help text and its command line, turned into the
 * options `join()` runs with.
 * @module
 */

import type { ParseArgsOptionsConfig } from "node:util";
import {
  env,
  lang as pickLang,
  MEMBER_OPTIONS,
  parse,
  passphrase,
  print,
  resolveAll,
  serverList,
  UsageError,
  VERSION,
} from "../cli/args.ts";
import { join } from "./join.ts";
import type { Address } from "../protocol/address.ts";
import type { Lang } from "../wording/i18n.ts";
import { cliWords } from "../wording/cli.ts";
import { sanitize } from "../wording/sanitize.ts";
import { discover } from "./discover.ts";
import { DISCOVERY_OPTIONS, discoveryOptions } from "./find_cli.ts";
import { choose, pick, type Room, roomAddress, roomLine } from "./rooms.ts";

/** The help text of `udpchat join`. */
export const JOIN_USAGE = `Usage: udpchat join [NAME] [options]

Join a chat room as NAME (asked for when omitted on a terminal). Each line
you type is sent to the room; /help lists the commands (/who, /msg, /me,
/nick, /away, /ignore, /quit); // sends a line starting with /. /quit,
Ctrl-D or Ctrl-C leaves. With stdin and stdout as pipes, every event is one
line on stdout.

Options:
  --server HOST:PORT  the room's server; without it, join looks for rooms on
                      the local network (as udpchat find does): it joins the
                      one that answers, asks which when several do (on a
                      terminal; exits 1 with the list otherwise), and exits 1
                      when none does
  --server HOST:PORT,HOST:PORT,...
                      several servers of one room: the first that answers is
                      used; when it falls silent, the session resumes at the
                      next (about 3.5 s after), and one line names it
  --wait SECONDS      without --server, how long to wait for rooms (default 1)
  --json              one JSON object per event on stdout, e.g.
                      {"type":"event","kind":"chat","id":7,
                       "time":"2025-01-01T12:00:00.000Z","from":"bob","text":"hi"}
                      (stdin still takes plain lines and commands)
  --lang en|zh        wording (default from LC_ALL, LC_MESSAGES or LANG)
  --passphrase-file FILE
                      the room's passphrase, for an encrypted room (also:
                      UDPCHAT_PASSPHRASE, or --passphrase TEXT)
  --no-color          no colour (also when NO_COLOR is set)
  -h, --help          show this help
  -V, --version       show the version`;

const OPTIONS: ParseArgsOptionsConfig = {
  ...MEMBER_OPTIONS,
  ...DISCOVERY_OPTIONS,
  server: { type: "string" },
  "no-color": { type: "boolean", default: false },
  json: { type: "boolean", default: false },
};

/** Run `udpchat join ARGS`; resolves to the exit code. */
export async function runJoin(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, OPTIONS, "join");
  if (values.help) return print(JOIN_USAGE);
  if (values.version) return print(VERSION);
  if (positionals.length > 1) {
    const extra = positionals[1]!;
    throw new UsageError((w) => w.nameHasSpaces(extra));
  }
  const json = values.json === true;
  const tty = Deno.stdin.isTerminal() && Deno.stdout.isTerminal();
  const name = positionals[0];
  if (name === undefined && (!tty || json)) {
    throw new UsageError((w) => w.nameRequired);
  }
  const lang = pickLang(values.lang);
  const found = values.server === undefined
    ? await findRoom(values, tty && !json, lang)
    : undefined;
  const servers = values.server === undefined
    ? found && [found]
    : await resolveAll(serverList(String(values.server), 8888));
  if (servers === undefined) return 1;
  const colour = tty && values["no-color"] !== true && !env("NO_COLOR");
  return await join({
    name,
    servers,
    colour,
    tty,
    json,
    lang,
    passphrase: await passphrase(values),
  });
}

/**
 * The room to join when no --server is given: the one found on the local
 * network, or the one picked from several on a terminal (`ask`); undefined,
 * having said why, when there is none to join.
 */
async function findRoom(
  values: Record<string, string | boolean | undefined>,
  ask: boolean,
  lang: Lang,
): Promise<Address | undefined> {
  const words = cliWords(lang);
  const { port, waitMs } = discoveryOptions(values);
  const choice = choose(await discover(port, waitMs));
  let room: Room | undefined;
  switch (choice.kind) {
    case "none":
      console.error(`udpchat: ${words.noRooms(waitMs / 1000)}`);
      return undefined;
    case "one":
      room = choice.room;
      break;
    case "several": {
      const lines = choice.rooms.map((r, i) => `  ${i + 1}. ${roomLine(r)}`);
      if (!ask) {
        console.error([`udpchat: ${words.severalRooms}`, ...lines].join("\n"));
        return undefined;
      }
      console.log(lines.join("\n"));
      while (room === undefined) {
        const typed = prompt(words.whichRoom(choice.rooms.length));
        if (typed === null) return undefined;
        room = pick(choice.rooms, typed);
      }
      break;
    }
    default: {
      const _exhaustive: never = choice;
      throw new TypeError(`Unknown choice ${_exhaustive}`);
    }
  }
  console.error(words.foundRoom(sanitize(room.room), roomAddress(room)));
  return { hostname: room.hostname, port: room.port };
}
