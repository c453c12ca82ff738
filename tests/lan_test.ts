/**
 * End-to-end tests of finding a room on the LAN, across real interfaces:
 * network namespaces joined by bridges (tests/_netns.ts), the server in
 * one, `find` and `join` with no --server in others. They need root and
 * `ip`, and skip with a line saying so otherwise. Nothing leaves the
 * namespaces the tests make.
 */

import assert from "node:assert/strict";
import { Proc } from "./_cli.ts";
import { canMakeNamespaces, Lab } from "./_netns.ts";
import { Tmux } from "./_tmux.ts";
import { ANSWER_LIMITS } from "../server/discovery.ts";
import { DISCOVERY_GROUP_V6 } from "../protocol/discovery.ts";

const ROOT = canMakeNamespaces();
if (!ROOT) {
  console.log(
    "lan_test.ts: skipped, it needs root and ip to make network namespaces",
  );
}
const PROBE = new URL("./_probe.ts", import.meta.url).pathname;

/** `udpchat ARGS` inside `ns`. */
function udpchat(ns: string, ...args: string[]): Proc {
  return new Proc(args, {}, Lab.run(ns), "ip");
}

/** A server in `ns`, once it answers probes; its chat port. */
async function serve(
  ns: string,
  ...args: string[]
): Promise<Proc & { port: number }> {
  const proc = udpchat(ns, "serve", "--port", "0", ...args);
  try {
    const line = await proc.waitFor("udpchat listening", 30_000);
    const port = Number(/:(\d+)$/.exec(line)?.[1]);
    if (!args.includes("--no-announce")) {
      await proc.waitFor("Answering udpchat find", 30_000);
    }
    return Object.assign(proc, { port });
  } catch (error) {
    await proc[Symbol.asyncDispose]();
    throw error;
  }
}

/** `udpchat find ARGS` in `ns`, run to its end. */
async function find(ns: string, ...args: string[]) {
  await using proc = udpchat(ns, "find", ...args);
  const { code } = await proc.status(30_000);
  return { code, lines: proc.lines, errors: proc.errors };
}

/** `_probe.ts HOST PORT COUNT SECONDS` in `ns`: what it sent and got back. */
async function probe(ns: string, ...args: string[]) {
  await using proc = new Proc(args, {}, Lab.run(ns, PROBE), "ip");
  assert.equal((await proc.status(60_000)).code, 0, proc.errors.join("\n"));
  return JSON.parse(proc.lines[0]!) as {
    sent: number;
    answers: number;
    ms: number;
    addresses: string[];
  };
}

Deno.test({
  name:
    "find lists the room across the bridge, and join alice with no --server finds it and chats",
  ignore: !ROOT,
  async fn() {
    await using lab = await Lab.open();
    const server = await lab.namespace("server", 1, 1);
    const member = await lab.namespace("member", 1, 2);
    await using host = await serve(server, "--room", "lab");
    const found = await find(member);
    assert.equal(found.code, 0, found.errors.join("\n"));
    assert.deepEqual(found.lines, [
      `lab  10.213.1.1:${host.port}  0 members  open`,
    ]);
    const json = await find(member, "--json", "--wait", "0.5");
    assert.deepEqual(JSON.parse(json.lines[0]!), {
      room: "lab",
      address: "10.213.1.1",
      port: host.port,
      members: 0,
      passphrase: false,
      version: 2,
    });
    await using alice = udpchat(member, "join", "alice");
    await alice.waitFor(/^Welcome, alice/, 30_000);
    await alice.waitFor(
      `Found the room "lab" at 10.213.1.1:${host.port}`,
      1000,
      true,
    );
    await using bob = udpchat(
      server,
      "join",
      "bob",
      "--server",
      `127.0.0.1:${host.port}`,
    );
    await alice.waitFor("bob joined", 30_000);
    await alice.type("hello over the bridge");
    await bob.waitFor("alice: hello over the bridge", 30_000);
    await host.waitFor("alice joined from 10.213.1.2");
    // The count comes from the chat worker within a quarter second.
    const deadline = Date.now() + 30_000;
    let members = "";
    while (!members.includes("2 members") && Date.now() < deadline) {
      members = (await find(member, "--wait", "0.5")).lines.join("\n");
    }
    assert.match(members, /2 members/, "find never counted alice and bob");
  },
});

