import assert from "node:assert/strict";
import { InputLine } from "./input_line.ts";
import { FakeTty } from "./_fake_tty.ts";

function started(tty = new FakeTty()) {
  const heard: string[] = [];
  const input = new InputLine(tty, {
    line: (text) => heard.push(text),
    eof: () => heard.push("<eof>"),
  });
  input.setPrompt({ text: "> ", width: 2 });
  return { tty, input, heard };
}

Deno.test({
  name: "InputLine draws a paste once, and hands over each of its lines",
  permissions: "none",
  async fn() {
    const { tty, input, heard } = started();
    tty.clear();
    await tty.type("x".repeat(16_384));
    // One drawing: the erase of the old prompt happens once.
    assert.equal(tty.written.split("\r\x1b[J").length, 2);
    assert.equal(input.editor.text.length, 16_384);
    await tty.type("\x15one\rtwo\rthree");
    assert.deepEqual(heard, ["one", "two"]);
    assert.equal(input.editor.text, "three");
    input.close();
  },
});

Deno.test({
  name: "InputLine prints above the prompt and redraws the line being typed",
  permissions: "none",
  async fn() {
    const { tty, input } = started(new FakeTty(10, 5));
    await tty.type("abcdefghij");
    // The cursor sits on the second row: go up one before clearing.
    tty.clear();
    input.print("news");
    assert.ok(tty.written.startsWith("\x1b[1A\r\x1b[Jnews\r\n> abcdefgh"));
    input.close();
  },
});

Deno.test({
  name:
    "InputLine after SIGCONT (fg): cbreak mode again, the prompt drawn anew",
  permissions: "none",
  async fn() {
    const { tty, input } = started();
    await tty.type("half");
    assert.equal(tty.raw, true);
    // The shell put the terminal back in line mode while we were stopped.
    tty.setRaw(false);
    tty.clear();
    tty.signal("SIGCONT");
    assert.equal(tty.raw, true);
    assert.equal(tty.written, "\r\x1b[J> half\r\x1b[6C");
    input.close();
    assert.equal(tty.raw, false);
  },
});

Deno.test({
  name: "InputLine: end of input is eof; close erases the prompt",
  permissions: "none",
  async fn() {
    const { tty, input, heard } = started();
    await tty.type(null);
    assert.deepEqual(heard, ["<eof>"]);
    tty.clear();
    input.close();
    assert.equal(tty.written, "\r\x1b[J");
    input.print("after");
    assert.equal(tty.written, "\r\x1b[Jafter\r\n");
  },
});
