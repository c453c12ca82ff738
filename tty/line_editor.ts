/**
 * The line editor both the member's terminal and the server's console use:
 * a pure state machine. Keys (raw terminal input, any chunk of it, a paste
 * included) go in; the edited line, its cursor and history change, and what
 * the shell must act on comes out as events. No I/O: `tty/input_line.ts` reads
 * the keys and draws (`tty/layout.ts`).
 * @module
 */

/** What a chunk of keys asks of the shell, in order. */
export type EditorEvent =
  /** Enter: `text` is the finished line. */
  | { type: "line"; text: string }
  /** Ctrl-D on an empty line: end of input. */
  | { type: "eof" }
  /** Tab with several candidates and nothing more in common: show them. */
  | { type: "candidates"; names: string[] };

/** Names that complete a word (Tab); the member list, for a member. */
export type Completer = () => readonly string[];

const HISTORY_SIZE = 200;

/** A run of text without control characters, from `lastIndex` on. */
const TEXT = /\P{Cc}+/uy;

const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/** Editing state: the line, the cursor (a UTF-16 index) and the history. */
export class LineEditor {
  /** The line as typed so far. */
  text = "";
  /** Where the cursor is, as an index into `text` (on a grapheme boundary). */
  cursor = 0;
  #history: string[] = [];
  /** Position in history while browsing (`#history.length` = the draft). */
  #browsing = 0;
  #draft = "";
  /** An escape sequence cut off at the end of the last chunk. */
  #pending = "";
  /** The last chunk ended with "\r": a following "\n" is the same Enter. */
  #afterCr = false;
  #complete: Completer;

  /** `complete` gives the names Tab may complete to (none by default). */
  constructor(complete: Completer = () => []) {
    this.#complete = complete;
  }

  /** Lines entered, oldest first. */
  get history(): readonly string[] {
    return this.#history;
  }

  /** Feed raw input (any chunk: a key, part of a sequence, a whole paste). */
  feed(chunk: string): EditorEvent[] {
    const input = this.#pending + chunk;
    this.#pending = "";
    const events: EditorEvent[] = [];
    let i = 0;
    while (i < input.length) {
      // A run of printable text goes in at once: a paste costs one insert.
      TEXT.lastIndex = i;
      const run = TEXT.exec(input);
      if (run) {
        this.#insert(run[0]);
        i += run[0].length;
        this.#afterCr = false;
        continue;
      }
      const ch = input[i]!;
      if (ch === "\x1b") {
        const length = sequenceLength(input, i);
        if (length === 0) {
          this.#pending = input.slice(i);
          break;
        }
        this.#escape(input.slice(i, i + length));
        i += length;
      } else if (ch === "\t" && i + 1 < input.length) {
        // A tab with more after it is inside a paste: text, not Tab.
        this.#insert(" ");
        i += 1;
      } else {
        if (!(ch === "\n" && this.#afterCr)) this.#control(ch, events);
        i += 1;
      }
      this.#afterCr = ch === "\r";
    }
    return events;
  }

  /** Forget the line being typed (a new question, or a line sent elsewhere). */
  clear(): void {
    this.text = "";
    this.cursor = 0;
    this.#browsing = this.#history.length;
  }

  #control(ch: string, events: EditorEvent[]): void {
    switch (ch) {
      case "\r":
      case "\n":
        return this.#enter(events);
      case "\x7f":
      case "\x08":
        return this.#cut(this.#previous(this.cursor), this.cursor);
      case "\x04":
        if (this.text === "") return void events.push({ type: "eof" });
        return this.#cut(this.cursor, this.#next(this.cursor));
      case "\x01":
        return void (this.cursor = 0);
      case "\x05":
        return void (this.cursor = this.text.length);
      case "\x02":
        return void (this.cursor = this.#previous(this.cursor));
      case "\x06":
        return void (this.cursor = this.#next(this.cursor));
      case "\x15":
        return this.#cut(0, this.cursor);
      case "\x0b":
        return this.#cut(this.cursor, this.text.length);
      case "\x17":
        return this.#cut(wordStart(this.text, this.cursor), this.cursor);
      case "\x10":
        return this.#browse(-1);
      case "\x0e":
        return this.#browse(1);
      case "\t":
        return this.#tab(events);
    }
  }

  #escape(sequence: string): void {
    const key = KEYS[sequence];
    switch (key) {
      case "up":
        return this.#browse(-1);
      case "down":
        return this.#browse(1);
      case "left":
        return void (this.cursor = this.#previous(this.cursor));
      case "right":
        return void (this.cursor = this.#next(this.cursor));
      case "home":
        return void (this.cursor = 0);
      case "end":
        return void (this.cursor = this.text.length);
      case "delete":
        return this.#cut(this.cursor, this.#next(this.cursor));
      case "wordLeft":
        return void (this.cursor = wordStart(this.text, this.cursor));
      case "wordRight":
        return void (this.cursor = wordEnd(this.text, this.cursor));
      case "killWord":
        return this.#cut(wordStart(this.text, this.cursor), this.cursor);
    }
  }

  #enter(events: EditorEvent[]): void {
    const text = this.text;
    if (text.trim() !== "" && this.#history.at(-1) !== text) {
      this.#history.push(text);
      if (this.#history.length > HISTORY_SIZE) this.#history.shift();
    }
    this.clear();
    events.push({ type: "line", text });
  }

  #insert(text: string): void {
    this.text = this.text.slice(0, this.cursor) + text +
      this.text.slice(this.cursor);
    this.cursor += text.length;
  }

  #cut(from: number, to: number): void {
    this.text = this.text.slice(0, from) + this.text.slice(to);
    this.cursor = from;
  }

  #browse(step: -1 | 1): void {
    const to = this.#browsing + step;
    if (to < 0 || to > this.#history.length) return;
    if (this.#browsing === this.#history.length) this.#draft = this.text;
    this.#browsing = to;
    this.text = this.#history[to] ?? this.#draft;
    this.cursor = this.text.length;
  }

  #tab(events: EditorEvent[]): void {
    const start = this.text.lastIndexOf(" ", this.cursor - 1) + 1;
    const word = this.text.slice(start, this.cursor).toLowerCase();
    if (word === "") return;
    const names = this.#complete().filter((name) =>
      name.toLowerCase().startsWith(word)
    );
    if (names.length === 0) return;
    const common = commonPrefix(names);
    if (names.length === 1) {
      const tail = start === 0 ? ": " : " ";
      this.#replace(start, names[0]! + tail);
    } else if (common.length > word.length) {
      this.#replace(start, common);
    } else {
      events.push({ type: "candidates", names: [...names].sort() });
    }
  }

  #replace(start: number, text: string): void {
    this.text = this.text.slice(0, start) + text + this.text.slice(this.cursor);
    this.cursor = start + text.length;
  }

