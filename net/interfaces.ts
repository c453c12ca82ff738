/**
 * This machine's interface addresses, for the shells that need them
 * (`serve`'s hints and discovery answers, `find`'s probes).
 * @module
 */

import type { Nic } from "../protocol/discovery.ts";

/**
 * The interface addresses; none when not allowed to look
 * (`--allow-sys=networkInterfaces`). Asked without prompting, so a server
 * on a terminal never stops at a permission question.
 */
export function interfaces(): Nic[] {
  return granted({ name: "sys", kind: "networkInterfaces" })
    ? Deno.networkInterfaces()
    : [];
}

/** True when `permission` is granted already (never prompts). */
export function granted(permission: Deno.PermissionDescriptor): boolean {
  try {
    return Deno.permissions.querySync(permission).state === "granted";
  } catch {
    return false;
  }
}

/**
 * Where others can reach a socket bound to `hostname`: itself, or for a
 * wildcard bind (0.0.0.0, ::) this machine's first IPv4 address that is
 * not loopback (127.0.0.1 when there is none, or it may not look).
 */
export function reachableHost(hostname: string): string {
  if (hostname !== "0.0.0.0" && hostname !== "::") return hostname;
  const nic = interfaces().find((n) =>
    n.family === "IPv4" && !n.address.startsWith("127.")
  );
  return nic?.address ?? "127.0.0.1";
}
