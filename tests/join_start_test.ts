/**
 * End-to-end tests of how a join starts and how it fails: in a pipe, a
 * refused join (taken, reserved, passphrase wrong or missing) and a server
 * that never answers are one line on stderr and exit 1, whether stdin has
 * lines or ends at once; on a terminal, "Connecting to ADDRESS…" at once
 * and the seconds counted while the server does not answer.
 */

import assert from "node:assert/strict";
import { type Proc, startMember, startServer } from "./_cli.ts";
import { Tmux } from "./_tmux.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;
const CONFIG = new URL("../deno.json", import.meta.url).pathname;

/** A bound loopback UDP socket that never answers: a server that is not there. */
function silentServer(): Deno.DatagramConn & { port: number } {
  const socket = Deno.listenDatagram({
    transport: "udp",
    hostname: "127.0.0.1",
    port: 0,
  });
  return Object.assign(socket, { port: (socket.addr as Deno.NetAddr).port });
}

/** Stdin as `echo hi |` gives it, or as `</dev/null` (ends at once). */
type Input = "a line" | "nothing";

async function feed(member: Proc, input: Input): Promise<void> {
  if (input === "a line") await member.type("hi");
  await member.closeStdin();
}

/** The member's exit code and its non-empty stderr lines. */
async function outcome(
  member: Proc,
): Promise<{ code: number; errors: string[] }> {
  const { code } = await member.status(20_000);
  return { code, errors: member.errors.filter((line) => line !== "") };
}

const REFUSALS: {
  what: string;
  name: string;
  serve?: string[];
  join?: string[];
  error: RegExp;
}[] = [
  { what: "a taken name", name: "alice", error: /^Cannot join: .*taken/ },
  { what: "a reserved name", name: "admin", error: /^Cannot join: .*reserved/ },
  {
    what: "a wrong passphrase",
    name: "bob",
    serve: ["--passphrase", "right"],
    join: ["--passphrase", "wrong"],
    error: /^Cannot join: Wrong passphrase; check --passphrase-file$/,
  },
  {
    what: "a missing passphrase",
    name: "bob",
    serve: ["--passphrase", "right"],
    error: /^Cannot join: .*needs a passphrase/,
  },
];

for (const refusal of REFUSALS) {
  for (const input of ["a line", "nothing"] as const) {
    Deno.test(`join in a pipe refused for ${refusal.what}, stdin with ${input}: one stderr line, exit 1`, async () => {
      await using server = await startServer(refusal.serve ?? []);
      const alicePassphrase = refusal.serve ? ["--passphrase", "right"] : [];
      await using _alice = await startMember("alice", server.port, {
        args: alicePassphrase,
      });
      await using member = await startMember(refusal.name, server.port, {
        wait: false,
        args: refusal.join ?? [],
      });
      await feed(member, input);
      const { code, errors } = await outcome(member);
      assert.equal(errors.length, 1, JSON.stringify(errors));
      assert.match(errors[0]!, refusal.error);
      assert.equal(code, 1);
    });
  }
}

for (const input of ["a line", "nothing"] as const) {
  Deno.test(`join in a pipe to a server that never answers, stdin with ${input}: names the address, exit 1`, async () => {
    const silent = silentServer();
    try {
      await using member = await startMember("bob", silent.port, {
        wait: false,
      });
      await feed(member, input);
      const { code, errors } = await outcome(member);
      assert.deepEqual(errors, [
        `Cannot reach the server: no answer from 127.0.0.1:${silent.port}`,
      ]);
      assert.equal(code, 1);
    } finally {
      silent.close();
    }
  });
}

Deno.test("join --lang zh to a server that never answers says so in Chinese", async () => {
  const silent = silentServer();
  try {
    await using member = await startMember("bob", silent.port, {
      wait: false,
      args: ["--lang", "zh"],
    });
    await member.closeStdin();
    const { code, errors } = await outcome(member);
    assert.deepEqual(errors, [
      `无法连接服务器: 127.0.0.1:${silent.port} 没有回应`,
    ]);
    assert.equal(code, 1);
  } finally {
    silent.close();
  }
});

Deno.test("join in a pipe whose stdin ends at once still joins, then leaves with exit 0", async () => {
  await using server = await startServer();
  await using alice = await startMember("alice", server.port);
  await using bob = await startMember("bob", server.port, { wait: false });
  await bob.closeStdin();
  await alice.waitFor("bob left");
  assert.equal((await bob.status()).code, 0);
  assert.deepEqual(bob.errors.filter((line) => line !== ""), []);
});

Deno.test("join on a terminal says where it connects at once, then counts the seconds", async () => {
  const silent = silentServer();
  const address = `127.0.0.1:${silent.port}`;
  try {
    // The pane stays open after the client exits, to read how it ended.
    const join = [Deno.execPath(), "run", "--config", CONFIG, "-A", MAIN]
      .concat(["join", "bob", "--server", address]).map((arg) => `'${arg}'`)
      .join(" ");
    await using tty = await Tmux.start([
      "sh",
      "-c",
      `${join}; echo "exit $?"; sleep 600`,
    ], { NO_COLOR: "1" });
    const rows = await tty.waitFor(
      (rows) => rows.some((row) => row.startsWith("Still trying… (2s)")),
      30_000,
    );
    const at = rows.findIndex((row) => row === `Connecting to ${address}…`);
    assert.ok(at >= 0, rows.join("\n"));
    assert.equal(rows[at + 1], "Still trying… (1s)");
    assert.equal(rows[at + 2], "Still trying… (2s)");
    await tty.waitFor(
      (rows) =>
        rows.some((row) =>
          row === `Cannot reach the server: no answer from ${address}`
        ) && rows.some((row) => row.endsWith("exit 1")),
      30_000,
    );
  } finally {
    silent.close();
  }
});

Deno.test("join on a terminal stops counting once the server answers", async () => {
  await using server = await startServer();
  await using tty = await Tmux.start([
    Deno.execPath(),
    "run",
    "--config",
    CONFIG,
    "-A",
    MAIN,
    "join",
    "bob",
    "--server",
    `127.0.0.1:${server.port}`,
  ], { NO_COLOR: "1" });
  const rows = await tty.waitFor(
    (rows) => rows.some((row) => row.startsWith("Welcome, bob!")),
    30_000,
  );
  assert.equal(rows[0], `Connecting to 127.0.0.1:${server.port}…`);
  // Another member's start takes over a second: bob's count, had it gone
  // on, would show between the welcome and "carol joined".
  await using _carol = await startMember("carol", server.port);
  const after = await tty.waitFor(
    (rows) => rows.some((row) => row.endsWith("carol joined")),
    30_000,
  );
  const welcome = after.findIndex((row) => row.startsWith("Welcome, bob!"));
  assert.deepEqual(
    after.slice(welcome).filter((row) => row.startsWith("Still trying")),
    [],
  );
});
