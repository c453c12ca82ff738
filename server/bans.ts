/**
 * Bans by name and by address, each until a time (or for good). Pure.
 * @module
 */

import { nameKey } from "../protocol/names.ts";
import { formatDuration } from "../wording/duration.ts";
import { NOTICES_EN, type NoticeWords } from "../wording/notices.ts";

/**
 * Bans as a journal keeps them: each target with until when (ms since the
 * epoch, absolute, so an expired ban stays expired after a restart;
 * Infinity: for good), and the address banned with each name.
 */
export interface BanState {
  names: Array<[key: string, until: number]>;
  addresses: Array<[address: string, until: number]>;
  linked: Array<[key: string, address: string]>;
}

/** Who is banned, by name key and by IP address. */
export class Bans {
  #names = new Map<string, number>();
  #addresses = new Map<string, number>();
  /** The address banned with a name, so unbanning the name frees both. */
  #linked = new Map<string, string>();
  #version = 0;

  /** Grows with every ban and unban: a journal writes the bans again when it moved. */
  get version(): number {
    return this.#version;
  }

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
    this.#version++;
  }

  /** Lift the ban on a name (and the address banned with it) or an address; false when there was none. */
  unban(target: string): boolean {
    this.#version++;
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

  /** Why a member may not take `name` with /nick (a ban on it), in `w`, or undefined. */
  nameRefusal(
    name: string,
    now: number,
    w: NoticeWords = NOTICES_EN,
  ): string | undefined {
    const until = this.#live(this.#names, nameKey(name), now);
    if (until <= now) return undefined;
    return w.bannedName(name, until - now);
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

  /** The bans in force at `now`, for a journal. */
  state(now: number): BanState {
    const live = (map: Map<string, number>) =>
      [...map].filter(([, until]) => until > now);
    const names = live(this.#names);
    const keys = new Set(names.map(([key]) => key));
    return {
      names,
      addresses: live(this.#addresses),
      linked: [...this.#linked].filter(([key]) => keys.has(key)),
    };
  }

  /** Take back the bans a journal kept (after a restart); expired ones stay expired. */
  restore(state: BanState): void {
    for (const [key, until] of state.names) this.#names.set(key, until);
    for (const [address, until] of state.addresses) {
      this.#addresses.set(address, until);
    }
    for (const [key, address] of state.linked) this.#linked.set(key, address);
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
