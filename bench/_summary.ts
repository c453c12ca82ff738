/**
 * Turning load generator results into the benchmark's summary: rows per
 * target and size, udpchat's ratios to each peer (and to another checkout
 * of itself, with `--baseline`), and issue 7's targets.
 * @module
 */

import type { LoadResult, PhaseResult } from "./_loadgen.ts";
import type { TargetName } from "./_servers.ts";
import { type ClusterRow, clusterRows } from "./_cluster_summary.ts";

/** One server run: a load run (rate and/or saturation) or a memory run. */
export interface RunRecord {
  target: TargetName;
  members: number;
  kind: "load" | "memory";
  result?: LoadResult;
  /** The load generator's complaint about a partial run. */
  note?: string;
  /** Why the run failed. */
  error?: string;
}

/** One row of a table: a target at a size, in one mode. */
export interface Row {
  target: TargetName;
  members: number;
  acceptedPerS: number;
  deliveriesPerS: number;
  dgramsInPerS: number;
  dgramsOutPerS: number;
  loss: number;
  p50Us: number;
  p99Us: number;
  p999Us: number;
  /** Every server together (100 per busy core). */
  serverCpuPct: number;
  /** Each server, when several share the room. */
  serverCpuEachPct: number[];
  /** What the servers depend on (Redis); -1 for none. */
  auxCpuPct: number;
  serverRssMiB: number;
  /** Datagrams/s the kernel dropped at the server's full receive buffer. */
  serverDropsPerS: number;
  loadgenCpuPct: number;
  /** CPU used by everything else on the machine (other work skews results). */
  otherCpuPct: number;
  /** Rounds measured; the row is the median one. */
  rounds: number;
}

/** Server memory with M idle members. */
export interface MemoryRow {
  target: TargetName;
  members: number;
  joined: number;
  /** Members still in at the end; the per-member figure divides by this. */
  alive: number;
  joinSeconds: number;
  rssBeforeMiB: number;
  rssAfterMiB: number;
  bytesPerMember: number;
}

/** One of issue 7's targets, as measured. */
export interface Check {
  what: string;
  value: number;
  goal: string;
  ok: boolean;
}

/**
 * The classic phase at one size and mode: udpchat serving members of the
 * classic text protocol against the classic Python server serving the same.
 */
export interface ClassicRow {
  members: number;
  mode: "sat" | "rate";
  udpchat?: Row;
  python?: Row;
  /** udpchat / python: deliveries/s at saturation, p99 at light load. */
  ratio?: number;
}

/** udpchat against another checkout of itself (`--baseline`), one figure. */
export interface BaselineRow {
  metric:
    | "deliveries/s"
    | "saturation p99"
    | "light p99"
    | "memory per member";
  members: number;
  /** Deliveries/s, p99 in µs, or bytes per member. */
  udpchat: number;
  baseline: number;
  /** udpchat / baseline. */
  ratio?: number;
}

/** The summary written to JSON and printed. */
export interface Summary {
  saturation: Row[];
  light: Row[];
  memory: MemoryRow[];
  classic: ClassicRow[];
  /** One server against three sharing the room ("udpchat-cluster3"). */
  cluster: ClusterRow[];
  ratios: Array<
    {
      metric: string;
      members: number;
      vsClassic?: number;
      vsFanout?: number;
      vsNaive?: number;
    }
  >;
  checks: Check[];
  /** Only with `--baseline`. */
  baseline?: BaselineRow[];
}

