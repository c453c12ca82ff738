/**
 * One browser member and one WebSocket as the browser engine keeps them:
 * the member outlives its socket (a dropped connection resumes with its
 * token), the socket knows only whether it is a member, a projector, or
 * neither yet.
 * @module
 */

import { TokenBucket } from "../protocol/bucket.ts";
import { encodeWebReply, type WebReply } from "../protocol/web_frames.ts";
import type { Messages } from "../wording/i18n.ts";

/** A WebSocket as the engine sees it (the shell's side of it). */
export interface WebLink {
  /** The peer's IP address. */
  readonly host: string;
  /** Where it is, as HOST:PORT, for /who. */
  readonly address: string;
  /** Send one text frame; returns how many bytes wait to be sent. */
  send(text: string): number;
  /** Close the socket (what was sent still goes first). */
  close(): void;
}

/** Frames a socket may send a second, after a burst (lines are paced again by the room). */
const FRAMES_PER_SECOND = 20;
const FRAME_BURST = 40;
/** Bad or over-the-rate frames a socket may send before it is closed. */
export const MAX_STRIKES = 20;

/** One WebSocket. */
export class WebConnection {
  /** The socket. */
  readonly link: WebLink;
  /** The passphrase challenge sent with the `room` frame, if any. */
  readonly challenge: Uint8Array | undefined;
  /** The member it carries, once it said hello. */
  member: WebMember | undefined;
  /** True for a projector. */
  watching = false;
  /** The last room event a projector was sent. */
  seen = 0;
  /** When it last sent anything. */
  lastHeard: number;
  /** Bad frames and frames over the rate so far. */
  strikes = 0;
  /** Set once the socket is closed or being closed. */
  closed = false;
  #bucket: TokenBucket;

  /** A socket opened at `now`, with the challenge it is sent. */
  constructor(link: WebLink, challenge: Uint8Array | undefined, now: number) {
    this.link = link;
    this.challenge = challenge;
    this.lastHeard = now;
    this.#bucket = new TokenBucket(FRAME_BURST, FRAMES_PER_SECOND, now);
  }

  /** Take a frame's turn: false when the socket sends faster than it may. */
  allow(now: number): boolean {
    return this.#bucket.take(now);
  }

  /** Send `reply`; returns the bytes waiting (0 once closed). */
  send(reply: WebReply): number {
    return this.sendText(encodeWebReply(reply));
  }

  /** Send an encoded frame; returns the bytes waiting (0 once closed). */
  sendText(text: string): number {
    return this.closed ? 0 : this.link.send(text);
  }

  /** Close the socket (once). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.link.close();
  }
}

/** One browser member: in the room whether or not its socket is up. */
export class WebMember {
  /** Its id in the chat core. */
  readonly id: number;
  /** The token that resumes it, as hex. */
  readonly token: string;
  /** The wording it is sent. */
  t: Messages;
  /** Its socket; undefined while the connection is lost. */
  connection: WebConnection | undefined;
  /** Its IP address (limits and bans go by it). */
  host: string;
  /** When its socket was lost (removed as timed out `timeoutMs` later). */
  lostAt: number | undefined;
  /** Members whose lines it hides (/ignore): key → name. */
  readonly ignored = new Map<string, string>();
  /** Frames held while the chat core admits it, sent after its welcome. */
  held: string[] | undefined = [];

  /** A member `id` with `token`, on `connection`. */
  constructor(
    id: number,
    token: string,
    t: Messages,
    connection: WebConnection,
  ) {
    this.id = id;
    this.token = token;
    this.t = t;
    this.connection = connection;
    this.host = connection.link.host;
  }

  /** Send an encoded frame now (or after the welcome); returns the messages waiting. */
  sendText(text: string): number {
    if (this.held !== undefined) {
      this.held.push(text);
      return this.held.length;
    }
    const waiting = this.connection?.sendText(text) ?? 0;
    // Bytes to messages, roughly: the room drops members too far behind.
    return Math.ceil(waiting / 256);
  }
}
