/**
 * The browser engine: each WebSocket of the member page becomes a member
 * of the chat core (kind "web") through a `MemberPort`, with the same rules
 * as every other kind; the projector page watches the room's public lines
 * as no member. A member whose socket drops stays in the room for the
 * timeout and resumes with its token, getting what it missed once (the
 * room's log after the last event it showed). Lines typed in the page go
 * through the terminal's own command table. Pure: the shell (`web_http.ts`)
 * owns the sockets, the clock and the passphrase check.
 * @module
 */

import { TOKEN_BYTES } from "../protocol/limits.ts";
import type { NameProblem } from "../protocol/names.ts";
import {
  decodeWebRequest,
  encodeWebReply,
  WEB_PROTOCOL_VERSION,
  type WebRequest,
} from "../protocol/web_frames.ts";
import type { ServerEvent } from "../protocol/events.ts";
import { isIgnored, runLine } from "../member/commands.ts";
import { type Lang, messagesFor } from "../wording/i18n.ts";
import { toHex } from "./journal_entry.ts";
import { Undecided } from "./undecided.ts";
import { sanitize } from "../wording/sanitize.ts";
import type { ChatCore } from "./chat.ts";
import type { Logger } from "./log.ts";
import { type MemberPort, Outbound } from "./port.ts";
import { eventFrame, localFrame, ownFrame } from "./web_render.ts";
import { MAX_STRIKES, WebConnection, type WebLink } from "./web_member.ts";
import { WebMember } from "./web_member.ts";
import { WebWatchers } from "./web_watch.ts";

/** Refusals that are about the name itself. */
const NAME_PROBLEMS: ReadonlySet<string> = new Set<NameProblem>([
  "empty",
  "too_long",
  "control",
  "whitespace",
  "reserved",
  "taken",
  "invalid_utf8",
]);

/** Why a hello the room's log did not decide in time is refused. */
const BUSY = "The room is busy; try again in a moment";

/** A hello: a name, or a token to resume. */
type Hello = Extract<WebRequest, { type: "hello" }>;

/** Browser member ids start past every native and classic id. */
const FIRST_ID = 2 ** 52;

/** What the engine works with. */
export interface WebHost {
  chat: ChatCore;
  log: Logger;
  random(into: Uint8Array): void;
}

/** The browser engine's tunables. */
export interface WebOptions {
  /** A member whose socket is lost (or silent) this long is removed (ms). */
  timeoutMs: number;
  /** The words of members that ask for none, and of the projector. */
  lang: Lang;
  /** Most sockets open from one IP address (default 8). */
  maxPerHost?: number;
  /** The room's salt when it has a passphrase: hellos must prove it. */
  salt?: Uint8Array;
  /** The first member's id (default 2^52; servers sharing a room start apart). */
  firstId?: number;
}

/** Browser members and projectors, behind one chat core. */
export class WebEngine {
  #host: WebHost;
  #options: WebOptions;
  #connections = new Set<WebConnection>();
  #perHost = new Map<string, number>();
  #byToken = new Map<string, WebMember>();
  #byId = new Map<number, WebMember>();
  /** Hellos whose name a shared room's store has not granted yet, asked again by `tick`. */
  #undecided = new Undecided<WebConnection, Hello>();
  #nextId: number;
  #watchers: WebWatchers;
  /** The frame of a broadcast, per language: made once, however many get it. */
  #frames = new Map<Lang, (event: ServerEvent) => string>();
  #now = 0;

  /** An engine on `host` with `options`. */
  constructor(host: WebHost, options: WebOptions) {
    this.#host = host;
    this.#options = options;
    this.#nextId = options.firstId ?? FIRST_ID;
    this.#watchers = new WebWatchers(host.chat, messagesFor(options.lang));
  }