function row(run: RunRecord, phase: PhaseResult): Row {
  const aux = phase.aux_cpu_pcts ?? [];
  const auxCpuPct = aux.length === 0 || aux.some((c) => c < 0)
    ? -1
    : aux.reduce((a, b) => a + b, 0);
  return {
    target: run.target,
    members: run.members,
    acceptedPerS: phase.accepted_per_s,
    deliveriesPerS: phase.deliveries_per_s,
    dgramsInPerS: phase.dgrams_in_per_s,
    dgramsOutPerS: phase.dgrams_out_per_s,
    loss: phase.loss,
    p50Us: phase.lat_us.p50,
    p99Us: phase.lat_us.p99,
    p999Us: phase.lat_us.p999,
    serverCpuPct: phase.server_cpu_pct,
    serverCpuEachPct: phase.server_cpu_pcts ?? [],
    auxCpuPct,
    serverRssMiB: phase.server_rss_kib / 1024,
    serverDropsPerS: phase.server_socket_drops / phase.seconds,
    loadgenCpuPct: phase.loadgen_cpu_pct,
    rounds: 1,
    otherCpuPct: phase.machine_cpu_pct < 0 ? -1 : Math.max(
      0,
      phase.machine_cpu_pct - phase.loadgen_cpu_pct -
        Math.max(0, phase.server_cpu_pct) - Math.max(0, auxCpuPct),
    ),
  };
}

/**
 * One row per target and size. With several rounds, the median round: by
 * deliveries/s at saturation, by p99 latency at light load (other work on a
 * shared machine only ever makes a round worse, and the median shrugs off
 * one bad round).
 */
