import { deepStrictEqual, ok, strictEqual, throws } from "node:assert/strict";
import { type Delivery, type JoinResult, Room } from "./room.ts";
import { DEFAULT_LOG_SIZE, MemoryLog } from "./room_log.ts";
import { MAX_TEXT_BYTES } from "../protocol/limits.ts";

const T = 1_764_000_000_000;

function joined(result: JoinResult): Extract<JoinResult, { ok: true }> {
  ok(result.ok, `join refused: ${!result.ok && result.message}`);
  return result;
}

/** A room with alice (1), bob (2) and carol (3), joined at T, T+1, T+2. */
function roomOfThree(logSize?: number): Room {
  const room = new Room(new MemoryLog(logSize));
  joined(room.join(1, "alice", T));
  joined(room.join(2, "bob", T + 1));
  joined(room.join(3, "carol", T + 2));
  return room;
}

Deno.test({
  name: "Room.join() sends the joiner the members list and the others 'joined'",
  permissions: "none",
  fn() {
    const room = new Room();
    const first = joined(room.join(1, "alice", T));
    deepStrictEqual(first.member, {
      id: 1,
      name: "alice",
      key: "alice",
      joinedAt: T,
      joinedAfter: 1,
      away: "",
    });
    deepStrictEqual(first.deliveries, [
      { to: 1, event: { kind: "members", total: 1, names: ["alice"] } },
      {
        to: "all",
        except: 1,
        event: { kind: "joined", id: 1, time: T, name: "alice" },
      },
    ]);
    const second = joined(room.join(7, "Bob", T + 5));
    deepStrictEqual(second.deliveries, [
      { to: 7, event: { kind: "members", total: 2, names: ["alice", "Bob"] } },
      {
        to: "all",
        except: 7,
        event: { kind: "joined", id: 2, time: T + 5, name: "Bob" },
      },
    ]);
    strictEqual(room.size, 2);
    strictEqual(room.lastId, 2);
    deepStrictEqual(room.members().map((m) => m.id), [1, 7]);
    strictEqual(room.get(7)?.name, "Bob");
  },
});

Deno.test({
  name: "Room.join() admits the name in NFC",
  permissions: "none",
  fn() {
    const room = new Room();
    const result = joined(room.join(1, "Jose\u0301", T));
    strictEqual(result.member.name, "Jos\u00e9");
    deepStrictEqual(result.deliveries[0]?.event, {
      kind: "members",
      total: 1,
      names: ["Jos\u00e9"],
    });
  },
});

Deno.test({
  name: "Room.join() refuses a name taken regardless of case",
  permissions: "none",
  fn() {
    const room = new Room();
    joined(room.join(1, "Bob", T));
    for (const name of ["Bob", "bob", "BOB", "bOb"]) {
      deepStrictEqual(room.join(2, name, T), {
        ok: false,
        problem: "taken",
        message: `Name "${name}" is taken`,
      });
    }
    strictEqual(room.size, 1);
    strictEqual(room.lastId, 1);
  },
});

Deno.test({
  name: "Room.join() refuses a full-width form of a name that is taken",
  permissions: "none",
  fn() {
    const room = new Room();
    joined(room.join(1, "bob", T));
    for (const name of ["Ｂｏｂ", "ｂｏｂ", "ＢＯＢ"]) {
      const result = room.join(2, name, T);
      strictEqual(!result.ok && result.problem, "taken", name);
    }
    // And the other way round.
    joined(room.join(3, "Ａｌｉｃｅ", T));
    const result = room.join(4, "alice", T);
    strictEqual(!result.ok && result.problem, "taken");
  },
});

Deno.test({
  name: "Room.checkName() reports a taken name without joining",
  permissions: "none",
  fn() {
    const room = new Room();
    joined(room.join(1, "bob", T));
    strictEqual(room.checkName("BOB").ok, false);
    deepStrictEqual(room.checkName("dave"), {
      ok: true,
      name: "dave",
      key: "dave",
    });
    strictEqual(room.size, 1);
  },
});

