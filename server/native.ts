/**
 * The native engine: udpchat's own wire protocol. It keeps sessions, the
 * join handshake (`admission.ts`), links and handshake replies, and turns
 * each session into a `MemberPort` of the chat core; it knows nothing of
 * the room's rules. Pure: the server core feeds it packets and time.
 * @module
 */

import { type Address, formatAddress } from "../protocol/address.ts";
import type { Origin } from "../protocol/clear.ts";
import {
  type ClientRequest,
  decodeRequest,
  encodeEvent,
  type GoodbyeWhy,
  type ServerEvent,
} from "../protocol/events.ts";
import { split } from "../protocol/fragment.ts";
import { Link, PN_RESUME_SKIP, sameToken } from "../protocol/link.ts";
import {
  type JoinPacket,
  MAX_FRAME_BODY,
  SESSION_FIXED_BYTES,
  type SessionPacket,
} from "../protocol/packet.ts";
import { encodePacket } from "../protocol/packet_encode.ts";
import { Admission } from "./admission.ts";
import type { ChatCore } from "./chat.ts";
import type { JournalMember } from "./journal.ts";
import { type Logger, messageOf } from "./log.ts";
import type { LinkInfo, MemberPort, Outbound } from "./port.ts";
import { Session, Sessions } from "./sessions.ts";
import type { WorkQueue } from "./work.ts";

/** How long a session lingers after its GOODBYE, for the ack (ms). */
const LINGER_MS = 3000;

/**
 * The packet-number floor journaled for a session stays this far above the
 * newest number taken, and is written again once that is within a quarter
 * of PN_RESUME_SKIP of it: one journal line per 1,024 datagrams, and a
 * restarted server never takes a datagram it saw (or one of the 1,024 after
 * it) as fresh, while a resumed member's first is above it.
 */
const PN_FLOOR_AHEAD = PN_RESUME_SKIP / 2;

/** What the engine writes to the journal, when there is one. */
export interface SessionJournal {
  member(id: number, token: Uint8Array, name: string, after: number): void;
  processed(id: number, next: number, pn?: number): void;
  gone(id: number): void;
}

/** What the native engine is plugged into. */
export interface NativeHost {
  chat: ChatCore;
  work: WorkQueue;
  /** Queue a handshake reply, dropped when larger than `limit`. */
  reply(bytes: Uint8Array, to: Address, limit: number): void;
  log: Logger;
  random(into: Uint8Array): void;
  journal?: SessionJournal;
  /** See `ServerCore.onUnknownResume`; true: no answer yet. */
  takeOver?(id: number, token: Uint8Array, now: number): boolean | undefined;
}

/** The native engine's tunables, defaults applied. */
export interface NativeOptions {
  heartbeatMs: number;
  timeoutMs: number;
  cookieSecret?: Uint8Array;
  salt?: Uint8Array;
  /** Most bytes all sessions together buffer out of order (ROOM_RECEIVE_BUFFER_BYTES). */
  receiveBufferBytes?: number;
  /** Acknowledge requests only as far as the room took them (see `Link.holdAcks`). */
  holdAcks?: boolean;
}

/** A broadcast's frames, split once for every native member. */
function chunksOf(event: ServerEvent): Uint8Array[] {
  return split(encodeEvent(event), MAX_FRAME_BODY);
}

/** Native sessions and their handshake. */
export class NativeEngine {
  /** Every session. */
  readonly sessions: Sessions;
  /** A member silent this long is removed (ms). */
  readonly timeoutMs: number;
  #host: NativeHost;
  #admission: Admission;
  #holdAcks: boolean;

