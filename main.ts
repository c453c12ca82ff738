/**
 * udpchat: a group chat room over UDP. `udpchat serve` hosts a room,
 * `udpchat join NAME` joins one, `udpchat find` lists those nearby. This
 * file dispatches to the subcommand that parses the rest of the command
 * line; it is the only place that calls Deno.exit.
 * @module
 */

import { cliLang, print, UsageError, VERSION } from "./cli/args.ts";
import { cliWords } from "./wording/cli.ts";
import { runJoin } from "./client/join_cli.ts";
import { runSend } from "./client/send_cli.ts";
import { runFind } from "./client/find_cli.ts";
import { runServe } from "./server/serve_cli.ts";

const USAGE = `udpchat ${VERSION}: a group chat room over UDP

Usage:
  udpchat serve [--host HOST] [--port PORT]   host a room
  udpchat join [NAME] [--server HOST:PORT]    join a room (without --server,
                                              the room found on the network)
  udpchat find [--wait SECONDS] [--json]      list the rooms on the network
  udpchat send NAME TEXT [--server HOST:PORT] post one message and leave
  udpchat --help | --version

Run "udpchat COMMAND --help" for the options of serve, join and send.`;

async function main(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  switch (command) {
    case "serve":
      return await runServe(rest);
    case "join":
      return await runJoin(rest);
    case "send":
      return await runSend(rest);
    case "find":
      return await runFind(rest);
    case "-h":
    case "--help":
    case "help":
      return print(USAGE);
    case "-V":
    case "--version":
      return print(VERSION);
    case undefined:
      console.error(USAGE);
      return 2;
    default:
      throw new UsageError((w) => w.unknownCommand(command));
  }
}

if (import.meta.main) {
  let code: number;
  try {
    code = await main(Deno.args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`udpchat: ${error.say(cliWords(cliLang(Deno.args)))}`);
    code = 2;
  }
  Deno.exit(code);
}
