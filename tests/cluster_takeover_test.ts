/**
 * A member survives its server's death: servers sharing a room through a
 * real `redis-server`, one of them SIGKILLed while every member sends
 * numbered lines. Its members, given the list of servers, go on at another
 * within 5 s with the same name and no leave or join; afterwards every
 * member has every line exactly once, in one order.
 * @module
 */

import assert from "node:assert/strict";
import type { Proc } from "./_cli.ts";
import { redisMissing, TestRedis } from "./_redis.ts";
import {
  assertOneOrder,
  join,
  startServers,
  typeLines,
  waitForJoins,
  waitForLines,
} from "./_cluster.ts";

const missing = redisMissing();

Deno.test({
  name:
    "serve --cluster: SIGKILL a server mid-chat; its members go on at another with every line once, in one order",
  ignore: missing !== undefined,
  async fn() {
    await using stack = new AsyncDisposableStack();
    const redis = stack.use(await TestRedis.start());
    const [dead, one, two] = await startServers(stack, redis.url, 3);
    const members = new Map<string, Proc>([
      ["k1", await join(stack, "k1", [dead!.port, one!.port])],
      ["k2", await join(stack, "k2", [dead!.port, two!.port])],
      ["m1", await join(stack, "m1", [one!.port])],
      ["m2", await join(stack, "m2", [two!.port])],
    ]);
    await waitForJoins(members);
    const names = [...members.keys()];
    const count = 60;
    const typing = Promise.all(
      names.map((name) => typeLines(members.get(name)!, name, 1, count, 50)),
    );
    await new Promise((r) => setTimeout(r, 1000));
    dead!.kill("SIGKILL");
    const killed = Date.now();
    for (const name of ["k1", "k2"]) {
      await members.get(name)!.waitFor(/^Now on 127\.0\.0\.1:/, 5000);
      assert.ok(Date.now() - killed < 5000, `${name} moved too late`);
    }
    await typing;
    try {
      await waitForLines(members, names, count, 30_000);
    } catch (e) {
      for (const [n, m] of members) {
        console.log(
          n,
          JSON.stringify(m.lines.slice(-12)),
          JSON.stringify(m.errors.slice(-5)),
        );
      }
      for (const s of [one, two]) {
        console.log(JSON.stringify(s!.lines.slice(-25)));
      }
      throw e;
    }
    assertOneOrder(members, names, count);
    for (const [name, member] of members) {
      // No leave or join noise, and nobody had to join as new.
      for (const other of ["k1", "k2"]) {
        assert.equal(
          member.count(`${other} left`),
          0,
          `${name}: ${other} left`,
        );
        // Once, for those that joined after it; never again.
        const after = names.indexOf(other) > names.indexOf(name);
        assert.equal(member.count(`${other} joined`), after ? 1 : 0);
      }
      assert.equal(member.count(/^Rejoined/), 0, `${name} rejoined as new`);
      assert.equal(member.count(/not delivered/i), 0, `${name}: undelivered`);
    }
    // They are members of the servers that took them over, room-wide.
    const k1 = members.get("k1")!;
    await k1.type("/who");
    await k1.waitFor(/^4 members here/);
  },
});
