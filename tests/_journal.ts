/**
 * A stand-in for the server's journal in pure tests: it keeps what was
 * flushed as the text of a file, which `journaled` replays into a new
 * server core, as a restart with `--state` does.
 * @module
 */

import {
  type JournalSink,
  ServerCore,
  type ServerOptions,
} from "../server/core.ts";
import { replay, toEntry } from "../server/journal.ts";
import { toRoomEntry } from "../server/journal_entry.ts";
import type { Moderation } from "../server/moderation.ts";
import type { LogEntry } from "../server/room_log.ts";
import { SECRET } from "./_loopback.ts";

/** A journal that keeps what was flushed as the text of a file. */
export class FakeJournal implements JournalSink {
  text = "";
  #batch = "";
  member(id: number, token: Uint8Array, name: string, after = 0): void {
    const hex = Array.from(token, (b) => b.toString(16).padStart(2, "0"));
    this.#add({ t: "member", id, token: hex.join(""), name, after });
  }
  renamed(id: number, name: string): void {
    this.#add({ t: "name", id, name });
  }
  away(id: number, reason: string): void {
    this.#add({ t: "away", id, reason });
  }
  moderation(moderation: Moderation): void {
    this.#add(toRoomEntry(moderation));
  }
  processed(id: number, next: number, pn?: number): void {
    this.#add(
      pn === undefined ? { t: "next", id, next } : { t: "next", id, next, pn },
    );
  }
  gone(id: number): void {
    this.#add({ t: "gone", id });
  }
  event(entry: LogEntry): void {
    this.#add(toEntry(entry));
  }
  flush(): void {
    this.text += this.#batch;
    this.#batch = "";
  }
  get wantsCompaction(): boolean {
    return false;
  }
  compact(): void {}
  #add(entry: unknown): void {
    this.#batch += JSON.stringify(entry) + "\n";
  }
}

/** A server core writing to `journal`, started at `now` from `text` (a journal file), with `options`. */
export function journaled(
  journal: FakeJournal,
  now: number,
  text = "",
  options: ServerOptions = {},
): ServerCore {
  const restored = replay(text, 1024);
  return new ServerCore(
    { cookieSecret: SECRET, timeoutMs: 3000, ...options },
    () => {},
    { sink: journal, restored, now },
  );
}
