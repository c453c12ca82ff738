/**
 * The server's admission side, the join handshake: cookies, bans, the join
 * rate per address, resuming a session, admitting a new member, and
 * refusing. Pure, like the core that owns it: replies go out through it.
 * @module
 */

import { type Address, formatAddress } from "../protocol/address.ts";
import { TokenBucket } from "../protocol/bucket.ts";
import { encodeEvent, type ServerEvent } from "../protocol/events.ts";
import { MIN_JOIN_BYTES, TOKEN_BYTES } from "../protocol/limits.ts";
import { Link, sameToken } from "../protocol/link.ts";
import { validateName } from "../protocol/names.ts";
import {
  encodePacket,
  type JoinPacket,
  RefuseCode,
} from "../protocol/packet.ts";
import type { Origin } from "../protocol/clear.ts";
import type { Bans } from "./bans.ts";
import { CookieJar } from "./cookie.ts";
import type { Delivery, Room } from "./room.ts";
import { isLive, type Session, type Sessions } from "./sessions.ts";
import type { Stats } from "./stats.ts";

/** What admission needs from the server core. */
export interface AdmissionHost {
  room: Room;
  sessions: Sessions;
  bans: Bans;
  stats: Stats;
  /** Queue a handshake reply, dropped when larger than `limit`. */
  reply(bytes: Uint8Array, to: Address, limit: number): void;
  /** Deliver room deliveries to everyone (native and classic members). */
  deliver(deliveries: Delivery[], now: number): void;
  /** Record a new member in the journal, when there is one. */
  recordMember(id: number, token: Uint8Array, name: string): void;
  /** Report. */
  log(text: string): void;
}

/** Admission's tunables, defaults already applied (see `ServerOptions`). */
export interface AdmissionOptions {
  heartbeatMs: number;
  timeoutMs: number;
  maxMembers: number;
  rate: number;
  burst: number;
  joinRate: number;
  cookieSecret?: Uint8Array;
  salt?: Uint8Array;
}

/** Most addresses whose join rate is tracked; a flood of them is forgotten. */
const MAX_JOIN_BUCKETS = 10_000;

/** Answers JOINs: with a cookie, a refusal, or a WELCOME (new or resumed). */
export class Admission {
  #host: AdmissionHost;
  #jar: CookieJar;
  #heartbeatMs: number;
  #timeoutMs: number;
  #maxMembers: number;
  #rate: number;
  #burst: number;
  #joinRate: number;
  #joins = new Map<string, TokenBucket>();
  #salt: Uint8Array | undefined;

  /** Admission for `host`'s room, with `options`. */
  constructor(host: AdmissionHost, options: AdmissionOptions) {
    this.#host = host;
    this.#jar = new CookieJar(options.cookieSecret);
    this.#heartbeatMs = options.heartbeatMs;
    this.#timeoutMs = options.timeoutMs;
    this.#maxMembers = options.maxMembers;
    this.#rate = options.rate;
    this.#burst = options.burst;
    this.#joinRate = options.joinRate;
    this.#salt = options.salt;
  }

  /** A sealed datagram that would not open: wrong passphrase, forgery, or replay. */
  forged(size: number, from: Address): void {
    this.#host.stats.drop("bad seal");
    // A sealed JOIN is padded to MIN_JOIN_BYTES: tell the joiner, briefly.
    if (size >= MIN_JOIN_BYTES) {
      this.#refuse(RefuseCode.passphrase, "Wrong passphrase", from);
    }
  }

