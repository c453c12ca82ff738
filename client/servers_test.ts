/** Unit tests of a member's server list: which server next, and when. */

import assert from "node:assert/strict";
import { Servers, SILENT_HEARTBEATS } from "./servers.ts";

const A = { hostname: "127.0.0.1", port: 1001 };
const B = { hostname: "127.0.0.1", port: 1002 };
const C = { hostname: "::1", port: 1003 };

Deno.test({
  name: "Servers.rotate() moves on once the window ran out, cycling",
  permissions: "none",
  fn() {
    const servers = new Servers([A, B, C], 1500);
    servers.start(0);
    assert.deepEqual(servers.current, A);
    assert.equal(servers.rotate(1499), false);
    assert.equal(servers.rotate(1500), true);
    assert.deepEqual(servers.current, B);
    assert.equal(servers.rotate(2999), false);
    assert.equal(servers.rotate(3000), true);
    assert.deepEqual(servers.current, C);
    assert.equal(servers.rotate(4500), true);
    assert.deepEqual(servers.current, A);
  },
});

Deno.test({
  name: "Servers.answered() gives the current server another window",
  permissions: "none",
  fn() {
    const servers = new Servers([A, B], 1500);
    servers.start(0);
    servers.answered(1000);
    assert.equal(servers.rotate(2499), false);
    assert.deepEqual(servers.current, A);
    assert.equal(servers.rotate(2500), true);
    assert.deepEqual(servers.current, B);
  },
});

Deno.test({
  name: "Servers.rotate() never moves with one server or none",
  permissions: "none",
  fn() {
    for (const list of [[A], []]) {
      const servers = new Servers(list, 1500);
      servers.start(0);
      assert.equal(servers.rotate(1_000_000), false);
      assert.deepEqual(servers.current, list[0]);
      assert.equal(servers.several, false);
    }
  },
});

Deno.test({
  name:
    "Servers.welcomed() names a server other than the one the member was in",
  permissions: "none",
  fn() {
    const servers = new Servers([A, B, C], 1500);
    servers.start(0);
    servers.rotate(1500);
    // The first join names none, even on the second server.
    assert.equal(servers.welcomed(), undefined);
    assert.equal(servers.welcomed(), undefined);
    servers.start(5000);
    servers.rotate(6500);
    assert.equal(servers.welcomed(), "[::1]:1003");
    servers.start(9000);
    servers.rotate(10_500);
    servers.rotate(12_000);
    assert.equal(servers.welcomed(), "127.0.0.1:1002");
  },
});

Deno.test({
  name:
    "Servers.tooSilent() holds past SILENT_HEARTBEATS heartbeats, with several servers only",
  permissions: "none",
  fn() {
    const several = new Servers([A, B], 1500);
    const one = new Servers([A], 1500);
    const limit = SILENT_HEARTBEATS * 1000;
    assert.equal(several.tooSilent(limit, 1000), false);
    assert.equal(several.tooSilent(limit + 1, 1000), true);
    assert.equal(one.tooSilent(60_000, 1000), false);
  },
});
