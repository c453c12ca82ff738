/**
 * The servers under test, each a separate process on 127.0.0.1 with a port
 * the system chose: udpchat itself, the classic Python server, the C
 * fan-out ceiling (one sendto per delivery, or sendmmsg batches), and the
 * naive Deno server (what Deno's own per-send cost allows). udpchat runs
 * twice over: "udpchat" for native members, "udpchat-classic" for members
 * of the classic text protocol (the same server, the same port).
 * "udpchat-baseline" is another checkout of udpchat (`--baseline DIR`),
 * started the same way and spoken to natively, to compare two versions.
 * "udpchat-cluster3" is three udpchat servers sharing one room through a
 * Redis of their own (`serve --cluster`), started with the same flags as
 * "udpchat", the members spread over them.
 * @module
 */

import { redisMissing } from "../tools/redis_server.ts";
import { startRedis } from "./_redis.ts";
import { Child } from "./_process.ts";

/** Every server the benchmark knows. */
export type TargetName =
  | "udpchat"
  | "udpchat-classic"
  | "udpchat-baseline"
  | "udpchat-cluster3"
  | "classic"
  | "fanout"
  | "fanout-mmsg"
  | "naive";

/** Which protocol the load generator speaks to a target. */
export function protocolOf(target: TargetName): "udpchat" | "text" {
  return target === "udpchat" || target === "udpchat-baseline" ||
      target === "udpchat-cluster3"
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
  /** A folder for Redis to work in ("udpchat-cluster3"). */
  scratch: string;
}

/** A server (or cluster) whose servers printed their "listening on HOST:PORT" line. */
export interface RunningServer extends AsyncDisposable {
  readonly target: TargetName;
  /** The (first) server's process. */
  readonly child: Child;
  /** Every server's port; members are spread over them. */
  readonly ports: number[];
  /** Every server's process id. */
  readonly pids: number[];
  /** Processes the servers depend on (Redis), measured apart. */
  readonly auxPids: number[];
}

/** How many servers "udpchat-cluster3" runs. */
export const CLUSTER_SERVERS = 3;

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
    case "udpchat-cluster3":
      return redisMissing() ?? udpchat(tools.udpchatFlags);
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
  if (target !== "udpchat-cluster3") {
    return running(target, await startAll([cmd]));
  }
  await using stack = new AsyncDisposableStack();
  const redis = stack.use(await startRedis(tools.scratch));
  const room = ["--cluster", redis.url, "--room", "bench"];
  const servers = await startAll(
    Array.from(
      { length: CLUSTER_SERVERS },
      () => [cmd[0], [...cmd[1], ...room], cmd[2]] as const,
    ),
  );
  const moved = stack.move();
  return running(target, servers, {
    pids: [redis.child.pid],
    dispose: () => moved.disposeAsync(),
  });
}

type Command = readonly [string, string[], string?];

/** Start every command at once; resolves when all are ready, or kills them all. */
async function startAll(
  cmds: Command[],
): Promise<Array<{ child: Child; port: number }>> {
  const children = cmds.map(([c, args, cwd]) =>
    new Child(c, args, { cwd: cwd ?? ROOT })
  );
  try {
    const lines = await Promise.all(
      children.map((child) => child.waitFor(READY, 30_000)),
    );
    return children.map((child, i) => ({
      child,
      port: Number(READY.exec(lines[i]!)![1]),
    }));
  } catch (error) {
    await Promise.all(children.map((c) => c[Symbol.asyncDispose]()));
    throw error;
  }
}

/** `servers` as one target; `aux`: what they depend on, disposed after them. */
function running(
  target: TargetName,
  servers: Array<{ child: Child; port: number }>,
  aux?: { pids: number[]; dispose: () => Promise<void> },
): RunningServer {
  return {
    target,
    child: servers[0]!.child,
    ports: servers.map((s) => s.port),
    pids: servers.map((s) => s.child.pid),
    auxPids: aux?.pids ?? [],
    [Symbol.asyncDispose]: async () => {
      await Promise.all(servers.map((s) => s.child[Symbol.asyncDispose]()));
      await aux?.dispose();
    },
  };
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
