/**
 * The native engine's join handshake: cookies, the passphrase, resuming a
 * session, a retransmitted JOIN, and a new session whose member the chat
 * core then admits or refuses. Pure, like the engine that owns it: replies
 * go out through it; randomness is injected.
 * @module
 */

import { type Address, formatAddress } from "../protocol/address.ts";
import type { Origin } from "../protocol/clear.ts";
import {
  MIN_JOIN_BYTES,
  NONCE_BYTES,
  TOKEN_BYTES,
} from "../protocol/limits.ts";
import { Link, sameToken } from "../protocol/link.ts";
import { validateName } from "../protocol/names.ts";
import { type JoinPacket, RefuseCode } from "../protocol/packet.ts";
import { encodePacket } from "../protocol/packet_encode.ts";
import type { Admitted, ChatCore, Refusal } from "./chat.ts";
import { CookieJar } from "./cookie.ts";
import { Session, type Sessions } from "./sessions.ts";
import type { Stats } from "./stats.ts";
import { UsedNonces } from "./used_nonces.ts";
import { langOfTag } from "../wording/notices.ts";

/** What admission needs from the native engine. */
export interface AdmissionHost {
  chat: ChatCore;
  sessions: Sessions;
  stats: Stats;
  /** Queue a handshake reply, dropped when larger than `limit`. */
  reply(bytes: Uint8Array, to: Address, limit: number): void;
  /** Make the new session's member a member of the room (or say why not). */
  admit(session: Session, name: string, now: number): Admitted;
  /**
   * A member resumes a session not known here: true while it is looked
   * up elsewhere (no answer: the JOIN comes again), false to admit it as new.
   */
  takeOver?(id: number, token: Uint8Array, now: number): boolean;
  /** A session came back at a new link: send it what it missed. */
  resumed(session: Session, lastSeen: number, now: number): void;
  /** Report. */
  log(text: string): void;
  /** Fill `into` with random bytes. */
  random(into: Uint8Array): void;
}

/** Admission's tunables, defaults already applied (see `ServerOptions`). */
export interface AdmissionOptions {
  heartbeatMs: number;
  timeoutMs: number;
  cookieSecret?: Uint8Array;
  salt?: Uint8Array;
  /** JOIN nonces remembered at once (tests); MAX_USED_NONCES by default. */
  maxUsedNonces?: number;
  /** Acknowledge requests only as far as the room took them (see `Link.holdAcks`). */
  holdAcks?: boolean;
}

/** Most joins waiting for the room's log at once; past it they start again with new ids. */
const MAX_UNDECIDED = 4096;

/** How each refusal of the chat core goes on the wire (pending: no answer, the JOIN is retried). */
const REFUSE_CODES: Record<Exclude<Refusal, "pending">, number> = {
  empty: RefuseCode.name,
  too_long: RefuseCode.name,
  control: RefuseCode.name,
  whitespace: RefuseCode.name,
  reserved: RefuseCode.name,
  invalid_utf8: RefuseCode.name,
  taken: RefuseCode.taken,
  banned: RefuseCode.banned,
  throttled: RefuseCode.throttled,
  full: RefuseCode.full,
};

/** Answers JOINs: with a cookie, a refusal, or a WELCOME (new or resumed). */
export class Admission {
  #host: AdmissionHost;
  #jar: CookieJar;
  #heartbeatMs: number;
  #timeoutMs: number;
  #salt: Uint8Array | undefined;
  #used: UsedNonces;
  #holdAcks: boolean;
  /** Session ids of joins the room has not decided yet, by address. */
  #undecided = new Map<string, number>();

