/**
 * udpchat: a group chat room over UDP. `udpchat serve` hosts a room,
 * `udpchat join NAME` joins one. This file parses the command line and
 * dispatches; it is the only place that calls Deno.exit.
 * @module
 */

import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import { messagesFor, pickLang } from "./wording/i18n.ts";
import { join } from "./client/join.ts";
import { send } from "./client/send.ts";
import { type Address, parseAddress, parsePort } from "./protocol/address.ts";
import { validateText } from "./protocol/text.ts";
import { serve } from "./server/serve.ts";

/** The program's version, printed by --version. */
export const VERSION = "0.1.0";

const USAGE = `udpchat ${VERSION}: a group chat room over UDP

Usage:
  udpchat serve [--host HOST] [--port PORT]   host a room
  udpchat join [NAME] [--server HOST:PORT]    join a room
  udpchat send NAME TEXT [--server HOST:PORT] post one message and leave
  udpchat --help | --version

Run "udpchat COMMAND --help" for the options of serve, join and send.`;

const SERVE_USAGE = `Usage: udpchat serve [options]

Host a chat room. Each line typed here reaches every member as an admin
message; a line starting with / is a console command (/help lists them:
/who, /kick, /ban, /unban, /mute, /motd, /say, /stats, /shutdown). Stop with
Ctrl-C, SIGTERM or /shutdown: members are told the server is closing.

Options:
  --host HOST        address to bind (default 0.0.0.0, every interface)
  --port PORT        UDP port (default 8888; 0 lets the system choose)
  --timeout SECONDS  drop a member silent this long (default 10)
  --max-members N    most members at once (default 10000)
  --history N        messages shown to a member who joins (default 50; 0: off)
  --announce-limit N above N members, joins and leaves are not announced
                     (default 500; 0: always announced)
  --motd TEXT        message of the day, shown on join (/motd changes it)
  --rate N           messages a second per member, after a burst (default 5;
                     0: no limit); clients pace themselves under it
  --burst N          messages a member may send at once (default 10)
  --join-rate N      joins a second from one address (default 10; 0: no limit)
  --no-classic       refuse clients of the classic text protocol (L/C/Q)
  --classic-timeout MINUTES
                     drop a silent classic client (default 30)
  --state FILE       keep sessions and recent messages in FILE, so members
                     resume after a restart (within the timeout)
  --passphrase-file FILE
                     encrypt the room (AES-GCM); members need the passphrase
                     (also: UDPCHAT_PASSPHRASE, or --passphrase TEXT, which
                     other users can see in the process list)
  --verbose          log dropped datagrams too
  -h, --help         show this help
  -V, --version      show the version`;

const JOIN_USAGE = `Usage: udpchat join [NAME] [options]

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

const SEND_USAGE = `Usage: udpchat send NAME TEXT [options]

Join as NAME, post TEXT, wait until the server has it, and leave: for
scripts and cron jobs. Silent and exit 0 on success; a refused name, an
unreachable server or an undelivered message is one line on stderr and
exit 1.

