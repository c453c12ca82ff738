/**
 * End-to-end tests of stopping: through every launcher (npx, npm start,
 * deno task, deno run), Ctrl-C (SIGINT to the whole process group, as a
 * terminal sends it) and SIGTERM to the outermost process close the server
 * gracefully (members are told) and leave no process behind; a member
 * leaves the same way, and on SIGHUP (its terminal closed).
 */

import assert from "node:assert/strict";
import { Proc, startMember, startServer } from "./_cli.ts";
import { Job } from "./_group.ts";
import { Tmux } from "./_tmux.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;
const CONFIG = new URL("../deno.json", import.meta.url).pathname;
const DENO = Deno.execPath();
const LOOPBACK = ["--host", "127.0.0.1", "--port", "0"];

/** Whether npm's npx is on this machine (the README's launcher needs it). */
const NPX = await new Deno.Command("npx", { args: ["--version"] }).output()
  .then((out) => out.success, () => false);

/** How each launcher starts `serve ARGS`, outermost process first. */
const SERVE_LAUNCHERS: Record<string, (args: string[]) => string[]> = {
  "npx deno task serve": (args) => ["npx", "deno", "task", "serve", ...args],
  "npm start": (args) => ["npm", "start", "--", ...args],
  "deno task serve": (args) => [DENO, "task", "serve", ...args],
  "deno run main.ts serve": (args) => [
    DENO,
    "run",
    "--config",
    CONFIG,
    "--allow-net",
    "--allow-read",
    "--allow-write",
    "--allow-env",
    "--allow-sys=uid",
    MAIN,
    "serve",
    ...args,
  ],
};

/** How each launcher starts `join ARGS`. */
const JOIN_LAUNCHERS: Record<string, (args: string[]) => string[]> = {
  "npx deno task join": (args) => ["npx", "deno", "task", "join", ...args],
  "deno task join": (args) => [DENO, "task", "join", ...args],
};

type Stop = "Ctrl-C" | "SIGTERM";

function stop(job: Job, how: Stop): void {
  if (how === "Ctrl-C") job.interrupt();
  else job.kill("SIGTERM");
}

for (const [launcher, command] of Object.entries(SERVE_LAUNCHERS)) {
  for (const how of ["Ctrl-C", "SIGTERM"] as const) {
    const npm = launcher.startsWith("np");
    Deno.test({
      name:
        `${how} on ${launcher} closes the server gracefully and leaves no process`,
      ignore: npm && !NPX,
      async fn() {
        await using job = new Job(command(LOOPBACK));
        const line = await job.waitFor(/listening on/, 60_000);
        const port = Number(/:(\d+)$/.exec(line)?.[1]);
        await using alice = await startMember("alice", port);
        stop(job, how);
        const signal = how === "Ctrl-C" ? "SIGINT" : "SIGTERM";
        await alice.waitFor(`The server is closing: received ${signal}`);
        await job.waitFor("Server closed", 20_000);
        await job.waitGone();
      },
    });
  }
}

for (const [launcher, command] of Object.entries(JOIN_LAUNCHERS)) {
  for (const how of ["Ctrl-C", "SIGTERM"] as const) {
    Deno.test({
      name:
        `${how} on ${launcher} leaves the room at once and leaves no process`,
      ignore: launcher.startsWith("npx") && !NPX,
      async fn() {
        await using server = await startServer();
        await using alice = await startMember("alice", server.port);
        await using job = new Job(
          command(["bob", "--server", `127.0.0.1:${server.port}`]),
        );
        await alice.waitFor("bob joined", 60_000);
        stop(job, how);
        await alice.waitFor("bob left");
        assert.equal(alice.count("bob timed out"), 0);
        await job.waitGone();
      },
    });
  }
}

/** `deno run main.ts ARGS` in a terminal (tmux), its pid first on the screen. */
function inTerminal(...args: string[]): Promise<Tmux> {
  const command = [DENO, "run", "--config", CONFIG, "-A", MAIN, ...args]
    .map((arg) => `'${arg}'`).join(" ");
  return Tmux.start(["sh", "-c", `echo "pid $$"; exec ${command}`], {
    NO_COLOR: "1",
  });
}

/** The first screen row matching `pattern`, once there is one; its groups. */
async function row(tty: Tmux, pattern: RegExp): Promise<RegExpExecArray> {
  const rows = await tty.waitFor(
    (rows) => rows.some((r) => pattern.test(r)),
    60_000,
  );
  return rows.map((r) => pattern.exec(r)).find((m) => m !== null)!;
}

Deno.test("SIGHUP to a member on a terminal leaves the room at once", async () => {
  await using server = await startServer();
  await using alice = await startMember("alice", server.port);
  await using tty = await inTerminal(
    "join",
    "bob",
    "--server",
    `127.0.0.1:${server.port}`,
  );
  const pid = Number((await row(tty, /^pid (\d+)$/))[1]);
  await alice.waitFor("bob joined", 60_000);
  Deno.kill(pid, "SIGHUP");
  await alice.waitFor("bob left");
  assert.equal(alice.count("bob timed out"), 0);
});

for (
  const [how, command] of [
    [
      "deno run main.ts join",
      (port: number) =>
        inTerminal("join", "bob", "--server", `127.0.0.1:${port}`),
    ],
    ["deno task join", (port: number) =>
      Tmux.start(
        [DENO, "task", "--config", CONFIG, "join", "bob", "--server"]
          .concat(`127.0.0.1:${port}`),
        { NO_COLOR: "1" },
      )],
  ] as const
) {
  Deno.test(`closing the terminal of a member (${how}) leaves the room at once`, async () => {
    await using server = await startServer();
    await using alice = await startMember("alice", server.port);
    const tty = await command(server.port);
    try {
      await row(tty, /^Welcome/);
    } finally {
      // Killing the tmux server closes the terminal: SIGHUP, as kill-pane.
      await tty[Symbol.asyncDispose]();
    }
    await alice.waitFor("bob left");
    assert.equal(alice.count("bob timed out"), 0);
  });
}

Deno.test("closing the terminal of the server closes it gracefully", async () => {
  const tty = await inTerminal("serve", ...LOOPBACK);
  try {
    const port = Number(
      (await row(tty, /listening on 127\.0\.0\.1:(\d+)$/))[1],
    );
    await using alice = await startMember("alice", port);
    await tty[Symbol.asyncDispose]();
    await alice.waitFor("The server is closing: received SIGHUP");
  } finally {
    await tty[Symbol.asyncDispose]();
  }
});

Deno.test("a server with no terminal (nohup, a daemon) keeps running on SIGHUP", async () => {
  await using server = new Proc(
    ["serve", ...LOOPBACK],
    {},
    [DENO, "run", "--config", CONFIG, "-A", MAIN],
    "nohup",
  );
  const line = await server.waitFor(/listening on/, 60_000);
  const port = Number(/:(\d+)$/.exec(line)?.[1]);
  server.kill("SIGHUP");
  // Still there: a member joins after the hangup.
  await using _bob = await startMember("bob", port);
  await server.waitFor("bob joined");
});
