/**
 * Sizes, counts and times that the wire format and both peers agree on.
 * PROTOCOL.md quotes these; change them here and there together.
 * @module
 */

/** Protocol version carried in every native datagram. */
export const PROTOCOL_VERSION = 2;

/** The two magic bytes that open every native datagram: "UC". */
export const MAGIC = 0x5543;

/** Largest datagram either peer sends; fits every common path MTU. */
export const MAX_DATAGRAM_BYTES = 1200;

/** A first join datagram is padded to at least this, so replies never amplify. */
export const MIN_JOIN_BYTES = 1200;

/** Largest datagram a receiver reads; anything longer is cut and dropped. */
export const RECEIVE_BUFFER_BYTES = 65_536;

/** Longest chat text in UTF-8 bytes; longer input is refused, never cut. */
export const MAX_TEXT_BYTES = 16_384;

/** Longest name in code points (after NFC normalisation). */
export const MAX_NAME_CHARS = 32;

/** Longest name in UTF-8 bytes (32 code points of at most 4 bytes). */
export const MAX_NAME_BYTES = 128;

/** Longest language tag a JOIN carries ("zh", "en-GB"), in bytes. */
export const MAX_LANG_BYTES = 16;

/** Longest encoded event; bounds every reassembly buffer. */
export const MAX_EVENT_BYTES = MAX_TEXT_BYTES + 1024;

/** Session token length in bytes (128 bits). */
export const TOKEN_BYTES = 16;

/** Join cookie length in bytes: 4 of time, 16 of MAC. */
export const COOKIE_BYTES = 20;

/**
 * Bytes of a JOIN's nonce: random per join attempt, echoed by every reply
 * to it, and bound into its cookie.
 */
export const NONCE_BYTES = 8;

/** How long a join cookie stays valid, in milliseconds. */
export const COOKIE_LIFETIME_MS = 30_000;
