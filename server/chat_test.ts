/**
 * Unit tests of the chat core with fake ports: every rule runs once
 * against a native member and once against a classic member, and both must
 * be treated exactly alike. No transport, no clock but `now`.
 */

import assert from "node:assert/strict";
import type { GoodbyeWhy, ServerEvent } from "../protocol/events.ts";
import { ChatCore, type ChatOptions } from "./chat.ts";
import { MAX_CLASSIC_TEXT_BYTES } from "./classic.ts";
import { MAX_HELD_LINES } from "./flood.ts";
import { type Claim, MemoryLog } from "./room_log.ts";
import type { LinkInfo, MemberPort, Outbound } from "./port.ts";

const NOW = 1_700_000_000_000;
const KINDS = ["native", "classic"] as const;

/** A member's port that keeps what it was given; `stuck` members never drain. */
class FakePort implements MemberPort {
  readonly events: ServerEvent[] = [];
  removed: { why: GoodbyeWhy; reason: string } | undefined;
  backlog = 0;
  readonly maxTextBytes: number | undefined;
  constructor(readonly kind: string, readonly stuck = false) {
    // As the classic engine says of its members.
    this.maxTextBytes = kind === "classic" ? MAX_CLASSIC_TEXT_BYTES : undefined;
  }
  deliver(outbound: Outbound): number {
    this.events.push(outbound.event);
    if (this.stuck) this.backlog++;
    return this.backlog;
  }
  remove(why: GoodbyeWhy, reason: string): void {
    this.removed = { why, reason };
  }
  describe(): LinkInfo {
    return { address: `${this.kind}:1`, rttMs: 7, lossPercent: 0 };
  }
  kinds(): string[] {
    return this.events.map((e) => e.kind);
  }
  texts(kind: ServerEvent["kind"]): string[] {
    return this.events.flatMap((e) =>
      e.kind === kind && "text" in e ? [e.text] : []
    );
  }
}

/** A room with one `watcher` (native) and one member of `kind` under test. */
function room(kind: string, options: ChatOptions = {}, stuck = false) {
  const chat = new ChatCore(options);
  const watcher = new FakePort("native");
  assert.ok(chat.admit(1, "watcher", "10.0.0.1", watcher, NOW).ok);
  const port = new FakePort(kind, stuck);
  const admitted = chat.admit(2, "tester", "10.0.0.2", port, NOW);
  assert.ok(admitted.ok);
  return { chat, watcher, port };
}

/** What `fn` did to a member of each kind, to compare. */
function sideBySide<T>(fn: (kind: string) => T): T[] {
  return KINDS.map((kind) => fn(kind));
}

Deno.test({
  name:
    "ChatCore holds a paste and lets it go at the rate, tells once, then kicks a flood and reports every held line, whatever the kind",
  permissions: "none",
  fn() {
    const [native, classic] = sideBySide((kind) => {
      const { chat, watcher, port } = room(kind, { rate: 5, burst: 10 });
      // A paste of 100 lines: 10 at once, the rest held, in order.
      for (let i = 0; i < 100; i++) {
        chat.request(2, { kind: "say", text: `line ${i}` }, NOW);
      }
      const heardAtOnce = watcher.texts("chat").length;
      for (let t = 10; t <= 18_000; t += 10) chat.tick(NOW + t);
      const heard = watcher.texts("chat");
      // A flood: past MAX_HELD_LINES held lines the member is out.
      for (let i = 0; i < MAX_HELD_LINES + 20; i++) {
        chat.request(2, { kind: "say", text: `more ${i}` }, NOW + 18_000);
      }
      const unsent = port.events.filter((e) => e.kind === "unsent");
      return {
        heardAtOnce,
        heard,
        notices: port.texts("notice"),
        unsent: unsent.length,
        removed: port.removed,
        left: watcher.events.filter((e) => e.kind === "left").length,
      };
    });
    assert.deepEqual(native, classic);
    assert.equal(native!.heardAtOnce, 10);
    assert.deepEqual(
      native!.heard,
      Array.from({ length: 100 }, (_, i) => `line ${i}`),
    );
    assert.equal(native!.notices.length, 2);
    assert.match(native!.notices[0]!, /Slow down/);
    assert.deepEqual(native!.removed, { why: "kicked", reason: "flooding" });
    // Every line it had held when it was kicked is reported, none lost silently.
    assert.ok(native!.unsent > MAX_HELD_LINES - 10, `${native!.unsent}`);
    assert.equal(native!.left, 1);
  },
});

