/**
 * Unit tests of moderation and of what a member is told about its own
 * lines (issue 18, points 12, 13 and 15), against a real `ServerCore` and
 * real `ClientCore`s on a fake clock (`_console_bench.ts`).
 */

import assert from "node:assert/strict";
import type { ClientNotice } from "../client/notices.ts";
import { Chat, type Member, MINUTE } from "./_console_bench.ts";

/** The texts of `member`'s own lines shown as sent, by kind. */
function shown(member: Member): string[] {
  return member.notices.flatMap((n) =>
    n.type === "delivered" && "text" in n.request
      ? [`${n.request.kind}:${n.request.text}`]
      : []
  );
}

/** The texts of the notices (server notices: "* text") it got. */
function noticeTexts(member: Member): string[] {
  return member.events("notice").map((e) => e.text);
}

/** Mute events it got: [ms, reason]. */
function mutes(member: Member): Array<[number, string]> {
  return member.events("muted").map((e) => [e.ms, e.reason]);
}

Deno.test({
  name:
    "/nick to a banned name is refused with the ban's wording; the name stays free",
  permissions: "none",
  fn() {
    const chat = new Chat();
    const alice = chat.join("alice");
    const bob = chat.join("bob");
    assert.equal(
      chat.type("/ban mallory 10m"),
      "mallory is banned for 10 minutes",
    );
    bob.core.send({ kind: "nick", name: "Mallory" }, chat.now);
    chat.run(200);
    assert.deepEqual(noticeTexts(bob), [
      'The name "Mallory" is banned from this room for 10 minutes more',
    ]);
    assert.deepEqual(alice.events("nick"), []);
    chat.type("/unban mallory");
    bob.core.send({ kind: "nick", name: "mallory" }, chat.now);
    chat.run(200);
    assert.deepEqual(alice.events("nick").map((e) => e.to), ["mallory"]);
  },
});

Deno.test({
  name: "/ban of a member present says one line, and nothing is logged twice",
  permissions: "none",
  fn() {
    const chat = new Chat();
    chat.join("alice");
    chat.join("bob");
    chat.logged.length = 0;
    const result = chat.console("/ban bob 1h");
    assert.deepEqual(result.lines, ["bob was banned for 1 hour"]);
    assert.deepEqual(chat.logged.filter((l) => l.includes("bob")), []);
    chat.console("/kick alice bye");
    assert.deepEqual(chat.logged.filter((l) => l.includes("alice")), []);
  },
});

Deno.test({
  name:
    "/mute tells the member once with its duration and reason, hides nothing it sent as sent, and says when it ends",
  permissions: "none",
  fn() {
    const chat = new Chat();
    const alice = chat.join("alice");
    const bob = chat.join("bob");
    assert.equal(
      chat.type("/mute bob 2m flooding the room"),
      "bob is muted for 2 minutes (flooding the room)",
    );
    assert.deepEqual(mutes(bob), [[2 * MINUTE, "flooding the room"]]);
    bob.core.say("can you hear me?", chat.now);
    bob.core.send({ kind: "action", text: "waves" }, chat.now);
    bob.core.send({ kind: "private", to: "alice", text: "psst" }, chat.now);
    chat.run(500);
    assert.deepEqual(shown(bob), [], "nothing refused shows as sent");
    assert.equal(bob.unsent().length, 3);
    assert.deepEqual(alice.chats("bob"), []);
    // Told once: its lines do not repeat the mute.
    assert.equal(mutes(bob).length, 1);
    // The chat core's clock ends it, and says so once.
    chat.run(2 * MINUTE, 500);
    assert.deepEqual(mutes(bob), [[2 * MINUTE, "flooding the room"], [0, ""]]);
    bob.core.say("back", chat.now);
    chat.run(200);
    assert.deepEqual(alice.chats("bob"), ["back"]);
    assert.deepEqual(shown(bob), ["say:back"]);
    assert.equal(mutes(bob).length, 2);
  },
});

