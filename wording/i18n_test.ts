import assert from "node:assert/strict";
import { EN, messagesFor, pickLang, ZH } from "./i18n.ts";

function envOf(vars: Record<string, string>) {
  return (name: string) => vars[name];
}

Deno.test({
  name: "pickLang() defaults to English",
  permissions: "none",
  fn() {
    assert.equal(pickLang(undefined, envOf({})), "en");
    assert.equal(pickLang(undefined, envOf({ LANG: "C.UTF-8" })), "en");
    assert.equal(pickLang(undefined, envOf({ LANG: "" })), "en");
  },
});

Deno.test({
  name:
    "pickLang() picks Chinese from a zh locale, LC_ALL first, then LC_MESSAGES, then LANG",
  permissions: "none",
  fn() {
    assert.equal(pickLang(undefined, envOf({ LANG: "zh_CN.UTF-8" })), "zh");
    assert.equal(pickLang(undefined, envOf({ LC_MESSAGES: "zh_TW" })), "zh");
    assert.equal(
      pickLang(undefined, envOf({ LC_ALL: "en_US.UTF-8", LANG: "zh_CN" })),
      "en",
    );
    assert.equal(
      pickLang(undefined, envOf({ LC_ALL: "zh_CN.UTF-8", LANG: "en_US" })),
      "zh",
    );
    assert.equal(
      pickLang(undefined, envOf({ LC_ALL: "", LC_MESSAGES: "zh_HK" })),
      "zh",
    );
  },
});

Deno.test({
  name: "pickLang() lets --lang win over the locale, and rejects others",
  permissions: "none",
  fn() {
    assert.equal(pickLang("en", envOf({ LC_ALL: "zh_CN" })), "en");
    assert.equal(pickLang("zh", envOf({ LC_ALL: "en_US" })), "zh");
    assert.equal(pickLang("zh-CN", envOf({})), "zh");
    assert.throws(() => pickLang("fr", envOf({})), RangeError);
    assert.throws(() => pickLang("", envOf({})), RangeError);
  },
});

Deno.test({
  name: "messagesFor() returns catalogues with the same entries",
  permissions: "none",
  fn() {
    assert.equal(messagesFor("en"), EN);
    assert.equal(messagesFor("zh"), ZH);
    assert.deepEqual(Object.keys(ZH).sort(), Object.keys(EN).sort());
  },
});

Deno.test({
  name: "EN keeps the lines scripts and tests match on",
  permissions: "none",
  fn() {
    assert.equal(EN.joined("bob"), "bob joined");
    assert.equal(EN.chat("bob", "hi"), "bob: hi");
    assert.equal(EN.left("bob", "left", ""), "bob left");
    assert.equal(EN.left("bob", "timeout", ""), "bob timed out");
    assert.equal(EN.admin("hi"), "[admin] hi");
    assert.match(EN.welcome("joined", "bob"), /^Welcome, bob! /);
    assert.equal(EN.members(3, ["a", "b"]), "Members (3): a, b, and 1 more");
    assert.equal(EN.goodbye("left", ""), "Goodbye! You left the room");
    assert.equal(EN.lost, "Server not responding; still trying…");
    assert.equal(EN.undelivered("hi"), "Not delivered: hi");
    assert.equal(EN.welcome("resumed", "bob"), "Reconnected as bob");
    assert.match(EN.welcome("rejoined", "bob"), /^Rejoined as bob/);
    assert.equal(EN.refused("why"), "Cannot join: why");
  },
});

Deno.test({
  name: "ZH words every room line like the classic app",
  permissions: "none",
  fn() {
    assert.equal(ZH.joined("小明"), "小明进入了聊天室");
    assert.equal(ZH.left("小明", "left", ""), "小明退出了聊天室");
    assert.equal(ZH.chat("小明", "你好"), "小明说: 你好");
    assert.equal(ZH.admin("安静"), "管理员说: 安静");
    assert.equal(ZH.privateIn("小红", "嗨"), "小红悄悄对你说: 嗨");
    assert.equal(ZH.privateOut("小明", "小红", "嗨"), "你悄悄对小红说: 嗨");
    assert.equal(ZH.nick("小明", "大明"), "小明改名为大明");
    assert.equal(ZH.away("小明", ""), "小明回来了");
    assert.equal(ZH.left("bob", "kicked", "spam"), "bob被踢出了聊天室: spam");
  },
});

Deno.test({
  name: "ZH has Chinese wording for every line that has words",
  permissions: "none",
  fn() {
    const han = /\p{Script=Han}/u;
    const args: Record<string, unknown[]> = {
      members: [3, ["a"]],
      ignoreList: [["a"]],
      whoTitle: [3, 2],
      reasonTooLong: [5, 4],
      invalidText: ["long", 20_000],
      invalidName: ["whitespace", "Name contains whitespace"],
      left: ["x", "left", ""],
      goodbye: ["left", ""],
    };
    for (const [key, value] of Object.entries(ZH)) {
      // "* 小明 挥手" is the same in every language.
      if (key === "lang" || key === "whoHeader" || key === "action") continue;
      const text = typeof value === "function"
        ? (value as (...a: unknown[]) => string)(...(args[key] ?? ["x", "y"]))
        : String(value);
      assert.match(text, han, key);
    }
    for (const title of Object.values(ZH.whoHeader)) assert.match(title, han);
  },
});
