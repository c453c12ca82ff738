/**
 * The benchmark's toolchain: a C compiler builds the load generator and the
 * fan-out ceiling server into a temporary directory, and python3 runs the
 * classic server. What is missing is reported as one line and skipped.
 * @module
 */

/** Compiled programs and interpreters, or why they are missing. */
export interface Toolchain {
  /** The C load generator; without it nothing can be measured. */
  loadgen?: string;
  /** The C fan-out server (the one-datagram-per-delivery ceiling). */
  fanout?: string;
  /** The python3 that runs the classic server. */
  python?: string;
  /** Versions of the tools, for the report. */
  versions: Record<string, string>;
  /** One line for a missing C compiler (targets report their own). */
  skipped: string[];
}

const BENCH = new URL("./", import.meta.url);

/** The first line a program prints (`--version` by default), or undefined. */
export async function versionOf(
  command: string,
  args = ["--version"],
): Promise<string | undefined> {
  try {
    const out = await new Deno.Command(command, {
      args,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!out.success) return undefined;
    const text = new TextDecoder().decode(out.stdout) ||
      new TextDecoder().decode(out.stderr);
    return text.split("\n")[0]?.trim();
  } catch {
    return undefined;
  }
}

async function compile(cc: string, source: string, output: string) {
  const out = await new Deno.Command(cc, {
    args: ["-O2", "-o", output, new URL(source, BENCH).pathname],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(
      `Cannot compile ${source}: ${new TextDecoder().decode(out.stderr)}`,
    );
  }
}

/** Find a C compiler and python3; build the C programs into `dir`. */
export async function buildTools(dir: string): Promise<Toolchain> {
  const tools: Toolchain = { versions: {}, skipped: [] };
  let cc: string | undefined;
  for (const candidate of ["cc", "gcc", "clang"]) {
    const version = await versionOf(candidate);
    if (version !== undefined) {
      cc = candidate;
      tools.versions.cc = version;
      break;
    }
  }
  if (cc === undefined) {
    tools.skipped.push(
      "skip: no C compiler (cc, gcc or clang; Debian: apt-get install gcc): no load generator, no fanout server, nothing measured",
    );
  } else {
    tools.loadgen = `${dir}/loadgen`;
    tools.fanout = `${dir}/fanout`;
    await compile(cc, "loadgen.c", tools.loadgen);
    await compile(cc, "peers/fanout.c", tools.fanout);
  }
  const python = await versionOf("python3");
  if (python !== undefined) {
    tools.python = "python3";
    tools.versions.python = python;
  }
  return tools;
}

/** The machine the benchmark runs on, for the report. */
export async function machine(tools: Record<string, string>) {
  // Through programs: Deno wants --allow-all to read /proc itself.
  const model = await versionOf("grep", ["-m1", "model name", "/proc/cpuinfo"]);
  const load = await versionOf("cat", ["/proc/loadavg"]);
  return {
    cpus: navigator.hardwareConcurrency,
    cpu: model?.replace(/^model name\s*:\s*/, "") ?? "unknown",
    os: `${Deno.build.os} ${await versionOf("uname", ["-r"]) ?? ""}`.trim(),
    deno: Deno.version.deno,
    load: (load ?? "0 0 0").split(" ").slice(0, 3).map(Number),
    ...tools,
  };
}
