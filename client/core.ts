/**
 * The client's pure core: the join handshake, the session, heartbeats,
 * noticing a silent server, and resuming when it comes back. The shell
 * (`client.ts`) feeds it datagrams from the server and clock ticks, sends
 * what `poll` returns, and shows the notices it emits.
 * @module
 */

import {
  decodeEvent,
  encodeRequest,
  type GoodbyeWhy,
  type ServerEvent,
} from "../protocol/events.ts";
import { COOKIE_BYTES } from "../protocol/limits.ts";
import { Link, sameToken } from "../protocol/link.ts";
import {
  decodePacket,
  encodePacket,
  isNative,
  type Packet,
  type WelcomePacket,
} from "../protocol/packet.ts";
import { validateText } from "../protocol/text.ts";
import { Outbox } from "./outbox.ts";

/** What the core tells the terminal. */
export type ClientNotice =
  | { type: "welcome"; name: string; how: "joined" | "resumed" | "rejoined" }
  | { type: "refused"; code: number; reason: string }
  | { type: "event"; event: ServerEvent }
  | { type: "status"; status: "lost" | "back" }
  | { type: "delivered"; from: string; text: string }
  | { type: "undelivered"; text: string }
  | { type: "ended"; why: GoodbyeWhy | "unreachable"; reason: string };

/** Tunables of a client; every field has a default. */
export interface ClientOptions {
  /** Resend an unanswered JOIN after this long (ms), doubling up to 2 s. */
  joinRetryMs?: number;
  /** Give up a first join when the server never answers for this long (ms). */
  joinTimeoutMs?: number;
  /** Report the server lost after this much silence (ms). */
  lostAfterMs?: number;
  /** Stop waiting for the server's goodbye after this long (ms). */
  leaveTimeoutMs?: number;
}

interface Resume {
  sessionId: number;
  token: Uint8Array;
}

type State =
  | { at: "idle" }
  | {
    at: "joining";
    name: string;
    cookie?: Uint8Array;
    since: number;
    nextTry: number;
    tries: number;
    /** Set when coming back to a session the server may still know. */
    resume?: Resume;
    /** The user left while joining: send what was typed, then leave, by then. */
    leaveBy?: number;
  }
  | { at: "joined"; link: Link; name: string; heartbeatMs: number }
  | { at: "leaving"; link: Link; until: number }
  | { at: "ended"; flush?: Link };

/** Room event kinds, deduplicated by id across resumes. */
const ROOM_EVENTS = new Set(["chat", "joined", "left", "admin"]);

/** Client state and protocol logic, driven by the shell. */
export class ClientCore {
  #state: State = { at: "idle" };
  #notices: ClientNotice[] = [];
  #outbox = new Outbox();
  #pending: Array<{ encoded: Uint8Array; text?: string }> = [];
  #lastSeen = 0;
  #lost = false;
  #everJoined = false;
  #name = "";
  #joinRetryMs: number;
  #joinTimeoutMs: number;
  #lostAfterMs: number;
  #leaveTimeoutMs: number;

  /** A core with `options`. */
  constructor(options: ClientOptions = {}) {
    this.#joinRetryMs = options.joinRetryMs ?? 250;
    this.#joinTimeoutMs = options.joinTimeoutMs ?? 5000;
    this.#lostAfterMs = options.lostAfterMs ?? 3000;
    this.#leaveTimeoutMs = options.leaveTimeoutMs ?? 2000;
  }

  /** Where the session is: idle, joining, joined, leaving or ended. */
  get state(): State["at"] {
    return this.#state.at;
  }

  /** The link of the session, while there is one (for stats). */
  get link(): Link | undefined {
    const state = this.#state;
    return state.at === "joined" || state.at === "leaving"
      ? state.link
      : undefined;
  }

  /** Start joining as `name` (again after a refusal). */
  join(name: string, now: number): void {
    if (this.#state.at !== "idle") {
      throw new TypeError(`Cannot join while ${this.#state.at}`);
    }
    this.#state = { at: "joining", name, since: now, nextTry: now, tries: 0 };
  }

