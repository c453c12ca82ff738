import assert from "node:assert/strict";
import { formatDuration } from "./duration.ts";

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

Deno.test({
  name:
    "formatDuration() writes durations as people do, in English and Chinese",
  permissions: "none",
  fn() {
    const cases: Array<[number, string, string]> = [
      [45 * S, "45s", "45秒"],
      [1 * S, "1s", "1秒"],
      [0, "1s", "1秒"],
      [400, "1s", "1秒"],
      [59_001, "1 minute", "1分钟"],
      [M, "1 minute", "1分钟"],
      [10 * M, "10 minutes", "10分钟"],
      [9 * M + 54 * S, "9m 54s", "9分54秒"],
      [9 * M + 53_200, "9m 54s", "9分54秒"],
      [H, "1 hour", "1小时"],
      [2 * H, "2 hours", "2小时"],
      [H + 30 * M, "1h 30m", "1小时30分钟"],
      [D, "1 day", "1天"],
      [3 * D, "3 days", "3天"],
      [D + 2 * H, "1d 2h", "1天2小时"],
    ];
    for (const [ms, en, zh] of cases) {
      assert.equal(formatDuration(ms), en, `${ms} ms in English`);
      assert.equal(formatDuration(ms, "en"), en);
      assert.equal(formatDuration(ms, "zh"), zh, `${ms} ms in Chinese`);
    }
  },
});
