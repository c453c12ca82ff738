/**
 * `udpchat join`: the main thread of a member. It owns the terminal and
 * nothing else; the session lives in `net_worker.ts`, so typing never waits
 * for the network and the network never waits for typing.
 * @module
 */

import { type Address, formatAddress } from "../protocol/address.ts";
import { RefuseCode } from "../protocol/packet.ts";
import type { ServerEvent } from "../protocol/events.ts";
import { nameKey } from "../protocol/names.ts";
import {
  type CommandContext,
  followNick,
  isIgnored,
  type OutgoingRequest,
  runLine,
} from "../member/commands.ts";
import type { ClientNotice } from "./notices.ts";
import { Roster } from "./roster.ts";
import { formatNotice } from "./format.ts";
import { type Lang, type Messages, messagesFor } from "../wording/i18n.ts";
import type { ToClientWorker } from "./messages.ts";
import { NetWorker } from "./session.ts";
import { onStop } from "../cli/signals.ts";
import { JsonScreen, PipeScreen, type Screen, TtyScreen } from "./terminal.ts";

/** What `join` needs from the command line. */
export interface JoinOptions {
  name?: string;
  /** The room's servers, tried in order; on a server's death the next takes over. */
  servers: Address[];
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

/**
 * A signal this soon after the one that started the leave is a copy (a
 * launcher passes on what the terminal sent everyone), not a second Ctrl-C.
 */
const REPEAT_MS = 500;

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
  const server = options.servers.map(formatAddress).join(", ");
  // A pipe that ends before the server answered leaves once it has: a
  // refusal or silence must still be reported (and exit 1).
  let leaveOnceIn = false;
  let leftAt = 0;

  // A function, so the compiler does not assume a command left `phase` alone.
  const isLeaving = () => phase === "leaving";
  const leave = (reason = "") => {
    if (phase === "leaving") return;
    phase = "leaving";
    leftAt = Date.now();
    post({ type: "leave", reason });
  };
  // Ctrl-C or a signal leaves politely; a second one while leaving quits now.
  const interrupt = () => {
    if (phase !== "leaving") return leave();
    if (Date.now() - leftAt > REPEAT_MS) worker?.stop();
  };
  const waiting = new Waiting(interactive && t, screen, server);
  const startJoin = (name: string) => {
    phase = "joining";
    waiting.start();
    post({ type: "join", name });
  };
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
    unsent(text) {
      // Exit 0 means every line reached the room.
      exitCode = 1;
      screen.local(text, "error");
    },
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
    if (["welcome", "refused", "ended"].includes(notice.type)) waiting.stop();
    // Not in the room yet, a pipe's lines failing is no news: why is.
    const quiet = notice.type === "undelivered" && !interactive &&
      phase === "joining";
    screen.notice(
      notice,
      quiet ? [] : formatNotice(notice, { t, width: screen.width, server }),
    );
    if (notice.type === "welcome") {
      if (phase === "joining") phase = "joined";
      rename(notice.name);
      screen.ready();
      if (leaveOnceIn) leave();
    } else if (notice.type === "refused") {
      // Another name can help with a name problem, not with a passphrase or a ban.
      const nameProblem = notice.code === RefuseCode.name ||
        notice.code === RefuseCode.taken;
      if (interactive && phase === "joining" && nameProblem) return askName();
      exitCode = 1;
      // Refused, the core is idle: a leave asked for while joining ends it now.
      phase = "leaving";
      post({ type: "leave", reason: "" });
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
        return startJoin(name);
      }
      if (phase === "leaving") return;
      runLine(raw, ctx);
      // The line may have left (/quit); then no new prompt.
      if (interactive && !isLeaving()) screen.ready();
    },
    end() {
      if (!interactive && phase === "joining") leaveOnceIn = true;
      else leave();
    },
    complete: () => roster.names,
  });
  const unlisten = onStop(interrupt);

  worker = new NetWorker(
    options.servers,
    options.passphrase,
    onNotice,
    (message) => {
      screen.local(message, "error");
      exitCode = 1;
    },
    { lang: t.lang },
  );
  if (options.name === undefined) {
    // A prompt written while the terminal is still being set up is now and
    // then lost (seen in tmux, about one start in three): ask once the event
    // loop has turned, and draw the prompt again shortly unless typing began.
    setTimeout(askName, 0);
    setTimeout(() => {
      if (phase === "naming" && screen.typing === "") askName();
    }, 250);
  } else startJoin(options.name);

  await worker.closed;
  waiting.stop();
  unlisten();
  screen.close();
  worker.terminate();
  return exitCode;
}

/**
 * On a terminal: "Connecting to ADDRESS…" once, then the seconds counted
 * while the server has not answered a join. A pipe stays quiet: its stderr
 * is for the one line that says why the join failed.
 */
class Waiting {
  #t: Messages | false;
  #screen: Screen;
  #server: string;
  #said = false;
  #timer: ReturnType<typeof setInterval> | undefined;

  /** `t` false: not a terminal, nothing is shown. */
  constructor(t: Messages | false, screen: Screen, server: string) {
    this.#t = t;
    this.#screen = screen;
    this.#server = server;
  }

  /** A join went out. */
  start(): void {
    const t = this.#t;
    if (!t) return;
    if (!this.#said) this.#screen.local(t.connecting(this.#server), "info");
    this.#said = true;
    clearInterval(this.#timer);
    let seconds = 0;
    this.#timer = setInterval(
      () => this.#screen.local(t.stillTrying(++seconds), "info"),
      1000,
    );
  }

  /** The join has an answer, or the session ended: stop counting. */
  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
