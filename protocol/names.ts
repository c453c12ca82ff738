/**
 * Member names: what a valid name is, and the key that makes names unique.
 * The server decides; the client runs the same check to fail early.
 * @module
 */

import { MAX_NAME_CHARS } from "./limits.ts";
import { beforeNfkc, readings, skeleton } from "./confusables.ts";

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

/** Reserved words: names that could pass for staff or the room itself. */
const RESERVED: ReadonlyArray<string> = [
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
];

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

/** Everything but letters and digits (accents too), ignored by reserved words. */
const NOT_LETTER_OR_DIGIT = /[^\p{L}\p{N}]/gu;

/**
 * Characters that draw nothing yet are neither white space nor invisible by
 * Unicode's properties: braille blank, musical null notehead, Khitan filler.
 */
const BLANK = /[\u2800\u{1D159}\u{16FE4}]/u;

/** A name that shows nothing: only blank, invisible and combining characters. */
const ALL_BLANK =
  /^[\u2800\u{1D159}\u{16FE4}\p{Cf}\p{Default_Ignorable_Code_Point}\p{M}]+$/u;

/**
 * Brackets of any kind, which frame the server's own lines ("[admin]"):
 * every opening and closing punctuation mark (( [ { 【 「 〈 ⟨ ⁅ …), angle
 * brackets and their look-alikes (< > ‹ › « » ˂ ˃ ᐸ ᐳ) and the pieces of tall
 * brackets. Tested after NFKC too, which turns ［ ＜ ﹙ ⁽ and the like into
 * ASCII.
 */
const BRACKETS =
  /[\p{Ps}\p{Pe}<>\u2039\u203A\u00AB\u00BB\u02C2\u02C3\u1438\u1433\u239B-\u23B5\u23DC-\u23E1]/u;

/**
 * Validate a proposed member name: NFC-normalise, 1..MAX_NAME_CHARS code
 * points, no whitespace or blank that looks like it, not blank, no control,
 * format, surrogate, private-use, unassigned or other invisible code points,
 * no leading combining mark, not reserved, no brackets. A string with a lone
 * surrogate is `invalid_utf8`. The name stays as typed (NFC); only its key
 * folds look-alikes.
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
  if (ALL_BLANK.test(name)) {
    return refuse("control", "Name looks blank: it shows no visible character");
  }
  if (INVISIBLE.test(name.replace(EMOJI_ZWJ, ""))) {
    return refuse("control", "Name contains a control or invisible character");
  }
  if (BLANK.test(name)) {
    return refuse(
      "whitespace",
      "Name contains a blank that looks like a space",
    );
  }
  if (/^\p{M}/u.test(name)) {
    return refuse("control", "Name starts with a combining mark");
  }
  if (isReserved(name)) {
    return refuse("reserved", `Name "${name}" is reserved`);
  }
  if (BRACKETS.test(name) || BRACKETS.test(name.normalize("NFKC"))) {
    return refuse("reserved", "Name cannot contain brackets: ( ) [ ] { } < >");
  }
  return { ok: true, name, key: nameKey(name) };
}

/**
 * The uniqueness key of a name: NFKC, without variation selectors and
 * joiners, case-folded (upper then lower, so "ß" and "SS" collide too), then
 * its look-alike skeleton (`confusables.ts`): "Ａｌｉｃｅ", "ALICE" and "аlice"
 * (Cyrillic а) all key to "alice". Idempotent.
 */
export function nameKey(name: string): string {
  return skeleton(fold(name));
}

/**
 * Whether a name is reserved: its letters and digits, accents dropped, read
 * as one of the reserved words, each letter in any of its look-alike
 * readings. So "[admin]", "Admin!", "a.d.m.i.n", "ＡＤＭＩＮ", "аdmin" (Cyrillic
 * а), "ΑDΜΙΝ" (Greek) and "adm1n" are reserved. Accepts a key too, though a
 * key has lost the Greek readings its name had.
 */
export function isReserved(name: string): boolean {
  const letters = [
    ...fold(name).normalize("NFD").replace(NOT_LETTER_OR_DIGIT, ""),
  ];
  return RESERVED.some((word) =>
    word.length === letters.length &&
    letters.every((c, i) => readings(c).includes(word[i]!))
  );
}

/** The refusal for a name another member holds; only the server knows. */
export function nameTaken(name: string): NameRefusal {
  return refuse("taken", `Name "${name}" is taken`);
}

function refuse(problem: NameProblem, message: string): NameRefusal {
  return { ok: false, problem, message };
}

/** NFKC, without variation selectors and joiners, case-folded. */
function fold(name: string): string {
  return beforeNfkc(name).normalize("NFKC").replace(KEY_IGNORED, "")
    .toUpperCase().toLowerCase().normalize("NFKC");
}

function codePoints(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}
