/**
 * End-to-end tests of classic clients (the `L`/`C`/`Q` text protocol) in a
 * room with native members: a real `serve` process, real `join` processes,
 * and a classic client written here on a plain UDP socket, all on 127.0.0.1
 * with ports chosen by the system.
 */

import assert from "node:assert/strict";
import { Proc, startMember, startServer } from "./_cli.ts";
import { CLASSIC_LINE_BYTES, ClassicClient } from "./_classic.ts";

/** A refusal is at most this many times its request. */
const AMPLIFICATION = 3;

const encoder = new TextEncoder();
const strict = new TextDecoder("utf-8", { fatal: true });

/** Wordings of the refusals, longest first, as the server picks from them. */
const TAKEN = (name: string) => [
  `Name "${name}" is taken; try another`,
  `"${name}" is taken`,
  "Name taken",
  "Taken",
];
const BAD_NAME = (name: string) => [
  `Name "${name}" is reserved`,
  "Invalid name",
  "Bad name",
];
const LOGIN_FIRST = ["Send L name first", "L name first", "L first"];
const CLASSIC_OFF = [
  "Classic clients are turned off here",
  "Classic off",
  "Closed",
];
const PASSPHRASE_ROOM = [
  "This room needs a passphrase; classic clients cannot join",
  "Passphrase room",
  "Closed",
];
const DROP_SOON =
  /^You will be dropped in (\d+) minutes? unless you send something$/;

/** Send `request`, expect one of `wordings` in full, within the amplification budget. */
async function assertRefused(
  client: ClassicClient,
  request: string,
  wordings: string[],
): Promise<string> {
  const reply = await client.request(request);
  const budget = encoder.encode(request).byteLength * AMPLIFICATION;
  assert.ok(
    encoder.encode(reply).byteLength <= budget,
    `${JSON.stringify(reply)} exceeds ${budget} bytes for ${
      JSON.stringify(request)
    }`,
  );
  assert.ok(
    wordings.includes(reply),
    `${JSON.stringify(reply)} for ${JSON.stringify(request)} is none of ${
      JSON.stringify(wordings)
    }`,
  );
  // The longest wording that fits is the one chosen.
  const longest = wordings.find((w) => encoder.encode(w).byteLength <= budget);
  assert.equal(reply, longest, `the longest wording that fits ${budget} bytes`);
  return reply;
}

/** `serve` on an OS-chosen port with extra environment variables. */
async function startServerWithEnv(
  env: Record<string, string>,
): Promise<Proc & { port: number }> {
  const proc = new Proc(
    ["serve", "--host", "127.0.0.1", "--port", "0"],
    env,
  );
  try {
    const line = await proc.waitFor("listening");
    return Object.assign(proc, { port: Number(/:(\d+)\s*$/.exec(line)?.[1]) });
  } catch (error) {
    await proc[Symbol.asyncDispose]();
    throw error;
  }
}

Deno.test("classic and native members see each other join, talk and leave", async () => {
  await using server = await startServer();
  await using alice = await startMember("alice", server.port);
  await using carol = new ClassicClient(server.port);
  await carol.login("carol");
  await alice.waitFor(/^carol joined$/);
  await using bob = await startMember("bob", server.port);
  await carol.waitLine("bob joined");
  await bob.waitFor(/^Members \(3\): .*carol/);

  await alice.type("hi carol");
  await carol.waitLine("alice: hi carol");
  await carol.send("C carol hello natives");
  await alice.waitFor(/^carol: hello natives$/);
  await bob.waitFor(/^carol: hello natives$/);
  await server.waitFor("carol: hello natives");

  await bob.type("/quit");
  assert.equal((await bob.status()).code, 0);
  await carol.waitLine("bob left");

  assert.equal(await carol.request("Q carol"), "EXIT");
  await alice.waitFor(/^carol left$/);
  // One datagram per line, newline first, none after; no echo of its own line.
  assert.deepEqual(carol.texts(), [
    "OK",
    "\nbob joined",
    "\nalice: hi carol",
    "\nbob left",
    "EXIT",
  ]);
  carol.assertWellFormed();
});

