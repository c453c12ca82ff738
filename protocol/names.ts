/**
 * Member names: what a valid name is, and the key that makes names unique.
 * The server decides; the client runs the same check to fail early.
 * @module
 */

import { MAX_NAME_CHARS } from "./limits.ts";

/** Why a name was refused; the client shows `message`. */
export type NameProblem =
  | "empty"
  | "too_long"
  | "control"
  | "whitespace"
  | "reserved"
  | "taken"
  | "invalid_utf8";

/** The outcome of a name check: the normalised name and its key, or why not. */
export type NameCheck =
  | { ok: true; name: string; key: string }
  | { ok: false; problem: NameProblem; message: string };

/** A refused name: why, in words for the user. */
export type NameRefusal = Extract<NameCheck, { ok: false }>;

/** Reserved skeletons: names that could pass for staff or the room itself. */
const RESERVED: ReadonlySet<string> = new Set([
  "admin",
  "administrator",
  "server",
  "system",
  "root",
  "host",
  "operator",
  "mod",
  "moderator",
  "udpchat",
  "管理员",
  "系统",
  "服务器",
]);

/** Any white space: names are split on it in `/msg NAME text`. */
const WHITESPACE = /\p{White_Space}/u;

/**
 * Control, format (bidi, zero-width), surrogate, private-use and unassigned
 * code points, and the other default-ignorable ones (Hangul fillers), which
 * render as nothing. Variation selectors are allowed: emoji need them.
 */
const INVISIBLE =
  /(?![\uFE00-\uFE0F\u{E0100}-\u{E01EF}])[\p{C}\p{Default_Ignorable_Code_Point}]/u;

/** A zero-width joiner inside an emoji sequence such as "👨‍👩‍👧", which is allowed. */
const EMOJI_ZWJ =
  /(?<=\p{Extended_Pictographic}[\uFE0F\u{1F3FB}-\u{1F3FF}]?)\u200D(?=\p{Extended_Pictographic})/gu;

/** What the key ignores: variation selectors and joiners change no look. */
const KEY_IGNORED = /[\uFE00-\uFE0F\u{E0100}-\u{E01EF}\u200D]/gu;

/** Everything but letters and digits, removed to get a skeleton. */
const NOT_LETTER_OR_DIGIT = /[^\p{L}\p{N}]/gu;

/**
 * Validate a proposed member name: NFC-normalise, 1..MAX_NAME_CHARS code
 * points, no whitespace, no control, format, surrogate, private-use,
 * unassigned or other invisible code points, no leading combining mark, not
 * reserved. A string with a lone surrogate is `invalid_utf8`.
 */
export function validateName(raw: string): NameCheck {
  if (!raw.isWellFormed()) {
    return refuse("invalid_utf8", "Name is not valid UTF-8");
  }
  const name = raw.normalize("NFC");
  if (name === "") return refuse("empty", "Name is empty");
  if (codePoints(name) > MAX_NAME_CHARS) {
    return refuse(
      "too_long",
      `Name is longer than ${MAX_NAME_CHARS} characters`,
    );
  }
  if (WHITESPACE.test(name)) {
    return refuse("whitespace", "Name contains whitespace");
  }
  if (INVISIBLE.test(name.replace(EMOJI_ZWJ, ""))) {
    return refuse("control", "Name contains a control or invisible character");
  }
  if (/^\p{M}/u.test(name)) {
    return refuse("control", "Name starts with a combining mark");
  }
  const key = nameKey(name);
  if (isReserved(key)) {
    return refuse("reserved", `Name "${name}" is reserved`);
  }
  return { ok: true, name, key };
}

/**
 * The uniqueness key of a name: NFKC, without variation selectors and
 * joiners, case-folded (upper then lower, so "ß" and "SS" collide too).
 * "Ａｌｉｃｅ" and "alice" share a key. Idempotent.
 */
export function nameKey(name: string): string {
  return name.normalize("NFKC").replace(KEY_IGNORED, "").toUpperCase()
    .toLowerCase().normalize("NFKC");
}

/**
 * Whether a key is reserved: its skeleton (letters and digits only) is one
 * of the reserved words, so "[admin]", "Admin!", "a.d.m.i.n" and "ＡＤＭＩＮ"
 * are reserved. Accepts a raw name too: it is keyed first.
 */
export function isReserved(key: string): boolean {
  return RESERVED.has(nameKey(key).replace(NOT_LETTER_OR_DIGIT, ""));
}

/** The refusal for a name another member holds; only the server knows. */
export function nameTaken(name: string): NameRefusal {
  return refuse("taken", `Name "${name}" is taken`);
}

function refuse(problem: NameProblem, message: string): NameRefusal {
  return { ok: false, problem, message };
}

function codePoints(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}
