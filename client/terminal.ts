/**
 * The terminal: where lines are shown and typed. A pipe gets one plain line
 * per event, `--json` one JSON object per notice; a TTY gets colour,
 * timestamps, wrapping, mentions with a bell, and a prompt whose half-typed
 * line is redrawn below every incoming message.
 * @module
 */

import process from "node:process";
import { createInterface, type Interface } from "node:readline";
import { styleText } from "node:util";
import type { ClientNotice } from "./notices.ts";
import { jsonLine, noticeJson } from "./format.ts";
import { clock, type Line } from "../wording/events.ts";
import { displayWidth } from "../wording/sanitize.ts";
import { denoTty, InputLine, type TtyIo } from "../tty/input_line.ts";

/** What a screen hears from whoever types. */
export interface ScreenInput {
  /** A line was entered. */
  line(text: string): void;
  /** End of input (Ctrl-D on a terminal, EOF on a pipe). */
  end(): void;
  /** Names Tab completes (a terminal only). */
  complete(): readonly string[];
}

/** Where the client shows lines and reads input. */
export interface Screen {
  /** Columns a line may use (the /who table fits it). */
  readonly width: number;
  /** Show a notice from the session, formatted as `lines`. */
  notice(notice: ClientNotice, lines: Line[]): void;
  /** Show a line from the client itself (command output, problems). */
  local(text: string, style: "info" | "error"): void;
  /** Ask for a line (the name), showing `question`. */
  ask(question: string): void;
  /** Show the normal input prompt. */
  ready(): void;
  /** The line just entered was sent: it shows again once delivered. */
  taken(): void;
  /** This member's name, for mentions. */
  setName(name: string): void;
  /** Start reading input into `input`. */
  listen(input: ScreenInput): void;
  /** The line being typed ("" where nothing is edited). */
  readonly typing: string;
  /** Stop reading input. */
  close(): void;
}

const PALETTE = ["cyan", "green", "yellow", "magenta", "blue", "red"] as const;

/** A stable colour for a name, so each speaker is recognisable. */
export function colourOf(name: string): (typeof PALETTE)[number] {
  let hash = 0;
  for (const char of name) hash = (hash * 31 + char.codePointAt(0)!) >>> 0;
  return PALETTE[hash % PALETTE.length]!;
}

/** One plain line per event on stdout; errors on stderr. */
export class PipeScreen implements Screen {
  readonly width = 80;
  readonly typing = "";
  #input: Interface | undefined;

  notice(notice: ClientNotice, lines: Line[]): void {
    // A pipe shows what others did; its own lines it already has.
    if (notice.type === "delivered") return;
    for (const line of lines) this.local(line.text, line.style);
  }

  local(text: string, style: string): void {
    if (style === "error") console.error(text);
    else console.log(text);
  }

  ask(): void {}
  ready(): void {}
  taken(): void {}
  setName(): void {}

  listen(input: ScreenInput): void {
    this.#input = createInterface({ input: process.stdin, terminal: false });
    this.#input.on("line", (text: string) => input.line(text));
    this.#input.on("close", () => input.end());
  }

  close(): void {
    this.#input?.close();
  }
}

/** `join --json`: one JSON object per notice on stdout, for scripts. */
export class JsonScreen extends PipeScreen {
  override notice(notice: ClientNotice, lines: Line[]): void {
    console.log(jsonLine(noticeJson(notice)));
    // Failures also read as one human line on stderr, as on a pipe.
    for (const line of lines) {
      if (line.style === "error") console.error(line.text);
    }
  }

  override local(text: string, style: "info" | "error"): void {
    console.log(jsonLine({ type: style, text }));
  }
}

/** Where a TTY screen reads and writes (the process's by default). */
export interface TtyStreams {
  io?: TtyIo;
  /** The clock for own lines' timestamps. */
  now?: () => number;
}

/**
 * An interactive terminal with a prompt that incoming lines never clobber.
 * What was typed stays on screen once entered unless it was sent as a
 * message (`taken`): that shows again as the room's line once delivered.
 */
export class TtyScreen implements Screen {
  #io: TtyIo;
  #input: InputLine | undefined;
  #renderer: Renderer;
  /** The prompt the last line was typed after. */
  #asked = "";
  /** The line just entered, echoed above unless it was sent. */
  #echo: string | undefined;

  /** `colour`: false for NO_COLOR or --no-color. */
  constructor(colour: boolean, streams: TtyStreams = {}) {
    this.#io = streams.io ?? denoTty();
    this.#renderer = new Renderer(colour, streams.now);
  }

  get width(): number {
    return Math.max(1, this.#io.size().columns - 1);
  }

  get typing(): string {
    return this.#input?.editor.text ?? "";
  }

  notice(notice: ClientNotice, lines: Line[]): void {
    // A private message calls like a mention does.
    const bell = notice.type === "event" && notice.event.kind === "private";
    lines.forEach((line, i) => this.#show(line, bell && i === 0));
  }

  local(text: string, style: "info" | "error"): void {
    this.#show({ text, style });
  }

  ask(question: string): void {
    this.#prompt(question);
  }

  ready(): void {
    this.#prompt("> ", "bold");
  }

  taken(): void {
    this.#echo = undefined;
  }

  setName(name: string): void {
    this.#renderer.name = name;
  }

  listen(input: ScreenInput): void {
    this.#input = new InputLine(this.#io, {
      line: (text) => {
        this.#flush();
        this.#echo = this.#asked + text;
        input.line(text);
      },
      eof: () => input.end(),
      complete: () => input.complete(),
    });
  }

