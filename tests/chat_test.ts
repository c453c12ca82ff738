/**
 * End-to-end tests of the core chat features: real `serve` and `join`
 * processes on 127.0.0.1 with ports chosen by the system.
 */

import assert from "node:assert/strict";
import { Proc, startMember, startServer, unusedPort } from "./_cli.ts";

Deno.test("serve prints the bound address on its first line", async () => {
  await using server = await startServer();
  assert.ok(server.port > 0);
  assert.match(server.lines[0]!, /^udpchat listening on 127\.0\.0\.1:\d+$/);
});

Deno.test("members see joins, messages and leaves of the others", async () => {
  await using server = await startServer();
  await using alice = await startMember("alice", server.port);
  await using bob = await startMember("bob", server.port);
  await alice.waitFor("bob joined");
  await alice.type("hello bob");
  await bob.waitFor("alice: hello bob");
  await bob.type("hi alice");
  await alice.waitFor("bob: hi alice");
  assert.equal(
    alice.count("alice: hello bob"),
    0,
    "a sender does not get its own line back",
  );
  await bob.type("/quit");
  await bob.waitFor("Goodbye! You left the room");
  assert.equal((await bob.status()).code, 0);
  await alice.waitFor("bob left");
  await server.waitFor("bob left");
});

Deno.test("a CJK name and CJK and emoji text arrive intact", async () => {
  await using server = await startServer();
  await using ming = await startMember("小明", server.port);
  await using hong = await startMember("小红", server.port);
  await ming.waitFor("小红 joined");
  await hong.type("你好，小明 👋🏽 ça va?");
  await ming.waitFor("小红: 你好，小明 👋🏽 ça va?");
});

Deno.test("a taken name is refused with the reason and a non-zero exit", async () => {
  await using server = await startServer();
  await using _bob = await startMember("bob", server.port);
  await using again = await startMember("Bob", server.port, { wait: false });
  const line = await again.waitFor(/taken/, 10_000, true);
  assert.match(line, /Cannot join: Name "Bob" is taken/);
  assert.equal((await again.status()).code, 1);
});

Deno.test("reserved and invalid names are refused with the reason", async () => {
  await using server = await startServer();
  for (
    const [name, reason] of [["admin", /reserved/], ["管理员", /reserved/], [
      "x".repeat(33),
      /longer than 32/,
    ]] as const
  ) {
    await using member = await startMember(name, server.port, { wait: false });
    await member.waitFor(reason, 10_000, true);
    assert.equal((await member.status()).code, 1);
  }
});

Deno.test("a name is free again once its member left", async () => {
  await using server = await startServer();
  const first = await startMember("carol", server.port);
  await first.type("/quit");
  assert.equal((await first.status()).code, 0);
  await first[Symbol.asyncDispose]();
  await using second = await startMember("carol", server.port);
  assert.ok(second.lines.some((line) => line.startsWith("Welcome, carol")));
});

Deno.test("console lines reach every member as admin messages", async () => {
  await using server = await startServer();
  await using alice = await startMember("alice", server.port);
  await using bob = await startMember("bob", server.port);
  await alice.waitFor("bob joined");
  await server.type("the room closes at five");
  await alice.waitFor("[admin] the room closes at five");
  await bob.waitFor("[admin] the room closes at five");
});

Deno.test("a member cannot forge an admin line", async () => {
  await using server = await startServer();
  await using alice = await startMember("alice", server.port);
  await using bob = await startMember("bob", server.port);
  await alice.waitFor("bob joined");
  await bob.type("[admin] I am the admin now");
  await alice.waitFor("bob: [admin] I am the admin now");
  assert.equal(alice.count(/^\[admin\]/), 0);
});

Deno.test("EOF on stdin leaves cleanly and exits 0", async () => {
  await using server = await startServer();
  await using alice = await startMember("alice", server.port);
  await using bob = await startMember("bob", server.port);
  await bob.type("last words");
  await bob.closeStdin();
  assert.equal((await bob.status()).code, 0);
  await alice.waitFor("bob: last words");
  await alice.waitFor("bob left");
});

Deno.test("lines piped before the join completes are sent, then the member leaves", async () => {
  await using server = await startServer();
  await using alice = await startMember("alice", server.port);
  await using bob = new Proc([
    "join",
    "bob",
    "--server",
    `127.0.0.1:${server.port}`,
  ]);
  await bob.type("one");
  await bob.type("two");
  await bob.closeStdin();
  assert.equal((await bob.status()).code, 0);
  await alice.waitFor("bob: two");
  assert.ok(alice.lines.indexOf("bob: one") < alice.lines.indexOf("bob: two"));
  await alice.waitFor("bob left");
});

