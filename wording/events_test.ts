import assert from "node:assert/strict";
import type { ServerEvent, WhoEntry } from "../protocol/events.ts";
import {
  clock,
  fit,
  formatEvent,
  historyStamp,
  shortDuration,
} from "./events.ts";
import { ZH } from "./i18n.ts";
import { displayWidth } from "./sanitize.ts";

const TIME = new Date(2025, 0, 15, 9, 5).getTime();
const at = { id: 7, time: TIME };

function texts(event: ServerEvent, zh = false): string[] {
  return formatEvent(event, { t: zh ? ZH : undefined, now: TIME })
    .map((l) => l.text);
}

Deno.test({
  name: "formatEvent() keeps the English lines of the core chat",
  permissions: "none",
  fn() {
    assert.deepEqual(texts({ kind: "chat", ...at, from: "bob", text: "hi" }), [
      "bob: hi",
    ]);
    assert.deepEqual(texts({ kind: "joined", ...at, name: "bob" }), [
      "bob joined",
    ]);
    const left = { kind: "left", ...at, name: "bob", reason: "" } as const;
    assert.deepEqual(texts({ ...left, why: "left" }), ["bob left"]);
    assert.deepEqual(texts({ ...left, why: "timeout" }), ["bob timed out"]);
    assert.deepEqual(texts({ kind: "admin", ...at, text: "hush" }), [
      "[admin] hush",
    ]);
    assert.deepEqual(
      texts({ kind: "members", total: 2, names: ["a", "b"] }),
      ["Members (2): a, b"],
    );
    assert.deepEqual(texts({ kind: "goodbye", why: "left", reason: "" }), [
      "Goodbye! You left the room",
    ]);
  },
});

Deno.test({
  name: "formatEvent() shows actions, private messages, nick and away changes",
  permissions: "none",
  fn() {
    assert.deepEqual(
      texts({ kind: "action", ...at, from: "bob", text: "waves" }),
      [
        "* bob waves",
      ],
    );
    assert.deepEqual(
      texts({ kind: "private", ...at, from: "bob", to: "al", text: "psst" }),
      ["[private] bob: psst"],
    );
    assert.deepEqual(texts({ kind: "nick", ...at, from: "bob", to: "rob" }), [
      "bob is now known as rob",
    ]);
    assert.deepEqual(
      texts({ kind: "away", ...at, name: "bob", reason: "tea" }),
      [
        "bob is away: tea",
      ],
    );
    assert.deepEqual(texts({ kind: "away", ...at, name: "bob", reason: "" }), [
      "bob is back",
    ]);
    assert.deepEqual(texts({ kind: "motd", text: "be kind" }), [
      "Message of the day: be kind",
    ]);
    assert.deepEqual(texts({ kind: "limits", burst: 10, perSecond: 5 }), []);
  },
});

Deno.test({
  name: "formatEvent() marks history with its original time",
  permissions: "none",
  fn() {
    const chat = { kind: "chat", ...at, from: "bob", text: "hi" } as const;
    const [line] = formatEvent({ kind: "history", event: chat }, { now: TIME });
    assert.equal(line!.text, "[history 09:05] bob: hi");
    assert.equal(line!.history, true);
    assert.equal(line!.from, "bob");
    assert.deepEqual(texts({ kind: "history", event: chat }, true), [
      "[历史 09:05] bob说: hi",
    ]);
    const later = TIME + 2 * 86_400_000;
    assert.equal(historyStamp(TIME, later), "01-15 09:05");
    assert.equal(historyStamp(TIME, TIME + 60_000), "09:05");
    assert.equal(clock(TIME), "09:05");
  },
});

Deno.test({
  name: "formatEvent() words every room event in Chinese with --lang zh",
  permissions: "none",
  fn() {
    assert.deepEqual(texts({ kind: "joined", ...at, name: "小明" }, true), [
      "小明进入了聊天室",
    ]);
    assert.deepEqual(
      texts(
        { kind: "left", ...at, name: "小明", why: "left", reason: "" },
        true,
      ),
      ["小明退出了聊天室"],
    );
    assert.deepEqual(
      texts({ kind: "chat", ...at, from: "小明", text: "你好" }, true),
      ["小明说: 你好"],
    );
    assert.deepEqual(texts({ kind: "admin", ...at, text: "安静" }, true), [
      "管理员说: 安静",
    ]);
    assert.deepEqual(
      texts(
        { kind: "private", ...at, from: "小红", to: "x", text: "嗨" },
        true,
      ),
      ["小红悄悄对你说: 嗨"],
    );
  },
});