Deno.test({
  name: "Room.join() refuses an invalid name with the problem",
  permissions: "none",
  fn() {
    const room = new Room();
    const cases: Array<[string, string]> = [
      ["", "empty"],
      ["a b", "whitespace"],
      ["tab\there", "whitespace"],
      ["x".repeat(33), "too_long"],
      ["bell\u0007", "control"],
      ["zero\u200bwidth", "control"],
      ["\u0301accent", "control"],
      ["lone\ud800", "invalid_utf8"],
    ];
    for (const [name, problem] of cases) {
      const result = room.join(1, name, T);
      strictEqual(result.ok, false, JSON.stringify(name));
      strictEqual(!result.ok && result.problem, problem, JSON.stringify(name));
      ok(!result.ok && result.message.length > 0);
    }
    strictEqual(room.size, 0);
    strictEqual(room.lastId, 0);
    joined(room.join(1, "x".repeat(32), T));
  },
});

Deno.test({
  name: "Room.join() refuses reserved names",
  permissions: "none",
  fn() {
    const room = new Room();
    for (
      const name of [
        "admin",
        "Admin",
        "[Admin]",
        "ＡＤＭＩＮ",
        "管理员",
        "server",
        "system",
      ]
    ) {
      const result = room.join(1, name, T);
      strictEqual(!result.ok && result.problem, "reserved", name);
    }
    strictEqual(room.size, 0);
  },
});

Deno.test({
  name: "Room.join() throws RangeError for an id already in the room",
  permissions: "none",
  fn() {
    const room = new Room();
    joined(room.join(1, "alice", T));
    throws(() => room.join(1, "bob", T), RangeError);
    strictEqual(room.size, 1);
    strictEqual(room.checkName("bob").ok, true);
  },
});

Deno.test({
  name: "Room.leave() tells the others with the why and frees the name",
  permissions: "none",
  fn() {
    const room = roomOfThree();
    deepStrictEqual(room.leave(2, "kicked", "spamming", T + 10), [{
      to: "all",
      except: 2,
      event: {
        kind: "left",
        id: 4,
        time: T + 10,
        name: "bob",
        why: "kicked",
        reason: "spamming",
      },
    }]);
    strictEqual(room.size, 2);
    strictEqual(room.get(2), undefined);
    deepStrictEqual(room.members().map((m) => m.name), ["alice", "carol"]);
    const again = joined(room.join(4, "BOB", T + 11));
    strictEqual(again.member.name, "BOB");
  },
});

Deno.test({
  name: "Room.leave() carries every why",
  permissions: "none",
  fn() {
    for (
      const why of ["left", "timeout", "kicked", "slow", "banned"] as const
    ) {
      const room = roomOfThree();
      const [delivery] = room.leave(1, why, "", T);
      ok(delivery?.event.kind === "left");
      strictEqual(delivery.event.why, why);
      strictEqual(delivery.event.reason, "");
    }
  },
});

Deno.test({
  name: "Room.leave() of an unknown id yields nothing",
  permissions: "none",
  fn() {
    const room = roomOfThree();
    deepStrictEqual(room.leave(99, "left", "", T), []);
    joined(room.join(4, "dave", T));
    room.leave(4, "left", "", T);
    const lastId = room.lastId;
    deepStrictEqual(room.leave(4, "left", "", T), []);
    strictEqual(room.lastId, lastId);
    strictEqual(room.size, 3);
  },
});

Deno.test({
  name: "Room.say() sends a member's line to everyone but the sender",
  permissions: "none",
  fn() {
    const room = roomOfThree();
    deepStrictEqual(room.say(2, "hello 👋", T + 20), [{
      to: "all",
      except: 2,
      event: {
        kind: "chat",
        id: 4,
        time: T + 20,
        from: "bob",
        text: "hello 👋",
      },
    }]);
  },
});

Deno.test({
  name:
    "Room.say() gives lines a room-wide increasing id shared with joins and leaves",
  permissions: "none",
  fn() {
    const room = roomOfThree();
    const ids: number[] = [];
    const idOf = (deliveries: Delivery[]) => {
      const event = deliveries.at(-1)?.event;
      ok(event !== undefined && "id" in event);
      return event.id;
    };
    ids.push(idOf(room.say(1, "a", T)));
    ids.push(idOf(room.say(3, "b", T)));
    ids.push(idOf(room.leave(2, "left", "", T)));
    ids.push(idOf(room.say(1, "c", T)));
    ids.push(idOf(room.admin("d", T)));
    ids.push(idOf(joined(room.join(5, "eve", T)).deliveries));
    ids.push(idOf(room.say(5, "e", T)));
    deepStrictEqual(ids, [4, 5, 6, 7, 8, 9, 10]);
    strictEqual(room.lastId, 10);
  },
});

