/**
 * Chat text: what a member may send, and strict UTF-8 decoding of hostile
 * bytes. Text is refused, never cut; display-time neutralising of control
 * characters is the client's job (client/sanitize.ts).
 * @module
 */

import { MAX_TEXT_BYTES } from "./limits.ts";

/** Why text was refused. */
export type TextProblem = "empty" | "long" | "nul" | "surrogate";

/** The outcome of a text check: the text to send, or why not (`bytes`: its length). */
export type TextCheck = { ok: true; text: string } | {
  ok: false;
  problem: TextProblem;
  bytes: number;
  message: string;
};

/** Why text was refused, in English (the server's words; `Messages.invalidText`). */
export function textProblem(problem: TextProblem, bytes: number): string {
  switch (problem) {
    case "empty":
      return "Message is empty";
    case "long":
      return `Message is ${bytes} bytes, the limit is ${MAX_TEXT_BYTES}`;
    case "nul":
      return "Message contains a NUL character";
    case "surrogate":
      return "Message contains an unpaired surrogate";
  }
}

// ignoreBOM keeps a leading U+FEFF as a character instead of silently
// dropping it, so decoding never changes what the peer sent.
const strictDecoder = new TextDecoder("utf-8", {
  fatal: true,
  ignoreBOM: true,
});

/**
 * Validate chat text typed by a member before sending, or on the server on
 * receipt: trailing CR/LF removed, non-empty, at most MAX_TEXT_BYTES of UTF-8,
 * no NUL, no lone surrogate. Everything else is kept as typed.
 */
export function validateText(raw: string): TextCheck {
  const text = trimLineEnds(raw);
  const bytes = utf8Length(text);
  const refuse = (problem: TextProblem): TextCheck => ({
    ok: false,
    problem,
    bytes,
    message: textProblem(problem, bytes),
  });
  if (text === "") return refuse("empty");
  if (bytes > MAX_TEXT_BYTES) return refuse("long");
  if (text.includes("\0")) return refuse("nul");
  if (!text.isWellFormed()) return refuse("surrogate");
  return { ok: true, text };
}

/** Strict UTF-8 decode for hostile input: undefined on invalid UTF-8. */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return strictDecoder.decode(bytes);
  } catch {
    return undefined;
  }
}

/** Length in UTF-8 bytes, counted without encoding (a lone surrogate as 3). */
export function utf8Length(s: string): number {
  let bytes = 0;
  for (let i = 0; i < s.length; i++) {
    const unit = s.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (isPair(s, i)) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

function isPair(s: string, i: number): boolean {
  const high = s.charCodeAt(i);
  const low = s.charCodeAt(i + 1);
  return high >= 0xd800 && high <= 0xdbff && low >= 0xdc00 && low <= 0xdfff;
}

// A loop rather than /[\r\n]+$/, which is quadratic on a long run of
// newlines followed by other text.
/** `s` without trailing CR and LF (a loop: a regex here is quadratic on hostile input). */
export function trimLineEnds(s: string): string {
  let end = s.length;
  while (end > 0) {
    const unit = s.charCodeAt(end - 1);
    if (unit !== 0x0a && unit !== 0x0d) break;
    end--;
  }
  return s.slice(0, end);
}

/** `s` cut to at most `maxBytes` of UTF-8, never inside a character. */
export function truncateUtf8(s: string, maxBytes: number): string {
  if (utf8Length(s) <= maxBytes) return s;
  let bytes = 0;
  let end = 0;
  for (const char of s) {
    bytes += utf8Length(char);
    if (bytes > maxBytes) break;
    end += char.length;
  }
  return s.slice(0, end);
}
