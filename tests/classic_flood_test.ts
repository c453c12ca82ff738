/**
 * End-to-end test of flood control against a classic client: a real
 * `serve`, two real `join` members chatting, and a classic client on a plain
 * UDP socket sending 16 KiB lines as fast as it can, all on 127.0.0.1 with
 * ports chosen by the system.
 */

import assert from "node:assert/strict";
import { type Proc, startMember, startServer } from "./_cli.ts";
import { ClassicClient } from "./_classic.ts";

/** Bytes of text in each flood line. */
const FLOOD_LINE_BYTES = 16_000;
/** The flood's bounds: whichever comes first, or the flooder's EXIT. */
const MAX_FLOOD_LINES = 200;
const MAX_FLOOD_MS = 10_000;
/** Each native types a line this often (2 a second). */
const CHAT_EVERY_MS = 500;
/** The natives chat at least this long, and while the flood lasts. */
const MIN_CHAT_MS = 5000;
/** And never more lines than this each (the flood's bound, at 2 a second, and some). */
const MAX_CHAT_LINES = 2 * (MAX_FLOOD_MS / 1000) + 4;
/** A native's line must reach the other native within this. */
const MAX_LATENCY_MS = 2000;

/** One native line: who typed it, when, and when the other saw it. */
interface Sent {
  line: string;
  typedAt: number;
  seen: Promise<number>;
}

/** `from` types `tick N`; `to` is watched until it shows it. */
async function typeAndWatch(
  from: Proc,
  name: string,
  to: Proc,
  n: number,
): Promise<Sent> {
  const line = `${name}: tick ${n}`;
  const typedAt = Date.now();
  await from.type(`tick ${n}`);
  // A generous deadline so a slow line fails on its latency, with numbers.
  const seen = to.waitFor(new RegExp(`^${line}$`), 15_000).then(() =>
    Date.now()
  );
  return { line, typedAt, seen };
}

/** Send 16 KiB lines until EXIT comes back or a bound is hit; how many were sent. */
async function flood(flooder: ClassicClient): Promise<number> {
  const text = "f".repeat(FLOOD_LINE_BYTES);
  const start = Date.now();
  let sent = 0;
  while (
    sent < MAX_FLOOD_LINES && Date.now() - start < MAX_FLOOD_MS &&
    !flooder.texts().includes("EXIT")
  ) {
    await flooder.send(`C flooder ${text}`);
    sent++;
    // One line per turn of the event loop: back to back, the sends outrun the
    // server and overflow its kernel receive buffer (~208 KB, 13 lines) within
    // 5 ms, so the kernel, not flood control, would drop the rest. The turn
    // also lets EXIT in.
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  return sent;
}

Deno.test("a classic client flooding 16 KiB lines while two native members chat", async () => {
  await using server = await startServer(); // --rate 5 --burst 10.
  await using ann = await startMember("ann", server.port);
  await using ben = await startMember("ben", server.port);
  await using flooder = new ClassicClient(server.port);
  await flooder.login("flooder");
  await ann.waitFor(/^flooder joined$/);
  await ben.waitFor(/^flooder joined$/);

  let flooding = true;
  const flooded = flood(flooder).finally(() => flooding = false);
  const sent: Sent[] = [];
  const start = Date.now();
  for (
    let n = 0;
    n < MAX_CHAT_LINES && (flooding || Date.now() - start < MIN_CHAT_MS);
    n++
  ) {
    sent.push(await typeAndWatch(ann, "ann", ben, n));
    sent.push(await typeAndWatch(ben, "ben", ann, n));
    const next = start + (n + 1) * CHAT_EVERY_MS;
    await new Promise((resolve) =>
      setTimeout(resolve, Math.max(0, next - Date.now()))
    );
  }
  const floodLines = await flooded;

  // Every line arrived, within the limit, in order.
  const latencies = await Promise.all(
    sent.map(async (s) => (await s.seen) - s.typedAt),
  );
  const slow = sent.map((s, i) => ({ line: s.line, ms: latencies[i]! }))
    .filter(({ ms }) => ms > MAX_LATENCY_MS);
  assert.deepEqual(
    slow,
    [],
    `lines slower than ${MAX_LATENCY_MS} ms (of ${floodLines} flood lines)`,
  );
  const ticks = (of: Proc, name: string) =>
    of.lines.filter((l) => new RegExp(`^${name}: tick \\d+$`).test(l));
  const expected = (name: string) =>
    sent.filter((s) => s.line.startsWith(name)).map((s) => s.line);
  assert.deepEqual(
    ticks(ben, "ann"),
    expected("ann"),
    "ann's lines at ben, in order",
  );
  assert.deepEqual(
    ticks(ann, "ben"),
    expected("ben"),
    "ben's lines at ann, in order",
  );
  for (const member of [ann, ben]) {
    const dropped = member.lines.filter((l) =>
      /(left|timed out|dropped)/.test(l) && !/^(ann|ben|flooder): /.test(l)
    );
    assert.deepEqual(dropped, []);
  }

  // The flooder was told to slow down, then kicked for flooding, then sent EXIT.
  await flooder.until(
    () => flooder.texts().includes("EXIT"),
    "EXIT for the flooder",
    10_000,
  );
  // The slow-down line, then the line saying why as the last room line, then
  // EXIT. Queued lines may share a datagram with them; lines the flooder sent
  // after the kick may be refused in between (a refusal goes out at once, EXIT
  // waits its turn in the member's queue).
  const texts = flooder.texts();
  const shown = JSON.stringify(texts.map((t) => t.slice(0, 60)));
  const exit = texts.indexOf("EXIT");
  const before = texts.slice(0, exit);
  const lines = before.filter((t) => t.startsWith("\n")).join("").split("\n");
  assert.equal(lines.at(-1), "You were kicked: flooding", `got ${shown}`);
  assert.ok(
    lines.includes(
      "* Slow down: at most 5 messages a second; yours are being delayed",
    ),
    `the slow-down line; got ${shown}`,
  );
  const kicked = before.findLastIndex((t) => t.startsWith("\n"));
  assert.ok(
    before.slice(kicked + 1).every((t) => t === "Send L name first"),
    `only refusals between the kicked line and EXIT; got ${shown}`,
  );
  await ann.waitFor(/^flooder was kicked: flooding$/);
  await ben.waitFor(/^flooder was kicked: flooding$/);
});
