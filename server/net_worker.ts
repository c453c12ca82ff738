/**
 * Worker entry of `serve`: owns the UDP socket and the room. The main
 * thread only sends console lines and a shutdown, and prints what comes back.
 * @module
 */

/// <reference lib="deno.worker" />

import { runConsole } from "./commands.ts";
import { ServerCore } from "./core.ts";
import { type LogLevel, messageOf } from "./log.ts";
import { Guard } from "../net/guard.ts";
import { SALT_BYTES } from "../protocol/seal.ts";
import { Journal } from "./journal.ts";
import { DEFAULT_LOG_SIZE } from "./room_log.ts";
import type { FromServerWorker, ToServerWorker } from "./messages.ts";
import { formatAddress } from "../protocol/address.ts";
import { fileProblem } from "../wording/cli.ts";
import { UdpServer } from "./server.ts";
import { reachableHost } from "../net/interfaces.ts";
import { type ClusterServer, joinCluster } from "./cluster_start.ts";
import { deriveKey } from "../protocol/seal.ts";
import { WebListener } from "./web_http.ts";

let server: UdpServer | undefined;
/** The room's store, when the room is shared (`--cluster`). */
let cluster: ClusterServer | undefined;
/** The browser pages' listener, with `--web`. */
let web: WebListener | undefined;

function post(message: FromServerWorker): void {
  self.postMessage(message);
}

/** Log lines waiting to go to the main thread (a busy room logs a lot). */
let entries: Array<{ level: LogLevel; text: string }> = [];

/** Queue a log line; the queue goes out within LOG_FLUSH_MS, in one message. */
function log(level: LogLevel, text: string): void {
  if (entries.length === 0) setTimeout(flushLog, LOG_FLUSH_MS);
  entries.push({ level, text });
}

function flushLog(): void {
  if (entries.length === 0) return;
  post({ type: "log", entries });
  entries = [];
}

const LOG_FLUSH_MS = 20;

async function start(
  message: Extract<ToServerWorker, { type: "start" }>,
): Promise<void> {
  let socket: Deno.DatagramConn;
  try {
    socket = Deno.listenDatagram({
      transport: "udp",
      hostname: message.hostname,
      port: message.port,
    });
  } catch (error) {
    const kind = error instanceof Deno.errors.AddrInUse
      ? "port in use"
      : error instanceof Deno.errors.AddrNotAvailable
      ? "no such address"
      : "listen";
    return post({
      type: "failed",
      failure: { kind, address: formatAddress(message) },
    });
  }
  let opened: ReturnType<typeof Journal.open> | undefined;
  if (message.statePath !== undefined) {
    try {
      opened = Journal.open(
        message.statePath,
        Math.max(DEFAULT_LOG_SIZE, message.options.history ?? 0),
      );
    } catch (error) {
      socket.close();
      return post({
        type: "failed",
        failure: {
          kind: "state",
          path: message.statePath,
          problem: fileProblem(error),
          detail: messageOf(error),
        },
      });
    }
  }
  const skipped = opened?.skipped ?? 0;
  if (skipped > 0) {
    log(
      "warn",
      `Skipped ${skipped} lines of ${message.statePath} that the journal could not have written`,
    );
  }
  // Dropped datagrams are logged at debug: under attack, posting each costs.
  const logger = (level: LogLevel, text: string) => {
    if (level !== "debug" || message.verbose) log(level, text);
  };
  if (message.cluster !== undefined) {
    return startCluster(message, message.cluster, socket, logger);
  }
  const options = { ...message.options };
  let guard: Guard | undefined;
  if (message.passphrase !== undefined) {
    // Kept in the journal, so members that resume after a restart keep their key.
    options.salt = opened?.state.salt ??
      crypto.getRandomValues(new Uint8Array(SALT_BYTES));
    if (opened && opened.state.salt === undefined) {
      opened.journal.salt(options.salt);
    }
    // Its nonces continue after the ones it used before a restart.
    const journal = opened?.journal;
    const nonces = journal && {
      sender: opened?.state.seal?.sender ??
        crypto.getRandomValues(new Uint32Array(1))[0]!,
      counter: opened?.state.seal?.counter ?? 0,
      reserve: (sender: number, counter: number) =>
        journal.seal({ sender, counter }),
    };
    guard = new Guard(message.passphrase, "server", options.salt, { nonces });
    await guard.ready();
  }
  const core = new ServerCore(
    options,
    logger,
    opened && { sink: opened.journal, restored: opened.state, now: Date.now() },
  );
  server = new UdpServer(socket, core, opened?.journal, guard);
  await listening(message, options.salt, logger);
}

