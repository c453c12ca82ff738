import assert from "node:assert/strict";
import type { ServerEvent } from "../protocol/events.ts";
import {
  type CommandContext,
  COMMANDS,
  findCommand,
  followNick,
  isIgnored,
  type OutgoingRequest,
  runLine,
} from "./commands.ts";
import { EN, type Messages, ZH } from "../wording/i18n.ts";

/** A context that records what the commands did. */
class FakeContext implements CommandContext {
  sent: OutgoingRequest[] = [];
  shown: Array<{ text: string; style: string }> = [];
  left = 0;
  ignored = new Map<string, string>();
  self = "alice";
  t: Messages;

  constructor(t: Messages = EN) {
    this.t = t;
  }

  send(request: OutgoingRequest): void {
    this.sent.push(request);
  }

  leave(): void {
    this.left++;
  }

  show(text: string, style: "info" | "error" = "info"): void {
    this.shown.push({ text, style });
  }

  unsent(text: string): void {
    this.show(text, "error");
  }

  get errors(): string[] {
    return this.shown.filter((l) => l.style === "error").map((l) => l.text);
  }
}

function run(...lines: string[]): FakeContext {
  const ctx = new FakeContext();
  for (const line of lines) runLine(line, ctx);
  return ctx;
}

Deno.test({
  name: "runLine() sends plain text as chat and ignores blank lines",
  permissions: "none",
  fn() {
    const ctx = run("hello 你好", "", "   ", "crlf\r");
    assert.deepEqual(ctx.sent, [
      { kind: "say", text: "hello 你好" },
      { kind: "say", text: "crlf" },
    ]);
    assert.deepEqual(ctx.shown, []);
  },
});

Deno.test({
  name: "runLine() sends //text as /text",
  permissions: "none",
  fn() {
    assert.deepEqual(run("//etc/passwd is a file").sent, [
      { kind: "say", text: "/etc/passwd is a file" },
    ]);
  },
});

Deno.test({
  name: "runLine() answers an unknown command with help and never sends it",
  permissions: "none",
  fn() {
    const ctx = run("/frobnicate the room", "/");
    assert.deepEqual(ctx.sent, []);
    assert.equal(ctx.errors.length, 2);
    assert.match(ctx.errors[0]!, /^Unknown command \/frobnicate; \/help/);
  },
});

Deno.test({
  name: "/msg sends a private message with the rest of the line",
  permissions: "none",
  fn() {
    assert.deepEqual(run("/msg bob  see you at  five ").sent, [
      { kind: "private", to: "bob", text: "see you at  five " },
    ]);
    assert.deepEqual(run("/m 小红 你好").sent, [
      { kind: "private", to: "小红", text: "你好" },
    ]);
  },
});

Deno.test({
  name: "/msg without text or with a bad name shows why and sends nothing",
  permissions: "none",
  fn() {
    const ctx = run("/msg", "/msg bob", "/msg bob   ", "/msg admin hi");
    assert.deepEqual(ctx.sent, []);
    assert.deepEqual(
      ctx.errors.slice(0, 3),
      Array(3).fill(
        "Usage: /msg NAME text",
      ),
    );
    assert.match(ctx.errors[3]!, /reserved/);
  },
});

Deno.test({
  name: "/me sends an action; alone it shows the usage",
  permissions: "none",
  fn() {
    const ctx = run("/me waves at everyone", "/me");
    assert.deepEqual(ctx.sent, [{ kind: "action", text: "waves at everyone" }]);
    assert.deepEqual(ctx.errors, ["Usage: /me action"]);
  },
});

Deno.test({
  name:
    "/nick sends one valid name; spaces, none or a reserved one are refused",
  permissions: "none",
  fn() {
    const ctx = run("/nick bobby", "/nick", "/nick two words", "/nick admin");
    assert.deepEqual(ctx.sent, [{ kind: "nick", name: "bobby" }]);
    assert.equal(ctx.errors.length, 3);
    assert.match(ctx.errors[2]!, /reserved/);
  },
});

Deno.test({
  name: "/away sends a reason, or an empty one to come back",
  permissions: "none",
  fn() {
    const ctx = run("/away  at lunch ", "/away", "/away " + "x".repeat(1025));
    assert.deepEqual(ctx.sent, [
      { kind: "away", reason: "at lunch" },
      { kind: "away", reason: "" },
    ]);
    assert.deepEqual(ctx.errors, ["Reason is 1025 bytes, the limit is 1024"]);
  },
});

Deno.test({
  name: "/who asks the server; /quit and its aliases leave, in any case",
  permissions: "none",
  fn() {
    const ctx = run("/who", "/quit", "/EXIT", "/Leave");
    assert.deepEqual(ctx.sent, [{ kind: "who" }]);
    assert.equal(ctx.left, 3);
  },
});

Deno.test({
  name: "/ignore and /unignore keep the ignore set, keyed like names",
  permissions: "none",
  fn() {
    const ctx = run("/ignore", "/ignore Bob", "/ignore ＣＡＲＯＬ", "/ignore");
    assert.deepEqual([...ctx.ignored.keys()], ["bob", "carol"]);
    assert.deepEqual(ctx.shown.map((l) => l.text), [
      "Ignoring nobody",
      "Ignoring Bob: their messages are hidden",
      "Ignoring ＣＡＲＯＬ: their messages are hidden",
      "Ignoring: Bob, ＣＡＲＯＬ",
    ]);
    runLine("/unignore BOB", ctx);
    runLine("/unignore dave", ctx);
    runLine("/unignore", ctx);
    assert.deepEqual([...ctx.ignored.keys()], ["carol"]);
    assert.deepEqual(ctx.shown.slice(4).map((l) => l.text), [
      "No longer ignoring Bob",
      "You are not ignoring dave",
      "Usage: /unignore NAME",
    ]);
    assert.deepEqual(ctx.sent, []);
  },
});

