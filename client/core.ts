/**
 * The client's pure core: the join handshake, the session, heartbeats,
 * noticing a silent server, and resuming when it comes back. The shell
 * (`client.ts`) feeds it datagrams from the server and clock ticks, sends
 * what `poll` returns, and shows the notices it emits.
 * @module
 */

import {
  type ClientRequest,
  decodeEvent,
  encodeRequest,
  type GoodbyeWhy,
  MAX_REASON_BYTES,
  type ServerEvent,
} from "../protocol/events.ts";
import { TokenBucket } from "../protocol/bucket.ts";
import { COOKIE_BYTES } from "../protocol/limits.ts";
import { Link, sameToken } from "../protocol/link.ts";
import { acceptedInTheClear, type Origin } from "../protocol/clear.ts";
import {
  isNative,
  type Packet,
  RefuseCode,
  type WelcomePacket,
} from "../protocol/packet.ts";
import { decodePacket } from "../protocol/packet_decode.ts";
import { encodePacket } from "../protocol/packet_encode.ts";
import { nameKey, validateName } from "../protocol/names.ts";
import { utf8Length, validateText } from "../protocol/text.ts";
import { Outbox } from "./outbox.ts";

/** What the core tells the terminal. */
export type ClientNotice =
  | { type: "welcome"; name: string; how: "joined" | "resumed" | "rejoined" }
  | { type: "refused"; code: number; reason: string }
  | { type: "event"; event: ServerEvent }
  | { type: "status"; status: "lost" | "back" }
  | { type: "delivered"; from: string; request: ClientRequest }
  | { type: "undelivered"; request: ClientRequest }
  | { type: "invalid"; reason: string }
  | { type: "ended"; why: GoodbyeWhy | "unreachable"; reason: string };

/** Tunables of a client; every field has a default. */
export interface ClientOptions {
  /** Resend an unanswered JOIN after this long (ms), doubling up to 1 s. */
  joinRetryMs?: number;
  /** Give up a first join when the server is silent this long (ms). */
  joinTimeoutMs?: number;
  /** Report the server lost after this much silence (ms). */
  lostAfterMs?: number;
  /** Stop waiting for the server's goodbye after this long (ms). */
  leaveTimeoutMs?: number;
  /**
   * The member has a passphrase: its shell's guard seals and opens, and
   * this core accepts only COOKIE and REFUSE in the clear.
   */
  passphrase?: boolean;
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

/** Longest wait between JOIN attempts (ms). */
const MAX_JOIN_RETRY_MS = 1000;

/** Client state and protocol logic, driven by the shell. */
export class ClientCore {
  #state: State = { at: "idle" };
  #notices: ClientNotice[] = [];
  #outbox = new Outbox();
  /** Requests waiting for the session (typed while joining). */
  #pending: ClientRequest[] = [];
  /** Requests waiting for the flood limit (the server's, from LIMITS). */
  #paced: ClientRequest[] = [];
  #bucket: TokenBucket | undefined;
  #lastSeen = 0;
  #lost = false;
  #everJoined = false;
  #name = "";
  #joinRetryMs: number;
  #joinTimeoutMs: number;
  #lostAfterMs: number;
  #leaveTimeoutMs: number;
  #passphrase: boolean;
  #salt: Uint8Array | undefined;

