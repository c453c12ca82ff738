/**
 * End-to-end reliability: three real members talk through a seeded
 * fault-injection relay (loss, duplication, reordering, rebinding,
 * corruption) and each must show every other member's messages exactly
 * once, in order, and nothing else.
 */

import assert from "node:assert/strict";
import type { RelayOptions } from "./_relay.ts";
import {
  assertTranscripts,
  openRoom,
  type Pace,
  quitAll,
  type Room,
  SLOW_MS,
  typeNumbered,
  waitForAll,
} from "./_scenario.ts";

const NAMES = ["ann", "ben", "cat"] as const;
const COUNT = 150;

/** Open a room behind `faults`, have everyone type, check, and quit. */
async function chatThrough(
  faults: Omit<RelayOptions, "target">,
  pace: Pace,
  during?: (room: Room, typing: Promise<void>) => Promise<void>,
): Promise<void> {
  await using room = await openRoom(NAMES, faults);
  const typing = Promise.all(
    [...room.members].map(([name, member]) =>
      typeNumbered(member, name, COUNT, pace)
    ),
  ).then(() => {});
  await (during?.(room, typing) ?? typing);
  await waitForAll(room, COUNT);
  await quitAll(room);
  assertTranscripts(room, COUNT);
}

Deno.test("members get every message exactly once in order through 20% loss each way", async () => {
  await chatThrough({
    seed: 101,
    toServer: { loss: 0.2 },
    toMember: { loss: 0.2 },
  }, { burst: 10, gapMs: 20 });
});

Deno.test("members get every message exactly once in order through 10% duplication each way", async () => {
  await chatThrough({
    seed: 202,
    toServer: { duplicate: 0.1 },
    toMember: { duplicate: 0.1 },
  }, { burst: 1, gapMs: 5 });
});

Deno.test("members get every message exactly once in order through 20% reordering each way", async () => {
  const reorder = { reorder: 0.2, delayMs: 5, jitterMs: 15 };
  await chatThrough(
    { seed: 303, toServer: reorder, toMember: reorder },
    { burst: 5, gapMs: 10 },
  );
});

Deno.test("members get every message exactly once in order while their addresses rebind every 2 s", async () => {
  await chatThrough(
    { seed: 404, rebindEveryMs: 2000 },
    // 150 lines 45 ms apart: about 7 s of typing, so rebinds land mid-stream.
    { burst: 1, gapMs: 45 },
    async (room, typing) => {
      const before = room.relay.stats().rebinds;
      await typing;
      const mid = room.relay.stats().rebinds - before;
      assert.ok(
        mid >= 2 * NAMES.length,
        `only ${mid} rebinds while typing; ${room.describe()}`,
      );
    },
  );
});

Deno.test("members get every message exactly once in order through loss, duplication, reordering and corruption", async () => {
  const mix = {
    loss: 0.1,
    duplicate: 0.05,
    reorder: 0.1,
    corrupt: 0.01,
    delayMs: 5,
    jitterMs: 10,
  };
  await chatThrough(
    { seed: 505, toServer: mix, toMember: mix },
    { burst: 10, gapMs: 20 },
  );
});

Deno.test("a 16384-byte message arrives intact through 10% loss; 16385 bytes is refused locally", async () => {
  await using room = await openRoom(NAMES, {
    seed: 606,
    toServer: { loss: 0.1 },
    toMember: { loss: 0.1 },
  });
  const ann = room.members.get("ann")!;
  const largest = cjkText(16_384);
  const tooLong = cjkText(16_385);
  assert.equal(new TextEncoder().encode(largest).byteLength, 16_384);
  assert.equal(new TextEncoder().encode(tooLong).byteLength, 16_385);
  await ann.type(largest);
  await ann.type(tooLong);
  await ann.type("ann done");
  await ann.waitFor("16385 bytes, the limit is 16384", SLOW_MS, true);
  for (const name of ["ben", "cat"]) {
    const member = room.members.get(name)!;
    await member.waitFor("ann: ann done", SLOW_MS);
    const fromAnn = member.lines.filter((line) => line.startsWith("ann: "));
    const want = [`ann: ${largest}`, "ann: ann done"];
    assert.deepEqual(
      fromAnn.map(brief),
      want.map(brief),
      `${name} should show the 16384-byte message once, then "ann done"; ${room.describe()}`,
    );
    const got = [...fromAnn[0]!];
    const differs = [...want[0]!].findIndex((c, i) => got[i] !== c);
    assert.equal(
      differs,
      -1,
      `${name}: text differs from character ${differs}`,
    );
  }
  assert.deepEqual(ann.errors, ["Message is 16385 bytes, the limit is 16384"]);
  // That line never reached the room: ann's exit code says so.
  await quitAll(room, { ann: 1 });
});

/** A long line as its start and length, for readable failures. */
function brief(line: string): string {
  return `${line.slice(0, 12)}… (${line.length} UTF-16 units)`;
}

/** Text of exactly `bytes` UTF-8 bytes: distinct CJK ideographs, ASCII to fill. */
function cjkText(bytes: number): string {
  const ideographs = Math.floor(bytes / 3);
  let text = "";
  for (let i = 0; i < ideographs; i++) {
    text += String.fromCodePoint(0x4e00 + (i * 7) % 0x5000);
  }
  return text + "!".repeat(bytes - 3 * ideographs);
}
