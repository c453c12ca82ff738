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
  decodePacket,
  type JoinPacket,
  type Packet,
  RefuseCode,
} from "../protocol/packet.ts";
import { Admission, type AdmissionOptions } from "./admission.ts";
import { Bans } from "./bans.ts";
import { type Delivery, Room } from "./room.ts";
import { Sessions } from "./sessions.ts";
import { Stats } from "./stats.ts";

const NOW = 1_700_000_000_000;
const FROM: Address = { hostname: "10.0.0.1", port: 4000 };
const OPTIONS: AdmissionOptions = {
  heartbeatMs: 1000,
  timeoutMs: 10_000,
  maxMembers: 10,
  rate: 5,
  burst: 10,
  joinRate: 10,
  cookieSecret: new Uint8Array(32),
};

/** An Admission on a fake host that records what it is asked to do. */
function setup(options: Partial<AdmissionOptions> = {}) {
  const replies: Array<{ packet: Packet; to: Address; limit: number }> = [];
  const delivered: Delivery[] = [];
  const recorded: string[] = [];
  const logged: string[] = [];
  const host = {
    room: new Room(),
    sessions: new Sessions(),
    bans: new Bans(),
    stats: new Stats(),
    reply: (bytes: Uint8Array, to: Address, limit: number) =>
      replies.push({ packet: decodePacket(bytes), to, limit }),
    deliver: (deliveries: Delivery[]) => delivered.push(...deliveries),
    recordMember: (_id: number, _token: Uint8Array, name: string) =>
      recorded.push(name),
    log: (text: string) => logged.push(text),
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
  return { admission, host, replies, delivered, recorded, logged, join };
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
    assert.equal(t.host.room.size, 1);
    assert.equal(t.host.sessions.at(formatAddress(FROM))?.name, "bob");
    assert.deepEqual(t.recorded, ["bob"]);
    assert.deepEqual(t.logged, ["bob joined from 10.0.0.1:4000"]);
    assert.ok(t.delivered.length > 0);
    // The same JOIN again (the WELCOME was lost): the same session, no new member.
    const again = t.join("bob").packet;
    assert.ok(again.type === "welcome" && again.sessionId === packet.sessionId);
    assert.deepEqual(t.recorded, ["bob"]);
  },
});

Deno.test({
  name: "Admission resumes a suspended session given its token",
  permissions: "none",
  fn() {
    const t = setup();
    const token = new Uint8Array(TOKEN_BYTES).fill(7);
    const link = new Link(3, token, NOW, { initialReceiveSeq: 5 });
    const session = t.admission.newSession(3, token, "bob", link, NOW);
    session.suspendedUntil = NOW + 10_000;
    t.host.sessions.add(session);
    const resume = { sessionId: 3, token, lastSeen: 0 };
    const { packet } = t.join("bob", FROM, { resume });
    assert.ok(packet.type === "welcome" && packet.resumed);
    assert.equal(packet.resumeSeq, 5);
    assert.equal(session.suspendedUntil, undefined);
    assert.deepEqual(t.logged, ["bob resumed from 10.0.0.1:4000"]);
    assert.deepEqual(t.recorded, []);
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
    banned.host.bans.ban("bob", undefined, NOW + 90_000);
    assert.deepEqual(refusal(banned, "bob"), [
      RefuseCode.banned,
      "You are banned from this room for 2 more minutes",
    ]);
    const full = setup({ maxMembers: 1 });
    assert.equal(full.join("alice").packet.type, "welcome");
    assert.deepEqual(refusal(full, "bob"), [
      RefuseCode.full,
      "The room is full (1 members)",
    ]);
    const busy = setup({ joinRate: 1 });
    for (let i = 0; i < 4; i++) {
      const from = { hostname: FROM.hostname, port: 5000 + i };
      assert.equal(busy.join(`m${i}`, from).packet.type, "welcome");
    }
    assert.deepEqual(refusal(busy, "bob"), [
      RefuseCode.throttled,
      "Too many joins from your address; wait a moment",
    ]);
    assert.equal(busy.host.stats.drops.get("join throttled"), 1);
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