Deno.test("classic members hear each other and admin console lines", async () => {
  await using server = await startServer();
  await using alice = await startMember("alice", server.port);
  await using carol = new ClassicClient(server.port);
  await using dave = new ClassicClient(server.port);
  await carol.login("carol");
  await dave.login("dave");
  await carol.waitLine("dave joined");
  await alice.waitFor(/^dave joined$/);
  await dave.send("C dave 你好 carol 👋🏽");
  await carol.waitLine("dave: 你好 carol 👋🏽");
  await alice.waitFor("dave: 你好 carol 👋🏽");
  await server.type("the room closes at five");
  await carol.waitLine("[admin] the room closes at five");
  await dave.waitLine("[admin] the room closes at five");
  await alice.waitFor("[admin] the room closes at five");
  assert.ok(carol.texts().includes("\n[admin] the room closes at five"));
  carol.assertWellFormed();
  dave.assertWellFormed();
});

Deno.test("a forged C othername text appears under the sender's own name", async () => {
  await using server = await startServer();
  await using alice = await startMember("alice", server.port);
  await using carol = new ClassicClient(server.port);
  await using mallory = new ClassicClient(server.port);
  await carol.login("carol");
  await mallory.login("mallory");
  await alice.waitFor(/^mallory joined$/);
  await mallory.send("C alice I am alice");
  await mallory.send("C carol and I am carol");
  await alice.waitFor(/^mallory: and I am carol$/);
  await carol.waitLine("mallory: and I am carol");
  assert.ok(alice.lines.includes("mallory: I am alice"));
  assert.ok(carol.lines().includes("mallory: I am alice"));
  assert.equal(alice.count(/^(alice|carol): /), 0);
  assert.ok(!carol.lines().some((l) => /^(alice|carol): /.test(l)));
  // Nor can it make another member quit: Q carol ends mallory.
  assert.equal(await mallory.request("Q carol"), "EXIT");
  await alice.waitFor(/^mallory left$/);
  await carol.waitLine("mallory left");
  await carol.send("C carol still here");
  await alice.waitFor(/^carol: still here$/);
  assert.equal(alice.count(/^carol left$/), 0);
});

Deno.test("refusals fit 3× the request whole: taken, reserved, C before L; Q before L gets EXIT", async () => {
  await using server = await startServer();
  await using alice = await startMember("alice", server.port);
  await using carol = new ClassicClient(server.port);
  assert.equal(
    await assertRefused(carol, "L alice", TAKEN("alice")),
    '"alice" is taken',
  );
  await assertRefused(carol, "L admin", BAD_NAME("admin"));
  await assertRefused(carol, "L 管理员", BAD_NAME("管理员"));
  assert.equal(
    await assertRefused(carol, "C carol is anybody there?", LOGIN_FIRST),
    "Send L name first",
  );
  await assertRefused(carol, "C x y", LOGIN_FIRST);
  assert.equal(await carol.request("Q carol"), "EXIT");
  await carol.login("carol");
  await alice.waitFor(/^carol joined$/);
  assert.equal(alice.count(/joined$/), 1);
  carol.assertWellFormed();
});

Deno.test("a 600-byte native line reaches a classic client whole; a 3,000-byte one in ≤1,024-byte UTF-8 pieces", async () => {
  await using server = await startServer();
  await using alice = await startMember("alice", server.port);
  await using carol = new ClassicClient(server.port);
  await carol.login("carol");
  await alice.waitFor(/^carol joined$/);

  const medium = "m".repeat(600);
  await alice.type(medium);
  await carol.waitLine(`alice: ${medium}`);
  assert.equal(carol.texts().at(-1), `\nalice: ${medium}`, "one datagram");

  const before = carol.datagrams.length;
  const long = "你好世界 hello 👋🏽abc".repeat(100); // 3,000 bytes.
  assert.equal(encoder.encode(long).byteLength, 3000);
  await alice.type(long);
  await carol.waitLine(`alice: ${long}`);
  const line = encoder.encode(`\nalice: ${long}`);
  const pieces = carol.datagrams.slice(before).map((d) => d.bytes);
  assert.ok(pieces.length >= Math.ceil(line.byteLength / CLASSIC_LINE_BYTES));
  for (const piece of pieces) {
    assert.ok(
      piece.byteLength <= CLASSIC_LINE_BYTES,
      `${piece.byteLength} bytes`,
    );
    strict.decode(piece); // Whole characters each: throws otherwise.
  }
  assert.equal(
    pieces.map((p) => strict.decode(p)).join(""),
    `\nalice: ${long}`,
  );
  carol.assertWellFormed();
});

