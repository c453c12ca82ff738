/**
 * What the member asked for, from typing it until the server has it:
 * requests held while joining, requests paced under the server's flood
 * limit, and requests sent and not acknowledged yet (the outbox); and the
 * check that catches what the server would refuse before it is sent. Pure.
 * @module
 */

import {
  type ClientRequest,
  encodeRequest,
  MAX_REASON_BYTES,
} from "../protocol/events.ts";
import { TokenBucket } from "../protocol/bucket.ts";
import type { Link } from "../protocol/link.ts";
import { validateName } from "../protocol/names.ts";
import { utf8Length, validateText } from "../protocol/text.ts";
import { Outbox } from "./outbox.ts";

/** A member's requests on their way to the server, in order. */
export class Requests {
  #outbox = new Outbox();
  /** Requests waiting for the session (typed while joining). */
  #pending: ClientRequest[] = [];
  /** Requests waiting for the flood limit (the server's, from LIMITS). */
  #paced: ClientRequest[] = [];
  #bucket: TokenBucket | undefined;
  #perSecond = 0;

  /** True when requests typed while joining wait for the session. */
  get holding(): boolean {
    return this.#pending.length > 0;
  }

  /** Keep `request` until the session is there (see `joined`). */
  hold(request: ClientRequest): void {
    this.#pending.push(request);
  }

  /** Send `request` on `link` as soon as the flood limit allows. */
  pace(request: ClientRequest, link: Link, now: number): void {
    this.#paced.push(request);
    this.release(link, now);
  }

  /** How many requests wait for the flood limit. */
  get paced(): number {
    return this.#paced.length;
  }

  /** About how long the paced requests take to go out at the limit (ms). */
  drainMs(): number {
    return this.#perSecond > 0
      ? (this.#paced.length * 1000) / this.#perSecond
      : 0;
  }

  /** Send paced requests while the flood limit allows. */
  release(link: Link, now: number): void {
    while (this.#paced.length > 0 && (this.#bucket?.take(now) ?? true)) {
      const request = this.#paced.shift()!;
      this.#outbox.send(link, encodeRequest(request), request);
    }
  }

  /** Send `request` on `link` at once, past the flood limit (leaving). */
  sendNow(link: Link, request: ClientRequest): void {
    this.#outbox.send(link, encodeRequest(request), request);
  }

  /** The server's flood limit (its LIMITS event): pace under it from now. */
  limit(burst: number, perSecond: number, now: number): void {
    this.#bucket = new TokenBucket(burst, perSecond, now);
    this.#perSecond = perSecond;
  }

  /** The session on `link` is there: what was held goes out, paced. */
  joined(link: Link, now: number): void {
    this.#paced.push(...this.#pending.splice(0));
    this.release(link, now);
  }

  /** Forget what the server has now (every seq before `peerNext`); returns those requests. */
  settle(peerNext: number): ClientRequest[] {
    return this.#outbox.settle(peerNext);
  }

  /**
   * The session resumed on `link`: send again what the server did not
   * process (every request from `resumeSeq`). Returns the requests now
   * known delivered.
   */
  resume(link: Link, resumeSeq: number): ClientRequest[] {
    return this.#outbox.resume(link, resumeSeq);
  }

  /** Give up on what was sent (its session is gone); returns it, leave excepted. */
  abandonSent(): ClientRequest[] {
    return this.#outbox.abandon().filter((request) => request.kind !== "leave");
  }

  /** Give up on everything unsent or unacknowledged; returns it, sent first. */
  abandon(): ClientRequest[] {
    return [
      ...this.abandonSent(),
      ...this.#paced.splice(0),
      ...this.#pending.splice(0),
    ];
  }
}

/** Why the server would refuse `request`, checked before it is sent; undefined when fine. */
export function invalidRequest(
  request: Exclude<ClientRequest, { kind: "leave" }>,
): string | undefined {
  if ("text" in request) {
    const check = validateText(request.text);
    if (!check.ok) return check.message;
  }
  const name = request.kind === "private"
    ? request.to
    : request.kind === "nick"
    ? request.name
    : undefined;
  if (name !== undefined) {
    const check = validateName(name);
    if (!check.ok) return check.message;
  }
  if (
    request.kind === "away" && utf8Length(request.reason) > MAX_REASON_BYTES
  ) {
    return `Away message is longer than ${MAX_REASON_BYTES} bytes`;
  }
  return undefined;
}