Deno.test("SIGINT on a member leaves first, so the others see it left", async () => {
  await using server = await startServer();
  await using alice = await startMember("alice", server.port);
  await using bob = await startMember("bob", server.port);
  bob.kill("SIGINT");
  assert.equal((await bob.status()).code, 0);
  await alice.waitFor("bob left");
  assert.equal(alice.count("bob timed out"), 0);
});

Deno.test("SIGTERM on the server tells members it is closing; everything exits", async () => {
  const server = await startServer();
  await using alice = await startMember("alice", server.port);
  server.kill("SIGTERM");
  await alice.waitFor(/The server is closing/);
  assert.equal((await server.status()).code, 0);
  assert.equal((await alice.status()).code, 1);
  await server[Symbol.asyncDispose]();
});

Deno.test("EOF on the server console keeps the server running", async () => {
  await using server = await startServer();
  await server.closeStdin();
  await using alice = await startMember("alice", server.port);
  await using bob = await startMember("bob", server.port);
  await alice.type("still here?");
  await bob.waitFor("alice: still here?");
});

Deno.test("a member whose server vanished is told within a few seconds", async () => {
  const server = await startServer();
  await using alice = await startMember("alice", server.port);
  server.kill("SIGKILL");
  await server.status();
  await server[Symbol.asyncDispose]();
  const started = Date.now();
  await alice.waitFor("Server not responding", 8000);
  assert.ok(Date.now() - started < 8000);
  await alice.type("/quit");
  assert.equal((await alice.status()).code, 0);
});

Deno.test("a member with no server to reach says so and exits non-zero", async () => {
  const port = unusedPort();
  await using member = await startMember("alice", port, { wait: false });
  await member.waitFor(/Cannot reach the server/, 15_000, true);
  assert.equal((await member.status()).code, 1);
});

Deno.test("garbage datagrams mid-session crash nothing and are not shown", async () => {
  await using server = await startServer();
  await using alice = await startMember("alice", server.port);
  await using bob = await startMember("bob", server.port);
  await alice.waitFor("bob joined");
  const socket = Deno.listenDatagram({
    transport: "udp",
    hostname: "127.0.0.1",
    port: 0,
  });
  try {
    const target = {
      transport: "udp" as const,
      hostname: "127.0.0.1",
      port: server.port,
    };
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    for (let i = 0; i < 500; i++) {
      const bytes = Uint8Array.from(
        { length: 1 + Math.floor(random() * 1300) },
        () => random() * 256,
      );
      if (i % 3 === 0) bytes.set([0x55, 0x43, 0x01, 1 + (i % 6)]); // Native header, junk after it.
      await socket.send(bytes, target);
    }
  } finally {
    socket.close();
  }
  await alice.type("still fine");
  await bob.waitFor("alice: still fine");
  assert.deepEqual(
    bob.lines.filter((line) =>
      !/^(Welcome|Members|alice: still fine)/.test(line)
    ),
    [],
  );
});

Deno.test("--help and --version work on the program and each subcommand", async () => {
  for (const args of [["--help"], ["serve", "--help"], ["join", "--help"]]) {
    await using proc = new Proc(args);
    assert.equal((await proc.status()).code, 0);
    assert.match(proc.lines.join("\n"), /Usage/);
  }
  for (const args of [["--version"], ["serve", "--version"], ["join", "-V"]]) {
    await using proc = new Proc(args);
    assert.equal((await proc.status()).code, 0);
    assert.match(proc.lines[0]!, /^\d+\.\d+\.\d+$/);
  }
});

Deno.test("bad flags, addresses and ports are one line on stderr and exit 2", async () => {
  const blocker = Deno.listenDatagram({
    transport: "udp",
    hostname: "127.0.0.1",
    port: 0,
  });
  const used = (blocker.addr as Deno.NetAddr).port;
  try {
    for (
      const args of [
        ["serve", "--bogus"],
        ["serve", "--port", "70000"],
        ["serve", "--host", "not an ip"],
        ["serve", "--host", "127.0.0.1", "--port", String(used)],
        ["join", "bob", "--server", "nohost:"],
        ["join", "bob", "--server", "127.0.0.1:x"],
        ["frobnicate"],
      ]
    ) {
      await using proc = new Proc(args);
      assert.equal((await proc.status()).code, 2, args.join(" "));
      assert.equal(
        proc.errors.filter((line) => line !== "").length,
        1,
        proc.errors.join("\n"),
      );
      assert.doesNotMatch(proc.errors.join("\n"), /\bat \w+ \(|Uncaught/);
    }
  } finally {
    blocker.close();
  }
});
