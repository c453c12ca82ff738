/**
 * `udpchat serve`: the main thread of the server. It owns the console and
 * the signals; the socket and the room live in `net_worker.ts`. Each console
 * line becomes an admin message; EOF on the console keeps the server running.
 * @module
 */

import process from "node:process";
import { createInterface } from "node:readline";
import { sanitize } from "../wording/sanitize.ts";
import { formatAddress } from "../protocol/address.ts";
import type { ServerOptions } from "./core.ts";
import type { LogLevel } from "./log.ts";
import type { FromServerWorker, ToServerWorker } from "./messages.ts";
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
}

/** Run the server until a signal; resolves to the exit code. */
export async function serve(options: ServeOptions): Promise<number> {
  const worker = new Worker(new URL("./net_worker.ts", import.meta.url), {
    type: "module",
  });
  const done = Promise.withResolvers<number>();
  const post = (message: ToServerWorker) => worker.postMessage(message);
  const log = (level: LogLevel, text: string) => {
    if (level === "debug" && !options.verbose) return;
    print(sanitize(text), level === "warn");
  };
  let stopping = false;
  let deadline: ReturnType<typeof setTimeout> | undefined;
  // A launcher may pass on the signal the terminal already sent (deno task
  // forwards Ctrl-C's SIGINT): repeats are ignored, and a close that hangs
  // ends at the deadline.
  const stop = (reason: string) => {
    if (stopping) return;
    stopping = true;
    post({ type: "shutdown", reason });
    log("info", `Closing (${reason}): telling members the server is closing`);
    console_.close();
    deadline = setTimeout(() => done.resolve(1), STOP_DEADLINE_MS);
  };
  const unlisten = onStop((signal) => stop(`received ${signal}`));

  worker.onmessage = (event: MessageEvent<FromServerWorker>) => {
    const message = event.data;
    switch (message.type) {
      case "listening":
        print(`udpchat listening on ${formatAddress(message)}`);
        return;
      case "failed":
        print(message.message, true);
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
    print(`Internal error: ${event.message}`, true);
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
  });

  const console_ = createInterface({ input: process.stdin, terminal: false });
  console_.on("line", (line: string) => {
    const text = line.replace(/\r$/, "");
    if (text.trim() !== "" && !stopping) post({ type: "console", line: text });
  });

  const code = await done.promise;
  unlisten();
  clearTimeout(deadline);
  console_.close();
  worker.terminate();
  return code;
}

/** A line on stdout (or stderr); a closed terminal (EIO) must not stop the close. */
function print(line: string, error = false): void {
  try {
    if (error) console.error(line);
    else console.log(line);
  } catch {
    // The terminal hung up: the server goes on, or closes, without it.
  }
}
