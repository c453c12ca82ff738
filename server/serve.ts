/**
 * `udpchat serve`: the main thread of the server. It owns the console and
 * the signals; the socket and the room live in `net_worker.ts`. Each console
 * line becomes an admin message; EOF on the console keeps the server running.
 * @module
 */

import { sanitize } from "../wording/sanitize.ts";
import { formatAddress } from "../protocol/address.ts";
import type { ServerOptions } from "./core.ts";
import { cliWords } from "../wording/cli.ts";
import type { Lang } from "../wording/i18n.ts";
import { LAUNCHED_ENV, serveHints } from "./hints.ts";
import { env } from "../cli/args.ts";
import { interfaces } from "../net/interfaces.ts";
import type { LogLevel } from "./log.ts";
import type {
  FromDiscoveryWorker,
  FromServerWorker,
  StartFailure,
  ToDiscoveryWorker,
  ToServerWorker,
  WebStart,
} from "./messages.ts";
import { SERVER_ID_BYTES } from "../protocol/discovery.ts";
import { PROTOCOL_VERSION } from "../protocol/limits.ts";
import { openConsole } from "./console_io.ts";
import { onStop } from "../cli/signals.ts";

/** How long a graceful close may take before the server quits anyway (ms). */
const STOP_DEADLINE_MS = 5000;

/** What `serve` needs from the command line. */
export interface ServeOptions {
  hostname: string;
  port: number;
  verbose: boolean;
  /** The journal file, so a restart resumes sessions. */
  statePath?: string;
  /** The room's passphrase: everything is encrypted, members need it. */
  passphrase?: string;
  server: ServerOptions;
  /** Serve the browser pages (`--web`); undefined: not. */
  web?: WebStart;
  /** Answer `udpchat find` on this UDP port, as this room; undefined: never. */
  announce?: { port: number; room: string };
  /** Share the room through this Redis (`--cluster`), under this name. */
  cluster?: { url: string; room: string };
}

/** Run the server until a signal; resolves to the exit code. */
export async function serve(options: ServeOptions): Promise<number> {
  const worker = new Worker(new URL("./net_worker.ts", import.meta.url), {
    type: "module",
  });
  const done = Promise.withResolvers<number>();
  const post = (message: ToServerWorker) => worker.postMessage(message);
  let stopping = false;
  const members = options.announce && new SharedArrayBuffer(4);
  let discovery: Worker | undefined;
  const console_ = openConsole((text) => {
    if (text.trim() !== "" && !stopping) post({ type: "console", line: text });
  });
  const log = (level: LogLevel, text: string) => {
    if (level === "debug" && !options.verbose) return;
    console_.print(sanitize(text), level === "warn");
  };
  let deadline: ReturnType<typeof setTimeout> | undefined;
  // A launcher may pass on the signal the terminal already sent (deno task
  // forwards Ctrl-C's SIGINT): repeats are ignored, and a close that hangs
  // ends at the deadline.
  const stop = (signal: Deno.Signal) => {
    if (stopping) return;
    stopping = true;
    // With a journal, SIGTERM (a service manager's stop, or restart) lets
    // members wait and resume; without one they could not.
    // In a cluster it lets them move to another server of the room.
    const restart = signal === "SIGTERM" &&
      (options.statePath !== undefined || options.cluster !== undefined);
    post({ type: "shutdown", reason: `received ${signal}`, restart });
    log(
      "info",
      `Received ${signal}; telling members the server is ${
        restart ? "restarting" : "closing"
      }`,
    );
    console_.close();
    deadline = setTimeout(() => done.resolve(1), STOP_DEADLINE_MS);
  };
  const unlisten = onStop(stop);

  worker.onmessage = (event: MessageEvent<FromServerWorker>) => {
    const message = event.data;
    switch (message.type) {
      case "listening":
        console_.print(`udpchat listening on ${formatAddress(message)}`);
        if (message.web !== undefined) console_.print(webLine(message.web));
        for (
          const line of serveHints(
            message.hostname,
            message.port,
            interfaces(),
            {
              fromSource: env(LAUNCHED_ENV) === "task",
              announced: options.announce !== undefined,
            },
          )
        ) {
          console_.print(line);
        }
        if (options.announce && members) {
          discovery = announce(
            options.announce,
            options,
            message,
            members,
            log,
          );
        }
        return;
      case "failed":
        console_.print(
          `udpchat: ${failed(message.failure, options.server.lang)}`,
          true,
        );
        return done.resolve(2);
      case "log":
        for (const entry of message.entries) log(entry.level, entry.text);
        return;
      case "closed":
        log("info", "Server closed");
        return done.resolve(0);
    }
  };
  worker.onerror = (event) => {
    event.preventDefault();
    console_.print(`Internal error: ${event.message}`, true);
    done.resolve(1);
  };
  post({
    type: "start",
    hostname: options.hostname,
    port: options.port,
    options: options.server,
    statePath: options.statePath,
    passphrase: options.passphrase,
    verbose: options.verbose,
    members,
    cluster: options.cluster,
    web: options.web,
  });

  const code = await done.promise;
  unlisten();
  clearTimeout(deadline);
  discovery?.terminate();
  console_.close();
  worker.terminate();
  return code;
}

/**
 * Start answering `udpchat find` for the room listening at `address`, in a
 * worker of its own so probes never slow the chat.
 */
function announce(
  { port, room }: NonNullable<ServeOptions["announce"]>,
  options: ServeOptions,
  address: { hostname: string; port: number },
  members: SharedArrayBuffer,
  log: (level: LogLevel, text: string) => void,
): Worker {
  const worker = new Worker(
    new URL("./discovery_worker.ts", import.meta.url),
    { type: "module" },
  );
  worker.onmessage = (event: MessageEvent<FromDiscoveryWorker>) =>
    log(event.data.level, event.data.text);
  worker.onerror = (event) => {
    // Discovery failing must not stop the room.
    event.preventDefault();
    log("warn", `Discovery stopped: ${event.message}`);
  };
  const message: ToDiscoveryWorker = {
    port,
    members,
    info: {
      serverId: crypto.getRandomValues(new Uint8Array(SERVER_ID_BYTES)),
      version: PROTOCOL_VERSION,
      passphrase: options.passphrase !== undefined,
      room,
      hostname: address.hostname,
      port: address.port,
    },
  };
  worker.postMessage(message);
  return worker;
}

/** Where the browser pages are (an address for "every interface": this machine's). */
function webLine(address: { hostname: string; port: number }): string {
  const hostname = address.hostname === "0.0.0.0"
    ? "127.0.0.1"
    : address.hostname === "::"
    ? "::1"
    : address.hostname;
  const at = `http://${formatAddress({ hostname, port: address.port })}`;
  return `Browser members: ${at}/  projector: ${at}/projector`;
}

/** Why the server could not start, in the host's words. */
function failed(failure: StartFailure, lang: Lang = "en"): string {
  const w = cliWords(lang);
  switch (failure.kind) {
    case "port in use":
      return w.portInUse(failure.address);
    case "no such address":
    case "listen":
      return w.cannotListen(failure.address, failure.kind !== "listen");
    case "state":
      return w.stateFile(failure.path, failure.problem, failure.detail);
    case "cluster":
      return w.clusterUnreachable(failure.url, failure.detail);
  }
}