  /** A core with `options`. */
  constructor(options: ClientOptions = {}) {
    this.#joinRetryMs = options.joinRetryMs ?? 250;
    this.#joinTimeoutMs = options.joinTimeoutMs ?? 5000;
    this.#lostAfterMs = options.lostAfterMs ?? 3000;
    this.#leaveTimeoutMs = options.leaveTimeoutMs ?? 3000;
    this.#passphrase = options.passphrase ?? false;
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
  say(text: string, now: number): string | undefined {
    return this.send({ kind: "say", text }, now);
  }

  /**
   * Queue a request; returns why not when its text is invalid. Chat-like
   * requests are paced under the server's flood limit, in order.
   */
  send(
    request: Exclude<ClientRequest, { kind: "leave" }>,
    now: number,
  ): string | undefined {
    const problem = invalid(request);
    if (problem !== undefined) {
      this.#notices.push({ type: "invalid", reason: problem });
      return problem;
    }
    // Trailing line ends go (validateText's normal form).
    if ("text" in request) {
      request = { ...request, text: request.text.replace(/[\r\n]+$/, "") };
    }
    const state = this.#state;
    if (state.at === "idle" || state.at === "joining") {
      this.#pending.push(request);
    } else if (state.at === "joined") {
      this.#paced.push(request);
      this.#release(state.link, now);
    }
    return undefined;
  }

  /** Leave the room; the session ends when the server says goodbye. */
  leave(now: number): void {
    const state = this.#state;
    if (state.at === "joined") {
      this.#release(state.link, now, true);
      const leave: ClientRequest = { kind: "leave" };
      this.#outbox.send(state.link, encodeRequest(leave), leave);
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
  receive(bytes: Uint8Array, now: number, origin: Origin = "plain"): void {
    if (!isNative(bytes) || origin === "forged") return;
    let packet: Packet;
    try {
      packet = decodePacket(bytes);
    } catch {
      return;
    }
    // With a passphrase only the handshake's first answers come in the clear.
    if (
      this.#passphrase && origin === "plain" &&
      !acceptedInTheClear(packet.type, "member")
    ) return;
    const state = this.#state;
    switch (packet.type) {
      case "cookie":
        if (state.at === "joining") {
          if (!this.#keyFor(packet.salt)) return;
          // The server answers: the join timeout counts silence, not effort.
          state.cookie = packet.cookie.slice();
          state.since = now;
          state.tries = 0;
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
        return this.#session(state.link, state.link.receive(packet, now), now);
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
      this.#release(link, now);
      // Idle: a heartbeat per interval; silent: ask four times as often, so
      // a lossy link is not mistaken for a lost server.
      const silent = now - link.lastHeard > state.heartbeatMs;
      const interval = silent ? state.heartbeatMs / 4 : state.heartbeatMs;
      if (now - link.lastSent >= interval) link.ping(now);
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
          Math.min(
            this.#joinRetryMs * 2 ** (state.tries - 1),
            MAX_JOIN_RETRY_MS,
          );
        const packet = encodePacket({
          type: "join",
          cookie: state.cookie ?? new Uint8Array(COOKIE_BYTES),
          // A probe for a passphrase room's salt goes in the clear: no name in it.
          name: this.#passphrase && state.cookie === undefined
            ? ""
            : state.name,
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
      for (const request of this.#outbox.resume(link, packet.resumeSeq)) {
        this.#notices.push({ type: "delivered", from: packet.name, request });
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
    this.#paced.push(...this.#pending.splice(0));
    this.#release(link, now);
    if (state.leaveBy !== undefined) this.leave(now);
  }

  /** The salt a passphrase room's COOKIE gave, once, for the shell's guard. */
  takeSalt(): Uint8Array | undefined {
    const salt = this.#salt;
    this.#salt = undefined;
    return salt;
  }

  /** Check a COOKIE's passphrase flag against ours; false (refused) on a mismatch. */
  #keyFor(salt: Uint8Array | undefined): boolean {
    if (salt !== undefined && !this.#passphrase) {
      this.#refused(
        RefuseCode.passphrase,
        "This room needs a passphrase (join --passphrase)",
      );
      return false;
    }
    if (salt === undefined && this.#passphrase) {
      this.#refused(
        RefuseCode.passphrase,
        "This room has no passphrase: join without one",
      );
      return false;
    }
    if (salt !== undefined) this.#salt = salt.slice();
    return true;
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

  /**
   * Send paced requests while the flood limit allows (all of them when
   * `all`: leaving flushes the queue, the server drops what is over).
   */
  #release(link: Link, now: number, all = false): void {
    while (
      this.#paced.length > 0 && (all || (this.#bucket?.take(now) ?? true))
    ) {
      const request = this.#paced.shift()!;
      this.#outbox.send(link, encodeRequest(request), request);
    }
  }

  #session(link: Link, messages: readonly Uint8Array[], now: number): void {
    this.#setLost(false);
    for (const request of this.#outbox.settle(link.channel.peerNext)) {
      this.#notices.push({ type: "delivered", from: this.#name, request });
    }
    for (const message of messages) {
      let event: ServerEvent;
      try {
        event = decodeEvent(message);
      } catch {
        continue;
      }
      if (
        event.kind === "nick" && nameKey(event.from) === nameKey(this.#name)
      ) {
        // Our own new name: shown on our lines, and kept if we must rejoin.
        this.#name = event.to;
        const state = this.#state;
        if (state.at === "joined") state.name = event.to;
      }
      if (event.kind === "limits") {
        this.#bucket = new TokenBucket(event.burst, event.perSecond, now);
        continue;
      }
      if ("id" in event) {
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
    for (
      const request of [...this.#paced.splice(0), ...this.#pending.splice(0)]
    ) {
      this.#notices.push({ type: "undelivered", request });
    }
  }

  #abandonOutbox(): void {
    for (const request of this.#outbox.abandon()) {
      if (request.kind !== "leave") {
        this.#notices.push({ type: "undelivered", request });
      }
    }
  }

  /** `link`, when given, sends one last datagram to ack the goodbye. */
  #end(why: GoodbyeWhy | "unreachable", reason: string, link?: Link): void {
    if (this.#state.at === "ended") return;
    // Whatever the server never acknowledged did not get there.
    this.#abandon();
    this.#state = { at: "ended", flush: link };
    this.#notices.push({ type: "ended", why, reason });
  }
}

/** Why the server would refuse `request`, checked before it is sent; undefined when fine. */
function invalid(
  request: Exclude<ClientRequest, { kind: "leave" }>,
): string | undefined {
  if ("text" in request) {
    const check = validateText(request.text);
    if (!check.ok) return check.message;
  }
  const name = request.kind === "private"
    ? request.to
    : request.kind === "nick"
    ? request.name
    : undefined;
  if (name !== undefined) {
    const check = validateName(name);
    if (!check.ok) return check.message;
  }
  if (
    request.kind === "away" && utf8Length(request.reason) > MAX_REASON_BYTES
  ) {
    return `Away message is longer than ${MAX_REASON_BYTES} bytes`;
  }
  return undefined;
}
