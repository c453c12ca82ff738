import assert from "node:assert/strict";
import { prng } from "../tests/_random.ts";
import {
  before,
  byDeadline,
  bySeq,
  type Flight,
  FlightHeap,
  newFlight,
  recycle,
} from "./flight.ts";

function flight(seq: number, deadline = 0): Flight {
  const f = newFlight(seq, new Uint8Array([seq & 0xff]));
  f.deadline = deadline;
  return f;
}

Deno.test({
  name: "FlightHeap gives flights back in order, after removals from anywhere",
  permissions: "none",
  fn() {
    const random = prng(7);
    const heap = new FlightHeap(byDeadline);
    const all: Flight[] = [];
    for (let seq = 0; seq < 200; seq++) {
      const f = flight(seq, Math.floor(random() * 50));
      all.push(f);
      heap.push(f);
    }
    const removed = new Set(all.filter((_, i) => i % 3 === 0));
    for (const f of removed) heap.remove(f);
    assert.equal(heap.size, 200 - removed.size);
    const order: Flight[] = [];
    for (let f = heap.peek(); f !== undefined; f = heap.peek()) {
      order.push(f);
      heap.remove(f);
    }
    const expected = all.filter((f) => !removed.has(f)).sort((a, b) =>
      a.deadline - b.deadline || a.seq - b.seq
    );
    assert.deepEqual(order.map((f) => f.seq), expected.map((f) => f.seq));
    assert.equal(heap.size, 0);
  },
});

Deno.test({
  name: "FlightHeap by seq orders by serial arithmetic across the wrap",
  permissions: "none",
  fn() {
    const heap = new FlightHeap(bySeq);
    for (const seq of [5, 0xFFFF_FFFE, 2, 0xFFFF_FFFF, 0]) {
      heap.push(flight(seq));
    }
    const order: number[] = [];
    for (let f = heap.peek(); f !== undefined; f = heap.peek()) {
      order.push(f.seq);
      heap.remove(f);
    }
    assert.deepEqual(order, [0xFFFF_FFFE, 0xFFFF_FFFF, 0, 2, 5]);
    assert.ok(before(0xFFFF_FFFF, 0) && !before(0, 0xFFFF_FFFF));
  },
});

Deno.test({
  name: "newFlight reuses a recycled flight as new: no body, no transmissions",
  permissions: "none",
  fn() {
    const old = flight(1);
    old.transmissions = 3;
    recycle(old);
    assert.equal(old.body.byteLength, 0, "a recycled flight keeps no body");
    const body = new Uint8Array([9]);
    const f = newFlight(2, body);
    assert.equal(f, old, "the recycled record is taken first");
    assert.equal(f.seq, 2);
    assert.equal(f.body, body);
    assert.equal(f.transmissions, 0);
  },
});
