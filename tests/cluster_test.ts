/**
 * Several servers, one room (`serve --cluster`): real servers and members
 * on loopback sharing a room through a real `redis-server` started by the
 * test. Names are unique room-wide, lines reach every member exactly once
 * in one order, a Redis crash is survived, and the members of a dead
 * server are announced as timed out exactly once.
 * @module
 */

import assert from "node:assert/strict";
import type { Proc } from "./_cli.ts";
import { startMember } from "./_cli.ts";
import { ClassicClient } from "./_classic.ts";
import { redisMissing, TestRedis } from "./_redis.ts";
import {
  assertOneOrder,
  assertTaken,
  join,
  joinPairs,
  startServers,
  typeLines,
  waitForJoins,
  waitForLines,
} from "./_cluster.ts";

const missing = redisMissing();
const ignore = missing !== undefined;
if (ignore) console.log(`cluster tests skipped: ${missing}`);

Deno.test({
  name: "serve --cluster: three servers, one room, one order, names unique",
  ignore,
  async fn() {
    await using stack = new AsyncDisposableStack();
    const redis = stack.use(await TestRedis.start());
    const servers = await startServers(stack, redis.url, 3);
    const members = await joinPairs(stack, servers, "s");
    // Taken on one server means refused on every other.
    await assertTaken(stack, "s0a", servers[2]!.port);
    const names = [...members.keys()];
    const count = 25;
    await Promise.all(
      names.map((name) => typeLines(members.get(name)!, name, 1, count)),
    );
    await waitForLines(members, names, count);
    assertOneOrder(members, names, count);
    // /who lists every member, with the server it is on.
    const first = members.get("s0a")!;
    await first.type("/who");
    await first.waitFor(/^6 members here/);
    await first.waitFor(/^ {2}NAME .* SERVER/);
    for (const [i, server] of servers.entries()) {
      for (const name of [`s${i}a`, `s${i}b`]) {
        await first.waitFor(
          new RegExp(`^  ${name} .* 127\\.0\\.0\\.1:${server.port}\\b`),
        );
      }
    }
  },
});

Deno.test({
  name:
    "serve --cluster: Redis killed and restarted, no server exits, nothing acknowledged is lost",
  ignore,
  async fn() {
    await using stack = new AsyncDisposableStack();
    const redis = stack.use(await TestRedis.start(true));
    const servers = await startServers(stack, redis.url, 2);
    const members = await joinPairs(stack, servers, "r");
    const names = [...members.keys()];
    const typing = Promise.all(
      names.map((name) => typeLines(members.get(name)!, name, 1, 40, 50)),
    );
    await new Promise((r) => setTimeout(r, 600));
    await redis.kill();
    for (const member of members.values()) {
      await member.waitFor(/room is unavailable/, 10_000);
    }
    await new Promise((r) => setTimeout(r, 1500));
    const back = Date.now();
    await redis.restart();
    await typing;
    for (const member of members.values()) {
      await member.waitFor(/room is back/, 10_000);
    }
    await waitForLines(members, names, 40, 10_000 + (Date.now() - back));
    assertOneOrder(members, names, 40);
    for (const server of servers) {
      assert.equal(server.child.pid > 0, true);
      assert.equal(server.lines.some((l) => /Internal error/.test(l)), false);
    }
    // Still serving: a line after the outage goes round.
    await members.get("r0a")!.type("after");
    await members.get("r1b")!.waitFor("r0a: after");
  },
});

Deno.test({
  name:
    "serve --cluster: a dead server's member that never comes back is announced as timed out once",
  ignore,
  async fn() {
    await using stack = new AsyncDisposableStack();
    const redis = stack.use(await TestRedis.start());
    const servers = await startServers(stack, redis.url, 3, ["--timeout", "3"]);
    const members = new Map<string, Proc>();
    members.set("gone", await join(stack, "gone", [servers[0]!.port]));
    members.set("stay1", await join(stack, "stay1", [servers[1]!.port]));
    members.set("stay2", await join(stack, "stay2", [servers[2]!.port]));
    await waitForJoins(members);
    servers[0]!.kill("SIGKILL");
    members.get("gone")!.kill("SIGKILL");
    for (const name of ["stay1", "stay2"]) {
      await members.get(name)!.waitFor("gone timed out", 20_000);
    }
    // Every remaining server could have announced it: only one did.
    await new Promise((r) => setTimeout(r, 2500));
    for (const name of ["stay1", "stay2"]) {
      assert.equal(members.get(name)!.count("gone timed out"), 1);
    }
    // Its name is free again, room-wide.
    const back = stack.use(await startMember("gone", servers[2]!.port));
    await members.get("stay1")!.waitFor("gone joined");
    assert.ok(back.lines.some((l) => l.startsWith("Welcome, gone!")));
  },
});

Deno.test({
  name:
    "serve --cluster: classic members, history, the message of the day, kicks and bans are room-wide",
  ignore,
  async fn() {
    await using stack = new AsyncDisposableStack();
    const redis = stack.use(await TestRedis.start());
    const [a, b] = await startServers(stack, redis.url, 2);
    const alice = await join(stack, "alice", [a!.port]);
    await alice.type("before carol");
    await a!.waitFor("alice: before carol");
    // A classic client on the other server is a member room-wide.
    const carol = stack.use(new ClassicClient(b!.port));
    await carol.login("carol");
    await alice.waitFor(/^carol joined$/);
    await carol.send("C carol hello from classic");
    await alice.waitFor(/^carol: hello from classic$/);
    await alice.type("hi carol");
    await carol.waitLine("alice: hi carol");
    // The console of one server rules the whole room.
    await a!.type("/motd welcome to the shared room");
    const dave = await join(stack, "dave", [b!.port]);
    await dave.waitFor("Message of the day: welcome to the shared room");
    // Its history comes from the shared log: lines said on the other server.
    await dave.waitFor(/^\[history \d\d:\d\d\] alice: before carol$/);
    await dave.waitFor(/^\[history \d\d:\d\d\] carol: hello from classic$/);
    await a!.type("/kick dave too loud");
    await dave.waitFor(/^You were kicked/);
    await alice.waitFor(/^dave was kicked/);
    await a!.type("/ban carol");
    await alice.waitFor(/^carol was banned/);
    await carol.waitExit(/banned/i);
    const again = stack.use(new ClassicClient(b!.port));
    assert.match(await again.request("L carol"), /banned/i);
  },
});

Deno.test({
  name:
    "serve --cluster: Redis restarted empty (no persistence): chat goes on with new ids and names stay taken",
  ignore,
  async fn() {
    await using stack = new AsyncDisposableStack();
    const redis = stack.use(await TestRedis.start());
    const [a, b] = await startServers(stack, redis.url, 2);
    const alice = await join(stack, "alice", [a!.port]);
    const bob = await join(stack, "bob", [b!.port]);
    await alice.waitFor("bob joined");
    await alice.type("before");
    await bob.waitFor("alice: before");
    await redis.kill();
    await alice.waitFor(/room is unavailable/, 10_000);
    await redis.restart();
    await alice.waitFor(/room is back/, 10_000);
    await bob.waitFor(/room is back/, 10_000);
    // Numbered above what members showed: not dropped as already seen.
    await alice.type("after");
    await bob.waitFor("alice: after", 10_000);
    await bob.type("back at you");
    await alice.waitFor("bob: back at you", 10_000);
    // The servers told the empty Redis who is here again.
    await assertTaken(stack, "bob", a!.port);
  },
});
