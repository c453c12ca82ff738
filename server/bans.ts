/**
 * Bans by name and by address, each until a time (or for good). Pure.
 * @module
 */

import { nameKey } from "../protocol/names.ts";
import { formatDuration } from "../wording/duration.ts";

/** Who is banned, by name key and by IP address. */
export class Bans {
  #names = new Map<string, number>();
  #addresses = new Map<string, number>();
  /** The address banned with a name, so unbanning the name frees both. */
  #linked = new Map<string, string>();

  /** Ban a name (any case or width) and, if given, an address until `until` (ms; Infinity: for good). */
  ban(
    name: string | undefined,
    address: string | undefined,
    until: number,
  ): void {
    if (name !== undefined) this.#names.set(nameKey(name), until);
    if (address !== undefined) this.#addresses.set(address, until);
    if (name !== undefined && address !== undefined) {
      this.#linked.set(nameKey(name), address);
    }
  }

  /** Lift the ban on a name (and the address banned with it) or an address; false when there was none. */
  unban(target: string): boolean {
    if (this.#addresses.delete(target)) return true;
    const key = nameKey(target);
    const linked = this.#linked.get(key);
    this.#linked.delete(key);
    if (linked !== undefined) this.#addresses.delete(linked);
    return this.#names.delete(key);
  }

  /** Until when `name` or `address` is banned, or undefined. */
  until(name: string, address: string, now: number): number | undefined {
    const until = Math.max(
      this.#live(this.#names, nameKey(name), now),
      this.#live(this.#addresses, address, now),
    );
    return until > now ? until : undefined;
  }

  /** Why `name` from `address` may not join (a ban in force), or undefined. */
  refusal(name: string, address: string, now: number): string | undefined {
    const until = this.until(name, address, now);
    if (until === undefined) return undefined;
    return `You are banned from this room${forHowLong(until, now)}`;
  }

  /** Why a member may not take `name` with /nick (a ban on it), or undefined. */
  nameRefusal(name: string, now: number): string | undefined {
    const until = this.#live(this.#names, nameKey(name), now);
    if (until <= now) return undefined;
    return `The name "${name}" is banned from this room${
      forHowLong(until, now)
    }`;
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

/** " for 9m 54s more", or nothing for a ban for good. */
function forHowLong(until: number, now: number): string {
  return until === Infinity ? "" : ` for ${formatDuration(until - now)} more`;
}
