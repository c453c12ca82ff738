import assert from "node:assert/strict";
import { joinAddresses, serveHints } from "./hints.ts";

const IFACES = [
  { family: "IPv4", address: "127.0.0.1" },
  { family: "IPv6", address: "::1" },
  { family: "IPv4", address: "192.168.1.20" },
  { family: "IPv6", address: "fe80::1" },
  { family: "IPv4", address: "10.8.0.2" },
] as const;

Deno.test({
  name:
    "joinAddresses() lists the machine's IPv4 addresses then loopback for 0.0.0.0",
  permissions: "none",
  fn() {
    assert.deepEqual(joinAddresses("0.0.0.0", IFACES), [
      "192.168.1.20",
      "10.8.0.2",
      "127.0.0.1",
    ]);
    assert.deepEqual(joinAddresses("0.0.0.0", []), ["127.0.0.1"]);
    assert.deepEqual(joinAddresses("127.0.0.1", IFACES), ["127.0.0.1"]);
    assert.deepEqual(joinAddresses("localhost", IFACES), ["127.0.0.1"]);
    assert.deepEqual(joinAddresses("10.8.0.2", IFACES), ["10.8.0.2"]);
    assert.deepEqual(joinAddresses("::1", IFACES), ["::1"]);
  },
});

Deno.test({
  name: "serveHints() says how to join at the real port, and where help is",
  permissions: "none",
  fn() {
    const lines = serveHints("0.0.0.0", 40123, IFACES);
    assert.deepEqual(lines.slice(0, 4), [
      "Members join with:",
      "  udpchat join NAME --server 192.168.1.20:40123",
      "  udpchat join NAME --server 10.8.0.2:40123",
      "  udpchat join NAME --server 127.0.0.1:40123",
    ]);
    assert.match(lines[4]!, /\/help/);
    assert.match(lines[4]!, /udpchat serve --help/);
    assert.deepEqual(
      serveHints("::1", 8888, [])[1],
      "  udpchat join NAME --server [::1]:8888",
    );
  },
});

Deno.test({
  name:
    "serveHints() of an announced room says join NAME alone finds it on the LAN, then --server for other networks",
  permissions: "none",
  fn() {
    assert.deepEqual(
      serveHints("0.0.0.0", 8888, IFACES, { announced: true }).slice(0, 5),
      [
        "Members join with:",
        "  udpchat join NAME    (finds this room on the local network)",
        "or, from other networks:",
        "  udpchat join NAME --server 192.168.1.20:8888",
        "  udpchat join NAME --server 10.8.0.2:8888",
      ],
    );
  },
});

Deno.test({
  name:
    "serveHints() from source (deno task) names npx deno task join and serve, never udpchat",
  permissions: "none",
  fn() {
    const lines = serveHints("0.0.0.0", 8888, IFACES, {
      announced: true,
      fromSource: true,
    });
    assert.equal(
      lines[1],
      "  npx deno task join NAME    (finds this room on the local network)",
    );
    assert.equal(
      lines[3],
      "  npx deno task join NAME --server 192.168.1.20:8888",
    );
    assert.match(lines.at(-1)!, /npx deno task serve --help/);
    assert.equal(lines.filter((line) => line.includes("udpchat")).length, 0);
  },
});