/**
 * The server is up: start the browser pages' listener (with `--web`), tell
 * the main thread, and keep the member count for discovery.
 */
async function listening(
  message: Extract<ToServerWorker, { type: "start" }>,
  salt: Uint8Array | undefined,
  logger: (level: LogLevel, text: string) => void,
): Promise<void> {
  if (!server) return;
  if (message.web !== undefined) {
    try {
      web = await listenWeb(server, message, salt, logger);
    } catch (error) {
      await server.close();
      server = undefined;
      await cluster?.shell[Symbol.asyncDispose]();
      await cluster?.store[Symbol.asyncDispose]();
      const address = formatAddress(message.web);
      return post({
        type: "failed",
        failure: {
          kind: error instanceof Deno.errors.AddrInUse
            ? "port in use"
            : error instanceof Deno.errors.AddrNotAvailable
            ? "no such address"
            : "listen",
          address,
        },
      });
    }
  }
  if (message.members) countMembers(new Int32Array(message.members));
  const { hostname, port } = server.address;
  post({ type: "listening", hostname, port, web: web?.address });
}

/** Start the browser pages' listener beside `udp` (the room key for a passphrase room). */
async function listenWeb(
  udp: UdpServer,
  message: Extract<ToServerWorker, { type: "start" }>,
  salt: Uint8Array | undefined,
  logger: (level: LogLevel, text: string) => void,
): Promise<WebListener> {
  const key = message.passphrase !== undefined && salt !== undefined
    ? await deriveKey(message.passphrase, salt)
    : undefined;
  return await WebListener.start(udp, { ...message.web!, key }, logger);
}

/** Start a server of a room shared through Redis (`--cluster`). */
async function startCluster(
  message: Extract<ToServerWorker, { type: "start" }>,
  place: { url: string; room: string },
  socket: Deno.DatagramConn,
  logger: (level: LogLevel, text: string) => void,
): Promise<void> {
  const bound = socket.addr as Deno.NetAddr;
  // What /who shows of this server: an address members can use.
  const address = formatAddress({
    ...bound,
    hostname: reachableHost(bound.hostname),
  });
  const joined = await joinCluster(
    place,
    address,
    message.options,
    logger,
    message.passphrase !== undefined,
  );
  if ("kind" in joined) {
    socket.close();
    return post({ type: "failed", failure: joined });
  }
  let guard: Guard | undefined;
  if (message.passphrase !== undefined && joined.salt !== undefined) {
    guard = new Guard(message.passphrase, "server", joined.salt);
    await guard.ready();
  }
  cluster = joined;
  server = new UdpServer(socket, joined.core, undefined, guard);
  joined.shell.attach(server);
  await listening(message, joined.salt, logger);
}

let counting: ReturnType<typeof setInterval> | undefined;

/** Keep the member count where the discovery worker reads it (MEMBERS_MS old at most). */
function countMembers(into: Int32Array): void {
  counting = setInterval(() => {
    if (server) Atomics.store(into, 0, server.core.memberCount);
  }, MEMBERS_MS);
}

const MEMBERS_MS = 250;

async function shutdown(reason: string, restart = false): Promise<void> {
  clearInterval(counting);
  const closing = server;
  server = undefined;
  await closing?.shutdown(reason, undefined, restart, cluster?.shell);
  await cluster?.shell[Symbol.asyncDispose]();
  await cluster?.store[Symbol.asyncDispose]();
  await web?.close();
  web = undefined;
  flushLog();
  post({ type: "closed" });
  self.close();
}

self.onmessage = async (event: MessageEvent<ToServerWorker>) => {
  const message = event.data;
  switch (message.type) {
    case "start":
      return start(message);
    case "console": {
      let result: ReturnType<typeof runConsole> | undefined;
      try {
        result = server?.act((core, now) => {
          const done = runConsole(core, message.line, now);
          // What it changed (a ban, a mute) is journaled before it takes effect.
          core.flush(now);
          return done;
        });
      } catch (error) {
        // A bug in a command must not stop the room.
        log("warn", `Console command failed: ${messageOf(error)}`);
      }
      for (const text of result?.lines ?? []) log("info", text);
      flushLog();
      if (result?.shutdown !== undefined) {
        await shutdown(result.shutdown, result.restart);
      }
      return;
    }
    case "shutdown":
      return await shutdown(message.reason, message.restart);
    default: {
      const _exhaustive: never = message;
      throw new TypeError(`Unknown message ${_exhaustive}`);
    }
  }
};
