/**
 * One end of an established session, shared by the server (one per member)
 * and the client: the reliable channel, fragmentation, packet numbers,
 * heartbeats, and building the next datagram. Pure: the clock is passed in,
 * datagrams go in and come out as bytes.
 * @module
 */

import { Reassembler, split } from "./fragment.ts";
import { MAX_DATAGRAM_BYTES } from "./limits.ts";
import {
  DATA_FRAME_OVERHEAD,
  MAX_ACK_RANGES_ON_WIRE,
  MAX_FRAME_BODY,
  sessionHeaderBytes,
  type SessionPacket,
} from "./packet.ts";
import { beginSession, putData, putStamp, seal } from "./packet_encode.ts";
import { ReliableChannel } from "./reliable.ts";
import type { AckState } from "./reliable_receive.ts";
import { type ReliableOptions } from "./reliable_options.ts";
import { type OutFrame } from "./reliable_send.ts";

/** Frames on their way into a datagram (poll reuses it: no array per datagram). */
const scratch: OutFrame[] = [];

/** What receive() returns for a datagram that completed no message. */
const NO_MESSAGES: readonly Uint8Array[] = Object.freeze([]);

/** Most pongs owed at once; further pings are answered by the next one. */
const MAX_PONGS = 4;

/** Bytes of a PING or PONG frame. */
const STAMP_FRAME_BYTES = 5;

/**
 * How far a member's packet numbers jump when it resumes a session: past
 * every floor the server may have journaled for it (`server/native.ts`
 * keeps that floor at most half this above what it took), so the first
 * datagram of the new link is fresh and an older one is not.
 */
export const PN_RESUME_SKIP = 4096;

/** A link's options: the reliable channel's, and where packet numbers stand. */
export interface LinkOptions extends ReliableOptions {
  /** The packet number of this end's first datagram (default 0). */
  firstPn?: number;
  /**
   * A packet number the peer already used: only a newer one is fresh
   * (default: none, so any is). A link that replaces an earlier one of the
   * session carries its highest, so a datagram recorded before cannot
   * move the session.
   */
  pnFloor?: number;
}

/** The first and last seq a message took. */
export interface SeqRange {
  first: number;
  last: number;
}

/** A session end: turns messages into datagrams and datagrams into messages. */
export class Link {
  /** The session id both ends use. */
  readonly sessionId: number;
  /** The session's secret token. */
  readonly token: Uint8Array;
  /** The reliable channel (exposed for stats). */
  readonly channel: ReliableChannel;
  /** When a datagram of this session last arrived. */
  lastHeard: number;
  /** When this end last sent a datagram. */
  lastSent: number;
  /** Messages dropped because they could not be reassembled. */
  malformed = 0;
  /** Round-trip time from the last pong, in milliseconds. */
  pingRttMs: number | undefined;
  #reassembler = new Reassembler();
  #completedNext: number;
  #pnOut: number;
  #pnIn: number;
  #pnSeen: boolean;
  #pongs: number[] = [];
  #ping: number | undefined;
  /** With `holdAcks`: the seq up to which the peer may be told all was taken. */
  #committed: number | undefined;

  /** A link for `sessionId`/`token`, born at `now`. */
  constructor(
    sessionId: number,
    token: Uint8Array,
    now: number,
    options: LinkOptions = {},
  ) {
    this.sessionId = sessionId;
    this.token = token;
    const { firstPn, pnFloor, ...reliable } = options;
    this.channel = new ReliableChannel(reliable);
    this.#pnOut = (firstPn ?? 0) >>> 0;
    this.#pnIn = (pnFloor ?? 0) >>> 0;
    this.#pnSeen = pnFloor !== undefined;
    this.#completedNext = this.channel.receiveNext;
    this.lastHeard = now;
    this.lastSent = now;
  }

  /** Queue one encoded message (split into frames); returns its seqs. */
  send(encoded: Uint8Array): SeqRange {
    return this.sendChunks(split(encoded, MAX_FRAME_BODY));
  }

  /** Queue a message already split by `split`; returns its seqs. */
  sendChunks(chunks: readonly Uint8Array[]): SeqRange {
    const first = this.channel.pushNext;
    this.queue(chunks);
    return { first, last: (first + chunks.length - 1) >>> 0 };
  }

  /** Queue a message already split by `split` (a broadcast splits once). */
  queue(chunks: readonly Uint8Array[]): void {
    for (let i = 0; i < chunks.length; i++) this.channel.push(chunks[i]!);
  }

  /**
   * The seq after the last frame that completed a message: every message
   * before it was delivered whole. A resumed session restarts from here.
   */
  get completedNext(): number {
    return this.#completedNext;
  }

  /**
   * From now on acknowledge messages as wholly received only up to what
   * `commit` allows: the peer forgets what is acknowledged, so a server
   * whose room lives elsewhere (a cluster) acknowledges only what the room
   * took. Frames past that are still reported received (ack ranges), so
   * the peer keeps them without sending them again. `from`: what was
   * committed already, when this link goes on from another (a resume).
   */
  holdAcks(from = this.#completedNext): void {
    this.#committed ??= from >>> 0;
  }

  /** How far acks may go (see `holdAcks`); undefined when they are not held. */
  get held(): number | undefined {
    return this.#committed;
  }

