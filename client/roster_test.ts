import assert from "node:assert/strict";
import { Roster } from "./roster.ts";

Deno.test({
  name: "Roster.update() follows the member list, joins, leaves and renames",
  permissions: "none",
  fn() {
    const roster = new Roster();
    roster.update(
      { kind: "members", total: 3, names: ["ann", "Dave", "ben"] },
      "dave",
    );
    assert.deepEqual(roster.names, ["ann", "ben"]);
    roster.update({ kind: "joined", id: 1, time: 0, name: "cy" }, "dave");
    roster.update({
      kind: "left",
      id: 2,
      time: 0,
      name: "ANN",
      why: "left",
      reason: "",
    }, "dave");
    roster.update(
      { kind: "nick", id: 3, time: 0, from: "ben", to: "bo" },
      "dave",
    );
    assert.deepEqual(roster.names.sort(), ["bo", "cy"]);
    roster.update({
      kind: "who",
      total: 2,
      entries: [
        { name: "dave", idleMs: 0, rttMs: 0, lossPercent: 0, away: "" },
        { name: "eve\x1b[31m", idleMs: 0, rttMs: 0, lossPercent: 0, away: "" },
      ],
    }, "dave");
    assert.equal(roster.names.length, 1);
    assert.ok(!roster.names[0]!.includes("\x1b"), "sanitised");
  },
});
