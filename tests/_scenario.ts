/**
 * Helpers for the reliability tests: a room of real `join` processes behind
 * one fault-injection relay, numbered messages typed into it, and a check of
 * every member's transcript (each other sender's messages exactly once, in
 * order, and nothing unexpected).
 * @module
 */

import assert from "node:assert/strict";
import { type Proc, startMember, startServer } from "./_cli.ts";
import { Relay, type RelayOptions } from "./_relay.ts";

/** How long to wait for anything that crosses the impaired relay. */
export const SLOW_MS = 45_000;

/** A server, a relay in front of it, and members joined through the relay. */
export interface Room extends AsyncDisposable {
  server: Proc & { port: number };
  relay: Relay;
  members: Map<string, Proc>;
  /** A line for failure messages: the seed and the relay's counters. */
  describe(): string;
}

/** How a member types its numbered lines: `burst` at a time, `gapMs` apart. */
export interface Pace {
  burst: number;
  gapMs: number;
}

/**
 * Start a server and a relay, join `names` one after another through it,
 * and wait until every member has seen every later join, so nobody misses a
 * message sent after this. Only then are `faults.toServer` and
 * `faults.toMember` switched on: the join handshake gives up after 5 s
 * however often the server answered, which would make a lossy scenario fail
 * on the join rather than test delivery. `rebindEveryMs` runs from the start.
 */
export async function openRoom(
  names: readonly string[],
  faults: Omit<RelayOptions, "target">,
): Promise<Room> {
  await using stack = new AsyncDisposableStack();
  // Bulk sends: no flood limit, so pacing does not stretch the run.
  const server = stack.use(await startServer(["--rate", "0"]));
  const { toServer = {}, toMember = {}, ...always } = faults;
  const relay = stack.use(
    Relay.start({
      target: { hostname: "127.0.0.1", port: server.port },
      ...always,
    }),
  );
  const members = new Map<string, Proc>();
  for (const name of names) {
    const member = stack.use(
      await startMember(name, relay.port, { wait: false }),
    );
    await member.waitFor(/^Welcome, /, SLOW_MS);
    members.set(name, member);
  }
  for (const [name, member] of members) {
    for (const other of names.slice(names.indexOf(name) + 1)) {
      await member.waitFor(`${other} joined`, SLOW_MS);
    }
  }
  relay.setImpairment("toServer", toServer);
  relay.setImpairment("toMember", toMember);
  // Members first, then the relay, then the server: reverse of the `use`s.
  const owned = stack.move();
  return {
    server,
    relay,
    members,
    describe: () =>
      `seed ${faults.seed}, relay stats ${
        JSON.stringify(relay.stats())
      }, server stderr ${JSON.stringify(server.errors.slice(-10))}`,
    [Symbol.asyncDispose]: () => owned.disposeAsync(),
  };
}

/** The text of `name`'s message number `n` (1-based), e.g. "ann 0007". */
export function numbered(name: string, n: number): string {
  return `${name} ${String(n).padStart(4, "0")}`;
}

/** Type `count` numbered lines as `name`, paced by `pace`. */
export async function typeNumbered(
  member: Proc,
  name: string,
  count: number,
  pace: Pace,
): Promise<void> {
  for (let n = 1; n <= count; n++) {
    await member.type(numbered(name, n));
    if (n % pace.burst === 0 && n < count) await sleep(pace.gapMs);
  }
}

/**
 * Wait until every member shows the last message of every other member;
 * on timeout, fail with what each member is missing.
 */
export async function waitForAll(
  room: Room,
  count: number,
  timeoutMs = SLOW_MS,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const [name, member] of room.members) {
    for (const other of room.members.keys()) {
      if (other === name) continue;
      const last = `${other}: ${numbered(other, count)}`;
      try {
        await member.waitFor(last, deadline - Date.now());
      } catch {
        assert.fail(
          `${name} never showed "${last}" within ${timeoutMs} ms\n` +
            transcriptProblems(room, count).join("\n") +
            `\n${room.describe()}`,
        );
      }
    }
  }
}

