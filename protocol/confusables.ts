/**
 * Look-alike letters, after Unicode TR39's confusable skeletons but much
 * smaller: the Cyrillic, Greek and Latin letters that pass for a Latin
 * letter, so that "viеwer" (Cyrillic е) and "viewer" get one name key and
 * "аdmin" (Cyrillic а) reads as "admin". Pure data and the functions that
 * apply it; `names.ts` decides what to do with the result.
 * @module
 */

/**
 * Letters that pass for a Latin letter, by script: each row is the Latin
 * letter, then the letters that look like it. Rows hold small letters only:
 * keys are case-folded first, so the capitals (А В Е К М Н О Р С Т Х, Α Β Ε
 * Ζ Η Ι Κ Μ Ν Ο Ρ Τ Υ Χ, …) follow their small letters. Fullwidth and other
 * compatibility forms need no row: NFKC already makes them Latin.
 *
 * Within a script no two letters share a row, so two names written wholly in
 * Cyrillic (or wholly in Greek) never collide through this table, with one
 * exception: Cyrillic н (capital Н, an H) and һ (an h) both read as h.
 *
 * Where a Greek capital and small letter pass for different Latin letters, a
 * single key can only hold one: η, μ and υ follow their capitals (Η H, Μ M,
 * Υ Y), ν its small letter (ν v; Ν N is caught for reserved names only, by
 * `OTHER_READINGS`).
 */
export const LOOK_ALIKES: Readonly<
  Record<string, Readonly<Record<string, string>>>
> = {
  Cyrillic: {
    a: "а",
    b: "в",
    c: "с",
    d: "ԁ",
    e: "е",
    h: "нһ",
    i: "і",
    j: "ј",
    k: "к",
    l: "ӏ",
    m: "м",
    o: "о",
    p: "р",
    q: "ԛ",
    s: "ѕ",
    t: "т",
    v: "ѵ",
    w: "ԝ",
    x: "х",
    y: "у",
  },
  Greek: {
    a: "α",
    b: "β",
    e: "ε",
    h: "η",
    i: "ι",
    j: "ϳ",
    k: "κ",
    m: "μ",
    o: "ο",
    p: "ρ",
    t: "τ",
    v: "ν",
    w: "ω",
    x: "χ",
    y: "υ",
    z: "ζ",
  },
  Latin: { a: "ɑ", g: "ɡ", i: "ɩ", j: "ȷ" },
};

/**
 * Look-alikes that NFKC would turn into something that no longer looks
 * alike (lunate sigma ϲ, a c, becomes σ), so they are mapped before it.
 */
export const BEFORE_NFKC: Readonly<Record<string, string>> = { c: "ϲϹ" };

/**
 * Further readings, used only to refuse reserved names: the other half of
 * the Greek pairs above (η n, μ u, ν N, υ u), letters too close to another
 * letter of their own script to share its key (Cyrillic ү and у, both y), and
 * digits and letters that pass for each other in many fonts (0 O, 1 l I).
 * Keys leave these apart: "bob1" and "bobl" are different members, and
 * folding them would merge many ordinary names; a reserved word is refused
 * in every reading.
 */
export const OTHER_READINGS: Readonly<Record<string, string>> = {
  i: "1lӏ",
  l: "1i",
  n: "ην",
  o: "0",
  u: "μυ",
  y: "γү",
};

const TO_LATIN = invert(...Object.values(LOOK_ALIKES));
const EARLY = invert(BEFORE_NFKC);
const ALSO = new Map<string, string>();
for (const [latin, letters] of Object.entries(OTHER_READINGS)) {
  for (const c of letters) ALSO.set(c, (ALSO.get(c) ?? "") + latin);
}

/** Map the look-alikes NFKC would spoil; run before NFKC. */
export function beforeNfkc(s: string): string {
  return s.replace(/[^\p{ASCII}]/gu, (c) => EARLY.get(c) ?? c);
}

/**
 * The skeleton of a case-folded string: every look-alike letter replaced by
 * the Latin letter it passes for, accents kept ("ё" becomes "ë"). NFC out;
 * idempotent, since no Latin letter is mapped.
 */
export function skeleton(folded: string): string {
  let out = "";
  for (const c of folded.normalize("NFD")) out += TO_LATIN.get(c) ?? c;
  return out.normalize("NFC");
}

/** Every letter a case-folded code point may be read as, itself first. */
export function readings(c: string): string {
  const latin = TO_LATIN.get(c);
  return c + (latin ?? "") + (ALSO.get(c) ?? "") +
    (latin === undefined ? "" : ALSO.get(latin) ?? "");
}

function invert(...tables: Array<Readonly<Record<string, string>>>) {
  const map = new Map<string, string>();
  for (const table of tables) {
    for (const [latin, letters] of Object.entries(table)) {
      for (const c of letters) map.set(c, latin);
    }
  }
  return map;
}
