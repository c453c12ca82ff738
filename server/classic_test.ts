/**
 * Unit tests of the classic engine (`L`/`C`/`Q` text protocol) through a
 * real `ServerCore`: text datagrams in, every datagram out collected by
 * address, on a fake clock. No sockets, no sleeping.
 */

import assert from "node:assert/strict";
import { type Address, formatAddress } from "../protocol/address.ts";
import type { ServerEvent } from "../protocol/events.ts";
import { EN, ZH } from "../wording/i18n.ts";
import { randomFill } from "../tests/_random.ts";
import {
  CLASSIC_LINE_BYTES,
  datagramsOf,
  render,
  splitUtf8,
} from "./classic_lines.ts";
import { runConsole } from "./commands.ts";
import { ServerCore, type ServerOptions } from "./core.ts";

const T = 1_700_000_000_000;
const encoder = new TextEncoder();
const strict = new TextDecoder("utf-8", { fatal: true });

/** A server core fed classic datagrams; what it sends is kept per address. */
class Room {
  now = T;
  readonly server: ServerCore;
  #inbox = new Map<string, string[]>();
  #into = new Uint8Array(2048);

  constructor(options: ServerOptions = {}) {
    this.server = new ServerCore({
      cookieSecret: new Uint8Array(32),
      random: randomFill(1),
      ...options,
    });
  }

  /** Send `text` (or bytes) from `from`, then collect the answers. */
  send(text: string | Uint8Array, from: Address): void {
    const bytes = typeof text === "string" ? encoder.encode(text) : text;
    this.server.receive(bytes, from, this.now);
    this.#collect();
  }

  /** Let `ms` pass in ticks of 10 ms. */
  wait(ms: number): void {
    for (const end = this.now + ms; this.now < end;) {
      this.now += 10;
      this.server.tick(this.now);
      this.#collect();
    }
  }

  /** Everything sent to `address` since the last take. */
  take(address: Address): string[] {
    const key = formatAddress(address);
    const got = this.#inbox.get(key) ?? [];
    this.#inbox.delete(key);
    return got;
  }

  /** Join as `name` from `from`, expecting OK; clears the inbox. */
  login(name: string, from: Address): void {
    this.send(`L ${name}`, from);
    assert.deepEqual(this.take(from), ["OK"]);
  }

  #collect(): void {
    for (;;) {
      const out = this.server.poll(this.#into, this.now);
      if (out === undefined) return;
      const key = formatAddress(out.to);
      const list = this.#inbox.get(key) ?? [];
      list.push(strict.decode(out.bytes));
      this.#inbox.set(key, list);
    }
  }
}

const at = (port: number): Address => ({ hostname: "10.0.0.1", port });
const ALICE = at(5001);
const BOB = at(5002);
const CAROL = at(5003);

Deno.test({
  name:
    "ClassicEngine: L answers OK, C reaches the others as a line starting with a newline, Q answers EXIT",
  permissions: "none",
  fn() {
    const room = new Room();
    room.login("alice", ALICE);
    room.login("bob", BOB);
    assert.deepEqual(room.take(ALICE), ["\nbob joined"]);
    room.send("C bob hi there\r\n", BOB);
    assert.deepEqual(room.take(ALICE), ["\nbob: hi there"]);
    assert.deepEqual(room.take(BOB), []);
    room.send("Q bob\n", BOB);
    assert.deepEqual(room.take(BOB), ["EXIT"]);
    assert.deepEqual(room.take(ALICE), ["\nbob left"]);
    assert.equal(room.server.chat.count("classic"), 1);
  },
});

Deno.test({
  name: "ClassicEngine speaks Chinese with lang zh, like the classic app",
  permissions: "none",
  fn() {
    const room = new Room({ lang: "zh" });
    room.login("小红", ALICE);
    room.login("小明", BOB);
    room.send("C 小明 你好", BOB);
    room.server.admin("大家好", room.now);
    room.send("Q 小明", BOB);
    assert.equal(
      room.take(ALICE).join(""),
      "\n小明进入了聊天室\n小明说: 你好\n管理员说: 大家好\n小明退出了聊天室",
    );
    room.send("L 小红", CAROL);
    assert.deepEqual(room.take(CAROL), ["该用户已存在"]);
  },
});

