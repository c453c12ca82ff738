/**
 * The member's side of the join handshake: the joining state, when the
 * next JOIN goes out and what it carries, what a COOKIE changes, and
 * whether the room's passphrase matches ours. ClientCore drives it. Pure.
 * @module
 */

import { COOKIE_BYTES, NONCE_BYTES } from "../protocol/limits.ts";
import { type Link, sameToken } from "../protocol/link.ts";
import { encodePacket } from "../protocol/packet_encode.ts";

/** The session a member comes back to, and its token. */
export interface Resume {
  sessionId: number;
  token: Uint8Array;
}

/** A member on its way into the room. */
export interface Joining {
  at: "joining";
  name: string;
  /** Random for this attempt; a COOKIE, WELCOME or REFUSE must echo it. */
  nonce: Uint8Array;
  /**
   * The ends of the sealed JOINs sent (passphrase rooms): a REFUSE of one
   * that would not open echoes that instead. The last few only.
   */
  sealedEchoes: Uint8Array[];
  cookie?: Uint8Array;
  since: number;
  nextTry: number;
  tries: number;
  /** Set when coming back to a session the server may still know. */
  resume?: Resume;
  /** The user left while joining: send what was typed, then leave, by then. */
  leaveBy?: number;
}

/** How a member sends its JOINs. */
export interface JoinTries {
  /** Wait after the first unanswered JOIN (ms); it doubles per try. */
  retryMs: number;
  /** The member has a passphrase (its first JOIN is a probe). */
  passphrase: boolean;
  /** The last event id seen, for a resumed session to replay after. */
  lastSeen: number;
  /** The member's language, for the server's words to it. */
  lang?: string;
}

/** Longest wait between JOIN attempts (ms). */
const MAX_JOIN_RETRY_MS = 1000;

/** Sealed JOINs whose refusal is still recognised (one per try). */
const MAX_SEALED_ECHOES = 16;

/**
 * Start joining as `name` with a fresh nonce from `random`; with `link`,
 * come back to the session it had.
 */
export function startJoining(
  name: string,
  now: number,
  random: (into: Uint8Array) => void,
  link?: Link,
): Joining {
  const nonce = new Uint8Array(NONCE_BYTES);
  random(nonce);
  const state: Joining = {
    at: "joining",
    name,
    nonce,
    sealedEchoes: [],
    since: now,
    nextTry: now,
    tries: 0,
  };
  if (link !== undefined) {
    state.resume = { sessionId: link.sessionId, token: link.token };
  }
  return state;
}

/**
 * The join starts over at another server at `now`: a fresh nonce from
 * `random`, no cookie (it was the other server's), JOINs from the first
 * retry interval. The session to resume, the join's start and a leave
 * asked for stay.
 */
export function moveOn(
  state: Joining,
  now: number,
  random: (into: Uint8Array) => void,
): void {
  state.nonce = new Uint8Array(NONCE_BYTES);
  random(state.nonce);
  state.cookie = undefined;
  state.sealedEchoes = [];
  state.tries = 0;
  state.nextTry = now;
}

/** True when `echo` shows a reply answers this attempt's JOIN. */
export function answersJoin(state: Joining, echo: Uint8Array): boolean {
  return sameToken(echo, state.nonce);
}

/** True when a REFUSE's `echo` answers this attempt: its nonce, or a sealed JOIN's end. */
export function refusesJoin(state: Joining, echo: Uint8Array): boolean {
  return answersJoin(state, echo) ||
    state.sealedEchoes.some((sealed) => sameToken(echo, sealed));
}

/** A JOIN of this attempt went out sealed and ends with `echo`. */
export function joinSealed(state: Joining, echo: Uint8Array): void {
  state.sealedEchoes.push(echo.slice());
  if (state.sealedEchoes.length > MAX_SEALED_ECHOES) state.sealedEchoes.shift();
}

/** The server answered with `cookie`: echo it, and try again at once. */
export function cookieArrived(
  state: Joining,
  cookie: Uint8Array,
  now: number,
): void {
  // The server answers: the join timeout counts silence, not effort.
  state.cookie = cookie.slice();
  state.since = now;
  state.tries = 0;
  state.nextTry = now;
}

/** The JOIN due now, written into `into`; undefined before the next try. */
export function nextJoin(
  state: Joining,
  into: Uint8Array,
  now: number,
  tries: JoinTries,
): Uint8Array | undefined {
  if (now < state.nextTry) return undefined;
  state.tries++;
  state.nextTry = now +
    Math.min(
      tries.retryMs * 2 ** (state.tries - 1),
      MAX_JOIN_RETRY_MS,
    );
  // A probe for a passphrase room's salt goes in the clear: no name in it.
  const probe = tries.passphrase && state.cookie === undefined;
  const packet = encodePacket({
    type: "join",
    cookie: state.cookie ?? new Uint8Array(COOKIE_BYTES),
    nonce: state.nonce,
    name: probe ? "" : state.name,
    lang: probe ? undefined : tries.lang,
    resume: state.resume && { ...state.resume, lastSeen: tries.lastSeen },
  });
  into.set(packet);
  return into.subarray(0, packet.byteLength);
}

/** How a room's passphrase and ours disagree. */
export type PassphraseMismatch = "needed" | "unneeded";

/**
 * Why a COOKIE's salt (sent when the room has a passphrase) does not
 * match whether we have one; undefined when it does.
 */
export function passphraseMismatch(
  salt: Uint8Array | undefined,
  passphrase: boolean,
): PassphraseMismatch | undefined {
  if (salt !== undefined && !passphrase) return "needed";
  if (salt === undefined && passphrase) return "unneeded";
  return undefined;
}
