import assert from "node:assert/strict";
import { PassThrough, Writable } from "node:stream";
import type { Line } from "../wording/events.ts";
import { displayWidth } from "../wording/sanitize.ts";
import {
  colourOf,
  mentionPattern,
  Renderer,
  TtyScreen,
  wrap,
} from "./terminal.ts";

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

/** A fake terminal: an 80-column output that records what was written. */
function fakeTerminal() {
  const input = new PassThrough();
  let written = "";
  const output = Object.assign(
    new Writable({
      write(chunk, _encoding, done) {
        written += chunk.toString();
        done();
      },
    }),
    { columns: 80, isTTY: true },
  );
  return { input, output, written: () => written, clear: () => (written = "") };
}

async function settle(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 5));
}

Deno.test({
  name: "TtyScreen shows a line above the prompt and redraws what was typed",
  permissions: "none",
  async fn() {
    const term = fakeTerminal();
    const screen = new TtyScreen(false, { ...term, now: () => NOW });
    try {
      screen.ready();
      term.input.write("half typed 半");
      await settle();
      term.clear();
      screen.notice({ type: "status", status: "back" }, [chat("bob", "hi")]);
      const out = term.written();
      const at = out.indexOf("09:05 bob: hi\n");
      assert.ok(at >= 0, JSON.stringify(out));
      assert.ok(out.lastIndexOf("half typed 半") > at, JSON.stringify(out));
      assert.ok(out.startsWith("\r\x1b[J") || out.includes("\r\x1b[J"));
      assert.doesNotMatch(out, SGR);
      assert.equal(screen.input.line, "half typed 半");
    } finally {
      screen.close();
    }
  },
});

Deno.test({
  name: "TtyScreen rings the bell on a mention and erases a sent line's echo",
  permissions: "none",
  async fn() {
    const term = fakeTerminal();
    const screen = new TtyScreen(true, term);
    try {
      screen.setName("alice");
      screen.ready();
      await settle();
      term.clear();
      screen.local("hello", "info");
      assert.ok(!term.written().includes("\x07"));
      screen.notice({ type: "status", status: "back" }, [
        chat("bob", "alice?"),
      ]);
      assert.ok(term.written().includes("\x07"));
      term.clear();
      screen.taken("x".repeat(100));
      assert.equal(term.written(), "\x1b[2A\r\x1b[J");
      assert.ok(screen.width <= 79);
    } finally {
      screen.close();
    }
  },
});
