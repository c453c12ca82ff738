/**
 * End-to-end tests of rooms with a passphrase: members with it chat, others
 * are refused, nothing readable crosses the wire, and replayed datagrams
 * change nothing.
 */

import assert from "node:assert/strict";
import { type Proc, startMember, startServer } from "./_cli.ts";
import { NONCE_BYTES } from "../protocol/limits.ts";
import { RefuseCode } from "../protocol/packet.ts";
import { encodePacket } from "../protocol/packet_encode.ts";

const PASSPHRASE = "correct horse battery staple 马";

async function withPassphraseFile<T>(
  run: (file: string) => Promise<T>,
): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "udpchat-pass-" });
  try {
    const file = `${dir}/passphrase`;
    await Deno.writeTextFile(file, PASSPHRASE + "\n", { mode: 0o600 });
    return await run(file);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("members with the passphrase chat; without it, or with another, they are refused", async () => {
  await withPassphraseFile(async (file) => {
    await using server = await startServer(["--passphrase-file", file]);
    await using ann = await startMember("ann", server.port, {
      args: ["--passphrase-file", file],
    });
    await using ben = await startMember("ben", server.port, {
      args: ["--passphrase", PASSPHRASE],
    });
    await ann.waitFor("ben joined");
    await ben.type("秘密 hello");
    await ann.waitFor("ben: 秘密 hello");

    await using eve = await startMember("eve", server.port, {
      wait: false,
      args: ["--passphrase", "guess"],
    });
    assert.match(
      await eve.waitFor(/Wrong passphrase/, 10_000, true),
      /Cannot join/,
    );
    assert.equal((await eve.status()).code, 1);
    await using mal = await startMember("mal", server.port, { wait: false });
    await mal.waitFor(/needs a passphrase/, 10_000, true);
    assert.equal((await mal.status()).code, 1);
    assert.equal(ann.count(/eve|mal/), 0);
  });
});

Deno.test("a member with a passphrase refuses a room that has none", async () => {
  await using server = await startServer();
  await using ann = await startMember("ann", server.port, {
    wait: false,
    args: ["--passphrase", "x"],
  });
  await ann.waitFor(/has no passphrase/, 10_000, true);
  assert.equal((await ann.status()).code, 1);
});

/** A transparent UDP proxy that records what a member sends, and can send it again. */
class Tap implements AsyncDisposable {
  readonly sent: Uint8Array[] = [];
  readonly received: Uint8Array[] = [];
  #front = Deno.listenDatagram({
    transport: "udp",
    hostname: "127.0.0.1",
    port: 0,
  });
  #back = Deno.listenDatagram({
    transport: "udp",
    hostname: "127.0.0.1",
    port: 0,
  });
  #member: Deno.NetAddr | undefined;
  #server: Deno.NetAddr;
  #loops: Promise<void>[];
  /** Sent to the member, from the tap's (the server's) address, before its first datagram goes on. */
  #forge: Uint8Array[];

  constructor(serverPort: number, forge: Uint8Array[] = []) {
    this.#forge = forge;
    this.#server = {
      transport: "udp",
      hostname: "127.0.0.1",
      port: serverPort,
    };
    this.#loops = [
      this.#pump(this.#front, true),
      this.#pump(this.#back, false),
    ];
  }

  get port(): number {
    return (this.#front.addr as Deno.NetAddr).port;
  }

  /** Send every recorded member datagram to the server again, from the member's side. */
  async replay(): Promise<void> {
    for (const bytes of this.sent.slice()) {
      await this.#back.send(bytes, this.#server);
    }
  }

  async #pump(socket: Deno.DatagramConn, fromMember: boolean): Promise<void> {
    const buffer = new Uint8Array(65_536);
    for (;;) {
      let got: [Uint8Array, Deno.Addr];
      try {
        got = await socket.receive(buffer);
      } catch {
        return; // Closed.
      }
      const bytes = got[0].slice();
      if (fromMember) {
        this.#member = got[1] as Deno.NetAddr;
        for (const forged of this.#forge.splice(0)) {
          await this.#front.send(forged, this.#member);
        }
        this.sent.push(bytes);
        await this.#back.send(bytes, this.#server);
      } else if (this.#member !== undefined) {
        this.received.push(bytes);
        await this.#front.send(bytes, this.#member);
      }
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.#front.close();
    this.#back.close();
    await Promise.all(this.#loops);
  }
}

const DROPPED = /^dropped \d+/;

/**
 * Ask the server for /stats until its "dropped" line matches `wanted`: the
 * server may answer before it has read datagrams already on their way.
 */
async function statsUntil(
  server: Proc,
  wanted: RegExp,
  timeoutMs = 20_000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let answers = server.count(DROPPED);
  for (;;) {
    await server.type("/stats");
    await server.waitForCount(DROPPED, ++answers, deadline - Date.now());
    const line = server.lines.findLast((line) => DROPPED.test(line))!;
    if (wanted.test(line)) return line;
    // Asking again waits for the answer, so this loop is paced by the server.
    if (Date.now() > deadline) {
      throw new Error(
        `Timed out after ${timeoutMs} ms waiting for /stats to show ${wanted}; last: ${line}`,
      );
    }
  }
}

Deno.test("nothing readable crosses the wire, and replayed datagrams change nothing", async () => {
  await withPassphraseFile(async (file) => {
    await using server = await startServer(["--passphrase-file", file]);
    await using tap = new Tap(server.port);
    await using ann = await startMember("ann", server.port, {
      args: ["--passphrase-file", file],
    });
    await using ben = await startMember("benjamin", tap.port, {
      args: ["--passphrase-file", file],
    });
    await ann.waitFor("benjamin joined");
    await ben.type("plaintext-marker-1234");
    await ann.waitFor("benjamin: plaintext-marker-1234");
    await ann.type("the answer-marker-5678");
    await ben.waitFor("ann: the answer-marker-5678");

    const decoder = new TextDecoder("utf-8", { fatal: false });
    for (const datagram of [...tap.sent, ...tap.received]) {
      const text = decoder.decode(datagram);
      for (
        const secret of [
          "plaintext-marker",
          "answer-marker",
          "benjamin",
          PASSPHRASE,
        ]
      ) {
        assert.equal(text.includes(secret), false, `"${secret}" on the wire`);
      }
    }
    // An eavesdropper resends all of it: every replay is dropped, nothing shows twice.
    await tap.replay();
    await statsUntil(server, /bad seal: [1-9]/);
    await ben.type("after the replay");
    await ann.waitFor("benjamin: after the replay");
    assert.equal(ann.count("benjamin: plaintext-marker-1234"), 1);
    assert.equal(ann.count(/benjamin (joined|left)/), 1);
  });
});

/** An off-path forger's REFUSE: it never saw the JOIN, so it guesses a nonce. */
function forgedRefuse(code: number, reason: string): Uint8Array {
  const nonce = crypto.getRandomValues(new Uint8Array(NONCE_BYTES));
  return encodePacket({ type: "refuse", nonce, code, reason });
}

Deno.test("a forged REFUSE from the server's address does not end a join", async () => {
  await withPassphraseFile(async (file) => {
    await using server = await startServer(["--passphrase-file", file]);
    await using tap = new Tap(server.port, [
      forgedRefuse(RefuseCode.passphrase, "Wrong passphrase"),
      forgedRefuse(RefuseCode.taken, 'Name "ann" is taken'),
    ]);
    await using ann = await startMember("ann", tap.port, {
      args: ["--passphrase-file", file],
    });
    assert.equal(ann.count(/Cannot join/), 0);
  });
  await using open = await startServer();
  await using tap = new Tap(open.port, [
    forgedRefuse(RefuseCode.banned, "You are banned"),
  ]);
  await using ben = await startMember("ben", tap.port);
  assert.equal(ben.count(/Cannot join/), 0);
});

Deno.test("a passphrase room refuses by code alone: the reason, and the name in it, never cross the wire", async () => {
  await withPassphraseFile(async (file) => {
    await using server = await startServer(["--passphrase-file", file]);
    await using _first = await startMember("zacharias", server.port, {
      args: ["--passphrase-file", file],
    });
    await using tap = new Tap(server.port);
    await using again = await startMember("zacharias", tap.port, {
      wait: false,
      args: ["--passphrase-file", file],
    });
    await again.waitFor("Cannot join: That name is taken", 10_000, true);
    assert.equal((await again.status()).code, 1);
    const decoder = new TextDecoder("utf-8", { fatal: false });
    for (const datagram of tap.received) {
      const text = decoder.decode(datagram);
      assert.equal(text.includes("zacharias"), false, "name on the wire");
      assert.equal(text.includes("taken"), false, "reason on the wire");
    }
  });
});

Deno.test("a JOIN captured and replayed while its cookie lives admits no ghost", async () => {
  await using server = await startServer();
  await using ann = await startMember("ann", server.port);
  await using tap = new Tap(server.port);
  await using ben = await startMember("benjamin", tap.port);
  await ann.waitFor("benjamin joined");
  await ben.type("/quit");
  assert.equal((await ben.status()).code, 0);
  await ann.waitFor("benjamin left");
  // Within the cookie's 30 s, from the address the cookie was issued to.
  await tap.replay();
  await statsUntil(server, /replayed join: 1/);
  await ann.type("/who");
  await ann.waitFor(/^1 member here/);
  assert.equal(ann.count("benjamin joined"), 1);
});
