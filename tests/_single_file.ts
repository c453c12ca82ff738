/**
 * Helpers for the tests of the single file (`deno task compile`): temporary
 * directories outside the repository, and the environment of a machine
 * that has never run udpchat.
 * @module
 */

import type { Launch } from "./_cli.ts";

/** How long building the single file may take on a busy machine. */
export const BUILD_MS = 180_000;

/** How long a first run (which unpacks ~95 MB) may take to get going. */
export const FIRST_RUN_MS = 60_000;

/** The single file's first line: a POSIX sh header (the self-extracting kind). */
export const SH_HEADER = "#!/bin/sh";

/** A temporary directory, removed with everything in it by `await using`. */
export async function tempDir(
  prefix: string,
): Promise<{ path: string } & AsyncDisposable> {
  const path = await Deno.makeTempDir({ prefix });
  return {
    path,
    async [Symbol.asyncDispose]() {
      await Deno.remove(path, { recursive: true });
    },
  };
}

/**
 * `./udpchat` in `dir`, as a new user would run it: HOME is `home` and no
 * XDG_CACHE_HOME (empty counts as unset for the sh header and for Deno).
 */
export function newUser(dir: string, home: string): Launch {
  return {
    command: "./udpchat",
    cwd: dir,
    env: { HOME: home, XDG_CACHE_HOME: "" },
  };
}

/** Whether `file` is the self-extracting kind (else `deno compile`'s). */
export async function isSelfExtracting(file: string): Promise<boolean> {
  const f = await Deno.open(file);
  try {
    const start = new Uint8Array(SH_HEADER.length);
    await f.read(start);
    return new TextDecoder().decode(start) === SH_HEADER;
  } finally {
    f.close();
  }
}
