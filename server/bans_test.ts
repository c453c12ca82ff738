/**
 * Unit tests of the ban list: by name (any case or width) and by address,
 * until a time or for good, lifted by `unban`, listed while in force.
 */

import assert from "node:assert/strict";
import { Bans } from "./bans.ts";

const NOW = 1_700_000_000_000;
const MINUTE = 60_000;

Deno.test({
  name: "Bans.until() is undefined for a name and address never banned",
  permissions: "none",
  fn() {
    const bans = new Bans();
    assert.equal(bans.until("alice", "10.0.0.1", NOW), undefined);
    assert.deepEqual(bans.list(NOW), []);
  },
});

Deno.test({
  name: "Bans.until() matches a banned name in any case or width",
  permissions: "none",
  fn() {
    const bans = new Bans();
    bans.ban("Bob", undefined, NOW + 10 * MINUTE);
    for (const name of ["Bob", "bob", "BOB", "ｂｏｂ", "Ｂｏｂ"]) {
      assert.equal(bans.until(name, "10.0.0.9", NOW), NOW + 10 * MINUTE, name);
    }
    assert.equal(bans.until("bobby", "10.0.0.9", NOW), undefined);
    assert.equal(bans.until("alice", "10.0.0.9", NOW), undefined);
  },
});

Deno.test({
  name: "Bans.until() matches a banned address under any name",
  permissions: "none",
  fn() {
    const bans = new Bans();
    bans.ban(undefined, "10.0.0.2", NOW + MINUTE);
    assert.equal(bans.until("carol", "10.0.0.2", NOW), NOW + MINUTE);
    assert.equal(bans.until("dave", "10.0.0.2", NOW), NOW + MINUTE);
    assert.equal(bans.until("carol", "10.0.0.3", NOW), undefined);
  },
});

Deno.test({
  name: "Bans.ban() with a name and an address bans both, separately",
  permissions: "none",
  fn() {
    const bans = new Bans();
    bans.ban("bob", "10.0.0.2", NOW + MINUTE);
    assert.equal(bans.until("bob", "10.0.0.7", NOW), NOW + MINUTE);
    assert.equal(bans.until("robert", "10.0.0.2", NOW), NOW + MINUTE);
    assert.equal(bans.until("robert", "10.0.0.7", NOW), undefined);
  },
});

Deno.test({
  name: "Bans.until() returns the later of a name ban and an address ban",
  permissions: "none",
  fn() {
    const bans = new Bans();
    bans.ban("bob", undefined, NOW + MINUTE);
    bans.ban(undefined, "10.0.0.2", NOW + 5 * MINUTE);
    assert.equal(bans.until("bob", "10.0.0.2", NOW), NOW + 5 * MINUTE);
  },
});

Deno.test({
  name: "Bans.until() ends a ban at its time, not a millisecond before",
  permissions: "none",
  fn() {
    const bans = new Bans();
    const until = NOW + 10 * MINUTE;
    bans.ban("bob", "10.0.0.2", until);
    assert.equal(bans.until("bob", "10.0.0.9", until - 1), until);
    assert.equal(bans.until("eve", "10.0.0.2", until - 1), until);
    assert.equal(bans.until("bob", "10.0.0.9", until), undefined);
    assert.equal(bans.until("eve", "10.0.0.2", until), undefined);
    assert.equal(bans.until("bob", "10.0.0.2", until + MINUTE), undefined);
    assert.deepEqual(bans.list(until), []);
  },
});

Deno.test({
  name: "Bans.ban() until Infinity lasts for good",
  permissions: "none",
  fn() {
    const bans = new Bans();
    bans.ban("mallory", "10.6.6.6", Infinity);
    const later = NOW + 100 * 365 * 24 * 60 * MINUTE;
    assert.equal(bans.until("MALLORY", "10.0.0.1", later), Infinity);
    assert.equal(bans.until("x", "10.6.6.6", later), Infinity);
    assert.deepEqual(bans.list(later), [
      ["mallory", Infinity],
      ["10.6.6.6", Infinity],
    ]);
  },
});

Deno.test({
  name: "Bans.ban() again replaces the time, shorter or longer",
  permissions: "none",
  fn() {
    const bans = new Bans();
    bans.ban("bob", undefined, Infinity);
    bans.ban("BOB", undefined, NOW + MINUTE);
    assert.equal(bans.until("bob", "10.0.0.1", NOW), NOW + MINUTE);
    assert.equal(bans.list(NOW).length, 1);
  },
});

Deno.test({
  name: "Bans.unban() lifts a name ban in any case or width",
  permissions: "none",
  fn() {
    const bans = new Bans();
    bans.ban("Bob", undefined, Infinity);
    assert.equal(bans.unban("ＢＯＢ"), true);
    assert.equal(bans.until("bob", "10.0.0.1", NOW), undefined);
    assert.equal(bans.unban("bob"), false);
  },
});

Deno.test({
  name: "Bans.unban() lifts an address ban and leaves the name ban",
  permissions: "none",
  fn() {
    const bans = new Bans();
    bans.ban("bob", "10.0.0.2", Infinity);
    assert.equal(bans.unban("10.0.0.2"), true);
    assert.equal(bans.until("eve", "10.0.0.2", NOW), undefined);
    assert.equal(bans.until("bob", "10.0.0.3", NOW), Infinity);
    assert.equal(bans.unban("10.0.0.2"), false);
  },
});

Deno.test({
  name: "Bans.unban() is false for someone never banned",
  permissions: "none",
  fn() {
    const bans = new Bans();
    bans.ban("bob", "10.0.0.2", Infinity);
    assert.equal(bans.unban("alice"), false);
    assert.equal(bans.unban("10.0.0.3"), false);
    assert.equal(bans.list(NOW).length, 2);
  },
});

Deno.test({
  name: "Bans.list() gives every ban in force with its time, names by key",
  permissions: "none",
  fn() {
    const bans = new Bans();
    bans.ban("Ｂｏｂ", "10.0.0.2", NOW + 10 * MINUTE);
    bans.ban("eve", undefined, NOW + MINUTE);
    bans.ban(undefined, "10.0.0.5", Infinity);
    assert.deepEqual(
      new Map(bans.list(NOW)),
      new Map<string, number>([
        ["bob", NOW + 10 * MINUTE],
        ["eve", NOW + MINUTE],
        ["10.0.0.2", NOW + 10 * MINUTE],
        ["10.0.0.5", Infinity],
      ]),
    );
    assert.deepEqual(
      new Set(bans.list(NOW + 2 * MINUTE).map(([who]) => who)),
      new Set(["bob", "10.0.0.2", "10.0.0.5"]),
    );
  },
});

Deno.test({
  name: "Bans forget an expired ban once it is looked up",
  permissions: "none",
  fn() {
    const bans = new Bans();
    bans.ban("bob", "10.0.0.2", NOW + MINUTE);
    assert.equal(bans.until("bob", "10.0.0.2", NOW + 2 * MINUTE), undefined);
    // Gone for good: asking at an earlier time does not bring it back.
    assert.equal(bans.until("bob", "10.0.0.2", NOW), undefined);
    assert.equal(bans.unban("bob"), false);
    assert.equal(bans.unban("10.0.0.2"), false);
  },
});
