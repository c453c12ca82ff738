/**
 * End-to-end tests of a member given several servers (`--server A,B`),
 * with two ordinary servers that share nothing: when its server dies the
 * member goes on at the next one within 5 s, and a first join passes over
 * a server that does not answer.
 */

import assert from "node:assert/strict";
import { Proc, startMember, startServer } from "./_cli.ts";

/** `join NAME --server LIST` in pipe mode, welcomed. */
async function joinList(name: string, ports: number[]): Promise<Proc> {
  const list = ports.map((port) => `127.0.0.1:${port}`).join(",");
  const proc = new Proc(["join", name, "--server", list]);
  try {
    await proc.waitFor(/^Welcome/);
  } catch (error) {
    await proc[Symbol.asyncDispose]();
    throw error;
  }
  return proc;
}

Deno.test("a member given two servers goes on at the second within 5 s of the first's SIGKILL", async () => {
  await using a = await startServer();
  await using b = await startServer();
  await using bob = await startMember("bob", b.port);
  await using alice = await joinList("alice", [a.port, b.port]);
  await using carol = await startMember("carol", a.port);
  await alice.type("on a");
  await carol.waitFor(/^alice: on a$/);
  // More room events on A than B will have: alice must not take B's ids
  // for ones she has shown.
  for (let i = 1; i <= 5; i++) await carol.type(`c${i}`);
  await alice.waitFor(/^carol: c5$/);
  a.kill("SIGKILL");
  await a.status();
  const killed = Date.now();
  await alice.waitFor(`Now on 127.0.0.1:${b.port}`, 5000);
  const took = Date.now() - killed;
  assert.ok(took < 5000, `${took} ms`);
  // B never knew the session: it admits alice as a new member.
  await alice.waitFor(/^Rejoined as alice/);
  await bob.waitFor(/^alice joined$/);
  await alice.type("on b");
  await bob.waitFor(/^alice: on b$/);
  await bob.type("hello alice");
  await alice.waitFor(/^bob: hello alice$/);
  assert.equal(alice.count(/^Now on /), 1, alice.lines.join("\n"));
  assert.equal(alice.count(/left|timed out/), 0, alice.lines.join("\n"));
});

Deno.test("join and send pass over a first server that does not answer", async () => {
  // Bound, so no ICMP says it is closed: it only never answers.
  const dead = Deno.listenDatagram({
    transport: "udp",
    hostname: "127.0.0.1",
    port: 0,
  });
  const deadPort = (dead.addr as Deno.NetAddr).port;
  try {
    await using b = await startServer();
    await using bob = await startMember("bob", b.port);
    const first = dead.receive();
    await using alice = await joinList("alice", [deadPort, b.port]);
    // The dead server was tried first.
    await first;
    await bob.waitFor(/^alice joined$/);
    await alice.type("hi bob");
    await bob.waitFor(/^alice: hi bob$/);
    assert.equal(alice.count(/^Now on /), 0);
    await using carol = new Proc([
      "send",
      "carol",
      "hello from send",
      "--server",
      `127.0.0.1:${deadPort},127.0.0.1:${b.port}`,
    ]);
    assert.equal((await carol.status()).code, 0, carol.errors.join("\n"));
    await bob.waitFor(/^carol: hello from send$/);
  } finally {
    dead.close();
  }
});
