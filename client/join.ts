/**
 * `udpchat join`: the main thread of a member. It owns the terminal and
 * nothing else; the session lives in `net_worker.ts`, so typing never waits
 * for the network and the network never waits for typing.
 * @module
 */

import type { Address } from "../protocol/address.ts";
import { validateText } from "../protocol/text.ts";
import type { ClientNotice } from "./core.ts";
import { formatNotice } from "./format.ts";
import type { FromClientWorker, ToClientWorker } from "./messages.ts";
import { PipeScreen, type Screen, TtyScreen } from "./terminal.ts";

/** What `join` needs from the command line. */
export interface JoinOptions {
  name?: string;
  server: Address;
  colour: boolean;
  /** Interactive (prompt, colour) rather than one line per event. */
  tty: boolean;
}

/** Run a member session until it ends; resolves to the exit code. */
export async function join(options: JoinOptions): Promise<number> {
  const screen: Screen = options.tty
    ? new TtyScreen(options.colour)
    : new PipeScreen();
  const worker = new Worker(new URL("./net_worker.ts", import.meta.url), {
    type: "module",
  });
  const closed = Promise.withResolvers<void>();
  const post = (message: ToClientWorker) => worker.postMessage(message);
  let phase: "naming" | "joining" | "joined" | "leaving" = "joining";
  let exitCode = 0;

  const isLeaving = () => phase === "leaving";
  const leave = () => {
    if (phase === "leaving") return;
    phase = "leaving";
    post({ type: "leave" });
  };
  // Ctrl-C or a signal leaves politely; a second one while leaving quits now.
  const interrupt = () => phase === "leaving" ? closed.resolve() : leave();
  const askName = () => {
    phase = "naming";
    screen.ask("Your name: ");
  };
  const onNotice = (notice: ClientNotice) => {
    // A pipe shows what others did; its own lines it already has.
    if (notice.type === "delivered" && !options.tty) return;
    for (const line of formatNotice(notice)) {
      if (line.style === "error" && !options.tty) screen.error(line.text);
      else screen.show(line);
    }
    if (notice.type === "welcome") {
      if (phase === "joining") phase = "joined";
      screen.ready();
    } else if (notice.type === "refused") {
      if (options.tty && phase === "joining") return askName();
      exitCode = 1;
      leave();
    } else if (notice.type === "ended") {
      exitCode = notice.why === "left" && exitCode === 0 ? 0 : 1;
    }
  };
  worker.onmessage = (event: MessageEvent<FromClientWorker>) => {
    const message = event.data;
    switch (message.type) {
      case "notice":
        return onNotice(message.notice);
      case "failed":
        screen.error(message.message);
        exitCode = 1;
        return closed.resolve();
      case "closed":
        return closed.resolve();
    }
  };
  worker.onerror = (event) => {
    event.preventDefault();
    screen.error(`Internal error: ${event.message}`);
    exitCode = 1;
    closed.resolve();
  };

  screen.input.on("line", (raw: string) => {
    if (phase === "naming") {
      const name = raw.trim();
      if (name === "") return askName();
      phase = "joining";
      return post({ type: "join", name });
    }
    if (phase === "leaving") return;
    const problem = typed(raw, leave, (text) => {
      screen.taken(raw);
      post({ type: "send", request: { kind: "say", text } });
    });
    if (problem !== undefined) screen.error(problem);
    // `typed` may have left (/quit); then no new prompt.
    if (options.tty && !isLeaving()) screen.ready();
  });
  screen.input.on("close", leave);
  screen.input.on("SIGINT", interrupt);
  const signals: Deno.Signal[] = ["SIGINT", "SIGTERM"];
  for (const signal of signals) Deno.addSignalListener(signal, interrupt);

  post({ type: "start", server: options.server, options: {} });
  if (options.name === undefined) askName();
  else post({ type: "join", name: options.name });

  await closed.promise;
  for (const signal of signals) Deno.removeSignalListener(signal, interrupt);
  screen.close();
  worker.terminate();
  return exitCode;
}

/**
 * Act on one typed line: a command, or chat text for `say`. Returns a
 * problem to show instead, if any. Unknown commands are never broadcast.
 */
function typed(
  raw: string,
  leave: () => void,
  say: (text: string) => void,
): string | undefined {
  const line = raw.replace(/\r$/, "");
  if (line.trim() === "") return undefined;
  if (line.startsWith("/") && !line.startsWith("//")) {
    const command = line.slice(1).split(/\s+/, 1)[0];
    if (command === "quit" || command === "exit") {
      leave();
      return undefined;
    }
    return `Unknown command /${command}; /quit leaves (start a line with // to send a slash)`;
  }
  const text = line.startsWith("//") ? line.slice(1) : line;
  const check = validateText(text);
  if (!check.ok) return check.message;
  say(check.text);
  return undefined;
}
