/**
 * `udpchat serve`: its help text and its command line, turned into the
 * options `serve()` runs with.
 * @module
 */

import { isIP } from "node:net";
import type { ParseArgsOptionsConfig } from "node:util";
import {
  discoveryPort,
  env,
  lang,
  number,
  parse,
  type Parsed,
  passphrase,
  port,
  print,
  UsageError,
  VERSION,
  whole,
} from "../cli/args.ts";
import { serve, type ServeOptions } from "./serve.ts";
import { sanitize } from "../wording/sanitize.ts";
import { granted } from "../net/interfaces.ts";
import { MAX_ROOM_BYTES } from "../protocol/discovery.ts";
import { redactedUrl } from "./cluster_ops.ts";
import { parseOrigins } from "./web_pages.ts";

/** The help text of `udpchat serve`. */
export const SERVE_USAGE = `Usage: udpchat serve [options]

Host a chat room. Each line typed here reaches every member as an admin
message; a line starting with / is a console command (/help lists them:
/who, /kick, /ban, /unban, /mute, /motd, /say, /stats, /shutdown). Stop with
Ctrl-C, SIGTERM or /shutdown: members are told the server is closing. With
/shutdown --restart, or SIGTERM under --state or --cluster, they are told it
is restarting, wait, and resume on the next server started on the same port
(with --cluster, members given several servers move to the next at once).

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
  --max-classic N    most classic clients at once, apart from --max-members
                     (default a quarter of --max-members)
  --classic-per-address N
                     most classic clients from one IP address (default 4)
  --classic-timeout MINUTES
                     drop a silent classic client (default 30; it is warned
                     first)
  --lang en|zh       wording of classic clients' lines (default from LC_ALL,
                     LC_MESSAGES or LANG)
  --state FILE       keep sessions, recent messages, bans, mutes and the
                     message of the day in FILE, so members resume after a
                     restart (within the timeout) and moderation survives it
  --passphrase-file FILE
                     encrypt the room (AES-GCM); members need the passphrase
                     (also: UDPCHAT_PASSPHRASE, or --passphrase TEXT, which
                     other users can see in the process list)
  --cluster URL      share the room with other servers through Redis:
                     redis://[:PASSWORD@]HOST:PORT[/DB] or rediss://… (also:
                     UDPCHAT_CLUSTER); members given several servers
                     (join --server A,B) move to another when theirs stops
  --room NAME        the room's name in udpchat find, and in Redis with
                     --cluster (default this machine's host name; with
                     --cluster: main)
  --no-announce      do not answer udpchat find: members need --server
  --discovery-port PORT
                     where to answer probes from udpchat find (default 8889,
                     shared with other servers on this machine)
  --web [HOST:]PORT  also serve the browser pages over HTTP on this TCP port:
                     / for members, /projector for a screen (HOST defaults
                     to --host)
  --web-origin ORIGINS
                     comma list of other origins whose pages may connect
                     (default only the page's own)
  --max-web N        most browser members at once, apart from --max-members
                     (default a quarter of --max-members)
  --verbose          log dropped datagrams too
  -h, --help         show this help
  -V, --version      show the version`;

const OPTIONS: ParseArgsOptionsConfig = {
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
  "max-classic": { type: "string" },
  "classic-per-address": { type: "string" },
  "classic-timeout": { type: "string" },
  lang: { type: "string" },
  state: { type: "string" },
  passphrase: { type: "string" },
  "passphrase-file": { type: "string" },
  verbose: { type: "boolean", default: false },
  room: { type: "string" },
  cluster: { type: "string" },
  "no-announce": { type: "boolean", default: false },
  "discovery-port": { type: "string" },
  web: { type: "string" },
  "web-origin": { type: "string" },
  "max-web": { type: "string" },
};

/** Run `udpchat serve ARGS`; resolves to the exit code. */
export async function runServe(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, OPTIONS, "serve");
  if (values.help) return print(SERVE_USAGE);
  if (values.version) return print(VERSION);
  if (positionals.length > 0) {
    const extra = positionals[0]!;
    throw new UsageError((w) => w.unexpected(extra, "serve"));
  }
  const hostname = String(values.host);
  if (isIP(hostname) === 0 && hostname !== "localhost") {
    throw new UsageError((w) => w.invalidHost(hostname));
  }
  const cluster = clusterOption(values);
  const statePath = values.state as string | undefined;
  if (cluster !== undefined && statePath !== undefined) {
    // The room's store keeps what a journal would: one place, not two.
    throw new UsageError((w) => w.unexpected("--state", "serve --cluster"));
  }
  return await serve({
    hostname,
    port: port(String(values.port)),
    verbose: values.verbose === true,
    statePath,
    passphrase: await passphrase(values),
    server: roomOptions(values),
    cluster,
    web: webOption(values, hostname),
    announce: values["no-announce"] === true ? undefined : {
      room: cluster?.room ?? roomName(values.room),
      port: discoveryPort(values["discovery-port"]),
    },
  });
}