Deno.test({
  name:
    "find lists every room on the segment, two on one host too; join in a pipe exits 1 with the list, on a terminal asks",
  ignore: !ROOT,
  async fn() {
    await using lab = await Lab.open();
    const one = await lab.namespace("one", 1, 1);
    const two = await lab.namespace("two", 1, 3);
    const member = await lab.namespace("member", 1, 2);
    await using lab1 = await serve(one, "--room", "lab");
    await using lab2 = await serve(
      one,
      "--room",
      "annex",
      "--passphrase",
      "secret",
    );
    await using den = await serve(two, "--room", "den");
    const found = await find(member);
    assert.deepEqual(found.lines, [
      `annex  10.213.1.1:${lab2.port}  0 members  passphrase`,
      `den  10.213.1.3:${den.port}  0 members  open`,
      `lab  10.213.1.1:${lab1.port}  0 members  open`,
    ]);
    await using alice = udpchat(member, "join", "alice");
    assert.equal((await alice.status(30_000)).code, 1);
    assert.match(alice.errors.join("\n"), /Several rooms answered/);
    for (const room of ["annex", "den", "lab"]) {
      assert.ok(
        alice.errors.some((line) => line.includes(`. ${room}  `)),
        room,
      );
    }
    // On a terminal it asks which, by number or by name.
    await using tty = await Tmux.start([
      "ip",
      ...Lab.run(member),
      "join",
      "bob",
    ], {
      NO_COLOR: "1",
    });
    await tty.waitFor(
      (rows) => rows.some((r) => r.startsWith("Which room?")),
      30_000,
    );
    await tty.type("den", true);
    await tty.waitFor(
      (rows) => rows.some((r) => r.startsWith("Welcome, bob!")),
      30_000,
    );
    await den.waitFor("bob joined from 10.213.1.2", 30_000);
  },
});

Deno.test({
  name:
    "serve --no-announce is not found, and a probe from another subnet gets nothing",
  ignore: !ROOT,
  async fn() {
    await using lab = await Lab.open();
    const server = await lab.namespace("server", 1, 1);
    const member = await lab.namespace("member", 1, 2);
    const far = await lab.namespace("far", 2, 2);
    {
      await using _quiet = await serve(server, "--no-announce");
      const found = await find(member);
      assert.equal(found.code, 1);
      assert.deepEqual(found.lines, []);
      assert.match(
        found.errors.join("\n"),
        /No room answered .*--server HOST:PORT/,
      );
      await using alice = udpchat(member, "join", "alice");
      assert.equal((await alice.status(30_000)).code, 1);
      assert.match(alice.errors.join("\n"), /No room answered/);
    }
    await using host = await serve(server, "--room", "lab");
    assert.equal((await find(far)).code, 1);
    // Routed there, a probe sent straight to the server is refused, while
    // the same probe from its own subnet is answered.
    assert.equal((await probe(far, "10.213.1.1", "8889", "1", "1")).answers, 0);
    assert.equal(
      (await probe(member, "10.213.1.1", "8889", "1", "1")).answers,
      1,
    );
    // The far namespace reaches the room itself: only discovery stays local.
    await using carol = udpchat(
      far,
      "join",
      "carol",
      "--server",
      `10.213.1.1:${host.port}`,
    );
    await carol.waitFor(/^Welcome, carol/, 30_000);
  },
});

