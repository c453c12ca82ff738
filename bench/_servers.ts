/**
 * The servers under test, each a separate process on 127.0.0.1 with a port
 * the system chose: udpchat itself, the classic Python server, the C
 * fan-out ceiling (one sendto per delivery, or sendmmsg batches), and the
 * naive Deno server (what Deno's own per-send cost allows). udpchat runs
 * twice over: "udpchat" for native members, "udpchat-classic" for members
 * of the classic text protocol (the same server, the same port).
 * "udpchat-baseline" is another checkout of udpchat (`--baseline DIR`),
 * started the same way and spoken to natively, to compare two versions.
 * @module
 */

import { Child } from "./_process.ts";

/** Every server the benchmark knows. */
export type TargetName =
  | "udpchat"
  | "udpchat-classic"
  | "udpchat-baseline"
  | "classic"
  | "fanout"
  | "fanout-mmsg"
  | "naive";

/** Which protocol the load generator speaks to a target. */
export function protocolOf(target: TargetName): "udpchat" | "text" {
  return target === "udpchat" || target === "udpchat-baseline"
    ? "udpchat"
    : "text";
}

/** How to start the servers. */
export interface ServerTools {
  fanout?: string;
  python?: string;
  /** Extra `serve` flags for udpchat (`--rate 0`, ...). */
  udpchatFlags: string[];
  /** Another checkout of udpchat and its own `serve` flags (`--baseline`). */
  baseline?: { dir: string; flags: string[] };
  /** Profile the udpchat server with perf: V8 writes /tmp/perf-PID.map. */
  profile?: boolean;
}

/** A server that printed its "listening on HOST:PORT" line. */
export interface RunningServer extends AsyncDisposable {
  readonly target: TargetName;
  readonly child: Child;
  readonly port: number;
}

const ROOT = new URL("../", import.meta.url).pathname;
/** Above this many members udpchat announces no joins (the load generator must know). */
export const ANNOUNCE_LIMIT = 500;

const READY = /listening on [\d.]+:(\d+)\s*$/;

/**
 * The flags `serve --help` lists, among those the benchmark wants, for the
 * checkout in `dir` (this one by default).
 */
export async function udpchatFlags(dir = ROOT): Promise<string[]> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "main.ts", "serve", "--help"],
    cwd: dir,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    const why = new TextDecoder().decode(out.stderr).trim().split("\n")[0];
    throw new Error(`Cannot run "main.ts serve --help" in ${dir}: ${why}`);
  }
  const help = new TextDecoder().decode(out.stdout);
  const wanted: Array<[string, string]> = [
    ["--rate", "0"], // no flood limit: the load generator floods on purpose
    ["--join-rate", "0"], // every member joins from 127.0.0.1
    ["--max-members", "20000"],
    // Every classic member of the load generator is on 127.0.0.1.
    ["--classic-per-address", "20000"],
    ["--max-classic", "20000"],
    ["--history", "0"], // no backlog replayed to each member that joins
    ["--announce-limit", String(ANNOUNCE_LIMIT)],
  ];
  return wanted.flatMap(([flag, value]) =>
    new RegExp(`^\\s*${flag}\\b`, "m").test(help) ? [flag, value] : []
  );
}

/** The command line of `target` and its working directory (default ROOT). */
function command(
  target: TargetName,
  tools: ServerTools,
): [string, string[], string?] | string {
  const where = ["--host", "127.0.0.1", "--port", "0"];
  // Deno 2.9 has no --cpu-prof; perf reads JIT frames from this map.
  const profile = tools.profile ? ["--v8-flags=--perf-basic-prof"] : [];
  const udpchat = (flags: string[]): [string, string[]] => [Deno.execPath(), [
    "run",
    "-A",
    ...profile,
    "main.ts",
    "serve",
    ...where,
    ...flags,
  ]];
  switch (target) {
    case "udpchat":
    case "udpchat-classic":
      return udpchat(tools.udpchatFlags);
    case "udpchat-baseline":
      return tools.baseline === undefined
        ? "needs --baseline DIR"
        : [...udpchat(tools.baseline.flags), tools.baseline.dir];
    case "classic":
      return tools.python === undefined
        ? "python3 not found (Debian: apt-get install python3)"
        : [tools.python, [`${ROOT}bench/peers/classic.py`, ...where]];
    case "naive":
      return [Deno.execPath(), [
        "run",
        "--allow-net",
        "bench/peers/naive.ts",
        ...where,
      ]];
    case "fanout":
    case "fanout-mmsg":
      return tools.fanout === undefined ? "no C compiler" : [
        tools.fanout,
        [...where, ...(target === "fanout-mmsg" ? ["--mmsg"] : [])],
      ];
    default: {
      const _exhaustive: never = target;
      throw new TypeError(`Unknown target ${_exhaustive}`);
    }
  }
}

/** Why `target` cannot run with `tools`, or undefined when it can. */
export function missing(
  target: TargetName,
  tools: ServerTools,
): string | undefined {
  const cmd = command(target, tools);
  return typeof cmd === "string" ? cmd : undefined;
}

/** Start `target` and wait for its ready line (up to 30 s). */
export async function startServer(
  target: TargetName,
  tools: ServerTools,
): Promise<RunningServer> {
  const cmd = command(target, tools);
  if (typeof cmd === "string") {
    throw new Error(`Cannot start ${target}: ${cmd}`);
  }
  const child = new Child(cmd[0], cmd[1], { cwd: cmd[2] ?? ROOT });
  try {
    const line = await child.waitFor(READY, 30_000);
    const port = Number(READY.exec(line)![1]);
    return {
      target,
      child,
      port,
      [Symbol.asyncDispose]: () => child[Symbol.asyncDispose](),
    };
  } catch (error) {
    await child[Symbol.asyncDispose]();
    throw error;
  }
}

/** `perf record` of process `pid` until SIGINT, into a fresh `prefix-N.data`. */
export function profiler(pid: number, prefix: string): Child {
  let n = 1;
  while (exists(`${prefix}-${n}.perf.data`)) n++;
  return new Child("perf", [
    "record",
    "-F",
    "999",
    "-g",
    "-p",
    String(pid),
    "-o",
    `${prefix}-${n}.perf.data`,
  ]);
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}
