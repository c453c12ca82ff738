/**
 * What every subcommand's argument parsing shares: the version, the usage
 * error, option parsing, numbers, the passphrase and host resolution. The
 * command line is the terminal layer, so printing here is in place.
 * @module
 */

import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import type { Address } from "../protocol/address.ts";

/** The program's version, printed by --version. */
export const VERSION = "0.1.0";

/** The options every member command (join, send) takes: where, wording, passphrase. */
export const MEMBER_OPTIONS: ParseArgsOptionsConfig = {
  server: { type: "string", default: "127.0.0.1:8888" },
  lang: { type: "string" },
  passphrase: { type: "string" },
  "passphrase-file": { type: "string" },
};

/** A mistake on the command line: one line on stderr, exit code 2. */
export class UsageError extends Error {}

/** A subcommand's parsed options and positional arguments. */
export interface Parsed {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/**
 * Parse a subcommand's arguments against `options` plus --help and --version.
 * A leading `--` is dropped: `deno task serve -- --port 0` passes it through.
 */
export function parse(args: string[], options: ParseArgsOptionsConfig): Parsed {
  try {
    return parseArgs({
      // parseArgs would take everything after a `--` as positionals.
      args: args[0] === "--" ? args.slice(1) : args,
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
export function number(
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
export function whole(
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

/** The address with its host name looked up, so sockets get an IP. */
export async function resolve(address: Address): Promise<Address> {
  if (isIP(address.hostname) !== 0) return address;
  try {
    const { address: ip } = await lookup(address.hostname);
    return { hostname: ip, port: address.port };
  } catch {
    throw new UsageError(`Cannot resolve host "${address.hostname}"`);
  }
}

/** Run a parser, turning what it throws into a UsageError. */
export function usage<T>(parseIt: () => T): T {
  try {
    return parseIt();
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** Print `text` on stdout; returns exit code 0. */
export function print(text: string): number {
  console.log(text);
  return 0;
}