  #refuse(code: number, reason: string, to: Address): void {
    this.#host.reply(
      encodePacket({ type: "refuse", code, reason }),
      to,
      MIN_JOIN_BYTES,
    );
  }

  /** Take in a JOIN from `from`; `origin` is what the passphrase guard made of it. */
  join(packet: JoinPacket, from: Address, now: number, origin: Origin): void {
    const key = formatAddress(from);
    if (!this.#jar.verify(packet.cookie, key, now)) {
      const cookie = this.#jar.issue(key, now);
      return this.#host.reply(
        encodePacket({ type: "cookie", cookie, salt: this.#salt }),
        from,
        MIN_JOIN_BYTES,
      );
    }
    if (this.#salt !== undefined && origin !== "sealed") {
      return this.#refuse(
        RefuseCode.passphrase,
        "This room needs a passphrase (join --passphrase)",
        from,
      );
    }
    const banned = this.banned(packet.name, from.hostname, now);
    if (banned !== undefined) {
      return this.#refuse(RefuseCode.banned, banned, from);
    }
    const { resume } = packet;
    const known = resume && this.#host.sessions.get(resume.sessionId);
    if (
      resume && known && known.closingUntil === undefined &&
      sameToken(known.token, resume.token)
    ) {
      return this.#resume(
        known,
        from,
        key,
        resume.lastSeen,
        packet.cookie,
        now,
      );
    }
    // A JOIN retransmitted because our WELCOME was lost.
    const existing = this.#host.sessions.at(key);
    const check = validateName(packet.name);
    if (
      existing && isLive(existing) && check.ok &&
      this.#host.room.get(existing.id)?.key === check.key
    ) {
      return this.#welcome(existing, false);
    }
    if (!this.joinAllowed(from.hostname, now)) {
      this.#host.stats.drop("join throttled");
      return this.#refuse(
        RefuseCode.throttled,
        "Too many joins from your address; wait a moment",
        from,
      );
    }
    this.#admit(packet.name, from, key, now);
  }

  /** Why `name` from `host` may not join (a ban in force), or undefined. */
  banned(name: string, host: string, now: number): string | undefined {
    const until = this.#host.bans.until(name, host, now);
    if (until === undefined) return undefined;
    const left = until === Infinity
      ? ""
      : ` for ${Math.ceil((until - now) / 60_000)} more minutes`;
    return `You are banned from this room${left}`;
  }

  /** May `host` join now (the join rate per IP address)? Takes a token if so. */
  joinAllowed(host: string, now: number): boolean {
    if (this.#joinRate === 0) return true;
    let bucket = this.#joins.get(host);
    if (bucket === undefined) {
      if (this.#joins.size >= MAX_JOIN_BUCKETS) this.#joins.clear();
      bucket = new TokenBucket(this.#joinRate * 4, this.#joinRate, now);
      this.#joins.set(host, bucket);
    }
    return bucket.take(now);
  }

  #resume(
    session: Session,
    from: Address,
    key: string,
    lastSeen: number,
    cookie: Uint8Array,
    now: number,
  ): void {
    // The same JOIN again (our WELCOME was lost): answer, change nothing.
    if (
      session.resumedWith !== undefined &&
      sameToken(session.resumedWith, cookie)
    ) {
      return this.#welcome(session, true);
    }
    session.resumedWith = cookie.slice();
    session.link = new Link(session.id, session.token, now, {
      initialReceiveSeq: session.link.completedNext,
    });
    session.suspendedUntil = undefined;
    this.#host.sessions.move(session, from, key);
    this.#host.log(`${session.name} resumed from ${key}`);
    this.#welcome(session, true);
    this.#limits(session);
    const missed = this.#host.room.since(lastSeen, session.id);
    const events: ServerEvent[] = missed ??
      [{
        kind: "notice",
        text: "Some messages were missed while you were away",
      }];
    for (const event of events) session.link.send(encodeEvent(event));
    this.#host.sessions.touch(session);
  }

  #admit(name: string, from: Address, key: string, now: number): void {
    if (this.#host.room.size >= this.#maxMembers) {
      return this.#refuse(
        RefuseCode.full,
        `The room is full (${this.#maxMembers} members)`,
        from,
      );
    }
    const id = this.#host.sessions.newId();
    const result = this.#host.room.join(id, name, now);
    if (!result.ok) {
      return this.#refuse(
        result.problem === "taken" ? RefuseCode.taken : RefuseCode.name,
        result.message,
        from,
      );
    }
    const token = crypto.getRandomValues(new Uint8Array(TOKEN_BYTES));
    const session = this.newSession(
      id,
      token,
      result.member.name,
      new Link(id, token, now),
      now,
    );
    this.#host.sessions.add(session);
    this.#host.sessions.move(session, from, key);
    this.#host.recordMember(id, token, session.name);
    this.#host.log(`${session.name} joined from ${key}`);
    this.#welcome(session, false);
    this.#limits(session);
    this.#host.deliver(result.deliveries, now);
  }

  /** A session for member `id` on `link`, with the member's flood rate. */
  newSession(
    id: number,
    token: Uint8Array,
    name: string,
    link: Link,
    now: number,
  ): Session {
    return {
      id,
      token,
      name,
      link,
      bucket: new TokenBucket(this.#burst, this.#rate, now),
      throttled: [],
    };
  }

  #welcome(session: Session, resumed: boolean): void {
    const welcome = encodePacket({
      type: "welcome",
      sessionId: session.id,
      token: session.token,
      name: session.name,
      resumed,
      resumeSeq: session.link.completedNext,
      heartbeatMs: this.#heartbeatMs,
      timeoutMs: this.#timeoutMs,
    });
    if (session.address !== undefined) {
      this.#host.reply(welcome, session.address, MIN_JOIN_BYTES);
    }
  }

  /** Tell a member the flood limit, so its client paces itself under it. */
  #limits(session: Session): void {
    session.link.send(
      encodeEvent({
        kind: "limits",
        burst: this.#burst,
        perSecond: this.#rate,
      }),
    );
  }
}
