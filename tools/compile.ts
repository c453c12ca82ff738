/**
 * `deno task compile [--output FILE]`: build the single file dist/udpchat.
 * With Deno's `denort` runtime (downloaded, in Deno's cache, or
 * DENORT_BIN=/path/to/denort) it is `deno compile`'s binary; without it,
 * the self-extracting file of single_file.ts. Either way the task then runs
 * `FILE --version` and fails, removing the file, unless it prints udpchat's
 * version. Deno's progress output is kept quiet.
 * @module
 */

import { parse, UsageError, VERSION } from "../cli/args.ts";
import { buildSingleFile } from "./single_file.ts";
import { PAGES } from "../server/web_pages.ts";
import config from "../deno.json" with { type: "json" };

/**
 * Worker entry files to embed. `new Worker(new URL(...))` is not followed
 * by compile's module graph, so each one must be named with --include.
 */
export const WORKER_FILES: readonly string[] = [
  "server/net_worker.ts",
  "server/discovery_worker.ts",
  "client/net_worker.ts",
];

/**
 * Files the program reads that are no module: the browser pages
 * (`serve --web`). Each is named with --include, and packed.
 */
export const ASSET_FILES: readonly string[] = PAGES.map((page) =>
  `web/${page.file}`
);

/** Where the binary goes, relative to the repository root. */
export const OUTPUT = "dist/udpchat";

/** The one line printed when denort cannot be downloaded on Windows (no sh there). */
export const OFFLINE_MESSAGE =
  `compile: cannot build ${OUTPUT}: the denort runtime could not be downloaded (offline?); set DENORT_BIN=/path/to/denort to use a local copy`;

/** What the task says before building the self-extracting file instead. */
const NO_DENORT =
  "the denort runtime could not be downloaded (offline?; DENORT_BIN=/path/to/denort uses a local copy); building a self-extracting single file instead";

/**
 * The flags the program runs with, built either way: the serve task's
 * permissions (read from deno.json, so the two cannot drift) and the
 * unstable UDP API.
 */
export const RUN_FLAGS: readonly string[] = [
  "--unstable-net",
  ...serveTaskPermissions(config.tasks.serve),
];

/** The `--allow-*` flags the serve task gives main.ts. */
function serveTaskPermissions(task: string): string[] {
  const words = task.split(/\s+/);
  const main = words.indexOf("main.ts");
  const flags = words.slice(words.lastIndexOf("run", main) + 1, main);
  if (main < 0 || flags.length === 0) {
    throw new Error(`deno.json's serve task runs no main.ts: ${task}`);
  }
  return flags;
}

/** The `deno` arguments that build the binary at `output`. */
export function compileArgs(output = OUTPUT): string[] {
  return [
    "compile",
    ...RUN_FLAGS,
    ...[...WORKER_FILES, ...ASSET_FILES].flatMap((file) => ["--include", file]),
    "--output",
    output,
    "main.ts",
  ];
}

/**
 * Whether `deno compile` failed because it could not fetch denort, judged
 * from its stderr: "Setting up base binary" failing on a request for a
 * denort archive (DNS, connect, TLS, timeout or HTTP error).
 */
export function isDenortDownloadFailure(stderr: string): boolean {
  const text = stripAnsi(stderr);
  return /error sending request for url \(\S*denort/.test(text) ||
    (/Setting up base binary/.test(text) &&
      /download|dns error|connect|timed out|certificate/i.test(text));
}

function stripAnsi(s: string): string {
  // deno-lint-ignore no-control-regex -- matching SGR colour codes on purpose
  return s.replace(/\x1b\[[0-9;]*m/g, "");
}

/** Runs `deno compile`: "built", "no denort", or the failure's text. */
async function denoCompile(root: URL, output: string): Promise<string> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: compileArgs(output),
    cwd: root,
    env: Deno.stderr.isTerminal() ? {} : { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (code === 0) return "built";
  const errors = new TextDecoder().decode(stderr);
  if (isDenortDownloadFailure(errors)) return "no denort";
  return errors.trimEnd() || new TextDecoder().decode(stdout);
}

/**
 * What `FILE --version` printed when it is not udpchat's version (a wrong
 * DENORT_BIN builds a Deno REPL that prints Deno's), or undefined. It runs
 * with a cache of its own, so the user's first run still unpacks.
 */
async function wrongVersion(file: string): Promise<string | undefined> {
  const cache = await Deno.makeTempDir({ prefix: "udpchat-check-" });
  try {
    const { stdout, stderr } = await new Deno.Command(file, {
      args: ["--version"],
      env: { XDG_CACHE_HOME: cache },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(120_000),
    }).output();
    const printed = new TextDecoder().decode(stdout).trim();
    if (printed === VERSION) return undefined;
    return printed.split("\n")[0] ||
      new TextDecoder().decode(stderr).trim().split("\n")[0] || "nothing";
  } catch (error) {
    return `an error: ${(error as Error).message}`;
  } finally {
    await Deno.remove(cache, { recursive: true });
  }
}

/**
 * Builds `target` with deno compile, or without denort the self-extracting
 * kind: which kind it built, or why it could not.
 */
async function build(
  root: URL,
  target: string,
): Promise<{ kind: string } | { error: string }> {
  // deno compile will not overwrite a file it did not write, such as the
  // self-extracting kind from an earlier build.
  await Deno.remove(target).catch(() => {});
  const compiled = await denoCompile(root, target);
  if (compiled === "built") return { kind: "deno compile" };
  if (compiled !== "no denort") return { error: compiled };
  if (Deno.build.os === "windows") return { error: OFFLINE_MESSAGE };
  console.log(`compile: ${NO_DENORT}`);
  await buildSingleFile(
    root.pathname,
    target,
    WORKER_FILES,
    RUN_FLAGS,
    ASSET_FILES,
  );
  return { kind: "self-extracting: sh + tar.gz of Deno and the sources" };
}

/** Builds the binary and checks it runs; returns the process exit code. */
async function main(args: string[]): Promise<number> {
  const root = new URL("..", import.meta.url);
  const { values } = parse(args, { output: { type: "string" } }, "compile");
  const output = typeof values.output === "string" ? values.output : OUTPUT;
  await Deno.mkdir(new URL(".", new URL(output, root)), { recursive: true });
  const result = await build(root, new URL(output, root).pathname);
  if ("error" in result) {
    console.error(result.error);
    return 1;
  }
  const built = Deno.build.os === "windows" ? `${output}.exe` : output;
  const file = new URL(built, root).pathname;
  const wrong = await wrongVersion(file);
  if (wrong !== undefined) {
    await Deno.remove(file);
    console.error(
      `compile: ${built} is not udpchat: \`${built} --version\` printed "${wrong}", not "${VERSION}" (is DENORT_BIN a denort ${Deno.version.deno}?); removed it`,
    );
    return 1;
  }
  const { size } = await Deno.stat(file);
  const mib = (size / 2 ** 20).toFixed(1);
  console.log(`compile: built ${built} (${result.kind}, ${mib} MiB)`);
  return 0;
}

if (import.meta.main) {
  try {
    Deno.exitCode = await main(Deno.args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`compile: ${error.message}`);
    Deno.exitCode = 2;
  }
}
