/**
 * Unit tests of the classic gateway (`L`/`C`/`Q` text protocol) with a fake
 * host around a real `Room`, and of `splitUtf8`/`render`. No sockets, no
 * clock: time is passed in.
 */

import assert from "node:assert/strict";
import { type Address, formatAddress } from "../protocol/address.ts";
import type { ServerEvent } from "../protocol/events.ts";
import {
  CLASSIC_LINE_BYTES,
  ClassicGateway,
  type ClassicHost,
  render,
  splitUtf8,
} from "./classic.ts";
import { type Delivery, Room } from "./room.ts";

const T = 1_764_000_000_000;
const MINUTE = 60_000;
const encoder = new TextEncoder();
const strict = new TextDecoder("utf-8", { fatal: true });

/** One datagram the gateway sent. */
interface Sent {
  to: string;
  bytes: Uint8Array;
  text: string;
}

/** A host that records everything and, like the core, hands deliveries back to the gateway. */
class FakeHost implements ClassicHost {
  room = new Room();
  sent: Sent[] = [];
  delivered: Delivery[] = [];
  logs: string[] = [];
  drops: string[] = [];
  joinsAllowed = true;
  gateway: ClassicGateway | undefined;

  deliver(deliveries: Delivery[], _now: number): void {
    this.delivered.push(...deliveries);
    for (const delivery of deliveries) this.gateway?.deliver(delivery);
  }

  send(bytes: Uint8Array, to: Address): void {
    this.sent.push({
      to: formatAddress(to),
      bytes,
      text: strict.decode(bytes),
    });
  }

  joinAllowed(_host: string, _now: number): boolean {
    return this.joinsAllowed;
  }

  banned(_name: string, _host: string, _now: number): string | undefined {
    return undefined;
  }

  log(text: string): void {
    this.logs.push(text);
  }

  drop(reason: string): void {
    this.drops.push(reason);
  }

  /** Texts sent to `address`, oldest first, forgetting them. */
  take(address: Address): string[] {
    const key = formatAddress(address);
    const mine = this.sent.filter((s) => s.to === key).map((s) => s.text);
    this.sent = this.sent.filter((s) => s.to !== key);
    return mine;
  }

  /** Events delivered to everyone (natives included), by kind. */
  broadcast(kind: ServerEvent["kind"]): ServerEvent[] {
    return this.delivered.filter((d) => d.to === "all" && d.event.kind === kind)
      .map((d) => d.event);
  }
}

function setup(
  timeoutMs = 30 * MINUTE,
  closed?: string,
): { host: FakeHost; gateway: ClassicGateway } {
  const host = new FakeHost();
  const gateway = new ClassicGateway(host, timeoutMs, closed);
  host.gateway = gateway;
  return { host, gateway };
}

function at(port: number): Address {
  return { hostname: "127.0.0.1", port };
}

const ALICE = at(5001);
const BOB = at(5002);
const CAROL = at(5003);

function send(
  gateway: ClassicGateway,
  text: string | Uint8Array,
  from: Address,
  now = T,
): void {
  gateway.receive(
    typeof text === "string" ? encoder.encode(text) : text,
    from,
    now,
  );
}

/** Log `name` in from `from` and forget the OK. */
function login(
  host: FakeHost,
  gateway: ClassicGateway,
  name: string,
  from: Address,
  now = T,
): void {
  send(gateway, `L ${name}`, from, now);
  assert.deepEqual(host.take(from), ["OK"], `login of ${name}`);
}

function byteLength(text: string): number {
  return encoder.encode(text).byteLength;
}

/** Thrown by `withSliceLimit` when a loop would never end. */
class RunawayLoop extends Error {}

/**
 * Run `fn`, failing fast instead of hanging once it has sliced more than
 * `limit` byte arrays (splitUtf8 slices once per piece).
 */
function withSliceLimit<T>(limit: number, fn: () => T): T {
  const slice = Uint8Array.prototype.slice;
  let calls = 0;
  Uint8Array.prototype.slice = function (
    this: Uint8Array,
    start?: number,
    end?: number,
  ) {
    if (++calls > limit) {
      throw new RunawayLoop(`Still looping after ${limit} slices`);
    }
    return slice.call(this, start, end);
  } as typeof slice;
  try {
    return fn();
  } finally {
    Uint8Array.prototype.slice = slice;
  }
}

