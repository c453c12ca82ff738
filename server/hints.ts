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

/** How the hints name the join command, and whether the room is announced. */
export interface HintOptions {
  /** Started from source by `deno task serve` (no `udpchat` command there). */
  fromSource?: boolean;
  /** The room answers discovery: `join NAME` alone finds it on the LAN. */
  announced?: boolean;
}

/** Set by the tasks' launcher (`cli/launch.ts`) for the program it runs. */
export const LAUNCHED_ENV = "UDPCHAT_LAUNCHED";

/** The lines after "udpchat listening on HOST:PORT". */
export function serveHints(
  hostname: string,
  port: number,
  interfaces: readonly InterfaceAddress[],
  options: HintOptions = {},
): string[] {
  const join = options.fromSource
    ? "npx deno task join NAME"
    : "udpchat join NAME";
  const commands = joinAddresses(hostname, interfaces).map((address) =>
    `  ${join} --server ${formatAddress({ hostname: address, port })}`
  );
  const serve = options.fromSource
    ? "npx deno task serve --help"
    : "udpchat serve --help";
  return [
    ...(options.announced
      ? [
        "Members join with:",
        `  ${join}    (finds this room on the local network)`,
        "or, from other networks:",
      ]
      : ["Members join with:"]),
    ...commands,
    `Type a line to send it to every member as [admin]; /help lists the console commands, ${serve} the options`,
  ];
}
