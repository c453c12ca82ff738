/**
 * The server's side of finding a room: which probes it answers and with
 * what. It answers only a probe from its own machine or from a subnet it has
 * an address in (never one routed from elsewhere), within a rate per source
 * and in all, with the address the prober can join at. Pure: the clock, the
 * interfaces and the member count come in.
 * @module
 */

import {
  type Answer,
  decodeProbe,
  encodeAnswer,
  ipv4Bytes,
  isLinkLocalV6,
  type Nic,
} from "../protocol/discovery.ts";
import { TokenBucket } from "../protocol/bucket.ts";

/** What a server says about itself, apart from the nonce, address and count. */
export interface RoomInfo {
  serverId: Uint8Array;
  version: number;
  passphrase: boolean;
  room: string;
  /** The chat socket's bound address and port. */
  hostname: string;
  port: number;
}

/** Answers a second: per source after a burst, and in all. */
export interface AnswerLimits {
  perSource: number;
  sourceBurst: number;
  total: number;
  totalBurst: number;
  /** Sources remembered at once; past it, only the total limit holds them back. */
  maxSources: number;
}

/** The limits a server runs with: an honest `find` sends 4 or 5 probes. */
export const ANSWER_LIMITS: AnswerLimits = {
  perSource: 2,
  sourceBurst: 8,
  total: 100,
  totalBurst: 100,
  maxSources: 4096,
};

/** Per-source and total token buckets for answers. */
export class AnswerLimiter {
  #limits: AnswerLimits;
  #sources = new Map<string, TokenBucket>();
  #total: TokenBucket;

  /** Full buckets at `now`. */
  constructor(limits: AnswerLimits, now: number) {
    this.#limits = limits;
    this.#total = new TokenBucket(limits.totalBurst, limits.total, now);
  }

  /** True (and counted) when `source` may have one more answer at `now`. */
  allow(source: string, now: number): boolean {
    let bucket = this.#sources.get(source);
    if (bucket === undefined) {
      if (this.#sources.size >= this.#limits.maxSources) this.#sweep(now);
      bucket = new TokenBucket(
        this.#limits.sourceBurst,
        this.#limits.perSource,
        now,
      );
      // Too many sources at once: the new one is not remembered, so it
      // gets at most its burst from the total.
      if (this.#sources.size < this.#limits.maxSources) {
        this.#sources.set(source, bucket);
      }
    }
    if (this.#total.nextAt(now) > now || !bucket.take(now)) return false;
    return this.#total.take(now);
  }

  /** Sources remembered now (for tests: the map stays bounded). */
  get sources(): number {
    return this.#sources.size;
  }

  #sweep(now: number): void {
    for (const [source, bucket] of this.#sources) {
      if (bucket.full(now)) this.#sources.delete(source);
    }
  }
}

/** Answers probes for one room. */
export class Responder {
  #info: RoomInfo;
  #limiter: AnswerLimiter;

  /** A responder for the room `info`, limited by `limits`. */
  constructor(info: RoomInfo, now: number, limits = ANSWER_LIMITS) {
    this.#info = info;
    this.#limiter = new AnswerLimiter(limits, now);
  }

  /**
   * The answer to `bytes` from `source`, or undefined: not a probe, a
   * source off this machine's subnets, or over the rate limit. `link` names
   * the interface an IPv6 probe arrived on (to the link-local group).
   */
  respond(
    bytes: Uint8Array,
    source: string,
    nics: readonly Nic[],
    members: number,
    now: number,
    link?: string,
  ): Uint8Array | undefined {
    let nonce: Uint8Array;
    try {
      nonce = decodeProbe(bytes);
    } catch {
      return undefined;
    }
    const bound = this.#info.hostname;
    const hostname = link === undefined
      ? answerAddress(bound, source, nics)
      : linkAddress(bound, source, link, nics);
    // A link-local address is unique only on its link.
    const key = link === undefined ? source : `${source}%${link}`;
    if (hostname === undefined || !this.#limiter.allow(key, now)) {
      return undefined;
    }
    const answer: Answer = { ...this.#info, nonce, hostname, members };
    return encodeAnswer(answer);
  }
}

/**
 * The address a prober at `source` joins a server bound to `bound` at:
 * undefined when `source` is neither this machine (loopback) nor on one of
 * its IPv4 subnets, or cannot reach the bound address.
 */
export function answerAddress(
  bound: string,
  source: string,
  nics: readonly Nic[],
): string | undefined {
  const any = bound === "0.0.0.0" || bound === "::";
  const loopbackBound = bound.startsWith("127.") || bound === "localhost";
  if (source.startsWith("127.")) {
    return any || bound === "localhost" ? "127.0.0.1" : ipv4(bound);
  }
  const from = toInt(source);
  if (from === undefined || from === 0) return undefined;
  const nic = nics.find((n) => {
    if (n.family !== "IPv4" || n.address.startsWith("127.")) return false;
    const mask = toInt(n.netmask);
    const address = toInt(n.address);
    return mask !== undefined && address !== undefined &&
      ((address & mask) >>> 0) === ((from & mask) >>> 0);
  });
  if (nic === undefined || loopbackBound) return undefined;
  return any ? nic.address : ipv4(bound);
}

/**
 * The address a prober at the IPv6 `source`, heard on the interface `link`,
 * joins a server bound to `bound` at: the server's IPv4 address on that
 * link (answers carry IPv4 only); undefined when `source` is not
 * link-local (so on-link by definition), or the link has no such address.
 */
export function linkAddress(
  bound: string,
  source: string,
  link: string,
  nics: readonly Nic[],
): string | undefined {
  if (!isLinkLocalV6(source)) return undefined;
  const any = bound === "0.0.0.0" || bound === "::";
  const nic = nics.find((n) =>
    n.name === link && n.family === "IPv4" && !n.address.startsWith("127.") &&
    (any || n.address === bound)
  );
  return nic?.address;
}

function ipv4(address: string): string | undefined {
  return toInt(address) === undefined ? undefined : address;
}

/** A dotted IPv4 address as an unsigned 32-bit number; undefined for anything else. */
export function toInt(address: string): number | undefined {
  try {
    const [a, b, c, d] = ipv4Bytes(address);
    return ((a! << 24) | (b! << 16) | (c! << 8) | d!) >>> 0;
  } catch {
    return undefined;
  }
}