Deno.test({
  name: "ClassicGateway L joins: OK to the client, 'joined' to everyone else",
  permissions: "none",
  fn() {
    const { host, gateway } = setup();
    host.room.join(1, "nat", T); // A native member.
    host.delivered = [];
    login(host, gateway, "alice", ALICE);
    assert.equal(gateway.size, 1);
    assert.equal(host.room.size, 2);
    assert.equal(host.room.find("alice")?.name, "alice");
    assert.ok(gateway.has(host.room.find("alice")!.id));
    assert.ok(!gateway.has(1));
    // The joiner's own welcome (members list) is not delivered anywhere.
    assert.deepEqual(host.delivered.map((d) => [d.to, d.event.kind]), [[
      "all",
      "joined",
    ]]);
    login(host, gateway, "bob", BOB);
    assert.deepEqual(host.take(ALICE), ["bob joined\n"]);
    assert.deepEqual(host.take(BOB), [], "no joined line about oneself");
    assert.ok(
      host.logs.some((l) => /^alice joined from 127\.0\.0\.1:5001/.test(l)),
    );
  },
});

Deno.test({
  name: "ClassicGateway accepts CRLF and LF line endings on L, C and Q",
  permissions: "none",
  fn() {
    const { host, gateway } = setup();
    send(gateway, "L alice\r\n", ALICE);
    assert.deepEqual(host.take(ALICE), ["OK"]);
    assert.equal(host.room.find("alice")?.name, "alice");
    send(gateway, "L bob\n", BOB);
    assert.deepEqual(host.take(BOB), ["OK"]);
    host.take(ALICE);
    send(gateway, "C bob hi there\r\n", BOB);
    assert.deepEqual(host.take(ALICE), ["bob: hi there\n"]);
    send(gateway, "Q bob\r\n", BOB);
    assert.deepEqual(host.take(BOB), ["EXIT"]);
    assert.deepEqual(host.take(ALICE), ["bob left\n"]);
  },
});

Deno.test({
  name: "ClassicGateway drops invalid UTF-8 and anything that is not L, C or Q",
  permissions: "none",
  fn() {
    const { host, gateway } = setup();
    const noise: Array<string | Uint8Array> = [
      Uint8Array.of(0x4c, 0x20, 0xff, 0xfe), // "L " then invalid UTF-8.
      Uint8Array.of(0x4c, 0x20, 0xc3), // "L " then a cut character.
      Uint8Array.of(0x4c, 0x20, 0xed, 0xa0, 0x80), // "L " then a surrogate.
      "",
      "L",
      "L ",
      "Lalice",
      "l alice",
      "X alice",
      " L alice",
      "\uFEFFL alice",
      "hello",
      "\r\n",
    ];
    for (const datagram of noise) send(gateway, datagram, ALICE);
    assert.deepEqual(host.sent, []);
    assert.equal(host.room.size, 0);
    assert.equal(gateway.size, 0);
    assert.equal(host.drops.length, noise.length);
    assert.ok(host.drops.every((r) => r === "not a classic command"));
  },
});

Deno.test({
  name:
    "ClassicGateway answers a taken or reserved name with the reason, cut to the request's size",
  permissions: "none",
  fn() {
    const { host, gateway } = setup();
    host.room.join(1, "alice", T);
    for (
      const [name, reason] of [
        ["alice", 'Name "alice" is taken'],
        ["ALICE", 'Name "ALICE" is taken'],
        ["admin", 'Name "admin" is reserved'],
        ["管理员", 'Name "管理员" is reserved'],
        ["x".repeat(33), "Name is longer than 32 characters"],
      ] as const
    ) {
      const request = `L ${name}`;
      send(gateway, request, BOB);
      const replies = host.take(BOB);
      assert.equal(replies.length, 1, name);
      const reply = replies[0]!;
      assert.ok(byteLength(reply) <= byteLength(request), `${name}: ${reply}`);
      assert.ok(reply.length > 0 && reason.startsWith(reply), reply);
    }
    // A request long enough gets the whole reason.
    send(gateway, `L ${"x".repeat(33)}`, BOB);
    assert.deepEqual(host.take(BOB), ["Name is longer than 32 characters"]);
    assert.equal(gateway.size, 0);
    assert.equal(host.room.size, 1);
  },
});

