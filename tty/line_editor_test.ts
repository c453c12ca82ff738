import assert from "node:assert/strict";
import { LineEditor, sequenceLength } from "./line_editor.ts";

function typed(keys: string[], editor = new LineEditor()) {
  const events = keys.flatMap((key) => editor.feed(key));
  return { editor, events };
}

Deno.test({
  name: "LineEditor.feed() inserts at the cursor: arrows, Home, End",
  permissions: "none",
  fn() {
    // The console's report: hello, left, left, X, Enter.
    const { events } = typed(["hello", "\x1b[D", "\x1b[D", "X", "\r"]);
    assert.deepEqual(events, [{ type: "line", text: "helXlo" }]);
    const { editor } = typed(["bc", "\x1b[H", "a", "\x1b[F", "d", "\x01", "<"]);
    assert.equal(editor.text, "<abcd");
    assert.equal(editor.cursor, 1);
  },
});

Deno.test({
  name: "LineEditor.feed() moves and deletes whole graphemes (CJK, emoji)",
  permissions: "none",
  fn() {
    const { editor } = typed(["a半👍🏽b", "\x1b[D", "\x1b[D", "\x7f"]);
    assert.equal(editor.text, "a👍🏽b");
    assert.equal(editor.cursor, 1);
    editor.feed("\x1b[3~");
    assert.equal(editor.text, "ab");
  },
});

Deno.test({
  name:
    "LineEditor.feed() kills: Ctrl-U to the start, Ctrl-W a word, Ctrl-K to the end",
  permissions: "none",
  fn() {
    const { editor } = typed(["one two three  ", "\x17"]);
    assert.equal(editor.text, "one two ");
    // Ctrl-Left and Alt-Left go a word back, Alt-Backspace cuts one.
    const words = typed(["one two ", "\x1b[1;5D\x1b[1;3Dx\x1b[1;5C"]).editor;
    assert.equal(words.text, "xone two ");
    assert.equal(words.cursor, 4);
    words.feed("\x1b\x7f");
    assert.equal(words.text, " two ");
    editor.feed("\x1b[D\x1b[D\x0b");
    assert.equal(editor.text, "one tw");
    editor.feed("\x15");
    assert.equal(editor.text, "");
    assert.equal(editor.cursor, 0);
  },
});

Deno.test({
  name: "LineEditor.feed() browses history with Up and Down, keeping the draft",
  permissions: "none",
  fn() {
    const { editor } = typed(["first\r", "second\r", "second\r", "dra"]);
    assert.deepEqual(editor.history, ["first", "second"]);
    editor.feed("\x1b[A");
    assert.equal(editor.text, "second");
    editor.feed("\x1bOA\x1b[A");
    assert.equal(editor.text, "first");
    editor.feed("\x1b[B\x1b[B");
    assert.equal(editor.text, "dra");
    assert.deepEqual(editor.feed("\r"), [{ type: "line", text: "dra" }]);
  },
});

Deno.test({
  name:
    "LineEditor.feed() takes a paste with newlines as one line each, CRLF once",
  permissions: "none",
  fn() {
    const { events } = typed(["one\r\ntwo\nthree\rfour", "\r", "\n"]);
    assert.deepEqual(events.map((e) => e.type === "line" && e.text), [
      "one",
      "two",
      "three",
      "four",
    ]);
  },
});

Deno.test({
  name: "LineEditor.feed() takes a 16 KiB paste quickly, as one chunk",
  permissions: "none",
  fn() {
    const editor = new LineEditor();
    const paste = "lorem ipsum 半角 ".repeat(1100).slice(0, 16_384);
    const started = performance.now();
    assert.deepEqual(editor.feed(paste), []);
    const took = performance.now() - started;
    assert.equal(editor.text, paste);
    assert.ok(took < 100, `took ${took} ms`);
  },
});

Deno.test({
  name: "LineEditor.feed() keeps an escape sequence cut between chunks",
  permissions: "none",
  fn() {
    const { editor } = typed(["ab", "\x1b", "[", "D", "X"]);
    assert.equal(editor.text, "aXb");
    assert.equal(sequenceLength("\x1b[1;5C", 0), 6);
    assert.equal(sequenceLength("\x1b[1;5", 0), 0);
    assert.equal(sequenceLength("\x1bOA", 0), 3);
    assert.equal(sequenceLength("\x1bx", 0), 2);
    // Bracketed-paste markers and unknown keys leave the text alone.
    const other = typed(["\x1b[200~hi\x1b[201~", "\x1b[15~", "\x07"]).editor;
    assert.equal(other.text, "hi");
  },
});

Deno.test({
  name: "LineEditor.feed() Ctrl-D: end of input on an empty line, else delete",
  permissions: "none",
  fn() {
    const { editor, events } = typed(["ab", "\x01", "\x04"]);
    assert.deepEqual(events, []);
    assert.equal(editor.text, "b");
    assert.deepEqual(editor.feed("\x0b\x04"), [{ type: "eof" }]);
  },
});

Deno.test({
  name:
    "LineEditor Tab completes a name: 'NAME: ' first on the line, else 'NAME '",
  permissions: "none",
  fn() {
    const names = ["Bob", "bea", "carol", "小明"];
    const editor = new LineEditor(() => names);
    editor.feed("ca\t");
    assert.equal(editor.text, "carol: ");
    editor.feed("hi B\t");
    assert.equal(editor.text, "carol: hi B");
    assert.deepEqual(editor.feed("\t"), [{
      type: "candidates",
      names: ["Bob", "bea"],
    }]);
    editor.feed("o\t");
    assert.equal(editor.text, "carol: hi Bob ");
    editor.feed("\x15小\t");
    assert.equal(editor.text, "小明: ");
    editor.feed("\x15zed\t");
    assert.equal(editor.text, "zed");
    // A tab inside a paste is a space, not a completion.
    editor.feed("\x15a\tb");
    assert.equal(editor.text, "a b");
  },
});
