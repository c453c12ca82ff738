/**
 * Making remote strings safe for a terminal, and measuring them in columns.
 *
 * Everything that a terminal would act on, or that would be invisible, is
 * neutralised to the placeholder U+FFFD "�", so tampering stays visible:
 * - a whole escape sequence (7-bit `ESC …` or 8-bit C1: CSI, OSC, DCS, SOS,
 *   PM, APC with their payload up to BEL or ST) becomes one "�";
 * - every other C0 or C1 control character and DEL becomes "�";
 * - bidi controls, zero-width and other format characters (Cf) become "�",
 *   except the joiners U+200C and U+200D that emoji and scripts need;
 * - a lone surrogate becomes "�".
 * A line break of any kind (LF, CR, CRLF, VT, FF, NEL, U+2028, U+2029)
 * becomes "⏎", so a remote line can never forge a new line; a tab becomes
 * a space. All printable text, including combining marks, is kept.
 * @module
 */

/** What a neutralised character or escape sequence is shown as. */
export const PLACEHOLDER = "\uFFFD";

/** What a remote line break is shown as. */
export const LINE_BREAK = "\u23CE";

const ESC = 0x1b;
const BEL = 0x07;
const CR = 0x0d;
const LF = 0x0a;
const ST = 0x9c;
const CSI = 0x9b;
/** DCS, SOS, OSC, PM and APC: introducers of a string ended by BEL or ST. */
const STRING_C1 = new Set([0x90, 0x98, 0x9d, 0x9e, 0x9f]);

/** Anything the slow path must look at. */
const UNSAFE = /[\p{Cc}\p{Cf}\p{Cs}\u2028\u2029]/u;
const BREAKS = /[\n\v\f\r\u0085\u2028\u2029]/;
const HIDDEN = /(?![\u200C\u200D])[\p{Cc}\p{Cf}\p{Cs}]/u;

/** Make a remote string safe to print on a terminal (see the module doc). */
export function sanitize(remote: string): string {
  if (!UNSAFE.test(remote)) return remote;
  let out = "";
  let i = 0;
  while (i < remote.length) {
    const cp = remote.codePointAt(i) ?? 0;
    if (cp === ESC || (cp >= 0x80 && cp <= 0x9f && cp !== 0x85)) {
      out += PLACEHOLDER;
      i = sequenceEnd(remote, i);
    } else if (cp === CR && remote.charCodeAt(i + 1) === LF) {
      out += LINE_BREAK;
      i += 2;
    } else {
      const ch = String.fromCodePoint(cp);
      out += neutralise(ch);
      i += ch.length;
    }
  }
  return out;
}

function neutralise(ch: string): string {
  if (ch === "\t") return " ";
  if (BREAKS.test(ch)) return LINE_BREAK;
  if (HIDDEN.test(ch)) return PLACEHOLDER;
  return ch;
}

/** The index after the ESC or C1 sequence starting at `i`. */
function sequenceEnd(s: string, i: number): number {
  const first = s.charCodeAt(i);
  if (first === CSI) return csiEnd(s, i + 1);
  if (STRING_C1.has(first)) return controlStringEnd(s, i + 1);
  if (first !== ESC) return i + 1;
  const next = s.charCodeAt(i + 1);
  if (next === 0x5b) return csiEnd(s, i + 2); // ESC [
  // ESC P, ESC X, ESC ], ESC ^, ESC _: the 7-bit forms of STRING_C1.
  if (STRING_C1.has(next + 0x40)) return controlStringEnd(s, i + 2);
  // Other escapes: intermediates 0x20-0x2F, then one final 0x30-0x7E.
  let j = i + 1;
  while (inRange(s.charCodeAt(j), 0x20, 0x2f)) j++;
  return inRange(s.charCodeAt(j), 0x30, 0x7e) ? j + 1 : j;
}

/** Parameters 0x30-0x3F, intermediates 0x20-0x2F, a final byte 0x40-0x7E. */
function csiEnd(s: string, j: number): number {
  while (inRange(s.charCodeAt(j), 0x30, 0x3f)) j++;
  while (inRange(s.charCodeAt(j), 0x20, 0x2f)) j++;
  return inRange(s.charCodeAt(j), 0x40, 0x7e) ? j + 1 : j;
}

/** Up to and including BEL, ESC \ or ST; an unended string runs to the end. */
function controlStringEnd(s: string, j: number): number {
  for (; j < s.length; j++) {
    const unit = s.charCodeAt(j);
    if (unit === BEL || unit === ST) return j + 1;
    if (unit === ESC && s.charCodeAt(j + 1) === 0x5c) return j + 2;
  }
  return j;
}

function inRange(unit: number, low: number, high: number): boolean {
  return unit >= low && unit <= high;
}

const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/** Printable ASCII only: the common case, one column per character. */
const PLAIN = /^[\x20-\x7e]*$/;
/** Emoji shown as a picture, or anything forced to one by U+FE0F. */
const EMOJI = /\p{Emoji_Presentation}|\p{Emoji}\uFE0F/u;
/** Zero columns: marks, format, controls, Hangul medial and final jamo. */
const ZERO = /^[\p{Mn}\p{Me}\p{Cf}\p{Cc}\u1160-\u11FF\uD7B0-\uD7FF]/u;

/**
 * East Asian Wide and Fullwidth ranges other than emoji (which EMOJI
 * covers), from Unicode's EastAsianWidth.txt, with unassigned gaps inside
 * CJK blocks counted wide as the standard says.
 */
const WIDE: readonly (readonly [number, number])[] = [
  [0x1100, 0x115f],
  [0x2329, 0x232a],
  [0x2e80, 0x303e],
  [0x3041, 0x3247],
  [0x3250, 0x4dbf],
  [0x4e00, 0xa4cf],
  [0xa960, 0xa97f],
  [0xac00, 0xd7a3],
  [0xf900, 0xfaff],
  [0xfe10, 0xfe19],
  [0xfe30, 0xfe6f],
  [0xff00, 0xff60],
  [0xffe0, 0xffe6],
  [0x16fe0, 0x1b2ff],
  [0x1f200, 0x1f265],
  [0x20000, 0x3fffd],
];

/**
 * Display width in terminal columns, per grapheme cluster: East Asian Wide
 * and Fullwidth characters and emoji (including ZWJ sequences, flags and
 * skin tones) count 2, a cluster of only combining marks or format
 * characters 0, anything else 1. Meant for sanitized text.
 */
export function displayWidth(s: string): number {
  if (PLAIN.test(s)) return s.length;
  let width = 0;
  for (const { segment } of segmenter.segment(s)) {
    width += clusterWidth(segment);
  }
  return width;
}

function clusterWidth(cluster: string): number {
  if (EMOJI.test(cluster)) return 2;
  if (ZERO.test(cluster)) return 0;
  return isWide(cluster.codePointAt(0) ?? 0) ? 2 : 1;
}

function isWide(cp: number): boolean {
  if (cp < 0x1100) return false;
  return WIDE.some(([low, high]) => cp >= low && cp <= high);
}
