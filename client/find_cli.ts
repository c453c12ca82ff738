/**
 * `udpchat find`: its help text and its command line; lists the rooms that
 * answer on the local network.
 * @module
 */

import type { ParseArgsOptionsConfig } from "node:util";
import {
  discoveryPort,
  lang as pickLang,
  number,
  parse,
  print,
  UsageError,
  VERSION,
} from "../cli/args.ts";
import { cliWords } from "../wording/cli.ts";
import { DISCOVERY_PORT } from "../protocol/discovery.ts";
import { discover } from "./discover.ts";
import { roomJson, roomLine } from "./rooms.ts";

/** The help text of `udpchat find`. */
export const FIND_USAGE = `Usage: udpchat find [options]

List the chat rooms on the local network: it asks by broadcast (and
multicast) and prints each room that answers within the wait, one line
each: room, address, members, passphrase or open. Exits 1 when none
answers. Servers started with --no-announce do not answer.

Options:
  --wait SECONDS        how long to wait for answers (default 1)
  --json                one JSON object per room, e.g.
                        {"room":"lab","address":"192.168.1.20","port":8888,
                         "members":3,"passphrase":false,"version":2}
  --discovery-port PORT where servers listen for probes (default ${DISCOVERY_PORT})
  --lang en|zh          wording (default from LC_ALL, LC_MESSAGES or LANG)
  -h, --help            show this help
  -V, --version         show the version`;

/** The options `find` and `join` share to look for rooms. */
export const DISCOVERY_OPTIONS: ParseArgsOptionsConfig = {
  wait: { type: "string" },
  "discovery-port": { type: "string" },
};

const OPTIONS: ParseArgsOptionsConfig = {
  ...DISCOVERY_OPTIONS,
  json: { type: "boolean", default: false },
  lang: { type: "string" },
};

/** The discovery port and the wait (ms) from the command line. */
export function discoveryOptions(
  values: Record<string, string | boolean | undefined>,
): { port: number; waitMs: number } {
  return {
    port: discoveryPort(values["discovery-port"]),
    waitMs: number(values.wait, "--wait", 1) * 1000,
  };
}

/** Run `udpchat find ARGS`; resolves to the exit code. */
export async function runFind(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, OPTIONS, "find");
  if (values.help) return print(FIND_USAGE);
  if (values.version) return print(VERSION);
  if (positionals.length > 0) {
    const extra = positionals[0]!;
    throw new UsageError((w) => w.unexpected(extra, "find"));
  }
  const lang = pickLang(values.lang);
  const { port, waitMs } = discoveryOptions(values);
  const rooms = await discover(port, waitMs);
  for (const room of rooms) {
    console.log(values.json === true ? roomJson(room) : roomLine(room));
  }
  if (rooms.length > 0) return 0;
  console.error(`udpchat: ${cliWords(lang).noRooms(waitMs / 1000)}`);
  return 1;
}
