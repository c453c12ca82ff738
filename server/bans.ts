/**
 * Bans by name and by address, each until a time (or for good). Pure.
 * @module
 */

import { nameKey } from "../protocol/names.ts";

/** Who is banned, by name key and by IP address. */
export class Bans {
  #names = new Map<string, number>();
  #addresses = new Map<string, number>();

  /** Ban a name (any case or width) and, if given, an address until `until` (ms; Infinity: for good). */
  ban(
    name: string | undefined,
    address: string | undefined,
    until: number,
  ): void {
    if (name !== undefined) this.#names.set(nameKey(name), until);
    if (address !== undefined) this.#addresses.set(address, until);
  }

  /** Lift the ban on a name or an address; false when there was none. */
  unban(target: string): boolean {
    return this.#addresses.delete(target) ||
      this.#names.delete(nameKey(target));
  }

  /** Until when `name` or `address` is banned, or undefined. */
  until(name: string, address: string, now: number): number | undefined {
    const until = Math.max(
      this.#live(this.#names, nameKey(name), now),
      this.#live(this.#addresses, address, now),
    );
    return until > now ? until : undefined;
  }

  /** Every ban in force: [target, until]. */
  list(now: number): Array<[string, number]> {
    const all: Array<[string, number]> = [];
    for (const map of [this.#names, this.#addresses]) {
      for (const [target, until] of map) {
        if (until > now) all.push([target, until]);
      }
    }
    return all;
  }

  #live(map: Map<string, number>, key: string, now: number): number {
    const until = map.get(key) ?? 0;
    if (until <= now) map.delete(key);
    return until;
  }
}