  /** How often the page should send when idle (ms). */
  get heartbeatMs(): number {
    return Math.max(1000, Math.floor(this.#options.timeoutMs / 3));
  }

  /** Browser members in the room. */
  get size(): number {
    return this.#byId.size;
  }

  /** A new socket: told what a hello needs, or closed when its address has too many. */
  open(link: WebLink, now: number): WebConnection | undefined {
    const count = this.#perHost.get(link.host) ?? 0;
    if (count >= (this.#options.maxPerHost ?? 8)) {
      this.#host.chat.stats.drop("web: too many sockets from one address");
      link.send(
        encodeWebReply({
          type: "error",
          text: "Too many connections from your address",
        }),
      );
      link.close();
      return undefined;
    }
    this.#perHost.set(link.host, count + 1);
    const { salt } = this.#options;
    let challenge: Uint8Array | undefined;
    if (salt !== undefined) {
      challenge = new Uint8Array(16);
      this.#host.random(challenge);
    }
    const connection = new WebConnection(link, challenge, now);
    this.#connections.add(connection);
    connection.send({
      type: "room",
      v: WEB_PROTOCOL_VERSION,
      passphrase: salt !== undefined,
      ...(salt && challenge
        ? { salt: base64(salt), challenge: base64(challenge) }
        : {}),
    });
    return connection;
  }

  /**
   * One text frame from `connection`. `proven`: the shell checked the
   * frame's proof of the passphrase. Never throws on bad input.
   */
  receive(
    connection: WebConnection,
    text: string,
    now: number,
    proven = false,
  ): void {
    this.#now = now;
    if (connection.closed) return;
    connection.lastHeard = now;
    if (!connection.allow(now)) {
      this.#host.chat.stats.drop("web: over the frame rate");
      return this.#strike(connection, "Too many frames; slow down");
    }
    let request: WebRequest;
    try {
      request = decodeWebRequest(text);
    } catch (error) {
      this.#host.chat.stats.drop("web: bad frame");
      return this.#strike(connection, (error as Error).message);
    }
    this.#request(connection, request, now, proven);
  }

  /** The socket closed: a member stays for the timeout, to resume. */
  closed(connection: WebConnection, now: number): void {
    if (!this.#connections.delete(connection)) return;
    connection.closed = true;
    this.#undecided.take(connection);
    const left = (this.#perHost.get(connection.link.host) ?? 1) - 1;
    if (left > 0) this.#perHost.set(connection.link.host, left);
    else this.#perHost.delete(connection.link.host);
    this.#watchers.delete(connection);
    const member = connection.member;
    if (member !== undefined && member.connection === connection) {
      member.connection = undefined;
      member.lostAt = now;
      this.#host.log(
        "info",
        `${this.#host.chat.nameOf(member.id)} lost its connection (web)`,
      );
    }
  }

  /** Advance time: remove members gone too long, close silent sockets, feed projectors. */
  tick(now: number): void {
    this.#now = now;
    for (const u of this.#undecided.due(now)) {
      if (!u.expired) {
        this.#admit(u.key, u.value, u.id, u.since, now);
      } else {
        this.#refuse(
          u.key,
          "throttled",
          messagesFor(u.value.lang ?? this.#options.lang).refused(BUSY),
        );
      }
    }
    const { timeoutMs } = this.#options;
    for (const member of [...this.#byId.values()]) {
      if (member.lostAt !== undefined && now - member.lostAt > timeoutMs) {
        this.#host.chat.remove(member.id, "timeout", "connection lost", now);
      }
    }
    for (const connection of [...this.#connections]) {
      if (now - connection.lastHeard > timeoutMs) {
        connection.close();
        this.closed(connection, now);
      }
    }
    this.#watchers.tick(now);
  }

  #strike(connection: WebConnection, text: string): void {
    connection.send({ type: "error", text });
    if (++connection.strikes >= MAX_STRIKES) connection.close();
  }

  #request(
    connection: WebConnection,
    request: WebRequest,
    now: number,
    proven: boolean,
  ): void {
    const needsProof = this.#options.salt !== undefined && !proven;
    switch (request.type) {
      case "ping":
        connection.send({ type: "pong" });
        return;
      case "watch":
        if (connection.member !== undefined) {
          return this.#strike(connection, "Already a member");
        }
        if (needsProof) return this.#refuse(connection, "passphrase");
        if (!this.#watchers.add(connection, now)) {
          return this.#refuse(connection, "full", "Too many projectors");
        }
        connection.watching = true;
        return;
      case "hello":
        if (
          connection.member !== undefined || connection.watching ||
          this.#undecided.has(connection)
        ) {
          return this.#strike(connection, "Already joined");
        }
        if (needsProof) return this.#refuse(connection, "passphrase");
        return this.#hello(connection, request, now);
      case "line": {
        const member = connection.member;
        if (member === undefined || member.connection !== connection) {
          return this.#strike(connection, "Say hello first");
        }
        return this.#line(member, request.text, now);
      }
      default: {
        const _exhaustive: never = request;
        throw new TypeError(`Unhandled request ${_exhaustive}`);
      }
    }
  }

  #refuse(connection: WebConnection, problem: string, text?: string): void {
    const t = messagesFor(this.#options.lang);
    connection.send({
      type: "refused",
      problem,
      text: text ?? t.webPassphrase,
    });
  }

  #hello(connection: WebConnection, request: Hello, now: number): void {
    const known = request.resume && this.#byToken.get(request.resume.token);
    if (known !== undefined && request.resume !== undefined) {
      return this.#resume(known, connection, request.resume.lastSeen, now);
    }
    this.#admit(connection, request, this.#nextId++, now, now);
  }

  /** Admit `request` as member `id`; a shared room's store may decide later (`tick` asks again). */
  #admit(
    connection: WebConnection,
    request: Hello,
    id: number,
    since: number,
    now: number,
  ): void {
    const t = messagesFor(request.lang ?? this.#options.lang);
    const token = toHex(this.#random(TOKEN_BYTES));
    const member = new WebMember(id, token, t, connection);
    this.#byId.set(member.id, member);
    const admitted = this.#host.chat.admit(
      member.id,
      request.name,
      connection.link.host,
      this.#port(member),
      now,
    );
    if (!admitted.ok) {
      this.#byId.delete(member.id);
      if (admitted.problem === "pending") {
        if (this.#undecided.hold(connection, id, request, since)) return;
        return this.#refuse(connection, "throttled", t.refused(BUSY));
      }
      // As a terminal says it: a name's problem in the member's language.
      const reason = NAME_PROBLEMS.has(admitted.problem)
        ? t.invalidName(admitted.problem as NameProblem, admitted.message)
        : admitted.message;
      return this.#refuse(connection, admitted.problem, t.refused(reason));
    }
    this.#byToken.set(token, member);
    connection.member = member;
    // A token the server no longer knows (it restarted, or the member
    // timed out): a new member under the same name, said so.
    const how = request.resume === undefined ? "joined" : "rejoined";
    this.#welcome(member, admitted.name, "joined", [
      t.welcome(how, sanitize(admitted.name)),
    ]);
  }

  #resume(
    member: WebMember,
    connection: WebConnection,
    lastSeen: number,
    now: number,
  ): void {
    const old = member.connection;
    if (old !== undefined && old !== connection) {
      // The page came back before the server saw its old socket go.
      old.member = undefined;
      old.close();
    }
    member.connection = connection;
    member.lostAt = undefined;
    member.host = connection.link.host;
    member.held = [];
    connection.member = member;
    const { chat } = this.#host;
    const name = chat.nameOf(member.id) ?? "";
    this.#host.log(
      "info",
      `${name} resumed from ${connection.link.address} (web)`,
    );
    this.#welcome(member, name, "resumed", []);
    chat.resume(member.id, lastSeen, now);
  }

