/**
 * `udpchat join`: the main thread of a member. It owns the terminal and
 * nothing else; the session lives in `net_worker.ts`, so typing never waits
 * for the network and the network never waits for typing.
 * @module
 */

import type { Address } from "../protocol/address.ts";
import { RefuseCode } from "../protocol/packet.ts";
import type { ServerEvent } from "../protocol/events.ts";
import { nameKey } from "../protocol/names.ts";
import {
  type CommandContext,
  followNick,
  isIgnored,
  type OutgoingRequest,
  runLine,
} from "./commands.ts";
import type { ClientNotice } from "./notices.ts";
import { Roster } from "./roster.ts";
import { formatNotice } from "./format.ts";
import { type Lang, messagesFor } from "../wording/i18n.ts";
import type { ToClientWorker } from "./messages.ts";
import { NetWorker } from "./session.ts";
import { JsonScreen, PipeScreen, type Screen, TtyScreen } from "./terminal.ts";

/** What `join` needs from the command line. */
export interface JoinOptions {
  name?: string;
  server: Address;
  colour: boolean;
  /** Interactive (prompt, colour) rather than one line per event. */
  tty: boolean;
  /** One JSON object per notice instead of text (wins over `tty`). */
  json?: boolean;
  /** The wording (default English). */
  lang?: Lang;
  /** The room's passphrase, for an encrypted room. */
  passphrase?: string;
}

/** Requests whose own line shows once delivered, replacing the typed echo. */
const ECHOED = new Set<OutgoingRequest["kind"]>(["say", "private", "action"]);

/** Run a member session until it ends; resolves to the exit code. */
export async function join(options: JoinOptions): Promise<number> {
  const t = messagesFor(options.lang ?? "en");
  const screen: Screen = options.json
    ? new JsonScreen()
    : options.tty
    ? new TtyScreen(options.colour)
    : new PipeScreen();
  const interactive = options.tty && !options.json;
  // Made once the handlers it calls exist; the closures below reach it.
  // deno-lint-ignore prefer-const
  let worker: NetWorker | undefined;
  const post = (message: ToClientWorker) => worker?.post(message);
  let phase: "naming" | "joining" | "joined" | "leaving" = "joining";
  let exitCode = 0;
  let self = options.name ?? "";

  // A function, so the compiler does not assume a command left `phase` alone.
  const isLeaving = () => phase === "leaving";
  const leave = (reason = "") => {
    if (phase === "leaving") return;
    phase = "leaving";
    post({ type: "leave", reason });
  };
  // Ctrl-C or a signal leaves politely; a second one while leaving quits now.
  const interrupt = () => phase === "leaving" ? worker?.stop() : leave();
  const askName = () => {
    phase = "naming";
    screen.ask(t.askName);
  };
  const ctx: CommandContext = {
    send(request) {
      if (interactive && ECHOED.has(request.kind)) screen.taken();
      post({ type: "send", request });
    },
    leave,
    show: (text, style = "info") => screen.local(text, style),
    ignored: new Map(),
    get self() {
      return self;
    },
    t,
  };
  const rename = (name: string) => {
    self = name;
    screen.setName(name);
  };
  const roster = new Roster();
  const onEvent = (event: ServerEvent) => {
    if (event.kind === "nick") {
      if (nameKey(event.from) === nameKey(self)) rename(event.to);
      followNick(ctx.ignored, event.from, event.to);
    }
    roster.update(event, self);
  };
  const onNotice = (notice: ClientNotice) => {
    if (notice.type === "event") {
      if (isIgnored(notice.event, ctx.ignored)) return;
      onEvent(notice.event);
    }
    // The core names own lines as it joined; a /nick since renamed us.
    if (notice.type === "delivered") notice = { ...notice, from: self };
    screen.notice(notice, formatNotice(notice, { t, width: screen.width }));
    if (notice.type === "welcome") {
      if (phase === "joining") phase = "joined";
      rename(notice.name);
      screen.ready();
    } else if (notice.type === "refused") {
      // Another name can help with a name problem, not with a passphrase or a ban.
      const nameProblem = notice.code === RefuseCode.name ||
        notice.code === RefuseCode.taken;
      if (interactive && phase === "joining" && nameProblem) return askName();
      exitCode = 1;
      leave();
    } else if (notice.type === "undelivered") {
      // Exit 0 means every line reached the room.
      exitCode = 1;
    } else if (notice.type === "ended") {
      exitCode = notice.why === "left" && exitCode === 0 ? 0 : 1;
    }
  };
  screen.listen({
    line(raw) {
      if (phase === "naming") {
        const name = raw.trim();
        if (name === "/quit") return leave();
        if (name === "") return askName();
        phase = "joining";
        return post({ type: "join", name });
      }
      if (phase === "leaving") return;
      runLine(raw, ctx);
      // The line may have left (/quit); then no new prompt.
      if (interactive && !isLeaving()) screen.ready();
    },
    end: leave,
    complete: () => roster.names,
  });
  const signals: Deno.Signal[] = ["SIGINT", "SIGTERM"];
  for (const signal of signals) Deno.addSignalListener(signal, interrupt);

  worker = new NetWorker(
    options.server,
    options.passphrase,
    onNotice,
    (message) => {
      screen.local(message, "error");
      exitCode = 1;
    },
  );
  if (options.name === undefined) {
    // A prompt written while the terminal is still being set up is now and
    // then lost (seen in tmux, about one start in three): ask once the event
    // loop has turned, and draw the prompt again shortly unless typing began.
    setTimeout(askName, 0);
    setTimeout(() => {
      if (phase === "naming" && screen.typing === "") askName();
    }, 250);
  } else post({ type: "join", name: options.name });

  await worker.closed;
  for (const signal of signals) Deno.removeSignalListener(signal, interrupt);
  screen.close();
  worker.terminate();
  return exitCode;
}
