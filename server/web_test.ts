import assert from "node:assert/strict";
import { ServerCore } from "./core.ts";
import type { WebLink } from "./web_member.ts";
import type { WebConnection } from "./web_member.ts";

const opts = { permissions: "none" } as const;

/** A socket that keeps what the engine sends it. */
class FakeLink implements WebLink {
  readonly host: string;
  readonly address: string;
  frames: Array<Record<string, unknown>> = [];
  closed = false;
  constructor(host = "10.0.0.1", port = 5000) {
    this.host = host;
    this.address = `${host}:${port}`;
  }
  send(text: string): number {
    this.frames.push(JSON.parse(text));
    return 0;
  }
  close(): void {
    this.closed = true;
  }
  /** Every line's text so far, in order. */
  get texts(): string[] {
    return this.frames.flatMap((f) =>
      ((f.lines as Array<{ text: string }> | undefined) ?? []).map((l) =>
        l.text
      )
    );
  }
  last(type: string): Record<string, unknown> | undefined {
    return this.frames.findLast((f) => f.type === type);
  }
}

function core(options = {}): ServerCore {
  let n = 0;
  return new ServerCore({
    timeoutMs: 10_000,
    random: (into) => into.fill(++n & 0xff),
    ...options,
  });
}

function hello(
  c: ServerCore,
  name: string,
  now = 0,
  link = new FakeLink(),
): { link: FakeLink; connection: WebConnection } {
  const connection = c.web.open(link, now)!;
  c.web.receive(
    connection,
    JSON.stringify({ type: "hello", v: 1, name }),
    now,
  );
  return { link, connection };
}

function line(c: ServerCore, connection: WebConnection, text: string, now = 1) {
  c.web.receive(connection, JSON.stringify({ type: "line", text }), now);
}

Deno.test(
  "WebEngine.open() tells the page what the room needs first",
  opts,
  () => {
    const link = new FakeLink();
    core().web.open(link, 0);
    assert.deepEqual(link.frames, [{ type: "room", v: 1, passphrase: false }]);
    const salted = new FakeLink();
    core({ salt: new Uint8Array(16) }).web.open(salted, 0);
    assert.equal(salted.frames[0]!.passphrase, true);
    assert.equal(typeof salted.frames[0]!.challenge, "string");
  },
);

Deno.test(
  "WebEngine admits browser members through the chat core",
  opts,
  () => {
    const c = core();
    const alice = hello(c, "alice");
    const welcome = alice.link.frames[1]!;
    assert.equal(welcome.type, "welcome");
    assert.equal(welcome.name, "alice");
    assert.match(String(welcome.token), /^[0-9a-f]{32}$/);
    assert.deepEqual(alice.link.texts.slice(0, 2), [
      "Welcome, alice! Type a message and press Enter; /help lists commands, /quit leaves",
      "Members (1): alice",
    ]);
    assert.equal(c.chat.count("web"), 1);
    const bob = hello(c, "bob");
    assert.ok(alice.link.texts.includes("bob joined"));
    assert.deepEqual(alice.link.last("lines")!.roster, {
      op: "add",
      name: "bob",
    });
    line(c, bob.connection, "hi <b>there</b>");
    assert.ok(alice.link.texts.includes("bob: hi <b>there</b>"));
    // Its own line, once the server has it, as a terminal shows it.
    assert.equal(bob.link.last("lines")!.kind, "own");
    line(c, bob.connection, "/me waves");
    assert.ok(alice.link.texts.includes("* bob waves"));
    line(c, bob.connection, "/msg alice psst");
    assert.ok(alice.link.texts.includes("[private] bob: psst"));
    assert.ok(bob.link.texts.includes("[private] bob → alice: psst"));
  },
);

Deno.test(
  "WebEngine explains a refused name and lets the page try another",
  opts,
  () => {
    const c = core();
    hello(c, "alice");
    const again = hello(c, "Alice");
    const refused = again.link.last("refused")!;
    assert.equal(refused.problem, "taken");
    assert.match(String(refused.text), /taken/);
    c.web.receive(
      again.connection,
      JSON.stringify({ type: "hello", v: 1, name: "carol" }),
      1,
    );
    assert.equal(again.link.last("welcome")!.name, "carol");
  },
);

Deno.test("WebEngine runs the terminal's slash commands", opts, () => {
  const c = core();
  const alice = hello(c, "alice");
  const bob = hello(c, "bob");
  line(c, alice.connection, "/help");
  assert.ok(alice.link.texts.some((t) => t.includes("/msg NAME text")));
  line(c, alice.connection, "/bogus");
  assert.match(alice.link.texts.at(-1)!, /Unknown command \/bogus/);
  line(c, alice.connection, "/ignore bob");
  line(c, bob.connection, "you cannot see me");
  assert.ok(!alice.link.texts.includes("bob: you cannot see me"));
  line(c, alice.connection, "/who");
  assert.ok(alice.link.texts.includes("2 members here:"));
  line(c, alice.connection, "/nick alicia");
  assert.ok(bob.link.texts.includes("alice is now known as alicia"));
  line(c, alice.connection, "//slash");
  assert.ok(bob.link.texts.includes("alicia: /slash"));
  line(c, alice.connection, "/quit bye now");
  assert.equal(alice.link.last("goodbye")!.why, "left");
  assert.ok(alice.link.closed);
  assert.ok(bob.link.texts.some((t) => t.startsWith("alicia left")));
});

