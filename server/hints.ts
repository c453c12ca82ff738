/**
 * What `serve` says under its first line: how members join (with the
 * addresses this machine really has) and where help is. Pure: the
 * interfaces come in.
 * @module
 */

import { formatAddress } from "../protocol/address.ts";
import type { Nic } from "../protocol/discovery.ts";

/** What the hints need of an interface address. */
export type InterfaceAddress = Pick<Nic, "family" | "address">;

/**
 * The addresses members can join at: for a server bound to every IPv4
 * interface (0.0.0.0) or every interface (::), this machine's IPv4
 * addresses other than loopback, then 127.0.0.1; otherwise the one it is
 * bound to.
 */
export function joinAddresses(
  hostname: string,
  interfaces: readonly InterfaceAddress[],
): string[] {
  if (hostname === "localhost") return ["127.0.0.1"];
  if (hostname !== "0.0.0.0" && hostname !== "::") return [hostname];
  const outside = interfaces.flatMap((i) =>
    i.family === "IPv4" && !i.address.startsWith("127.") ? [i.address] : []
  );
  return [...new Set(outside), "127.0.0.1"];
}

/** The lines after "udpchat listening on HOST:PORT". */
export function serveHints(
  hostname: string,
  port: number,
  interfaces: readonly InterfaceAddress[],
): string[] {
  const commands = joinAddresses(hostname, interfaces).map((address) =>
    `  udpchat join NAME --server ${formatAddress({ hostname: address, port })}`
  );
  return [
    "Members join with:",
    ...commands,
    "Type a line to send it to every member as [admin]; /help lists the console commands, udpchat serve --help the options",
  ];
}
