/**
 * Tests of the server's journal: replaying its JSON lines (torn and foreign
 * lines skipped), compaction, batching into one write per flush, and
 * reopening a closed journal. File tests work in a fresh temporary
 * directory each and remove it afterwards.
 */

import assert from "node:assert/strict";
import { isDeepStrictEqual } from "node:util";
import type { RoomEvent } from "../protocol/events.ts";
import {
  Journal,
  type JournalState,
  replay,
  RESTART_ID_MARGIN,
} from "./journal.ts";
import type { LogEntry } from "./room_log.ts";

const T = 1_774_000_000_000;

function token(seed: number): Uint8Array {
  return Uint8Array.from({ length: 16 }, (_, i) => (seed * 31 + i * 17) & 0xff);
}

function hexOf(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function chat(id: number, text = `line ${id}`): RoomEvent {
  return { kind: "chat", id, time: T + id, from: "alice", text };
}

function joined(id: number, name: string): RoomEvent {
  return { kind: "joined", id, time: T + id, name };
}

/** A logged event that went to everyone. */
function toAll(event: RoomEvent): LogEntry {
  return { to: "all", event };
}

/** Journal text: one JSON object per line, as the journal writes them. */
function jsonLines(entries: readonly object[]): string {
  return entries.map((entry) => JSON.stringify(entry) + "\n").join("");
}

/** Runs `fn` with a fresh temporary directory, removed afterwards. */
async function inTempDir(fn: (dir: string) => void): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "udpchat_journal_test_" });
  try {
    fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Counts FsFile.writeSync calls (and their bytes) while `fn` runs. */
function countWrites(fn: () => void): number[] {
  const writes: number[] = [];
  const original = Deno.FsFile.prototype.writeSync;
  Deno.FsFile.prototype.writeSync = function (this: Deno.FsFile, p) {
    const n = original.call(this, p);
    writes.push(n);
    return n;
  };
  try {
    fn();
  } finally {
    Deno.FsFile.prototype.writeSync = original;
  }
  return writes;
}

const EMPTY: JournalState = {
  salt: undefined,
  lastId: 0,
  events: [],
  members: [],
};

/** A journal's worth of lines: joins, progress, a departure, events. */
const HISTORY = [
  { t: "last", id: 5 },
  { t: "member", id: 1, token: hexOf(token(1)), name: "alice" },
  { t: "next", id: 1, next: 0 },
  { t: "member", id: 2, token: hexOf(token(2)), name: "bob" },
  { t: "event", event: chat(6) },
  { t: "next", id: 1, next: 3 },
  { t: "next", id: 2, next: 1 },
  { t: "gone", id: 2 },
  { t: "next", id: 9, next: 4 },
  { t: "member", id: 3, token: hexOf(token(3)), name: "小明" },
  { t: "event", event: joined(7, "小明"), x: 3 },
  {
    t: "event",
    event: {
      kind: "private",
      id: 8,
      time: T,
      from: "alice",
      to: "小明",
      text: "psst",
    },
    to: 3,
  },
  { t: "next", id: 1, next: 4 },
];

const HISTORY_STATE: JournalState = {
  salt: undefined,
  lastId: 8,
  events: [
    { to: "all", event: chat(6) },
    { to: "all", except: 3, event: joined(7, "小明") },
    {
      to: 3,
      event: {
        kind: "private",
        id: 8,
        time: T,
        from: "alice",
        to: "小明",
        text: "psst",
      },
    },
  ],
  members: [
    { id: 1, token: token(1), name: "alice", next: 4 },
    { id: 3, token: token(3), name: "小明", next: 0 },
  ],
};

Deno.test({
  name:
    "replay() rebuilds members, their next seq, departures, events and lastId",
  permissions: "none",
  fn() {
    assert.deepStrictEqual(replay(jsonLines(HISTORY), 1024), HISTORY_STATE);
  },
});

Deno.test({
  name: "replay() of empty text is the empty state",
  permissions: "none",
  fn() {
    assert.deepStrictEqual(replay("", 1024), EMPTY);
  },
});

Deno.test({
  name: "replay() keeps the last logSize events but counts every id in lastId",
  permissions: "none",
  fn() {
    const entries = Array.from(
      { length: 10 },
      (_, i) => ({ t: "event", event: chat(i + 1) }),
    );
    const state = replay(jsonLines(entries), 3);
    assert.deepStrictEqual(
      state.events,
      [chat(8), chat(9), chat(10)].map(toAll),
    );
    assert.equal(state.lastId, 10);
    assert.deepStrictEqual(replay(jsonLines(entries), 0).events, []);
  },
});

Deno.test({
  name: "replay() takes lastId from a last entry beyond every event",
  permissions: "none",
  fn() {
    const text = jsonLines([
      { t: "event", event: chat(3) },
      { t: "last", id: 40 },
      { t: "last", id: 12 },
    ]);
    assert.equal(replay(text, 10).lastId, 40);
  },
});

Deno.test({
  name: "replay() restores the room's salt",
  permissions: "none",
  fn() {
    const salt = token(9);
    const state = replay(jsonLines([{ t: "salt", salt: hexOf(salt) }]), 10);
    assert.deepStrictEqual(state.salt, salt);
  },
});

Deno.test({
  name: "replay() skips a torn last line",
  permissions: "none",
  fn() {
    const whole = jsonLines(HISTORY);
    const torn = JSON.stringify({ t: "event", event: chat(8) });
    // A write cut anywhere inside the last line (never at its newline).
    for (let cut = 1; cut < torn.length; cut++) {
      const state = replay(whole + torn.slice(0, cut), 1024);
      assert.deepStrictEqual(state, HISTORY_STATE, `cut after ${cut} bytes`);
    }
  },
});

Deno.test({
  name: "replay() skips lines that are not JSON, or not journal entries",
  permissions: "none",
  fn() {
    const garbage = [
      "",
      "   ",
      "not json",
      "\u0000\u0000\u0000",
      "{",
      '{"t":"member",',
      "42",
      "null",
      "true",
      '"member"',
      "[]",
      '[{"t":"gone","id":1}]',
      "{}",
      '{"t":"unknown","id":1}',
      '{"t":"event"}',
      '{"t":"event","event":null}',
      '{"t":"event","event":{"kind":"chat","text":"no id"}}',
      '{"t":"next","id":99,"next":5}',
      '{"t":"gone","id":99}',
    ];
    const lines = jsonLines(HISTORY).split("\n");
    // Each garbage line between every two real ones, and at the end.
    const text =
      lines.flatMap((line, i) => [line, garbage[i % garbage.length]!])
        .join("\n") + "\n" + garbage.join("\n");
    assert.deepStrictEqual(replay(text, 1024), HISTORY_STATE);
  },
});

Deno.test({
  name:
    "replay() applies new names and away messages to the members they name, and keeps the last moderation line",
  permissions: "none",
  fn() {
    const room = (motd: string, until: number | null) => ({
      t: "room",
      bans: { names: [["eve", until]], addresses: [], linked: [] },
      mutes: [["alice", T + 1]],
      motd,
    });
    const text = jsonLines([
      ...HISTORY,
      { t: "name", id: 1, name: "alicia" },
      { t: "away", id: 3, reason: "lunch" },
      { t: "name", id: 77, name: "nobody" },
      { t: "away", id: 2, reason: "gone already" },
      room("first", T),
      room("second", null),
    ]);
    const state = replay(text, 1024);
    assert.deepStrictEqual(state.members, [
      { ...HISTORY_STATE.members[0]!, name: "alicia" },
      { ...HISTORY_STATE.members[1]!, away: "lunch" },
    ]);
    assert.deepStrictEqual(state.moderation, {
      bans: { names: [["eve", Infinity]], addresses: [], linked: [] },
      mutes: [["alice", T + 1]],
      motd: "second",
    });
  },
});

Deno.test({
  name: "replay() skips JSON lines whose fields are missing or mistyped",
  permissions: "none",
  fn() {
    // Documented: "a torn or foreign line is skipped". Each of these is
    // valid JSON with a known "t" but a missing or mistyped field, as a
    // foreign writer or a damaged disk block could leave it. A throw here
    // makes Journal.open() throw, so `serve --state` cannot start; a kept
    // `next: "x"` makes the ServerCore constructor throw a RangeError.
    const foreign = [
      '{"t":"member","id":4}',
      '{"t":"member","id":4,"token":7,"name":"x"}',
      '{"t":"member","id":4,"token":"zz","name":"x"}',
      '{"t":"salt"}',
      '{"t":"last","id":"x"}',
      '{"t":"next","id":1,"next":"x"}',
      '{"t":"event","event":{"id":9}}',
      '{"t":"member","id":4,"token":"00000000000000000000000000000000","name":"x","after":-1}',
      '{"t":"name","id":1}',
      '{"t":"name","id":-1,"name":"x"}',
      '{"t":"away","id":1,"reason":7}',
      `{"t":"away","id":1,"reason":"${"x".repeat(1025)}"}`,
      '{"t":"room"}',
      '{"t":"room","bans":null,"mutes":[],"motd":""}',
      '{"t":"room","bans":{"names":[],"addresses":[]},"mutes":[],"motd":""}',
      '{"t":"room","bans":{"names":[["x"]],"addresses":[],"linked":[]},"mutes":[],"motd":""}',
      '{"t":"room","bans":{"names":[["x","soon"]],"addresses":[],"linked":[]},"mutes":[],"motd":""}',
      '{"t":"room","bans":{"names":[["x",-5]],"addresses":[],"linked":[]},"mutes":[],"motd":""}',
      '{"t":"room","bans":{"names":[],"addresses":[[1,null]],"linked":[]},"mutes":[],"motd":""}',
      '{"t":"room","bans":{"names":[],"addresses":[],"linked":[["x",null]]},"mutes":[],"motd":""}',
      '{"t":"room","bans":{"names":[],"addresses":[],"linked":[]},"mutes":[["x",null]],"motd":""}',
      '{"t":"room","bans":{"names":[],"addresses":[],"linked":[]},"mutes":{},"motd":""}',
      `{"t":"room","bans":{"names":[],"addresses":[],"linked":[]},"mutes":[],"motd":"${
        "x".repeat(16_385)
      }"}`,
      '{"t":"room","bans":{"names":[],"addresses":[],"linked":[]},"mutes":[],"motd":7}',
    ];
    const base = jsonLines(HISTORY);
    const problems = foreign.flatMap((line) => {
      try {
        const state = replay(base + line + "\n", 1024);
        const changed = differences(state, HISTORY_STATE);
        return changed === "" ? [] : [`${line} → kept: ${changed}`];
      } catch (error) {
        return [`${line} → throws ${error}`];
      }
    });
    assert.deepStrictEqual(problems, []);
  },
});

/** What `actual` has that `expected` has not, briefly. */
function differences(actual: JournalState, expected: JournalState): string {
  const show = (v: unknown) =>
    JSON.stringify(
      v,
      (_, x) =>
        x instanceof Uint8Array ? `<${hexOf(x)}>` : Number.isNaN(x) ? "NaN" : x,
    );
  const keys = new Set([...Object.keys(actual), ...Object.keys(expected)]);
  return [...keys].flatMap((key) => {
    const a = actual[key as keyof JournalState];
    const e = expected[key as keyof JournalState];
    if (isDeepStrictEqual(a, e)) return [];
    if (!Array.isArray(a) || !Array.isArray(e)) return [`${key} ${show(a)}`];
    const extra = a.filter((x) => !e.some((y) => isDeepStrictEqual(x, y)));
    return [`${key} ${show(extra)}`];
  }).join(", ");
}

Deno.test({
  name: "Journal.open() on a missing file starts empty and creates the file",
  permissions: { read: true, write: true },
  async fn() {
    await inTempDir((dir) => {
      const path = `${dir}/state.jsonl`;
      const { journal, state } = Journal.open(path, 1024);
      journal.close();
      assert.deepStrictEqual(state, EMPTY);
      assert.deepStrictEqual(replay(Deno.readTextFileSync(path), 1024), EMPTY);
    });
  },
});

Deno.test({
  name:
    "Journal.open() compacts to live members, their next seq, the last logSize events and lastId",
  permissions: { read: true, write: true },
  async fn() {
    await inTempDir((dir) => {
      const path = `${dir}/state.jsonl`;
      const salt = token(9);
      const events = Array.from(
        { length: 50 },
        (_, i) => ({ t: "event", event: chat(i + 1) }),
      );
      Deno.writeTextFileSync(
        path,
        jsonLines([{ t: "salt", salt: hexOf(salt) }, ...HISTORY, ...events]) +
          '{"t":"next","id":1,', // torn
      );
      const { journal, state } = Journal.open(path, 4);
      journal.close();
      const expected: JournalState = {
        salt,
        lastId: 50 + RESTART_ID_MARGIN,
        events: [47, 48, 49, 50].map((id) => toAll(chat(id))),
        members: HISTORY_STATE.members,
      };
      assert.deepStrictEqual(state, expected);
      const text = Deno.readTextFileSync(path);
      assert.deepStrictEqual(replay(text, 4), expected);
      // last, salt, two lines per member, the kept events: nothing else.
      assert.equal(text.split("\n").length - 1, 1 + 1 + 2 * 2 + 4);
      if (Deno.build.os !== "windows") {
        // Tokens are secrets: only the server's user may read the journal.
        assert.equal(Deno.statSync(path).mode! & 0o777, 0o600);
      }
      assert.ok(text.endsWith("\n"));
      assert.deepStrictEqual(
        [...Deno.readDirSync(dir)].map((e) => e.name),
        ["state.jsonl"],
      );
    });
  },
});

Deno.test({
  name: "Journal.compact() rewrites the file to hold just the given state",
  permissions: { read: true, write: true },
  async fn() {
    await inTempDir((dir) => {
      const path = `${dir}/state.jsonl`;
      const { journal } = Journal.open(path, 1024);
      for (let id = 1; id <= 20; id++) journal.event(toAll(chat(id)));
      journal.member(1, token(1), "alice");
      journal.flush();
      journal.member(2, token(2), "bob"); // gathered, never flushed
      const state: JournalState = {
        lastId: 20,
        events: [toAll(chat(20))],
        members: [{ id: 1, token: token(1), name: "alice", next: 7 }],
      };
      journal.compact(state);
      journal.close();
      assert.deepStrictEqual(replay(Deno.readTextFileSync(path), 1024), {
        salt: undefined,
        ...state,
      });
    });
  },
});

Deno.test({
  name:
    "Journal.compact() keeps the room's moderation, where members joined and their away messages",
  permissions: { read: true, write: true },
  async fn() {
    await inTempDir((dir) => {
      const path = `${dir}/state.jsonl`;
      const { journal } = Journal.open(path, 1024);
      const state: JournalState = {
        lastId: 9,
        events: [],
        members: [{
          id: 1,
          token: token(1),
          name: "alice",
          next: 2,
          joinedAfter: 4,
          away: "lunch",
        }],
        moderation: {
          bans: {
            names: [["eve", Infinity], ["mallory", T]],
            addresses: [["10.0.0.9", T]],
            linked: [["mallory", "10.0.0.9"]],
          },
          mutes: [["bob", T + 5]],
          motd: "be kind",
        },
      };
      journal.compact(state);
      journal.close();
      assert.deepStrictEqual(replay(Deno.readTextFileSync(path), 1024), {
        salt: undefined,
        ...state,
      });
    });
  },
});

Deno.test({
  name:
    "Journal.wantsCompaction turns true after 20,000 entries, false after compact()",
  permissions: { read: true, write: true },
  async fn() {
    await inTempDir((dir) => {
      const { journal } = Journal.open(`${dir}/state.jsonl`, 1024);
      for (let i = 0; i < 19_999; i++) journal.processed(1, i);
      assert.equal(journal.wantsCompaction, false);
      journal.processed(1, 19_999);
      assert.equal(journal.wantsCompaction, true);
      journal.compact(EMPTY);
      assert.equal(journal.wantsCompaction, false);
      journal.close();
    });
  },
});

Deno.test({
  name:
    "Journal.flush() writes everything gathered in one write, and nothing is written before",
  permissions: { read: true, write: true },
  async fn() {
    await inTempDir((dir) => {
      const path = `${dir}/state.jsonl`;
      const { journal } = Journal.open(path, 1024);
      const opened = Deno.readTextFileSync(path);
      const writes = countWrites(() => {
        journal.member(1, token(1), "alice");
        journal.processed(1, 3);
        journal.event(toAll(chat(1, "x".repeat(16_000))));
        journal.event({ to: 1, event: chat(2) });
        journal.event({ to: "all", except: 1, event: chat(3) });
        journal.gone(1);
      });
      assert.deepStrictEqual(writes, [], "nothing written before flush");
      assert.equal(Deno.readTextFileSync(path), opened);
      const flushed = countWrites(() => journal.flush());
      const text = Deno.readTextFileSync(path);
      assert.deepStrictEqual(flushed, [
        new TextEncoder().encode(text).byteLength -
        new TextEncoder().encode(opened).byteLength,
      ]);
      assert.deepStrictEqual(replay(text, 1024), {
        salt: undefined,
        lastId: 3,
        events: [
          toAll(chat(1, "x".repeat(16_000))),
          { to: 1, event: chat(2) },
          { to: "all", except: 1, event: chat(3) },
        ],
        members: [],
      });
      assert.deepStrictEqual(countWrites(() => journal.flush()), []);
      journal.close();
    });
  },
});

Deno.test({
  name: "Journal.close() flushes, and reopening sees the same state",
  permissions: { read: true, write: true },
  async fn() {
    await inTempDir((dir) => {
      const path = `${dir}/state.jsonl`;
      const first = Journal.open(path, 3);
      first.journal.salt(token(9));
      first.journal.member(1, token(1), "alice");
      first.journal.member(2, token(2), "bob");
      first.journal.flush();
      const entries = [1, 2, 3, 4].map((id) => toAll(chat(id)));
      for (const entry of entries) first.journal.event(entry);
      first.journal.processed(2, 5);
      first.journal.gone(1);
      first.journal.close();
      const expected: JournalState = {
        salt: token(9),
        lastId: 4 + RESTART_ID_MARGIN,
        events: entries.slice(1),
        members: [{ id: 2, token: token(2), name: "bob", next: 5 }],
      };
      const second = Journal.open(path, 3);
      second.journal.close();
      assert.deepStrictEqual(second.state, expected);
      // Opening compacted the file: a third opening sees the same, numbering
      // on past one more margin.
      const third = Journal.open(path, 3);
      third.journal.close();
      assert.deepStrictEqual(third.state, {
        ...expected,
        lastId: expected.lastId + RESTART_ID_MARGIN,
      });
    });
  },
});

/** The first id a classic member gets (`server/classic.ts`). */
const CLASSIC_ID = 2 ** 32;

Deno.test({
  name:
    "replay() keeps every event to or except a classic member (ids of 2^32 and up)",
  permissions: "none",
  fn() {
    const lines = [
      { t: "event", event: joined(1, "bob") },
      { t: "event", event: chat(2, "hi"), x: CLASSIC_ID },
      { t: "event", event: chat(3, "to bob"), to: CLASSIC_ID + 1 },
      { t: "event", event: chat(4, "again"), x: Number.MAX_SAFE_INTEGER },
    ];
    const state = replay(jsonLines(lines), 1024);
    assert.deepStrictEqual(state.events.map((e) => e.event.id), [1, 2, 3, 4]);
    assert.equal(state.lastId, 4);
    assert.deepStrictEqual(state.events[1], {
      to: "all",
      except: CLASSIC_ID,
      event: chat(2, "hi"),
    });
    assert.deepStrictEqual(state.events[2], {
      to: CLASSIC_ID + 1,
      event: chat(3, "to bob"),
    });
  },
});

Deno.test({
  name:
    "replay() skips events whose time no member could show, and member ids that are not safe integers",
  permissions: "none",
  fn() {
    const bad = [
      { t: "event", event: { ...chat(9), time: 1e300 } },
      { t: "event", event: { ...chat(9), time: -1 } },
      { t: "event", event: { ...chat(9), time: 8.64e15 + 1 } },
      { t: "event", event: chat(9), x: 2 ** 53 },
      { t: "event", event: chat(9), to: -1 },
      { t: "event", event: chat(9), to: 1.5 },
      { t: "next", id: 1, next: 5, pn: -1 },
    ];
    for (const line of bad) {
      const state = replay(jsonLines([...HISTORY, line]), 1024);
      assert.deepStrictEqual(state, HISTORY_STATE, JSON.stringify(line));
    }
  },
});

Deno.test({
  name:
    "Journal.open() continues event ids past the journal's last id, so a lost tail is never reused",
  permissions: { read: true, write: true },
  async fn() {
    await inTempDir((dir) => {
      const path = `${dir}/state.jsonl`;
      // Members saw events 1 to 12; the writes of 11 and 12 were lost.
      const kept = Array.from({ length: 10 }, (_, i) => ({
        t: "event",
        event: chat(i + 1),
      }));
      Deno.writeTextFileSync(path, jsonLines([{ t: "last", id: 0 }, ...kept]));
      const { journal, state, skipped } = Journal.open(path, 1024);
      journal.close();
      assert.ok(state.lastId > 12, `lastId ${state.lastId}`);
      assert.equal(state.lastId, 10 + RESTART_ID_MARGIN);
      assert.equal(skipped, 0);
    });
  },
});

Deno.test({
  name: "Journal.open() counts the lines it skipped",
  permissions: { read: true, write: true },
  async fn() {
    await inTempDir((dir) => {
      const path = `${dir}/state.jsonl`;
      Deno.writeTextFileSync(
        path,
        jsonLines([
          ...HISTORY,
          { t: "event", event: { ...chat(9), time: 1e300 } },
        ]) + "not json\n" + '{"t":"next","id":1,',
      );
      const { journal, skipped } = Journal.open(path, 1024);
      journal.close();
      assert.equal(skipped, 3);
    });
  },
});

Deno.test({
  name:
    "Journal.open() refuses a symbolic link at FILE.tmp and writes nothing through it",
  ignore: Deno.build.os === "windows",
  permissions: { read: true, write: true, sys: ["uid"] },
  async fn() {
    await inTempDir((dir) => {
      const path = `${dir}/state.jsonl`;
      const victim = `${dir}/victim`;
      Deno.writeTextFileSync(victim, "precious\n");
      Deno.chmodSync(victim, 0o644);
      Deno.symlinkSync(victim, `${path}.tmp`);
      assert.throws(
        () => Journal.open(path, 1024),
        (error: Error) => /symbolic link/.test(error.message),
      );
      assert.equal(Deno.readTextFileSync(victim), "precious\n");
      assert.equal(Deno.statSync(victim).mode! & 0o777, 0o644);
      assert.ok(Deno.lstatSync(`${path}.tmp`).isSymlink);
    });
  },
});

Deno.test({
  name:
    "Journal.open() never writes through an existing FILE.tmp: a leftover of this user's (here a hard link) is replaced by a fresh 0o600 file",
  ignore: Deno.build.os === "windows",
  permissions: { read: true, write: true, sys: ["uid"] },
  async fn() {
    await inTempDir((dir) => {
      const path = `${dir}/state.jsonl`;
      const victim = `${dir}/victim`;
      Deno.writeTextFileSync(victim, "precious\n");
      Deno.chmodSync(victim, 0o644);
      // A compaction cut short leaves a file; this one is also another name
      // of a file the server must not overwrite.
      Deno.linkSync(victim, `${path}.tmp`);
      const { journal } = Journal.open(path, 1024);
      journal.close();
      assert.equal(Deno.readTextFileSync(victim), "precious\n");
      assert.equal(Deno.statSync(victim).mode! & 0o777, 0o644);
      assert.equal(Deno.statSync(path).mode! & 0o777, 0o600);
      assert.deepStrictEqual(
        [...Deno.readDirSync(dir)].map((e) => e.name).sort(),
        ["state.jsonl", "victim"],
      );
    });
  },
});

Deno.test({
  name: "Journal.open() refuses a FILE.tmp that another user owns",
  ignore: Deno.build.os === "windows" || Deno.uid() !== 0,
  permissions: { read: true, write: true, sys: ["uid"] },
  async fn() {
    await inTempDir((dir) => {
      const path = `${dir}/state.jsonl`;
      Deno.writeTextFileSync(`${path}.tmp`, "theirs\n", { mode: 0o666 });
      Deno.chownSync(`${path}.tmp`, 65534, 65534);
      assert.throws(
        () => Journal.open(path, 1024),
        (error: Error) => /another user/.test(error.message),
      );
      assert.equal(Deno.readTextFileSync(`${path}.tmp`), "theirs\n");
    });
  },
});
