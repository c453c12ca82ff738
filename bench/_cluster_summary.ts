/**
 * The cluster phase of the summary: udpchat on one server against three
 * servers sharing the room through Redis ("udpchat-cluster3"), at the same
 * size, load and rounds, and the ratio cluster / one server.
 * @module
 */

import type { Row } from "./_summary.ts";

/** One server and the cluster at one size and mode. */
export interface ClusterRow {
  members: number;
  mode: "sat" | "rate";
  one?: Row;
  cluster?: Row;
  /** cluster / one server, for each figure. */
  ratio: {
    deliveriesPerS?: number;
    p50Us?: number;
    p99Us?: number;
  };
}

function ratio(a: number | undefined, b: number | undefined) {
  return a !== undefined && b !== undefined && b > 0 ? a / b : undefined;
}

/** Rows for every size the cluster ran at, saturation first. */
export function clusterRows(saturation: Row[], light: Row[]): ClusterRow[] {
  const out: ClusterRow[] = [];
  for (const [mode, list] of [["sat", saturation], ["rate", light]] as const) {
    for (const cluster of list.filter((r) => r.target === "udpchat-cluster3")) {
      const one = list.find((r) =>
        r.target === "udpchat" && r.members === cluster.members
      );
      out.push({
        members: cluster.members,
        mode,
        one,
        cluster,
        ratio: {
          deliveriesPerS: ratio(cluster.deliveriesPerS, one?.deliveriesPerS),
          p50Us: ratio(cluster.p50Us, one?.p50Us),
          p99Us: ratio(cluster.p99Us, one?.p99Us),
        },
      });
    }
  }
  return out;
}
