/**
 * Every command the README shows works as written: this reads README.md's
 * ```sh blocks and runs each command that starts a program, copied
 * literally, adding only what a test needs (`--host 127.0.0.1 --port 0` for
 * serve, and `--web 127.0.0.1:0` when it serves the pages, `--server` pointing at a test server for join and send, `--output`
 * into a temporary directory for compile). A command it does not know how
 * to run fails the test; the few it deliberately does not run are listed
 * in NOT_RUN with the reason.
 */

import assert from "node:assert/strict";
import { type Launch, Proc, startServer, webUrl } from "./_cli.ts";
import { BUILD_MS, FIRST_RUN_MS, newUser, tempDir } from "./_single_file.ts";
import { TestRedis } from "./_redis.ts";

const ROOT = new URL("../", import.meta.url);

/** README commands deliberately not run (with any arguments), and why. */
const NOT_RUN: Record<string, string> = {
  "npm install":
    "fetches from the npm registry and rewrites node_modules; the suite runs in the tree it installed",
  "npm test": "is this test suite itself",
  "npx deno task startup":
    "only measures (a minute of CPU); single_file_test.ts runs what it measures",
};

/** The commands of the README's ```sh blocks: `&&` splits one, `#` starts a comment. */
export function shellCommands(markdown: string): string[] {
  const commands: string[] = [];
  let block: string | undefined;
  for (const line of markdown.split("\n")) {
    const fence = /^\s*```(\S*)/.exec(line);
    if (fence) {
      block = block === undefined ? fence[1] : undefined;
      continue;
    }
    if (block !== "sh") continue;
    const code = line.replace(/(^|\s)#.*$/, "").trim();
    if (code !== "") commands.push(...code.split("&&").map((c) => c.trim()));
  }
  return commands;
}

/** The NOT_RUN entry `command` is, with or without more arguments. */
function notRun(command: string): string | undefined {
  return Object.keys(NOT_RUN).find((key) =>
    command === key || command.startsWith(`${key} `)
  );
}

/** What running one README command means here. */
export type Plan =
  | { kind: "not run"; why: string }
  | { kind: "compile"; argv: string[] }
  /** A Redis for `serve --cluster`: the test's own, on a free port (see check). */
  | { kind: "redis"; argv: string[] }
  | { kind: "serve" | "join" | "send"; argv: string[]; singleFile: boolean };

/** How a README command is run; throws for one this test does not know. */
export function plan(command: string): Plan {
  const listed = notRun(command);
  if (listed) return { kind: "not run", why: NOT_RUN[listed]! };
  if (/[^\w\s./=:@,-]/.test(command)) {
    throw new SyntaxError(`README command uses shell syntax: ${command}`);
  }
  const argv = command.split(/\s+/);
  const [runner, verb, name] = argv[0] === "npx" ? argv.slice(1) : argv;
  if (runner === "redis-server") return { kind: "redis", argv };
  let sub: string | undefined;
  if (runner === "deno" && verb === "task") {
    if (name === "compile") return { kind: "compile", argv };
    sub = name;
  } else if (runner === "deno" && verb === "run") {
    sub = argv[argv.indexOf("main.ts") + 1];
  } else if (runner === "./udpchat") {
    sub = verb;
  }
  if (sub === "serve" || sub === "join" || sub === "send") {
    return { kind: sub, argv, singleFile: runner === "./udpchat" };
  }
  throw new SyntaxError(`README command not understood: ${command}`);
}

/** `argv` as a Launch: npx and deno from the repository, ./udpchat from `dir`. */
function launch(argv: string[], dir: string | undefined, home: string) {
  const [command, ...args] = argv;
  if (command === "./udpchat") {
    assert.ok(dir, "./udpchat comes before any compile command in README.md");
    return { args, launch: newUser(dir, home) };
  }
  const program = command === "deno" ? Deno.execPath() : command!;
  return { args, launch: { command: program, cwd: ROOT } as Launch };
}

/** The processes under `pid` (npx and deno task do not pass SIGKILL on). */
function descendants(pid: number): number[] {
  const found: number[] = [];
  try {
    for (const task of Deno.readDirSync(`/proc/${pid}/task`)) {
      const children = Deno.readTextFileSync(
        `/proc/${pid}/task/${task.name}/children`,
      );
      for (const child of children.split(/\s+/).filter(Boolean)) {
        found.push(Number(child), ...descendants(Number(child)));
      }
    }
  } catch {
    // Gone already.
  }
  return found;
}

/** Start `argv ARGS`; on disposal, kill what it left running, then it. */
function start(
  argv: string[],
  extra: string[],
  dir: string | undefined,
  home: string,
) {
  const { args, launch: how } = launch(argv, dir, home);
  const proc = new Proc([...args, ...extra], {}, how);
  return Object.assign(proc, {
    async [Symbol.asyncDispose]() {
      for (const pid of descendants(proc.child.pid)) {
        try {
          Deno.kill(pid, "SIGKILL");
        } catch {
          // Exited meanwhile.
        }
      }
      await Proc.prototype[Symbol.asyncDispose].call(proc);
    },
  });
}

/** Where commands run: the built file's directory once a compile ran, a temporary HOME. */
interface State {
  dir?: string;
  work: string;
  home: string;
  /** The Redis a README redis-server command started, for serve --cluster. */
  redis?: TestRedis;
}

/** Run one README command and check that it started (a compile records its file's directory). */
async function check(
  command: string,
  step: Exclude<Plan, { kind: "not run" }>,
  state: State,
): Promise<void> {
  const { argv } = step;
  const firstRun = "singleFile" in step && step.singleFile ? FIRST_RUN_MS : 0;
  if (step.kind === "redis") {
    // Its own port and folder (README's port may be taken here), the same
    // persistence; serve --cluster below is pointed at it.
    const appendOnly = step.argv[step.argv.indexOf("--appendonly") + 1];
    state.redis = await TestRedis.start(appendOnly === "yes");
  } else if (step.kind === "compile") {
    const dir = await Deno.makeTempDir({ dir: state.work });
    await using proc = start(
      argv,
      ["--output", `${dir}/udpchat`],
      undefined,
      state.home,
    );
    const status = await proc.status(BUILD_MS);
    assert.equal(status.code, 0, [...proc.lines, ...proc.errors].join("\n"));
    state.dir = dir;
  } else if (step.kind === "serve") {
    const cluster = argv.indexOf("--cluster");
    const args = [...argv];
    if (cluster !== -1) {
      assert.ok(state.redis, `${command}: no redis-server command before it`);
      args[cluster + 1] = state.redis.url;
    }
    // The last --web wins: the pages go to a port the system chooses.
    const web = argv.includes("--web") ? ["--web", "127.0.0.1:0"] : [];
    await using proc = start(
      args,
      ["--host", "127.0.0.1", "--port", "0", ...web],
      state.dir,
      state.home,
    );
    await proc.waitFor(
      /^udpchat listening on 127\.0\.0\.1:\d+$/,
      30_000 + firstRun,
    );
    if (web.length > 0) {
      const page = await fetch(`${await webUrl(proc)}/`);
      assert.equal(page.status, 200, command);
      assert.match(await page.text(), /<title>udpchat<\/title>/);
    }
    // /shutdown rather than a signal: npx does not pass SIGTERM on.
    await proc.type("/shutdown");
    assert.equal((await proc.status(30_000)).code, 0, proc.errors.join("\n"));
  } else {
    await using server = await startServer();
    const at = ["--server", `127.0.0.1:${server.port}`];
    await using proc = start(argv, at, state.dir, state.home);
    if (step.kind === "join") {
      await proc.waitFor(/^Welcome, /, 30_000 + firstRun);
      await proc.type("/quit");
    }
    const status = await proc.status(30_000 + firstRun);
    assert.equal(status.code, 0, `${command}: ${proc.errors.join("\n")}`);
    await server.waitFor(/ joined from 127\.0\.0\.1/);
  }
}

/** Stop the Redis a README command started, if any. */
async function stopRedis(state: State): Promise<void> {
  await state.redis?.[Symbol.asyncDispose]();
}

const README = await Deno.readTextFile(new URL("README.md", ROOT));

Deno.test("README.md: every command in its sh blocks starts as written", async (t) => {
  const commands = shellCommands(README);
  const plans = commands.map((command) => ({ command, step: plan(command) }));
  const kinds = new Set(plans.map(({ step }) => step.kind));
  for (const kind of ["compile", "serve", "join"]) {
    assert.ok(
      kinds.has(kind as Plan["kind"]),
      `no ${kind} command in README.md`,
    );
  }
  for (const listed of Object.keys(NOT_RUN)) {
    assert.ok(
      commands.some((command) => notRun(command) === listed),
      `NOT_RUN lists "${listed}", not in README.md`,
    );
  }
  await using work = await tempDir("udpchat-readme-");
  await using home = await tempDir("udpchat-home-");
  const state: State = { work: work.path, home: home.path };
  await using _redis = { [Symbol.asyncDispose]: () => stopRedis(state) };
  for (const { command, step } of plans) {
    if (step.kind === "not run") {
      // Shown as ignored in the report, with the reason.
      await t.step({
        name: `${command}: not run, ${step.why}`,
        ignore: true,
        fn() {},
      });
      continue;
    }
    await t.step(command, () => check(command, step, state));
  }
});

Deno.test({
  name:
    "shellCommands() and plan() read sh blocks only and refuse what they do not know",
  permissions: "none",
  fn() {
    const markdown = [
      "```sh",
      "npm install && npx deno task serve   # a room",
      "./udpchat join alice",
      "```",
      "```",
      "udpchat serve [--port 8888]",
      "```",
      "```sh",
      "deno task join -- bob",
      "```",
    ].join("\n");
    const commands = shellCommands(markdown);
    assert.deepEqual(commands, [
      "npm install",
      "npx deno task serve",
      "./udpchat join alice",
      "deno task join -- bob",
    ]);
    assert.deepEqual(commands.map((c) => plan(c).kind), [
      "not run",
      "serve",
      "join",
      "join",
    ]);
    assert.throws(() => plan("npx deno task bench"), /not understood/);
    assert.throws(() => plan("./udpchat serve | tee log"), /shell syntax/);
    assert.throws(() => plan("cp dist/udpchat ~/bin"), /shell syntax/);
  },
});
