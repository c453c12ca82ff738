/**
 * What every subcommand's argument parsing shares: the version, the usage
 * error, option parsing, numbers, the passphrase and host resolution. The
 * command line is the terminal layer, so printing here is in place.
 * @module
 */

import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import {
  type Address,
  formatAddress,
  parseAddress,
  parsePort,
} from "../protocol/address.ts";
import { DISCOVERY_PORT } from "../protocol/discovery.ts";
import { type CliWords, cliWords, fileProblem } from "../wording/cli.ts";
import { type Lang, pickLang } from "../wording/i18n.ts";

/** The program's version, printed by --version. */
export const VERSION = "0.1.0";

/** The options every member command (join, send) takes: where, wording, passphrase. */
export const MEMBER_OPTIONS: ParseArgsOptionsConfig = {
  server: { type: "string", default: "127.0.0.1:8888" },
  lang: { type: "string" },
  passphrase: { type: "string" },
  "passphrase-file": { type: "string" },
};

/**
 * A mistake on the command line: one line on stderr ("udpchat: " and
 * `say` in the user's language), exit code 2. Its message is the English.
 */
export class UsageError extends Error {
  /** The line, in the words given. */
  readonly say: (words: CliWords) => string;

  /** An error worded by `say`. */
  constructor(say: (words: CliWords) => string) {
    super(say(cliWords("en")));
    this.say = say;
  }
}

/**
 * The language of the command line's errors: --lang when given and
 * supported (before parsing, so even a parse error speaks it), else the
 * locale.
 */
export function cliLang(args: readonly string[]): Lang {
  let option: string | undefined;
  for (const [i, arg] of args.entries()) {
    if (arg === "--lang") option = args[i + 1];
    else if (arg.startsWith("--lang=")) option = arg.slice("--lang=".length);
  }
  try {
    return pickLang(option, env);
  } catch {
    return pickLang(undefined, env);
  }
}

/** The language from --lang or the locale; a UsageError when --lang is unsupported. */
export function lang(option: string | boolean | undefined): Lang {
  try {
    return pickLang(option as string | undefined, env);
  } catch {
    throw new UsageError((w) => w.unsupportedLang(String(option)));
  }
}

/** A UDP port from option `option`. */
export function port(text: string, option = "--port"): number {
  try {
    return parsePort(text);
  } catch {
    throw new UsageError((w) => w.invalidPort(option, text));
  }
}

/** The --discovery-port option: where servers answer probes from `find`. */
export function discoveryPort(text: string | boolean | undefined): number {
  return text === undefined
    ? DISCOVERY_PORT
    : port(String(text), "--discovery-port");
}

/** The --server address, HOST:PORT (PORT defaulting to `defaultPort`). */
export function serverAddress(text: string, defaultPort: number): Address {
  try {
    return parseAddress(text, defaultPort);
  } catch {
    throw new UsageError((w) => w.invalidServer(text));
  }
}

/**
 * The --server list, HOST:PORT,HOST:PORT,... (each PORT defaulting to
 * `defaultPort`): at least one, none empty, none twice.
 */
export function serverList(text: string, defaultPort: number): Address[] {
  const servers: Address[] = [];
  for (const item of text.split(",")) {
    if (item.trim() === "") {
      throw new UsageError((w) => w.emptyServer(text));
    }
    const address = serverAddress(item, defaultPort);
    const same = formatAddress(address);
    if (servers.some((other) => formatAddress(other) === same)) {
      throw new UsageError((w) => w.duplicateServer(text, same));
    }
    servers.push(address);
  }
  return servers;
}

/** A subcommand's parsed options and positional arguments. */
export interface Parsed {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/**
 * Parse a subcommand's arguments against `options` plus --help and --version.
 * A leading `--` is dropped: `deno task serve -- --port 0` passes it through.
 */
export function parse(
  args: string[],
  options: ParseArgsOptionsConfig,
  command: string,
): Parsed {
  try {
    return parseArgs({
      // parseArgs would take everything after a `--` as positionals.
      args: negatives(args[0] === "--" ? args.slice(1) : args, options),
      options: {
        ...options,
        help: { type: "boolean", short: "h" },
        version: { type: "boolean", short: "V" },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw parseError(error, command);
  }
}

/**
 * `--port -1` as `--port=-1`: parseArgs calls a value starting with "-"
 * ambiguous; a negative number is a value, and then its check says what
 * is wrong with it.
 */
function negatives(
  args: string[],
  options: ParseArgsOptionsConfig,
): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const next = args[i + 1];
    if (arg === "--") return [...out, ...args.slice(i)];
    const option = options[arg.replace(/^--/, "")];
    if (
      arg.startsWith("--") && option?.type === "string" &&
      next !== undefined && /^-\d/.test(next)
    ) {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

/** What node:util's parseArgs threw, in our words (its own text says "positional argument", "ambiguous"). */
function parseError(error: unknown, command: string): UsageError {
  const { code, message } = error as { code?: string; message: string };
  const option = /'(-[^' ]+)/.exec(message)?.[1] ?? "";
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    return new UsageError((w) => w.unknownOption(option, command));
  }
  if (/does not take an argument/.test(message)) {
    return new UsageError((w) => w.takesNoValue(option));
  }
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    return new UsageError((w) => w.needsValue(option));
  }
  return new UsageError(() => message.split("\n")[0]!);
}

/** A number from the command line, at least `min` (exclusive when 0 is not allowed). */
export function number(
  text: string | boolean | undefined,
  option: string,
  fallback: number,
  min = Number.MIN_VALUE,
): number {
  return numeric(text, option, fallback, min, false);
}

/** A whole number from the command line, at least `min`. */
export function whole(
  text: string | boolean | undefined,
  option: string,
  fallback: number,
  min = 0,
): number {
  return numeric(text, option, fallback, min, true);
}

function numeric(
  text: string | boolean | undefined,
  option: string,
  fallback: number,
  min: number,
  integer: boolean,
): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (
    typeof text !== "string" || !/^\d+(\.\d+)?$/.test(text) || value < min ||
    (integer && !Number.isInteger(value))
  ) {
    throw new UsageError((w) =>
      w.invalidNumber(option, String(text), integer, min > 0)
    );
  }
  return value;
}

/** An environment variable; unset when not allowed to read it. */
export function env(name: string): string | undefined {
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
export async function passphrase(
  values: Parsed["values"],
): Promise<string | undefined> {
  let text: string | undefined;
  const file = values["passphrase-file"];
  if (typeof file === "string") {
    try {
      text = (await Deno.readTextFile(file)).split(/\r?\n/, 1)[0];
    } catch (error) {
      throw new UsageError((w) => w.passphraseFile(file, fileProblem(error)));
    }
  } else if (typeof values.passphrase === "string") {
    text = values.passphrase;
  } else {
    text = Deno.env.get("UDPCHAT_PASSPHRASE");
  }
  if (text === "") throw new UsageError((w) => w.passphraseEmpty);
  return text;
}

/** The address with its host name looked up, so sockets get an IP. */
export async function resolve(address: Address): Promise<Address> {
  if (isIP(address.hostname) !== 0) return address;
  try {
    const { address: ip } = await lookup(address.hostname);
    return { hostname: ip, port: address.port };
  } catch {
    throw new UsageError((w) => w.unknownHost(address.hostname));
  }
}

/** Every address of `addresses` looked up (see `resolve`), in order. */
export function resolveAll(addresses: Address[]): Promise<Address[]> {
  return Promise.all(addresses.map(resolve));
}

/** Print `text` on stdout; returns exit code 0. */
export function print(text: string): number {
  console.log(text);
  return 0;
}
