/**
 * Unit tests of the server's answers to probes: only from this machine or
 * its subnets, with the address the prober can reach, within the rate
 * limits per source and in all.
 */

import assert from "node:assert/strict";
import {
  answerAddress,
  AnswerLimiter,
  linkAddress,
  Responder,
} from "./discovery.ts";
import {
  decodeAnswer,
  encodeProbe,
  type Nic,
  PROBE_BYTES,
} from "../protocol/discovery.ts";

const NICS: Nic[] = [
  { family: "IPv4", address: "127.0.0.1", netmask: "255.0.0.0" },
  { family: "IPv4", address: "10.213.1.1", netmask: "255.255.255.0" },
  { family: "IPv6", address: "fe80::1", netmask: "ffff:ffff:ffff:ffff::" },
];
const NONCE = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);
const INFO = {
  serverId: new Uint8Array(8),
  version: 2,
  passphrase: false,
  room: "lab",
  hostname: "0.0.0.0",
  port: 8888,
};

Deno.test({
  name:
    "answerAddress() gives loopback to this machine and the subnet's own address to a neighbour",
  permissions: "none",
  fn() {
    assert.equal(answerAddress("0.0.0.0", "127.0.0.1", NICS), "127.0.0.1");
    assert.equal(answerAddress("0.0.0.0", "10.213.1.7", NICS), "10.213.1.1");
    assert.equal(answerAddress("10.213.1.1", "10.213.1.7", NICS), "10.213.1.1");
    assert.equal(answerAddress("10.213.1.1", "127.0.0.1", NICS), "10.213.1.1");
    assert.equal(answerAddress("127.0.0.1", "127.0.0.1", NICS), "127.0.0.1");
  },
});

Deno.test({
  name:
    "answerAddress() answers nothing off the machine's subnets, nor to a loopback-only server's neighbours",
  permissions: "none",
  fn() {
    assert.equal(answerAddress("0.0.0.0", "10.213.2.2", NICS), undefined);
    assert.equal(answerAddress("0.0.0.0", "0.0.0.0", NICS), undefined);
    assert.equal(answerAddress("0.0.0.0", "fe80::2", NICS), undefined);
    assert.equal(answerAddress("127.0.0.1", "10.213.1.7", NICS), undefined);
  },
});

Deno.test({
  name:
    "Responder.respond() answers a probe with its nonce, the room and the member count",
  permissions: "none",
  fn() {
    const responder = new Responder(INFO, 0);
    const bytes = responder.respond(
      encodeProbe(NONCE),
      "10.213.1.7",
      NICS,
      4,
      0,
    );
    assert.ok(bytes !== undefined);
    assert.ok(bytes.byteLength < PROBE_BYTES);
    assert.deepEqual(decodeAnswer(bytes), {
      ...INFO,
      nonce: NONCE,
      hostname: "10.213.1.1",
      members: 4,
    });
    assert.equal(
      responder.respond(new Uint8Array(10), "10.213.1.7", NICS, 4, 0),
      undefined,
    );
    assert.equal(
      responder.respond(encodeProbe(NONCE), "10.9.9.9", NICS, 4, 0),
      undefined,
    );
  },
});

Deno.test({
  name: "AnswerLimiter.allow() gives a source its burst, then its rate",
  permissions: "none",
  fn() {
    const limits = {
      perSource: 2,
      sourceBurst: 3,
      total: 100,
      totalBurst: 100,
      maxSources: 8,
    };
    const limiter = new AnswerLimiter(limits, 0);
    const at = (now: number) =>
      Array.from({ length: 10 }, () => limiter.allow("a", now)).filter(Boolean)
        .length;
    assert.equal(at(0), 3);
    assert.equal(at(0), 0);
    assert.equal(at(500), 1);
    assert.equal(limiter.allow("b", 500), true);
  },
});

