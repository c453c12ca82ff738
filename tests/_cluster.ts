/**
 * Helpers for cluster tests: servers sharing one room through a test
 * Redis, members on each, numbered lines, and the check that every member
 * showed every other member's lines exactly once, all in one order.
 * @module
 */

import assert from "node:assert/strict";
import { type Proc, startMember, startServer } from "./_cli.ts";
import { numbered } from "./_scenario.ts";

/** A server of a cluster test. */
export type Server = Proc & { port: number };

/** Start `count` servers sharing room `room` through the Redis at `url`. */
export async function startServers(
  stack: AsyncDisposableStack,
  url: string,
  count: number,
  extra: string[] = [],
): Promise<Server[]> {
  const servers: Server[] = [];
  for (let i = 0; i < count; i++) {
    servers.push(stack.use(
      await startServer([
        "--cluster",
        url,
        "--room",
        "test",
        "--no-announce",
        "--rate",
        "0",
        ...extra,
      ]),
    ));
  }
  return servers;
}

/** `name` joined to the servers at `ports` (the first is its own). */
export async function join(
  stack: AsyncDisposableStack,
  name: string,
  ports: number[],
): Promise<Proc> {
  const list = ports.map((port) => `127.0.0.1:${port}`).join(",");
  const member = await startMember(name, ports[0]!, {
    args: ["--server", list],
  });
  return stack.use(member);
}

/**
 * Two members on each server, `${prefix}${i}a` and `${prefix}${i}b` on
 * server i, each having seen the later ones join.
 */
export async function joinPairs(
  stack: AsyncDisposableStack,
  servers: readonly Server[],
  prefix: string,
): Promise<Map<string, Proc>> {
  const members = new Map<string, Proc>();
  for (const [i, server] of servers.entries()) {
    for (const name of [`${prefix}${i}a`, `${prefix}${i}b`]) {
      members.set(name, await join(stack, name, [server.port]));
    }
  }
  await waitForJoins(members);
  return members;
}

/** `join NAME` at `port` is refused because the name is taken, and exits 1. */
export async function assertTaken(
  stack: AsyncDisposableStack,
  name: string,
  port: number,
): Promise<void> {
  const again = stack.use(await startMember(name, port, { wait: false }));
  assert.equal((await again.status(15_000)).code, 1);
  assert.match(
    [...again.lines, ...again.errors].join("\n"),
    new RegExp(`"${name}" is taken`),
  );
}

/** Wait until every member shows `${other} joined` for every member that joined after it. */
export async function waitForJoins(members: Map<string, Proc>): Promise<void> {
  const names = [...members.keys()];
  for (const [name, member] of members) {
    for (const other of names.slice(names.indexOf(name) + 1)) {
      await member.waitFor(`${other} joined`, 15_000);
    }
  }
}

/** The numbered chat lines a member showed, in order, as "from n". */
export function heard(member: Proc): string[] {
  const lines: string[] = [];
  for (const line of member.lines) {
    const chat = /^(\w+): \1 (\d+)$/.exec(line);
    if (chat) lines.push(`${chat[1]} ${Number(chat[2])}`);
  }
  return lines;
}

/**
 * Every member in `members` showed `count` lines of each sender in
 * `senders` other than itself, exactly once, and any two members showed
 * the lines they both got in the same order.
 */
export function assertOneOrder(
  members: Map<string, Proc>,
  senders: readonly string[],
  count: number,
): void {
  const problems: string[] = [];
  for (const [name, member] of members) {
    const got = heard(member);
    for (const from of senders) {
      if (from === name) continue;
      for (let n = 1; n <= count; n++) {
        const times = got.filter((l) => l === `${from} ${n}`).length;
        if (times !== 1) problems.push(`${name}: ${from} ${n} shown ${times}×`);
      }
    }
  }
  const names = [...members.keys()];
  for (const a of names) {
    for (const b of names) {
      if (a >= b) continue;
      const both = (line: string) =>
        !line.startsWith(`${a} `) &&
        !line.startsWith(`${b} `);
      const orderA = heard(members.get(a)!).filter(both);
      const orderB = heard(members.get(b)!).filter(both);
      if (JSON.stringify(orderA) !== JSON.stringify(orderB)) {
        const i = orderA.findIndex((line, k) => line !== orderB[k]);
        problems.push(
          `${a} and ${b} differ in order at ${i}: ${orderA[i]} / ${orderB[i]}`,
        );
      }
    }
  }
  assert.deepEqual(problems.slice(0, 20), [], `${problems.length} problems`);
}

/** Type `count` numbered lines as `name`, `gapMs` apart. */
export async function typeLines(
  member: Proc,
  name: string,
  from: number,
  to: number,
  gapMs = 0,
): Promise<void> {
  for (let n = from; n <= to; n++) {
    await member.type(numbered(name, n));
    if (gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
  }
}

/** Wait until every member shows line `count` of every other sender. */
export async function waitForLines(
  members: Map<string, Proc>,
  senders: readonly string[],
  count: number,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const [name, member] of members) {
    for (const from of senders) {
      if (from === name) continue;
      await member.waitFor(
        `${from}: ${numbered(from, count)}`,
        Math.max(1, deadline - Date.now()),
      );
    }
  }
}
