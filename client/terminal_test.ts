import assert from "node:assert/strict";
import type { Line } from "../wording/events.ts";
import { displayWidth } from "../wording/sanitize.ts";
import {
  colourOf,
  mentionPattern,
  Renderer,
  TtyScreen,
  wrap,
} from "./terminal.ts";
import { FakeTty } from "../tty/_fake_tty.ts";

const TIME = new Date(2025, 0, 15, 9, 5).getTime();
const NOW = new Date(2025, 0, 15, 10, 30).getTime();
// deno-lint-ignore no-control-regex
const SGR = /\x1b\[[0-9;]*m/g;

function chat(from: string, text: string): Line {
  return { text: `${from}: ${text}`, style: "chat", from, time: TIME };
}

function plain(colour = false): Renderer {
  return new Renderer(colour, () => NOW);
}

Deno.test({
  name: "Renderer.render() stamps lines with their time, own lines with now",
  permissions: "none",
  fn() {
    const r = plain();
    assert.deepEqual(r.render(chat("bob", "hi"), 79), {
      text: "09:05 bob: hi",
      bell: false,
    });
    assert.equal(
      r.render({ text: "al: me", style: "own", from: "al" }, 79).text,
      "10:30 al: me",
    );
    assert.equal(
      r.render({ text: "Members (1): al", style: "info" }, 79).text,
      "Members (1): al",
    );
    const history = { ...chat("bob", "old"), history: true };
    history.text = `[history 09:05] ${history.text}`;
    assert.equal(r.render(history, 79).text, "[history 09:05] bob: old");
  },
});

Deno.test({
  name: "Renderer.render() colours the name stably, and nothing without colour",
  permissions: "none",
  fn() {
    const line = chat("bob", "hi");
    const text = plain(true).render(line, 79).text;
    assert.match(text, SGR);
    assert.equal(text.replace(SGR, ""), "09:05 bob: hi");
    assert.equal(text, plain(true).render(line, 79).text);
    assert.doesNotMatch(plain(false).render(line, 79).text, SGR);
    const admin = plain(true).render({ text: "[admin] x", style: "admin" }, 79);
    assert.ok(admin.text.includes("\x1b[1m"));
    assert.equal(colourOf("bob"), colourOf("bob"));
    const colours = new Set(["a", "b", "c", "d", "e", "f", "g"].map(colourOf));
    assert.ok(colours.size > 1);
  },
});

Deno.test({
  name:
    "Renderer.render() highlights a mention of one's name and rings the bell",
  permissions: "none",
  fn() {
    const r = plain(true);
    r.name = "alice";
    const hit = r.render(chat("bob", "hey ALICE, look"), 79);
    assert.equal(hit.bell, true);
    // deno-lint-ignore no-control-regex
    assert.match(hit.text, /\x1b\[7m(\x1b\[\d+m)*ALICE/);
    assert.equal(hit.text.replace(SGR, ""), "09:05 bob: hey ALICE, look");
    assert.equal(r.render(chat("bob", "malice aforethought"), 79).bell, false);
    assert.equal(
      r.render({ ...chat("alice", "I am alice"), style: "own" }, 79).bell,
      false,
    );
    assert.equal(
      r.render({ ...chat("bob", "alice"), history: true }, 79).bell,
      false,
    );
    assert.equal(plain(false).render(chat("bob", "alice"), 79).bell, false);
    const cjk = plain(false);
    cjk.name = "小明";
    assert.equal(cjk.render(chat("小红", "小明你好"), 79).bell, true);
  },
});

Deno.test({
  name: "mentionPattern() matches ASCII names as words, CJK names anywhere",
  permissions: "none",
  fn() {
    assert.ok(mentionPattern("al").test("hi Al!"));
    assert.ok(!mentionPattern("al").test("also"));
    assert.ok(mentionPattern("a.b").test("ping a.b"));
    assert.ok(!mentionPattern("a.b").test("ping axb"));
    assert.ok(mentionPattern("小明").test("小明你好"));
  },
});

Deno.test({
  name:
    "wrap() breaks long lines between words under the text, within the width",
  permissions: "none",
  fn() {
    const text = "09:05 bob: " +
      "the quick brown fox jumps over the lazy dog ".repeat(5).trim();
    const rows = wrap(text, 79, 6);
    assert.ok(rows.length > 1);
    for (const row of rows) assert.ok(displayWidth(row) <= 79, row);
    for (const row of rows.slice(1)) assert.match(row, /^ {6}\S/);
    assert.equal(rows.map((r) => r.trim()).join(" "), text);
  },
});

Deno.test({
  name:
    "wrap() measures wide characters and breaks CJK and long words anywhere",
  permissions: "none",
  fn() {
    const cjk = wrap("09:05 小明说: " + "你好世界".repeat(30), 79, 6);
    for (const row of cjk) assert.ok(displayWidth(row) <= 79, row);
    assert.ok(displayWidth(cjk[0]!) >= 78);
    const long = wrap("x".repeat(200), 79, 2);
    assert.deepEqual(long.map(displayWidth), [79, 79, 46]);
    assert.deepEqual(wrap("short", 79, 6), ["short"]);
  },
});

function ttyScreen(colour = false, columns = 80) {
  const tty = new FakeTty(columns);
  const screen = new TtyScreen(colour, { io: tty, now: () => NOW });
  const lines: string[] = [];
  screen.listen({
    line: (text) => lines.push(text),
    end: () => lines.push("<end>"),
    complete: () => ["bob", "bea"],
  });
  return { tty, screen, lines };
}

Deno.test({
  name: "TtyScreen shows a line above the prompt and redraws what was typed",
  permissions: "none",
  async fn() {
    const { tty, screen } = ttyScreen();
    try {
      screen.ready();
      await tty.type("half typed 半");
      tty.clear();
      screen.notice({ type: "status", status: "back" }, [chat("bob", "hi")]);
      const out = tty.written;
      const at = out.indexOf("09:05 bob: hi\r\n");
      assert.ok(at > 0 && out.startsWith("\r\x1b[J"), JSON.stringify(out));
      assert.ok(out.lastIndexOf("> half typed 半") > at, JSON.stringify(out));
      assert.doesNotMatch(out, SGR);
      assert.equal(screen.typing, "half typed 半");
    } finally {
      screen.close();
    }
  },
});

Deno.test({
  name: "TtyScreen rings the bell on a mention and on a private message",
  permissions: "none",
  fn() {
    const { tty, screen } = ttyScreen(true);
    try {
      screen.setName("alice");
      screen.ready();
      tty.clear();
      screen.local("hello", "info");
      assert.ok(!tty.written.includes("\x07"));
      screen.notice({ type: "status", status: "back" }, [
        chat("bob", "alice?"),
      ]);
      assert.ok(tty.written.includes("\x07"));
      tty.clear();
      const event = {
        kind: "private" as const,
        id: 1,
        time: TIME,
        from: "bob",
        to: "alice",
        text: "psst",
      };
      screen.notice({ type: "event", event }, [chat("bob", "psst")]);
      assert.ok(tty.written.includes("\x07"), JSON.stringify(tty.written));
    } finally {
      screen.close();
    }
  },
});

Deno.test({
  name:
    "TtyScreen echoes an entered command, not a sent line, and erases the prompt on close",
  permissions: "none",
  async fn() {
    const { tty, screen, lines } = ttyScreen();
    screen.ready();
    await tty.type("/who\r");
    screen.local("Members: bob", "info");
    await tty.type("hello\r");
    screen.taken();
    screen.ready();
    screen.local("later", "info");
    assert.deepEqual(lines, ["/who", "hello"]);
    const out = tty.written;
    assert.ok(out.indexOf("> /who\r\n") < out.indexOf("Members: bob"), out);
    assert.ok(!out.includes("> hello\r\n"), JSON.stringify(out));
    tty.clear();
    screen.close();
    assert.equal(tty.written, "\r\x1b[J");
    assert.equal(tty.raw, false);
  },
});

Deno.test({
  name: "TtyScreen: Ctrl-D on an empty line ends input; Tab completes a name",
  permissions: "none",
  async fn() {
    const { tty, screen, lines } = ttyScreen();
    screen.ready();
    await tty.type("bo\t");
    assert.equal(screen.typing, "bob: ");
    await tty.type("\x15\x04");
    assert.deepEqual(lines, ["<end>"]);
    screen.close();
  },
});

Deno.test({
  name:
    "TtyScreen wraps under the text in a narrow window, and keeps a mention visible without colour",
  permissions: "none",
  fn() {
    const { tty, screen } = ttyScreen(false, 16);
    screen.setName("alice");
    assert.equal(screen.width, 15);
    screen.notice({ type: "status", status: "back" }, [
      chat("bob", "one two three alice four"),
    ]);
    const rows = tty.written.replace(SGR, "").split("\r\n").slice(0, -1)
      // deno-lint-ignore no-control-regex
      .map((row) => row.replace(/^\r\x1b\[J/, ""));
    assert.ok(rows.length > 2, JSON.stringify(rows));
    for (const row of rows) assert.ok(displayWidth(row) <= 15, row);
    for (const row of rows.slice(1)) assert.match(row, /^ {6}\S/);
    assert.ok(tty.written.includes("\x1b[7m"), "alice in reverse video");
    screen.close();
  },
});
