/**
 * The shell of finding rooms: sends a probe to each target of
 * `probeTargets` from one socket, and of `probeTargetsV6` from an IPv6 one
 * when there is IPv6, three times over the first half of the wait, and
 * collects the answers until the wait is over.
 * Used by `udpchat find` and by `udpchat join` without --server.
 * @module
 */

import { Found, probeTargets, probeTargetsV6, type Room } from "./rooms.ts";
import { interfaces } from "../net/interfaces.ts";
import {
  encodeProbe,
  MAX_ANSWER_BYTES,
  type Nic,
  NONCE_BYTES,
} from "../protocol/discovery.ts";

/** How many times a probe goes out (answers are counted once per server). */
const ROUNDS = 3;

/** The rooms answering within `waitMs`, each server once. */
export async function discover(port: number, waitMs: number): Promise<Room[]> {
  const nics = interfaces();
  const v4 = Deno.listenDatagram({
    transport: "udp",
    hostname: "0.0.0.0",
    port: 0,
  });
  const v6 = listenV6(nics);
  const sockets = v6 === undefined ? [v4] : [v4, v6];
  const nonce = crypto.getRandomValues(new Uint8Array(NONCE_BYTES));
  const found = new Found(nonce);
  const timer = setTimeout(() => sockets.forEach(close), waitMs);
  const probe = encodeProbe(nonce);
  const round = async () => {
    await sendAll(v4, probe, probeTargets(nics), port);
    if (v6 !== undefined) {
      await sendAll(v6, probe, probeTargetsV6(nics), port);
    }
  };
  // The same probe again over the first half of the wait: one lost
  // datagram (or a link still coming up) must not hide a room.
  const again = Array.from(
    { length: ROUNDS - 1 },
    (_, i) =>
      setTimeout(() => void round(), (waitMs / 2 / (ROUNDS - 1)) * (i + 1)),
  );
  try {
    await round();
    await Promise.all(sockets.map((socket) => collect(socket, found)));
  } finally {
    clearTimeout(timer);
    again.forEach(clearTimeout);
    sockets.forEach(close);
  }
  return found.rooms;
}

/** A socket for IPv6 probes when there is a link to send them on (best effort). */
function listenV6(nics: Nic[]): Deno.DatagramConn | undefined {
  if (probeTargetsV6(nics).length === 0) return undefined;
  try {
    return Deno.listenDatagram({ transport: "udp", hostname: "::", port: 0 });
  } catch {
    return undefined; // No IPv6 here: IPv4 only.
  }
}

async function sendAll(
  socket: Deno.DatagramConn,
  probe: Uint8Array,
  targets: string[],
  port: number,
): Promise<void> {
  for (const hostname of targets) {
    try {
      await socket.send(probe, { transport: "udp", hostname, port });
    } catch {
      // No route to this one (no default route, no such network): the others may do.
    }
  }
}

/** Add what `socket` receives to `found` until the timer closes it. */
async function collect(socket: Deno.DatagramConn, found: Found): Promise<void> {
  // One byte more than an answer: a longer datagram is cut, then refused.
  const buffer = new Uint8Array(MAX_ANSWER_BYTES + 1);
  try {
    for (;;) {
      const [bytes] = await socket.receive(buffer);
      found.add(bytes);
    }
  } catch (error) {
    // The wait is over: the timer closed the socket under the receive.
    const closed = error instanceof Deno.errors.BadResource ||
      error instanceof Deno.errors.Interrupted;
    if (!closed) throw error;
  }
}

function close(socket: Deno.DatagramConn): void {
  try {
    socket.close();
  } catch {
    // Closed already.
  }
}
