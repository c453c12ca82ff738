/**
 * What may travel in the clear in a room with a passphrase, in one place:
 * the member's first JOIN (it asks for the salt, its cookie still all
 * zero), the server's COOKIE (it carries the salt) and REFUSE, and the
 * classic clients' text (which such a room only refuses). Everything else
 * is sealed; the guards seal by `inTheClear`, the cores accept by
 * `acceptedInTheClear`.
 * @module
 */

import { COOKIE_BYTES } from "./limits.ts";
import { isNative, type Packet, PacketType } from "./packet.ts";

/** Where a datagram a core gets came from, as the passphrase guard saw it. */
export type Origin = "plain" | "sealed" | "forged";

/** Which end of a session sends or receives. */
export type Side = "server" | "member";

/** True when `bytes`, sent by `sender`, go unsealed in a passphrase room. */
export function inTheClear(bytes: Uint8Array, sender: Side): boolean {
  if (!isNative(bytes)) return sender === "server";
  const type = bytes[3];
  if (sender === "server") {
    return type === PacketType.cookie || type === PacketType.refuse;
  }
  return type === PacketType.join &&
    bytes.subarray(4, 4 + COOKIE_BYTES).every((b) => b === 0);
}

/** True when `receiver` may act on `type` arriving unsealed in a passphrase room. */
export function acceptedInTheClear(
  type: Packet["type"],
  receiver: Side,
): boolean {
  return receiver === "server"
    ? type === "join"
    : type === "cookie" || type === "refuse";
}
