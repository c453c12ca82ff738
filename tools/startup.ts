/**
 * `deno task startup [--runs N] [FILE]`: how fast the single file starts
 * (default dist/udpchat, built by `deno task compile`) against
 * `deno run main.ts` from source: `--version` to exit, and `serve --port 0`
 * to its `udpchat listening` line. A first run gets an empty cache of its
 * own (XDG_CACHE_HOME in a temporary directory), so it includes unpacking;
 * later runs reuse one warm cache. Prints the median of N runs of each.
 * @module
 */

import { parse } from "../cli/args.ts";
import { RUN_FLAGS } from "./compile.ts";

const ROOT = new URL("..", import.meta.url).pathname;

interface Case {
  label: string;
  command: string;
  args: string[];
  /** A fresh cache per run (the first run), or one shared warm cache. */
  cold: boolean;
}

/** Milliseconds from spawn to exit (`--version`) or to the listening line. */
async function once(c: Case, args: string[], cache: string): Promise<number> {
  const start = performance.now();
  const child = new Deno.Command(c.command, {
    args: [...c.args, ...args],
    cwd: ROOT,
    env: { XDG_CACHE_HOME: cache, NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  let ms = NaN;
  const text = child.stdout.pipeThrough(new TextDecoderStream());
  let seen = "";
  for await (const chunk of text) {
    seen += chunk;
    if (args[0] === "serve" && /udpchat listening on/.test(seen)) {
      ms = performance.now() - start;
      child.kill("SIGTERM");
    }
  }
  const status = await child.status;
  if (args[0] !== "serve") ms = performance.now() - start;
  if ((!status.success && args[0] !== "serve") || Number.isNaN(ms)) {
    throw new Error(`${c.label} ${args.join(" ")} failed: ${seen}`);
  }
  return ms;
}

/**
 * The median of `runs` runs of each case, taken in interleaved rounds so a
 * busy spell of the machine slows every case alike.
 */
async function medians(
  cases: Case[],
  args: string[],
  runs: number,
): Promise<number[]> {
  const warm = await Deno.makeTempDir({ prefix: "udpchat-startup-" });
  const times = cases.map((): number[] => []);
  try {
    for (const c of cases) if (!c.cold) await once(c, args, warm);
    for (let round = 0; round < runs; round++) {
      for (const [i, c] of cases.entries()) {
        const cache = c.cold
          ? await Deno.makeTempDir({ prefix: "udpchat-startup-" })
          : warm;
        try {
          times[i]!.push(await once(c, args, cache));
        } finally {
          if (cache !== warm) await Deno.remove(cache, { recursive: true });
        }
      }
    }
  } finally {
    await Deno.remove(warm, { recursive: true });
  }
  return times.map((t) => t.sort((a, b) => a - b)[Math.floor(t.length / 2)]!);
}

async function main(args: string[]): Promise<void> {
  const { values, positionals } = parse(args, {
    runs: { type: "string", default: "5" },
  }, "startup");
  const runs = Number(values.runs);
  const file = positionals[0] ?? `${ROOT}dist/udpchat`;
  const { size } = await Deno.stat(file);
  const source = ["run", ...RUN_FLAGS, "main.ts"];
  const cases: Case[] = [
    { label: "single file, first run", command: file, args: [], cold: true },
    { label: "single file, later runs", command: file, args: [], cold: false },
    {
      label: "deno run main.ts",
      command: Deno.execPath(),
      args: source,
      cold: false,
    },
  ];
  console.log(`${file}: ${(size / 2 ** 20).toFixed(1)} MiB`);
  const version = await medians(cases, ["--version"], runs);
  const serve = await medians(
    cases,
    ["serve", "--host", "127.0.0.1", "--port", "0"],
    runs,
  );
  console.log(
    `median of ${runs} runs | --version | serve --port 0 (listening)`,
  );
  for (const [i, c] of cases.entries()) {
    console.log(
      `${c.label} | ${version[i]!.toFixed(0)} ms | ${serve[i]!.toFixed(0)} ms`,
    );
  }
}

if (import.meta.main) await main(Deno.args);
