/**
 * Unit tests of a member given several servers: ClientCores behind their
 * `ServerOnly` shells and two real ServerCores (two rooms that share
 * nothing, as two ordinary servers) on an in-memory network with a fake
 * clock. A server is killed by no longer delivering to or from it.
 */

import assert from "node:assert/strict";
import type { Address } from "../protocol/address.ts";
import type { ServerEvent } from "../protocol/events.ts";
import { ServerCore } from "../server/core.ts";
import { SECRET, STEP_MS } from "../tests/_loopback.ts";
import { randomFill } from "../tests/_random.ts";
import { ServerOnly } from "./client.ts";
import { ClientCore } from "./core.ts";
import type { ClientNotice } from "./notices.ts";

const A = { hostname: "10.0.1.1", port: 1 };
const B = { hostname: "10.0.1.2", port: 2 };

/** A member: its core behind its shell, and every notice it reported. */
interface Member {
  address: Address;
  core: ClientCore;
  shell: ServerOnly;
  notices: ClientNotice[];
}

/** Servers at A and B and their members, stepped together. */
class Rooms {
  now = 0;
  readonly servers = new Map<string, ServerCore>();
  readonly alive = new Set<string>();
  readonly members: Member[] = [];
  /** Every datagram a server sent: from, to, bytes. */
  readonly sent: Array<{ from: Address; to: Address; bytes: Uint8Array }> = [];
  #buffer = new Uint8Array(2048);

  constructor(addresses: Address[]) {
    for (const address of addresses) {
      this.servers.set(key(address), new ServerCore({ cookieSecret: SECRET }));
      this.alive.add(key(address));
    }
  }

  /** A member with `servers`, starting to join as `name`. */
  add(name: string, servers: Address[]): Member {
    const i = this.members.length;
    const address = { hostname: `10.0.0.${i + 1}`, port: 1000 + i };
    const core = new ClientCore(randomFill(0x20 + i), { servers });
    const notices: ClientNotice[] = [];
    const shell = new ServerOnly(core, (n) => notices.push(n));
    const member = { address, core, shell, notices };
    this.members.push(member);
    core.join(name, this.now);
    return member;
  }

  /** Advance until `done()` holds; fails after `limitMs`. */
  until(done: () => boolean, limitMs: number): void {
    const limit = this.now + limitMs;
    while (!done()) {
      if (this.now >= limit) assert.fail(`Not done after ${limitMs} ms`);
      this.step();
    }
  }