  /** Messages before seq `next` are now safe to acknowledge (see `holdAcks`). */
  commit(next: number, now: number): void {
    const committed = this.#committed;
    if (committed === undefined || ((next - committed) | 0) <= 0) return;
    this.#committed = next >>> 0;
    this.channel.oweAck(now);
  }

  /** The ack to send: the channel's, held back at what was committed. */
  #ack(): AckState {
    const ack = this.channel.ackState();
    const held = this.#committed;
    if (held === undefined || ((ack.next - held) | 0) <= 0) return ack;
    const ranges = [[held, ack.next] as const, ...ack.ranges];
    return { next: held, ranges: ranges.slice(0, MAX_ACK_RANGES_ON_WIRE) };
  }

  /**
   * True when `packet.pn` is newer than any seen: the test a datagram from
   * a new address must pass before the session moves there.
   */
  isFresh(packet: SessionPacket): boolean {
    return !this.#pnSeen || ((packet.pn - this.#pnIn) | 0) > 0;
  }

  /** The newest packet number taken in (or the floor), undefined before any. */
  get highestPn(): number | undefined {
    return this.#pnSeen ? this.#pnIn : undefined;
  }

  /** The packet number of the next datagram this end sends. */
  get nextPn(): number {
    return this.#pnOut;
  }

  /**
   * Take in a datagram of this session (token already checked); returns the
   * whole messages that became deliverable, in order. A message that cannot
   * be reassembled is dropped and counted in `malformed`.
   */
  receive(packet: SessionPacket, now: number): readonly Uint8Array[] {
    this.lastHeard = now;
    if (this.isFresh(packet)) {
      this.#pnIn = packet.pn;
      this.#pnSeen = true;
    }
    this.channel.onAck(packet.ack, now);
    let messages: Uint8Array[] | undefined;
    for (const frame of packet.frames) {
      switch (frame.type) {
        case "data":
          this.#data(frame.seq, frame.body, now, messages ??= []);
          break;
        case "ping":
          if (this.#pongs.length < MAX_PONGS) this.#pongs.push(frame.stamp);
          break;
        case "pong":
          this.pingRttMs = ((now >>> 0) - frame.stamp) >>> 0;
          break;
        default: {
          const _exhaustive: never = frame;
          throw new TypeError(`Cannot receive frame ${_exhaustive}`);
        }
      }
    }
    return messages ?? NO_MESSAGES;
  }

  #data(seq: number, body: Uint8Array, now: number, into: Uint8Array[]): void {
    const start = this.channel.receiveNext;
    const chunks = this.channel.receive(seq, body, now);
    for (let i = 0; i < chunks.length; i++) {
      if (this.#reassemble(chunks[i]!, into)) {
        this.#completedNext = (start + i + 1) >>> 0;
      }
    }
  }

  /** True when `chunk` completed a message (pushed onto `into`). */
  #reassemble(chunk: Uint8Array, into: Uint8Array[]): boolean {
    try {
      const whole = this.#reassembler.push(chunk);
      if (whole === undefined) return false;
      into.push(whole);
      return true;
    } catch {
      // Oversized or malformed: that message is lost, the stream goes on.
      this.malformed++;
      return false;
    }
  }

  /** The session is over: give back what it buffered (see ReliableChannel.release). */
  release(): void {
    this.channel.release();
    this.#reassembler.reset();
  }

  /** Ask the peer for a pong with the next datagram (a heartbeat). */
  ping(now: number): void {
    this.#ping = now >>> 0;
  }

  /** True when `poll` would produce a datagram now. */
  wantsToSend(now: number): boolean {
    return this.#pongs.length > 0 || this.#ping !== undefined ||
      this.channel.hasDue(now) || this.channel.ackDue(now);
  }

  /**
   * Build the next datagram into `into` (a reusable buffer of at least
   * MAX_DATAGRAM_BYTES), or return undefined when nothing is due. With
   * `force`, build one even if it carries only the ack.
   */
  poll(into: Uint8Array, now: number, force = false): Uint8Array | undefined {
    if (!force && !this.wantsToSend(now)) return undefined;
    const ack = this.#ack();
    const w = beginSession(
      into,
      this.sessionId,
      this.token,
      this.#pnOut,
      ack,
    );
    this.#pnOut = (this.#pnOut + 1) >>> 0;
    for (const stamp of this.#pongs) putStamp(w, "pong", stamp);
    if (this.#ping !== undefined) putStamp(w, "ping", this.#ping);
    const budget = MAX_DATAGRAM_BYTES - sessionHeaderBytes(ack) -
      (this.#pongs.length + (this.#ping === undefined ? 0 : 1)) *
        STAMP_FRAME_BYTES;
    this.#pongs.length = 0;
    this.#ping = undefined;
    scratch.length = 0; // Even if an earlier poll threw half-way.
    const frames = this.channel.takeFrames(
      now,
      budget,
      DATA_FRAME_OVERHEAD,
      scratch,
    );
    for (let i = 0; i < frames.length; i++) {
      putData(w, frames[i]!.seq, frames[i]!.body);
    }
    frames.length = 0; // Holds no flight past this call.
    this.channel.ackSent(now);
    this.lastSent = now;
    return seal(w);
  }
}

/** Compare two tokens in time independent of where they differ. */
export function sameToken(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  let diff = 0;
  for (let i = 0; i < a.byteLength; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}
