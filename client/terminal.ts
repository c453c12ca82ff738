/**
 * The terminal: where lines are shown and typed. A pipe gets one plain line
 * per event; a TTY gets colour, timestamps, and a prompt whose half-typed
 * line is redrawn below every incoming message.
 * @module
 */

import process from "node:process";
import { createInterface, type Interface } from "node:readline";
import { styleText } from "node:util";
import type { Line } from "./format.ts";
import { displayWidth } from "./sanitize.ts";

/** Where the client shows lines and reads input. */
export interface Screen {
  /** Show a line from the room. */
  show(line: Line): void;
  /** Show an error (stderr on a pipe). */
  error(text: string): void;
  /** Ask for a line (the name), showing `question`. */
  ask(question: string): void;
  /** Show the normal input prompt. */
  ready(): void;
  /** A typed line was taken: it will show again once delivered. */
  taken(line: string): void;
  /** The readline interface reading input. */
  readonly input: Interface;
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
  readonly input: Interface = createInterface({
    input: process.stdin,
    terminal: false,
  });

  show(line: Line): void {
    console.log(line.text);
  }

  error(text: string): void {
    console.error(text);
  }

  ask(): void {}

  ready(): void {}

  taken(): void {}

  close(): void {
    this.input.close();
  }
}

/** An interactive terminal with a prompt that incoming lines never clobber. */
export class TtyScreen implements Screen {
  readonly input: Interface;
  #colour: boolean;

  /** `colour`: false for NO_COLOR or --no-color. */
  constructor(colour: boolean) {
    this.#colour = colour;
    this.input = createInterface({
      input: process.stdin,
      output: process.stdout,
      terminal: true,
      historySize: 200,
    });
  }

  show(line: Line): void {
    const time = line.style === "own" ? Date.now() : line.time;
    const stamp = time === undefined
      ? ""
      : `${this.#paint("gray", clock(time))} `;
    this.#print(`${stamp}${this.#style(line)}`);
  }

  error(text: string): void {
    this.#print(this.#paint("red", text));
  }

  ask(question: string): void {
    this.input.setPrompt(question);
    this.input.prompt();
  }

  ready(): void {
    this.input.setPrompt(this.#paint("bold", "> "));
    this.input.prompt();
  }

  taken(line: string): void {
    // Erase the echo of what was typed (it may have wrapped).
    const columns = process.stdout.columns || 80;
    const rows = Math.max(1, Math.ceil(displayWidth(`> ${line}`) / columns));
    process.stdout.write(`\x1b[${rows}A\r\x1b[J`);
  }

  close(): void {
    this.input.close();
  }

  #print(text: string): void {
    // Clear the prompt line, print above it, then redraw what was typed.
    process.stdout.write("\r\x1b[2K" + text + "\n");
    this.input.prompt(true);
  }

  #style(line: Line): string {
    switch (line.style) {
      case "own":
      case "chat": {
        const from = line.from ?? "";
        const rest = line.text.slice(from.length);
        return from === ""
          ? line.text
          : this.#paint(colourOf(from), line.text.slice(0, from.length)) + rest;
      }
      case "admin":
        return this.#paint("bold", this.#paint("red", line.text));
      case "info":
        return this.#paint("gray", line.text);
      case "warn":
        return this.#paint("yellow", line.text);
      case "error":
        return this.#paint("red", line.text);
    }
  }

  #paint(format: Parameters<typeof styleText>[0], text: string): string {
    return this.#colour
      ? styleText(format, text, { validateStream: false })
      : text;
  }
}

function clock(time: number): string {
  const date = new Date(time);
  return `${String(date.getHours()).padStart(2, "0")}:${
    String(date.getMinutes()).padStart(2, "0")
  }`;
}
