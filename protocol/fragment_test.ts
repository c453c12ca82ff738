import {
  deepStrictEqual,
  notStrictEqual,
  strictEqual,
  throws,
} from "node:assert/strict";
import { Reassembler, split } from "./fragment.ts";
import { MAX_EVENT_BYTES } from "./limits.ts";

function bytes(length: number, seed = 0): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (i * 31 + seed) & 0xff;
  return out;
}

Deno.test({
  name:
    "split() prefixes each chunk with a flag byte and fills chunks to maxBody",
  permissions: "none",
  fn() {
    const chunks = split(Uint8Array.of(10, 11, 12, 13, 14), 3);
    deepStrictEqual(chunks.map((c) => [...c]), [[1, 10, 11], [1, 12, 13], [
      0,
      14,
    ]]);
  },
});

Deno.test({
  name:
    "split() adds no empty trailing chunk when bytes fill the last chunk exactly",
  permissions: "none",
  fn() {
    const chunks = split(Uint8Array.of(1, 2, 3, 4), 3);
    deepStrictEqual(chunks.map((c) => [...c]), [[1, 1, 2], [0, 3, 4]]);
  },
});

Deno.test({
  name: "split() turns an empty event into one bare last chunk",
  permissions: "none",
  fn() {
    deepStrictEqual(split(new Uint8Array(0), 100).map((c) => [...c]), [[0]]);
  },
});

Deno.test({
  name: "split() rejects a maxBody with no room for payload",
  permissions: "none",
  fn() {
    throws(() => split(bytes(3), 1), {
      name: "RangeError",
      message: "Cannot split event: maxBody is 1, need at least 2",
    });
    throws(() => split(bytes(3), 2.5), RangeError);
  },
});

Deno.test({
  name: "split() and Reassembler.push() round-trip events of many sizes",
  permissions: "none",
  fn() {
    const reassembler = new Reassembler();
    for (const length of [0, 1, 2, 99, 100, 101, 1000, 4321, MAX_EVENT_BYTES]) {
      const event = bytes(length, length);
      const chunks = split(event, 100);
      for (const chunk of chunks) {
        deepStrictEqual(chunk.byteLength <= 100, true);
      }
      const results = chunks.map((chunk) => reassembler.push(chunk));
      deepStrictEqual(results.slice(0, -1).every((r) => r === undefined), true);
      deepStrictEqual(results.at(-1), event);
      deepStrictEqual(reassembler.pendingBytes, 0);
    }
  },
});

Deno.test({
  name:
    "Reassembler.push() copies chunks so a reused receive buffer cannot corrupt them",
  permissions: "none",
  fn() {
    const event = bytes(250, 7);
    const reassembler = new Reassembler();
    const scratch = new Uint8Array(64);
    let whole: Uint8Array | undefined;
    for (const chunk of split(event, 64)) {
      scratch.set(chunk);
      whole = reassembler.push(scratch.subarray(0, chunk.byteLength));
      scratch.fill(0xee);
    }
    deepStrictEqual(whole, event);

    scratch.set([0, 1, 2, 3]);
    const single = reassembler.push(scratch.subarray(0, 4));
    scratch.fill(0);
    deepStrictEqual(single, Uint8Array.of(1, 2, 3));
    notStrictEqual(single!.buffer, scratch.buffer);
  },
});

Deno.test({
  name:
    "Reassembler.pendingBytes counts payload held for the event in progress",
  permissions: "none",
  fn() {
    const reassembler = new Reassembler(100);
    strictEqual(reassembler.push(Uint8Array.of(1, 5, 6, 7)), undefined);
    deepStrictEqual(reassembler.pendingBytes, 3);
    reassembler.push(Uint8Array.of(1));
    deepStrictEqual(reassembler.pendingBytes, 3);
    reassembler.reset();
    deepStrictEqual(reassembler.pendingBytes, 0);
    deepStrictEqual(reassembler.push(Uint8Array.of(0, 9)), Uint8Array.of(9));
  },
});

Deno.test({
  name:
    "Reassembler.push() rejects an empty chunk and a flag byte other than 0 or 1",
  permissions: "none",
  fn() {
    const reassembler = new Reassembler(100);
    reassembler.push(Uint8Array.of(1, 5));
    throws(() => reassembler.push(new Uint8Array(0)), {
      name: "SyntaxError",
      message: "Cannot reassemble event: chunk is empty",
    });
    deepStrictEqual(reassembler.pendingBytes, 0);
    throws(() => reassembler.push(Uint8Array.of(2, 5)), {
      name: "SyntaxError",
      message: "Cannot reassemble event: flag byte is 2, need 0 or 1",
    });
    deepStrictEqual(reassembler.push(Uint8Array.of(0, 8)), Uint8Array.of(8));
  },
});

Deno.test({
  name:
    "Reassembler.push() throws RangeError past maxBytes and the next event starts clean",
  permissions: "none",
  fn() {
    const reassembler = new Reassembler(10);
    const [first, second, third] = split(bytes(12), 5);
    deepStrictEqual(reassembler.push(first!), undefined);
    deepStrictEqual(reassembler.push(second!), undefined);
    throws(() => reassembler.push(third!), {
      name: "RangeError",
      message: "Cannot reassemble event: 12 bytes exceeds 10",
    });
    deepStrictEqual(reassembler.pendingBytes, 0);
    deepStrictEqual(reassembler.push(Uint8Array.of(0, 42)), Uint8Array.of(42));
  },
});

Deno.test({
  name:
    "Reassembler.push() swallows the rest of an oversized event after rejecting it",
  permissions: "none",
  fn() {
    const reassembler = new Reassembler(8);
    const oversized = split(bytes(30), 5);
    deepStrictEqual(oversized.length, 8);
    reassembler.push(oversized[0]!);
    reassembler.push(oversized[1]!);
    throws(() => reassembler.push(oversized[2]!), {
      name: "RangeError",
      message: "Cannot reassemble event: 12 bytes exceeds 8",
    });
    for (const chunk of oversized.slice(3)) {
      strictEqual(reassembler.push(chunk), undefined);
    }
    const next = bytes(8, 3);
    const results = split(next, 5).map((chunk) => reassembler.push(chunk));
    deepStrictEqual(results, [undefined, next]);
  },
});

Deno.test({
  name:
    "Reassembler accepts an event of exactly maxBytes, by default MAX_EVENT_BYTES",
  permissions: "none",
  fn() {
    const reassembler = new Reassembler();
    const event = bytes(MAX_EVENT_BYTES);
    let whole: Uint8Array | undefined;
    for (const chunk of split(event, 1000)) whole = reassembler.push(chunk);
    deepStrictEqual(whole, event);
    const over = split(bytes(MAX_EVENT_BYTES + 1), 1000);
    throws(() => over.forEach((chunk) => reassembler.push(chunk)), {
      name: "RangeError",
      message: `Cannot reassemble event: ${
        MAX_EVENT_BYTES + 1
      } bytes exceeds ${MAX_EVENT_BYTES}`,
    });
  },
});

Deno.test({
  name: "Reassembler rejects a negative or fractional maxBytes",
  permissions: "none",
  fn() {
    throws(() => new Reassembler(-1), RangeError);
    throws(() => new Reassembler(1.5), RangeError);
  },
});
