/**
 * Which members of other servers to announce as timed out: those of a
 * server whose lease has been missing, as this server saw it, for the
 * room's timeout (its members had that long to resume elsewhere). Every
 * server that remains decides alike; the store lets exactly one of them
 * record each leave (`ClusterStore.reap`). Pure: time comes in as `now`.
 * @module
 */

import type { Remote } from "./cluster_log.ts";

/** Tracks servers whose lease is missing, and the members to reap. */
export class Reaper {
  /** Server id → when its lease was first seen missing. */
  #missing = new Map<string, number>();
  /** Members asked of the store already (their leave comes through the stream). */
  #asked = new Set<number>();
  #timeoutMs: number;

  /** A reaper giving members `timeoutMs` to come back. */
  constructor(timeoutMs: number) {
    this.#timeoutMs = timeoutMs;
  }

  /**
   * The servers whose lease holds at `now` are `alive`: the members of
   * others that are due to be announced as timed out.
   */
  due(
    remotes: Iterable<Remote>,
    alive: ReadonlySet<string>,
    now: number,
  ): Remote[] {
    const seen = new Set<string>();
    const waiting = new Set<number>();
    const due: Remote[] = [];
    for (const remote of remotes) {
      const { srv } = remote;
      if (alive.has(srv)) continue;
      seen.add(srv);
      waiting.add(remote.id);
      const since = this.#missing.get(srv) ?? now;
      this.#missing.set(srv, since);
      if (now - since >= this.#timeoutMs && !this.#asked.has(remote.id)) {
        this.#asked.add(remote.id);
        due.push(remote);
      }
    }
    for (const srv of this.#missing.keys()) {
      if (!seen.has(srv)) this.#missing.delete(srv);
    }
    // Members gone from the roster (their leave came through the stream).
    for (const id of this.#asked) {
      if (!waiting.has(id)) this.#asked.delete(id);
    }
    return due;
  }

  /** The store could not be asked about `id`: ask again next time. */
  retry(id: number): void {
    this.#asked.delete(id);
  }
}
