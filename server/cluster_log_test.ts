import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import type { Op } from "./cluster_ops.ts";
import { FakeStore } from "./_fake_store.ts";
import { chat, joined, Node } from "./_cluster_node.ts";

Deno.test({
  name: "ClusterLog.apply() delivers in the store's order on every server",
  permissions: "none",
  async fn() {
    const store = new FakeStore();
    const [a, b, c] = ["a", "b", "c"].map((s) => new Node(store, s));
    const a1 = chat("a1");
    a!.log.append(a1);
    a!.log.append(chat("a2"));
    b!.log.append(chat("b1"));
    ok(a!.log.held(a1));
    // Nothing is delivered before the store numbered it.
    deepStrictEqual(a!.delivered, []);
    await b!.commit();
    await a!.commit();
    c!.log.append(chat("c1"));
    await c!.commit();
    for (const node of [a!, b!, c!]) await node.read();
    for (const node of [a!, b!, c!]) {
      deepStrictEqual(node.texts(), ["b1", "a1", "a2", "c1"]);
      deepStrictEqual(node.delivered.map((e) => e.event.id), [1, 2, 3, 4]);
      strictEqual(node.log.lastId, 4);
    }
  },
});

Deno.test({
  name: "ClusterLog.apply() ignores records already taken and older ones",
  permissions: "none",
  async fn() {
    const store = new FakeStore();
    const a = new Node(store, "a");
    a.log.append(chat("one"));
    a.log.append(chat("two"));
    await a.commit();
    const records = await store.read(0, 0);
    a.log.apply(records);
    a.log.apply(records);
    a.log.apply([records[0]!]);
    deepStrictEqual(a.texts(), ["one", "two"]);
    strictEqual(a.log.cursor, 2);
    deepStrictEqual(a.log.since(1)?.map((e) => e.id), [2]);
  },
});

Deno.test({
  name:
    "ClusterLog.apply() takes control records in order without keeping them",
  permissions: "none",
  async fn() {
    const store = new FakeStore();
    const a = new Node(store, "a");
    const b = new Node(store, "b");
    a.log.append(chat("before"));
    a.log.push({ o: "kick", id: 7, why: "kicked", reason: "r" });
    a.log.append(chat("after"));
    await a.commit();
    await b.read();
    deepStrictEqual(b.controls, [{
      t: "kick",
      id: 7,
      why: "kicked",
      reason: "r",
    }]);
    deepStrictEqual(b.texts(), ["before", "after"]);
    // The control record took id 2: members see a gap, nothing else.
    deepStrictEqual(b.delivered.map((e) => e.event.id), [1, 3]);
    deepStrictEqual(b.log.since(1)?.map((e) => e.id), [3]);
  },
});

Deno.test({
  name:
    "ClusterLog.claim() is pending until the store answers: ok on one server, taken on another",
  permissions: "none",
  async fn() {
    const store = new FakeStore();
    const a = new Node(store, "a");
    const b = new Node(store, "b");
    strictEqual(a.log.claim("alice", 1), "pending");
    strictEqual(b.log.claim("alice", 2), "pending");
    // Asked once: a second join attempt queues nothing more.
    strictEqual(a.log.claim("alice", 1), "pending");
    strictEqual(a.log.take().length, 1);
    a.log.push({ o: "claim", key: "alice", id: 1 });
    await a.commit();
    await b.commit();
    strictEqual(a.log.claim("alice", 1), "ok");
    strictEqual(b.log.claim("alice", 2), "taken");
    // Said once: the next join asks the store again.
    strictEqual(b.log.claim("alice", 2), "pending");
    strictEqual(store.names.get("alice"), 1);
  },
});

Deno.test({
  name:
    "ClusterLog.claim() refuses at once a name a member of another server holds",
  permissions: "none",
  async fn() {
    const store = new FakeStore();
    const a = new Node(store, "a");
    const b = new Node(store, "b");
    a.log.claim("alice", 1);
    await a.commit();
    a.log.append(joined(1, "alice"));
    await a.commit();
    await b.read();
    strictEqual(b.log.claim("alice", 2), "taken");
    strictEqual(b.log.pending, false);
    deepStrictEqual(b.log.remote("alice"), {
      id: 1,
      name: "alice",
      srv: "a",
      away: "",
    });
  },
});

Deno.test({
  name:
    "ClusterLog.release() gives the name back in the store for another server",
  permissions: "none",
  async fn() {
    const store = new FakeStore();
    const a = new Node(store, "a");
    const b = new Node(store, "b");
    a.log.claim("alice", 1);
    await a.commit();
    a.log.release("alice", 1);
    // Releasing twice, or for someone else, takes nothing from a holder.
    a.log.release("alice", 1);
    await a.commit();
    strictEqual(store.names.has("alice"), false);
    b.log.claim("alice", 2);
    await b.commit();
    strictEqual(b.log.claim("alice", 2), "ok");
    a.log.release("alice", 1);
    await a.commit();
    strictEqual(store.names.get("alice"), 2);
  },
});

Deno.test({
  name: "ClusterLog.claimed() gives back a grant nobody asks for any more",
  permissions: "none",
  async fn() {
    const store = new FakeStore();
    const a = new Node(store, "a");
    a.log.claim("alice", 1);
    const ops = a.log.take();
    a.log.release("alice", 1);
    // The release went first; the grant arrives after it.
    await a.commit(0, 1, a.log.take());
    await a.commit(0, 2, ops);
    strictEqual(store.names.get("alice"), 1);
    deepStrictEqual(a.log.take(), [{ o: "release", key: "alice", id: 1 }]);
  },
});

Deno.test({
  name: "ClusterLog.tick() releases a grant no member used, after its time",
  permissions: "none",
  async fn() {
    const store = new FakeStore();
    const a = new Node(store, "a");
    a.log.claim("alice", 1);
    a.log.claim("bob", 2);
    await a.commit(1000);
    a.log.push({
      o: "member",
      record: {
        id: 2,
        name: "bob",
        srv: "a",
        kind: "native",
        next: 0,
        after: 0,
        away: "",
      },
    });
    a.log.take();
    a.log.tick(1000 + 60_000);
    strictEqual(a.log.pending, false);
    a.log.tick(1001 + 60_000);
    deepStrictEqual(a.log.take(), [{ o: "release", key: "alice", id: 1 }]);
    await a.commit(0, 99, [{ o: "release", key: "alice", id: 1 }] as Op[]);
    deepStrictEqual([...store.names.keys()], ["bob"]);
  },
});

Deno.test({
  name:
    "ClusterLog.tick() keeps the name of a member that joined with no record of its own (classic)",
  permissions: "none",
  async fn() {
    const store = new FakeStore();
    const a = new Node(store, "a");
    const id = 2 ** 32 + 5;
    a.log.claim("carol", id);
    await a.commit(0);
    strictEqual(a.log.claim("carol", id), "ok");
    // A classic member's join is only its joined event.
    a.log.append(joined(id, "carol"));
    await a.commit(0);
    a.log.tick(10 * 60_000);
    deepStrictEqual(a.log.take(), []);
    strictEqual(store.names.get("carol"), id);
  },
});
