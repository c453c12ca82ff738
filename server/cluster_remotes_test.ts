import { deepStrictEqual, rejects, strictEqual } from "node:assert/strict";
import { FakeStore } from "./_fake_store.ts";
import { chat, joined, left, Node } from "./_cluster_node.ts";
import type { LogEntry } from "./room_log.ts";

function event(entry: LogEntry["event"]): LogEntry {
  return { to: "all", event: entry };
}

Deno.test({
  name:
    "ClusterLog.remotes() follows members of other servers through joined, nick, away, left",
  permissions: "none",
  async fn() {
    const store = new FakeStore();
    const a = new Node(store, "a");
    const b = new Node(store, "b");
    b.log.addresses.set("a", "127.0.0.1:4000");
    a.log.append(joined(1, "alice"));
    a.log.append(joined(2, "bob"));
    a.log.append(
      event({ kind: "nick", id: 0, time: 0, from: "alice", to: "Alicia" }),
    );
    a.log.append(
      event({ kind: "away", id: 0, time: 0, name: "bob", reason: "lunch" }),
    );
    await a.commit();
    await Promise.all([a.read(), b.read()]);
    strictEqual(b.log.remoteCount, 2);
    deepStrictEqual([...b.log.remotes()], [
      { name: "Alicia", away: "", server: "127.0.0.1:4000" },
      { name: "bob", away: "lunch", server: "127.0.0.1:4000" },
    ]);
    strictEqual(b.log.remote("alice"), undefined);
    strictEqual(b.log.remote("alicia")?.id, 1);
    // A server does not count its own members as elsewhere.
    strictEqual(a.log.remoteCount, 0);
    a.log.append(left(2, "bob"));
    await a.commit();
    await b.read();
    deepStrictEqual([...b.log.elsewhere()].map((r) => r.id), [1]);
    strictEqual(b.log.remote("bob"), undefined);
  },
});

Deno.test({
  name:
    "ClusterLog.seed() keeps the store's members of other servers, not its own",
  permissions: "none",
  async fn() {
    const store = new FakeStore();
    const a = new Node(store, "a");
    a.log.append(joined(1, "alice"));
    await a.commit();
    const c = new Node(store, "c");
    c.log.seed(await store.members());
    deepStrictEqual(
      [...c.log.elsewhere()].map(({ id, name, srv, away }) => ({
        id,
        name,
        srv,
        away,
      })),
      [{ id: 1, name: "alice", srv: "a", away: "" }],
    );
    const again = new Node(store, "a");
    again.log.seed(await store.members());
    strictEqual(again.log.remoteCount, 0);
  },
});

Deno.test({
  name: "ClusterLog.apply() follows a moved control to the member's new server",
  permissions: "none",
  async fn() {
    const store = new FakeStore();
    const a = new Node(store, "a");
    const b = new Node(store, "b");
    const c = new Node(store, "c");
    a.log.push({
      o: "member",
      record: {
        id: 1,
        name: "alice",
        srv: "a",
        kind: "native",
        next: 0,
        after: 0,
        away: "",
      },
      token: new Uint8Array([1, 2, 3]),
    });
    a.log.append(joined(1, "alice"));
    await a.commit();
    await c.read();
    strictEqual(c.log.remote("alice")?.srv, "a");
    const record = await store.takeOver(1, new Uint8Array([1, 2, 3]), "b");
    strictEqual(record?.srv, "b");
    await Promise.all([b.read(), c.read()]);
    deepStrictEqual(c.controls, [{ t: "moved", id: 1, to: "b" }]);
    strictEqual(c.log.remote("alice")?.srv, "b");
    // The new server adopts it: no longer elsewhere there.
    b.log.adopt(1, "alice", 0);
    strictEqual(b.log.remote("alice"), undefined);
    // The old one hands it over: now elsewhere, its name refused at once.
    a.log.moved({ id: 1, name: "alice", away: "" }, "b");
    strictEqual(a.log.remote("alice")?.srv, "b");
    strictEqual(a.log.claim("alice", 9), "taken");
  },
});

Deno.test({
  name:
    "FakeStore.commit() retried after a lost reply applies nothing twice; claims are asked again",
  permissions: "none",
  async fn() {
    const store = new FakeStore();
    const a = new Node(store, "a");
    a.log.claim("alice", 1);
    a.log.append(chat("once"));
    const ops = a.log.take();
    store.loseReply = true;
    await rejects(a.commit(0, 1, ops));
    await a.commit(0, 1, ops);
    // The claim answered nothing: it is queued again, and is idempotent.
    strictEqual(a.log.claim("alice", 1), "pending");
    await a.commit(0, 2);
    strictEqual(a.log.claim("alice", 1), "ok");
    await a.read();
    deepStrictEqual(a.texts(), ["once"]);
  },
});

Deno.test({
  name: "FakeStore.takeOver() moves a member only for its token",
  permissions: "none",
  async fn() {
    const store = new FakeStore();
    const a = new Node(store, "a");
    a.log.push({
      o: "member",
      record: {
        id: 5,
        name: "eve",
        srv: "a",
        kind: "native",
        next: 0,
        after: 3,
        away: "",
      },
      token: new Uint8Array([9, 9]),
    });
    a.log.push({ o: "next", id: 5, next: 17, pn: 4000 });
    await a.commit();
    strictEqual(
      await store.takeOver(5, new Uint8Array([9, 8]), "b"),
      undefined,
    );
    strictEqual(
      await store.takeOver(6, new Uint8Array([9, 9]), "b"),
      undefined,
    );
    strictEqual(store.stream.length, 0);
    const record = await store.takeOver(5, new Uint8Array([9, 9]), "b");
    deepStrictEqual(record, {
      id: 5,
      name: "eve",
      srv: "b",
      kind: "native",
      next: 17,
      pn: 4000,
      after: 3,
      away: "",
    });
    deepStrictEqual(store.stream.map((r) => "control" in r && r.control), [
      { t: "moved", id: 5, to: "b" },
    ]);
    strictEqual(store.member(5)?.srv, "b");
  },
});
