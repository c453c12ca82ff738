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
