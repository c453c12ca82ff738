/**
 * What a server of a cluster does when the room's store answers: a commit
 * taken (names decided, requests now safe to acknowledge), a room event's
 * turn come (to this server's members), a control record (moderation, a
 * takeover elsewhere, a kick). Pure: the shell (`cluster_shell.ts`) calls
 * these with the core and the time.
 * @module
 */

import type { ClusterLog } from "./cluster_log.ts";
import type { Control, Op } from "./cluster_ops.ts";
import type { ServerCore } from "./core.ts";
import type { Logger } from "./log.ts";
import type { LogEntry } from "./room_log.ts";

/** The store took `ops` with `answers`: names are decided, requests may be acknowledged. */
export function committed(
  core: ServerCore,
  log: ClusterLog,
  ops: readonly Op[],
  answers: readonly unknown[],
  now: number,
): void {
  ops.forEach((op, i) => {
    const answer = answers[i];
    if (op.o === "claim") {
      // A retried batch answers nothing: ask again (a claim is idempotent).
      if (answer === null || answer === undefined) log.push(op);
      else log.claimed(op.key, op.id, answer === 1, now);
    } else if (op.o === "next") {
      core.native.sessions.get(op.id)?.link.commit(op.next, now);
    }
  });
}

/** A room event's turn has come: to this server's members. */
export function delivered(
  core: ServerCore,
  entry: LogEntry,
  now: number,
): void {
  const { event } = entry;
  // Its own leave while still here: another server announced it timed
  // out (this server could not reach the store for too long).
  if (
    event.kind === "left" && entry.to === "all" &&
    entry.except !== undefined && core.chat.has(entry.except)
  ) {
    core.chat.timedOutElsewhere(entry.except, event.reason, now);
  }
  core.chat.deliverLogged(entry, now);
}

/** A control record of server `srv` came in the room's order. */
export function controlled(
  core: ServerCore,
  log: ClusterLog,
  control: Control,
  srv: string,
  logger: Logger,
  now = Date.now(),
): void {
  switch (control.t) {
    case "mod":
      if (srv !== log.srv) core.adoptModeration(control.moderation, now);
      return;
    case "moved": {
      if (control.to === log.srv) return;
      const member = core.chat.room.get(control.id);
      if (member === undefined) return;
      logger("info", `${member.name} moved to another server`);
      core.release(control.id);
      log.moved(member, control.to);
      return;
    }
    case "kick":
      if (core.chat.has(control.id)) {
        core.chat.remove(control.id, control.why, control.reason, now);
      }
      return;
    default: {
      const _exhaustive: never = control;
      throw new TypeError(`Unknown control ${_exhaustive}`);
    }
  }
}
