/**
 * The thin shell around the line editor: it puts the terminal in cbreak
 * mode (keys one by one, no echo; Ctrl-C and Ctrl-Z stay signals), reads
 * keys a chunk at a time, and keeps a prompt with the line being typed at
 * the bottom, drawn once per chunk. Lines printed go above it and never
 * clobber it. Shared by the member's terminal and the server's console.
 * @module
 */

import { drawInput, type Prompt } from "./layout.ts";
import { type Completer, type EditorEvent, LineEditor } from "./line_editor.ts";

/** The terminal an `InputLine` runs on (`denoTty()` for the process's own). */
export interface TtyIo {
  /** Read input bytes; null at end of input. */
  read(buffer: Uint8Array): Promise<number | null>;
  /** Write text to the terminal, all of it, now. */
  write(text: string): void;
  /** Cbreak mode on or off. */
  setRaw(raw: boolean): void;
  size(): { columns: number; rows: number };
  /** Call `handler` on `signal`; returns what stops it. */
  onSignal(signal: "SIGCONT" | "SIGWINCH", handler: () => void): () => void;
}

/** What the owner of an `InputLine` hears. */
export interface InputHandlers {
  /** Enter was pressed on `text`. */
  line(text: string): void;
  /** Ctrl-D on an empty line, or the end of input. */
  eof(): void;
  /** The names Tab completes. */
  complete?: Completer;
}

/** The process's own terminal (stdin and stdout must be terminals). */
export function denoTty(): TtyIo {
  const encoder = new TextEncoder();
  return {
    read: (buffer) => Deno.stdin.read(buffer),
    write(text) {
      const bytes = encoder.encode(text);
      try {
        let done = 0;
        while (done < bytes.length) {
          done += Deno.stdout.writeSync(bytes.subarray(done));
        }
      } catch {
        // The terminal went away: what it would have shown has nowhere to go.
      }
    },
    setRaw(raw) {
      try {
        Deno.stdin.setRaw(raw, { cbreak: true });
      } catch {
        // The terminal went away (closed window): nothing left to set.
      }
    },
    size() {
      try {
        return Deno.consoleSize();
      } catch {
        return { columns: 80, rows: 24 };
      }
    },
    onSignal(signal, handler) {
      Deno.addSignalListener(signal, handler);
      return () => Deno.removeSignalListener(signal, handler);
    },
  };
}

/** A prompt and an edited line at the bottom of a terminal. */
export class InputLine {
  readonly editor: LineEditor;
  #io: TtyIo;
  #handlers: InputHandlers;
  #prompt: Prompt = { text: "", width: 0 };
  /** The input area is on screen... */
  #drawn = false;
  /** ...with the cursor this many rows below its first. */
  #cursorRow = 0;
  /** Events of one chunk are being handled: draw once, after them. */
  #busy = false;
  #closed = false;
  #stops: (() => void)[] = [];

  /** Start reading keys from `io`; `handlers` hear what they mean. */
  constructor(io: TtyIo, handlers: InputHandlers) {
    this.#io = io;
    this.#handlers = handlers;
    this.editor = new LineEditor(handlers.complete);
    io.setRaw(true);
    this.#stops = [
      io.onSignal("SIGCONT", () => this.#resumed()),
      io.onSignal("SIGWINCH", () => this.#draw()),
    ];
    void this.#readLoop();
  }

  /** Show `prompt` before the line being typed. */
  setPrompt(prompt: Prompt): void {
    this.#prompt = prompt;
    this.#draw();
  }

  /** Print `text` (may hold "\n") above the prompt. */
  print(text: string): void {
    this.#io.write(this.#erase() + text.replaceAll("\n", "\r\n") + "\r\n");
    this.#draw();
  }

  /** Stop: erase the prompt, give the terminal its normal mode back. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#io.write(this.#erase());
    this.#io.setRaw(false);
    for (const stop of this.#stops) stop();
  }

  async #readLoop(): Promise<void> {
    const buffer = new Uint8Array(64 * 1024);
    const decoder = new TextDecoder();
    while (!this.#closed) {
      let n: number | null;
      try {
        n = await this.#io.read(buffer);
      } catch {
        n = null;
      }
      if (this.#closed) return;
      if (n === null) return this.#handlers.eof();
      const events = this.editor.feed(
        decoder.decode(buffer.subarray(0, n), { stream: true }),
      );
      this.#busy = true;
      try {
        for (const event of events) this.#handle(event);
      } finally {
        this.#busy = false;
      }
      this.#draw();
    }
  }

  #handle(event: EditorEvent): void {
    if (this.#closed) return;
    switch (event.type) {
      case "line":
        return this.#handlers.line(event.text);
      case "eof":
        return this.#handlers.eof();
      case "candidates":
        return this.print(event.names.join("  "));
    }
  }

  /** Bytes that take the cursor to the input area's start and clear it. */
  #erase(): string {
    if (!this.#drawn) return "";
    this.#drawn = false;
    const up = this.#cursorRow > 0 ? `\x1b[${this.#cursorRow}A` : "";
    this.#cursorRow = 0;
    return `${up}\r\x1b[J`;
  }

  #draw(): void {
    if (this.#busy || this.#closed) return;
    const { columns, rows } = this.#io.size();
    const drawing = drawInput(
      this.#prompt,
      this.editor.text,
      this.editor.cursor,
      columns,
      // Leave a row for what is printed above, so the area never scrolls off.
      Math.max(1, rows - 1),
    );
    this.#io.write(this.#erase() + drawing.text);
    this.#drawn = true;
    this.#cursorRow = drawing.cursorRow;
  }

  /** Back from Ctrl-Z: the shell reset the terminal and drew below us. */
  #resumed(): void {
    if (this.#closed) return;
    this.#io.setRaw(true);
    this.#drawn = false;
    this.#cursorRow = 0;
    this.#io.write("\r\x1b[J");
    this.#draw();
  }
}
