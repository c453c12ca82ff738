/**
 * `bench/bench.ts --quick` runs end to end and reports sane numbers. Timing
 * stays out of the test suite: nothing here asserts that anything is fast.
 */

import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url).pathname;
const TARGETS = ["udpchat", "udpchat-cluster3", "classic", "fanout", "naive"];

interface Phase {
  mode: string;
  deliveries_per_s: number;
  accepted_per_s: number;
  loss: number;
  lat_us: { n: number; p50: number; p99: number; p999: number };
  server_rss_kib: number;
  server_cpu_pcts: number[];
  aux_cpu_pcts: number[];
}

interface Report {
  skipped: string[];
  runs: Array<
    {
      target: string;
      members: number;
      error?: string;
      result?: { joined: number; phases: Phase[] };
    }
  >;
  summary: {
    saturation: unknown[];
    light: unknown[];
    cluster: Array<{ ratio: { deliveriesPerS?: number } }>;
  };
}

function checkPhase(where: string, p: Phase): void {
  assert.ok(
    p.deliveries_per_s > 0,
    `${where}: deliveries/s ${p.deliveries_per_s}`,
  );
  assert.ok(p.accepted_per_s > 0, `${where}: accepted/s ${p.accepted_per_s}`);
  assert.ok(p.loss >= 0 && p.loss <= 1, `${where}: loss ${p.loss}`);
  assert.ok(p.lat_us.n > 0, `${where}: no latency samples`);
  assert.ok(p.lat_us.p50 >= 0, `${where}: p50 ${p.lat_us.p50}`);
  assert.ok(p.lat_us.p99 >= p.lat_us.p50, `${where}: p99 below p50`);
  assert.ok(p.lat_us.p999 >= p.lat_us.p99, `${where}: p99.9 below p99`);
  assert.ok(p.server_rss_kib > 0, `${where}: server RSS ${p.server_rss_kib}`);
}

Deno.test("bench --quick reports every target (or why it skipped) with sane numbers", async () => {
  const out = await Deno.makeTempFile({ suffix: ".json" });
  try {
    const run = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-run",
        "--allow-net",
        "--allow-read",
        "--allow-write",
        "--allow-env",
        "bench/bench.ts",
        "--quick",
        "--out",
        out,
      ],
      cwd: ROOT,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(120_000),
    }).output();
    const stdout = new TextDecoder().decode(run.stdout);
    const stderr = new TextDecoder().decode(run.stderr);
    assert.equal(run.code, 0, `bench failed:\n${stdout}\n${stderr}`);
    const report = JSON.parse(await Deno.readTextFile(out)) as Report;
    for (const target of TARGETS) {
      const runs = report.runs.filter((r) => r.target === target);
      if (runs.length === 0) {
        const why = report.skipped.find((line) =>
          line.includes(target) || line.includes("no C compiler")
        );
        assert.ok(why, `${target}: neither measured nor skipped`);
        assert.ok(stdout.includes(why), `the skip line is printed: ${why}`);
        continue;
      }
      for (const r of runs) {
        const where = `${target} M=${r.members}`;
        assert.equal(r.error, undefined, `${where}: ${r.error}`);
        assert.equal(r.result?.joined, r.members, `${where}: joined`);
        const modes = r.result!.phases.map((p) => p.mode);
        assert.deepEqual(modes, ["rate", "sat"], `${where}: phases`);
        for (const p of r.result!.phases) checkPhase(`${where} ${p.mode}`, p);
      }
    }
    const cluster = report.runs.filter((r) => r.target === "udpchat-cluster3");
    for (const p of cluster.flatMap((r) => r.result!.phases)) {
      // Three servers and their Redis, each measured.
      assert.equal(p.server_cpu_pcts.length, 3, "CPU of each server");
      assert.equal(p.aux_cpu_pcts.length, 1, "CPU of Redis");
      assert.ok(p.aux_cpu_pcts[0]! >= 0, `Redis CPU ${p.aux_cpu_pcts[0]}`);
    }
    if (cluster.length > 0) {
      assert.match(stdout, /^Cluster: /m);
      const ratios = report.summary.cluster.map((c) => c.ratio.deliveriesPerS);
      assert.ok(ratios.every((r) => r! > 0), `cluster / one: ${ratios}`);
    }
    if (report.runs.length > 0) {
      assert.match(stdout, /^Saturation/m);
      assert.match(stdout, /^Light load/m);
      assert.ok(report.summary.saturation.length > 0);
    }
  } finally {
    await Deno.remove(out);
  }
});
