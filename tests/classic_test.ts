/**
 * End-to-end tests of classic clients (the `L`/`C`/`Q` text protocol) in a
 * room with native members: a real `serve` process, real `join` processes,
 * and a classic client written here on a plain UDP socket, all on 127.0.0.1
 * with ports chosen by the system.
 */

import assert from "node:assert/strict";
import { startMember, startServer } from "./_cli.ts";

/** What classic clients read with; anything longer is cut by the kernel. */
const BUFFER_BYTES = 1024;
/** The smallest buffer a classic client reads with: no datagram may exceed it. */
const CLASSIC_LINE_BYTES = 128;

const encoder = new TextEncoder();
const strict = new TextDecoder("utf-8", { fatal: true });

/**
 * A classic client: one UDP socket, commands as plain text, every datagram
 * it receives kept. Replies (`OK`, `EXIT`, a reason) carry no line end;
 * room lines end in "\n" and may span several datagrams.
 */
class ClassicClient implements AsyncDisposable {
  /** Every datagram received, as raw bytes. */
  readonly datagrams: Uint8Array[] = [];
  #socket: Deno.DatagramConn;
  #server: Deno.NetAddr;
  #replies = new Set<number>();
  #loop: Promise<void>;
  #changed: (() => void) | undefined;

  constructor(port: number) {
    this.#socket = Deno.listenDatagram({
      transport: "udp",
      hostname: "127.0.0.1",
      port: 0,
    });
    this.#server = { transport: "udp", hostname: "127.0.0.1", port };
    this.#loop = this.#receive();
  }

  async #receive(): Promise<void> {
    const buffer = new Uint8Array(BUFFER_BYTES);
    // Ends when the socket is closed (receive rejects).
    while (true) {
      try {
        const [bytes] = await this.#socket.receive(buffer);
        this.datagrams.push(bytes.slice());
      } catch {
        return;
      }
      this.#changed?.();
    }
  }

  /** Send one command as is. */
  async send(text: string): Promise<void> {
    await this.#socket.send(encoder.encode(text), this.#server);
  }

  /** Send a command and wait for the reply that `match` recognises. */
  async request(
    text: string,
    match: (reply: string) => boolean,
    timeoutMs = 5000,
  ): Promise<string> {
    const from = this.datagrams.length;
    await this.send(text);
    let found: number | undefined;
    await this.#until(
      () => {
        found = this.datagrams.findIndex((bytes, i) =>
          i >= from && !this.#replies.has(i) && match(strict.decode(bytes))
        );
        return found >= 0;
      },
      timeoutMs,
      `a reply to ${JSON.stringify(text)}`,
    );
    this.#replies.add(found!);
    return strict.decode(this.datagrams[found!]!);
  }

  /** `L name`, expecting `OK`. */
  async login(name: string): Promise<void> {
    assert.equal(await this.request(`L ${name}`, (r) => r === "OK"), "OK");
  }

  /** Room lines so far: every datagram but the replies, joined and split at "\n". */
  lines(): string[] {
    const text = this.datagrams.filter((_, i) => !this.#replies.has(i))
      .map((bytes) => strict.decode(bytes)).join("");
    return text.split("\n").slice(0, -1);
  }

  /** Wait until a room line equals `line`. */
  async waitLine(line: string, timeoutMs = 10_000): Promise<void> {
    await this.#until(
      () => this.lines().includes(line),
      timeoutMs,
      JSON.stringify(line),
    );
  }

  /** No datagram so far exceeded what a classic client reads. */
  assertSmall(): void {
    const sizes = this.datagrams.map((d) => d.byteLength);
    assert.ok(
      sizes.every((size) => size <= CLASSIC_LINE_BYTES),
      `datagram sizes ${JSON.stringify(sizes)}`,
    );
  }

  async #until(
    done: () => boolean,
    timeoutMs: number,
    what: string,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(
          `Timed out waiting for ${what}; got ${
            JSON.stringify(this.datagrams.map((d) => strict.decode(d)))
          }`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 200));
        this.#changed = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.#socket.close();
    await this.#loop;
  }
}

