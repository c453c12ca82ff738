/**
 * Who may join now, besides the name: the join rate per IP address, kept
 * apart per kind of member (classic logins, easy to forge, never use up a
 * native address's joins), and the room's size overall and per kind. Pure:
 * time comes in as `now`.
 * @module
 */

import { TokenBucket } from "../protocol/bucket.ts";

/** Most addresses whose join rate is tracked per kind; a flood of them is forgotten. */
const MAX_JOIN_BUCKETS = 10_000;

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

  /** Why the room has no place for one more `kind` member, or undefined. */
  full(kind: string, ofKind: number, total: number): string | undefined {
    const most = this.#maxOfKind[kind];
    if (most !== undefined && ofKind >= most) {
      return `The room is full (${most} ${kind} members)`;
    }
    if (total >= this.#maxMembers) {
      return `The room is full (${this.#maxMembers} members)`;
    }
    return undefined;
  }

  /** May `host` join now as a `kind` member? Takes a token if so. */
  allowed(kind: string, host: string, now: number): boolean {
    if (this.#joinRate === 0) return true;
    let buckets = this.#joins.get(kind);
    if (buckets === undefined) this.#joins.set(kind, buckets = new Map());
    let bucket = buckets.get(host);
    if (bucket === undefined) {
      if (buckets.size >= MAX_JOIN_BUCKETS) buckets.clear();
      bucket = new TokenBucket(this.#joinRate * 4, this.#joinRate, now);
      buckets.set(host, bucket);
    }
    return bucket.take(now);
  }
}