Deno.test({
  name:
    "AnswerLimiter.allow() holds every source to the total, and remembers a bounded number",
  permissions: "none",
  fn() {
    const limits = {
      perSource: 1,
      sourceBurst: 1,
      total: 10,
      totalBurst: 5,
      maxSources: 16,
    };
    const limiter = new AnswerLimiter(limits, 0);
    let allowed = 0;
    for (let i = 0; i < 1000; i++) {
      if (limiter.allow(`10.0.${i >> 8}.${i & 255}`, 0)) allowed++;
    }
    assert.equal(allowed, 5);
    assert.ok(limiter.sources <= 16);
    allowed = 0;
    for (let t = 0; t < 10_000; t += 10) {
      if (limiter.allow(`10.1.0.${t % 256}`, t)) allowed++;
    }
    // 10 a second for 10 s, plus the burst.
    assert.ok(allowed <= 5 + 100, `${allowed} answers`);
    assert.ok(limiter.sources <= 16);
  },
});

const LINKS: Nic[] = [
  { family: "IPv4", address: "127.0.0.1", netmask: "255.0.0.0", name: "lo" },
  {
    family: "IPv4",
    address: "10.213.1.1",
    netmask: "255.255.255.0",
    name: "eth0",
  },
  {
    family: "IPv6",
    address: "fe80::1",
    netmask: "ffff:ffff:ffff:ffff::",
    name: "eth0",
    scopeid: 2,
  },
  {
    family: "IPv6",
    address: "fe80::9",
    netmask: "ffff:ffff:ffff:ffff::",
    name: "wlan0",
    scopeid: 3,
  },
];

Deno.test({
  name:
    "linkAddress() gives an IPv6 link-local prober the IPv4 address on its link, or nothing",
  permissions: "none",
  fn() {
    assert.equal(
      linkAddress("0.0.0.0", "fe80::2", "eth0", LINKS),
      "10.213.1.1",
    );
    assert.equal(linkAddress("::", "FE80::2", "eth0", LINKS), "10.213.1.1");
    assert.equal(
      linkAddress("10.213.1.1", "fe80::2", "eth0", LINKS),
      "10.213.1.1",
    );
    // No IPv4 address on that link, or the bound one is elsewhere.
    assert.equal(linkAddress("0.0.0.0", "fe80::2", "wlan0", LINKS), undefined);
    assert.equal(linkAddress("10.9.9.9", "fe80::2", "eth0", LINKS), undefined);
    assert.equal(linkAddress("127.0.0.1", "fe80::2", "lo", LINKS), undefined);
    // Only link-local sources are on-link by definition.
    assert.equal(linkAddress("::", "febf::2", "eth0", LINKS), "10.213.1.1");
    for (
      const source of [
        "fec0::2",
        "2001:db8::2",
        "fd00::2",
        "10.213.1.7",
        "::1",
        "",
      ]
    ) {
      assert.equal(linkAddress("0.0.0.0", source, "eth0", LINKS), undefined);
    }
  },
});

Deno.test({
  name:
    "Responder.respond() answers an IPv6 probe heard on a link, limited per source and link",
  permissions: "none",
  fn() {
    const responder = new Responder(INFO, 0, {
      perSource: 1,
      sourceBurst: 2,
      total: 100,
      totalBurst: 100,
      maxSources: 10,
    });
    const probe = encodeProbe(NONCE);
    const ask = (source: string, link: string) =>
      responder.respond(probe, source, LINKS, 3, 0, link);
    assert.equal(decodeAnswer(ask("fe80::2", "eth0")!).hostname, "10.213.1.1");
    assert.ok(ask("fe80::2", "eth0"));
    assert.equal(ask("fe80::2", "eth0"), undefined, "over its burst");
    assert.equal(ask("fe80::2", "wlan0"), undefined, "no IPv4 on wlan0");
    assert.equal(ask("2001:db8::2", "eth0"), undefined, "not link-local");
    assert.equal(
      responder.respond(
        probe.slice(0, PROBE_BYTES - 1),
        "fe80::3",
        LINKS,
        3,
        0,
        "eth0",
      ),
      undefined,
      "a short probe",
    );
  },
});
