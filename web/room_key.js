// The page's copy of the room key rule (protocol/seal.ts `deriveKey`) and
// of the passphrase proof (protocol/web_proof.ts): the passphrase never
// leaves the browser. protocol/web_proof_test.ts checks that this file and
// the server agree.

/** PBKDF2 iterations: the same as KDF_ITERATIONS in protocol/seal.ts. */
const KDF_ITERATIONS = 200_000;
/** The same as PROOF_CONTEXT in protocol/web_proof.ts. */
const PROOF_CONTEXT = "udpchat web proof v1";

/**
 * The room key for `passphrase` and `salt` (bytes).
 * @param {string} passphrase
 * @param {Uint8Array} salt
 * @returns {Promise<CryptoKey>}
 */
export async function deriveRoomKey(passphrase, salt) {
  const material = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(passphrase),
    "PBKDF2",
    false,
    ["deriveKey"],
  );
  return await crypto.subtle.deriveKey(
    { name: "PBKDF2", hash: "SHA-256", salt, iterations: KDF_ITERATIONS },
    material,
    { name: "AES-GCM", length: 256 },
    false,
    ["encrypt", "decrypt"],
  );
}

/**
 * The proof (base64) that we hold `key`: `challenge` sealed under it.
 * @param {CryptoKey} key
 * @param {Uint8Array} challenge
 * @returns {Promise<string>}
 */
export async function proveKey(key, challenge) {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = new Uint8Array(
    await crypto.subtle.encrypt(
      {
        name: "AES-GCM",
        iv,
        additionalData: new TextEncoder().encode(PROOF_CONTEXT),
      },
      key,
      challenge,
    ),
  );
  const bytes = new Uint8Array(iv.length + sealed.length);
  bytes.set(iv);
  bytes.set(sealed, iv.length);
  return toBase64(bytes);
}

/**
 * @param {Uint8Array} bytes
 * @returns {string}
 */
export function toBase64(bytes) {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

/**
 * @param {string} text
 * @returns {Uint8Array}
 */
export function fromBase64(text) {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}