  /** An engine on `host` with `options`. */
  constructor(host: NativeHost, options: NativeOptions) {
    this.#host = host;
    this.sessions = new Sessions(options.receiveBufferBytes);
    this.timeoutMs = options.timeoutMs;
    this.#holdAcks = options.holdAcks ?? false;
    this.#admission = new Admission({
      chat: host.chat,
      sessions: this.sessions,
      stats: host.chat.stats,
      reply: host.reply,
      admit: (session, name, now) => this.#admit(session, name, now),
      takeOver: (id, token, now) => host.takeOver?.(id, token, now) ?? false,
      resumed: (session, lastSeen, now) => {
        this.#host.work.touch(session);
        host.chat.resume(session.id, lastSeen, now);
      },
      log: (text) => host.log("info", text),
      random: host.random,
    }, options);
  }

  /** A JOIN from `from`. */
  join(packet: JoinPacket, from: Address, now: number, origin: Origin): void {
    this.#admission.join(packet, from, now, origin);
  }

  /** A sealed datagram that would not open. */
  forged(bytes: Uint8Array, from: Address): void {
    this.#admission.forged(bytes, from);
  }

  /** A SESSION datagram from `from`. */
  session(packet: SessionPacket, from: Address, now: number): void {
    const { chat } = this.#host;
    const session = this.sessions.get(packet.sessionId);
    const valid = session !== undefined &&
      sameToken(packet.token, session.token);
    if (session === undefined || (valid && session.suspendedUntil)) {
      // A member of a server that restarted: it must join again (resuming).
      chat.stats.drop(session ? "suspended session" : "unknown session");
      const reset = encodePacket({
        type: "reset",
        sessionId: packet.sessionId,
        token: packet.token,
      });
      return this.#host.reply(reset, from, SESSION_FIXED_BYTES);
    }
    if (!valid) return chat.stats.drop("bad token");
    if (
      from.port !== session.address?.port ||
      from.hostname !== session.address.hostname
    ) {
      // mosh's rule: move only for a valid token and a packet number never seen.
      if (!session.link.isFresh(packet)) {
        return chat.stats.drop("stale packet from new address");
      }
      const key = formatAddress(from);
      this.#host.log(
        "info",
        `${chat.nameOf(session.id)} moved from ${session.addressKey} to ${key}`,
      );
      this.sessions.move(session, from, key);
    }
    const messages = session.link.receive(packet, now);
    for (const message of messages) this.#request(session, message, now);
    const floorMoved = this.#raiseFloor(session);
    if (messages.length > 0 || floorMoved) {
      this.#host.journal?.processed(
        session.id,
        session.link.completedNext,
        session.pnJournaled,
      );
    }
    this.#host.work.touch(session);
  }

  /**
   * Keep the journaled floor above every packet number taken, by at least
   * a quarter of PN_RESUME_SKIP (datagrams sent but never seen here);
   * true when it moved.
   */
  #raiseFloor(session: Session): boolean {
    const highest = session.link.highestPn;
    if (highest === undefined) return false;
    const floor = session.pnJournaled;
    if (
      floor !== undefined && ((floor - highest) | 0) >= PN_FLOOR_AHEAD / 2
    ) return false;
    session.pnJournaled = (highest + PN_FLOOR_AHEAD) >>> 0;
    return true;
  }

  /** Advance time: timeouts, retransmissions, delayed acks, lingering. */
  tick(now: number): void {
    for (const session of this.sessions.values()) {
      const { link } = session;
      if (session.closingUntil !== undefined) {
        const done = link.channel.unacked === 0 && link.channel.queued === 0;
        if (done || now >= session.closingUntil || link.channel.failed) {
          this.sessions.forget(session);
        }
      } else if (session.suspendedUntil !== undefined) {
        if (now >= session.suspendedUntil) {
          this.#timedOut(session, "did not come back", now);
        }
      } else if (now - link.lastHeard > this.timeoutMs || link.channel.failed) {
        this.#timedOut(session, "no answer", now);
      } else if (link.wantsToSend(now)) {
        this.#host.work.touch(session);
      }
    }
  }

  /** Sessions restored from a journal wait (suspended) for their members to resume. */
  restore(members: readonly JournalMember[], now: number): void {
    for (const m of members) {
      const link = new Link(m.id, m.token, now, {
        initialReceiveSeq: m.next,
        // Nothing at or below what was journaled may move the session.
        pnFloor: m.pn,
      });
      if (this.#holdAcks) link.holdAcks();
      const session = new Session(m.id, m.token, link);
      session.pnJournaled = m.pn;
      session.suspendedUntil = now + this.timeoutMs;
      // Not back in the room (its name went to another meanwhile): no session
      // either, so it cannot resume into a room that does not know it.
      if (!this.#host.chat.reseat(m.id, "", this.#port(session), now)) {
        this.#host.journal?.gone(m.id);
        continue;
      }
      this.sessions.add(session);
    }
  }

  /** Forget session `id` without a word to its member (another server has it now). */
  release(id: number): void {
    const session = this.sessions.get(id);
    if (session !== undefined) this.sessions.forget(session);
  }

  /** True when no session has anything queued or unacknowledged. */
  get settled(): boolean {
    for (const { link } of this.sessions.values()) {
      if (link.channel.unacked > 0 || link.channel.queued > 0) return false;
    }
    return true;
  }

  /** Members to journal when compacting: every live or suspended session. */
  members(): JournalMember[] {
    const members: JournalMember[] = [];
    for (const s of this.sessions.values()) {
      if (!s.live && s.suspendedUntil === undefined) continue;
      const member = this.#host.chat.room.get(s.id);
      if (member === undefined) continue;
      members.push({
        id: s.id,
        token: s.token,
        name: member.name,
        // Held acks (a cluster): what the room took, not what was processed.
        next: s.link.held ?? s.link.completedNext,
        pn: s.pnJournaled,
        joinedAfter: member.joinedAfter,
        away: member.away,
      });
    }
    return members;
  }

  #admit(
    session: Session,
    name: string,
    now: number,
  ): ReturnType<ChatCore["admit"]> {
    const host = session.address?.hostname ?? "";
    const admitted = this.#host.chat.admit(
      session.id,
      name,
      host,
      this.#port(session),
      now,
    );
    const member = admitted.ok && this.#host.chat.room.get(session.id);
    if (member) {
      this.#host.journal?.member(
        session.id,
        session.token,
        member.name,
        member.joinedAfter,
      );
    }
    return admitted;
  }

  #timedOut(session: Session, reason: string, now: number): void {
    if (!this.#host.chat.remove(session.id, "timeout", reason, now)) {
      this.#end(session, "timeout", reason, now);
    }
  }

  #request(session: Session, message: Uint8Array, now: number): void {
    let request: ClientRequest;
    try {
      request = decodeRequest(message);
    } catch (error) {
      this.#host.chat.stats.drop("bad request");
      this.#host.log(
        "warn",
        `Bad request from ${this.#host.chat.nameOf(session.id)}: ${
          messageOf(error)
        }`,
      );
      return;
    }
    if (session.live) this.#host.chat.request(session.id, request, now);
  }

  /** The session as the chat core sees it. */
  #port(session: Session): MemberPort {
    return {
      kind: "native",
      get lang() {
        return session.lang;
      },
      deliver: (outbound: Outbound) => {
        if (!session.live) return 0;
        const { channel } = session.link;
        session.link.queue(outbound.as(chunksOf));
        this.#host.work.touch(session);
        return channel.queued + channel.unacked;
      },
      remove: (why, reason, now) => this.#end(session, why, reason, now),
      // It waits and resumes: its session stays journaled, not gone.
      restart: (reason) => {
        if (session.live) {
          session.link.send(encodeEvent({ kind: "restarting", reason }));
          this.#host.work.touch(session);
        }
        return true;
      },
      describe: (now) => describe(session, now),
    };
  }

  /** The session is over: a GOODBYE it acks, or (timed out, not connected) nothing. */
  #end(session: Session, why: GoodbyeWhy, reason: string, now: number): void {
    this.#host.journal?.gone(session.id);
    if (why === "timeout" || !session.live) {
      this.sessions.forget(session);
      return;
    }
    session.link.send(encodeEvent({ kind: "goodbye", why, reason }));
    session.closingUntil = now + LINGER_MS;
    this.#host.work.touch(session);
  }
}

function describe(session: Session, _now: number): LinkInfo | undefined {
  if (!session.live) return undefined;
  const { sent, retransmitted, srttMs } = session.link.channel.stats();
  return {
    address: session.addressKey ?? "",
    rttMs: Math.round(srttMs ?? session.link.pingRttMs ?? 0),
    lossPercent: sent === 0
      ? 0
      : Math.min(100, Math.round((100 * retransmitted) / sent)),
  };
}
