/**
 * End-to-end tests of a live server under attack (issue 4): random
 * datagrams, native-looking garbage, replays of captured datagrams, forged
 * tokens and a flood of JOINs, fired while three members chat; and escape
 * sequences in a message, neutralised before any member's terminal.
 */

import { prng } from "./_random.ts";
import assert from "node:assert/strict";
import { type Proc, startMember, startServer } from "./_cli.ts";
import { rssKiB } from "./_storm.ts";
import { encodeRequest } from "../protocol/events.ts";
import { crc32 } from "../protocol/crc32.ts";
import { split } from "../protocol/fragment.ts";
import { COOKIE_BYTES, NONCE_BYTES } from "../protocol/limits.ts";

/** The nonce of every spoofed JOIN: none of them comes back. */
const NONCE = new Uint8Array(NONCE_BYTES);
import { MAX_FRAME_BODY, PacketType } from "../protocol/packet.ts";
import { encodePacket, encodeSession } from "../protocol/packet_encode.ts";

const LOOPBACK = "127.0.0.1";
const NAMES = ["alice", "bob", "carol"] as const;

function udp(): Deno.DatagramConn {
  return Deno.listenDatagram({ transport: "udp", hostname: LOOPBACK, port: 0 });
}

/**
 * A transparent UDP proxy in front of one member that records what the
 * member sends, and can send as the member (from the address the server
 * knows it by).
 */
class Tap implements AsyncDisposable {
  readonly captured: Uint8Array[] = [];
  #front = udp();
  #back = udp();
  #server: Deno.NetAddr;
  #member: Deno.NetAddr | undefined;
  #loops: Promise<void>[];

  constructor(port: number) {
    this.#server = { transport: "udp", hostname: LOOPBACK, port };
    this.#loops = [this.#up(), this.#down()];
  }

  get port(): number {
    return (this.#front.addr as Deno.NetAddr).port;
  }

  /** Send `bytes` to the server from the member's address. */
  inject(bytes: Uint8Array): Promise<number> {
    return this.#back.send(bytes, this.#server);
  }

  async #up(): Promise<void> {
    const buffer = new Uint8Array(65_536);
    try {
      for (;;) {
        const [view, from] = await this.#front.receive(buffer);
        this.#member = from as Deno.NetAddr;
        const bytes = view.slice();
        this.captured.push(bytes);
        await this.#back.send(bytes, this.#server);
      }
    } catch {
      // Closed.
    }
  }

