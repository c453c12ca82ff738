/**
 * Worker entry of the server's discovery: owns the socket on the discovery
 * port and answers probes (`discovery.ts` decides which and with what), so a
 * flood of probes costs this thread, never the chat's. It never sends
 * anything but an answer to a probe. The main thread terminates it with
 * the server.
 * @module
 */

/// <reference lib="deno.worker" />

import { Responder } from "./discovery.ts";
import { messageOf } from "./log.ts";
import { interfaces } from "../net/interfaces.ts";
import type { FromDiscoveryWorker, ToDiscoveryWorker } from "./messages.ts";
import {
  DISCOVERY_GROUP_V4,
  DISCOVERY_GROUP_V6,
  isLinkLocalV6,
  type Nic,
  PROBE_BYTES,
} from "../protocol/discovery.ts";

/** How long the interface list is trusted before it is read again (ms). */
const NICS_MS = 5000;

function log(level: FromDiscoveryWorker["level"], text: string): void {
  self.postMessage({ type: "log", level, text } satisfies FromDiscoveryWorker);
}

async function start(message: ToDiscoveryWorker): Promise<void> {
  let socket: Deno.DatagramConn;
  try {
    // Shared, so several servers on one machine each get every broadcast
    // and multicast probe.
    socket = Deno.listenDatagram({
      transport: "udp",
      hostname: "0.0.0.0",
      port: message.port,
      reuseAddress: true,
    });
  } catch (error) {
    return log(
      "warn",
      `Not answering discovery probes on UDP port ${message.port} (${
        messageOf(error)
      }): udpchat find will not list this room; members join with --server`,
    );
  }
  const nics = { list: interfaces(), readAt: Date.now() };
  await joinGroup(socket, nics.list);
  const links = await listenLinks(message.port, nics.list);
  log(
    "info",
    `Answering udpchat find on UDP port ${message.port} as the room "${message.info.room}"`,
  );
  const responder = new Responder(message.info, Date.now());
  const answering = { message, nics, responder };
  await Promise.all([
    answer(answering, socket),
    ...links.map(([link, conn]) => answer(answering, conn, link)),
  ]);
}

interface Answering {
  message: ToDiscoveryWorker;
  nics: { list: Nic[]; readAt: number };
  responder: Responder;
}

/**
 * Answer the probes `socket` receives until it closes; `link` names the
 * interface an IPv6 socket is bound to.
 */
async function answer(
  { message, nics, responder }: Answering,
  socket: Deno.DatagramConn,
  link?: string,
): Promise<void> {
  const members = new Int32Array(message.members);
  // A longer datagram is cut to one byte more than a probe: still not a probe.
  const buffer = new Uint8Array(PROBE_BYTES + 1);
  for (;;) {
    let bytes: Uint8Array;
    let from: Deno.NetAddr;
    try {
      const [data, remote] = await socket.receive(buffer);
      bytes = data;
      from = remote as Deno.NetAddr;
    } catch (error) {
      if (
        error instanceof Deno.errors.BadResource ||
        error instanceof Deno.errors.Interrupted
      ) return; // Closed.
      continue; // One bad receive must not end discovery.
    }
    const now = Date.now();
    if (now - nics.readAt > NICS_MS) {
      [nics.list, nics.readAt] = [interfaces(), now];
    }
    const answer = responder.respond(
      bytes,
      from.hostname,
      nics.list,
      Atomics.load(members, 0),
      now,
      link,
    );
    if (answer === undefined) continue;
    try {
      // A socket bound to one interface's group sends a link-local
      // address's answer out of that interface, with no scope id needed.
      await socket.send(answer, from);
    } catch {
      // The prober's problem (gone, unreachable): nothing to do.
    }
  }
}

/**
 * One socket per interface with an IPv6 link-local address, bound to the
 * IPv6 group on that interface (so the kernel ties it to the interface and
 * every probe on it is known to come from that link), and joined to it.
 * Best effort: without IPv6, one log line and IPv4 only.
 */
async function listenLinks(
  port: number,
  nics: Nic[],
): Promise<[string, Deno.DatagramConn][]> {
  const links: [string, Deno.DatagramConn][] = [];
  const failed: string[] = [];
  for (const nic of nics) {
    const { name = "", scopeid } = nic;
    if (nic.family !== "IPv6" || !isLinkLocalV6(nic.address) || !scopeid) {
      continue;
    }
    if (links.some(([link]) => link === name)) continue;
    let conn: Deno.DatagramConn | undefined;
    try {
      conn = Deno.listenDatagram({
        transport: "udp",
        hostname: `${DISCOVERY_GROUP_V6}%${scopeid}`,
        port,
        reuseAddress: true,
      });
      await conn.joinMulticastV6(DISCOVERY_GROUP_V6, scopeid);
      links.push([name, conn]);
    } catch (error) {
      conn?.close();
      failed.push(`${name} (${messageOf(error)})`);
    }
  }
  if (failed.length > 0) {
    log("info", `Discovery: not answering IPv6 probes on ${failed.join(", ")}`);
  }
  return links;
}

/** Join the multicast group on every IPv4 interface but loopback (best effort). */
async function joinGroup(conn: Deno.DatagramConn, nics: Nic[]) {
  for (const nic of nics) {
    if (nic.family !== "IPv4" || nic.address.startsWith("127.")) continue;
    try {
      await conn.joinMulticastV4(DISCOVERY_GROUP_V4, nic.address);
    } catch (error) {
      log(
        "debug",
        `Discovery: cannot join ${DISCOVERY_GROUP_V4} on ${nic.address}: ${
          messageOf(error)
        }`,
      );
    }
  }
}

// The main thread starts it once and terminates it with the server.
self.onmessage = (event: MessageEvent<ToDiscoveryWorker>) =>
  void start(event.data);