  step(): void {
    this.now += STEP_MS;
    for (const member of this.members) {
      member.shell.tick(this.now);
      for (let out; (out = member.shell.poll(this.#buffer, this.now));) {
        if (!this.alive.has(key(out.to))) continue;
        this.servers.get(key(out.to))!.receive(
          out.bytes.slice(),
          member.address,
          this.now,
        );
      }
    }
    for (const [at, server] of this.servers) {
      if (!this.alive.has(at)) continue;
      server.tick(this.now);
      const from = [A, B].find((a) => key(a) === at)!;
      for (let out; (out = server.poll(this.#buffer, this.now));) {
        const to = out.to;
        const bytes = out.bytes.slice();
        this.sent.push({ from, to, bytes });
        const member = this.members.find((m) => key(m.address) === key(to));
        member?.shell.receive(bytes, from, this.now, "plain");
      }
    }
  }
}

function key(address: Address): string {
  return `${address.hostname}:${address.port}`;
}

function events(member: Member, kind: ServerEvent["kind"]): ServerEvent[] {
  return member.notices.flatMap((n) =>
    n.type === "event" && n.event.kind === kind ? [n.event] : []
  );
}

function chats(member: Member, from: string): string[] {
  return events(member, "chat").flatMap((e) =>
    e.kind === "chat" && e.from === from ? [e.text] : []
  );
}

Deno.test({
  name:
    "ClientCore resumes at the next server within 5 s when its server goes silent, and chats there",
  permissions: "none",
  fn() {
    const rooms = new Rooms([A, B]);
    const bob = rooms.add("bob", [B]);
    rooms.until(() => bob.core.state === "joined", 1000);
    const alice = rooms.add("alice", [A, B]);
    rooms.until(() => alice.core.state === "joined", 1000);
    // More room events on A than B will have: B's ids must not be taken
    // for ones alice has shown.
    const carol = rooms.add("carol", [A]);
    rooms.until(() => carol.core.state === "joined", 1000);
    for (let i = 0; i < 5; i++) carol.core.say(`line ${i}`, rooms.now);
    alice.core.say("one", rooms.now);
    rooms.until(
      () =>
        chats(alice, "carol").length === 5 &&
        alice.notices.some((n) => n.type === "delivered"),
      2000,
    );
    rooms.alive.delete(key(A));
    const killed = rooms.now;
    rooms.until(() => alice.notices.some((n) => n.type === "server"), 5000);
    assert.ok(rooms.now - killed <= 5000, `${rooms.now - killed} ms`);
    assert.deepEqual(alice.core.server, B);
    const since = alice.notices.findIndex((n) => n.type === "server");
    assert.deepEqual(alice.notices.slice(since, since + 2), [
      { type: "server", address: "10.0.1.2:2" },
      { type: "welcome", name: "alice", how: "rejoined" },
    ]);
    rooms.until(
      () =>
        events(bob, "joined").some((e) => "name" in e && e.name === "alice"),
      500,
    );
    bob.core.say("hi alice", rooms.now);
    alice.core.say("hi bob", rooms.now);
    rooms.until(
      () =>
        chats(alice, "bob").includes("hi alice") &&
        chats(bob, "alice").includes("hi bob"),
      2000,
    );
    assert.equal(alice.notices.filter((n) => n.type === "server").length, 1);
    assert.equal(events(alice, "left").length, 0);
  },
});

Deno.test({
  name:
    "ClientCore joins the second server when the first does not answer, naming none",
  permissions: "none",
  fn() {
    const rooms = new Rooms([A, B]);
    rooms.alive.delete(key(A));
    const alice = rooms.add("alice", [A, B]);
    rooms.until(() => alice.core.state === "joined", 2500);
    assert.ok(rooms.now >= 1500, `joined at ${rooms.now} ms`);
    assert.deepEqual(alice.core.server, B);
    assert.equal(alice.notices.some((n) => n.type === "server"), false);
    assert.deepEqual(alice.notices.find((n) => n.type === "welcome"), {
      type: "welcome",
      name: "alice",
      how: "joined",
    });
  },
});

Deno.test({
  name:
    "ClientCore with one server stays on it through a silence that moves a member with several",
  permissions: "none",
  fn() {
    const rooms = new Rooms([A, B]);
    const one = rooms.add("one", [A]);
    const two = rooms.add("two", [A, B]);
    rooms.until(() => two.core.state === "joined", 1000);
    rooms.alive.delete(key(A));
    rooms.until(() => two.core.state === "joining", 2500);
    assert.equal(one.core.state, "joined");
    rooms.until(() => two.core.state === "joined", 2500);
    assert.deepEqual(two.core.server, B);
    assert.equal(one.core.state, "joined");
    assert.deepEqual(one.core.server, A);
  },
});

Deno.test({
  name: "ClientCore takes a REFUSE as final and tries no other server",
  permissions: "none",
  fn() {
    const rooms = new Rooms([A, B]);
    const first = rooms.add("alice", [A]);
    rooms.until(() => first.core.state === "joined", 1000);
    const again = rooms.add("alice", [A, B]);
    rooms.until(() => again.core.state === "idle", 1000);
    for (let i = 0; i < 1000; i++) rooms.step();
    assert.deepEqual(again.core.server, A);
    assert.equal(again.core.state, "idle");
    assert.equal(rooms.servers.get(key(B))!.memberCount, 0);
    assert.equal(again.notices.filter((n) => n.type === "refused").length, 1);
  },
});

Deno.test({
  name: "ServerOnly drops and counts datagrams from a server the member left",
  permissions: "none",
  fn() {
    const rooms = new Rooms([A, B]);
    const alice = rooms.add("alice", [A, B]);
    rooms.until(() => alice.core.state === "joined", 1000);
    const fromA = rooms.sent.filter((d) => key(d.from) === key(A)).at(-1)!;
    rooms.alive.delete(key(A));
    rooms.until(() => alice.notices.some((n) => n.type === "server"), 5000);
    const before = alice.shell.dropped;
    const notices = alice.notices.length;
    alice.shell.receive(fromA.bytes, A, rooms.now, "plain");
    assert.equal(alice.shell.dropped, before + 1);
    assert.equal(alice.notices.length, notices);
    assert.equal(alice.core.state, "joined");
  },
});
