/**
 * `deno task compile`: build the single-file binary dist/udpchat with
 * `deno compile`. Deno's progress output is kept quiet; a failure to
 * download the denort runtime (the usual offline failure) becomes one line.
 * The environment passes through, so DENORT_BIN=/path/to/denort works.
 * @module
 */

/**
 * Worker entry files to embed. `new Worker(new URL(...))` is not followed
 * by compile's module graph, so each one must be named with --include.
 */
export const WORKER_FILES: readonly string[] = [
  "server/net_worker.ts",
  "client/net_worker.ts",
];

/** Where the binary goes, relative to the repository root. */
export const OUTPUT = "dist/udpchat";

/** The one line printed when denort cannot be downloaded. */
export const OFFLINE_MESSAGE =
  `compile: cannot build ${OUTPUT}: the denort runtime could not be downloaded (offline?); set DENORT_BIN=/path/to/denort to use a local copy`;

/** The `deno` arguments that build the binary. */
export function compileArgs(): string[] {
  return [
    "compile",
    "--unstable-net",
    "--allow-net",
    "--allow-read",
    "--allow-write",
    "--allow-env",
    "--allow-sys=uid,networkInterfaces",
    ...WORKER_FILES.flatMap((file) => ["--include", file]),
    "--output",
    OUTPUT,
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

/** Builds the binary; returns the process exit code. */
async function main(): Promise<number> {
  const root = new URL("..", import.meta.url);
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: compileArgs(),
    cwd: root,
    env: Deno.stderr.isTerminal() ? {} : { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const errors = new TextDecoder().decode(stderr);
  if (code !== 0) {
    if (isDenortDownloadFailure(errors)) {
      console.error(OFFLINE_MESSAGE);
    } else {
      console.error(errors.trimEnd() || new TextDecoder().decode(stdout));
    }
    return 1;
  }
  const built = Deno.build.os === "windows" ? `${OUTPUT}.exe` : OUTPUT;
  const { size } = await Deno.stat(new URL(built, root));
  console.log(`compile: built ${built} (${(size / 2 ** 20).toFixed(1)} MiB)`);
  return 0;
}

if (import.meta.main) Deno.exitCode = await main();