Deno.test({
  name:
    "ClassicGateway refuses logins past the join rate and past 1000 classic members",
  permissions: "none",
  fn() {
    const { host, gateway } = setup();
    host.joinsAllowed = false;
    send(gateway, "L alice-with-a-long-name", ALICE);
    assert.deepEqual(host.take(ALICE), ["Too many joins"]);
    host.joinsAllowed = true;
    for (let i = 0; i < 1000; i++) {
      send(gateway, `L m${i}`, at(10_000 + i));
    }
    assert.equal(gateway.size, 1000);
    host.sent = [];
    send(gateway, "L one-too-many-members", ALICE);
    assert.deepEqual(host.take(ALICE), ["The room is full"]);
    assert.equal(gateway.size, 1000);
  },
});

Deno.test({
  name:
    "ClassicGateway attributes C othername text to the name bound to the source address",
  permissions: "none",
  fn() {
    const { host, gateway } = setup();
    login(host, gateway, "alice", ALICE);
    login(host, gateway, "bob", BOB);
    host.take(ALICE);
    send(gateway, "C alice I am alice", BOB);
    assert.deepEqual(host.take(ALICE), ["bob: I am alice\n"]);
    assert.deepEqual(host.take(BOB), [], "no echo to the sender");
    assert.deepEqual(
      host.broadcast("chat").map((e) => e.kind === "chat" && e.from),
      ["bob"],
    );
    // Nor can it quit as someone else: Q alice from bob's address ends bob.
    send(gateway, "Q alice", BOB);
    assert.deepEqual(host.take(BOB), ["EXIT"]);
    assert.deepEqual(host.take(ALICE), ["bob left\n"]);
    assert.equal(host.room.find("alice")?.name, "alice");
    assert.equal(host.room.find("bob"), undefined);
  },
});

Deno.test({
  name:
    "ClassicGateway keeps spaces and hides line breaks in a classic member's text",
  permissions: "none",
  fn() {
    const { host, gateway } = setup();
    login(host, gateway, "alice", ALICE);
    login(host, gateway, "mallory", BOB);
    host.take(ALICE);
    send(gateway, "C mallory  two  spaces ", BOB);
    send(gateway, "C mallory hi\n[admin] fake", BOB);
    assert.deepEqual(host.take(ALICE), [
      "mallory:  two  spaces \n",
      "mallory: hi\u23CE[admin] fake\n",
    ]);
  },
});

Deno.test({
  name:
    "ClassicGateway answers C with no text with a notice to the sender only",
  permissions: "none",
  fn() {
    const { host, gateway } = setup();
    login(host, gateway, "alice", ALICE);
    login(host, gateway, "bob", BOB);
    host.take(ALICE);
    send(gateway, "C bob", BOB);
    assert.deepEqual(host.take(BOB), ["* Message is empty\n"]);
    assert.deepEqual(host.take(ALICE), []);
  },
});

Deno.test({
  name: "ClassicGateway answers C and Q from an unknown address with a hint",
  permissions: "none",
  fn() {
    const { host, gateway } = setup();
    send(gateway, "C nobody is anyone listening?", ALICE);
    assert.deepEqual(host.take(ALICE), ["Send L name first"]);
    // Cut to the request's size: never more bytes than were sent.
    send(gateway, "C x y", ALICE);
    assert.deepEqual(host.take(ALICE), ["Send "]);
    send(gateway, "Q nobody-at-all!!", ALICE);
    assert.deepEqual(host.take(ALICE), ["Send L name first"]);
    assert.equal(host.room.size, 0);
    assert.deepEqual(host.delivered, []);
  },
});