  /** Admission for `host`'s room, with `options`. */
  constructor(host: AdmissionHost, options: AdmissionOptions) {
    this.#host = host;
    this.#jar = new CookieJar(
      options.cookieSecret ?? random(host, 32),
    );
    this.#heartbeatMs = options.heartbeatMs;
    this.#timeoutMs = options.timeoutMs;
    this.#salt = options.salt;
    this.#used = new UsedNonces(options.maxUsedNonces);
    this.#holdAcks = options.holdAcks ?? false;
  }

  /** A sealed datagram that would not open: wrong passphrase, forgery, or replay. */
  forged(bytes: Uint8Array, from: Address): void {
    this.#host.stats.drop("bad seal");
    // A sealed JOIN is padded to MIN_JOIN_BYTES: tell the joiner, briefly.
    // Its nonce is sealed too; the end of its tag, which only whoever sent
    // (or saw) the datagram knows, stands in for it.
    if (bytes.byteLength >= MIN_JOIN_BYTES) {
      this.#refuse(
        bytes.slice(bytes.byteLength - NONCE_BYTES),
        RefuseCode.passphrase,
        "Wrong passphrase",
        from,
      );
    }
  }

  /** Take in a JOIN from `from`; `origin` is what the passphrase guard made of it. */
  join(packet: JoinPacket, from: Address, now: number, origin: Origin): void {
    const key = formatAddress(from);
    const { nonce } = packet;
    if (!this.#jar.verify(packet.cookie, key, nonce, now)) {
      const cookie = this.#jar.issue(key, nonce, now);
      return this.#host.reply(
        encodePacket({ type: "cookie", nonce, cookie, salt: this.#salt }),
        from,
        MIN_JOIN_BYTES,
      );
    }
    if (this.#salt !== undefined && origin !== "sealed") {
      return void this.#refuse(
        nonce,
        RefuseCode.passphrase,
        "This room needs a passphrase: join with --passphrase-file FILE",
        from,
      );
    }
    const { resume } = packet;
    const known = resume && this.#host.sessions.get(resume.sessionId);
    if (
      resume && known && known.closingUntil === undefined &&
      sameToken(known.token, resume.token)
    ) {
      return this.#resume(known, from, key, resume.lastSeen, packet, now);
    }
    if (
      resume && !known &&
      this.#host.takeOver?.(resume.sessionId, resume.token, now)
    ) return;
    // A JOIN retransmitted because our WELCOME was lost.
    const existing = this.#host.sessions.at(key);
    const check = validateName(packet.name);
    if (
      existing?.live && check.ok &&
      this.#host.chat.room.get(existing.id)?.key === check.key
    ) {
      return this.#welcome(existing, false, nonce);
    }
    if (this.#replayed(packet, from, key, now)) return;
    this.#admit(packet, from, key, now);
  }

  /**
   * True when `packet`'s nonce was decided on already: a retransmission
   * whose REFUSE was lost gets it again, anything else (a replay) is dropped.
   * Also true, after refusing, when no more nonces can be remembered.
   */
  #replayed(
    packet: JoinPacket,
    from: Address,
    key: string,
    now: number,
  ): boolean {
    const decided = this.#used.get(key, packet.nonce, now);
    if (decided?.refusal !== undefined) {
      this.#host.reply(decided.refusal, from, MIN_JOIN_BYTES);
    } else if (decided !== undefined) {
      this.#host.stats.drop("replayed join");
    } else if (this.#used.full(now)) {
      this.#host.stats.drop("join nonces full");
      this.#refuse(
        packet.nonce,
        RefuseCode.throttled,
        "Too many joins; wait a moment",
        from,
      );
    } else {
      return false;
    }
    return true;
  }

  /** Remember what became of `packet`'s nonce, for as long as its cookie lives. */
  #decided(packet: JoinPacket, key: string, refusal?: Uint8Array): void {
    const issued = new DataView(
      packet.cookie.buffer,
      packet.cookie.byteOffset,
      4,
    ).getUint32(0);
    this.#used.add(key, packet.nonce, issued, { refusal });
  }

  #resume(
    session: Session,
    from: Address,
    key: string,
    lastSeen: number,
    packet: JoinPacket,
    now: number,
  ): void {
    // The same JOIN again (our WELCOME was lost): answer, change nothing.
    if (
      session.resumedWith !== undefined &&
      sameToken(session.resumedWith, packet.cookie)
    ) {
      return this.#welcome(session, true, packet.nonce);
    }
    if (this.#replayed(packet, from, key, now)) return;
    this.#decided(packet, key);
    session.resumedWith = packet.cookie.slice();
    const held = session.link.held;
    session.link = new Link(session.id, session.token, now, {
      // Processed already, even if not acknowledged (held): the member
      // sends it again from `held`, and it is not carried out twice.
      initialReceiveSeq: session.link.completedNext,
      // A datagram of the old link (or from before a restart) moves nothing.
      pnFloor: session.link.highestPn,
    });
    if (held !== undefined) session.link.holdAcks(held);
    session.suspendedUntil = undefined;
    session.lang = langOfTag(packet.lang);
    this.#host.sessions.move(session, from, key);
    this.#host.log(
      `${this.#host.chat.nameOf(session.id)} resumed from ${key}`,
    );
    this.#welcome(session, true, packet.nonce);
    this.#host.resumed(session, lastSeen, now);
  }

  #admit(packet: JoinPacket, from: Address, key: string, now: number): void {
    // A join the room's log has not decided yet keeps its id while the
    // member asks again: the log (a cluster's store) asked for that id.
    const id = this.#undecided.get(key) ?? this.#newId();
    this.#undecided.delete(key);
    const token = random(this.#host, TOKEN_BYTES);
    const session = new Session(id, token, new Link(id, token, now));
    if (this.#holdAcks) session.link.holdAcks();
    session.lang = langOfTag(packet.lang);
    const { sessions } = this.#host;
    sessions.add(session);
    sessions.move(session, from, key);
    const admitted = this.#host.admit(session, packet.name, now);
    if (admitted.ok) {
      this.#decided(packet, key);
      return this.#welcome(session, false, packet.nonce);
    }
    sessions.forget(session);
    // Pending: no answer, the JOIN comes again (and gets this id again).
    if (admitted.problem === "pending") {
      if (this.#undecided.size >= MAX_UNDECIDED) this.#undecided.clear();
      this.#undecided.set(key, id);
    } else {
      this.#decided(
        packet,
        key,
        this.#refuse(
          packet.nonce,
          REFUSE_CODES[admitted.problem],
          admitted.message,
          from,
        ),
      );
    }
  }

  /** A fresh random session id, never 0, not in use. */
  #newId(): number {
    const id = new Uint32Array(1);
    const bytes = new Uint8Array(id.buffer);
    do this.#host.random(bytes); while (
      id[0] === 0 || this.#host.sessions.has(id[0]!)
    );
    return id[0]!;
  }

  /**
   * Send a REFUSE echoing `nonce`, and return it. REFUSE travels in the
   * clear: in a room with a passphrase it says only the code, since the
   * reason may name the member; the member words the code itself.
   */
  #refuse(
    nonce: Uint8Array,
    code: number,
    reason: string,
    to: Address,
  ): Uint8Array {
    const bytes = encodePacket({
      type: "refuse",
      nonce,
      code,
      reason: this.#salt === undefined ? reason : "",
    });
    this.#host.reply(bytes, to, MIN_JOIN_BYTES);
    return bytes;
  }

  #welcome(session: Session, resumed: boolean, nonce: Uint8Array): void {
    if (session.address === undefined) return;
    const welcome = encodePacket({
      type: "welcome",
      nonce,
      sessionId: session.id,
      token: session.token,
      name: this.#host.chat.nameOf(session.id) ?? "",
      resumed,
      // Held acks: the member keeps (and sends again) what the room may lose.
      resumeSeq: session.link.held ?? session.link.completedNext,
      heartbeatMs: this.#heartbeatMs,
      timeoutMs: this.#timeoutMs,
    });
    this.#host.reply(welcome, session.address, MIN_JOIN_BYTES);
  }
}

function random(
  host: Pick<AdmissionHost, "random">,
  bytes: number,
): Uint8Array {
  const out = new Uint8Array(bytes);
  host.random(out);
  return out;
}