  /** Queue a chat line; returns why not when the text is invalid. */
  say(text: string): string | undefined {
    const check = validateText(text);
    if (!check.ok) return check.message;
    this.#request(encodeRequest({ kind: "say", text: check.text }), check.text);
    return undefined;
  }

  /** Leave the room; the session ends when the server says goodbye. */
  leave(now: number): void {
    const state = this.#state;
    if (state.at === "joined") {
      this.#outbox.send(state.link, encodeRequest({ kind: "leave" }));
      this.#state = {
        at: "leaving",
        link: state.link,
        until: now + this.#leaveTimeoutMs,
      };
    } else if (
      state.at === "joining" && (this.#pending.length > 0 || state.resume)
    ) {
      state.leaveBy ??= now + this.#joinTimeoutMs;
    } else if (state.at !== "leaving" && state.at !== "ended") {
      this.#end("left", "");
    }
  }

  /** Notices emitted since the last call. */
  takeNotices(): ClientNotice[] {
    const notices = this.#notices;
    this.#notices = [];
    return notices;
  }

  /** Take in a datagram from the server's address. Never throws on bad input. */
  receive(bytes: Uint8Array, now: number): void {
    if (!isNative(bytes)) return;
    let packet: Packet;
    try {
      packet = decodePacket(bytes);
    } catch {
      return;
    }
    const state = this.#state;
    switch (packet.type) {
      case "cookie":
        if (state.at === "joining") {
          state.cookie = packet.cookie.slice();
          state.nextTry = now;
        }
        return;
      case "welcome":
        if (state.at === "joining") this.#welcomed(state, packet, now);
        return;
      case "refuse":
        if (state.at === "joining") this.#refused(packet.code, packet.reason);
        return;
      case "session":
        if (state.at !== "joined" && state.at !== "leaving") return;
        if (
          packet.sessionId !== state.link.sessionId ||
          !sameToken(packet.token, state.link.token)
        ) return;
        return this.#session(state.link, state.link.receive(packet, now));
      case "reset":
        if (state.at !== "joined" && state.at !== "leaving") return;
        if (
          packet.sessionId !== state.link.sessionId ||
          !sameToken(packet.token, state.link.token)
        ) return;
        // The server restarted: come back to the session if it still knows it.
        if (state.at === "leaving") return this.#end("left", "");
        return this.#rejoin(state.link, state.name, now);
      case "join":
        return;
      default: {
        const _exhaustive: never = packet;
        throw new TypeError(`Unhandled packet ${_exhaustive}`);
      }
    }
  }

  /** Advance time: handshake retries, heartbeats, silence, leave timeout. */
  tick(now: number): void {
    const state = this.#state;
    if (state.at === "joining") {
      if (state.leaveBy !== undefined && now >= state.leaveBy) {
        this.#abandon();
        this.#end("left", "");
      } else if (
        state.resume === undefined && now - state.since > this.#joinTimeoutMs
      ) {
        this.#abandon();
        this.#end("unreachable", "The server does not answer");
      }
    } else if (state.at === "joined") {
      const { link } = state;
      if (link.channel.failed) return this.#rejoin(link, state.name, now);
      if (now - link.lastSent >= state.heartbeatMs) link.ping(now);
      this.#setLost(now - link.lastHeard > this.#lostAfterMs);
    } else if (state.at === "leaving" && now >= state.until) {
      this.#end("left", "");
    }
  }