Options:
  --server HOST:PORT  the room's server (default 127.0.0.1:8888)
  --timeout SECONDS   give up when not delivered by then (default 20)
  --lang en|zh        wording of errors (default from the locale)
  --passphrase-file FILE
                      the room's passphrase (also: UDPCHAT_PASSPHRASE, or
                      --passphrase TEXT)
  -h, --help          show this help
  -V, --version       show the version`;

/** A mistake on the command line: one line on stderr, exit code 2. */
class UsageError extends Error {}

interface Parsed {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

function parse(args: string[], options: ParseArgsOptionsConfig): Parsed {
  try {
    return parseArgs({
      args,
      options: {
        ...options,
        help: { type: "boolean", short: "h" },
        version: { type: "boolean", short: "V" },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError((error as Error).message.split("\n")[0]);
  }
}

/** A number from the command line, at least `min` (exclusive when 0 is not allowed). */
function number(
  text: string | boolean | undefined,
  what: string,
  fallback: number,
  min = Number.MIN_VALUE,
): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (typeof text !== "string" || !/^\d+(\.\d+)?$/.test(text) || value < min) {
    throw new UsageError(
      `Invalid ${what} "${text}": expected a ${
        min > 0 ? "positive" : "non-negative"
      } number`,
    );
  }
  return value;
}

/** A whole number from the command line, at least `min`. */
function whole(
  text: string | boolean | undefined,
  what: string,
  fallback: number,
  min = 0,
): number {
  const value = number(text, what, fallback, min);
  if (!Number.isInteger(value)) {
    throw new UsageError(`Invalid ${what} "${text}": expected a whole number`);
  }
  return value;
}

async function runServe(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    host: { type: "string", default: "0.0.0.0" },
    port: { type: "string", default: "8888" },
    timeout: { type: "string" },
    "max-members": { type: "string" },
    history: { type: "string" },
    "announce-limit": { type: "string" },
    motd: { type: "string" },
    rate: { type: "string" },
    burst: { type: "string" },
    "join-rate": { type: "string" },
    "no-classic": { type: "boolean", default: false },
    "classic-timeout": { type: "string" },
    state: { type: "string" },
    passphrase: { type: "string" },
    "passphrase-file": { type: "string" },
    verbose: { type: "boolean", default: false },
  });
  if (values.help) return print(SERVE_USAGE);
  if (values.version) return print(VERSION);
  if (positionals.length > 0) {
    throw new UsageError(`Unexpected argument "${positionals[0]}"`);
  }
  const hostname = String(values.host);
  if (isIP(hostname) === 0 && hostname !== "localhost") {
    throw new UsageError(`Invalid host "${hostname}": expected an IP address`);
  }
  return await serve({
    hostname,
    port: usage(() => parsePort(String(values.port))),
    verbose: values.verbose === true,
    statePath: values.state as string | undefined,
    passphrase: await passphrase(values),
    server: {
      timeoutMs: number(values.timeout, "timeout", 10) * 1000,
      maxMembers: whole(values["max-members"], "member count", 10_000, 1),
      history: whole(values.history, "history size", 50),
      announceLimit: whole(values["announce-limit"], "announce limit", 500),
      motd: values.motd as string | undefined,
      rate: number(values.rate, "rate", 5, 0),
      burst: whole(values.burst, "burst", 10, 1),
      joinRate: number(values["join-rate"], "join rate", 10, 0),
      classic: values["no-classic"] !== true,
      classicTimeoutMs:
        number(values["classic-timeout"], "classic timeout", 30) * 60_000,
    },
  });
}

async function runJoin(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    server: { type: "string", default: "127.0.0.1:8888" },
    "no-color": { type: "boolean", default: false },
    json: { type: "boolean", default: false },
    lang: { type: "string" },
    passphrase: { type: "string" },
    "passphrase-file": { type: "string" },
  });
  if (values.help) return print(JOIN_USAGE);
  if (values.version) return print(VERSION);
  if (positionals.length > 1) {
    throw new UsageError(
      `Unexpected argument "${positionals[1]}" (a name has no spaces)`,
    );
  }
  const json = values.json === true;
  const tty = Deno.stdin.isTerminal() && Deno.stdout.isTerminal();
  const name = positionals[0];
  if (name === undefined && (!tty || json)) {
    throw new UsageError(
      "NAME is required with --json or when stdin or stdout is not a terminal",
    );
  }
  const lang = usage(() => pickLang(values.lang as string | undefined, env));
  const server = await resolve(
    usage(() => parseAddress(String(values.server), 8888)),
  );
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

async function runSend(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    server: { type: "string", default: "127.0.0.1:8888" },
    timeout: { type: "string" },
    lang: { type: "string" },
    passphrase: { type: "string" },
    "passphrase-file": { type: "string" },
  });
  if (values.help) return print(SEND_USAGE);
  if (values.version) return print(VERSION);
  const [name, text, extra] = positionals;
  if (name === undefined || text === undefined) {
    throw new UsageError("NAME and TEXT are required (send NAME TEXT)");
  }
  if (extra !== undefined) {
    throw new UsageError(
      `Unexpected argument "${extra}" (quote TEXT when it has spaces)`,
    );
  }
  const check = validateText(text);
  if (!check.ok) throw new UsageError(check.message);
  const lang = usage(() => pickLang(values.lang as string | undefined, env));
  const server = await resolve(
    usage(() => parseAddress(String(values.server), 8888)),
  );
  return await send({
    name,
    text: check.text,
    server,
    timeoutMs: number(values.timeout, "timeout", 20) * 1000,
    t: messagesFor(lang),
    passphrase: await passphrase(values),
  });
}

/** An environment variable; unset when not allowed to read it. */
function env(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
}

/**
 * The room passphrase from --passphrase-file (its first line),
 * --passphrase, or UDPCHAT_PASSPHRASE; undefined for an open room.
 */
async function passphrase(
  values: Parsed["values"],
): Promise<string | undefined> {
  let text: string | undefined;
  const file = values["passphrase-file"];
  if (typeof file === "string") {
    try {
      text = (await Deno.readTextFile(file)).split(/\r?\n/, 1)[0];
    } catch (error) {
      throw new UsageError(`Cannot read ${file}: ${(error as Error).message}`);
    }
  } else if (typeof values.passphrase === "string") {
    text = values.passphrase;
  } else {
    text = Deno.env.get("UDPCHAT_PASSPHRASE");
  }
  if (text === "") throw new UsageError("The passphrase is empty");
  return text;
}

async function resolve(address: Address): Promise<Address> {
  if (isIP(address.hostname) !== 0) return address;
  try {
    const { address: ip } = await lookup(address.hostname);
    return { hostname: ip, port: address.port };
  } catch {
    throw new UsageError(`Cannot resolve host "${address.hostname}"`);
  }
}

function usage<T>(parseIt: () => T): T {
  try {
    return parseIt();
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function print(text: string): number {
  console.log(text);
  return 0;
}

async function main(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  switch (command) {
    case "serve":
      return await runServe(rest);
    case "join":
      return await runJoin(rest);
    case "send":
      return await runSend(rest);
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
      throw new UsageError(
        `Unknown command "${command}" (expected serve, join or send)`,
      );
  }
}

if (import.meta.main) {
  let code: number;
  try {
    code = await main(Deno.args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`udpchat: ${error.message}`);
    code = 2;
  }
  Deno.exit(code);
}
