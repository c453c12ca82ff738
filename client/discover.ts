/**
 * The shell of finding rooms: sends one probe to each target of
 * `probeTargets` from one socket and collects the answers until the wait is
 * over. Used by `udpchat find` and by `udpchat join` without --server.
 * @module
 */

import { Found, probeTargets, type Room } from "./rooms.ts";
import { interfaces } from "../net/interfaces.ts";
import {
  encodeProbe,
  MAX_ANSWER_BYTES,
  NONCE_BYTES,
} from "../protocol/discovery.ts";

/** The rooms answering within `waitMs`, each server once. */
export async function discover(port: number, waitMs: number): Promise<Room[]> {
  const socket = Deno.listenDatagram({
    transport: "udp",
    hostname: "0.0.0.0",
    port: 0,
  });
  const nonce = crypto.getRandomValues(new Uint8Array(NONCE_BYTES));
  const found = new Found(nonce);
  const timer = setTimeout(() => socket.close(), waitMs);
  try {
    const probe = encodeProbe(nonce);
    for (const hostname of probeTargets(interfaces())) {
      try {
        await socket.send(probe, { transport: "udp", hostname, port });
      } catch {
        // No route to this one (no default route, no such network): the others may do.
      }
    }
    // One byte more than an answer: a longer datagram is cut, then refused.
    const buffer = new Uint8Array(MAX_ANSWER_BYTES + 1);
    for (;;) {
      const [bytes] = await socket.receive(buffer);
      found.add(bytes);
    }
  } catch (error) {
    // The wait is over: the timer closed the socket under the receive.
    const closed = error instanceof Deno.errors.BadResource ||
      error instanceof Deno.errors.Interrupted;
    if (!closed) throw error;
  } finally {
    clearTimeout(timer);
    try {
      socket.close();
    } catch {
      // Closed by the timer.
    }
  }
  return found.rooms;
}