function rows(runs: RunRecord[], mode: "rate" | "sat"): Row[] {
  const all = runs.flatMap((run) =>
    (run.result?.phases ?? []).filter((p) => p.mode === mode).map((p) =>
      row(run, p)
    )
  );
  const groups = new Map<string, Row[]>();
  for (const r of all) {
    const key = `${r.members} ${r.target}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.values()].map((group) => {
    const by = mode === "sat"
      ? (r: Row) => r.deliveriesPerS
      : (r: Row) => -r.p99Us;
    const sorted = group.toSorted((a, b) => by(a) - by(b));
    return { ...sorted[Math.floor(sorted.length / 2)]!, rounds: group.length };
  });
}

function memoryRows(runs: RunRecord[]): MemoryRow[] {
  return runs.filter((r) => r.kind === "memory" && r.result).map((run) => {
    const r = run.result!;
    const after = r.rss_idle_kib > 0 ? r.rss_idle_kib : r.rss_joined_kib;
    return {
      target: run.target,
      members: run.members,
      joined: r.joined,
      alive: r.alive,
      joinSeconds: r.join_seconds + r.settle_seconds,
      rssBeforeMiB: r.rss_before_kib / 1024,
      rssAfterMiB: after / 1024,
      bytesPerMember: r.alive > 0
        ? (after - r.rss_before_kib) * 1024 / r.alive
        : NaN,
    };
  });
}

function ratio(a: number | undefined, b: number | undefined) {
  return a !== undefined && b !== undefined && b > 0 ? a / b : undefined;
}

/** Rows, ratios and checks from every run. */
export function summarize(runs: RunRecord[]): Summary {
  const saturation = rows(runs, "sat");
  const light = rows(runs, "rate");
  const memory = memoryRows(runs);
  const pick = <T extends { target: string; members: number }>(
    list: T[],
    target: TargetName,
    members: number,
  ) => list.find((r) => r.target === target && r.members === members);
  const ratios: Summary["ratios"] = [];
  const checks: Check[] = [];
  const sizes = [...new Set(saturation.map((r) => r.members))];
  for (const m of sizes) {
    const u = pick(saturation, "udpchat", m)?.deliveriesPerS;
    const c = ratio(u, pick(saturation, "classic", m)?.deliveriesPerS);
    const f = ratio(u, pick(saturation, "fanout", m)?.deliveriesPerS);
    ratios.push({
      metric: "deliveries/s",
      members: m,
      vsClassic: c,
      vsFanout: f,
      vsNaive: ratio(u, pick(saturation, "naive", m)?.deliveriesPerS),
    });
    if (m === 100 || m === 1000) {
      if (c !== undefined) {
        checks.push({
          what: `deliveries/s M=${m} vs classic`,
          value: c,
          goal: ">= 2",
          ok: c >= 2,
        });
      }
      if (f !== undefined) {
        checks.push({
          what: `deliveries/s M=${m} vs fanout`,
          value: f,
          goal: ">= 1.5",
          ok: f >= 1.5,
        });
      }
    }
  }
  for (const m of [...new Set(light.map((r) => r.members))]) {
    const u = pick(light, "udpchat", m);
    const c = ratio(u?.p99Us, pick(light, "classic", m)?.p99Us);
    const f = ratio(u?.p99Us, pick(light, "fanout", m)?.p99Us);
    ratios.push({
      metric: "light p99 latency",
      members: m,
      vsClassic: c,
      vsFanout: f,
      vsNaive: ratio(u?.p99Us, pick(light, "naive", m)?.p99Us),
    });
    if (m === 100 && f !== undefined) {
      checks.push({
        what: "light p99 M=100 vs fanout",
        value: f,
        goal: "<= 1.5",
        ok: f <= 1.5,
      });
    }
    if (u !== undefined) {
      checks.push({
        what: `light-load loss M=${m}`,
        value: u.loss,
        goal: "= 0",
        ok: u.loss === 0,
      });
    }
  }
  const classic = classicRows(saturation, light);
  for (const c of classic) {
    ratios.push({
      metric: c.mode === "sat"
        ? "classic members: deliveries/s"
        : "classic members: light p99",
      members: c.members,
      vsClassic: c.ratio,
    });
    if (c.mode === "sat" && c.ratio !== undefined) {
      checks.push({
        what: `classic members: deliveries/s M=${c.members} vs classic`,
        value: c.ratio,
        goal: ">= 1",
        ok: c.ratio >= 1,
      });
    }
  }
  for (const mem of memory.filter((r) => r.target === "udpchat")) {
    const kib = mem.bytesPerMember / 1024;
    checks.push({
      what: `RSS per member M=${mem.members} (KiB)`,
      value: kib,
      goal: "<= 2",
      ok: mem.alive === mem.members && kib <= 2,
    });
  }
  const baseline = [
    ...versus("deliveries/s", saturation, (r) => r.deliveriesPerS),
    ...versus("saturation p99", saturation, (r) => r.p99Us),
    ...versus("light p99", light, (r) => r.p99Us),
    ...versus("memory per member", memory, (r) => r.bytesPerMember),
  ];
  return {
    saturation,
    light,
    memory,
    classic,
    cluster: clusterRows(saturation, light),
    ratios,
    checks,
    ...(baseline.length > 0 ? { baseline } : {}),
  };
}

/** udpchat's and udpchat-baseline's `value` at each size both ran. */
function versus<T extends { target: TargetName; members: number }>(
  metric: BaselineRow["metric"],
  list: T[],
  value: (r: T) => number,
): BaselineRow[] {
  return list.filter((r) => r.target === "udpchat").flatMap((u) => {
    const b = list.find((r) =>
      r.target === "udpchat-baseline" && r.members === u.members
    );
    return b === undefined ? [] : [{
      metric,
      members: u.members,
      udpchat: value(u),
      baseline: value(b),
      ratio: ratio(value(u), value(b)),
    }];
  });
}

function classicRows(saturation: Row[], light: Row[]): ClassicRow[] {
  const out: ClassicRow[] = [];
  for (const [mode, list] of [["sat", saturation], ["rate", light]] as const) {
    for (const u of list.filter((r) => r.target === "udpchat-classic")) {
      const python = list.find((r) =>
        r.target === "classic" && r.members === u.members
      );
      out.push({
        members: u.members,
        mode,
        udpchat: u,
        python,
        ratio: mode === "sat"
          ? ratio(u.deliveriesPerS, python?.deliveriesPerS)
          : ratio(u.p99Us, python?.p99Us),
      });
    }
  }
  return out;
}
