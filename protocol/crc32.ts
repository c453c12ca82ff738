/**
 * CRC-32 (IEEE 802.3, as in zlib and Ethernet), guarding every native
 * datagram against corruption the UDP checksum missed or never had.
 * Slicing-by-8: eight table lookups per eight bytes, several times faster
 * than a byte at a time (it runs on every datagram sent and received).
 * @module
 */

const TABLES = (() => {
  const tables = Array.from({ length: 8 }, () => new Uint32Array(256));
  const t0 = tables[0]!;
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t0[n] = c >>> 0;
  }
  for (let k = 1; k < 8; k++) {
    const previous = tables[k - 1]!;
    const table = tables[k]!;
    for (let n = 0; n < 256; n++) {
      table[n] = (previous[n]! >>> 8) ^ t0[previous[n]! & 0xff]!;
    }
  }
  return tables as [
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
  ];
})();

/** The CRC-32 of `bytes`. */
export function crc32(bytes: Uint8Array): number {
  const [t0, t1, t2, t3, t4, t5, t6, t7] = TABLES;
  let crc = 0xffffffff;
  let i = 0;
  const whole = bytes.byteLength & ~7;
  for (; i < whole; i += 8) {
    const lo = crc ^
      (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) |
        (bytes[i + 3]! << 24));
    const hi = bytes[i + 4]! | (bytes[i + 5]! << 8) | (bytes[i + 6]! << 16) |
      (bytes[i + 7]! << 24);
    crc = t7[lo & 0xff]! ^ t6[(lo >>> 8) & 0xff]! ^ t5[(lo >>> 16) & 0xff]! ^
      t4[lo >>> 24]! ^
      t3[hi & 0xff]! ^ t2[(hi >>> 8) & 0xff]! ^ t1[(hi >>> 16) & 0xff]! ^
      t0[hi >>> 24]!;
  }
  for (; i < bytes.byteLength; i++) {
    crc = t0[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}
