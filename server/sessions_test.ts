import { ok, strictEqual } from "node:assert/strict";
import { Link } from "../protocol/link.ts";
import { MAX_FRAME_BODY } from "../protocol/packet.ts";
import { ROOM_RECEIVE_BUFFER_BYTES, Session, Sessions } from "./sessions.ts";

/** Session `id` at its own port, as admission adds it. */
function added(sessions: Sessions, id: number): Session {
  const token = new Uint8Array(16).fill(id);
  const session = new Session(id, token, new Link(id, token, 0));
  sessions.add(session);
  sessions.move(session, { hostname: "127.0.0.1", port: id }, `:${id}`);
  return session;
}

/** Frames 1..1023 and never frame 0, as the attack sends them. */
function attack(session: Session): void {
  const body = new Uint8Array(MAX_FRAME_BODY);
  for (let seq = 1; seq <= 1023; seq++) {
    session.link.channel.receive(seq, body, 0);
  }
}

Deno.test({
  name:
    "Sessions cap what every session buffers out of order together, and forget() gives a session's bytes back",
  permissions: "none",
  fn() {
    strictEqual(ROOM_RECEIVE_BUFFER_BYTES, 64 * 1024 * 1024);
    const sessions = new Sessions(256 * 1024);
    const all = Array.from({ length: 6 }, (_, i) => added(sessions, i + 1));
    all.forEach(attack);
    const used = sessions.budget.usedBytes;
    ok(used <= 256 * 1024, `${used} bytes buffered`);
    ok(used > 192 * 1024, `${used} bytes buffered`);
    strictEqual(all[5]!.link.channel.bufferedBytes, 0);
    // The capped session still takes its next frame.
    strictEqual(
      all[5]!.link.channel.receive(0, new Uint8Array(9), 0).length,
      1,
    );
    const first = all[0]!.link.channel.bufferedBytes;
    sessions.forget(all[0]!);
    strictEqual(all[0]!.link.channel.bufferedBytes, 0);
    strictEqual(sessions.budget.usedBytes, used - first);
    for (const session of all.slice(1)) sessions.forget(session);
    strictEqual(sessions.budget.usedBytes, 0);
  },
});

Deno.test({
  name:
    "Session.link replaced on resume gives the old link's buffered bytes back and charges the new one",
  permissions: "none",
  fn() {
    const sessions = new Sessions();
    const session = added(sessions, 7);
    attack(session);
    ok(sessions.budget.usedBytes > 0);
    session.link = new Link(7, session.token, 1, { initialReceiveSeq: 0 });
    strictEqual(sessions.budget.usedBytes, 0);
    attack(session);
    strictEqual(
      sessions.budget.usedBytes,
      session.link.channel.bufferedBytes,
    );
  },
});