Deno.test("serve --no-classic refuses L with a reason that fits", async () => {
  await using server = await startServer(["--no-classic"]);
  await using alice = await startMember("alice", server.port);
  await using carol = new ClassicClient(server.port);
  await assertRefused(carol, "L carol", CLASSIC_OFF);
  await assertRefused(
    carol,
    `L ${"c".repeat(CLASSIC_OFF[0]!.length)}`,
    CLASSIC_OFF,
  );
  await assertRefused(carol, "C carol anybody out there?", LOGIN_FIRST);
  // The room still works for natives, and no classic member ever joined.
  await using bob = await startMember("bob", server.port);
  await alice.waitFor(/^bob joined$/);
  await bob.waitFor(/^Members \(2\): alice, bob$/);
  assert.equal(alice.count(/joined$/), 1);
});

Deno.test("a room with a passphrase refuses classic clients with a reason that fits", async () => {
  await using server = await startServer(["--passphrase", "open sesame"]);
  await using carol = new ClassicClient(server.port);
  await assertRefused(
    carol,
    `L ${"c".repeat(PASSPHRASE_ROOM[0]!.length)}`,
    PASSPHRASE_ROOM,
  );
  await assertRefused(carol, "L carol", PASSPHRASE_ROOM);
});

Deno.test("a silent classic member is warned, then timed out with EXIT; sending resets the warning", async () => {
  // 0.1 minutes: warned past 4.8 s of silence, dropped past 6 s. (0.05 leaves
  // a 0.6 s window for the warning: a busy machine can skip it.)
  await using server = await startServer(["--classic-timeout", "0.1"]);
  await using alice = await startMember("alice", server.port);
  await using carol = new ClassicClient(server.port);
  await using dave = new ClassicClient(server.port);
  const carolSince = Date.now();
  await carol.login("carol");
  await dave.login("dave");
  await alice.waitFor(/^dave joined$/);

  // Dave answers his warning, which resets his silence.
  const daveWarned = await dave.waitLine(DROP_SOON, 15_000);
  const daveSpoke = Date.now();
  await dave.send("C dave still here");
  await alice.waitFor(/^dave: still here$/);

  // Carol stays silent: warned, then dropped.
  const warning = await carol.waitLine(DROP_SOON, 15_000);
  assert.ok(Number(DROP_SOON.exec(warning)![1]) >= 1, warning);
  assert.ok(Number(DROP_SOON.exec(daveWarned)![1]) >= 1, daveWarned);
  assert.ok(
    carol.arrival(warning) - carolSince >= 4700,
    `warned after ${carol.arrival(warning) - carolSince} ms`,
  );
  await carol.waitExit("You timed out", 15_000);
  const dropped = carol.arrival("You timed out");
  assert.ok(
    dropped - carolSince >= 5900,
    `dropped after ${dropped - carolSince} ms`,
  );
  assert.ok(dropped > carol.arrival(warning));
  assert.equal(carol.lines().filter((l) => DROP_SOON.test(l)).length, 1);
  await alice.waitFor(/^carol timed out$/);
  await dave.waitLine("carol timed out");
  await server.waitFor("carol timed out");
  assert.equal(
    await carol.request("C carol am I still here?"),
    "Send L name first",
  );

  // Dave, reset, is warned a second time before he is dropped.
  await dave.waitExit("You timed out", 15_000);
  const warnings = dave.lines().filter((l) => DROP_SOON.test(l));
  assert.equal(warnings.length, 2, JSON.stringify(dave.texts()));
  assert.ok(
    dave.arrival("You timed out") - daveSpoke >= 5900,
    `dave dropped ${
      dave.arrival("You timed out") - daveSpoke
    } ms after he spoke`,
  );
  await alice.waitFor(/^dave timed out$/);
  carol.assertWellFormed();
  dave.assertWellFormed();
});

