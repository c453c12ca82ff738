import assert from "node:assert/strict";
import type { ClientRequest, ServerEvent } from "../protocol/events.ts";
import { Echoes } from "./echoes.ts";

const say = (text: string): ClientRequest => ({ kind: "say", text });
const muted = (ms: number): ServerEvent => ({ kind: "muted", ms, reason: "" });
const unsent = (request: ClientRequest): ServerEvent => ({
  kind: "unsent",
  request,
  reason: "you are muted",
});

Deno.test({
  name: "Echoes.settle() shows acknowledged lines at once, never a private one",
  permissions: "none",
  fn() {
    const echoes = new Echoes();
    const shown = echoes.settle([
      say("hi"),
      { kind: "private", to: "bob", text: "psst" },
      { kind: "action", text: "waves" },
    ], []);
    assert.deepEqual(shown, [say("hi"), { kind: "action", text: "waves" }]);
  },
});

Deno.test({
  name:
    "Echoes holds lines acknowledged while muted until refused (never shown) or the mute ends (shown)",
  permissions: "none",
  fn() {
    const echoes = new Echoes();
    // The ack and the MUTED event in one datagram: held.
    assert.deepEqual(echoes.settle([say("a")], [muted(60_000)]), []);
    assert.deepEqual(echoes.muted(60_000), []);
    assert.deepEqual(echoes.settle([say("b"), say("c")], []), []);
    echoes.refused(say("a"));
    echoes.refused(say("b"));
    // "c" was let through after the mute ended.
    assert.deepEqual(echoes.muted(0), [say("c")]);
    assert.deepEqual(echoes.settle([say("d")], []), [say("d")]);
  },
});

Deno.test({
  name:
    "Echoes.settle() drops a line refused in the datagram that acknowledged it",
  permissions: "none",
  fn() {
    const echoes = new Echoes();
    assert.deepEqual(
      echoes.settle([say("x"), say("y")], [unsent(say("x"))]),
      [say("y")],
    );
  },
});

Deno.test({
  name: "Echoes.ended() gives back what was held and not refused",
  permissions: "none",
  fn() {
    const echoes = new Echoes();
    echoes.muted(1000);
    echoes.settle([say("p"), say("q")], []);
    echoes.refused(say("p"));
    assert.deepEqual(echoes.ended(), [say("q")]);
    assert.deepEqual(echoes.settle([say("r")], []), [say("r")]);
  },
});