  /** The next datagram for the server, or undefined. */
  poll(into: Uint8Array, now: number): Uint8Array | undefined {
    const state = this.#state;
    switch (state.at) {
      case "joining": {
        if (now < state.nextTry) return undefined;
        state.tries++;
        state.nextTry = now +
          Math.min(this.#joinRetryMs * 2 ** (state.tries - 1), 2000);
        const packet = encodePacket({
          type: "join",
          cookie: state.cookie ?? new Uint8Array(COOKIE_BYTES),
          name: state.name,
          resume: state.resume && { ...state.resume, lastSeen: this.#lastSeen },
        });
        into.set(packet);
        return into.subarray(0, packet.byteLength);
      }
      case "joined":
      case "leaving":
        return state.link.poll(into, now);
      case "ended": {
        // One last datagram acknowledges the server's GOODBYE.
        const last = state.flush?.poll(into, now, true);
        state.flush = undefined;
        return last;
      }
      case "idle":
        return undefined;
    }
  }

  #welcomed(
    state: Extract<State, { at: "joining" }>,
    packet: WelcomePacket,
    now: number,
  ): void {
    const link = new Link(packet.sessionId, packet.token.slice(), now, {
      initialSendSeq: packet.resumeSeq,
      // Outlasts the server's timeout: by then it forgot us, so rejoin.
      maxRetries: 16,
    });
    const how = packet.resumed
      ? "resumed"
      : this.#everJoined
      ? "rejoined"
      : "joined";
    if (packet.resumed) {
      for (const text of this.#outbox.resume(link, packet.resumeSeq)) {
        this.#notices.push({ type: "delivered", from: packet.name, text });
      }
    } else {
      this.#abandonOutbox();
    }
    this.#everJoined = true;
    this.#name = packet.name;
    this.#state = {
      at: "joined",
      link,
      name: packet.name,
      heartbeatMs: packet.heartbeatMs,
    };
    this.#notices.push({ type: "welcome", name: packet.name, how });
    this.#setLost(false);
    for (const { encoded, text } of this.#pending.splice(0)) {
      this.#outbox.send(link, encoded, text);
    }
    if (state.leaveBy !== undefined) this.leave(now);
  }

  #refused(code: number, reason: string): void {
    this.#abandon();
    this.#state = { at: "idle" };
    this.#notices.push({ type: "refused", code, reason });
  }

  /** Go back to joining, resuming the session `link` had. */
  #rejoin(link: Link, name: string, now: number): void {
    this.#setLost(true);
    this.#state = {
      at: "joining",
      name,
      since: now,
      nextTry: now,
      tries: 0,
      resume: { sessionId: link.sessionId, token: link.token },
    };
  }

  #request(encoded: Uint8Array, text?: string): void {
    const state = this.#state;
    if (state.at === "joined") this.#outbox.send(state.link, encoded, text);
    else if (state.at === "idle" || state.at === "joining") {
      this.#pending.push({ encoded, text });
    }
  }

  #session(link: Link, messages: Uint8Array[]): void {
    this.#setLost(false);
    for (const text of this.#outbox.settle(link.channel.peerNext)) {
      this.#notices.push({ type: "delivered", from: this.#name, text });
    }
    for (const message of messages) {
      let event: ServerEvent;
      try {
        event = decodeEvent(message);
      } catch {
        continue;
      }
      if ("id" in event && ROOM_EVENTS.has(event.kind)) {
        // A resumed session replays from the last id seen: never show one twice.
        if (event.id <= this.#lastSeen) continue;
        this.#lastSeen = event.id;
      }
      this.#notices.push({ type: "event", event });
      if (event.kind === "goodbye") {
        return this.#end(event.why, event.reason, link);
      }
    }
  }

  #setLost(lost: boolean): void {
    if (lost === this.#lost) return;
    this.#lost = lost;
    this.#notices.push({ type: "status", status: lost ? "lost" : "back" });
  }

  /** Everything unsent or unacknowledged is lost: say so, text by text. */
  #abandon(): void {
    this.#abandonOutbox();
    for (const { text } of this.#pending.splice(0)) {
      if (text !== undefined) this.#notices.push({ type: "undelivered", text });
    }
  }

  #abandonOutbox(): void {
    for (const text of this.#outbox.abandon()) {
      this.#notices.push({ type: "undelivered", text });
    }
  }

  /** `link`, when given, sends one last datagram to ack the goodbye. */
  #end(why: GoodbyeWhy | "unreachable", reason: string, link?: Link): void {
    if (this.#state.at === "ended") return;
    if (why !== "left") this.#abandon();
    this.#state = { at: "ended", flush: link };
    this.#notices.push({ type: "ended", why, reason });
  }
}
