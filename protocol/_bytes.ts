/**
 * Byte helpers for the protocol tests: hex dumps in, hex dumps out.
 * @module
 */

/** Bytes from a hex dump such as "55 43 01". */
export function hex(dump: string): Uint8Array<ArrayBuffer> {
  const digits = dump.replace(/\s+/g, "");
  const out = new Uint8Array(digits.length / 2);
  for (let i = 0; i < out.length; i++) {
    out[i] = parseInt(digits.slice(2 * i, 2 * i + 2), 16);
  }
  return out;
}

/** A hex dump for readable assertion diffs. */
export function dump(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join(" ");
}

/** A hex dump written any way, in the form `dump` gives. */
export function norm(text: string): string {
  return dump(hex(text));
}

/** The parts, one after another. */
export function concat(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
}