Deno.test({
  name:
    "ClassicEngine refuses a name with the longest wording that fits 3× the request, whole",
  permissions: "none",
  fn() {
    const room = new Room();
    room.login("alice", ALICE);
    const cases: Array<[string, string]> = [
      ["L alice", '"alice" is taken'],
      ["L alice                    ", 'Name "alice" is taken; try another'],
      ["L admin", "Invalid name"],
    ];
    for (const [request, reply] of cases) {
      room.send(request, BOB);
      const [got] = room.take(BOB);
      assert.equal(got, reply);
      assert.ok(encoder.encode(got).byteLength <= 3 * request.length);
    }
    room.send("C x hi", CAROL);
    assert.deepEqual(room.take(CAROL), ["Send L name first"]);
    room.send("Q x", CAROL);
    assert.deepEqual(room.take(CAROL), ["EXIT"]);
  },
});

Deno.test({
  name: "ClassicEngine drops invalid UTF-8 and anything that is not L, C or Q",
  permissions: "none",
  fn() {
    const room = new Room();
    const noise = ["", "L", "Lalice", "X alice", "l alice", "C", "hello"];
    for (const text of noise) room.send(text, ALICE);
    room.send(new Uint8Array([0x4c, 0x20, 0xff, 0xfe]), ALICE);
    assert.deepEqual(room.take(ALICE), []);
    assert.equal(room.server.chat.count(), 0);
    assert.equal(room.server.stats.drops.get("not a classic command"), 8);
  },
});

Deno.test({
  name:
    "ClassicEngine attributes C othername text to the name bound to the address",
  permissions: "none",
  fn() {
    const room = new Room();
    room.login("alice", ALICE);
    room.login("mallory", BOB);
    room.take(ALICE);
    room.send("C alice I am alice", BOB);
    room.send("C mallory hi\n[admin] fake", BOB);
    assert.deepEqual(room.take(ALICE), [
      "\nmallory: I am alice",
      "\nmallory: hi\u23CE[admin] fake",
    ]);
    room.send("Q alice", BOB);
    assert.equal(room.server.chat.room.find("alice")?.name, "alice");
  },
});

Deno.test({
  name:
    "ClassicEngine treats a line starting with / as a command, never as chat",
  permissions: "none",
  fn() {
    const room = new Room();
    room.login("alice", ALICE);
    room.login("bob", BOB);
    room.take(ALICE);
    // Answers are paid from 3× what came from the address: a fresh member
    // gets the names that fit, one that has talked gets the table.
    room.send("C bob /who", BOB);
    assert.deepEqual(room.take(BOB), ["\n2 here: alice, bob"]);
    room.send(`C bob ${"w".repeat(300)}`, BOB);
    room.send("C bob /who", BOB);
    const who = room.take(BOB).join("");
    assert.match(who, /^\n2 members here:/);
    assert.match(who, /alice/);
    room.take(ALICE);
    room.send("C bob /msg alice psst", BOB);
    room.send("C bob //not a command", BOB);
    room.send("C bob /frobnicate", BOB);
    room.send("C bob /me waves", BOB);
    assert.deepEqual(room.take(ALICE), [
      "\n[private] bob: psst",
      "\nbob: /not a command",
      "\n* bob waves",
    ]);
    const told = room.take(BOB).join("");
    assert.match(told, /Unknown command \/frobnicate/);
    // Its private line shows once the server carried it out, as sent.
    assert.match(told, /\n\[private\] → alice: psst/);
    room.send("C bob /quit off to lunch", BOB);
    assert.deepEqual(room.take(BOB), ["EXIT"]);
    assert.deepEqual(room.take(ALICE), ["\nbob left (off to lunch)"]);
  },
});

