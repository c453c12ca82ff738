/**
 * End-to-end tests of the member commands and the Chinese wording: real
 * `serve` and `join` processes on 127.0.0.1.
 */

import assert from "node:assert/strict";
import { Proc, startMember, startServer } from "./_cli.ts";

/** A room with alice, bob and carol, everyone having seen everyone join. */
async function room() {
  const server = await startServer(["--rate", "0"]);
  const alice = await startMember("alice", server.port);
  const bob = await startMember("bob", server.port);
  const carol = await startMember("carol", server.port);
  await alice.waitFor("carol joined");
  await bob.waitFor("carol joined");
  return {
    server,
    alice,
    bob,
    carol,
    async [Symbol.asyncDispose]() {
      for (const proc of [carol, bob, alice, server]) {
        await proc[Symbol.asyncDispose]();
      }
    },
  };
}

Deno.test("/msg reaches only its target; an unknown target is explained", async () => {
  await using r = await room();
  await r.alice.type("/msg bob the secret is 42");
  await r.bob.waitFor("[private] alice: the secret is 42");
  await r.alice.type("/msg nobody hello?");
  // Not shown as sent: the refusal replaces the echo.
  await r.alice.waitFor(
    'Not delivered: hello? (no member named "nobody")',
    10_000,
    true,
  );
  await r.alice.type("public marker");
  await r.carol.waitFor("alice: public marker");
  await r.bob.waitFor("alice: public marker");
  assert.equal(r.carol.count("secret"), 0);
  assert.equal(r.carol.count("hello?"), 0);
});

Deno.test("/me shows an action to the others", async () => {
  await using r = await room();
  await r.alice.type("/me waves at everyone");
  await r.bob.waitFor("* alice waves at everyone");
  await r.carol.waitFor("* alice waves at everyone");
});

Deno.test("/nick tells everyone, and /msg reaches the new name", async () => {
  await using r = await room();
  await r.bob.type("/nick robert");
  await r.alice.waitFor("bob is now known as robert");
  await r.bob.waitFor("bob is now known as robert");
  await r.alice.type("/msg robert psst");
  await r.bob.waitFor("[private] alice: psst");
  await r.bob.type("call me robert");
  await r.carol.waitFor("robert: call me robert");
  await r.carol.type("/nick alice");
  await r.carol.waitFor(/is taken/);
});

Deno.test("/away marks a member away for everyone and in /who; /away alone is back", async () => {
  await using r = await room();
  await r.bob.type("/away out for lunch");
  await r.alice.waitFor("bob is away: out for lunch");
  await r.alice.type("/who");
  await r.alice.waitFor(/^ {2}bob +\d+s .*out for lunch$/);
  await r.bob.type("/away");
  await r.alice.waitFor("bob is back");
  await r.carol.waitFor("bob is back");
});

Deno.test("/ignore hides a member's chat, actions and private messages until /unignore", async () => {
  await using r = await room();
  await r.bob.type("/ignore alice");
  await r.bob.waitFor("Ignoring alice");
  await r.alice.type("/msg bob ignored private");
  await r.alice.type("/me ignored action");
  await r.alice.type("ignored chat");
  await r.carol.waitFor("alice: ignored chat");
  await r.carol.type("carol marker");
  await r.bob.waitFor("carol: carol marker");
  assert.equal(r.bob.count("ignored"), 0, r.bob.lines.join("\n"));
  await r.bob.type("/unignore alice");
  await r.bob.waitFor("No longer ignoring alice");
  await r.alice.type("visible again");
  await r.bob.waitFor("alice: visible again");
});

Deno.test("/who lists every member with idle time, round trip and loss", async () => {
  await using r = await room();
  await r.alice.type("/who");
  await r.alice.waitFor("3 members here:");
  await r.alice.waitFor(/^ {2}NAME +IDLE +RTT +LOSS/);
  for (const name of ["alice", "bob", "carol"]) {
    await r.alice.waitFor(new RegExp(`^ {2}${name} +\\d+s +(\\d+ms|-) +\\d+%`));
  }
  assert.equal(r.bob.count("members here"), 0);
});

Deno.test("an unknown command gets help and is never broadcast", async () => {
  await using r = await room();
  await r.alice.type("/frobnicate the room");
  await r.alice.waitFor(/^Unknown command \/frobnicate; \/help/, 10_000, true);
  await r.alice.type("//frobnicate is a word");
  await r.bob.waitFor("alice: /frobnicate is a word");
  assert.equal(r.bob.count("the room"), 0);
  assert.equal(r.carol.count("the room"), 0);
  await r.alice.type("/help");
  await r.alice.waitFor(/^ {2}\/msg NAME text +a private message/);
});

Deno.test("join --lang zh words the room in Chinese", async () => {
  await using server = await startServer();
  await using ming = await startMember("小明", server.port, {
    wait: false,
    args: ["--lang", "zh"],
  });
  await ming.waitFor(/^欢迎你，小明！/);
  await using bob = await startMember("bob", server.port);
  await ming.waitFor("bob进入了聊天室");
  await bob.type("你好");
  await ming.waitFor("bob说: 你好");
  await server.type("安静一点");
  await ming.waitFor("管理员说: 安静一点");
  await bob.type("/msg 小明 悄悄话");
  await ming.waitFor("bob悄悄对你说: 悄悄话");
  await bob.type("/quit");
  await ming.waitFor("bob退出了聊天室");
  await ming.type("/quit");
  await ming.waitFor("再见！你离开了聊天室");
  assert.equal((await ming.status()).code, 0);
});

Deno.test("join --lang zh: the server's notices and refusals come in Chinese too", async () => {
  await using server = await startServer();
  await using ming = await startMember("小明", server.port, {
    wait: false,
    args: ["--lang", "zh"],
  });
  await ming.waitFor(/^欢迎你，小明！/);
  await ming.type("/nick 小明");
  const same = await ming.waitFor(/^提示: /);
  await ming.type("/msg nobody hi");
  const unsent = await ming.waitFor(/^未送达: /, 10_000, true);
  for (const line of [same, unsent]) {
    // Only the member's own words ("nobody", "hi") may be ASCII.
    const english = line.match(/[A-Za-z]{2,}/g)?.filter((word) =>
      word !== "nobody" && word !== "hi"
    );
    assert.deepEqual(english ?? [], [], line);
  }
});

Deno.test("join follows a zh locale, and --lang en overrides it", async () => {
  await using server = await startServer();
  const zh = { LC_ALL: "", LC_MESSAGES: "", LANG: "zh_CN.UTF-8" };
  const join = (name: string, ...args: string[]) =>
    new Proc(
      ["join", name, "--server", `127.0.0.1:${server.port}`, ...args],
      zh,
    );
  await using ming = join("小明");
  await ming.waitFor(/^欢迎你/);
  await using eve = join("eve", "--lang", "en");
  await eve.waitFor(/^Welcome, eve!/);
  await ming.waitFor("eve进入了聊天室");
});

Deno.test("in a pipe, a line refused before sending (too long, a /quit reason of 64 KB) makes the exit code 1", async () => {
  await using server = await startServer();
  await using alice = await startMember("alice", server.port);
  await using bob = await startMember("bob", server.port);
  await bob.type("x".repeat(20_000));
  await bob.type(`/quit ${"y".repeat(65_536)}`);
  await bob.type("still here");
  await alice.waitFor("bob: still here");
  await bob.closeStdin();
  const { code } = await bob.status(20_000);
  assert.deepEqual(bob.errors, [
    "Message is 20000 bytes, the limit is 16384",
    "Reason is 65536 bytes, the limit is 1024",
  ]);
  assert.equal(code, 1);
});
