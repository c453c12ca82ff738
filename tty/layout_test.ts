import assert from "node:assert/strict";
import { drawInput } from "./layout.ts";

const PROMPT = { text: "> ", width: 2 };

Deno.test({
  name: "drawInput() draws the prompt and text, and puts the cursor back",
  permissions: "none",
  fn() {
    assert.deepEqual(drawInput(PROMPT, "hello", 5, 80, 23), {
      text: "> hello\r\x1b[7C",
      cursorRow: 0,
    });
    assert.deepEqual(drawInput(PROMPT, "hello", 1, 80, 23), {
      text: "> hello\r\x1b[3C",
      cursorRow: 0,
    });
    assert.deepEqual(drawInput(PROMPT, "", 0, 80, 23).text, "> \r\x1b[2C");
  },
});

Deno.test({
  name: "drawInput() wraps at the width; a wide character never straddles rows",
  permissions: "none",
  fn() {
    // 2 + 7 = 9 columns, then 半 (2) does not fit in 10.
    const { text, cursorRow } = drawInput(PROMPT, "abcdefg半x", 10, 10, 23);
    assert.equal(text, "> abcdefg\r\n半x\r\x1b[3C");
    assert.equal(cursorRow, 1);
    // At the end of a full row the cursor waits on the next one.
    const full = drawInput(PROMPT, "abcdefgh", 8, 10, 23);
    assert.equal(full.text, "> abcdefgh\r\n\r");
    assert.equal(full.cursorRow, 1);
    // Cursor in the first row of two: up one after drawing.
    const back = drawInput(PROMPT, "abcdefghij", 0, 10, 23);
    assert.equal(back.text, "> abcdefgh\r\nij\x1b[1A\r\x1b[2C");
    assert.equal(back.cursorRow, 0);
  },
});

Deno.test({
  name:
    "drawInput() shows at most maxRows rows of a tall line, around the cursor",
  permissions: "none",
  fn() {
    const text = "x".repeat(98);
    // 100 columns of content in rows of 10: 10 rows, 11 with the cursor's.
    const end = drawInput(PROMPT, text, text.length, 10, 3);
    assert.equal(end.text.split("\r\n").length, 3);
    assert.ok(!end.text.includes(">"), "the prompt row scrolled away");
    assert.equal(end.cursorRow, 2);
    const start = drawInput(PROMPT, text, 0, 10, 3);
    assert.ok(start.text.startsWith("> xxxxxxxx\r\n"));
    assert.equal(start.text.split("\r\n").length, 3);
    assert.equal(start.cursorRow, 0);
  },
});
