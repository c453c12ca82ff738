/**
 * Unit tests of the outbox on real links: what it settles, what it sends
 * again on a resumed session, and what it gives up.
 */

import assert from "node:assert/strict";
import {
  type ClientRequest,
  decodeRequest,
  encodeRequest,
} from "../protocol/events.ts";
import { Link } from "../protocol/link.ts";
import { MAX_FRAME_BODY } from "../protocol/packet.ts";
import { decodePacket } from "../protocol/packet_decode.ts";
import { Outbox } from "./outbox.ts";

const TOKEN = new Uint8Array(16).fill(9);

/** A request as one word: the text of a SAY, else its kind. */
function word(request: ClientRequest): string {
  return request.kind === "say" ? request.text : request.kind;
}

/** Send `words` (a SAY each, "leave" for LEAVE) through `outbox` on `link`. */
function send(outbox: Outbox, link: Link, ...words: string[]): void {
  for (const w of words) {
    const request: ClientRequest = w === "leave"
      ? { kind: "leave", reason: "" }
      : { kind: "say", text: w };
    outbox.send(link, encodeRequest(request), request);
  }
}

/** Move datagrams both ways for a while (no loss); returns what `to` got. */
function exchange(from: Link, to: Link, now: number): string[] {
  const got: string[] = [];
  const buffer = new Uint8Array(2048);
  for (let round = 0; round < 20; round++, now += 20) {
    for (const [a, b] of [[from, to], [to, from]] as const) {
      const bytes = a.poll(buffer, now);
      if (bytes === undefined) continue;
      const packet = decodePacket(bytes);
      assert.ok(packet.type === "session");
      for (const message of b.receive(packet, now)) {
        got.push(word(decodeRequest(message)));
      }
    }
  }
  return got;
}

Deno.test({
  name: "Outbox.settle() forgets what the server acked, oldest first",
  permissions: "none",
  fn() {
    const client = new Link(7, TOKEN, 0);
    const server = new Link(7, TOKEN, 0);
    const outbox = new Outbox();
    send(outbox, client, "a", "b", "leave");
    assert.equal(outbox.size, 3);
    assert.deepEqual(outbox.settle(client.channel.peerNext), []);
    assert.deepEqual(exchange(client, server, 0), ["a", "b", "leave"]);
    assert.equal(client.channel.peerNext, 3);
    const done = outbox.settle(client.channel.peerNext).map(word);
    assert.deepEqual(done, ["a", "b", "leave"]);
    assert.equal(outbox.size, 0);
    assert.deepEqual(outbox.settle(client.channel.peerNext), []);
  },
});

Deno.test({
  name: "Outbox.settle() stops at the first request not wholly acked",
  permissions: "none",
  fn() {
    const link = new Link(7, TOKEN, 0);
    const outbox = new Outbox();
    const long = "x".repeat(2 * MAX_FRAME_BODY); // Three frames: seqs 1 to 3.
    send(outbox, link, "short", long, "after");
    assert.deepEqual(outbox.settle(1).map(word), ["short"]);
    assert.deepEqual(outbox.settle(3), []);
    assert.equal(outbox.size, 2);
    assert.deepEqual(outbox.settle(4).map(word), [long]);
    assert.deepEqual(outbox.settle(2), []);
    assert.deepEqual(outbox.settle(5).map(word), ["after"]);
  },
});

Deno.test({
  name: "Outbox.settle() follows sequence numbers across the u32 wrap",
  permissions: "none",
  fn() {
    const link = new Link(7, TOKEN, 0, { initialSendSeq: 2 ** 32 - 2 });
    const outbox = new Outbox();
    send(outbox, link, "a", "b", "c");
    assert.deepEqual(outbox.settle(2 ** 32 - 1).map(word), ["a"]);
    assert.deepEqual(outbox.settle(0).map(word), ["b"]);
    assert.deepEqual(outbox.settle(1).map(word), ["c"]);
  },
});

Deno.test({
  name: "Outbox.resume() settles what was processed and resends the rest",
  permissions: "none",
  fn() {
    const old = new Link(7, TOKEN, 0);
    const outbox = new Outbox();
    send(outbox, old, "a", "b", "c", "leave");
    // The old server processed "a" and "b" (seqs 0 and 1), then restarted.
    const client = new Link(7, TOKEN, 100, { initialSendSeq: 2 });
    const server = new Link(7, TOKEN, 100, { initialReceiveSeq: 2 });
    assert.deepEqual(outbox.resume(client, 2).map(word), ["a", "b"]);
    assert.equal(outbox.size, 2);
    assert.equal(client.channel.queued, 2);
    assert.deepEqual(exchange(client, server, 100), ["c", "leave"]);
    const done = outbox.settle(client.channel.peerNext).map(word);
    assert.deepEqual(done, ["c", "leave"]);
    assert.equal(outbox.size, 0);
  },
});

Deno.test({
  name: "Outbox.resume() with nothing processed sends every request again",
  permissions: "none",
  fn() {
    const old = new Link(7, TOKEN, 0);
    const outbox = new Outbox();
    send(outbox, old, "a", "b");
    const client = new Link(7, TOKEN, 0);
    assert.deepEqual(outbox.resume(client, 0), []);
    const server = new Link(7, TOKEN, 0);
    assert.deepEqual(exchange(client, server, 0), ["a", "b"]);
    const done = outbox.settle(client.channel.peerNext).map(word);
    assert.deepEqual(done, ["a", "b"]);
  },
});

Deno.test({
  name: "Outbox.abandon() gives up every request and returns them",
  permissions: "none",
  fn() {
    const link = new Link(7, TOKEN, 0);
    const outbox = new Outbox();
    send(outbox, link, "a", "b", "leave");
    assert.deepEqual(outbox.settle(1).map(word), ["a"]);
    assert.deepEqual(outbox.abandon().map(word), ["b", "leave"]);
    assert.equal(outbox.size, 0);
    assert.deepEqual(outbox.abandon(), []);
    assert.deepEqual(outbox.settle(3), []);
  },
});
