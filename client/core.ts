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
  type GoodbyeWhy,
  type ServerEvent,
} from "../protocol/events.ts";
import { Link, PN_RESUME_SKIP, sameToken } from "../protocol/link.ts";
import { acceptedInTheClear, type Origin } from "../protocol/clear.ts";
import {
  isNative,
  type Packet,
  RefuseCode,
  type WelcomePacket,
} from "../protocol/packet.ts";
import { decodePacket } from "../protocol/packet_decode.ts";
import { nameKey } from "../protocol/names.ts";
import {
  answersJoin,
  cookieArrived,
  type Joining,
  joinSealed,
  moveOn,
  nextJoin,
  type PassphraseMismatch,
  passphraseMismatch,
  refusesJoin,
  startJoining,
} from "./handshake.ts";
import { Echoes } from "./echoes.ts";
import { EN } from "../wording/i18n.ts";
import { type ClientNotice, Notices } from "./notices.ts";
import { invalidRequest, Requests } from "./requests.ts";
import { RETRIES_PER_SERVER, Servers } from "./servers.ts";
import type { Address } from "../protocol/address.ts";

/** Most history lines a rejoin shows (a first join shows what the server sends). */
export const REJOIN_HISTORY = 10;
/** A rejoin's history is complete when nothing more of it came for this long (ms). */
const HISTORY_QUIET_MS = 250;

/** Fills a buffer with random bytes: the shell's `crypto.getRandomValues`, or a seeded stand-in. */
export type Random = (into: Uint8Array) => void;

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
  /** The member's language tag ("zh"): the server words its notices in it. */
  lang?: string;
  /**
   * The servers of the room, tried in this order (see `servers.ts`); by
   * default none is named and the shell sends to its one server.
   */
  servers?: readonly Address[];
}

type State =
  | { at: "idle" }
  | Joining
  | { at: "joined"; link: Link; name: string; heartbeatMs: number }
  /** Leaving: the paced lines go out first, then the LEAVE (`asked`). */
  | { at: "leaving"; link: Link; until: number; asked: boolean }
  | { at: "ended"; flush?: Link };

/** Client state and protocol logic, driven by the shell. */
export class ClientCore {
  #state: State = { at: "idle" };
  #notices = new Notices();
  /** What the member asked for, until the server has it. */
  #requests = new Requests();
  /** Which of them show as sent, and when. */
  #echoes = new Echoes();
  #lastSeen = 0;
  /** The first packet number of the next link: past every one sent before. */
  #firstPn = 0;
  #everJoined = false;
  #name = "";
  #leaveReason = "";
  /** After a rejoin: its history, held to show only the last lines; `last`: when the latest came. */
  #rejoinHistory: { events: ServerEvent[]; last: number } | undefined;
  #joinRetryMs: number;
  #joinTimeoutMs: number;
  #lostAfterMs: number;
  #leaveTimeoutMs: number;
  #passphrase: boolean;
  #lang: string | undefined;
  #salt: Uint8Array | undefined;
  #random: Random;
  #servers: Servers;