Deno.test("console /kick and /ban end a classic member with a line saying why, then EXIT", async () => {
  await using server = await startServer();
  await using alice = await startMember("alice", server.port);
  await using carol = new ClassicClient(server.port);
  await using dave = new ClassicClient(server.port);
  await carol.login("carol");
  await dave.login("dave");
  await alice.waitFor(/^dave joined$/);

  await server.type("/kick carol");
  await carol.waitExit("You were kicked");
  await alice.waitFor(/^carol was kicked$/);
  await dave.waitLine("carol was kicked");
  // A kicked member may come back.
  await carol.login("carol");
  await alice.waitForCount(/^carol joined$/, 2);

  await server.type("/ban dave");
  await dave.waitExit("You are banned");
  await alice.waitFor(/^dave was banned$/);
  // Banned, the name and the address (127.0.0.1: every client here) are refused.
  const reply = await dave.request("L dave");
  assert.notEqual(reply, "OK");
  assert.ok(
    encoder.encode(reply).byteLength <= 3 * encoder.encode("L dave").byteLength,
  );
  carol.assertWellFormed();
  dave.assertWellFormed();
});

for (
  const [how, stop, reason] of [
    [
      "SIGTERM",
      (server: Proc) => server.kill("SIGTERM"),
      /^The server is closing: .+$/,
    ],
    [
      "/shutdown",
      (server: Proc) => server.type("/shutdown back soon"),
      /^The server is closing: back soon$/,
    ],
  ] as const
) {
  Deno.test(`${how} tells a classic member the server is closing, and EXIT arrives before the server exits`, async () => {
    await using server = await startServer();
    await using carol = new ClassicClient(server.port);
    await carol.login("carol");
    await stop(server);
    assert.equal((await server.status()).code, 0);
    // The server is gone: whatever arrives now was sent before it exited.
    await carol.waitExit(reason, 2000);
    carol.assertWellFormed();
  });
}

/** A server, natives bob and carl, classic alice and dave, all joined. */
async function slashRoom() {
  const server = await startServer();
  const bob = await startMember("bob", server.port);
  const carl = await startMember("carl", server.port);
  const alice = new ClassicClient(server.port);
  const dave = new ClassicClient(server.port);
  await alice.login("alice");
  await dave.login("dave");
  await bob.waitFor(/^dave joined$/);
  return {
    server,
    bob,
    carl,
    alice,
    dave,
    async [Symbol.asyncDispose]() {
      for (const it of [dave, alice, carl, bob, server]) {
        await it[Symbol.asyncDispose]();
      }
    },
  };
}

Deno.test("classic C x /who answers the names that fit 3x what the member sent, then the table once it has talked", async () => {
  await using room = await slashRoom();
  const { alice, dave, carl } = room;
  // Answers are paid from 3x the bytes that came from the address (a
  // forged address must not draw a table): at first only the names fit.
  await alice.send("C x /who");
  await alice.waitLine(/^4 here: /);
  await alice.send(`C x ${"a long line of chat to earn an answer ".repeat(8)}`);
  await alice.send("C x /who");
  await alice.waitLine("4 members here:");
  for (const name of ["alice", "bob", "carl", "dave"]) {
    await alice.waitLine(new RegExp(`^\\s+${name}\\s`));
  }
  await alice.send("C x done");
  await carl.waitFor(/^alice: done$/);
  await dave.waitLine("alice: done");
  assert.equal(carl.count(/members here|\/who| here: /), 0);
  assert.ok(!dave.lines().some((l) => /members here|\/who| here: /.test(l)));
  alice.assertWellFormed();
});