Deno.test({
  name: "ClassicGateway answers Q with EXIT and tells the others (natives too)",
  permissions: "none",
  fn() {
    const { host, gateway } = setup();
    host.room.join(1, "nat", T);
    login(host, gateway, "alice", ALICE);
    login(host, gateway, "bob", BOB);
    host.take(ALICE);
    host.delivered = [];
    send(gateway, "Q bob", BOB, T + 5);
    assert.deepEqual(host.take(BOB), ["EXIT"]);
    assert.deepEqual(host.take(ALICE), ["bob left\n"]);
    assert.deepEqual(host.broadcast("left"), [{
      kind: "left",
      id: host.room.lastId,
      time: T + 5,
      name: "bob",
      why: "left",
      reason: "",
    }]);
    assert.equal(gateway.size, 1);
    // Gone: the address is unknown again, and the name is free.
    send(gateway, "C bob still here?", BOB);
    assert.deepEqual(host.take(BOB), ["Send L name first"]);
    login(host, gateway, "bob", CAROL);
  },
});

Deno.test({
  name:
    "ClassicGateway answers a second L from the same address without joining again",
  permissions: "none",
  fn() {
    const { host, gateway } = setup();
    login(host, gateway, "alice", ALICE);
    host.delivered = [];
    send(gateway, "L alice", ALICE);
    assert.deepEqual(host.take(ALICE), ["OK"]);
    send(gateway, "L somebody-else-entirely", ALICE);
    assert.deepEqual(host.take(ALICE), ["Already joined as alice\n"]);
    send(gateway, "L bob", ALICE);
    assert.deepEqual(host.take(ALICE), ["Already joined as alice\n"]);
    assert.deepEqual(host.delivered, []);
    assert.equal(host.room.size, 1);
    assert.equal(host.room.find("bob"), undefined);
  },
});

Deno.test({
  name:
    "ClassicGateway.tick() drops a member silent past the timeout, telling the others",
  permissions: "none",
  fn() {
    const timeout = 5 * MINUTE;
    const { host, gateway } = setup(timeout);
    host.room.join(1, "nat", T);
    login(host, gateway, "alice", ALICE, T);
    login(host, gateway, "bob", BOB, T);
    host.take(ALICE);
    // Any command counts as a sign of life; noise does not.
    send(gateway, "C bob still here", BOB, T + timeout - 1000);
    send(gateway, "noise", ALICE, T + timeout - 500);
    host.sent = [];
    host.delivered = [];
    gateway.tick(T + timeout);
    assert.equal(gateway.size, 2, "exactly the timeout is not past it");
    gateway.tick(T + timeout + 1);
    assert.equal(gateway.size, 1);
    assert.equal(host.room.find("alice"), undefined);
    assert.deepEqual(host.take(BOB), ["alice timed out\n"]);
    assert.deepEqual(host.take(ALICE), [], "a timed-out member is not told");
    assert.deepEqual(
      host.broadcast("left").map((e) => e.kind === "left" && [e.name, e.why]),
      [["alice", "timeout"]],
    );
    assert.ok(host.logs.includes("alice timed out (classic)"));
    gateway.tick(T + timeout + 999);
    assert.equal(gateway.size, 1);
    gateway.tick(T + 2 * timeout - 1000 + 1);
    assert.equal(gateway.size, 0);
    send(gateway, "C alice back again", ALICE, T + 3 * timeout);
    assert.deepEqual(host.take(ALICE), ["Send L name first"]);
  },
});

Deno.test({
  name: "ClassicGateway refuses every login with the `closed` reason",
  permissions: "none",
  fn() {
    const reason = "Classic clients are turned off here";
    const { host, gateway } = setup(MINUTE, reason);
    send(gateway, "L alice", ALICE);
    assert.deepEqual(host.take(ALICE), ["Classic"]);
    send(gateway, `L ${"x".repeat(40)}`, ALICE);
    assert.deepEqual(host.take(ALICE), [reason]);
    assert.equal(gateway.size, 0);
    assert.equal(host.room.size, 0);
    assert.deepEqual(host.delivered, []);
    send(gateway, "C alice hello there, world", ALICE);
    assert.deepEqual(host.take(ALICE), ["Send L name first"]);
  },
});