Deno.test({
  name: "ClassicEngine: /nick to a banned name is refused, as for every member",
  permissions: "none",
  fn() {
    const room = new Room();
    room.login("alice", ALICE);
    room.login("bob", BOB);
    room.take(ALICE);
    room.take(BOB);
    room.server.chat.bans.ban("mallory", undefined, Infinity);
    room.send("C bob /nick mallory", BOB);
    assert.deepEqual(room.take(BOB), [
      '\n* The name "mallory" is banned from this room',
    ]);
    assert.deepEqual(room.take(ALICE), []);
  },
});

Deno.test({
  name:
    "ClassicEngine tells kicked, banned and timed-out members why, then EXIT",
  permissions: "none",
  fn() {
    const room = new Room({ classicTimeoutMs: 10_000 });
    room.login("alice", ALICE);
    room.login("bob", BOB);
    room.login("carol", CAROL);
    room.take(BOB);
    runConsole(room.server, "/kick bob spamming", room.now);
    runConsole(room.server, "/ban carol", room.now);
    room.wait(10);
    assert.deepEqual(room.take(BOB), ["\nYou were kicked: spamming", "EXIT"]);
    assert.deepEqual(room.take(CAROL), [
      "\nbob was kicked: spamming\nYou are banned",
      "EXIT",
    ]);
    room.wait(8_100);
    assert.deepEqual(room.take(ALICE).slice(-1), [
      "\nYou will be dropped in 1 minute unless you send something",
    ]);
    room.wait(2_000);
    assert.deepEqual(room.take(ALICE), ["\nYou timed out", "EXIT"]);
    assert.equal(room.server.chat.count(), 0);
  },
});

Deno.test({
  name:
    "ClassicEngine: shutdown sends every classic member the reason and EXIT before draining",
  permissions: "none",
  fn() {
    const room = new Room();
    room.login("alice", ALICE);
    room.server.shutdown("maintenance", room.now);
    assert.equal(room.server.drained, false);
    room.wait(10);
    assert.deepEqual(room.take(ALICE), [
      "\nThe server is closing: maintenance",
      "EXIT",
    ]);
    assert.equal(room.server.drained, true);
  },
});

Deno.test({
  name:
    "ClassicEngine: a restart tells every classic member to join again, then EXIT (it cannot resume)",
  permissions: "none",
  fn() {
    const room = new Room();
    room.login("alice", ALICE);
    room.server.shutdown("maintenance", room.now, true);
    room.wait(10);
    assert.deepEqual(room.take(ALICE), [
      "\nServer is restarting: maintenance; join again in a moment",
      "EXIT",
    ]);
    assert.equal(room.server.chat.count(), 0);
    assert.equal(room.server.drained, true);
  },
});

Deno.test({
  name:
    "ClassicEngine holds a classic paste like a native one, kicks a flood, answers its Qs with EXIT",
  permissions: "none",
  fn() {
    const room = new Room({ rate: 5, burst: 10 });
    room.login("alice", ALICE);
    room.login("flood", BOB);
    room.take(ALICE);
    for (let i = 0; i < 21; i++) room.send(`C flood ${i}`, BOB);
    assert.equal(room.take(ALICE).length, 10);
    assert.match(room.take(BOB).join(""), /Slow down/);
    room.wait(1000);
    assert.deepEqual(
      room.take(ALICE),
      [10, 11, 12, 13, 14].map((i) => `\nflood: ${i}`),
    );
    for (let i = 0; i < 520; i++) room.send(`C flood more ${i}`, BOB);
    const got = room.take(BOB);
    const kicked = got.findIndex((d) =>
      d.endsWith("\nYou were kicked: flooding")
    );
    assert.ok(kicked >= 0, JSON.stringify(got.slice(-5)));
    assert.equal(got[kicked + 1], "EXIT");
    // Once out, its next lines are answered as from a stranger.
    assert.ok(got.slice(kicked + 2).every((l) => l === "Send L name first"));
    assert.match(room.take(ALICE).at(-1)!, /flood was kicked: flooding/);
  },
});

Deno.test({
  name: "ClassicEngine refuses every login when closed, in the fitting wording",
  permissions: "none",
  fn() {
    const off = new Room({ classic: false });
    off.send("L alice-the-great", ALICE);
    assert.deepEqual(off.take(ALICE), ["Classic clients are turned off here"]);
    const sealed = new Room({ salt: new Uint8Array(16) });
    sealed.send("L alice", ALICE);
    assert.deepEqual(sealed.take(ALICE), ["Passphrase room"]);
  },
});

