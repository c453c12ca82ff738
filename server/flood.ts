/**
 * Flood control for one member, as ergo's fakelag does it: requests over
 * the member's rate are held, in order, and let go at the rate; a paste of
 * a few hundred lines is a paste, not a flood. Only a member whose held
 * lines pass MAX_HELD_LINES or MAX_HELD_BYTES (well over a minute of
 * backlog at the default rate), or whose other held requests (who, nick,
 * away, leave) pass three bursts, is flooding. A leave waits behind what is held,
 * so a member that sends its lines and leaves has every line carried out
 * first. Pure: time comes in as `now`.
 * @module
 */

import { TokenBucket } from "../protocol/bucket.ts";
import type { ClientRequest } from "../protocol/events.ts";
import { utf8Length } from "../protocol/text.ts";
import { Fifo } from "./work.ts";

/** Most chat lines one member may have held (500 lines: 100 s at 5 a second). */
export const MAX_HELD_LINES = 500;
/** Most bytes of chat text one member may have held. */
export const MAX_HELD_BYTES = 512 * 1024;

/** What became of an offered request. */
export type Verdict = "now" | "held" | "flooding";

/** A chat line, an action or a private line: what a member types. */
export function isLine(
  request: ClientRequest,
): request is Extract<ClientRequest, { text: string }> {
  return "text" in request;
}

/** One member's rate and what waits for it. */
export class FloodGate {
  #bucket: TokenBucket;
  #burst: number;
  #held = new Fifo<ClientRequest>();
  #lines = 0;
  #bytes = 0;
  #others = 0;
  #told = false;

  /** A gate letting `burst` through at once, then `rate` a second (0: no limit). */
  constructor(rate: number, burst: number, now: number) {
    this.#bucket = new TokenBucket(burst, rate, now);
    this.#burst = burst;
  }

  /** How many requests are held. */
  get waiting(): number {
    return this.#held.length;
  }

  /**
   * True once, when the held requests first pass the burst: the moment to
   * tell the member its lines are being delayed.
   */
  get tellNow(): boolean {
    if (this.#told || this.waiting <= this.#burst) return false;
    this.#told = true;
    return true;
  }

  /** Offer a request: go now, held, or (past the bounds) flooding. */
  offer(request: ClientRequest, now: number): Verdict {
    if (this.waiting === 0 && this.#free(request, now)) return "now";
    this.#held.push(request);
    this.#count(request, 1);
    const flooding = this.#lines > MAX_HELD_LINES ||
      this.#bytes > MAX_HELD_BYTES || this.#others > this.#burst * 3;
    return flooding ? "flooding" : "held";
  }

  /** The next held request whose turn has come, or undefined. */
  next(now: number): ClientRequest | undefined {
    const request = this.#held.peek();
    if (request === undefined || !this.#free(request, now)) return undefined;
    this.#held.shift();
    this.#count(request, -1);
    if (this.waiting === 0) this.#told = false;
    return request;
  }

  /** Take out everything held (the member is gone: report what it will not get). */
  drain(): ClientRequest[] {
    const held: ClientRequest[] = [];
    for (let r = this.#held.shift(); r !== undefined; r = this.#held.shift()) {
      held.push(r);
    }
    this.#lines = this.#bytes = this.#others = 0;
    return held;
  }

  /** May `request` go now? A leave costs nothing; anything else a token. */
  #free(request: ClientRequest, now: number): boolean {
    return request.kind === "leave" || this.#bucket.take(now);
  }

  #count(request: ClientRequest, by: 1 | -1): void {
    if (isLine(request)) {
      this.#lines += by;
      this.#bytes += by * utf8Length(request.text);
    } else {
      this.#others += by;
    }
  }
}
