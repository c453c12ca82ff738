/**
 * Where the host types and reads: the console's two shells. On a terminal
 * it is the members' line editor (arrows, history, Ctrl-U/W, Home/End),
 * with each printed line stamped HH:MM above the line being typed; Ctrl-D
 * closes the console, not the server. Otherwise (a pipe, `</dev/null`)
 * each stdin line is a console line and output is plain.
 * @module
 */

import process from "node:process";
import { createInterface } from "node:readline";
import { clock } from "../wording/events.ts";
import { denoTty, InputLine } from "../tty/input_line.ts";

/** The console as `serve` uses it. */
export interface ConsoleIo {
  /** Show a line; `error` for warnings and failures. */
  print(text: string, error?: boolean): void;
  /** Stop reading and give the terminal back. */
  close(): void;
}

const PROMPT = "admin> ";

/** Read console lines into `onLine`; the kind of console stdin allows. */
export function openConsole(onLine: (line: string) => void): ConsoleIo {
  return Deno.stdin.isTerminal() && Deno.stdout.isTerminal()
    ? ttyConsole(onLine)
    : pipeConsole(onLine);
}

function pipeConsole(onLine: (line: string) => void): ConsoleIo {
  const input = createInterface({ input: process.stdin, terminal: false });
  input.on("line", (line: string) => onLine(line.replace(/\r$/, "")));
  return {
    print(text, error) {
      try {
        if (error) console.error(text);
        else console.log(text);
      } catch {
        // The terminal hung up (EIO): the server goes on, or closes, without it.
      }
    },
    close: () => input.close(),
  };
}

function ttyConsole(onLine: (line: string) => void): ConsoleIo {
  // Warnings go to stderr when it is elsewhere (a log file), else above the prompt.
  const apart = !Deno.stderr.isTerminal();
  const input: InputLine = new InputLine(denoTty(), {
    line(text) {
      input.print(PROMPT + text);
      onLine(text);
    },
    eof() {
      input.print(
        `${
          clock(Date.now())
        } Console closed; the server keeps running (Ctrl-C stops it)`,
      );
      input.close();
    },
  });
  input.setPrompt({ text: PROMPT, width: PROMPT.length });
  return {
    print(text, error) {
      if (error && apart) return console.error(text);
      input.print(`${clock(Date.now())} ${text}`);
    },
    close: () => input.close(),
  };
}
