/**
 * `deno task bench`: udpchat against the classic Python server, the C
 * fan-out ceiling and a naive Deno server, side by side in one run, each a separate process on
 * 127.0.0.1 driven by the C load generator (bench/loadgen.c). Prints tables
 * and writes bench/results/latest.json.
 *
 *   deno task bench              M = 10, 100, 1000; memory at 10,000
 *   deno task bench --quick      M = 10, 100, short phases (CI, < 1 min);
 *                                the cluster at M = 10 only
 *
 * The classic phase: at M = 100 (CLASSIC_SIZES), udpchat also serves members
 * of the classic text protocol (target "udpchat-classic"), in the same
 * interleaved rounds and load shape as the classic Python server.
 *
 * The cluster phase: target "udpchat-cluster3" is three udpchat servers
 * sharing one room through a Redis of their own (`serve --cluster`), the
 * members spread over them, in the same interleaved rounds and load as
 * "udpchat" (one server); the reports gain their ratio and each server's
 * and Redis's CPU.
 *
 * Other flags: --out FILE, --targets
 * udpchat,udpchat-cluster3,udpchat-classic,udpchat-baseline,classic,fanout,
 * fanout-mmsg,naive,
 * --window N, --rounds N, --profile DIR (perf record of the udpchat
 * server into DIR; read with `perf report -i FILE`, JIT names come from
 * /tmp/perf-PID.map), --baseline DIR (adds target "udpchat-baseline": the
 * udpchat checkout in DIR, e.g. a git worktree of an older commit with its
 * node_modules, run like "udpchat" in the same rounds; the reports gain the
 * ratio udpchat / baseline).
 * @module
 */

import { dirname, resolve } from "node:path";
import { parseArgs } from "node:util";
import { buildTools, machine, versionOf } from "./_build.ts";
import { type LoadResult, runLoadgen } from "./_loadgen.ts";
import { killAll } from "./_process.ts";
import { formatSummary } from "./_report.ts";
import { type RunRecord, summarize } from "./_summary.ts";
import {
  missing,
  profiler,
  protocolOf,
  type ServerTools,
  startServer,
  type TargetName,
  udpchatFlags,
} from "./_servers.ts";

/** What one benchmark run measures. */
interface Plan {
  quick: boolean;
  targets: TargetName[];
  /** Member counts of the load runs. */
  sizes: number[];
  /** Sizes that also get the light fixed-rate phase. */
  rateSizes: number[];
  /** Sizes at which udpchat also serves classic members ("udpchat-classic"). */
  classicSizes: number[];
  /** Sizes at which three servers share the room ("udpchat-cluster3"). */
  clusterSizes: number[];
  /** Member counts of the memory runs. */
  memorySizes: number[];
  rate: number;
  rateSeconds: number;
  satSeconds: number;
  warmupSeconds: number;
  /** Messages in flight at saturation (not yet seen by a witness member). */
  window: number;
  /** Text bytes per message. */
  size: number;
  /** Each load run is repeated this often, interleaved; the median counts. */
  rounds: number;
  /** Where the JSON report goes. */
  out: string;
  /** Directory for perf profiles of the udpchat server, if profiling. */
  profile?: string;
  /** Another udpchat checkout to compare with ("udpchat-baseline"). */
  baseline?: string;
}

const ALL_TARGETS: TargetName[] = [
  "udpchat",
  "udpchat-cluster3",
  "udpchat-classic",
  "classic",
  "fanout",
  "fanout-mmsg",
  "naive",
];

const RESULTS = new URL("./results/latest.json", import.meta.url).pathname;

const FULL: Plan = {
  quick: false,
  targets: ALL_TARGETS,
  sizes: [10, 100, 1000],
  rateSizes: [10, 100],
  classicSizes: [100],
  clusterSizes: [10, 100, 1000],
  memorySizes: [10_000],
  rate: 500,
  rateSeconds: 3,
  satSeconds: 5,
  warmupSeconds: 1,
  window: 32,
  size: 64,
  rounds: 3,
  out: RESULTS,
};

const QUICK: Plan = {
  ...FULL,
  quick: true,
  targets: [
    "udpchat",
    "udpchat-cluster3",
    "udpchat-classic",
    "classic",
    "fanout",
    "naive",
  ],
  sizes: [10, 100],
  // Three servers take long to start: once, to show the cluster works.
  clusterSizes: [10],
  memorySizes: [],
  rateSeconds: 1.5,
  satSeconds: 2,
  warmupSeconds: 0.3,
  rounds: 1,
};