/** --cluster (or UDPCHAT_CLUSTER) and the room's name in it (--room, default "main"). */
function clusterOption(
  values: Parsed["values"],
): { url: string; room: string } | undefined {
  const url = typeof values.cluster === "string"
    ? values.cluster
    : env("UDPCHAT_CLUSTER");
  if (url === undefined || url === "") return undefined;
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (
    parsed === undefined ||
    (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:") ||
    parsed.hostname === ""
  ) {
    throw new UsageError((w) => w.invalidCluster(redactedUrl(url)));
  }
  const room = values.room === undefined ? "main" : roomName(values.room);
  // Braces would break the hash tag that keeps a room in one Redis slot.
  if (/[{}]/.test(room)) throw new UsageError((w) => w.invalidRoom(room));
  return { url, room };
}

/** `--web [HOST:]PORT` and `--web-origin`; undefined without --web. */
function webOption(
  values: Parsed["values"],
  host: string,
): ServeOptions["web"] {
  const text = values.web;
  const originText = values["web-origin"];
  let origins: string[] = [];
  if (typeof originText === "string") {
    try {
      origins = parseOrigins(originText);
    } catch {
      throw new UsageError((w) => w.invalidOrigin(originText));
    }
  }
  if (typeof text !== "string") return undefined;
  const colon = text.lastIndexOf(":");
  const hostname = colon < 0
    ? host
    : text.slice(0, colon).replace(/^\[|\]$/g, "");
  const portText = colon < 0 ? text : text.slice(colon + 1);
  if (
    (isIP(hostname) === 0 && hostname !== "localhost") ||
    !/^\d{1,5}$/.test(portText) || Number(portText) > 65_535
  ) {
    throw new UsageError((w) => w.invalidWeb(text));
  }
  return { hostname, port: Number(portText), origins };
}

/** The room's name for discovery: --room, else the host name (cut to fit). */
function roomName(option: string | boolean | undefined): string {
  if (typeof option === "string") {
    const bytes = new TextEncoder().encode(option).byteLength;
    if (bytes === 0 || bytes > MAX_ROOM_BYTES || sanitize(option) !== option) {
      throw new UsageError((w) => w.invalidRoom(option));
    }
    return option;
  }
  // Not allowed to read it (--allow-sys=hostname): a plain name will do.
  let host = granted({ name: "sys", kind: "hostname" })
    ? Deno.hostname()
    : "udpchat";
  while (new TextEncoder().encode(host).byteLength > MAX_ROOM_BYTES) {
    host = host.slice(0, -1);
  }
  return host;
}

/** The room's rules from the options, checked in the order of the help text. */
function roomOptions(values: Parsed["values"]): ServeOptions["server"] {
  return {
    timeoutMs: number(values.timeout, "--timeout", 10) * 1000,
    maxMembers: whole(values["max-members"], "--max-members", 10_000, 1),
    history: whole(values.history, "--history", 50),
    announceLimit: whole(values["announce-limit"], "--announce-limit", 500),
    motd: values.motd as string | undefined,
    rate: number(values.rate, "--rate", 5, 0),
    burst: whole(values.burst, "--burst", 10, 1),
    joinRate: number(values["join-rate"], "--join-rate", 10, 0),
    classic: values["no-classic"] !== true,
    maxClassic: values["max-classic"] === undefined
      ? undefined
      : whole(values["max-classic"], "--max-classic", 0, 1),
    classicPerAddress: whole(
      values["classic-per-address"],
      "--classic-per-address",
      4,
      1,
    ),
    classicTimeoutMs:
      number(values["classic-timeout"], "--classic-timeout", 30) * 60_000,
    lang: lang(values.lang),
    maxWeb: values["max-web"] === undefined
      ? undefined
      : whole(values["max-web"], "--max-web", 0, 1),
  };
}