Deno.test({
  name:
    "ClassicGateway.deliver() sends room events to classic members as lines",
  permissions: "none",
  fn() {
    const { host, gateway } = setup();
    host.room.join(1, "nat", T);
    login(host, gateway, "alice", ALICE);
    login(host, gateway, "bob", BOB);
    host.sent = [];
    host.deliver(host.room.say(1, "hello classic", T), T);
    host.deliver(host.room.admin("the room closes at five", T), T);
    for (const address of [ALICE, BOB]) {
      assert.deepEqual(host.take(address), [
        "nat: hello classic\n",
        "[admin] the room closes at five\n",
      ]);
    }
    // Events for one member reach only that member.
    const alice = host.room.find("alice")!.id;
    gateway.deliver({ to: alice, event: { kind: "notice", text: "psst" } });
    assert.deepEqual(host.take(ALICE), ["* psst\n"]);
    assert.deepEqual(host.take(BOB), []);
    // Events for a native member reach no classic member.
    gateway.deliver({ to: 1, event: { kind: "notice", text: "native" } });
    assert.deepEqual(host.sent, []);
  },
});

Deno.test({
  name:
    "ClassicGateway.remove() tells the member why and the others that it was kicked",
  permissions: "none",
  fn() {
    const { host, gateway } = setup();
    login(host, gateway, "alice", ALICE);
    login(host, gateway, "bob", BOB);
    host.take(ALICE);
    assert.equal(gateway.remove(1, "kicked", "", T), false);
    const bob = host.room.find("bob")!.id;
    assert.equal(gateway.remove(bob, "kicked", "be nice", T), true);
    assert.deepEqual(host.take(BOB), ["You were kicked: be nice\n"]);
    assert.deepEqual(host.take(ALICE), ["bob was kicked: be nice\n"]);
    assert.equal(gateway.size, 1);
  },
});

Deno.test({
  name:
    "ClassicGateway.remove() splits a long kick reason into datagrams of at most 128 bytes",
  permissions: "none",
  fn() {
    const { host, gateway } = setup();
    login(host, gateway, "bob", BOB);
    const reason = "you were told ".repeat(20).trim();
    gateway.remove(host.room.find("bob")!.id, "kicked", reason, T);
    const sent = host.sent.filter((s) => s.to === formatAddress(BOB));
    assert.equal(
      sent.map((s) => s.text).join(""),
      `You were kicked: ${reason}\n`,
    );
    for (const { bytes } of sent) {
      assert.ok(
        bytes.byteLength <= CLASSIC_LINE_BYTES,
        `a ${bytes.byteLength}-byte datagram to a classic client`,
      );
    }
  },
});

Deno.test({
  name:
    "ClassicGateway answers `L x` from an address bound to an emoji name, and returns",
  permissions: "none",
  fn() {
    // "Already joined as 😀" cut to the 3 bytes of "L x": splitUtf8(text, 3)
    // cannot fit the 4-byte emoji and never returns; the server's loop
    // freezes (one datagram takes the room down) and memory grows without
    // bound. The guard turns the hang into an exception.
    const { host, gateway } = setup();
    login(host, gateway, "😀", ALICE);
    try {
      withSliceLimit(10_000, () => send(gateway, "L x", ALICE));
    } catch (error) {
      if (error instanceof RunawayLoop) {
        assert.fail("receive(`L x`) never returns (an endless loop)");
      }
      throw error;
    }
    // The address is bound to a member: the answer goes whole.
    assert.deepEqual(host.take(ALICE), ["Already joined as 😀\n"]);
  },
});

Deno.test({
  name: "ClassicGateway answers `Q x` (a one-letter name) with EXIT",
  permissions: "none",
  fn() {
    const { host, gateway } = setup();
    login(host, gateway, "x", ALICE);
    send(gateway, "Q x", ALICE);
    assert.deepEqual(host.take(ALICE), ["EXIT"]);
  },
});

Deno.test({
  name:
    "ClassicGateway.receive() takes linear time on a datagram of line breaks",
  permissions: "none",
  fn() {
    // /[\r\n]+$/ retries from every position of a run of line breaks that
    // something else follows: 30,000 of them take about a second, a full
    // 65,507-byte datagram several seconds of the server's only thread.
    const { host, gateway } = setup();
    const datagram = encoder.encode("C x " + "\n".repeat(30_000) + "x");
    const started = performance.now();
    send(gateway, datagram, ALICE);
    const ms = performance.now() - started;
    assert.deepEqual(host.sent.map((s) => s.text), ["Send L name first"]);
    assert.ok(
      ms < 100,
      `one ${datagram.byteLength}-byte datagram took ${ms.toFixed(0)} ms`,
    );
  },
});

