/**
 * Who is in the room, as far as this member has heard: the member list on
 * joining, then joins, leaves and renames; a /who answer replaces it. Tab
 * completes these names. Pure.
 * @module
 */

import type { ServerEvent } from "../protocol/events.ts";
import { nameKey } from "../protocol/names.ts";
import { sanitize } from "../wording/sanitize.ts";

/** The names of the others in the room. */
export class Roster {
  #names = new Map<string, string>();

  /** The names, as they are shown. */
  get names(): string[] {
    return [...this.#names.values()];
  }

  /** Follow `event`; `self` is this member's own name, never listed. */
  update(event: ServerEvent, self: string): void {
    switch (event.kind) {
      case "members":
        return this.#replace(event.names, self);
      case "who":
        return this.#replace(event.entries.map((e) => e.name), self);
      case "joined":
        return this.#add(event.name, self);
      case "left":
        return void this.#names.delete(nameKey(event.name));
      case "nick":
        this.#names.delete(nameKey(event.from));
        return this.#add(event.to, self);
    }
  }

  #replace(names: string[], self: string): void {
    this.#names.clear();
    for (const name of names) this.#add(name, self);
  }

  #add(name: string, self: string): void {
    if (nameKey(name) === nameKey(self)) return;
    this.#names.set(nameKey(name), sanitize(name));
  }
}