function phasesOf(plan: Plan, members: number): string {
  const sat = `sat:${plan.satSeconds}`;
  return plan.rateSizes.includes(members)
    ? `rate:${plan.rate}:${plan.rateSeconds},${sat}`
    : sat;
}

async function runOne(
  loadgen: string,
  tools: ServerTools,
  plan: Plan,
  target: TargetName,
  members: number,
  kind: RunRecord["kind"],
): Promise<RunRecord> {
  const started = Date.now();
  const record: RunRecord = { target, members, kind };
  // Joining is quadratic for a room that announces every join.
  const joinTimeoutSeconds = Math.min(180, Math.max(30, members / 50));
  try {
    await using server = await startServer(target, tools);
    const phases = kind === "memory" ? "mem:2" : phasesOf(plan, members);
    const profiled = target === "udpchat" || target === "udpchat-classic";
    const name = target === "udpchat" ? kind : `${kind}-classic`;
    await using perf = plan.profile !== undefined && profiled
      ? profiler(server.child.pid, `${plan.profile}/${name}-M${members}`)
      : undefined;
    record.result = await runLoadgen(loadgen, {
      protocol: protocolOf(target),
      ports: server.ports,
      pids: server.pids,
      auxPids: server.auxPids,
      members,
      phases,
      window: plan.window,
      warmupSeconds: plan.warmupSeconds,
      joinTimeoutSeconds,
      maxSeconds: joinTimeoutSeconds + 60 + 2 * plan.warmupSeconds +
        plan.rateSeconds + plan.satSeconds,
    });
    perf?.kill("SIGINT");
    await perf?.finish(10_000);
    // A partial run (not everyone joined in time) still reports.
    if (record.result.error !== null) record.note = record.result.error;
  } catch (error) {
    record.error = (error as Error).message;
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(
    `${kind} ${target} M=${members}: ${brief(record)} (${seconds} s)`,
  );
  return record;
}

function brief(record: RunRecord): string {
  const r: LoadResult | undefined = record.result;
  const parts: string[] = [];
  if (r !== undefined) {
    for (const p of r.phases) {
      parts.push(
        p.mode === "mem"
          ? `${r.joined} joined, RSS ${(r.rss_idle_kib / 1024).toFixed(1)} MiB`
          : `${p.mode} ${Math.round(p.deliveries_per_s)} deliveries/s, p99 ${
            (p.lat_us.p99 / 1000).toFixed(2)
          } ms`,
      );
    }
  }
  if (record.note !== undefined) parts.push(`note: ${record.note}`);
  if (record.error !== undefined) parts.push(`error: ${record.error}`);
  return parts.join("; ");
}

function parsePlan(args: string[]): Plan {
  const { values } = parseArgs({
    args,
    options: {
      quick: { type: "boolean", default: false },
      out: { type: "string", default: RESULTS },
      targets: { type: "string" },
      window: { type: "string" },
      rounds: { type: "string" },
      profile: { type: "string" },
      baseline: { type: "string" },
    },
    strict: true,
  });
  const base = values.quick ? QUICK : FULL;
  const baseline = values.baseline === undefined
    ? undefined
    : resolve(values.baseline);
  const plan = {
    ...base,
    out: resolve(values.out!),
    // Right after udpchat, so both meet the same passing load.
    targets: baseline === undefined
      ? base.targets
      : base.targets.flatMap((t): TargetName[] =>
        t === "udpchat" ? [t, "udpchat-baseline"] : [t]
      ),
    baseline,
  };
  if (values.targets !== undefined) {
    const wanted = values.targets.split(",") as TargetName[];
    const known = [...ALL_TARGETS, "udpchat-baseline"];
    const bad = wanted.find((t) => !known.includes(t));
    if (bad !== undefined) throw new TypeError(`Unknown target "${bad}"`);
    plan.targets = wanted;
  }
  if (values.window !== undefined) plan.window = Number(values.window);
  if (values.rounds !== undefined) plan.rounds = Number(values.rounds);
  if (!(plan.window >= 1 && plan.rounds >= 1)) {
    throw new RangeError("--window and --rounds must be at least 1");
  }
  const profile = values.profile === undefined
    ? undefined
    : resolve(values.profile);
  return { ...plan, profile };
}

async function main(args: string[]): Promise<number> {
  const plan = parsePlan(args);
  const dir = await Deno.makeTempDir({ prefix: "udpchat-bench-" });
  tempDirs.add(dir);
  try {
    const tools = await buildTools(dir);
    const info = await machine(tools.versions);
    console.log(
      `udpchat benchmark${
        plan.quick ? " (quick)" : ""
      }: ${info.cpus} × ${info.cpu}, ${info.os}, Deno ${info.deno}`,
    );
    if (info.load[0]! > 0.5) {
      console.log(
        `warning: the machine is busy before starting (load ${
          info.load[0]!.toFixed(2)
        }): numbers will be low and noisy`,
      );
    }
    const skipped = [...tools.skipped];
    if (plan.profile !== undefined) {
      if (await versionOf("perf") === undefined) {
        skipped.push("skip: --profile: perf not found");
        plan.profile = undefined;
      } else {
        await Deno.mkdir(plan.profile, { recursive: true });
      }
    }
    const serverTools: ServerTools = {
      fanout: tools.fanout,
      python: tools.python,
      udpchatFlags: await udpchatFlags(),
      baseline: plan.baseline === undefined ? undefined : {
        dir: plan.baseline,
        flags: await udpchatFlags(plan.baseline),
      },
      profile: plan.profile !== undefined,
      scratch: dir,
    };
    const runs: RunRecord[] = [];
    if (tools.loadgen === undefined) {
      skipped.forEach((line) => console.log(line));
    } else {
      const targets = plan.targets.filter((t) => {
        const why = missing(t, serverTools);
        if (why !== undefined) skipped.push(`skip: ${t}: ${why}`);
        return why === undefined;
      });
      [...new Set(skipped)].forEach((line) => console.log(line));
      for (const m of plan.sizes) {
        // Rounds interleave the targets, so passing load elsewhere on the
        // machine hits each of them alike.
        const here = targets.filter((t) =>
          t === "udpchat-classic"
            ? plan.classicSizes.includes(m)
            : t !== "udpchat-cluster3" || plan.clusterSizes.includes(m)
        );
        for (let round = 0; round < plan.rounds; round++) {
          for (const t of here) {
            runs.push(
              await runOne(tools.loadgen, serverTools, plan, t, m, "load"),
            );
          }
        }
      }
      for (const m of plan.memorySizes) {
        // Batching sends changes nothing in what a server keeps per member;
        // the classic gateway takes at most 1,000 members.
        // A cluster's memory is its servers' (measured alone) and Redis's.
        const unmeasured = [
          "fanout-mmsg",
          "udpchat-classic",
          "udpchat-cluster3",
        ];
        for (const t of targets.filter((t) => !unmeasured.includes(t))) {
          runs.push(
            await runOne(tools.loadgen, serverTools, plan, t, m, "memory"),
          );
        }
      }
    }
    const summary = summarize(runs);
    console.log("");
    console.log(
      runs.length > 0 ? formatSummary(summary, plan) : "Nothing measured",
    );
    const report = {
      date: new Date().toISOString(),
      command: `deno task bench${args.length ? ` ${args.join(" ")}` : ""}`,
      machine: info,
      plan,
      udpchatFlags: serverTools.udpchatFlags,
      baseline: serverTools.baseline,
      skipped: [...new Set(skipped)],
      summary,
      runs,
    };
    await Deno.mkdir(dirname(plan.out), { recursive: true });
    await Deno.writeTextFile(plan.out, JSON.stringify(report, null, 2) + "\n");
    console.log(`\nWrote ${plan.out}`);
    return runs.some((r) => r.error !== undefined) ? 1 : 0;
  } finally {
    await cleanUp();
  }
}

/** Temporary directories to remove even when a signal ends the run. */
const tempDirs = new Set<string>();

/** Kill and await every child, then remove the temporary directories. */
async function cleanUp(): Promise<void> {
  await killAll();
  for (const dir of tempDirs) {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    tempDirs.delete(dir);
  }
}

if (import.meta.main) {
  const stop = async () => {
    await cleanUp();
    Deno.exit(130);
  };
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
  const code = await main(Deno.args);
  Deno.removeSignalListener("SIGINT", stop);
  Deno.removeSignalListener("SIGTERM", stop);
  Deno.exit(code);
}
