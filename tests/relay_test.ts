import assert from "node:assert/strict";
import { Relay } from "./_relay.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

interface Received {
  data: Uint8Array;
  from: Deno.NetAddr;
}

/** A loopback socket that records what it receives and may echo it back. */
class Peer implements AsyncDisposable {
  readonly hostname = "127.0.0.1";
  readonly received: Received[] = [];
  #socket = Deno.listenDatagram({
    transport: "udp",
    hostname: "127.0.0.1",
    port: 0,
  });
  #closed = false;
  #loop: Promise<void>;
  #wake: (() => void) | undefined;

  constructor(echo = false) {
    this.#loop = this.#run(echo);
  }

  get port(): number {
    return (this.#socket.addr as Deno.NetAddr).port;
  }

  get texts(): string[] {
    return this.received.map((r) => decoder.decode(r.data));
  }

  async send(data: Uint8Array | string, to: { port: number }): Promise<void> {
    const bytes = typeof data === "string" ? encoder.encode(data) : data;
    await this.#socket.send(bytes, {
      transport: "udp",
      hostname: "127.0.0.1",
      port: to.port,
    });
  }

  /** Wait until `done()` holds, checking after each datagram. */
  async until(done: () => boolean, ms = 2000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!done()) {
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(`Timed out after ${ms} ms: got ${this.texts}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  waitFor(count: number, ms?: number): Promise<void> {
    return this.until(() => this.received.length >= count, ms);
  }

  async #run(echo: boolean): Promise<void> {
    const buf = new Uint8Array(65_536);
    while (!this.#closed) {
      try {
        const [view, addr] = await this.#socket.receive(buf);
        const data = view.slice();
        const from = addr as Deno.NetAddr;
        this.received.push({ data, from });
        if (echo) await this.#socket.send(data, from);
      } catch (err) {
        if (this.#closed) return;
        throw err;
      }
      this.#wake?.();
      this.#wake = undefined;
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.#closed = true;
    this.#socket.close();
    await this.#loop;
  }
}

/** Poll `done` every 10 ms for at most `ms`. */
async function until(done: () => boolean, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function numbered(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `m${i}`);
}

/** Send each text in turn; the relay may not have read them yet. */
async function sendAll(peer: Peer, texts: string[], relay: Relay) {
  for (const text of texts) await peer.send(text, relay);
}

Deno.test("Relay forwards datagrams both ways unchanged and in order", async () => {
  await using server = new Peer(true);
  await using relay = Relay.start({ target: server });
  await using client = new Peer();
  const sent = numbered(20);
  await sendAll(client, sent, relay);
  await client.waitFor(20);
  assert.deepEqual(client.texts, sent);
  assert.deepEqual(server.texts, sent);
  assert.ok(client.received.every((r) => r.from.port === relay.port));
  const upstream = new Set(server.received.map((r) => r.from.port));
  assert.equal(upstream.size, 1);
  assert.ok(!upstream.has(client.port) && !upstream.has(relay.port));
  const stats = relay.stats();
  assert.equal(stats.toServer.forwarded, 20);
  assert.equal(stats.toMember.forwarded, 20);
  assert.equal(stats.members, 1);
  assert.equal(stats.held, 0);
});

Deno.test("Relay gives each member its own upstream address", async () => {
  await using server = new Peer(true);
  await using relay = Relay.start({ target: server });
  await using alice = new Peer();
  await using bob = new Peer();
  await alice.send("from alice", relay);
  await bob.send("from bob", relay);
  await alice.waitFor(1);
  await bob.waitFor(1);
  assert.deepEqual(alice.texts, ["from alice"]);
  assert.deepEqual(bob.texts, ["from bob"]);
  assert.equal(new Set(server.received.map((r) => r.from.port)).size, 2);
  assert.equal(relay.stats().members, 2);
});

Deno.test("Relay with loss 1 drops everything until restored, loss 0 nothing", async () => {
  await using server = new Peer(true);
  await using relay = Relay.start({ target: server, toServer: { loss: 1 } });
  await using client = new Peer();
  await sendAll(client, numbered(50), relay);
  await until(() => relay.stats().toServer.received === 50);
  relay.setImpairment("toServer", { loss: 0 });
  await client.send("end", relay);
  await server.waitFor(1);
  assert.deepEqual(server.texts, ["end"]);
  assert.equal(relay.stats().toServer.dropped, 50);

  const sent = numbered(200);
  await sendAll(client, sent, relay);
  await server.waitFor(201);
  assert.deepEqual(server.texts.slice(1), sent);
  assert.equal(relay.stats().toServer.dropped, 50);

  await client.waitFor(201);
  relay.setImpairment("toMember", { loss: 1 });
  await sendAll(client, numbered(10), relay);
  await until(() => relay.stats().toMember.received === 211);
  relay.setImpairment("toMember", {});
  await client.send("back", relay);
  await client.waitFor(202);
  assert.deepEqual(client.texts.slice(201), ["back"]);
  assert.equal(relay.stats().toMember.dropped, 10);
});

async function dropPattern(seed: number): Promise<string> {
  await using server = new Peer();
  await using relay = Relay.start({
    target: server,
    toServer: { loss: 0.5 },
    seed,
  });
  await using client = new Peer();
  const sent = numbered(64);
  await sendAll(client, sent, relay);
  await until(() => relay.stats().toServer.received === 64);
  relay.setImpairment("toServer", {});
  await client.send("end", relay);
  await server.until(() => server.texts.includes("end"));
  const got = new Set(server.texts);
  return sent.map((text) => got.has(text) ? "1" : "0").join("");
}

Deno.test("Relay with the same seed drops the same datagrams", async () => {
  const first = await dropPattern(7);
  assert.equal(await dropPattern(7), first);
  assert.notEqual(await dropPattern(8), first);
  const kept = first.split("").filter((c) => c === "1").length;
  assert.ok(kept > 16 && kept < 48, `kept ${kept} of 64 at loss 0.5`);
});

Deno.test("Relay duplicates datagrams and counts them", async () => {
  await using server = new Peer();
  await using relay = Relay.start({
    target: server,
    toServer: { duplicate: 0.5 },
    seed: 3,
  });
  await using client = new Peer();
  await sendAll(client, numbered(40), relay);
  await until(() => relay.stats().toServer.received === 40);
  relay.setImpairment("toServer", {});
  await client.send("end", relay);
  await server.until(() => server.texts.includes("end"));
  const { duplicated, forwarded } = relay.stats().toServer;
  assert.ok(duplicated > 0 && duplicated < 40, `duplicated ${duplicated}`);
  assert.equal(server.received.length, 41 + duplicated);
  assert.equal(forwarded, 41 + duplicated);
  const twice = server.texts.filter((text, i, all) => all[i + 1] === text);
  assert.equal(twice.length, duplicated);
  assert.deepEqual([...new Set(server.texts)], [...numbered(40), "end"]);
});

Deno.test("Relay with reorder changes the order but loses nothing", async () => {
  await using server = new Peer();
  await using relay = Relay.start({
    target: server,
    toServer: { reorder: 0.3 },
  });
  await using client = new Peer();
  const sent = numbered(50);
  await sendAll(client, sent, relay);
  await server.waitFor(50);
  assert.notDeepEqual(server.texts, sent);
  assert.deepEqual(new Set(server.texts), new Set(sent));
  assert.ok(relay.stats().toServer.reordered > 0);
});

Deno.test("Relay with corrupt 1 changes exactly one byte per datagram", async () => {
  await using server = new Peer();
  await using relay = Relay.start({ target: server, toServer: { corrupt: 1 } });
  await using client = new Peer();
  const sent = Array.from(
    { length: 20 },
    (_, i) => Uint8Array.from({ length: 32 }, (_, j) => (i * 32 + j) & 0xff),
  );
  for (const data of sent) await client.send(data, relay);
  await server.waitFor(20);
  server.received.forEach(({ data }, i) => {
    const original = sent[i]!;
    assert.equal(data.length, original.length);
    const changed = data.filter((byte, j) => byte !== original[j]).length;
    assert.equal(changed, 1, `datagram ${i}`);
  });
  assert.equal(relay.stats().toServer.corrupted, 20);
});

Deno.test("Relay adds delayMs plus up to jitterMs", async () => {
  await using server = new Peer(true);
  await using relay = Relay.start({
    target: server,
    toServer: { delayMs: 60, jitterMs: 20 },
  });
  await using client = new Peer();
  const start = performance.now();
  await client.send("slow", relay);
  await client.waitFor(1);
  const elapsed = performance.now() - start;
  assert.ok(elapsed >= 59 && elapsed < 1000, `round trip ${elapsed} ms`);
});

/** Send `text` until its echo comes back, resending every 100 ms. */
async function roundTrip(client: Peer, relay: Relay, text: string) {
  for (let attempt = 0; attempt < 10; attempt++) {
    await client.send(text, relay);
    try {
      await client.until(() => client.texts.includes(text), 100);
      return;
    } catch {
      // A rebind can land between request and reply; try again.
    }
  }
  throw new Error(`No echo of ${text} after 10 attempts`);
}

Deno.test("Relay rebinding changes the server-side port, replies still arrive", async () => {
  await using server = new Peer(true);
  await using relay = Relay.start({ target: server, rebindEveryMs: 100 });
  await using client = new Peer();
  await roundTrip(client, relay, "before");
  const rebinds = relay.stats().rebinds;
  const before = server.received.at(-1)!.from.port;
  await until(() => relay.stats().rebinds > rebinds);
  await roundTrip(client, relay, "after");
  const after = server.received.find((r) => decoder.decode(r.data) === "after");
  assert.notEqual(after!.from.port, before);
  assert.ok(client.received.every((r) => r.from.port === relay.port));
  assert.equal(relay.stats().members, 1);
});

Deno.test("Relay closes the upstream socket of an idle member", async () => {
  await using server = new Peer(true);
  await using relay = Relay.start({ target: server, idleMs: 100 });
  await using client = new Peer();
  await roundTrip(client, relay, "first");
  await until(() => relay.stats().members === 0);
  await roundTrip(client, relay, "second");
  const ports = new Set(server.received.map((r) => r.from.port));
  assert.equal(ports.size, 2);
  assert.equal(relay.stats().members, 1);
});

Deno.test("Relay.close() clears datagrams still delayed", async () => {
  await using server = new Peer();
  const relay = Relay.start({ target: server, toServer: { delayMs: 5000 } });
  await using client = new Peer();
  await sendAll(client, numbered(5), relay);
  await until(() => relay.stats().held === 5);
  const start = performance.now();
  await relay.close();
  await relay.close();
  assert.ok(performance.now() - start < 500);
  assert.equal(server.received.length, 0);
});

Deno.test("Relay caps members and held datagrams", async () => {
  await using server = new Peer();
  await using relay = Relay.start({
    target: server,
    toServer: { delayMs: 5000 },
    maxMembers: 1,
    maxHeld: 3,
  });
  await using alice = new Peer();
  await using bob = new Peer();
  await sendAll(alice, numbered(5), relay);
  await bob.send("refused", relay);
  await until(() => relay.stats().toServer.received === 5);
  await until(() => relay.stats().toServer.overflowed === 3);
  const stats = relay.stats();
  assert.equal(stats.members, 1);
  assert.equal(stats.held, 3);
});

Deno.test("Relay.start() and setImpairment() reject out-of-range values", async () => {
  const target = { hostname: "127.0.0.1", port: 9 };
  assert.throws(
    () => Relay.start({ target, toServer: { loss: 1.5 } }),
    RangeError,
  );
  assert.throws(() => Relay.start({ target, rebindEveryMs: 0 }), RangeError);
  await using relay = Relay.start({ target });
  assert.throws(
    () => relay.setImpairment("toMember", { delayMs: -1 }),
    RangeError,
  );
});