Deno.test({
  name:
    "/unmute lets the member speak at once and tells it; unknown or not muted is said",
  permissions: "none",
  fn() {
    const chat = new Chat();
    const alice = chat.join("alice");
    const bob = chat.join("bob");
    assert.equal(chat.type("/unmute bob"), "bob is not muted");
    assert.equal(chat.type("/unmute"), "Usage: /unmute NAME");
    chat.type("/mute bob 1h");
    assert.equal(chat.type("/unmute BOB"), "bob may speak again");
    assert.deepEqual(mutes(bob), [[60 * MINUTE, ""], [0, ""]]);
    bob.core.say("thanks", chat.now);
    chat.run(200);
    assert.deepEqual(alice.chats("bob"), ["thanks"]);
    assert.deepEqual(shown(bob), ["say:thanks"]);
  },
});

Deno.test({
  name:
    "a line refused while muted shows as not delivered only; one sent after /unmute shows as sent",
  permissions: "none",
  fn() {
    const chat = new Chat();
    const alice = chat.join("alice");
    const bob = chat.join("bob");
    chat.type("/mute bob 1h");
    bob.core.say("refused", chat.now);
    chat.run(200);
    chat.type("/unmute bob");
    bob.core.say("let through", chat.now);
    chat.run(200);
    assert.deepEqual(alice.chats("bob"), ["let through"]);
    assert.deepEqual(shown(bob), ["say:let through"]);
    assert.equal(bob.unsent().length, 1);
  },
});

Deno.test({
  name:
    "/msg to nobody is never shown as sent; to a member it shows once, when the server's copy comes back",
  permissions: "none",
  fn() {
    const chat = new Chat();
    const alice = chat.join("alice");
    const bob = chat.join("bob");
    alice.core.send({ kind: "private", to: "nobody", text: "hi" }, chat.now);
    chat.run(200);
    assert.deepEqual(shown(alice), []);
    assert.deepEqual(alice.unsent(), ['no member named "nobody"']);
    alice.core.send({ kind: "private", to: "alice", text: "me" }, chat.now);
    chat.run(200);
    assert.deepEqual(alice.unsent().slice(1), ["that is you"]);
    alice.core.send({ kind: "private", to: "BOB", text: "hello" }, chat.now);
    chat.run(200);
    assert.deepEqual(shown(alice), ["private:hello"]);
    const delivered = alice.notices.find((n): n is Extract<
      ClientNotice,
      { type: "delivered" }
    > => n.type === "delivered");
    assert.deepEqual(delivered?.request, {
      kind: "private",
      to: "bob",
      text: "hello",
    });
    assert.deepEqual(bob.events("private").map((e) => [e.from, e.text]), [[
      "alice",
      "hello",
    ]]);
    // Its copy is not shown as a message from itself.
    assert.deepEqual(alice.events("private"), []);
  },
});

Deno.test({
  name: "/quit REASON: the others see the reason, on one line",
  permissions: "none",
  fn() {
    const chat = new Chat();
    const alice = chat.join("alice");
    const bob = chat.join("bob");
    bob.core.leave(chat.now, "off to\n\tlunch");
    chat.run(500);
    assert.equal(bob.core.state, "ended");
    assert.deepEqual(
      alice.events("left").map((e) => [e.name, e.why, e.reason]),
      [
        ["bob", "left", "off to lunch"],
      ],
    );
  },
});

Deno.test({
  name: "/nick to the same name and /away when not away say so",
  permissions: "none",
  fn() {
    const chat = new Chat();
    const alice = chat.join("alice");
    const bob = chat.join("bob");
    bob.core.send({ kind: "nick", name: "bob" }, chat.now);
    bob.core.send({ kind: "away", reason: "" }, chat.now);
    bob.core.send({ kind: "away", reason: "lunch" }, chat.now);
    bob.core.send({ kind: "away", reason: "lunch" }, chat.now);
    chat.run(500);
    assert.deepEqual(noticeTexts(bob), [
      "You are already bob",
      "You are not away",
      "You are already away: lunch",
    ]);
    assert.deepEqual(alice.events("away").length, 1);
    assert.deepEqual(alice.events("nick"), []);
  },
});
