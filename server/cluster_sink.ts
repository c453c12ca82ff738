/**
 * The journal of a server in a cluster: what the server core writes to a
 * `--state` journal (sessions, their progress, names, away messages,
 * moderation) becomes operations for the shared store, so another server
 * can take a member's session over. Pure: operations are queued on the
 * cluster log and committed by the shell.
 * @module
 */

import type { ClusterLog } from "./cluster_log.ts";
import type { JournalSink, ServerCore } from "./core.ts";
import { type Moderation, moderationOf } from "./moderation.ts";

/** A journal sink that queues everything on `log`; `flushed` is told when there is something to commit. */
export function clusterSink(log: ClusterLog, flushed: () => void): JournalSink {
  return {
    member(id: number, token: Uint8Array, name: string, after: number) {
      const record = {
        id,
        name,
        srv: log.srv,
        kind: "native",
        next: 0,
        after,
        away: "",
      };
      log.push({ o: "member", record, token });
    },
    processed(id: number, next: number, pn?: number) {
      log.push({ o: "next", id, next, pn });
    },
    gone(id: number) {
      log.push({ o: "gone", id });
    },
    renamed(id: number, name: string) {
      log.push({ o: "name", id, name });
    },
    away(id: number, reason: string) {
      log.push({ o: "away", id, reason });
    },
    moderation(moderation: Moderation) {
      log.push({ o: "mod", moderation });
    },
    // Room events go through the cluster log itself (it is the room's log).
    event() {},
    flush() {
      if (log.pending) flushed();
    },
    wantsCompaction: false,
    compact() {},
  };
}

/**
 * Tell the store again who is on this server: after an outage it may have
 * lost everything (a Redis without persistence). Names, native sessions
 * (for takeovers) and, when the store has none, the room's moderation.
 */
export function registerAgain(
  core: ServerCore,
  log: ClusterLog,
  now: number,
  moderation: boolean,
): void {
  for (const member of core.chat.room.members()) {
    log.push({ o: "claim", key: member.key, id: member.id });
  }
  for (const m of core.native.members()) {
    const record = {
      id: m.id,
      name: m.name,
      srv: log.srv,
      kind: "native",
      next: m.next,
      after: m.joinedAfter ?? 0,
      away: m.away ?? "",
    };
    log.push({ o: "member", record, token: m.token });
    log.push({ o: "next", id: m.id, next: m.next, pn: m.pn });
  }
  if (moderation) {
    log.push({ o: "mod", moderation: moderationOf(core.chat, now) });
  }
}