Deno.test("classic C x /msg, C x //slash and an unknown /foo: private, broadcast, refused", async () => {
  await using room = await slashRoom();
  const { alice, bob, carl, dave } = room;
  await alice.send("C x /msg bob hello");
  await bob.waitFor(/^\[private\] alice: hello$/);

  await alice.send("C x //slash");
  await bob.waitFor(/^alice: \/slash$/);
  await carl.waitFor(/^alice: \/slash$/);
  await dave.waitLine("alice: /slash");

  await alice.send("C x /foo");
  await alice.waitLine(/Unknown command \/foo/);

  // A line after them all, so anything wrongly broadcast would be seen first.
  await alice.send("C x done");
  await carl.waitFor(/^alice: done$/);
  await bob.waitFor(/^alice: done$/);
  await dave.waitLine("alice: done");
  for (const text of ["hello", "/msg", "/foo"]) {
    assert.equal(carl.count(text), 0, `carl saw ${text}`);
    assert.ok(!dave.lines().some((l) => l.includes(text)), `dave saw ${text}`);
  }
  assert.equal(bob.count(/\/msg|\/foo/), 0);
  alice.assertWellFormed();
});

Deno.test("classic members show in a native's /who, the console /who (with address) and /stats", async () => {
  await using room = await slashRoom();
  const { server, bob, alice, dave } = room;
  await bob.type("/who");
  await bob.waitFor(/^\s+alice\s/);
  await bob.waitFor(/^\s+dave\s/);
  await server.type("/who");
  await server.waitFor(new RegExp(`alice\\s+127\\.0\\.0\\.1:${alice.port}\\b`));
  await server.waitFor(new RegExp(`dave\\s+127\\.0\\.0\\.1:${dave.port}\\b`));
  await server.type("/stats");
  await server.waitFor(/members 4 \(classic 2\), native sessions 2$/);
});

Deno.test("a classic member over the rate is delayed in order, told to slow down, never lost", async () => {
  await using server = await startServer(); // --rate 5 --burst 10.
  await using alice = await startMember("alice", server.port);
  await using carol = new ClassicClient(server.port);
  await carol.login("carol");
  await alice.waitFor(/^carol joined$/);
  const count = 25; // 15 wait: past the burst, under the flood limit.
  for (let i = 0; i < count; i++) await carol.send(`C carol line ${i}`);
  await carol.waitLine(
    "* Slow down: at most 5 messages a second; yours are being delayed",
  );
  await alice.waitForCount(/^carol: line \d+$/, count, 15_000);
  assert.deepEqual(
    alice.lines.filter((l) => /^carol: line \d+$/.test(l)),
    Array.from({ length: count }, (_, i) => `carol: line ${i}`),
  );
  assert.equal(alice.count(/carol (left|was kicked|timed out)/), 0);
  assert.ok(!carol.texts().includes("EXIT"));
});

for (
  const [how, args, env] of [
    ["serve --lang zh", ["--lang", "zh"], {}],
    ["LANG=zh_CN.UTF-8", [], {
      LANG: "zh_CN.UTF-8",
      LC_ALL: "",
      LC_MESSAGES: "",
    }],
  ] as const
) {
  Deno.test(`${how}: classic lines and refusals read in Chinese`, async () => {
    await using server = args.length > 0
      ? await startServer([...args])
      : await startServerWithEnv({ ...env });
    await using hong = new ClassicClient(server.port);
    await using ming = new ClassicClient(server.port);
    await hong.login("小红");
    await ming.login("小明");
    await hong.waitLine("小明进入了聊天室");
    await ming.send("C 小明 你好");
    await hong.waitLine("小明说: 你好");
    await server.type("大家好");
    await hong.waitLine("管理员说: 大家好");
    await ming.waitLine("管理员说: 大家好");
    assert.equal(await ming.request("Q 小明"), "EXIT");
    await hong.waitLine("小明退出了聊天室");
    for (
      const line of [
        "小明进入了聊天室",
        "小明说: 你好",
        "管理员说: 大家好",
        "小明退出了聊天室",
      ]
    ) {
      assert.ok(
        hong.texts().includes(`\n${line}`),
        `one datagram "\\n${line}"`,
      );
    }
    await using other = new ClassicClient(server.port);
    await assertRefused(other, "L 小红", ["该用户已存在", ...TAKEN("小红")]);
    hong.assertWellFormed();
  });
}
