import assert from "node:assert/strict";
import { JoinLimits, MAX_JOIN_BUCKETS } from "./join_limits.ts";

const NOW = 1_700_000_000_000;

Deno.test({
  name:
    "JoinLimits: a flood of new addresses cannot wipe the bucket of an address in use",
  permissions: "none",
  fn() {
    const limits = new JoinLimits(10, 10_000, {});
    // Drain 10.0.0.1's bucket (a burst of 40).
    let admitted = 0;
    while (limits.allowed("native", "10.0.0.1", NOW)) admitted++;
    assert.equal(admitted, 40);
    // Twice the map's size in junk joins from distinct forged addresses
    // over two seconds, and nothing from 10.0.0.1 meanwhile.
    const junk = MAX_JOIN_BUCKETS * 2;
    for (let i = 0; i < junk; i++) {
      limits.allowed("native", `junk-${i}`, NOW + (2000 * i) / junk);
    }
    // Refill alone allows about 20 more after 2 s, not another burst of 40.
    let later = 0;
    for (let i = 0; i < 40; i++) {
      if (limits.allowed("native", "10.0.0.1", NOW + 2000)) later++;
    }
    assert.ok(later <= 21, `${later} joins admitted after the flood`);
  },
});

Deno.test({
  name: "JoinLimits keeps the join rate of each kind apart",
  permissions: "none",
  fn() {
    const limits = new JoinLimits(1, 10_000, {});
    for (let i = 0; i < 4; i++) limits.allowed("classic", "10.0.0.1", NOW);
    assert.equal(limits.allowed("classic", "10.0.0.1", NOW), false);
    assert.equal(limits.allowed("native", "10.0.0.1", NOW), true);
  },
});
