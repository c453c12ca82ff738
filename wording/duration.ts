/**
 * How long something lasts, written as people write it: "45s", "9m 54s",
 * "1 minute", "2 hours", "1h 30m", in English and in Chinese. One place,
 * so the console, the bans, mutes and the members all say it alike.
 * @module
 */

import type { Lang } from "./i18n.ts";

const UNITS = [
  { ms: 86_400_000, short: "d", word: "day", zh: "天" },
  { ms: 3_600_000, short: "h", word: "hour", zh: "小时" },
  { ms: 60_000, short: "m", word: "minute", zh: "分钟" },
  { ms: 1000, short: "s", word: "second", zh: "秒" },
] as const;

/**
 * `ms` rounded up to the second: a whole number of minutes, hours or days
 * in words ("1 minute", "2 hours"), otherwise its two largest units
 * ("9m 54s", "1h 30m") or seconds alone ("45s"). Never "0s": a moment
 * left is "1s".
 */
export function formatDuration(ms: number, lang: Lang = "en"): string {
  let left = Math.max(1, Math.ceil(ms / 1000)) * 1000;
  const parts: Array<{ n: number; unit: (typeof UNITS)[number] }> = [];
  for (const unit of UNITS) {
    const n = Math.floor(left / unit.ms);
    if (n === 0 && parts.length === 0) continue;
    parts.push({ n, unit });
    left -= n * unit.ms;
    if (parts.length === 2) break;
  }
  const [first, second] = parts as [(typeof parts)[number], ...typeof parts];
  const whole = (second === undefined || second.n === 0) && left === 0;
  if (lang === "zh") {
    // Chinese writes a minute count with 分 when seconds follow ("9分54秒").
    if (whole) return `${first.n}${first.unit.zh}`;
    return parts.filter((p) => p.n > 0).map((p, i) =>
      `${p.n}${i === 0 && p.unit.short === "m" ? "分" : p.unit.zh}`
    ).join("");
  }
  if (whole && first.unit.short !== "s") {
    return `${first.n} ${first.unit.word}${first.n === 1 ? "" : "s"}`;
  }
  return parts.filter((p) => p.n > 0).map((p) => `${p.n}${p.unit.short}`)
    .join(" ");
}