  async #down(): Promise<void> {
    const buffer = new Uint8Array(65_536);
    try {
      for (;;) {
        const [view] = await this.#back.receive(buffer);
        if (this.#member) await this.#front.send(view.slice(), this.#member);
      }
    } catch {
      // Closed.
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.#front.close();
    this.#back.close();
    await Promise.all(this.#loops);
  }
}

/** An attacking socket that counts the bytes it sends and gets back. */
class Attacker {
  sent = 0;
  received = 0;
  #socket = udp();
  #loop: Promise<void>;

  constructor() {
    this.#loop = this.#receive();
  }

  async send(bytes: Uint8Array, to: Deno.NetAddr): Promise<void> {
    this.sent += await this.#socket.send(bytes, to);
  }

  async #receive(): Promise<void> {
    const buffer = new Uint8Array(65_536);
    try {
      for (;;) this.received += (await this.#socket.receive(buffer))[0].length;
    } catch {
      // Closed.
    }
  }

  async close(): Promise<void> {
    this.#socket.close();
    await this.#loop;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A native datagram of `type` with a random body and a correct CRC. */
function nativeGarbage(random: () => number): Uint8Array {
  const bytes = new Uint8Array(8 + Math.floor(random() * 1150));
  for (let i = 4; i < bytes.length; i++) bytes[i] = random() * 256;
  bytes.set([0x55, 0x43, 0x01, 1 + Math.floor(random() * 7)]);
  new DataView(bytes.buffer).setUint32(
    bytes.length - 4,
    crc32(bytes.subarray(0, bytes.length - 4)),
  );
  return bytes;
}

/** Random bytes that are never a classic command (those are a protocol). */
function noise(random: () => number): Uint8Array {
  const bytes = new Uint8Array(1 + Math.floor(random() * 1300));
  for (let i = 0; i < bytes.length; i++) bytes[i] = random() * 256;
  if ("LCQ".includes(String.fromCharCode(bytes[0]!))) bytes[0] = 0xff;
  return bytes;
}

/** A SESSION datagram of `sessionId` with a made-up token, saying `text`. */
function forged(sessionId: number, text: string, random: () => number) {
  const token = Uint8Array.from({ length: 16 }, () => random() * 256);
  const [body] = split(encodeRequest({ kind: "say", text }), MAX_FRAME_BODY);
  return encodeSession(new Uint8Array(1200), {
    sessionId,
    token,
    pn: Math.floor(random() * 2 ** 32),
    ack: { next: 0, ranges: [] },
    frames: [{ type: "data", seq: Math.floor(random() * 64), body: body! }],
  }).slice();
}

/** One round of the attack: every kind, in a bounded count. */
async function attack(
  port: number,
  tap: Tap,
  sessionId: number,
  random: () => number,
  sockets: Attacker[],
): Promise<void> {
  const [attacker] = sockets;
  const to = { transport: "udp" as const, hostname: LOOPBACK, port };
  const replays = tap.captured.slice();
  let sent = 0;
  const fire = async (socket: Attacker, bytes: Uint8Array) => {
    await socket.send(bytes, to);
    // Short pauses: an attack, not a benchmark of the kernel's buffers.
    if (++sent % 250 === 0) await sleep(2);
  };
  for (let i = 0; i < 3000; i++) await fire(attacker!, noise(random));
  for (let i = 0; i < 2000; i++) await fire(attacker!, nativeGarbage(random));
  for (let copy = 0; copy < 3; copy++) {
    for (const bytes of replays) await fire(attacker!, bytes);
  }
  for (const bytes of replays) await tap.inject(bytes);
  for (let i = 0; i < 1000; i++) {
    // Mostly carol's session; some unknown ones, which earn a RESET.
    const id = i % 10 === 9 ? Math.floor(random() * 2 ** 32) : sessionId;
    const bytes = forged(id, `FORGED ${i}`, random);
    if (i % 5 === 0) await tap.inject(bytes);
    else await fire(attacker!, bytes);
  }
  // JOINs from 50 addresses that never come back with their cookie
  // (5,000 a round, 15,000 in all).
  for (let i = 0; i < 5000; i++) {
    const cookie = i % 2 === 0
      ? new Uint8Array(COOKIE_BYTES)
      : Uint8Array.from({ length: COOKIE_BYTES }, () => random() * 256);
    const join = encodePacket({
      type: "join",
      nonce: NONCE,
      cookie,
      name: `spoof${i}`,
    });
    await fire(sockets[i % sockets.length]!, join);
  }
}

/** Every line a member may show in the attacked room. */
function unexpected(member: Proc): string[] {
  const allowed = new RegExp(
    `^(Welcome, |Members \\(|(${NAMES.join("|")}) joined$|(${
      NAMES.join("|")
    }): (${NAMES.join("|")}) says \\d+$)`,
  );
  return member.lines.filter((line) => !allowed.test(line));
}

Deno.test("a live server under random, garbage, replayed, forged and JOIN floods shows nothing forged, drops nobody, stays flat", async () => {
  await using server = await startServer();
  await using tap = new Tap(server.port);
  const members = new Map<string, Proc>();
  await using stack = new AsyncDisposableStack();
  for (const name of NAMES) {
    const port = name === "carol" ? tap.port : server.port;
    members.set(name, stack.use(await startMember(name, port)));
  }
  await members.get("alice")!.waitFor("carol joined");
  // Carol's session id, from a SESSION datagram she sent through the tap.
  const isSession = (b: Uint8Array) => b[3] === PacketType.session;
  for (let i = 0; i < 100 && !tap.captured.some(isSession); i++) {
    await sleep(20);
  }
  const session = tap.captured.find(isSession)!;
  const sessionId = new DataView(session.buffer).getUint32(4);

  // Everyone chats throughout.
  let chatting = true;
  const said = new Map<string, number>(NAMES.map((n) => [n, 0]));
  const chat = (async () => {
    while (chatting) {
      for (const [name, member] of members) {
        const n = said.get(name)!;
        await member.type(`${name} says ${n}`);
        said.set(name, n + 1);
      }
      await sleep(200);
    }
  })();

  const random = prng(4);
  const sockets = Array.from({ length: 50 }, () => new Attacker());
  const pid = server.child.pid;
  // A first round warms the heap up; the next two must cost the same. V8
  // grows its heap in steps: over 30 such rounds single rounds grew RSS by
  // 0 to 5.4 MiB, levelling off, so 8 MiB a round means a leak.
  const rss: number[] = [];
  try {
    await sleep(500);
    for (let round = 0; round < 3; round++) {
      await attack(server.port, tap, sessionId, random, sockets);
      await sleep(500);
      rss.push(await rssKiB(pid));
    }
  } finally {
    await Promise.all(sockets.map((socket) => socket.close()));
    chatting = false;
    await chat;
  }

  // Every line of every member reached the two others, once, in order.
  for (const [name, member] of members) {
    for (const other of NAMES.filter((n) => n !== name)) {
      const last = said.get(other)! - 1;
      await member.waitFor(`${other}: ${other} says ${last}`, 10_000);
      const heard = member.lines.filter((l) => l.startsWith(`${other}: `));
      assert.deepEqual(
        heard,
        Array.from(
          { length: last + 1 },
          (_, i) => `${other}: ${other} says ${i}`,
        ),
        `${name} hearing ${other}`,
      );
    }
    assert.deepEqual(unexpected(member), [], `${name} saw something else`);
    assert.deepEqual(member.errors.filter((l) => l !== ""), [], name);
  }
  await server.type("/who");
  await server.waitFor(/^\d+ members?$/);
  assert.equal(
    server.lines.findLast((l) => /^\d+ members?$/.test(l)),
    "3 members",
  );
  const grownKiB = rss[2]! - rss[1]!;
  assert.ok(
    grownKiB < 8 * 1024,
    `RSS grew ${grownKiB} KiB in the last of equal rounds (${rss} KiB)`,
  );
  assert.equal(
    server.count(/FORGED|spoof/),
    0,
    "nothing forged was logged as said",
  );
  // No amplification: no address that never completed a join got more bytes than it sent.
  for (const [i, socket] of sockets.entries()) {
    assert.ok(socket.sent > 0, `attacker ${i} sent nothing`);
    assert.ok(
      socket.received <= socket.sent,
      `attacker ${i} sent ${socket.sent} bytes and got ${socket.received}`,
    );
  }
});

Deno.test("escape sequences in a message reach the others neutralised: no ESC byte at all", async () => {
  await using server = await startServer();
  await using alice = await startMember("alice", server.port);
  await using bob = await startMember("bob", server.port);
  await alice.waitFor("bob joined");
  // Clear the screen, set the window title, and the 8-bit CSI form.
  await alice.type("before \x1b[2J\x1b]0;pwned\x07 after \u009b2J end");
  await server.type("admin \x1b[31mred\x1b[0m \x1b]2;title\x1b\\ done");
  await bob.waitFor(/^alice: before/);
  await bob.waitFor(/^\[admin\] admin/);
  assert.ok(bob.lines.includes("alice: before \uFFFD\uFFFD after \uFFFD end"));
  assert.ok(bob.lines.includes("[admin] admin \uFFFDred\uFFFD \uFFFD done"));
  await alice.waitFor(/^\[admin\] admin/);
  for (const proc of [alice, bob, server]) {
    const output = [...proc.lines, ...proc.errors].join("\n");
    for (const control of ["\x1b", "\x07", "\x9b", "\x9d"]) {
      assert.ok(!output.includes(control), JSON.stringify(output));
    }
    assert.ok(!output.includes("pwned") && !output.includes("title"));
  }
});