Deno.test({
  name: "ChatCore carries out held lines before a leave that follows them",
  permissions: "none",
  fn() {
    const { chat, watcher, port } = room("native", { rate: 5, burst: 10 });
    for (let i = 0; i < 25; i++) {
      chat.request(2, { kind: "say", text: `l${i}` }, NOW);
    }
    chat.request(2, { kind: "leave", reason: "" }, NOW);
    assert.equal(port.removed, undefined);
    for (let t = 10; t <= 4000; t += 10) chat.tick(NOW + t);
    assert.equal(watcher.texts("chat").length, 25);
    assert.deepEqual(port.removed, { why: "left", reason: "" });
    assert.equal(port.events.filter((e) => e.kind === "unsent").length, 0);
  },
});

Deno.test({
  name:
    "ChatCore reports a muted member's line and a too-long classic line as not delivered",
  permissions: "none",
  fn() {
    const { chat, watcher, port } = room("classic");
    const long = "x".repeat(2000);
    chat.request(2, { kind: "say", text: long }, NOW);
    chat.mutes.mute("tester", NOW + 60_000, "", NOW);
    chat.request(2, { kind: "say", text: "hi" }, NOW);
    assert.deepEqual(watcher.texts("chat"), []);
    const reasons = port.events.flatMap((e) =>
      e.kind === "unsent" ? [e.reason] : []
    );
    assert.equal(reasons.length, 2);
    assert.match(reasons[0]!, /longer than 1024 bytes/);
    assert.match(reasons[1]!, /muted for 1 minute more/);
  },
});

Deno.test({
  name:
    "ChatCore lists every kind of member in /who with its link, idle since its own last line",
  permissions: "none",
  fn() {
    const [native, classic] = sideBySide((kind) => {
      const { chat, port } = room(kind);
      chat.request(2, { kind: "say", text: "hi" }, NOW + 5000);
      const who = chat.who(NOW + 65_000);
      chat.request(2, { kind: "who" }, NOW + 65_000);
      const reply = port.events.find((e) => e.kind === "who");
      return { who, reply };
    });
    assert.deepEqual(native!.who.entries.map((e) => e.name), [
      "watcher",
      "tester",
    ]);
    assert.equal(native!.who.entries[1]!.idleMs, 60_000);
    assert.equal(classic!.who.entries[1]!.idleMs, 60_000);
    assert.equal(native!.who.entries[1]!.address, "native:1");
    assert.equal(classic!.who.entries[1]!.address, "classic:1");
    assert.equal(native!.reply?.kind === "who" && native!.reply.total, 2);
    assert.equal(classic!.reply?.kind === "who" && classic!.reply.total, 2);
  },
});

Deno.test({
  name: "ChatCore kicks, bans and mutes members of every kind alike",
  permissions: "none",
  fn() {
    const [native, classic] = sideBySide((kind) => {
      const { chat, watcher, port } = room(kind);
      chat.mutes.mute("tester", NOW + 60_000, "", NOW);
      chat.request(2, { kind: "say", text: "muted line" }, NOW);
      const muted = port.events.flatMap((e) =>
        e.kind === "unsent" ? [e.reason] : []
      );
      chat.bans.ban("tester", "10.0.0.2", Infinity);
      chat.remove(2, "banned", "", NOW);
      const again = chat.admit(
        3,
        "tester",
        "10.0.0.2",
        new FakePort(kind),
        NOW,
      );
      const other = chat.admit(
        4,
        "newname",
        "10.0.0.2",
        new FakePort(kind),
        NOW,
      );
      return {
        muted,
        heard: watcher.texts("chat"),
        removed: port.removed,
        again: again.ok ? "admitted" : again.problem,
        other: other.ok ? "admitted" : other.problem,
        size: chat.room.size,
      };
    });
    assert.deepEqual(native, classic);
    assert.equal(native!.heard.length, 0);
    assert.match(native!.muted[0]!, /muted/);
    assert.deepEqual(native!.removed, { why: "banned", reason: "" });
    assert.deepEqual([native!.again, native!.other], ["banned", "banned"]);
    assert.equal(native!.size, 1);
  },
});

Deno.test({
  name:
    "ChatCore warns a member falling behind, then drops it as slow, whatever the kind",
  permissions: "none",
  fn() {
    const [native, classic] = sideBySide((kind) => {
      const { chat, port } = room(kind, { maxBacklog: 20, rate: 0 }, true);
      for (let i = 0; i < 30 && chat.has(2); i++) chat.admin(`line ${i}`, NOW);
      return {
        notices: port.texts("notice").length,
        removed: port.removed,
        member: chat.has(2),
      };
    });
    assert.deepEqual(native, classic);
    assert.equal(native!.notices, 1);
    assert.deepEqual(native!.removed, {
      why: "slow",
      reason: "too far behind",
    });
    assert.equal(native!.member, false);
  },
});

