import { strictEqual } from "node:assert/strict";
import { TokenBucket } from "./bucket.ts";

Deno.test({
  name: "TokenBucket.take() allows a burst, then the rate",
  permissions: "none",
  fn() {
    const bucket = new TokenBucket(10, 5, 0);
    for (let i = 0; i < 10; i++) {
      strictEqual(bucket.take(0), true, `token ${i}`);
    }
    strictEqual(bucket.take(0), false);
    strictEqual(bucket.nextAt(0), 200);
    strictEqual(bucket.take(199), false);
    strictEqual(bucket.take(200), true);
    strictEqual(bucket.take(10_000), true);
    let taken = 0;
    while (bucket.take(10_000)) taken++;
    strictEqual(taken, 9, "refills up to the burst only");
  },
});

Deno.test({
  name: "TokenBucket with perSecond 0 is unlimited",
  permissions: "none",
  fn() {
    const bucket = new TokenBucket(1, 0, 0);
    for (let i = 0; i < 1000; i++) strictEqual(bucket.take(0), true);
    strictEqual(bucket.nextAt(5), 5);
  },
});