Deno.test(
  "WebEngine resumes a member with its token: what it missed, once, and no noise",
  opts,
  () => {
    const c = core();
    const alice = hello(c, "alice");
    const bob = hello(c, "bob");
    line(c, bob.connection, "before");
    const seen = Math.max(
      ...alice.link.frames.map((f) => typeof f.id === "number" ? f.id : 0),
    );
    c.web.closed(alice.connection, 2);
    line(c, bob.connection, "while away", 3);
    c.tick(4);
    const token = String(alice.link.frames[1]!.token);
    const link = new FakeLink("10.0.0.1", 5001);
    const connection = c.web.open(link, 5)!;
    c.web.receive(
      connection,
      JSON.stringify({
        type: "hello",
        v: 1,
        name: "alice",
        resume: { token, lastSeen: seen },
      }),
      5,
    );
    assert.equal(link.frames[1]!.how, "resumed");
    assert.deepEqual(link.texts.filter((t) => t.includes("bob:")), [
      "bob: while away",
    ]);
    assert.ok(!bob.link.texts.some((t) => /alice (left|joined|timed)/.test(t)));
    assert.equal(c.chat.count("web"), 2);
  },
);

Deno.test(
  "WebEngine removes a member whose socket stays lost past the timeout",
  opts,
  () => {
    const c = core();
    const alice = hello(c, "alice");
    const bob = hello(c, "bob");
    c.web.closed(alice.connection, 0);
    c.tick(9_000);
    assert.equal(c.chat.count("web"), 2);
    c.tick(10_001);
    assert.equal(c.chat.count("web"), 1);
    assert.ok(bob.link.texts.some((t) => t.startsWith("alice timed out")));
  },
);

Deno.test(
  "WebEngine tells a kicked member why and closes its socket",
  opts,
  () => {
    const c = core();
    const alice = hello(c, "alice");
    c.chat.remove(c.chat.room.find("alice")!.id, "kicked", "rude", 1);
    const goodbye = alice.link.last("goodbye")!;
    assert.equal(goodbye.why, "kicked");
    assert.match(JSON.stringify(goodbye.lines), /kicked.*rude/);
    assert.ok(alice.link.closed);
  },
);

Deno.test(
  "WebEngine answers bad frames with an error and closes a socket that keeps sending them",
  opts,
  () => {
    const c = core();
    const link = new FakeLink();
    const connection = c.web.open(link, 0)!;
    c.web.receive(connection, "not json", 0);
    assert.equal(link.last("error")!.text, "Cannot decode frame: not JSON");
    c.web.receive(connection, '{"type":"line","text":"hi"}', 0);
    assert.equal(link.last("error")!.text, "Say hello first");
    for (let i = 0; i < 40 && !link.closed; i++) {
      c.web.receive(
        connection,
        "{",
        0,
      );
    }
    assert.ok(link.closed);
  },
);

Deno.test("WebEngine limits sockets per address", opts, () => {
  const c = core({ webPerAddress: 2 });
  assert.ok(c.web.open(new FakeLink("10.0.0.9", 1), 0));
  assert.ok(c.web.open(new FakeLink("10.0.0.9", 2), 0));
  const third = new FakeLink("10.0.0.9", 3);
  assert.equal(c.web.open(third, 0), undefined);
  assert.ok(third.closed);
  assert.ok(c.web.open(new FakeLink("10.0.0.8", 1), 0));
});

Deno.test(
  "WebEngine refuses a hello without the passphrase's proof",
  opts,
  () => {
    const c = core({ salt: new Uint8Array(16) });
    const { link } = hello(c, "alice");
    assert.equal(link.last("refused")!.problem, "passphrase");
    assert.equal(c.chat.count("web"), 0);
  },
);

Deno.test("WebEngine feeds projectors the public lines only", opts, () => {
  const c = core();
  const alice = hello(c, "alice");
  hello(c, "bob");
  line(c, alice.connection, "early");
  const wall = new FakeLink("10.0.0.2");
  const connection = c.web.open(wall, 1)!;
  c.web.receive(connection, '{"type":"watch","v":1}', 1);
  assert.ok(wall.texts.includes("alice: early"));
  line(c, alice.connection, "/msg bob secret", 2);
  line(c, alice.connection, "later", 2);
  c.tick(3);
  assert.ok(wall.texts.includes("alice: later"));
  assert.ok(!wall.texts.some((t) => t.includes("secret")));
  assert.equal(c.chat.room.size, 2);
});
