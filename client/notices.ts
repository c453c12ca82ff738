/**
 * What the client's core tells the terminal: the notices, and the queue
 * they wait in until the shell takes them. Pure.
 * @module
 */

import type {
  ClientRequest,
  GoodbyeWhy,
  ServerEvent,
} from "../protocol/events.ts";
import type { PassphraseMismatch } from "./handshake.ts";

/** What the core tells the terminal. */
export type ClientNotice =
  | { type: "welcome"; name: string; how: "joined" | "resumed" | "rejoined" }
  /** `passphrase`: refused here, the room's passphrase and ours disagree. */
  | {
    type: "refused";
    code: number;
    reason: string;
    passphrase?: PassphraseMismatch;
  }
  | { type: "event"; event: ServerEvent }
  | { type: "status"; status: "lost" | "back" }
  /** The member is now in the room through another of its servers, at `address` ("host:port"). */
  | { type: "server"; address: string }
  | { type: "delivered"; from: string; request: ClientRequest }
  /** A request that never reached the room; `reason` when the server said why. */
  | { type: "undelivered"; request: ClientRequest; reason?: string }
  | { type: "invalid"; reason: string }
  /** A rejoin's history was cut to its last lines: `count` earlier ones are not shown. */
  | { type: "earlier"; count: number }
  /** Leaving: `lines` still go out at the room's rate, for about `seconds`. */
  | { type: "draining"; lines: number; seconds: number }
  | { type: "ended"; why: GoodbyeWhy | "unreachable"; reason: string };

/** Notices not taken yet, in the order they happened. */
export class Notices {
  #notices: ClientNotice[] = [];
  #lost = false;
  /** The server said it is restarting: losing it is expected, not news. */
  #restarting = false;

  /** Add `notice`. */
  push(notice: ClientNotice): void {
    this.#notices.push(notice);
  }

  /** Each of `requests`, sent as `from`, reached the server. */
  delivered(from: string, requests: readonly ClientRequest[]): void {
    for (const request of requests) {
      this.#notices.push({ type: "delivered", from, request });
    }
  }

  /** Each of `requests` did not get there, text by text (and why, when known). */
  undelivered(requests: readonly ClientRequest[], reason?: string): void {
    for (const request of requests) {
      this.#notices.push(
        reason === undefined
          ? { type: "undelivered", request }
          : { type: "undelivered", request, reason },
      );
    }
  }

  /** Whether the server is lost; only a change is news (and not when `quiet`: a welcome says it). */
  setLost(lost: boolean, quiet = false): void {
    if (lost === this.#lost) return;
    this.#lost = lost;
    // Its RESTARTING said it first (and that we wait); its return is news.
    if (lost && this.#restarting) return;
    this.#restarting = false;
    if (quiet) return;
    this.#notices.push({ type: "status", status: lost ? "lost" : "back" });
  }

  /** The server said it is restarting: its silence goes without saying. */
  restarting(): void {
    this.#restarting = true;
  }

  /** Notices added since the last call. */
  take(): ClientNotice[] {
    const notices = this.#notices;
    this.#notices = [];
    return notices;
  }
}