/** A reply that is `reason` or a non-empty start of it, never longer than `request`. */
function cutReason(request: string, reason: string) {
  return (reply: string): boolean =>
    reply !== "" && reason.startsWith(reply) &&
    encoder.encode(reply).byteLength <= encoder.encode(request).byteLength;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

Deno.test("classic and native members see each other join, talk and leave", async () => {
  await using server = await startServer();
  await using alice = await startMember("alice", server.port);
  await using carol = new ClassicClient(server.port);
  await carol.login("carol");
  await alice.waitFor(/^carol joined$/);
  await using bob = await startMember("bob", server.port);
  await carol.waitLine("bob joined");
  await bob.waitFor(/^Members \(3\): .*carol/);

  await alice.type("hi carol");
  await carol.waitLine("alice: hi carol");
  await carol.send("C carol hello natives");
  await alice.waitFor(/^carol: hello natives$/);
  await bob.waitFor(/^carol: hello natives$/);
  await server.waitFor("carol: hello natives");

  await bob.type("/quit");
  assert.equal((await bob.status()).code, 0);
  await carol.waitLine("bob left");

  assert.equal(await carol.request("Q carol", (r) => r === "EXIT"), "EXIT");
  await alice.waitFor(/^carol left$/);
  assert.ok(!carol.lines().includes("carol: hello natives"), "no echo");
  assert.deepEqual(carol.lines(), [
    "bob joined",
    "alice: hi carol",
    "bob left",
  ]);
  carol.assertSmall();
});

Deno.test("classic members hear each other and admin console lines", async () => {
  await using server = await startServer();
  await using alice = await startMember("alice", server.port);
  await using carol = new ClassicClient(server.port);
  await using dave = new ClassicClient(server.port);
  await carol.login("carol");
  await dave.login("dave");
  await carol.waitLine("dave joined");
  await alice.waitFor(/^dave joined$/);
  await dave.send("C dave 你好 carol 👋🏽");
  await carol.waitLine("dave: 你好 carol 👋🏽");
  await alice.waitFor("dave: 你好 carol 👋🏽");
  await server.type("the room closes at five");
  await carol.waitLine("[admin] the room closes at five");
  await dave.waitLine("[admin] the room closes at five");
  await alice.waitFor("[admin] the room closes at five");
  carol.assertSmall();
  dave.assertSmall();
});

Deno.test("a forged C othername text appears under the sender's own name", async () => {
  await using server = await startServer();
  await using alice = await startMember("alice", server.port);
  await using carol = new ClassicClient(server.port);
  await using mallory = new ClassicClient(server.port);
  await carol.login("carol");
  await mallory.login("mallory");
  await alice.waitFor(/^mallory joined$/);
  await mallory.send("C alice I am alice");
  await mallory.send("C carol and I am carol");
  await alice.waitFor(/^mallory: and I am carol$/);
  await carol.waitLine("mallory: and I am carol");
  assert.ok(alice.lines.includes("mallory: I am alice"));
  assert.ok(carol.lines().includes("mallory: I am alice"));
  assert.equal(alice.count(/^(alice|carol): /), 0);
  assert.ok(!carol.lines().some((l) => /^(alice|carol): /.test(l)));
  // Nor can it make another member quit: Q carol ends mallory.
  assert.equal(await mallory.request("Q carol", (r) => r === "EXIT"), "EXIT");
  await alice.waitFor(/^mallory left$/);
  await carol.waitLine("mallory left");
  await carol.send("C carol still here");
  await alice.waitFor(/^carol: still here$/);
  assert.equal(alice.count(/^carol left$/), 0);
});

Deno.test("a taken or reserved name is refused with the reason, cut to the request", async () => {
  await using server = await startServer();
  await using alice = await startMember("alice", server.port);
  await using carol = new ClassicClient(server.port);
  for (
    const [request, reason] of [
      ["L alice", 'Name "alice" is taken'],
      ["L admin", 'Name "admin" is reserved'],
      ["L 管理员", 'Name "管理员" is reserved'],
    ] as const
  ) {
    await carol.request(request, cutReason(request, reason));
  }
  // Not joined: a C is answered with the hint.
  await carol.request(
    "C carol is anybody there?",
    (r) => r === "Send L name first",
  );
  await carol.login("carol");
  await alice.waitFor(/^carol joined$/);
  assert.equal(alice.count(/joined$/), 1);
  carol.assertSmall();
});

Deno.test("a long native line reaches a classic client in ≤128-byte datagrams that join back exactly", async () => {
  await using server = await startServer();
  await using alice = await startMember("alice", server.port);
  await using carol = new ClassicClient(server.port);
  await carol.login("carol");
  await alice.waitFor(/^carol joined$/);
  const text = "你好世界".repeat(80) + " 👋🏽🙂".repeat(10); // 1,050 bytes.
  assert.ok(encoder.encode(text).byteLength >= 1000);
  await alice.type(text);
  await carol.waitLine(`alice: ${text}`);
  carol.assertSmall();
  const line = encoder.encode(`alice: ${text}\n`);
  const pieces = carol.datagrams.slice(1); // After the OK.
  assert.ok(pieces.length >= Math.ceil(line.byteLength / CLASSIC_LINE_BYTES));
  for (const piece of pieces) strict.decode(piece); // Whole characters each.
  assert.equal(
    pieces.map((p) => strict.decode(p)).join(""),
    `alice: ${text}\n`,
  );
});

Deno.test("serve --no-classic refuses L with a reason", async () => {
  await using server = await startServer(["--no-classic"]);
  await using alice = await startMember("alice", server.port);
  await using carol = new ClassicClient(server.port);
  const reason = "Classic clients are turned off here";
  await carol.request("L carol", cutReason("L carol", reason));
  const long = `L ${"c".repeat(reason.length)}`;
  assert.equal(await carol.request(long, (r) => r === reason), reason);
  await carol.request(
    "C carol anybody out there?",
    (r) => r === "Send L name first",
  );
  // The room still works for natives, and no classic member ever joined.
  await using bob = await startMember("bob", server.port);
  await alice.waitFor(/^bob joined$/);
  await bob.waitFor(/^Members \(2\): alice, bob$/);
  assert.equal(alice.count(/joined$/), 1);
});

Deno.test("a room with a passphrase refuses classic clients with a reason", async () => {
  await using server = await startServer(["--passphrase", "open sesame"]);
  await using carol = new ClassicClient(server.port);
  const reason = "This room needs a passphrase; classic clients cannot join";
  const long = `L ${"c".repeat(reason.length)}`;
  assert.equal(await carol.request(long, (r) => r === reason), reason);
  await carol.request("L carol", cutReason("L carol", reason));
});

Deno.test("a classic member silent past --classic-timeout is dropped; natives see it timed out", async () => {
  // 0.05 minutes: 3 s.
  await using server = await startServer(["--classic-timeout", "0.05"]);
  await using alice = await startMember("alice", server.port);
  await using carol = new ClassicClient(server.port);
  await using dave = new ClassicClient(server.port);
  await carol.login("carol");
  const joined = Date.now();
  await dave.login("dave");
  await alice.waitFor(/^dave joined$/);
  // Dave keeps talking (every second, bounded), carol stays silent.
  for (let i = 0; i < 5; i++) {
    await dave.send(`C dave tick ${i}`);
    if (Date.now() - joined < 2500) {
      assert.equal(alice.count(/^carol timed out$/), 0, "dropped too early");
    }
    await sleep(1000);
  }
  await alice.waitFor(/^carol timed out$/, 5000);
  await dave.waitLine("carol timed out");
  await alice.waitFor(/^dave: tick 4$/);
  assert.equal(alice.count(/^dave timed out$/), 0);
  assert.equal(
    await carol.request(
      "C carol am I still here?",
      (r) => r.startsWith("Send"),
    ),
    "Send L name first",
  );
  assert.ok(!carol.lines().includes("carol timed out"));
  await server.waitFor("carol timed out");
});

Deno.test("L x from an address bound to an emoji name does not freeze the server", async () => {
  await using server = await startServer();
  await using alice = await startMember("alice", server.port);
  await using smiley = new ClassicClient(server.port);
  await using carol = new ClassicClient(server.port);
  await smiley.login("😀");
  await carol.login("carol");
  await alice.waitFor(/^carol joined$/);
  // "Already joined as 😀" is cut to the 3 bytes of "L x": the 4-byte emoji
  // never fits and splitUtf8 loops forever in the server's network worker.
  await smiley.send("L x");
  await sleep(200);
  await alice.type("is the room still up?");
  try {
    await carol.waitLine("alice: is the room still up?", 3000);
  } catch {
    assert.fail("The server stopped relaying after one 3-byte datagram");
  }
});