Deno.test({
  name: "formatEvent() sanitises every remote string",
  permissions: "none",
  fn() {
    const [text] = texts({
      kind: "chat",
      ...at,
      from: "bob",
      text: "\x1b[2Jgone\nforged: line",
    });
    assert.equal(text, "bob: \uFFFDgone\u23CEforged: line");
    const [who] = texts({
      kind: "who",
      total: 1,
      entries: [entry("eve", "\x1b]0;pwned\x07")],
    }).slice(2);
    assert.ok(!who!.includes("\x1b") && !who!.includes("\x07"), who);
  },
});

function entry(name: string, away = "", idleMs = 0): WhoEntry {
  return { name, idleMs, rttMs: 12, lossPercent: 3, away };
}

Deno.test({
  name: "formatEvent() shows /who as a table that fits 80 columns",
  permissions: "none",
  fn() {
    const lines = texts({
      kind: "who",
      total: 3,
      entries: [
        entry("alice", "", 5_000),
        entry("小明同学", "在开会，" + "很长的理由".repeat(20), 7_200_000),
        entry("x".repeat(32), "lunch " + "y".repeat(100), 90_000),
      ],
    });
    assert.equal(lines[0], "3 members here:");
    assert.match(lines[1]!, /^ {2}NAME +IDLE +RTT +LOSS +AWAY$/);
    assert.match(lines[2]!, /^ {2}alice +5s +12ms +3%$/);
    assert.match(lines[3]!, /^ {2}小明同学 +2h +12ms +3% +在开会，.*…$/);
    assert.match(lines[4]!, /^ {2}x{19}… +1m/);
    for (const line of lines) assert.ok(displayWidth(line) <= 80, line);
    // Columns line up whatever the names' widths.
    const rtt = lines.slice(1).map((l) => displayWidth(l.split("ms")[0]!));
    assert.equal(new Set(rtt.slice(1)).size, 1);
  },
});

Deno.test({
  name: "shortDuration() and fit() keep table cells short",
  permissions: "none",
  fn() {
    assert.deepEqual(
      [0, 59_999, 60_000, 3_600_000, 90_000_000].map(shortDuration),
      ["0s", "59s", "1m", "1h", "1d"],
    );
    assert.equal(fit("abcdef", 4), "abc…");
    assert.equal(fit("abc", 4), "abc");
    assert.equal(fit("你好世界", 5), "你好…");
  },
});

Deno.test({
  name:
    "formatEvent() words a mute (with its duration as people write it) and a leave with a reason, in English and Chinese",
  permissions: "none",
  fn() {
    const cases: Array<[ServerEvent, string, string]> = [
      [
        { kind: "muted", ms: 594_000, reason: "spam" },
        "You are muted for 9m 54s: your lines will not be delivered — spam",
        "你被禁言9分54秒，期间的消息不会送达。原因: spam",
      ],
      [
        { kind: "muted", ms: 60_000, reason: "" },
        "You are muted for 1 minute: your lines will not be delivered",
        "你被禁言1分钟，期间的消息不会送达",
      ],
      [
        { kind: "muted", ms: 0, reason: "" },
        "You are no longer muted; you may speak again",
        "禁言已解除，你可以发言了",
      ],
      [
        { kind: "left", ...at, name: "bob", why: "left", reason: "lunch" },
        "bob left (lunch)",
        "bob退出了聊天室，原因: lunch",
      ],
      [
        {
          kind: "left",
          ...at,
          name: "bob",
          why: "left",
          reason: "\x1b[2Jx",
        },
        "bob left (\ufffdx)",
        "bob退出了聊天室，原因: \ufffdx",
      ],
    ];
    for (const [event, en, zh] of cases) {
      assert.deepEqual(texts(event), [en]);
      assert.deepEqual(texts(event, true), [zh]);
    }
  },
});