Deno.test({
  name:
    "ClassicEngine answers a second L from a bound address without joining again",
  permissions: "none",
  fn() {
    const room = new Room();
    room.login("alice", ALICE);
    room.send("L alice", ALICE);
    assert.deepEqual(room.take(ALICE), ["OK"]);
    room.send("L x", ALICE);
    assert.deepEqual(room.take(ALICE), ["\nAlready joined as alice"]);
    assert.equal(room.server.chat.count(), 1);
  },
});

Deno.test({
  name:
    "render() words events for a classic client, one datagram a line up to 1024 bytes",
  permissions: "none",
  fn() {
    const text = (event: ServerEvent, zh = false) =>
      render(event, zh ? ZH : EN).map((b) => strict.decode(b));
    const chat = {
      kind: "chat",
      id: 1,
      time: T,
      from: "a",
      text: "hi",
    } as const;
    assert.deepEqual(render(chat, ZH).map((b) => strict.decode(b)), [
      "\na说: hi",
    ]);
    assert.deepEqual(
      text({ kind: "limits", burst: 1, perSecond: 1 }, true),
      [],
    );
    const long = "x".repeat(CLASSIC_LINE_BYTES - "\na说: ".length - 2);
    assert.deepEqual(render({ ...chat, text: long }, ZH).length, 1);
    const cjk = "汉字🙂".repeat(400);
    const pieces = render({ ...chat, text: cjk }, ZH);
    assert.ok(pieces.length > 1);
    for (const piece of pieces) {
      assert.ok(piece.byteLength <= CLASSIC_LINE_BYTES);
      strict.decode(piece);
    }
    assert.equal(pieces.map((p) => strict.decode(p)).join(""), `\na说: ${cjk}`);
  },
});

Deno.test({
  name: "datagramsOf() packs short lines together and never exceeds the limit",
  permissions: "none",
  fn() {
    const lines = Array.from(
      { length: 100 },
      (_, i) => `line ${i} ${"y".repeat(i)}`,
    );
    const datagrams = datagramsOf(lines);
    assert.ok(datagrams.length < lines.length);
    for (const d of datagrams) assert.ok(d.byteLength <= CLASSIC_LINE_BYTES);
    assert.equal(
      datagrams.map((d) => strict.decode(d)).join(""),
      lines.map((l) => `\n${l}`).join(""),
    );
  },
});

Deno.test({
  name:
    "splitUtf8() never cuts a character, never exceeds max, and returns when one cannot fit",
  permissions: "none",
  fn() {
    const text = "a🙂é汉".repeat(50);
    for (const max of [4, 5, 7, 100]) {
      const pieces = splitUtf8(text, max);
      for (const p of pieces) assert.ok(p.byteLength <= max);
      assert.equal(pieces.map((p) => strict.decode(p)).join(""), text);
    }
    assert.deepEqual(splitUtf8("🙂", 3), []);
  },
});

Deno.test({
  name:
    "ClassicEngine packs lines waiting for one member into shared datagrams of at most 1024 bytes; OK and EXIT go alone",
  permissions: "none",
  fn() {
    const room = new Room({ rate: 0 });
    room.login("alice", ALICE);
    room.login("bob", BOB);
    room.take(ALICE);
    // Nothing sent in between: 60 lines wait for alice at once.
    const server = room.server;
    for (let i = 0; i < 60; i++) {
      server.receive(
        encoder.encode(`C bob line ${i} ${"z".repeat(40)}`),
        BOB,
        room.now,
      );
    }
    server.receive(encoder.encode("Q alice"), ALICE, room.now);
    room.wait(10);
    const got = room.take(ALICE);
    assert.ok(got.length < 10, `${got.length} datagrams`);
    assert.equal(got.at(-1), "EXIT");
    for (const d of got) {
      assert.ok(encoder.encode(d).byteLength <= CLASSIC_LINE_BYTES);
    }
    assert.equal(
      got.slice(0, -1).join(""),
      Array.from({ length: 60 }, (_, i) => `\nbob: line ${i} ${"z".repeat(40)}`)
        .join(""),
    );
  },
});