  close(): void {
    this.#flush();
    this.#input?.close();
  }

  #prompt(text: string, format?: "bold"): void {
    this.#flush();
    this.#asked = text;
    this.#input?.setPrompt({
      text: format ? this.#renderer.paint(format, text) : text,
      width: displayWidth(text),
    });
  }

  #flush(): void {
    if (this.#echo === undefined) return;
    const echo = this.#echo;
    this.#echo = undefined;
    this.#write(echo);
  }

  #show(line: Line, ring = false): void {
    this.#flush();
    const { text, bell } = this.#renderer.render(line, this.width);
    this.#write(text + (bell || ring ? "\x07" : ""));
  }

  #write(text: string): void {
    this.#input?.print(text);
  }
}

type Format = Parameters<typeof styleText>[0];

const WHOLE_LINE: Record<Exclude<Line["style"], "chat" | "own">, Format> = {
  admin: ["bold", "red"],
  info: "gray",
  warn: "yellow",
  error: "red",
};

/** Turns lines into styled, wrapped terminal text. */
export class Renderer {
  /** This member's name: mentions of it are highlighted and ring the bell. */
  name = "";
  #colour: boolean;
  #now: () => number;

  /** `colour` false leaves text plain; `now` stamps own lines. */
  constructor(colour: boolean, now: () => number = Date.now) {
    this.#colour = colour;
    this.#now = now;
  }

  /** `line` as rows (joined by "\n") at most `width` columns, and whether to ring. */
  render(line: Line, width: number): { text: string; bell: boolean } {
    const time = line.history
      ? undefined
      : line.style === "own"
      ? this.#now()
      : line.time;
    const stamp = time === undefined ? "" : `${clock(time)} `;
    const rows = wrap(stamp + line.text, width, stamp === "" ? 2 : 6);
    const mention = line.style === "chat" && !line.history &&
        line.from !== undefined && this.name !== "" &&
        line.from.toLowerCase() !== this.name.toLowerCase()
      ? mentionPattern(this.name)
      : undefined;
    let bell = false;
    const painted = rows.map((row, i) => {
      const head = i === 0 ? stamp.length : 0;
      const prefix = this.paint("gray", row.slice(0, head));
      const rest = row.slice(head);
      if (line.history) return prefix + this.paint("gray", rest);
      if (line.style !== "chat" && line.style !== "own") {
        return prefix + this.paint(WHOLE_LINE[line.style], rest);
      }
      const at = i === 0 && line.from ? rest.indexOf(line.from) : -1;
      const cut = at < 0 ? 0 : at + line.from!.length;
      const name = at < 0 ? "" : rest.slice(0, at) +
        this.paint(colourOf(line.from!), rest.slice(at, cut));
      const body = rest.slice(cut);
      if (mention === undefined || !hits(mention, body)) {
        return prefix + name + body;
      }
      bell = true;
      // Bold and reverse video need no colour: NO_COLOR keeps them.
      return prefix + name +
        body.replace(mention, (m) => emphasis(m));
    });
    return { text: painted.join("\n"), bell };
  }

  /** `text` styled, or as is without colour. */
  paint(format: Format, text: string): string {
    return this.#colour && text !== ""
      ? styleText(format, text, { validateStream: false })
      : text;
  }
}

function emphasis(text: string): string {
  return styleText(["bold", "inverse"], text, { validateStream: false });
}

/**
 * How `name` appears in a message: any case; an ASCII name only as a whole
 * word, since "al" in "also" is no mention, while a CJK name anywhere.
 */
export function mentionPattern(name: string): RegExp {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return /^[\w-]+$/.test(name)
    ? new RegExp(`(?<![\\w-])${escaped}(?![\\w-])`, "gi")
    : new RegExp(escaped, "giu");
}

function hits(pattern: RegExp, text: string): boolean {
  pattern.lastIndex = 0;
  const found = pattern.test(text);
  pattern.lastIndex = 0;
  return found;
}

const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/**
 * Split `text` into rows of at most `width` columns (wide characters count
 * two), breaking after a space when a word would not fit, beside any wide
 * character (CJK has no spaces), and anywhere in a word longer than a row.
 * Rows after the first start with `indent` spaces, under the text rather
 * than the timestamp.
 */
export function wrap(text: string, width: number, indent = 0): string[] {
  if (displayWidth(text) <= width) return [text];
  indent = Math.min(indent, Math.floor(width / 2));
  const rows: string[] = [];
  let row = "";
  let used = 0;
  let limit = width;
  let lastBreak = -1;
  for (const { segment } of segmenter.segment(text)) {
    const w = displayWidth(segment);
    if (used + w > limit && row.trim() !== "") {
      if (segment === " ") {
        rows.push(row);
        [row, used, lastBreak, limit] = ["", 0, -1, width - indent];
        continue;
      }
      const carry = lastBreak > 0 ? row.slice(lastBreak) : "";
      const carried = displayWidth(carry);
      const keep = carry !== "" && carried + w <= width - indent;
      rows.push(keep ? row.slice(0, lastBreak).trimEnd() : row);
      row = keep ? carry : "";
      used = keep ? carried : 0;
      [lastBreak, limit] = [-1, width - indent];
    }
    // A row may end after a space, and before or after a wide character.
    if (w === 2) lastBreak = row.length;
    row += segment;
    used += w;
    if (segment === " " || w === 2) lastBreak = row.length;
  }
  rows.push(row);
  return rows.map((r, i) => i === 0 ? r : " ".repeat(indent) + r.trimStart());
}
