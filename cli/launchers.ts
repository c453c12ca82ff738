/**
 * The launchers above this process, and a watch that tells when one is gone.
 *
 * `npx deno task serve` runs npm, which runs `sh -c 'deno task serve'`,
 * which runs `deno task`, which runs us. npm forwards SIGTERM only to that
 * `sh`, and dash dies of it without passing it on (measured: npm exits 143,
 * `deno task` and the server stay, holding the port). So the tasks' launcher
 * (`launch.ts`) watches the chain of launchers that wait for them (`deno task`, npm and the
 * `sh -c` between them) and passes on a SIGTERM when one of them is gone.
 * The chain stops at the first other process: a shell that started a daemon
 * with `&` may exit, and the daemon keeps running.
 *
 * Linux only, and only with --allow-all: Deno lets nothing less read
 * /proc/PID. Elsewhere there is no chain and nothing is watched.
 * @module
 */

/** A process as /proc shows it. */
export interface ProcessInfo {
  pid: number;
  ppid: number;
  /** Start time since boot (clock ticks): tells a reused pid from ours. */
  start: string;
  argv: string[];
}

/** How often the launchers are checked (ms). */
const WATCH_MS = 250;

/** Deepest chain looked at (npm, sh, deno task, and room to spare). */
const MAX_DEPTH = 6;

/** The parent pid and start time from the text of /proc/PID/stat. */
export function parseStat(text: string): { ppid: number; start: string } {
  // The name (field 2) is in parentheses and may hold spaces or ")".
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  // Fields from 3 on: state, ppid, ..., starttime is field 22.
  const ppid = Number(fields[1]);
  const start = fields[19];
  if (!Number.isInteger(ppid) || start === undefined) {
    throw new SyntaxError(`Cannot parse /proc stat: "${text.slice(0, 80)}"`);
  }
  return { ppid, start };
}

/** The argument vector from the text of /proc/PID/cmdline. */
export function parseCmdline(text: string): string[] {
  return text.split("\0").filter((arg) => arg !== "");
}

function base(path: string | undefined): string {
  return path?.slice(path.lastIndexOf("/") + 1) ?? "";
}

function isDenoTask(argv: string[]): boolean {
  return /^deno(\.exe)?$/.test(base(argv[0])) && argv[1] === "task";
}

function isNpm(argv: string[]): boolean {
  // npm renames itself ("npm exec deno task serve --state /tmp/f": the whole
  // title is argv[0], so its first word counts, not what follows a "/");
  // else node runs npm-cli.js.
  return /^np[mx]$/.test(base(argv[0])) || /^np[mx] /.test(argv[0] ?? "") ||
    (base(argv[0]) === "node" && /np[mx](-cli\.js)?$/.test(argv[1] ?? ""));
}

function isShellCommand(argv: string[]): boolean {
  return /^(sh|dash|bash|zsh|ash)$/.test(base(argv[0])) && argv[1] === "-c";
}

/**
 * The launchers that wait for us, nearest first, from our `ancestors`
 * (parent first): `deno task` and npm, and a `sh -c` only when npm ran it.
 */
export function launcherChain(ancestors: ProcessInfo[]): ProcessInfo[] {
  const chain: ProcessInfo[] = [];
  for (const [i, process] of ancestors.entries()) {
    const { argv } = process;
    const next = ancestors[i + 1];
    const launcher = isDenoTask(argv) || isNpm(argv) ||
      (isShellCommand(argv) && next !== undefined && isNpm(next.argv));
    if (!launcher) break;
    chain.push(process);
  }
  return chain;
}

function readProcess(pid: number): ProcessInfo | undefined {
  try {
    const { ppid, start } = parseStat(
      Deno.readTextFileSync(`/proc/${pid}/stat`),
    );
    const argv = parseCmdline(Deno.readTextFileSync(`/proc/${pid}/cmdline`));
    return { pid, ppid, start, argv };
  } catch {
    return undefined;
  }
}

function ancestors(): ProcessInfo[] {
  const found: ProcessInfo[] = [];
  let pid = Deno.ppid;
  while (pid > 1 && found.length < MAX_DEPTH) {
    const process = readProcess(pid);
    if (process === undefined) break;
    found.push(process);
    pid = process.ppid;
  }
  return found;
}

function alive(process: ProcessInfo): boolean {
  try {
    const { start } = parseStat(
      Deno.readTextFileSync(`/proc/${process.pid}/stat`),
    );
    return start === process.start;
  } catch {
    return false;
  }
}

/**
 * Call `onGone` once when a launcher waiting for this process is gone.
 * Returns a function that stops watching. Does nothing without a chain.
 */
export function watchLaunchers(onGone: () => void): () => void {
  const chain = Deno.build.os === "linux" ? launcherChain(ancestors()) : [];
  if (chain.length === 0) return () => {};
  const timer = setInterval(() => {
    if (chain.every(alive)) return;
    clearInterval(timer);
    onGone();
  }, WATCH_MS);
  // The watch alone does not keep the process alive.
  Deno.unrefTimer(timer);
  return () => clearInterval(timer);
}
