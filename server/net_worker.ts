/**
 * Worker entry of `serve`: owns the UDP socket and the room. The main
 * thread only sends console lines and a shutdown, and prints what comes back.
 * @module
 */

/// <reference lib="deno.worker" />

import { runConsole } from "./commands.ts";
import { type LogLevel, ServerCore } from "./core.ts";
import { Journal, type JournalState } from "./journal.ts";
import { DEFAULT_LOG_SIZE } from "./room.ts";
import type { FromServerWorker, ToServerWorker } from "./messages.ts";
import { UdpServer } from "./server.ts";

let server: UdpServer | undefined;

function post(message: FromServerWorker): void {
  self.postMessage(message);
}

function start(message: Extract<ToServerWorker, { type: "start" }>): void {
  let socket: Deno.DatagramConn;
  try {
    socket = Deno.listenDatagram({
      transport: "udp",
      hostname: message.hostname,
      port: message.port,
    });
  } catch (error) {
    const reason = error instanceof Deno.errors.AddrInUse
      ? `port ${message.port} is already in use`
      : (error as Error).message;
    post({
      type: "failed",
      message:
        `Cannot listen on ${message.hostname}:${message.port}: ${reason}`,
    });
    return;
  }
  const log = (level: LogLevel, text: string) =>
    post({ type: "log", level, text });
  let journal: Journal | undefined;
  let restored: JournalState | undefined;
  if (message.statePath !== undefined) {
    try {
      ({ journal, state: restored } = Journal.open(
        message.statePath,
        Math.max(DEFAULT_LOG_SIZE, message.options.history ?? 0),
      ));
    } catch (error) {
      socket.close();
      post({
        type: "failed",
        message: `Cannot use ${message.statePath}: ${(error as Error).message}`,
      });
      return;
    }
  }
  const core = new ServerCore(
    message.options,
    log,
    journal && restored && { sink: journal, restored, now: Date.now() },
  );
  server = new UdpServer(socket, core, journal);
  const { hostname, port } = server.address;
  post({ type: "listening", hostname, port });
}

async function shutdown(reason: string): Promise<void> {
  const closing = server;
  server = undefined;
  await closing?.shutdown(reason);
  post({ type: "closed" });
  self.close();
}

self.onmessage = async (event: MessageEvent<ToServerWorker>) => {
  const message = event.data;
  switch (message.type) {
    case "start":
      return start(message);
    case "console": {
      const result = server?.act((core, now) =>
        runConsole(core, message.line, now)
      );
      for (const text of result?.lines ?? []) {
        post({ type: "log", level: "info", text });
      }
      if (result?.shutdown !== undefined) await shutdown(result.shutdown);
      return;
    }
    case "shutdown":
      return await shutdown(message.reason);
    default: {
      const _exhaustive: never = message;
      throw new TypeError(`Unknown message ${_exhaustive}`);
    }
  }
};