/** Every member types /quit; each must exit 0, or as `codes` says for its name. */
export async function quitAll(
  room: Room,
  codes: Record<string, number> = {},
): Promise<void> {
  for (const member of room.members.values()) await member.type("/quit");
  for (const [name, member] of room.members) {
    const { code } = await member.status(15_000);
    assert.equal(
      code,
      codes[name] ?? 0,
      `${name} exited ${code}; stderr: ${JSON.stringify(member.errors)}`,
    );
  }
}

/**
 * Check every member's whole output: each other sender's `count` messages
 * exactly once and in order, none of its own, no unexpected line, nothing on
 * stderr. Fails with one line per problem.
 */
export function assertTranscripts(room: Room, count: number): void {
  const problems = transcriptProblems(room, count);
  assert.deepEqual(
    problems,
    [],
    `${problems.join("\n")}\n${room.describe()}`,
  );
}

/** What is wrong with each member's output, one line per problem. */
export function transcriptProblems(room: Room, count: number): string[] {
  const names = [...room.members.keys()];
  const problems: string[] = [];
  for (const [name, member] of room.members) {
    const heard = new Map<string, number[]>(names.map((n) => [n, []]));
    const unexpected: string[] = [];
    const system = new Map<string, number>();
    for (const line of member.lines) {
      const chat = /^(\w+): \1 (\d+)$/.exec(line);
      const from = chat?.[1];
      if (from !== undefined && heard.has(from)) {
        heard.get(from)!.push(Number(chat![2]));
      } else if (isSystemLine(line, name, names)) {
        system.set(line, (system.get(line) ?? 0) + 1);
      } else unexpected.push(line);
    }
    for (const [from, got] of heard) {
      const expected = from === name ? 0 : count;
      problems.push(...streamProblems(name, from, got, expected));
    }
    for (const [line, times] of system) {
      if (times > 1) problems.push(`${name}: "${line}" shown ${times} times`);
    }
    if (unexpected.length > 0) {
      problems.push(
        `${name}: ${unexpected.length} unexpected lines, first ${
          JSON.stringify(unexpected.slice(0, 5).map(clip))
        }`,
      );
    }
    if (member.errors.some((line) => line !== "")) {
      problems.push(`${name}: stderr ${JSON.stringify(member.errors)}`);
    }
  }
  return problems;
}

function streamProblems(
  name: string,
  from: string,
  got: number[],
  count: number,
): string[] {
  if (count === 0) {
    return got.length === 0
      ? []
      : [`${name}: got ${got.length} of its own messages back`];
  }
  const seen = new Map<number, number>();
  for (const n of got) seen.set(n, (seen.get(n) ?? 0) + 1);
  const missing: number[] = [];
  for (let n = 1; n <= count; n++) if (!seen.has(n)) missing.push(n);
  const duplicated = [...seen].filter(([, k]) => k > 1).map(([n]) => n);
  const stray = [...seen.keys()].filter((n) => n < 1 || n > count);
  const disorder = got.filter((n, i) => i > 0 && n <= got[i - 1]!).length;
  if (missing.length + duplicated.length + stray.length + disorder === 0) {
    return [];
  }
  return [
    `${name} from ${from}: ${got.length} lines for ${count} messages; ` +
    `missing ${missing.length} ${list(missing)}, ` +
    `duplicated ${duplicated.length} ${list(duplicated)}, ` +
    `not numbered 1..${count} ${list(stray)}, ` +
    `${disorder} not after the previous one`,
  ];
}

function isSystemLine(line: string, self: string, names: string[]): boolean {
  const other = names.filter((n) => n !== self).join("|");
  return new RegExp(`^(${other}) (joined|left)$`).test(line) ||
    line.startsWith(`Welcome, ${self}! `) ||
    /^Members \(\d+\): /.test(line) ||
    line === "Goodbye! You left the room";
}

function list(ns: number[]): string {
  return JSON.stringify(ns.length > 20 ? [...ns.slice(0, 20), "…"] : ns);
}

function clip(line: string): string {
  return line.length > 120 ? `${line.slice(0, 120)}… (${line.length})` : line;
}

/** Resolve after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