Deno.test({
  name: "Room.say() removes trailing line ends and keeps the rest as typed",
  permissions: "none",
  fn() {
    const room = roomOfThree();
    const [delivery] = room.say(1, "  two  spaces\r\n", T);
    ok(delivery?.event.kind === "chat");
    strictEqual(delivery.event.text, "  two  spaces");
  },
});

Deno.test({
  name: "Room.say() answers invalid text with a notice to the sender only",
  permissions: "none",
  fn() {
    const room = roomOfThree();
    const cases: Array<[string, string]> = [
      ["", "Message is empty"],
      ["\r\n", "Message is empty"],
      [
        "x".repeat(MAX_TEXT_BYTES + 1),
        "Message is 16385 bytes, the limit is 16384",
      ],
      [
        "é".repeat(MAX_TEXT_BYTES / 2) + "!",
        "Message is 16385 bytes, the limit is 16384",
      ],
      ["nul\0", "Message contains a NUL character"],
      ["lone \ud800", "Message contains an unpaired surrogate"],
    ];
    for (const [text, message] of cases) {
      deepStrictEqual(room.say(2, text, T), [
        { to: 2, event: { kind: "notice", text: message } },
      ], JSON.stringify(text.slice(0, 10)));
    }
    strictEqual(room.lastId, 3);
    deepStrictEqual(room.since(3), []);
  },
});

Deno.test({
  name: "Room.say() accepts text of exactly MAX_TEXT_BYTES",
  permissions: "none",
  fn() {
    const room = roomOfThree();
    const text = "é".repeat(MAX_TEXT_BYTES / 2);
    const [delivery] = room.say(1, text, T);
    ok(delivery?.event.kind === "chat");
    strictEqual(delivery.event.text, text);
    strictEqual(delivery.to, "all");
  },
});

Deno.test({
  name: "Room.say() from a non-member yields nothing",
  permissions: "none",
  fn() {
    const room = roomOfThree();
    deepStrictEqual(room.say(42, "hi", T), []);
    room.leave(1, "left", "", T);
    deepStrictEqual(room.say(1, "hi", T), []);
    strictEqual(room.lastId, 4);
  },
});

Deno.test({
  name: "Room.admin() sends a line to every member",
  permissions: "none",
  fn() {
    const room = roomOfThree();
    const deliveries = room.admin("Restart at noon\n", T + 30);
    deepStrictEqual(deliveries, [{
      to: "all",
      event: { kind: "admin", id: 4, time: T + 30, text: "Restart at noon" },
    }]);
    ok(!("except" in deliveries[0]!));
    deepStrictEqual(new Room().admin("empty room", T).length, 1);
  },
});

Deno.test({
  name: "Room.admin() drops invalid text",
  permissions: "none",
  fn() {
    const room = roomOfThree();
    deepStrictEqual(room.admin("", T), []);
    deepStrictEqual(room.admin("x".repeat(MAX_TEXT_BYTES + 1), T), []);
    strictEqual(room.lastId, 3);
  },
});

Deno.test({
  name: "Room.since() returns exactly the room events after lastSeen",
  permissions: "none",
  fn() {
    const room = roomOfThree();
    const chat = room.say(1, "one", T + 3)[0]!.event;
    const left = room.leave(2, "timeout", "", T + 4)[0]!.event;
    const admin = room.admin("two", T + 5)[0]!.event;
    deepStrictEqual(room.since(3), [chat, left, admin]);
    deepStrictEqual(room.since(4), [left, admin]);
    deepStrictEqual(room.since(5), [admin]);
    deepStrictEqual(room.since(6), []);
    deepStrictEqual(room.since(1000), []);
    deepStrictEqual(room.since(0)?.map((e) => e.kind), [
      "joined",
      "joined",
      "joined",
      "chat",
      "left",
      "admin",
    ]);
  },
});

