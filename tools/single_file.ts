/**
 * The single file for machines without Deno's `denort` runtime: the POSIX
 * sh header in single_file.sh followed by a gzipped tar of the `deno`
 * binary that runs this build (the npm package's: Deno.execPath() is the
 * real binary even where node_modules/.bin/deno is npm's JS shim) and the
 * sources the program loads, no tests and no bench. See single_file.sh for what it does
 * when run.
 * @module
 */

import { createHash } from "node:crypto";
import { VERSION } from "../cli/args.ts";

/** What the built file holds, relative to the archive's root. */
export interface Entry {
  /** Path inside the archive (`deno`, `src/main.ts`, ...). */
  path: string;
  /** Where the bytes come from. */
  from: string;
}

/**
 * The sources the program loads: the module graphs of `main.ts` and of
 * each worker entry (workers are not in main.ts's graph), plus deno.json
 * (`unstable: net`), as paths relative to `root`.
 */
export async function programFiles(
  root: string,
  workers: readonly string[],
): Promise<string[]> {
  const files = new Set<string>(["deno.json"]);
  for (const entry of ["main.ts", ...workers]) {
    const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json", entry],
      cwd: root,
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (code !== 0) {
      throw new Error(
        `Cannot list the modules of ${entry}: ${
          new TextDecoder().decode(stderr)
        }`,
      );
    }
    const graph = JSON.parse(new TextDecoder().decode(stdout)) as {
      modules: { specifier: string; local?: string }[];
    };
    for (const module of graph.modules) {
      if (!module.specifier.startsWith("file:") || !module.local) continue;
      const path = relativeTo(root, module.local);
      const npm = /^node_modules\/(@[^/]+\/)?[^/]+/.exec(path)?.[0];
      if (npm !== undefined) {
        // An npm package (CommonJS: its graph is not followed): all of its
        // code, and package.json, which names it a dependency.
        for (const file of await packageFiles(root, npm)) files.add(file);
        files.add("package.json");
        continue;
      }
      if (/_test\.ts$|^(tests|bench)\//.test(path)) {
        throw new Error(`The program loads test or bench code: ${path}`);
      }
      files.add(path);
    }
  }
  return [...files].sort();
}

/** The code and manifests of the npm package in `dir` (no maps, no types, no docs). */
async function packageFiles(root: string, dir: string): Promise<string[]> {
  const files: string[] = [];
  const walk = async (at: string): Promise<void> => {
    for await (const entry of Deno.readDir(`${root}/${at}`)) {
      const path = `${at}/${entry.name}`;
      if (entry.isDirectory) await walk(path);
      else if (/\.(c|m)?js$|\.json$/.test(entry.name)) files.push(path);
    }
  };
  await walk(dir);
  return files;
}

function relativeTo(root: string, path: string): string {
  const prefix = root.endsWith("/") ? root : `${root}/`;
  if (!path.startsWith(prefix)) {
    throw new Error(`A module outside the repository: ${path}`);
  }
  return path.slice(prefix.length);
}

/**
 * The cache directory's name: the version and a hash of every entry's path
 * and bytes, so the same inputs give the same name and any change a new one.
 */
export async function contentId(entries: readonly Entry[]): Promise<string> {
  const hash = createHash("sha256");
  for (const entry of [...entries].sort((a, b) => cmp(a.path, b.path))) {
    hash.update(`${entry.path}\0`);
    hash.update(await Deno.readFile(entry.from));
    hash.update("\0");
  }
  return `${VERSION}-${hash.digest("hex").slice(0, 16)}`;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The sh header with its values filled in. The payload's offset is part of
 * the header, so it is computed until the header's length stops changing.
 */
export function header(
  template: string,
  values: { id: string; deno: string; permissions: readonly string[] },
): Uint8Array {
  const fill = (offset: number) =>
    template
      .replaceAll("@VERSION@", VERSION)
      .replaceAll("@DENO@", values.deno)
      .replaceAll("@ID@", values.id)
      .replaceAll("@PERMISSIONS@", values.permissions.join(" "))
      .replaceAll("@OFFSET@", String(offset));
  let offset = 1;
  for (;;) {
    const bytes = new TextEncoder().encode(fill(offset));
    // `tail -c +N` starts at byte N, counting from 1.
    if (bytes.length + 1 === offset) return bytes;
    offset = bytes.length + 1;
  }
}

/**
 * Write the single file to `output` (atomically, mode 0755): the header,
 * then the gzipped tar of the program's modules and `assets` (files it
 * reads, relative to `root`) staged in a temporary directory.
 */
export async function buildSingleFile(
  root: string,
  output: string,
  workers: readonly string[],
  permissions: readonly string[],
  assets: readonly string[] = [],
): Promise<void> {
  const entries: Entry[] = [
    { path: "deno", from: Deno.execPath() },
    ...[...(await programFiles(root, workers)), ...assets].map((path) => ({
      path: `src/${path}`,
      from: `${root}/${path}`,
    })),
  ];
  const template = await Deno.readTextFile(
    new URL("single_file.sh", import.meta.url),
  );
  const head = header(template, {
    id: await contentId(entries),
    deno: Deno.version.deno,
    permissions,
  });
  const stage = await Deno.makeTempDir({ prefix: "udpchat-stage-" });
  const partial = `${output}.partial`;
  try {
    for (const entry of entries) {
      const to = `${stage}/${entry.path}`;
      await Deno.mkdir(to.slice(0, to.lastIndexOf("/")), { recursive: true });
      // A hard link spares copying Deno's 90 MB where the file system allows.
      await Deno.link(entry.from, to).catch(() =>
        Deno.copyFile(entry.from, to)
      );
    }
    await Deno.writeFile(partial, head, { mode: 0o755 });
    await appendArchive(stage, partial);
    await Deno.chmod(partial, 0o755);
    await Deno.rename(partial, output);
  } finally {
    await Deno.remove(stage, { recursive: true });
    await Deno.remove(partial).catch(() => {});
  }
}

async function appendArchive(stage: string, file: string): Promise<void> {
  const tar = new Deno.Command("tar", {
    args: ["-cf", "-", "-C", stage, "deno", "src"],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const out = await Deno.open(file, { append: true });
  await tar.stdout.pipeThrough(new CompressionStream("gzip")).pipeTo(
    out.writable,
  );
  const { code } = await tar.status;
  if (code !== 0) throw new Error(`tar exited with ${code}`);
}
