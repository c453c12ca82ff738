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
const NONCE = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);
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
  let attempts = 0;
  /** A JOIN as `name` from `from`, after the cookie round trip; a new nonce each time. */
  const join = (name: string, from = FROM, extra: Partial<JoinPacket> = {}) => {
    const cookie = new Uint8Array(COOKIE_BYTES);
    const first: JoinPacket = {
      type: "join",
      cookie,
      nonce: NONCE.map((b) => b + attempts++ * 16),
      name,
      ...extra,
    };
    admission.join(first, from, NOW, "plain");
    const issued = replies.at(-1)?.packet;
    assert.ok(issued?.type === "cookie");
    assert.deepEqual(issued.nonce, first.nonce);
    const second = { ...first, cookie: issued.cookie };
    admission.join(second, from, NOW, "plain");
    return { ...replies.at(-1)!, join: second };
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
    // With a passphrase, REFUSE (in the clear) says only the code.
    assert.deepEqual(refusal(setup({ salt: new Uint8Array(16) }), "bob"), [
      RefuseCode.passphrase,
      "",
    ]);
    const banned = setup();
    banned.chat.bans.ban("bob", undefined, NOW + 90_000);
    assert.deepEqual(refusal(banned, "bob"), [
      RefuseCode.banned,
      "You are banned from this room for 1m 30s more",
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
    t.admission.forged(new Uint8Array(100), FROM);
    assert.equal(t.replies.length, 0);
    const sealed = new Uint8Array(MIN_JOIN_BYTES + 32).fill(9);
    sealed.set(NONCE, sealed.byteLength - 8);
    t.admission.forged(sealed, FROM);
    // The nonce is sealed: the end of the datagram's tag stands in for it.
    assert.deepEqual(t.replies.map((r) => r.packet), [
      {
        type: "refuse",
        nonce: NONCE,
        code: RefuseCode.passphrase,
        reason: "Wrong passphrase",
      },
    ]);
    assert.equal(t.host.stats.drops.get("bad seal"), 2);
  },
});

Deno.test({
  name:
    "Admission echoes the JOIN's nonce and binds the cookie to it: another nonce gets a new cookie",
  permissions: "none",
  fn() {
    const t = setup();
    const { packet, join } = t.join("bob");
    assert.ok(packet.type === "welcome");
    assert.deepEqual(packet.nonce, join.nonce);
    const other = Uint8Array.of(8, 7, 6, 5, 4, 3, 2, 1);
    t.admission.join({ ...join, nonce: other }, FROM, NOW, "plain");
    const reply = t.replies.at(-1)!.packet;
    assert.ok(reply.type === "cookie");
    assert.deepEqual(reply.nonce, other);
    assert.equal(t.chat.room.size, 1);
  },
});

Deno.test({
  name:
    "Admission admits a JOIN's nonce once: a replay after the member left admits no ghost",
  permissions: "none",
  fn() {
    const t = setup();
    const { packet, join } = t.join("bob");
    assert.ok(packet.type === "welcome");
    const session = t.host.sessions.get(packet.sessionId)!;
    t.chat.remove(session.id, "left", "", NOW + 1000);
    t.host.sessions.forget(session);
    assert.equal(t.chat.room.size, 0);
    const before = t.replies.length;
    // The captured JOIN again, from the same address, its cookie still good.
    t.admission.join(join, FROM, NOW + 5000, "plain");
    assert.equal(t.replies.length, before);
    assert.equal(t.chat.room.size, 0);
    assert.equal(t.host.stats.drops.get("replayed join"), 1);
    // Once the cookie is stale the nonce is forgotten; the JOIN gets a cookie.
    t.admission.join(join, FROM, NOW + 31_000, "plain");
    assert.equal(t.replies.at(-1)!.packet.type, "cookie");
    assert.equal(t.chat.room.size, 0);
  },
});

Deno.test({
  name:
    "Admission answers a refused JOIN sent again with the same REFUSE, and never admits it later",
  permissions: "none",
  fn() {
    const t = setup();
    const alice = t.join("alice", { hostname: "10.0.0.2", port: 1 });
    assert.equal(alice.packet.type, "welcome");
    const { packet, join } = t.join("Alice");
    assert.ok(packet.type === "refuse" && packet.code === RefuseCode.taken);
    // The name is free again; the refused JOIN comes again (lost REFUSE, or a replay).
    assert.ok(alice.packet.type === "welcome");
    t.chat.remove(alice.packet.sessionId, "left", "", NOW);
    t.host.sessions.forget(t.host.sessions.get(alice.packet.sessionId)!);
    t.admission.join(join, FROM, NOW + 2000, "plain");
    assert.deepEqual(t.replies.at(-1)!.packet, packet);
    assert.equal(t.chat.room.size, 0);
  },
});

Deno.test({
  name:
    "Admission refuses new joins (throttled) while its used-nonce set is full",
  permissions: "none",
  fn() {
    const t = setup({ maxUsedNonces: 2 });
    const from = (port: number) => ({ hostname: "10.0.1.1", port });
    assert.equal(t.join("m0", from(100)).packet.type, "welcome");
    assert.equal(t.join("m1", from(101)).packet.type, "welcome");
    const { packet } = t.join("m2", from(102));
    assert.ok(packet.type === "refuse");
    assert.equal(packet.code, RefuseCode.throttled);
    assert.equal(t.host.stats.drops.get("join nonces full"), 1);
    assert.equal(t.chat.room.size, 2);
  },
});