Deno.test({
  name:
    "Room.since() for a member never returns what came before it joined, however little it says it saw",
  permissions: "none",
  fn() {
    const room = new Room(new MemoryLog());
    joined(room.join(1, "ann", T));
    for (let i = 1; i <= 5; i++) room.say(1, `line ${i}`, T + i);
    const ben = joined(room.join(2, "ben", T + 10));
    // ben saw the five lines as HISTORY and its own JOINED went to ann only:
    // the last id it saw on the wire is none at all.
    strictEqual(ben.member.joinedAfter, 7);
    deepStrictEqual(room.since(0, 2), []);
    const after = room.say(1, "after", T + 11)[0]!.event;
    deepStrictEqual(room.since(0, 2), [after]);
    deepStrictEqual(room.since(7, 2), [after]);
    deepStrictEqual(room.since(8, 2), []);
    // ann was there from the start: she missed only what was for her.
    deepStrictEqual(room.since(0, 1)?.map((e) => e.kind), ["joined"]);
  },
});

Deno.test({
  name:
    "Room.restore() keeps where each member joined, its away message and its name",
  permissions: "none",
  fn() {
    const log = new MemoryLog();
    const first = new Room(log);
    joined(first.join(1, "ann", T));
    first.say(1, "old", T + 1);
    joined(first.join(2, "ben", T + 2));
    const room = new Room(new MemoryLog(undefined, log.lastId, log.recent()));
    room.restore([
      { id: 1, name: "ann", joinedAfter: 0 },
      { id: 2, name: "ben", joinedAfter: 3, away: "lunch" },
    ]);
    strictEqual(room.get(2)?.away, "lunch");
    deepStrictEqual(room.since(0, 2), []);
    deepStrictEqual(room.since(0, 1)?.map((e) => e.kind), ["joined"]);
  },
});

Deno.test({
  name: "Room.since() leaves out members lists and notices",
  permissions: "none",
  fn() {
    const room = new Room();
    joined(room.join(1, "alice", T));
    room.say(1, "", T);
    deepStrictEqual(room.since(0), [{
      kind: "joined",
      id: 1,
      time: T,
      name: "alice",
    }]);
  },
});

Deno.test({
  name:
    "Room.since() returns undefined once a small log no longer reaches back",
  permissions: "none",
  fn() {
    const room = roomOfThree(3);
    for (const text of ["a", "b", "c"]) room.say(1, text, T);
    // Events 1..6 happened; a log of 3 keeps 4, 5 and 6.
    strictEqual(room.lastId, 6);
    deepStrictEqual(room.since(3)?.map((e) => "id" in e && e.id), [4, 5, 6]);
    deepStrictEqual(room.since(5)?.map((e) => "id" in e && e.id), [6]);
    deepStrictEqual(room.since(6), []);
    strictEqual(room.since(2), undefined);
    strictEqual(room.since(0), undefined);
    room.say(2, "d", T);
    strictEqual(room.since(3), undefined);
    deepStrictEqual(room.since(4)?.map((e) => "id" in e && e.id), [5, 6, 7]);
  },
});

Deno.test({
  name: "Room.since() with a log of one keeps only the newest event",
  permissions: "none",
  fn() {
    const room = new Room(new MemoryLog(1));
    joined(room.join(1, "alice", T));
    joined(room.join(2, "bob", T));
    deepStrictEqual(room.since(1), [{
      kind: "joined",
      id: 2,
      time: T,
      name: "bob",
    }]);
    strictEqual(room.since(0), undefined);
  },
});

Deno.test({
  name: "Room announces joins and leaves only up to its announce limit",
  permissions: "none",
  fn() {
    const room = new Room(new MemoryLog(DEFAULT_LOG_SIZE), 0, 2);
    const kinds = (deliveries: Delivery[]) =>
      deliveries.map((d) => d.event.kind);
    deepStrictEqual(kinds(joined(room.join(1, "ann", T)).deliveries), [
      "members",
      "joined",
    ]);
    deepStrictEqual(kinds(joined(room.join(2, "ben", T)).deliveries), [
      "members",
      "joined",
    ]);
    // The third member makes the room larger than 2: quiet from now on.
    deepStrictEqual(kinds(joined(room.join(3, "cat", T)).deliveries), [
      "members",
    ]);
    deepStrictEqual(room.leave(3, "left", "", T), []);
    deepStrictEqual(kinds(room.leave(2, "left", "", T)), ["left"]);
  },
});