  /** A core drawing its JOIN nonces from `random`, with `options`. */
  constructor(random: Random, options: ClientOptions = {}) {
    this.#random = random;
    this.#joinRetryMs = options.joinRetryMs ?? 250;
    this.#joinTimeoutMs = options.joinTimeoutMs ?? 5000;
    this.#lostAfterMs = options.lostAfterMs ?? 3000;
    this.#leaveTimeoutMs = options.leaveTimeoutMs ?? 3000;
    this.#passphrase = options.passphrase ?? false;
    this.#lang = options.lang;
    this.#servers = new Servers(
      options.servers ?? [],
      this.#joinRetryMs * RETRIES_PER_SERVER,
    );
  }

  /** The server to send to and to hear from now (undefined when none was named). */
  get server(): Address | undefined {
    return this.#servers.current;
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
    this.#state = startJoining(name, now, this.#random);
    this.#servers.start(now);
  }

  /**
   * The shell's guard sent the JOIN of this attempt sealed, ending in
   * `echo` (the end of its tag): a server that cannot open it refuses
   * echoing that, since the nonce inside is sealed.
   */
  joinSealed(echo: Uint8Array): void {
    if (this.#state.at === "joining") joinSealed(this.#state, echo);
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
    const problem = invalidRequest(request);
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
      this.#requests.hold(request);
    } else if (state.at === "joined") {
      this.#requests.pace(request, state.link, now);
    }
    return undefined;
  }

  /** Leave the room (the others are told `reason`); the session ends when the server says goodbye. */
  leave(now: number, reason = ""): void {
    const state = this.#state;
    this.#leaveReason = reason;
    if (state.at === "joined") {
      // Every line goes out at the room's rate before the LEAVE, so the
      // server carries out all of them: wait as long as that takes.
      const drainMs = this.#requests.drainMs();
      if (this.#requests.paced > 0) {
        this.#notices.push({
          type: "draining",
          lines: this.#requests.paced,
          seconds: Math.ceil(drainMs / 1000),
        });
      }
      this.#state = {
        at: "leaving",
        link: state.link,
        until: now + drainMs + this.#leaveTimeoutMs,
        asked: false,
      };
      this.#drain(this.#state, now);
    } else if (
      state.at === "joining" &&
      // Once the server answered, it may have let us in already: leave it
      // properly, not as a member it must time out.
      (this.#requests.holding || state.resume || state.cookie !== undefined)
    ) {
      state.leaveBy ??= now + this.#joinTimeoutMs;
    } else if (state.at !== "leaving" && state.at !== "ended") {
      this.#end("left", "");
    }
  }

  /** Leaving: send what the flood limit allows, then the LEAVE once. */
  #drain(state: Extract<State, { at: "leaving" }>, now: number): void {
    this.#requests.release(state.link, now);
    if (state.asked || this.#requests.paced > 0) return;
    this.#requests.sendNow(state.link, {
      kind: "leave",
      reason: this.#leaveReason,
    });
    state.asked = true;
  }

  /** Notices emitted since the last call. */
  takeNotices(): ClientNotice[] {
    return this.#notices.take();
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
    // A handshake reply counts only when it echoes this attempt's nonce:
    // an off-path forger never saw it.
    switch (packet.type) {
      case "cookie":
        if (state.at === "joining" && answersJoin(state, packet.nonce)) {
          if (!this.#keyFor(packet.salt)) return;
          cookieArrived(state, packet.cookie, now);
          this.#servers.answered(now);
        }
        return;
      case "welcome":
        if (state.at === "joining" && answersJoin(state, packet.nonce)) {
          this.#welcomed(state, packet, now);
        }
        return;
      case "refuse":
        if (state.at === "joining" && refusesJoin(state, packet.nonce)) {
          this.#refused(packet.code, packet.reason);
        }
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
      } else if (this.#servers.rotate(now)) {
        moveOn(state, now, this.#random);
      }
    } else if (state.at === "joined") {
      const { link } = state;
      if (
        link.channel.failed ||
        this.#servers.tooSilent(now - link.lastHeard, state.heartbeatMs)
      ) return this.#rejoin(link, state.name, now);
      if (now - (this.#rejoinHistory?.last ?? now) >= HISTORY_QUIET_MS) {
        this.#showHistory();
      }
      this.#requests.release(link, now);
      // Idle: a heartbeat per interval; silent: ask four times as often, so
      // a lossy link is not mistaken for a lost server.
      const silent = now - link.lastHeard > state.heartbeatMs;
      const interval = silent ? state.heartbeatMs / 4 : state.heartbeatMs;
      if (now - link.lastSent >= interval) link.ping(now);
      this.#notices.setLost(now - link.lastHeard > this.#lostAfterMs);
    } else if (state.at === "leaving") {
      if (now >= state.until) return this.#end("left", "");
      this.#drain(state, now);
    }
  }

  /** The next datagram for the server, or undefined. */
  poll(into: Uint8Array, now: number): Uint8Array | undefined {
    const state = this.#state;
    switch (state.at) {
      case "joining":
        return nextJoin(state, into, now, {
          retryMs: this.#joinRetryMs,
          passphrase: this.#passphrase,
          lastSeen: this.#lastSeen,
          lang: this.#lang,
        });
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
      firstPn: this.#firstPn,
      // Outlasts the server's timeout: by then it forgot us, so rejoin.
      maxRetries: 16,
    });
    const how = packet.resumed
      ? "resumed"
      : this.#everJoined
      ? "rejoined"
      : "joined";
    if (packet.resumed) {
      this.#notices.delivered(
        packet.name,
        this.#echoes.settle(this.#requests.resume(link, packet.resumeSeq), []),
      );
    } else {
      // What was sent on a session that is gone did not get there.
      this.#notices.undelivered(this.#requests.abandonSent());
      // A new session: its server (maybe another one) numbers events its
      // own way, and sends only those after this join, none shown yet.
      this.#lastSeen = 0;
    }
    const moved = this.#servers.welcomed();
    if (moved !== undefined) {
      this.#notices.push({ type: "server", address: moved });
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
    // "Reconnected as NAME" says the server is back: one line, not two.
    this.#notices.setLost(false, true);
    if (how === "rejoined") this.#rejoinHistory = { events: [], last: now };
    this.#requests.joined(link, now);
    if (state.leaveBy !== undefined) this.leave(now, this.#leaveReason);
  }

  /** The salt a passphrase room's COOKIE gave, once, for the shell's guard. */
  takeSalt(): Uint8Array | undefined {
    const salt = this.#salt;
    this.#salt = undefined;
    return salt;
  }

  /** Check a COOKIE's passphrase flag against ours; false (refused) on a mismatch. */
  #keyFor(salt: Uint8Array | undefined): boolean {
    const mismatch = passphraseMismatch(salt, this.#passphrase);
    if (mismatch !== undefined) {
      this.#refused(RefuseCode.passphrase, EN.passphrase(mismatch), mismatch);
      return false;
    }
    if (salt !== undefined) this.#salt = salt.slice();
    return true;
  }

  #refused(
    code: number,
    reason: string,
    passphrase?: PassphraseMismatch,
  ): void {
    this.#abandon();
    this.#state = { at: "idle" };
    this.#notices.push({ type: "refused", code, reason, passphrase });
  }

  /** Go back to joining, resuming the session `link` had. */
  #rejoin(link: Link, name: string, now: number): void {
    // The server moves a resumed session only for newer packet numbers.
    this.#firstPn = (link.nextPn + PN_RESUME_SKIP) >>> 0;
    this.#notices.setLost(true);
    this.#state = startJoining(name, now, this.#random, link);
    // At the same server first: a RESET or a short silence there is no
    // reason to leave it.
    this.#servers.start(now);
  }

  #session(link: Link, messages: readonly Uint8Array[], now: number): void {
    this.#notices.setLost(false);
    const events: ServerEvent[] = [];
    for (const message of messages) {
      try {
        events.push(decodeEvent(message));
      } catch {
        continue;
      }
    }
    this.#notices.delivered(
      this.#name,
      this.#echoes.settle(this.#requests.settle(link.channel.peerNext), events),
    );
    for (const event of events) {
      if (
        event.kind === "nick" && nameKey(event.from) === nameKey(this.#name)
      ) {
        // Our own new name: shown on our lines, and kept if we must rejoin.
        this.#name = event.to;
        const state = this.#state;
        if (state.at === "joined") state.name = event.to;
      }
      if (event.kind === "limits") {
        this.#requests.limit(event.burst, event.perSecond, now);
        continue;
      }
      if (event.kind === "unsent") {
        // Taken by the server, then not carried out: as good as lost.
        this.#echoes.refused(event.request);
        this.#notices.undelivered([event.request], event.reason);
        continue;
      }
      // It goes away and comes back: we wait, and resume as after a crash.
      if (event.kind === "restarting") this.#notices.restarting();
      if ("id" in event) {
        // A resumed session replays from the last id seen: never show one twice.
        if (event.id <= this.#lastSeen) continue;
        this.#lastSeen = event.id;
      }
      if (
        event.kind === "private" && nameKey(event.from) === nameKey(this.#name)
      ) {
        // The server's copy of our private line: it reached its member.
        const { to, text } = event;
        this.#notices.delivered(this.#name, [{ kind: "private", to, text }]);
        continue;
      }
      if (this.#rejoinHistory !== undefined && event.kind !== "members") {
        if (event.kind === "history") {
          this.#rejoinHistory.events.push(event);
          this.#rejoinHistory.last = now;
          continue;
        }
        this.#showHistory();
      }
      this.#notices.push({ type: "event", event });
      if (event.kind === "muted") {
        this.#notices.delivered(this.#name, this.#echoes.muted(event.ms));
      }
      if (event.kind === "goodbye") {
        this.#notices.delivered(this.#name, this.#echoes.ended());
        return this.#end(event.why, event.reason, link);
      }
    }
  }

  /** Show a rejoin's history: its last REJOIN_HISTORY lines, and how many came before. */
  #showHistory(): void {
    const events = this.#rejoinHistory?.events ?? [];
    this.#rejoinHistory = undefined;
    const skipped = events.length - REJOIN_HISTORY;
    if (skipped > 0) this.#notices.push({ type: "earlier", count: skipped });
    for (const event of events.slice(Math.max(0, skipped))) {
      this.#notices.push({ type: "event", event });
    }
  }

  /** Everything unsent or unacknowledged is lost: say so, text by text. */
  #abandon(): void {
    this.#notices.undelivered(this.#requests.abandon());
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