Deno.test({
  name:
    "ChatCore refuses past a kind's own limit, and counts capped kinds apart from the room's size",
  permissions: "none",
  fn() {
    const chat = new ChatCore({ maxMembers: 2, maxOfKind: { classic: 1 } });
    const admit = (id: number, kind: string) => {
      const result = chat.admit(
        id,
        `m${id}`,
        `10.0.0.${id}`,
        new FakePort(kind),
        NOW,
      );
      return result.ok ? "ok" : result.problem;
    };
    assert.deepEqual(
      [
        admit(1, "classic"),
        admit(2, "classic"),
        admit(3, "native"),
        admit(4, "native"),
        admit(5, "native"),
      ],
      // Forged classic logins never take a native member's place.
      ["ok", "full", "ok", "ok", "full"],
    );
    assert.equal(chat.count("classic"), 1);
    assert.equal(chat.count(), 3);
  },
});

Deno.test({
  name:
    "ChatCore keeps join rates per kind: classic logins never use up a native address's joins",
  permissions: "none",
  fn() {
    const chat = new ChatCore({ joinRate: 1 });
    const results: string[] = [];
    for (let id = 1; id <= 5; id++) {
      const r = chat.admit(
        id,
        `c${id}`,
        "10.0.0.9",
        new FakePort("classic"),
        NOW,
      );
      results.push(r.ok ? "ok" : r.problem);
    }
    const native = chat.admit(
      9,
      "nat",
      "10.0.0.9",
      new FakePort("native"),
      NOW,
    );
    assert.deepEqual(results, ["ok", "ok", "ok", "ok", "throttled"]);
    assert.ok(native.ok);
  },
});

Deno.test({
  name:
    "ChatCore.shutdown tells every member through its port and announces no leave",
  permissions: "none",
  fn() {
    const { chat, watcher, port } = room("classic");
    chat.shutdown("maintenance", NOW);
    assert.deepEqual(watcher.removed, {
      why: "closing",
      reason: "maintenance",
    });
    assert.deepEqual(port.removed, { why: "closing", reason: "maintenance" });
    assert.equal(watcher.events.filter((e) => e.kind === "left").length, 0);
    assert.equal(chat.count(), 0);
  },
});

Deno.test({
  name:
    "ChatCore gives a joiner limits and members, the others its join, each once",
  permissions: "none",
  fn() {
    const { watcher, port } = room("classic", { motd: "be kind" });
    assert.deepEqual(port.kinds(), ["limits", "members", "motd"]);
    assert.deepEqual(watcher.kinds(), ["limits", "members", "motd", "joined"]);
  },
});

Deno.test({
  name:
    "ChatCore admission may complete later: a log that has not decided a name yet leaves the join pending, and a retry admits it",
  permissions: "none",
  fn() {
    // A shared log answers "pending" until it has heard back (as Redis would).
    class SlowLog extends MemoryLog {
      decided = false;
      override claim(key: string, id: number): Claim {
        return this.decided ? super.claim(key, id) : "pending";
      }
    }
    const log = new SlowLog();
    const chat = new ChatCore({}, () => {}, undefined, log);
    const port = new FakePort("native");
    const first = chat.admit(1, "ann", "10.0.0.1", port, NOW);
    assert.deepEqual(first.ok ? "ok" : first.problem, "pending");
    assert.equal(chat.count(), 0);
    assert.deepEqual(port.events, []);
    log.decided = true;
    assert.ok(chat.admit(1, "ann", "10.0.0.1", port, NOW + 250).ok);
    assert.equal(chat.count(), 1);
  },
});

Deno.test({
  name:
    "ChatCore removes a whole room of slow members in a loop, not a recursion as deep as the room",
  permissions: "none",
  fn() {
    // Announcing every leave (announceLimit 0): each removal finds the next.
    const chat = new ChatCore({ maxBacklog: 1, announceLimit: 0, rate: 0 });
    const count = 10_000;
    for (let id = 1; id <= count; id++) {
      chat.admit(id, `m${id}`, "10.0.0.1", new FakePort("native", true), NOW);
    }
    chat.admin("hi", NOW);
    assert.equal(chat.count(), 0);
    assert.equal(chat.room.size, 0);
  },
});
