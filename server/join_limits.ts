/**
 * Who may join now, besides the name: the join rate per IP address, kept
 * apart per kind of member (classic logins, easy to forge, never use up a
 * native address's joins), and the room's size overall and per kind. Pure:
 * time comes in as `now`.
 * @module
 */

import { TokenBucket } from "../protocol/bucket.ts";

/**
 * Most addresses whose join rate is tracked per kind. Past it one is
 * forgotten at a time: a full bucket (forgetting it loses nothing) among the
 * least recently seen, else the least recently seen. A flood of new
 * (forged) addresses cannot wipe the bucket of an address that used it up.
 */
export const MAX_JOIN_BUCKETS = 10_000;
/** How many of the least recently seen buckets are looked at for a full one. */
const EVICTION_PROBES = 64;

/** Forget one bucket of `buckets` (insertion order = least recently seen first). */
function evict(buckets: Map<string, TokenBucket>, now: number): void {
  let oldest: string | undefined;
  let probes = 0;
  for (const [host, bucket] of buckets) {
    oldest ??= host;
    if (bucket.full(now)) return void buckets.delete(host);
    if (++probes === EVICTION_PROBES) break;
  }
  if (oldest !== undefined) buckets.delete(oldest);
}

/** The limits on joining. */
export class JoinLimits {
  #joins = new Map<string, Map<string, TokenBucket>>();
  #joinRate: number;
  #maxMembers: number;
  #maxOfKind: Readonly<Record<string, number>>;

  /** Joins a second per address (0: no limit; burst 4× that), room size, size per kind. */
  constructor(
    joinRate: number,
    maxMembers: number,
    maxOfKind: Readonly<Record<string, number>>,
  ) {
    this.#joinRate = joinRate;
    this.#maxMembers = maxMembers;
    this.#maxOfKind = maxOfKind;
  }

  /**
   * Why the room has no place for one more `kind` member, or undefined. A
   * kind with its own limit counts only against that; the others share the
   * room's (so classic logins, easy to forge, never fill a native's place).
   */
  full(kind: string, count: (kind?: string) => number): string | undefined {
    const most = this.#maxOfKind[kind];
    if (most !== undefined) {
      return count(kind) >= most
        ? `The room is full (${most} ${kind} members)`
        : undefined;
    }
    let shared = count();
    for (const other of Object.keys(this.#maxOfKind)) shared -= count(other);
    return shared >= this.#maxMembers
      ? `The room is full (${this.#maxMembers} members)`
      : undefined;
  }

  /** May `host` join now as a `kind` member? Takes a token if so. */
  allowed(kind: string, host: string, now: number): boolean {
    if (this.#joinRate === 0) return true;
    let buckets = this.#joins.get(kind);
    if (buckets === undefined) this.#joins.set(kind, buckets = new Map());
    let bucket = buckets.get(host);
    if (bucket === undefined) {
      if (buckets.size >= MAX_JOIN_BUCKETS) evict(buckets, now);
      bucket = new TokenBucket(this.#joinRate * 4, this.#joinRate, now);
    } else {
      // A Map keeps insertion order: re-inserting makes it the most recent.
      buckets.delete(host);
    }
    buckets.set(host, bucket);
    return bucket.take(now);
  }
}
