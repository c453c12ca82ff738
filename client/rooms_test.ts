/**
 * Unit tests of finding a room from the member's side: where probes go,
 * which answers count, how rooms are shown and chosen.
 */

import assert from "node:assert/strict";
import {
  choose,
  Found,
  pick,
  probeTargets,
  probeTargetsV6,
  roomJson,
  roomLine,
} from "./rooms.ts";
import { type Answer, encodeAnswer } from "../protocol/discovery.ts";

const NONCE = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);

function answer(id: number, room: string, hostname = "10.213.1.1"): Answer {
  return {
    nonce: NONCE,
    serverId: new Uint8Array(8).fill(id),
    version: 2,
    passphrase: id === 2,
    hostname,
    port: 8888,
    members: id,
    room,
  };
}

Deno.test({
  name:
    "probeTargets() lists loopback, limited and subnet broadcasts and the group",
  permissions: "none",
  fn() {
    assert.deepEqual(
      probeTargets([
        { family: "IPv4", address: "127.0.0.1", netmask: "255.0.0.0" },
        { family: "IPv4", address: "10.213.1.2", netmask: "255.255.255.0" },
        { family: "IPv4", address: "192.168.7.9", netmask: "255.255.240.0" },
        { family: "IPv4", address: "10.9.9.9", netmask: "255.255.255.255" },
        {
          family: "IPv6",
          address: "fe80::1",
          netmask: "ffff:ffff:ffff:ffff::",
        },
      ]),
      [
        "127.255.255.255",
        "255.255.255.255",
        "10.213.1.255",
        "192.168.15.255",
        "239.255.85.67",
      ],
    );
  },
});

Deno.test({
  name:
    "Found.add() keeps answers echoing the nonce, each server once, and ignores junk",
  permissions: "none",
  fn() {
    const found = new Found(NONCE);
    assert.equal(found.add(encodeAnswer(answer(1, "zeta"))), true);
    assert.equal(
      found.add(encodeAnswer(answer(1, "zeta", "127.0.0.1"))),
      false,
    );
    assert.equal(
      found.add(encodeAnswer({ ...answer(3, "x"), nonce: new Uint8Array(8) })),
      false,
    );
    assert.equal(found.add(new Uint8Array([0x55, 0x44, 1, 2])), false);
    assert.equal(
      found.add(encodeAnswer(answer(2, "alpha", "10.213.1.3"))),
      true,
    );
    assert.deepEqual(found.rooms.map((r) => r.room), ["alpha", "zeta"]);
  },
});

Deno.test({
  name:
    "roomLine() and roomJson() show name, address, members and passphrase; names are sanitised",
  permissions: "none",
  fn() {
    const { nonce: _, ...room } = answer(2, "lab\x1b[2J");
    assert.equal(roomLine(room).includes("\x1b"), false);
    assert.equal(
      roomLine(room).replace(/^lab[^ ]*/, "lab"),
      "lab  10.213.1.1:8888  2 members  passphrase",
    );
    assert.deepEqual(JSON.parse(roomJson(room)), {
      room: "lab\x1b[2J",
      address: "10.213.1.1",
      port: 8888,
      members: 2,
      passphrase: true,
      version: 2,
    });
  },
});

Deno.test({
  name:
    "choose() and pick(): none, one, or several to pick from by number or name",
  permissions: "none",
  fn() {
    const rooms = [answer(1, "a"), answer(2, "b"), answer(3, "b")].map((
      { nonce: _, ...r },
    ) => r);
    assert.deepEqual(choose([]), { kind: "none" });
    assert.deepEqual(choose(rooms.slice(0, 1)), {
      kind: "one",
      room: rooms[0],
    });
    assert.equal(choose(rooms).kind, "several");
    assert.equal(pick(rooms, " 2 "), rooms[1]);
    assert.equal(pick(rooms, "a"), rooms[0]);
    assert.equal(pick(rooms, "b"), undefined);
    assert.equal(pick(rooms, "4"), undefined);
    assert.equal(pick(rooms, "0"), undefined);
  },
});

Deno.test({
  name:
    "probeTargetsV6() names the IPv6 group on each interface with a link-local address, once",
  permissions: "none",
  fn() {
    const v6 = (address: string, scopeid: number | null, name: string) => ({
      family: "IPv6" as const,
      address,
      netmask: "ffff:ffff:ffff:ffff::",
      scopeid,
      name,
    });
    assert.deepEqual(
      probeTargetsV6([
        v6("::1", 0, "lo"),
        v6("fe80::1", 2, "eth0"),
        v6("fe80::5", 2, "eth0"),
        v6("2001:db8::1", 0, "eth0"),
        v6("fe80::9", 3, "wlan0"),
        v6("fe80::7", null, "odd"),
        { family: "IPv4", address: "10.0.0.1", netmask: "255.0.0.0" },
      ]),
      ["ff02::7564%2", "ff02::7564%3"],
    );
    assert.deepEqual(probeTargetsV6([]), []);
  },
});
