/**
 * The client's pure core: the join handshake, the session, heartbeats and
 * noticing a silent server. The shell (`client.ts`) feeds it datagrams from
 * the server and clock ticks, sends what `poll` returns, and shows the
 * notices it emits.
 * @module
 */

import {
  decodeEvent,
  encodeRequest,
  type GoodbyeWhy,
  type ServerEvent,
} from "../protocol/events.ts";
import { Link, sameToken } from "../protocol/link.ts";
import {
  decodePacket,
  encodePacket,
  isNative,
  type Packet,
  type WelcomePacket,
} from "../protocol/packet.ts";
import { validateText } from "../protocol/text.ts";

/** What the core tells the terminal. */
export type ClientNotice =
  | { type: "welcome"; name: string; resumed: boolean }
  | { type: "refused"; code: number; reason: string }
  | { type: "event"; event: ServerEvent }
  | { type: "status"; status: "lost" | "back" }
  | { type: "ended"; why: GoodbyeWhy | "unreachable"; reason: string };

/** Tunables of a client; every field has a default. */
export interface ClientOptions {
  /** Resend an unanswered JOIN after this long (ms), doubling up to 2 s. */
  joinRetryMs?: number;
  /** Give up joining when the server never answers for this long (ms). */
  joinTimeoutMs?: number;
  /** Report the server lost after this much silence (ms). */
  lostAfterMs?: number;
  /** Stop waiting for the server's goodbye after this long (ms). */
  leaveTimeoutMs?: number;
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
    /** The user left while joining: send what was typed, then leave. */
    leaveAfter?: boolean;
  }
  | { at: "joined"; link: Link; heartbeatMs: number; lost: boolean }
  | { at: "leaving"; link: Link; until: number }
  | { at: "ended"; flush?: Link };

/** Client state and protocol logic, driven by the shell. */
export class ClientCore {
  #state: State = { at: "idle" };
  #notices: ClientNotice[] = [];
  #pending: Uint8Array[] = [];
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
    this.#request(encodeRequest({ kind: "say", text: check.text }));
    return undefined;
  }

  /** Leave the room; the session ends when the server says goodbye. */
  leave(now: number): void {
    const state = this.#state;
    if (state.at === "joined") {
      state.link.send(encodeRequest({ kind: "leave" }));
      this.#state = {
        at: "leaving",
        link: state.link,
        until: now + this.#leaveTimeoutMs,
      };
    } else if (state.at === "joining" && this.#pending.length > 0) {
      state.leaveAfter = true;
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
        if (state.at === "joining") {
          this.#welcomed(packet, state.leaveAfter === true, now);
        }
        return;
      case "refuse":
        if (state.at === "joining") {
          this.#state = { at: "idle" };
          this.#pending = [];
          this.#notices.push({
            type: "refused",
            code: packet.code,
            reason: packet.reason,
          });
        }
        return;
      case "session":
        if (state.at === "joined" || state.at === "leaving") {
          if (!sameToken(packet.token, state.link.token)) return;
          if (packet.sessionId !== state.link.sessionId) return;
          this.#session(state.link, state.link.receive(packet, now));
        }
        return;
      case "reset":
        if (
          state.at === "joined" && packet.sessionId === state.link.sessionId &&
          sameToken(packet.token, state.link.token)
        ) {
          this.#end(
            "closing",
            "The server restarted and no longer knows this session",
          );
        }
        return;
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
      if (now - state.since > this.#joinTimeoutMs) {
        this.#end("unreachable", "The server does not answer");
      }
    } else if (state.at === "joined") {
      const { link } = state;
      if (now - link.lastSent >= state.heartbeatMs) link.ping(now);
      const silent = now - link.lastHeard > this.#lostAfterMs;
      if (silent !== state.lost) {
        state.lost = silent;
        this.#notices.push({
          type: "status",
          status: silent ? "lost" : "back",
        });
      }
    } else if (state.at === "leaving" && now >= state.until) {
      this.#end("left", "");
    }
  }

  /** The next datagram for the server, or undefined. */
  poll(into: Uint8Array, now: number): Uint8Array | undefined {
    const state = this.#state;
    if (state.at === "joining") {
      if (now < state.nextTry) return undefined;
      state.tries++;
      state.nextTry = now +
        Math.min(this.#joinRetryMs * 2 ** (state.tries - 1), 2000);
      const packet = encodePacket({
        type: "join",
        cookie: state.cookie ?? new Uint8Array(20),
        name: state.name,
      });
      into.set(packet);
      return into.subarray(0, packet.byteLength);
    }
    if (state.at === "joined" || state.at === "leaving") {
      return state.link.poll(into, now);
    }
    if (state.at === "ended" && state.flush !== undefined) {
      const last = state.flush.poll(into, now, true);
      state.flush = undefined;
      return last;
    }
    return undefined;
  }

  #welcomed(packet: WelcomePacket, leaveAfter: boolean, now: number): void {
    const link = new Link(packet.sessionId, packet.token.slice(), now, {
      // A member never gives up on its server: it keeps trying until told to stop.
      maxRetries: 65_536,
    });
    for (const request of this.#pending) link.send(request);
    this.#pending = [];
    this.#state = {
      at: "joined",
      link,
      heartbeatMs: packet.heartbeatMs,
      lost: false,
    };
    this.#notices.push({
      type: "welcome",
      name: packet.name,
      resumed: packet.resumed,
    });
    if (leaveAfter) this.leave(now);
  }

  #request(encoded: Uint8Array): void {
    const state = this.#state;
    if (state.at === "joined") state.link.send(encoded);
    else if (state.at === "idle" || state.at === "joining") {
      this.#pending.push(encoded);
    }
  }

  #session(link: Link, messages: Uint8Array[]): void {
    for (const message of messages) {
      let event: ServerEvent;
      try {
        event = decodeEvent(message);
      } catch {
        continue;
      }
      if (event.kind === "goodbye") {
        this.#notices.push({ type: "event", event });
        this.#end(event.why, event.reason, link);
        return;
      }
      this.#notices.push({ type: "event", event });
    }
  }

  /** `link`, when given, sends one last datagram to ack the goodbye. */
  #end(why: GoodbyeWhy | "unreachable", reason: string, link?: Link): void {
    if (this.#state.at === "ended") return;
    this.#state = { at: "ended", flush: link };
    this.#notices.push({ type: "ended", why, reason });
  }
}