Deno.test({
  name:
    "a probe to the IPv6 link-local group alone is answered by each server with the server's IPv4 address on that link, and not across the hub",
  ignore: !ROOT,
  async fn() {
    await using lab = await Lab.open();
    const server = await lab.namespace("server", 1, 1);
    const member = await lab.namespace("member", 1, 2);
    const far = await lab.namespace("far", 2, 2);
    for (const ns of [server, member, far]) await Lab.linkLocal(ns);
    await using host = await serve(server, "--room", "lab");
    // Two servers on one host share the group on the link, as over IPv4.
    await using annex = await serve(server, "--room", "annex");
    // Only IPv6 reaches discovery here: the prober sends to nothing else.
    const group = `${DISCOVERY_GROUP_V6}%eth0`;
    const near = await probe(member, group, "8889", "1", "1");
    assert.equal(near.answers, 2, "not both servers answered the IPv6 probe");
    assert.deepEqual(near.addresses, ["10.213.1.1"]);
    // The group is link-local: the hub routes IPv4 but never carries it on.
    assert.equal((await probe(far, group, "8889", "1", "1")).answers, 0);
    // find sends both ways and still lists each room once.
    const found = await find(member);
    assert.deepEqual(found.lines, [
      `annex  10.213.1.1:${annex.port}  0 members  open`,
      `lab  10.213.1.1:${host.port}  0 members  open`,
    ]);
  },
});

Deno.test({
  name:
    "a flood of probes loses no chat line and gets answers only within the rate limit",
  ignore: !ROOT,
  async fn() {
    await using lab = await Lab.open();
    const server = await lab.namespace("server", 1, 1);
    const member = await lab.namespace("member", 1, 2);
    const flooder = await lab.namespace("flooder", 1, 3);
    await using host = await serve(server, "--room", "lab", "--rate", "0");
    await using alice = udpchat(
      member,
      "join",
      "alice",
      "--server",
      `10.213.1.1:${host.port}`,
    );
    await alice.waitFor(/^Welcome, alice/, 30_000);
    await using bob = udpchat(
      server,
      "join",
      "bob",
      "--server",
      `127.0.0.1:${host.port}`,
    );
    await alice.waitFor("bob joined", 30_000);
    const quiet = await roundTrips(alice, bob, "quiet", 10);
    const flood = probe(flooder, "10.213.1.255", "8889", "20000", "3");
    const during = await roundTrips(alice, bob, "flood", 10);
    const { sent, answers, ms } = await flood;
    for (let i = 0; i < 200; i++) await alice.type(`line ${i}`);
    await bob.waitForCount(/^alice: line \d+$/, 200, 60_000);
    const limit = ANSWER_LIMITS.sourceBurst +
      ANSWER_LIMITS.perSource * ms / 1000 + 1;
    console.log(
      `flood: ${sent} probes in ${ms} ms, ${answers} answers (limit ${
        limit.toFixed(1)
      }); ` +
        `median round trip quiet ${quiet} ms, during the flood ${during} ms`,
    );
    assert.ok(sent > 100, `only ${sent} probes sent`);
    assert.ok(answers >= 1, "the flooder got no answer at all");
    assert.ok(answers <= limit, `${answers} answers, the limit is ${limit}`);
  },
});

/** The median time (ms) for `count` lines from `from` to show at `to`. */
async function roundTrips(from: Proc, to: Proc, tag: string, count: number) {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    await from.type(`${tag} ${i}`);
    await to.waitFor(`: ${tag} ${i}`, 30_000);
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return Math.round(times[count >> 1]!);
}

Deno.test({
  name:
    "join alice with no --server finds the server on the same machine through loopback",
  ignore: !ROOT,
  async fn() {
    await using lab = await Lab.open();
    const alone = await lab.namespace("alone");
    // The README's two terminals: the default port, no --server.
    await using host = await serve(alone, "--port", "8888");
    assert.equal(host.lines[0], "udpchat listening on 0.0.0.0:8888");
    await using alice = udpchat(alone, "join", "alice");
    await alice.waitFor(/^Welcome, alice/, 30_000);
    await alice.waitFor(
      /^Found the room ".+" at 127\.0\.0\.1:8888$/,
      1000,
      true,
    );
    await host.waitFor("alice joined from 127.0.0.1");
  },
});