  #welcome(
    member: WebMember,
    name: string,
    how: "joined" | "resumed",
    lines: string[],
  ): void {
    const held = member.held ?? [];
    member.held = undefined;
    member.connection?.send({
      type: "welcome",
      name,
      token: member.token,
      how,
      heartbeatMs: this.heartbeatMs,
      lines: lines.map((text) => ({ text, style: "info" })),
    });
    for (const text of held) member.sendText(text);
  }

  /** A typed line: the terminal's commands, acting on the chat core. */
  #line(member: WebMember, text: string, now: number): void {
    const { chat } = this.#host;
    const show = (texts: string[], style: "info" | "error") =>
      member.connection?.send(localFrame(texts, style));
    runLine(text, {
      send: (request) => {
        // Shown once the server has it, as a terminal shows it on the ack;
        // a refusal (muted, over the rate) follows it as there.
        const from = chat.nameOf(member.id) ?? "";
        const t = member.t;
        if (request.kind === "say") {
          const line = t.chat(sanitize(from), sanitize(request.text));
          member.connection?.send(ownFrame(line, from, now));
        } else if (request.kind === "action") {
          const line = t.action(sanitize(from), sanitize(request.text));
          member.connection?.send(ownFrame(line, from, now));
        }
        chat.request(member.id, request, now);
      },
      leave: (reason = "") =>
        chat.request(member.id, { kind: "leave", reason }, now),
      show: (line, style = "info") => show([line], style),
      unsent: (line) => show([line], "error"),
      ignored: member.ignored,
      self: chat.nameOf(member.id) ?? "",
      t: member.t,
    });
  }

  /** The member as the chat core sees it. */
  #port(member: WebMember): MemberPort {
    return {
      kind: "web",
      lang: member.t.lang,
      deliver: (outbound: Outbound) => this.#deliver(member, outbound),
      remove: (why, reason, now) => {
        const lines =
          eventFrame({ kind: "goodbye", why, reason }, member.t, now).lines;
        this.#end(member, { type: "goodbye", why, lines });
      },
      // It cannot resume a restarted server: told, it joins again.
      restart: (reason, now) => {
        const t = member.t;
        this.#end(member, {
          type: "goodbye",
          why: "restarting",
          lines: [{
            text: t.restarting(sanitize(reason), false),
            style: "warn",
            time: now,
          }],
        });
        return false;
      },
      describe: () => {
        const link = member.connection?.link;
        return link && { address: link.address, rttMs: 0, lossPercent: 0 };
      },
    };
  }

  #deliver(member: WebMember, outbound: Outbound): number {
    const { event } = outbound;
    // The page does not pace itself (the room paces it): no limits to tell.
    if (event.kind === "limits" || isIgnored(event, member.ignored)) return 0;
    const self = this.#host.chat.nameOf(member.id);
    if (event.kind === "private" && event.to !== self) {
      // Its own private line, as the server's copy confirms it.
      const line = member.t.privateOut(
        sanitize(event.from),
        sanitize(event.to),
        sanitize(event.text),
      );
      return member.sendText(
        encodeWebReply(ownFrame(line, event.from, event.time)),
      );
    }
    return member.sendText(outbound.as(this.#frameFor(member.t.lang)));
  }

  #frameFor(lang: Lang): (event: ServerEvent) => string {
    let frame = this.#frames.get(lang);
    if (frame === undefined) {
      const t = messagesFor(lang);
      frame = (event) => encodeWebReply(eventFrame(event, t, this.#now));
      this.#frames.set(lang, frame);
    }
    return frame;
  }

  /** The member is out: its last frame, then the socket closes; the token is forgotten. */
  #end(member: WebMember, goodbye: Parameters<WebConnection["send"]>[0]): void {
    this.#byId.delete(member.id);
    this.#byToken.delete(member.token);
    member.held = undefined;
    const connection = member.connection;
    member.connection = undefined;
    if (connection === undefined) return;
    connection.send(goodbye);
    connection.member = undefined;
    connection.close();
  }

  #random(bytes: number): Uint8Array {
    const out = new Uint8Array(bytes);
    this.#host.random(out);
    return out;
  }
}

/** `bytes` as base64. */
export function base64(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}