/** Bytes `room` sent to `hostname` (any port) since the last call, and datagrams. */
function sentTo(room: Room, hostname: string, ports: number[]): number {
  let bytes = 0;
  for (const port of ports) {
    for (const text of room.take({ hostname, port })) {
      bytes += encoder.encode(text).byteLength;
    }
  }
  return bytes;
}

Deno.test({
  name:
    "ClassicEngine binds at most 4 classic members to one IP address, whatever the ports",
  permissions: "none",
  fn() {
    // The attacker bound 949 "members" to one victim address.
    const room = new Room({ joinRate: 0 });
    const ports = Array.from({ length: 50 }, (_, i) => 6000 + i);
    for (const port of ports) room.send(`L v${port}`, at(port));
    assert.equal(room.server.chat.count("classic"), 4);
    // A room line reaches the victim at most once per binding.
    room.login("alice", { hostname: "10.0.0.2", port: 1 });
    sentTo(room, "10.0.0.1", ports);
    room.send("C alice 0123456789".repeat(4), {
      hostname: "10.0.0.2",
      port: 1,
    });
    let datagrams = 0;
    for (const port of ports) datagrams += room.take(at(port)).length;
    assert.equal(datagrams, 4);
  },
});

Deno.test({
  name:
    "ClassicEngine: what forged datagrams from a bound address draw back stays within 3x their bytes",
  permissions: "none",
  fn() {
    const room = new Room({ rate: 0 });
    room.login("alice", { hostname: "10.0.0.2", port: 1 });
    room.login("victim", ALICE);
    room.take({ hostname: "10.0.0.2", port: 1 });
    room.take(ALICE);
    let received = 0;
    const forge = (text: string) => {
      received += encoder.encode(text).byteLength;
      room.send(text, ALICE);
    };
    // /who, /help, unknown commands, L of another name, a 16 KiB line.
    for (let i = 0; i < 50; i++) {
      forge("C x /who");
      forge("C x /help");
      forge("C x /nope");
      forge("L a");
    }
    forge(`C x ${"y".repeat(16_000)}`);
    const back = sentTo(room, "10.0.0.1", [ALICE.port]);
    assert.ok(back <= 3 * received, `${back} bytes back for ${received}`);
    // The 16 KiB line reached nobody.
    assert.deepEqual(room.take({ hostname: "10.0.0.2", port: 1 }), []);
  },
});

Deno.test({
  name:
    "ClassicEngine: the copy of a forged /msg sent back to a long-named member stays within 3x its bytes",
  permissions: "none",
  fn() {
    const room = new Room({ rate: 0 });
    room.login("alice", { hostname: "10.0.0.2", port: 1 });
    // 32 characters of 3 bytes: the copy names the sender, the request not.
    room.login("名".repeat(32), ALICE);
    room.take(ALICE);
    let received = 0;
    for (let i = 0; i < 50; i++) {
      const text = "C x /msg alice t";
      received += encoder.encode(text).byteLength;
      room.send(text, ALICE);
    }
    const back = sentTo(room, "10.0.0.1", [ALICE.port]);
    assert.ok(back <= 3 * received, `${back} bytes back for ${received}`);
    // The lines themselves went through.
    const got = room.take({ hostname: "10.0.0.2", port: 1 }).join("");
    assert.equal(got.match(/\[private\]/g)?.length, 50);
  },
});

Deno.test({
  name:
    "ClassicEngine parses /msg in linear time: a 65 KB line of spaces is answered at once",
  permissions: "none",
  fn() {
    const room = new Room();
    room.login("bob", BOB);
    const line = `C bob /msg a${" ".repeat(65_000)}`;
    const started = performance.now();
    room.send(line, BOB);
    const ms = performance.now() - started;
    assert.match(room.take(BOB).join(""), /Usage: \/msg NAME text/);
    // Quadratic parsing took about 5 s here; linear takes milliseconds.
    assert.ok(ms < 1000, `one datagram took ${ms.toFixed(0)} ms`);
  },
});
