/**
 * Running `loadgen` (bench/loadgen.c) against one server (or several
 * sharing one room) and reading the JSON object it prints. The field names are the C program's.
 * @module
 */

import { Child } from "./_process.ts";
import { ANNOUNCE_LIMIT } from "./_servers.ts";

/** One-way latency of the messages sent inside the measured window (µs). */
export interface Latency {
  n: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

/** What one phase (fixed rate, saturation, idle) measured. */
export interface PhaseResult {
  mode: "rate" | "sat" | "mem";
  rate: number;
  seconds: number;
  sent: number;
  sent_window: number;
  accepted_per_s: number;
  deliveries_window: number;
  deliveries_per_s: number;
  expected: number;
  delivered: number;
  loss: number;
  /** Datagrams the members sent to the server, per second. */
  dgrams_in_per_s: number;
  /** Datagrams the members received from the server, per second. */
  dgrams_out_per_s: number;
  bytes_out_per_s: number;
  lat_us: Latency;
  server_cpu_pct: number;
  loadgen_cpu_pct: number;
  /** Every process on the machine (100 per busy core). */
  machine_cpu_pct: number;
  server_rss_kib: number;
  server_rss_start_kib: number;
  retransmits: number;
  out_of_order: number;
  duplicates: number;
  /** Datagrams the kernel dropped at the server's full socket buffer. */
  server_socket_drops: number;
  stalls: number;
  timed_out: boolean;
  /** CPU of each server (100 per busy core); server_cpu_pct is their sum. */
  server_cpu_pcts: number[];
  /** CPU of each process the servers depend on (Redis). */
  aux_cpu_pcts: number[];
}

/** Everything one loadgen run reports. */
export interface LoadResult {
  target: "udpchat" | "text";
  members: number;
  joined: number;
  /** Members still in the room at the end (not timed out or dropped). */
  alive: number;
  join_seconds: number;
  settle_seconds: number;
  join_server_cpu_s: number;
  rss_before_kib: number;
  rss_joined_kib: number;
  rss_idle_kib: number;
  rss_hwm_kib: number;
  datagrams_to_server: number;
  datagrams_from_server: number;
  bad_crc: number;
  malformed: number;
  refused: number;
  resets: number;
  goodbyes: number;
  left_events: number;
  notices: number;
  send_errors: number;
  join_retries: number;
  stale: number;
  error: string | null;
  phases: PhaseResult[];
}

/** How to drive one run. */
export interface LoadOptions {
  protocol: "udpchat" | "text";
  /** Member i joins the server at ports[i % ports.length]. */
  ports: number[];
  /** The servers' processes: CPU, RSS. */
  pids: number[];
  /** Processes the servers depend on (Redis): CPU only. */
  auxPids: number[];
  members: number;
  /** e.g. "rate:500:3,sat:5" or "mem:2" (see loadgen.c). */
  phases: string;
  window: number;
  warmupSeconds: number;
  joinTimeoutSeconds: number;
  /** Hard limit for the whole run; the process is killed past it + 20 s. */
  maxSeconds: number;
}

/** Run the load generator at `path` and parse its report. */
export async function runLoadgen(
  path: string,
  o: LoadOptions,
): Promise<LoadResult> {
  const args = [
    ["--target", o.protocol],
    ["--port", o.ports.join(",")],
    ["--pid", o.pids.join(",")],
    ...(o.auxPids.length > 0 ? [["--aux-pid", o.auxPids.join(",")]] : []),
    ["--members", o.members],
    ["--phases", o.phases],
    ["--window", o.window],
    ["--warmup", o.warmupSeconds],
    ["--join-timeout", o.joinTimeoutSeconds],
    ["--announce-limit", ANNOUNCE_LIMIT],
    ["--max-seconds", o.maxSeconds],
  ].flat().map(String);
  await using child = new Child(path, args, { keepStdout: true });
  const status = await child.finish((o.maxSeconds + 20) * 1000);
  const json = child.stdout.find((line) => line.startsWith("{"));
  if (!status.success || json === undefined) {
    throw new Error(
      `loadgen failed (exit ${status.code}${
        status.signal ? `, ${status.signal}` : ""
      }): ${child.stderr.join(" | ")}`,
    );
  }
  return JSON.parse(json) as LoadResult;
}