Deno.test({
  name: "render() turns events into the lines a classic client shows",
  permissions: "none",
  fn() {
    const text = (event: ServerEvent) =>
      render(event).map((bytes) => strict.decode(bytes)).join("");
    assert.equal(
      text({ kind: "chat", id: 1, time: T, from: "alice", text: "hi" }),
      "alice: hi\n",
    );
    assert.equal(
      text({ kind: "joined", id: 2, time: T, name: "bob" }),
      "bob joined\n",
    );
    assert.equal(
      text({
        kind: "left",
        id: 3,
        time: T,
        name: "bob",
        why: "timeout",
        reason: "",
      }),
      "bob timed out\n",
    );
    assert.equal(
      text({ kind: "admin", id: 4, time: T, text: "hello" }),
      "[admin] hello\n",
    );
    // A remote escape sequence never reaches a classic terminal.
    assert.equal(
      text({ kind: "chat", id: 5, time: T, from: "eve", text: "\x1b[2Jgone" }),
      "eve: \uFFFDgone\n",
    );
  },
});

Deno.test({
  name:
    "render() splits a long CJK and emoji line into ≤128-byte datagrams that join back exactly",
  permissions: "none",
  fn() {
    for (
      const body of [
        "你好世界".repeat(84), // 1008 bytes, 3 per character.
        "👋🏽🙂".repeat(84), // 4 bytes per code point.
        "a" + "😀".repeat(40), // Misaligned 4-byte characters.
        "é".repeat(300), // 2 bytes per character.
        "👨‍👩‍👧 ".repeat(60), // ZWJ sequences.
      ]
    ) {
      const line = `alice: ${body}\n`;
      const pieces = render({
        kind: "chat",
        id: 1,
        time: T,
        from: "alice",
        text: body,
      });
      assert.ok(pieces.length > 1);
      for (const piece of pieces) {
        assert.ok(piece.byteLength > 0);
        assert.ok(
          piece.byteLength <= CLASSIC_LINE_BYTES,
          `${piece.byteLength}`,
        );
        strict.decode(piece); // Each piece is whole characters.
      }
      assert.equal(pieces.map((p) => strict.decode(p)).join(""), line);
      // Each piece is as full as a character boundary allows.
      for (const piece of pieces.slice(0, -1)) {
        assert.ok(piece.byteLength > CLASSIC_LINE_BYTES - 4);
      }
    }
  },
});

Deno.test({
  name: "splitUtf8() never cuts a character and never exceeds max",
  permissions: "none",
  fn() {
    assert.deepEqual(splitUtf8("", 128), []);
    assert.deepEqual(splitUtf8("abc", 128).map((p) => strict.decode(p)), [
      "abc",
    ]);
    assert.deepEqual(splitUtf8("abcdefg", 3).map((p) => strict.decode(p)), [
      "abc",
      "def",
      "g",
    ]);
    assert.deepEqual(splitUtf8("a你好", 4).map((p) => strict.decode(p)), [
      "a你",
      "好",
    ]);
    assert.deepEqual(splitUtf8("😀😀", 7).map((p) => strict.decode(p)), [
      "😀",
      "😀",
    ]);
    const text = "mixed ascii, é, 你好, 😀 and 👩🏽‍💻 ".repeat(20);
    for (let max = 4; max <= 130; max++) {
      const pieces = splitUtf8(text, max);
      for (const piece of pieces) {
        assert.ok(piece.byteLength > 0 && piece.byteLength <= max, `${max}`);
        strict.decode(piece);
      }
      assert.equal(pieces.map((p) => strict.decode(p)).join(""), text);
    }
  },
});

Deno.test({
  name: "splitUtf8() returns when a character is wider than max",
  permissions: "none",
  fn() {
    let outcome: unknown;
    try {
      outcome = withSliceLimit(10_000, () => splitUtf8("ab😀", 3));
    } catch (error) {
      if (error instanceof RunawayLoop) {
        assert.fail('splitUtf8("ab😀", 3) loops forever on empty pieces');
      }
      outcome = error; // Throwing (a RangeError) would be a fair answer.
    }
    if (Array.isArray(outcome)) {
      for (const piece of outcome as Uint8Array[]) {
        assert.ok(piece.byteLength > 0 && piece.byteLength <= 3);
      }
    }
  },
});
