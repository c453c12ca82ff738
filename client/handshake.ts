/**
 * The member's side of the join handshake: the joining state, when the
 * next JOIN goes out and what it carries, what a COOKIE changes, and
 * whether the room's passphrase matches ours. ClientCore drives it. Pure.
 * @module
 */

import { COOKIE_BYTES } from "../protocol/limits.ts";
import type { Link } from "../protocol/link.ts";
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
}

/** Longest wait between JOIN attempts (ms). */
const MAX_JOIN_RETRY_MS = 1000;

/** Start joining as `name`; with `link`, come back to the session it had. */
export function startJoining(name: string, now: number, link?: Link): Joining {
  if (link === undefined) {
    return { at: "joining", name, since: now, nextTry: now, tries: 0 };
  }
  return {
    at: "joining",
    name,
    since: now,
    nextTry: now,
    tries: 0,
    resume: { sessionId: link.sessionId, token: link.token },
  };
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
  const packet = encodePacket({
    type: "join",
    cookie: state.cookie ?? new Uint8Array(COOKIE_BYTES),
    // A probe for a passphrase room's salt goes in the clear: no name in it.
    name: tries.passphrase && state.cookie === undefined ? "" : state.name,
    resume: state.resume && { ...state.resume, lastSeen: tries.lastSeen },
  });
  into.set(packet);
  return into.subarray(0, packet.byteLength);
}

/**
 * Why a COOKIE's salt (sent when the room has a passphrase) does not
 * match whether we have one; undefined when it does.
 */
export function passphraseMismatch(
  salt: Uint8Array | undefined,
  passphrase: boolean,
): string | undefined {
  if (salt !== undefined && !passphrase) {
    return "This room needs a passphrase (join --passphrase)";
  }
  if (salt === undefined && passphrase) {
    return "This room has no passphrase: join without one";
  }
  return undefined;
}
