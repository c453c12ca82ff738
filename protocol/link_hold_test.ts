/**
 * Unit tests of held acks (`Link.holdAcks`, `Link.commit`): a cluster
 * server acknowledges a member's requests only as far as the room's store
 * took them; the member does not send the rest again, but keeps them.
 */

import assert from "node:assert/strict";
import { type ClientRequest, encodeRequest } from "./events.ts";
import { Link } from "./link.ts";
import { decodePacket } from "./packet_decode.ts";
import type { AckState } from "./reliable_receive.ts";
import { Outbox } from "../client/outbox.ts";

const TOKEN = new Uint8Array(16).fill(3);

/** Datagrams both ways for `ms` (20 ms a round, no loss); the server's last ack and how many messages it got. */
function exchange(client: Link, server: Link, from: number, ms: number) {
  const buffer = new Uint8Array(2048);
  let ack: AckState | undefined;
  let got = 0;
  for (let now = from; now < from + ms; now += 20) {
    const up = client.poll(buffer, now);
    if (up !== undefined) {
      const packet = decodePacket(up);
      assert.ok(packet.type === "session");
      got += server.receive(packet, now).length;
    }
    const down = server.poll(buffer, now);
    if (down !== undefined) {
      const packet = decodePacket(down);
      assert.ok(packet.type === "session");
      ack = packet.ack;
      client.receive(packet, now);
    }
  }
  return { ack, got };
}

function say(outbox: Outbox, link: Link, ...texts: string[]): void {
  for (const text of texts) {
    const request: ClientRequest = { kind: "say", text };
    outbox.send(link, encodeRequest(request), request);
  }
}

Deno.test({
  name:
    "Link.holdAcks() keeps the cumulative ack at what was committed and reports later frames in ranges",
  permissions: "none",
  fn() {
    const client = new Link(7, TOKEN, 0);
    const server = new Link(7, TOKEN, 0);
    server.holdAcks();
    const outbox = new Outbox();
    say(outbox, client, "a", "b", "c");
    // Long past every retransmission timeout.
    const { ack, got } = exchange(client, server, 0, 5000);
    assert.equal(got, 3);
    assert.deepEqual(ack, { next: 0, ranges: [[0, 3]] });
    assert.equal(server.held, 0);
    assert.equal(server.completedNext, 3);
    // The member sent each frame once and holds nothing unacknowledged...
    assert.equal(client.channel.stats().retransmitted, 0);
    assert.equal(client.channel.unacked, 0);
    // ...but keeps every request: the server may still lose them.
    assert.equal(client.channel.peerNext, 0);
    assert.deepEqual(outbox.settle(client.channel.peerNext), []);
    assert.equal(outbox.size, 3);
  },
});

Deno.test({
  name:
    "Link.commit() raises the ack, makes it due, and the member's Outbox lets go",
  permissions: "none",
  fn() {
    const client = new Link(7, TOKEN, 0);
    const server = new Link(7, TOKEN, 0);
    server.holdAcks();
    const outbox = new Outbox();
    say(outbox, client, "a", "b", "c");
    exchange(client, server, 0, 1000);
    assert.equal(server.wantsToSend(1000), false);
    server.commit(2, 1000);
    assert.equal(server.held, 2);
    assert.equal(server.wantsToSend(1000), true);
    const first = exchange(client, server, 1000, 100);
    assert.deepEqual(first.ack, { next: 2, ranges: [[2, 3]] });
    assert.deepEqual(
      outbox.settle(client.channel.peerNext).map((r) =>
        r.kind === "say" && r.text
      ),
      ["a", "b"],
    );
    // An older commit (a reordered answer) takes nothing back.
    server.commit(1, 1100);
    assert.equal(server.held, 2);
    server.commit(3, 1100);
    const second = exchange(client, server, 1100, 100);
    assert.deepEqual(second.ack, { next: 3, ranges: [] });
    assert.equal(outbox.settle(client.channel.peerNext).length, 1);
    assert.equal(outbox.size, 0);
    assert.equal(client.channel.stats().retransmitted, 0);
  },
});

Deno.test({
  name: "Link.commit() does nothing on a link that does not hold acks",
  permissions: "none",
  fn() {
    const client = new Link(7, TOKEN, 0);
    const server = new Link(7, TOKEN, 0);
    const outbox = new Outbox();
    say(outbox, client, "a");
    server.commit(5, 0);
    assert.equal(server.held, undefined);
    const { ack } = exchange(client, server, 0, 200);
    assert.deepEqual(ack, { next: 1, ranges: [] });
    assert.equal(outbox.settle(client.channel.peerNext).length, 1);
  },
});
