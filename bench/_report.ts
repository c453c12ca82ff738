/**
 * The benchmark's readable report: one table per mode, the ratios (to a
 * baseline checkout too, with `--baseline`), and issue 7's targets.
 * @module
 */

import type { ClusterRow } from "./_cluster_summary.ts";
import type { BaselineRow, ClassicRow, Row, Summary } from "./_summary.ts";

function table(head: string[], body: Array<Array<string | number>>): string {
  const cells = [head, ...body.map((r) => r.map(String))];
  const widths = head.map((_, i) =>
    Math.max(...cells.map((r) => r[i]?.length ?? 0))
  );
  return cells.map((r) =>
    r.map((c, i) => i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))
      .join("  ")
  ).join("\n");
}

const k = (n: number) => n >= 1000 ? `${(n / 1000).toFixed(1)}k` : n.toFixed(0);
const ms = (us: number) => (us / 1000).toFixed(us < 10_000 ? 2 : 1);
const pct = (x: number) => `${(x * 100).toFixed(x > 0 && x < 0.001 ? 4 : 2)}%`;
const x = (r: number | undefined) => r === undefined ? "-" : `${r.toFixed(2)}x`;

function loadTable(rows: Row[]): string {
  return table(
    [
      "target",
      "M",
      "accepted/s",
      "deliveries/s",
      "dgrams in/s",
      "dgrams out/s",
      "loss",
      "p50 ms",
      "p99 ms",
      "p99.9 ms",
      "server CPU",
      "server RSS",
      "srv drops/s",
      "loadgen CPU",
      "other CPU",
    ],
    rows.map((r) => [
      r.target,
      r.members,
      k(r.acceptedPerS),
      k(r.deliveriesPerS),
      k(r.dgramsInPerS),
      k(r.dgramsOutPerS),
      pct(r.loss),
      ms(r.p50Us),
      ms(r.p99Us),
      ms(r.p999Us),
      r.serverCpuPct < 0 ? "-" : `${r.serverCpuPct.toFixed(0)}%`,
      `${r.serverRssMiB.toFixed(1)} MiB`,
      r.serverDropsPerS < 0 ? "-" : k(r.serverDropsPerS),
      `${r.loadgenCpuPct.toFixed(0)}%`,
      r.otherCpuPct < 0 ? "-" : `${r.otherCpuPct.toFixed(0)}%`,
    ]),
  );
}

/** One target's row in a side-by-side table: deliveries/s, p50, p99, loss. */
function serverCells(r: Row | undefined): string[] {
  return r === undefined
    ? ["-", "-", "-", "-"]
    : [k(r.deliveriesPerS), ms(r.p50Us), ms(r.p99Us), pct(r.loss)];
}

/** The classic phase: both servers' rows side by side, and their ratio. */
function classicTable(rows: ClassicRow[]): string {
  return table(
    [
      "mode",
      "M",
      "udpchat deliv/s",
      "p50 ms",
      "p99 ms",
      "loss",
      "classic.py deliv/s",
      "p50 ms",
      "p99 ms",
      "loss",
      "udpchat / classic.py",
    ],
    rows.map((c) => [
      c.mode === "sat" ? "saturation" : "light",
      c.members,
      ...serverCells(c.udpchat),
      ...serverCells(c.python),
      `${x(c.ratio)} ${c.mode === "sat" ? "deliveries/s" : "p99"}`,
    ]),
  );
}

const cpu = (c: number) => c < 0 ? "-" : `${c.toFixed(0)}%`;

/** One server and three sharing the room through Redis, and their ratio. */
function clusterTable(rows: ClusterRow[]): string {
  return table(
    [
      "mode",
      "M",
      "1 server deliv/s",
      "p50 ms",
      "p99 ms",
      "loss",
      "CPU",
      "3 servers deliv/s",
      "p50 ms",
      "p99 ms",
      "loss",
      "CPU each",
      "Redis CPU",
      "3 / 1 deliv/s",
      "p50",
      "p99",
    ],
    rows.map((c) => [
      c.mode === "sat" ? "saturation" : "light",
      c.members,
      ...serverCells(c.one),
      c.one === undefined ? "-" : cpu(c.one.serverCpuPct),
      ...serverCells(c.cluster),
      c.cluster?.serverCpuEachPct.map(cpu).join(" ") ?? "-",
      c.cluster === undefined ? "-" : cpu(c.cluster.auxCpuPct),
      x(c.ratio.deliveriesPerS),
      x(c.ratio.p50Us),
      x(c.ratio.p99Us),
    ]),
  );
}

/** udpchat and the baseline checkout side by side, and their ratio. */
function baselineTable(rows: BaselineRow[]): string {
  const unit = (metric: BaselineRow["metric"], n: number) =>
    metric === "deliveries/s"
      ? k(n)
      : metric === "memory per member"
      ? `${(n / 1024).toFixed(2)} KiB`
      : `${ms(n)} ms`;
  return table(
    ["metric", "M", "udpchat", "baseline", "udpchat / baseline"],
    rows.map((r) => [
      r.metric,
      r.members,
      unit(r.metric, r.udpchat),
      unit(r.metric, r.baseline),
      x(r.ratio),
    ]),
  );
}

/** The readable report. */
export function formatSummary(
  s: Summary,
  notes: { window: number; rate: number; size: number },
): string {
  const out: string[] = [];
  out.push(
    `Saturation (${notes.size}-byte messages, at most ${notes.window} messages in flight)`,
    loadTable(s.saturation),
    "",
    `Light load (${notes.rate} messages/s in total)`,
    loadTable(s.light),
  );
  if (s.classic.length > 0) {
    out.push(
      "",
      "Classic members (the classic text protocol): udpchat against classic.py",
      classicTable(s.classic),
    );
  }
  if (s.cluster.length > 0) {
    out.push(
      "",
      "Cluster: one udpchat server against three sharing the room through one Redis (members spread over them)",
      clusterTable(s.cluster),
    );
  }
  if (s.memory.length > 0) {
    out.push(
      "",
      "Memory (idle members)",
      table(
        [
          "target",
          "M",
          "joined",
          "alive",
          "join s",
          "RSS before",
          "RSS after",
          "per member",
        ],
        s.memory.map((m) => [
          m.target,
          m.members,
          m.joined,
          m.alive,
          m.joinSeconds.toFixed(1),
          `${m.rssBeforeMiB.toFixed(1)} MiB`,
          `${m.rssAfterMiB.toFixed(1)} MiB`,
          `${(m.bytesPerMember / 1024).toFixed(2)} KiB`,
        ]),
      ),
    );
  }
  out.push(
    "",
    "udpchat / peer",
    table(
      ["metric", "M", "vs classic", "vs fanout", "vs naive Deno"],
      s.ratios.map((r) => [
        r.metric,
        r.members,
        x(r.vsClassic),
        x(r.vsFanout),
        x(r.vsNaive),
      ]),
    ),
  );
  if (s.baseline !== undefined) {
    out.push(
      "",
      "udpchat / baseline (the checkout given with --baseline)",
      baselineTable(s.baseline),
    );
  }
  if (s.checks.length > 0) {
    out.push(
      "",
      "Issue 7 targets",
      table(
        ["target", "measured", "goal", ""],
        s.checks.map((
          c,
        ) => [
          c.what,
          c.value.toFixed(c.value < 0.01 ? 4 : 2),
          c.goal,
          c.ok ? "met" : "NOT MET",
        ]),
      ),
    );
  }
  return out.join("\n");
}
