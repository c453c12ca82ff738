import { deepStrictEqual } from "node:assert/strict";
import type { Remote } from "./cluster_log.ts";
import { Reaper } from "./reaper.ts";

const TIMEOUT = 10_000;

function remote(id: number, srv: string): Remote {
  return { id, name: `m${id}`, srv, away: "" };
}

const ids = (remotes: Remote[]) => remotes.map((r) => r.id);

Deno.test({
  name:
    "Reaper.due() gives a dead server's members only after the timeout as observed",
  permissions: "none",
  fn() {
    const reaper = new Reaper(TIMEOUT);
    const remotes = [remote(1, "a"), remote(2, "a"), remote(3, "b")];
    const alive = new Set(["b"]);
    // First seen missing at 5000: its time counts from there, not from 0.
    deepStrictEqual(reaper.due(remotes, alive, 5000), []);
    deepStrictEqual(reaper.due(remotes, alive, 5000 + TIMEOUT - 1), []);
    deepStrictEqual(ids(reaper.due(remotes, alive, 5000 + TIMEOUT)), [1, 2]);
  },
});

Deno.test({
  name: "Reaper.due() asks for each member once, until retry()",
  permissions: "none",
  fn() {
    const reaper = new Reaper(TIMEOUT);
    const remotes = [remote(1, "a"), remote(2, "a")];
    const alive = new Set<string>();
    reaper.due(remotes, alive, 0);
    deepStrictEqual(ids(reaper.due(remotes, alive, TIMEOUT)), [1, 2]);
    deepStrictEqual(reaper.due(remotes, alive, TIMEOUT + 1000), []);
    reaper.retry(2);
    deepStrictEqual(ids(reaper.due(remotes, alive, TIMEOUT + 2000)), [2]);
    deepStrictEqual(reaper.due(remotes, alive, TIMEOUT + 3000), []);
  },
});

Deno.test({
  name: "Reaper.due() starts the wait again for a server that came back",
  permissions: "none",
  fn() {
    const reaper = new Reaper(TIMEOUT);
    const remotes = [remote(1, "a")];
    deepStrictEqual(reaper.due(remotes, new Set(), 0), []);
    deepStrictEqual(reaper.due(remotes, new Set(["a"]), TIMEOUT - 1), []);
    // Missing again: a whole timeout from now.
    deepStrictEqual(reaper.due(remotes, new Set(), TIMEOUT), []);
    deepStrictEqual(reaper.due(remotes, new Set(), 2 * TIMEOUT - 1), []);
    deepStrictEqual(ids(reaper.due(remotes, new Set(), 2 * TIMEOUT)), [1]);
  },
});

Deno.test({
  name:
    "Reaper.due() forgets a member whose leave came, and asks again if it turns up again",
  permissions: "none",
  fn() {
    const reaper = new Reaper(TIMEOUT);
    const alive = new Set<string>();
    reaper.due([remote(1, "a")], alive, 0);
    deepStrictEqual(ids(reaper.due([remote(1, "a")], alive, TIMEOUT)), [1]);
    // Its leave came through the stream: gone from the roster.
    deepStrictEqual(reaper.due([], alive, TIMEOUT + 1000), []);
    // A member of the dead server seen later (a stale join) waits a full timeout.
    deepStrictEqual(reaper.due([remote(1, "a")], alive, TIMEOUT + 2000), []);
    deepStrictEqual(
      ids(reaper.due([remote(1, "a")], alive, 2 * TIMEOUT + 2000)),
      [1],
    );
  },
});

Deno.test({
  name: "Reaper.due() never gives members of live servers",
  permissions: "none",
  fn() {
    const reaper = new Reaper(TIMEOUT);
    const remotes = [remote(1, "a"), remote(2, "b")];
    const alive = new Set(["a", "b"]);
    for (let now = 0; now <= 10 * TIMEOUT; now += TIMEOUT) {
      deepStrictEqual(reaper.due(remotes, alive, now), []);
    }
  },
});