Deno.test({
  name: "/ignore refuses to ignore oneself",
  permissions: "none",
  fn() {
    const ctx = run("/ignore ALICE");
    assert.equal(ctx.ignored.size, 0);
    assert.deepEqual(ctx.errors, ["You cannot ignore yourself"]);
  },
});

Deno.test({
  name: "/help lists every command in the user's language, or one command",
  permissions: "none",
  fn() {
    const ctx = run("/help");
    for (const command of COMMANDS) {
      assert.ok(ctx.shown.some((l) => l.text.includes(command.usage)));
    }
    assert.ok(ctx.shown.every((l) => l.text.length <= 80));
    const one = run("/help /msg");
    assert.deepEqual(one.shown.map((l) => l.text.trim()), [
      "/msg NAME text  a private message to NAME",
    ]);
    const zh = new FakeContext(ZH);
    runLine("/help", zh);
    assert.equal(zh.shown[0]!.text, "命令:");
    assert.ok(zh.shown.some((l) => l.text.includes("悄悄对 NAME 说话")));
    assert.match(run("/help nope").errors[0]!, /Unknown command \/nope/);
  },
});

Deno.test({
  name:
    "COMMANDS have unique names, a usage that starts with them, and help in each language",
  permissions: "none",
  fn() {
    const names = COMMANDS.flatMap((c) => [c.name, ...(c.aliases ?? [])]);
    assert.equal(new Set(names).size, names.length);
    for (const command of COMMANDS) {
      assert.ok(command.usage.startsWith(`/${command.name}`), command.usage);
      assert.ok(command.help.en !== "" && command.help.zh !== "");
      assert.equal(findCommand(command.name.toUpperCase()), command);
    }
  },
});

Deno.test({
  name: "runLine() refuses text the server would refuse",
  permissions: "none",
  fn() {
    const ctx = run("a\0b", "x".repeat(16_385), "/me \0");
    assert.deepEqual(ctx.sent, []);
    assert.equal(ctx.errors.length, 3);
  },
});

const at = { id: 1, time: 0 };

Deno.test({
  name:
    "isIgnored() hides chat, actions and private messages of ignored members only",
  permissions: "none",
  fn() {
    const ignored = new Map([["bob", "Bob"]]);
    const hidden: ServerEvent[] = [
      { kind: "chat", ...at, from: "BOB", text: "hi" },
      { kind: "action", ...at, from: "bob", text: "waves" },
      { kind: "private", ...at, from: "bob", to: "alice", text: "psst" },
      {
        kind: "history",
        event: { kind: "chat", ...at, from: "bob", text: "" },
      },
    ];
    const shown: ServerEvent[] = [
      { kind: "chat", ...at, from: "carol", text: "hi" },
      { kind: "joined", ...at, name: "bob" },
      { kind: "left", ...at, name: "bob", why: "left", reason: "" },
      { kind: "nick", ...at, from: "bob", to: "robert" },
      { kind: "away", ...at, name: "bob", reason: "lunch" },
      { kind: "admin", ...at, text: "bob" },
    ];
    for (const event of hidden) assert.ok(isIgnored(event, ignored));
    for (const event of shown) assert.ok(!isIgnored(event, ignored));
    assert.ok(!isIgnored(hidden[0]!, new Map()));
  },
});

Deno.test({
  name: "followNick() keeps ignoring a member under a new name",
  permissions: "none",
  fn() {
    const ignored = new Map([["bob", "bob"]]);
    followNick(ignored, "carol", "dave");
    assert.deepEqual([...ignored], [["bob", "bob"]]);
    followNick(ignored, "Bob", "Robert");
    assert.deepEqual([...ignored], [["robert", "Robert"]]);
  },
});

Deno.test({
  name:
    "runLine() in Chinese says why a line cannot go in Chinese (it said 'Message is N bytes')",
  permissions: "none",
  fn() {
    const zh = new FakeContext(ZH);
    runLine("x".repeat(20_000), zh);
    runLine(`/me ${"x".repeat(20_000)}`, zh);
    runLine("a\0b", zh);
    assert.deepEqual(zh.errors, [
      "消息有20000字节，最多16384字节",
      "消息有20000字节，最多16384字节",
      "消息含有 NUL 字符",
    ]);
    assert.deepEqual(zh.sent, []);
    const en = new FakeContext();
    runLine("x".repeat(20_000), en);
    assert.deepEqual(en.errors, ["Message is 20000 bytes, the limit is 16384"]);
  },
});

Deno.test({
  name:
    "a name that cannot be used is explained in Chinese under ZH, never in the validator's English",
  permissions: "none",
  fn() {
    const zh = new FakeContext(ZH);
    runLine("/nick [admin]", zh);
    runLine(`/msg ${"x".repeat(40)} hi`, zh);
    runLine("/ignore \u200b", zh);
    assert.deepEqual(zh.errors, [
      "这个名字是保留的（也不能含有括号），请换一个",
      "名字最多32个字符",
      "名字不能含有控制字符或看不见的字符",
    ]);
    const en = new FakeContext();
    runLine("/nick [admin]", en);
    assert.match(en.errors[0]!, /^Name/);
  },
});
