/**
 * mulberry32, the seeded PRNG every test with chance in it uses: tiny, fast,
 * and the same sequence for the same seed on every run.
 * @module
 */

/** Unsigned 32-bit integers from `seed`. */
export function randomU32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** Numbers in [0, 1) from `seed`. */
export function prng(seed: number): () => number {
  const next = randomU32(seed);
  return () => next() / 4294967296;
}

/** A seeded stand-in for `crypto.getRandomValues`: fills `into` from `seed`'s sequence. */
export function randomFill(seed: number): (into: Uint8Array) => void {
  const next = randomU32(seed);
  return (into) => {
    for (let i = 0; i < into.length; i++) into[i] = next() & 0xff;
  };
}
