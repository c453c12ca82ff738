/**
 * `udpchat send`: its help text and its command line, turned into the
 * options `send()` runs with.
 * @module
 */

import type { ParseArgsOptionsConfig } from "node:util";
import {
  lang as pickLang,
  MEMBER_OPTIONS,
  number,
  parse,
  passphrase,
  print,
  resolveAll,
  serverList,
  UsageError,
  VERSION,
} from "../cli/args.ts";
import { validateText } from "../protocol/text.ts";
import { messagesFor } from "../wording/i18n.ts";
import { send } from "./send.ts";

/** The help text of `udpchat send`. */
export const SEND_USAGE = `Usage: udpchat send NAME TEXT [options]

Join as NAME, post TEXT, wait until the server has it, and leave: for
scripts and cron jobs. Silent and exit 0 on success; a refused name, an
unreachable server or an undelivered message is one line on stderr and
exit 1.

Options:
  --server HOST:PORT  the room's server (default 127.0.0.1:8888); several,
                      comma-separated, are tried in turn until one answers
  --timeout SECONDS   give up when not delivered by then (default 20)
  --lang en|zh        wording of errors (default from the locale)
  --passphrase-file FILE
                      the room's passphrase (also: UDPCHAT_PASSPHRASE, or
                      --passphrase TEXT)
  -h, --help          show this help
  -V, --version       show the version`;

const OPTIONS: ParseArgsOptionsConfig = {
  ...MEMBER_OPTIONS,
  timeout: { type: "string" },
};

/** Run `udpchat send ARGS`; resolves to the exit code. */
export async function runSend(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, OPTIONS, "send");
  if (values.help) return print(SEND_USAGE);
  if (values.version) return print(VERSION);
  const [name, text, extra] = positionals;
  if (name === undefined || text === undefined) {
    throw new UsageError((w) => w.sendNeedsText);
  }
  if (extra !== undefined) throw new UsageError((w) => w.sendExtra(extra));
  const check = validateText(text);
  if (!check.ok) {
    const reason = check.message;
    throw new UsageError((w) => w.badText(reason));
  }
  const lang = pickLang(values.lang);
  const servers = await resolveAll(serverList(String(values.server), 8888));
  return await send({
    name,
    text: check.text,
    servers,
    timeoutMs: number(values.timeout, "--timeout", 20) * 1000,
    t: messagesFor(lang),
    passphrase: await passphrase(values),
  });
}
