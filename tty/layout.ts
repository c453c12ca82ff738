/**
 * Where the prompt and the line being typed fall on the screen, and the
 * bytes that draw them: pure. The input area is laid out in rows of the
 * terminal's width (a wide character that would not fit starts the next
 * row) and shows at most `maxRows` of them, the ones around the cursor, so
 * a line taller than the window never scrolls into the scrollback.
 * @module
 */

import { displayWidth } from "../wording/sanitize.ts";

/** The prompt: its text (maybe styled) and how many columns it takes. */
export interface Prompt {
  text: string;
  width: number;
}

/** What to write to draw the input area, and where it leaves the cursor. */
export interface Drawing {
  /** Written at the area's first column: the rows, then the cursor moved into place. */
  text: string;
  /** The cursor's row within the drawn area (0 = the first). */
  cursorRow: number;
}

const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });
const ASCII = /[\x20-\x7e]+/y;
const NEXT_ASCII = /[\x20-\x7e]/g;

/**
 * Each grapheme of `text` with its index and width. Printable ASCII, what
 * most pastes are, skips the segmenter (six times faster on 16 KiB); the
 * ASCII character before other text goes with it, as it may start a
 * grapheme (a combining accent, a keycap).
 */
function* cells(text: string): Generator<[number, string, number]> {
  let i = 0;
  while (i < text.length) {
    ASCII.lastIndex = i;
    let end = ASCII.exec(text) ? ASCII.lastIndex : i;
    if (end < text.length && end > i) end--;
    for (; i < end; i++) yield [i, text[i]!, 1];
    if (i >= text.length) return;
    NEXT_ASCII.lastIndex = i + 1;
    const stop = NEXT_ASCII.exec(text)?.index ?? text.length;
    for (const { segment, index } of segmenter.segment(text.slice(i, stop))) {
      yield [i + index, segment, displayWidth(segment)];
    }
    i = stop;
  }
}

/**
 * Draw `prompt` and `text` with the cursor at `cursor` (an index into
 * `text`) on a terminal `columns` wide, in at most `maxRows` rows.
 */
export function drawInput(
  prompt: Prompt,
  text: string,
  cursor: number,
  columns: number,
  maxRows: number,
): Drawing {
  columns = Math.max(2, columns);
  maxRows = Math.max(1, maxRows);
  const rows: string[] = [""];
  let col = Math.min(prompt.width, columns - 1);
  let cursorAt = { row: 0, col };
  for (const [index, segment, w] of cells(text)) {
    if (index === cursor) cursorAt = { row: rows.length - 1, col };
    if (col + w > columns) {
      rows.push("");
      col = 0;
      if (index === cursor) cursorAt = { row: rows.length - 1, col };
    }
    rows[rows.length - 1] += segment;
    col += w;
  }
  if (cursor >= text.length) {
    // At a full row's end the cursor waits at the start of the next one.
    if (col >= columns) {
      rows.push("");
      col = 0;
    }
    cursorAt = { row: rows.length - 1, col };
  }
  const top = Math.min(
    Math.max(0, cursorAt.row - maxRows + 1),
    Math.max(0, rows.length - maxRows),
  );
  const shown = rows.slice(top, top + maxRows);
  const first = top === 0 ? prompt.text : "";
  const last = shown.length - 1;
  const row = cursorAt.row - top;
  let out = first + shown.join("\r\n");
  // Rows were written up to the last; go back up to the cursor's row.
  if (last > row) out += `\x1b[${last - row}A`;
  out += "\r" + (cursorAt.col > 0 ? `\x1b[${cursorAt.col}C` : "");
  return { text: out, cursorRow: row };
}
