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
  resolve,
  serverAddress,
  UsageError,
  VERSION,
} from "../cli/args.ts";
import { join } from "./join.ts";

/** The help text of `udpchat join`. */
export const JOIN_USAGE = `Usage: udpchat join [NAME] [options]

Join a chat room as NAME (asked for when omitted on a terminal). Each line
you type is sent to the room; /help lists the commands (/who, /msg, /me,
/nick, /away, /ignore, /quit); // sends a line starting with /. /quit,
Ctrl-D or Ctrl-C leaves. With stdin and stdout as pipes, every event is one
line on stdout.

Options:
  --server HOST:PORT  the room's server (default 127.0.0.1:8888)
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
  const server = await resolve(serverAddress(String(values.server), 8888));
  const colour = tty && values["no-color"] !== true && !env("NO_COLOR");
  return await join({
    name,
    server,
    colour,
    tty,
    json,
    lang,
    passphrase: await passphrase(values),
  });
}
