/**
 * How a browser proves it knows a room's passphrase without sending it:
 * the page derives the room key as every member does (`deriveKey` in
 * `seal.ts`: PBKDF2-SHA-256 over the passphrase and the room's salt, to an
 * AES-256-GCM key; `web/room_key.js` is the page's copy of that rule) and
 * seals the server's fresh challenge with it. The server opens the seal
 * with the room key; a seal that opens to its challenge is the proof.
 * The proof is a 12-byte random IV followed by the AES-GCM ciphertext and
 * tag of the 16-byte challenge, with PROOF_CONTEXT as additional data, in
 * base64.
 * @module
 */

/** Additional data of every proof, so no other sealed message passes for one. */
export const PROOF_CONTEXT = "udpchat web proof v1";

/** True when `proof` (base64) seals `challenge` under `key`. */
export async function verifyProof(
  key: CryptoKey,
  challenge: Uint8Array,
  proof: string,
): Promise<boolean> {
  let bytes: Uint8Array;
  try {
    bytes = Uint8Array.from(atob(proof), (c) => c.charCodeAt(0));
  } catch {
    return false;
  }
  if (bytes.byteLength !== 12 + challenge.byteLength + 16) return false;
  try {
    const opened = new Uint8Array(
      await crypto.subtle.decrypt(
        {
          name: "AES-GCM",
          iv: bytes.slice(0, 12),
          additionalData: new TextEncoder().encode(PROOF_CONTEXT),
        },
        key,
        bytes.slice(12),
      ),
    );
    return opened.byteLength === challenge.byteLength &&
      opened.every((b, i) => b === challenge[i]);
  } catch {
    return false;
  }
}
