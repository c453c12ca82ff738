/**
 * Unit tests of the join handshake on its own, against a fake host: cookies,
 * admitting, a repeated JOIN, resuming, and each refusal.
 */

import assert from "node:assert/strict";
import { type Address, formatAddress } from "../protocol/address.ts";
import {
  COOKIE_BYTES,
  MIN_JOIN_BYTES,
  TOKEN_BYTES,
} from "../protocol/limits.ts";
import { Link } from "../protocol/link.ts";
import {
  type JoinPacket,
  type Packet,
  RefuseCode,
} from "../protocol/packet.ts";
import { decodePacket } from "../protocol/packet_decode.ts";
import { randomFill } from "../tests/_random.ts";
import { Admission, type AdmissionOptions } from "./admission.ts";
import { ChatCore, type ChatOptions } from "./chat.ts";
import { type Outbound } from "./port.ts";
import { Session, Sessions } from "./sessions.ts";

const NOW = 1_700_000_000_000;
const FROM: Address = { hostname: "10.0.0.1", port: 4000 };
const OPTIONS: AdmissionOptions = {
  heartbeatMs: 1000,
  timeoutMs: 10_000,
  cookieSecret: new Uint8Array(32),
};

/** An Admission before a real chat core, whose members' ports record what they get. */
function setup(
  options: Partial<AdmissionOptions> = {},
  rules: ChatOptions = {},
) {
  const replies: Array<{ packet: Packet; to: Address; limit: number }> = [];
  const delivered: Outbound[] = [];
  const resumed: number[] = [];
  const logged: string[] = [];
  const chat = new ChatCore({ maxMembers: 10, ...rules });
  const host = {
    chat,
    sessions: new Sessions(),
    stats: chat.stats,
    reply: (bytes: Uint8Array, to: Address, limit: number) =>
      replies.push({ packet: decodePacket(bytes), to, limit }),
    admit: (session: Session, name: string, now: number) =>
      chat.admit(session.id, name, session.address!.hostname, {
        kind: "native",
        deliver: (outbound: Outbound) => delivered.push(outbound),
        remove: () => {},
        describe: () => undefined,
      }, now),
    resumed: (session: Session) => resumed.push(session.id),
    log: (text: string) => logged.push(text),
    random: randomFill(7),
  };
  const admission = new Admission(host, { ...OPTIONS, ...options });
  /** A JOIN as `name` from `from`, after the cookie round trip. */
  const join = (name: string, from = FROM, extra: Partial<JoinPacket> = {}) => {
    const cookie = new Uint8Array(COOKIE_BYTES);
    const first: JoinPacket = { type: "join", cookie, name, ...extra };
    admission.join(first, from, NOW, "plain");
    const issued = replies.at(-1)?.packet;
    assert.ok(issued?.type === "cookie");
    admission.join({ ...first, cookie: issued.cookie }, from, NOW, "plain");
    return replies.at(-1)!;
  };
  return { admission, host, chat, replies, delivered, resumed, logged, join };
}

Deno.test({
  name: "Admission answers a JOIN with a cookie, then admits the member",
  permissions: "none",
  fn() {
    const t = setup();
    const { packet, to, limit } = t.join("bob");
    assert.ok(packet.type === "welcome" && !packet.resumed);
    assert.equal(packet.heartbeatMs, 1000);
    assert.equal(packet.timeoutMs, 10_000);
    assert.deepEqual([to, limit], [FROM, MIN_JOIN_BYTES]);
    assert.equal(t.chat.room.size, 1);
    const session = t.host.sessions.at(formatAddress(FROM));
    assert.equal(t.chat.nameOf(session!.id), "bob");
    assert.ok(packet.type === "welcome" && packet.sessionId === session!.id);
    assert.deepEqual(
      t.delivered.map((o) => o.event.kind),
      ["limits", "members"],
    );
    // The same JOIN again (the WELCOME was lost): the same session, no new member.
    const again = t.join("bob").packet;
    assert.ok(again.type === "welcome" && again.sessionId === packet.sessionId);
    assert.equal(t.chat.room.size, 1);
    assert.equal(t.host.sessions.size, 1);
  },
});

Deno.test({
  name: "Admission resumes a suspended session given its token",
  permissions: "none",
  fn() {
    const t = setup();
    const token = new Uint8Array(TOKEN_BYTES).fill(7);
    const link = new Link(3, token, NOW, { initialReceiveSeq: 5 });
    const session = new Session(3, token, link);
    session.suspendedUntil = NOW + 10_000;
    t.host.sessions.add(session);
    t.chat.room.restore([{ id: 3, name: "bob" }]);
    const resume = { sessionId: 3, token, lastSeen: 0 };
    const { packet } = t.join("bob", FROM, { resume });
    assert.ok(packet.type === "welcome" && packet.resumed);
    assert.equal(packet.resumeSeq, 5);
    assert.equal(packet.name, "bob");
    assert.equal(session.suspendedUntil, undefined);
    assert.deepEqual(t.logged, ["bob resumed from 10.0.0.1:4000"]);
    assert.deepEqual(t.resumed, [3]);
  },
});

Deno.test({
  name: "Admission refuses: no passphrase, banned, room full, too many joins",
  permissions: "none",
  fn() {
    const refusal = (t: ReturnType<typeof setup>, name: string) => {
      const { packet } = t.join(name);
      assert.ok(packet.type === "refuse");
      return [packet.code, packet.reason];
    };
    assert.deepEqual(refusal(setup({ salt: new Uint8Array(16) }), "bob"), [
      RefuseCode.passphrase,
      "This room needs a passphrase (join --passphrase)",
    ]);
    const banned = setup();
    banned.chat.bans.ban("bob", undefined, NOW + 90_000);
    assert.deepEqual(refusal(banned, "bob"), [
      RefuseCode.banned,
      "You are banned from this room for 2 more minutes",
    ]);
    const full = setup({}, { maxMembers: 1 });
    assert.equal(full.join("alice").packet.type, "welcome");
    assert.deepEqual(refusal(full, "bob"), [
      RefuseCode.full,
      "The room is full (1 members)",
    ]);
    const busy = setup({}, { joinRate: 1 });
    for (let i = 0; i < 4; i++) {
      const from = { hostname: FROM.hostname, port: 5000 + i };
      assert.equal(busy.join(`m${i}`, from).packet.type, "welcome");
    }
    assert.deepEqual(refusal(busy, "bob"), [
      RefuseCode.throttled,
      "Too many joins from your address; wait a moment",
    ]);
    assert.equal(busy.host.stats.drops.get("join throttled"), 1);
    // A refused member leaves no session behind.
    assert.equal(busy.host.sessions.size, 4);
  },
});

Deno.test({
  name:
    "Admission refuses a JOIN-sized forged datagram, only counts a small one",
  permissions: "none",
  fn() {
    const t = setup();
    t.admission.forged(100, FROM);
    assert.equal(t.replies.length, 0);
    t.admission.forged(MIN_JOIN_BYTES, FROM);
    assert.deepEqual(t.replies.map((r) => r.packet), [
      {
        type: "refuse",
        code: RefuseCode.passphrase,
        reason: "Wrong passphrase",
      },
    ]);
    assert.equal(t.host.stats.drops.get("bad seal"), 2);
  },
});
