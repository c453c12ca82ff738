/**
 * Messages between the server's main thread (console, signals, logs) and
 * its network worker. One union each way.
 * @module
 */

import type { FileProblem } from "../wording/cli.ts";
import type { ServerOptions } from "./core.ts";
import type { LogLevel } from "./log.ts";
import type { RoomInfo } from "./discovery.ts";

/** Main thread to worker. */
export type ToServerWorker =
  | {
    type: "start";
    hostname: string;
    port: number;
    options: ServerOptions;
    /** The journal file (`--state`), if any. */
    statePath?: string;
    /** The room's passphrase, if any. */
    passphrase?: string;
    /** Log dropped datagrams too. */
    verbose?: boolean;
    /** Where to keep the member count for discovery answers (an Int32Array's buffer). */
    members?: SharedArrayBuffer;
    /** The room is shared through this Redis (`--cluster`), under this name. */
    cluster?: { url: string; room: string };
    /** Serve the browser pages over HTTP here too (`--web`). */
    web?: WebStart;
  }
  /** A console line: an admin message or a command (`commands.ts`). */
  | { type: "console"; line: string }
  /** `restart`: members wait and resume (see `ServerCore.shutdown`). */
  | { type: "shutdown"; reason: string; restart?: boolean };

/** Worker to main thread. */
export type FromServerWorker =
  | {
    type: "listening";
    hostname: string;
    port: number;
    /** Where the browser pages are, with `--web`. */
    web?: { hostname: string; port: number };
  }
  /** The server could not start; the main thread words why (`wording/cli.ts`). */
  | { type: "failed"; failure: StartFailure }
  /** Log lines, gathered: one message per burst, not per line. */
  | { type: "log"; entries: Array<{ level: LogLevel; text: string }> }
  | { type: "closed" };

/** Where and for whom the browser pages are served. */
export interface WebStart {
  hostname: string;
  port: number;
  /** Origins that may open the WebSocket besides the page's own (`--web-origin`). */
  origins: string[];
}

/** Why the server could not start. */
export type StartFailure =
  | { kind: "port in use" | "no such address" | "listen"; address: string }
  | { kind: "state"; path: string; problem: FileProblem; detail: string }
  | { kind: "cluster"; url: string; detail: string };

/** Main thread to the discovery worker: its one message, to start. */
export interface ToDiscoveryWorker {
  /** The UDP port probes come to. */
  port: number;
  info: RoomInfo;
  /** The member count the network worker keeps (an Int32Array's buffer). */
  members: SharedArrayBuffer;
}

/** The discovery worker to the main thread: only log lines. */
export type FromDiscoveryWorker = {
  type: "log";
  level: LogLevel;
  text: string;
};