  #previous(at: number): number {
    if (at === 0) return 0;
    // Graphemes are short: segment only a little before the cursor.
    const from = Math.max(0, at - 64);
    let last = from;
    for (const { index } of segmenter.segment(this.text.slice(from, at))) {
      last = from + index;
    }
    return last;
  }

  #next(at: number): number {
    if (at >= this.text.length) return this.text.length;
    const first = segmenter.segment(this.text.slice(at, at + 64))
      [Symbol.iterator]().next().value;
    return at + (first?.segment.length ?? 1);
  }
}

type Key =
  | "up"
  | "down"
  | "left"
  | "right"
  | "home"
  | "end"
  | "delete"
  | "wordLeft"
  | "wordRight"
  | "killWord";

const KEYS: Record<string, Key> = {
  "\x1b[A": "up",
  "\x1bOA": "up",
  "\x1b[B": "down",
  "\x1bOB": "down",
  "\x1b[C": "right",
  "\x1bOC": "right",
  "\x1b[D": "left",
  "\x1bOD": "left",
  "\x1b[H": "home",
  "\x1bOH": "home",
  "\x1b[1~": "home",
  "\x1b[7~": "home",
  "\x1b[F": "end",
  "\x1bOF": "end",
  "\x1b[4~": "end",
  "\x1b[8~": "end",
  "\x1b[3~": "delete",
  "\x1b[1;5D": "wordLeft",
  "\x1b[1;5C": "wordRight",
  "\x1b[1;3D": "wordLeft",
  "\x1b[1;3C": "wordRight",
  "\x1bb": "wordLeft",
  "\x1bf": "wordRight",
  "\x1b\x7f": "killWord",
};

/**
 * How long the escape sequence at `input[at]` is, or 0 when the chunk ends
 * inside it. CSI (`ESC [ params final`), SS3 (`ESC O x`), or ESC and one
 * key (Alt-key); unknown ones are skipped whole.
 */
export function sequenceLength(input: string, at: number): number {
  const second = input[at + 1];
  if (second === undefined) return 0;
  if (second === "O") return input[at + 2] === undefined ? 0 : 3;
  if (second !== "[") return 2;
  for (let i = at + 2; i < input.length; i++) {
    const code = input.charCodeAt(i);
    if (code >= 0x40 && code <= 0x7e) return i - at + 1;
    // Not a CSI parameter: a broken sequence ends before it.
    if (code < 0x20 || code > 0x3f) return i - at;
  }
  return 0;
}

function isWordChar(ch: string): boolean {
  return ch !== " " && ch !== "\t";
}

/** Where the word before `at` starts (skipping spaces first). */
function wordStart(text: string, at: number): number {
  let i = at;
  while (i > 0 && !isWordChar(text[i - 1]!)) i--;
  while (i > 0 && isWordChar(text[i - 1]!)) i--;
  return i;
}

/** Where the word after `at` ends. */
function wordEnd(text: string, at: number): number {
  let i = at;
  while (i < text.length && !isWordChar(text[i]!)) i++;
  while (i < text.length && isWordChar(text[i]!)) i++;
  return i;
}

function commonPrefix(names: string[]): string {
  let prefix = names[0]!;
  for (const name of names) {
    while (!name.toLowerCase().startsWith(prefix.toLowerCase())) {
      prefix = prefix.slice(0, -1);
    }
  }
  return prefix;
}
