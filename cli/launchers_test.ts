import { deepStrictEqual, strictEqual, throws } from "node:assert/strict";
import {
  launcherChain,
  parseCmdline,
  parseStat,
  type ProcessInfo,
} from "./launchers.ts";

function proc(pid: number, ...argv: string[]): ProcessInfo {
  return { pid, ppid: pid - 1, start: String(pid * 10), argv };
}

/** Ancestors of the launcher under `npx deno task serve`, as measured. */
const NPX = [
  proc(40, "deno", "task", "serve", "--", "--port", "0"),
  proc(30, "sh", "-c", "'deno' task serve -- --port 0"),
  proc(20, "npm exec deno task serve -- --port 0"),
  proc(10, "bash"),
  proc(5, "tmux: server"),
];

Deno.test({
  name: "parseStat() reads the parent and start time past a name with spaces",
  permissions: "none",
  fn() {
    const fields = Array.from({ length: 50 }, (_, i) => String(i + 3));
    // Fields 3 (state) on: ppid is field 4, starttime field 22.
    fields[0] = "S";
    fields[1] = "13141";
    fields[19] = "1022202";
    deepStrictEqual(
      parseStat(`13170 (npm exec deno t) x) ${fields.join(" ")}`),
      { ppid: 13141, start: "1022202" },
    );
    throws(() => parseStat("garbage"), SyntaxError);
  },
});

Deno.test({
  name: "parseCmdline() splits on NUL and drops the padding npm leaves",
  permissions: "none",
  fn() {
    deepStrictEqual(parseCmdline("deno\0task\0serve\0"), [
      "deno",
      "task",
      "serve",
    ]);
    deepStrictEqual(parseCmdline("npm exec deno task\0\0\0\0"), [
      "npm exec deno task",
    ]);
  },
});

Deno.test({
  name: "launcherChain() under npx takes deno task, the sh npm ran, and npm",
  permissions: "none",
  fn() {
    deepStrictEqual(launcherChain(NPX).map((p) => p.pid), [40, 30, 20]);
  },
});

Deno.test({
  name: "launcherChain() under npx takes npm when an argument holds a slash",
  permissions: "none",
  fn() {
    // npm's title is one argv[0]: "/" in --state once hid npm (it stayed
    // unwatched, so SIGTERM to npm left the server holding the port).
    const chain = launcherChain([
      proc(40, "deno", "task", "serve", "--state", "/tmp/r/s.jsonl"),
      proc(30, "sh", "-c", "deno task serve --state /tmp/r/s.jsonl"),
      proc(20, "npm exec deno task serve --state /tmp/r/s.jsonl"),
      proc(10, "bash"),
    ]);
    deepStrictEqual(chain.map((p) => p.pid), [40, 30, 20]);
  },
});

Deno.test({
  name: "launcherChain() under npm start (node running npm-cli.js) takes both",
  permissions: "none",
  fn() {
    const chain = launcherChain([
      proc(40, "/usr/bin/deno", "task", "serve"),
      proc(30, "/bin/sh", "-c", "deno task serve"),
      proc(20, "node", "/usr/lib/node_modules/npm/bin/npm-cli.js", "start"),
      proc(10, "bash"),
    ]);
    deepStrictEqual(chain.map((p) => p.pid), [40, 30, 20]);
  },
});

Deno.test({
  name: "launcherChain() stops at a shell not run by npm: a daemon outlives it",
  permissions: "none",
  fn() {
    // `sh -c 'deno task serve </dev/null &'` exits at once; the server stays.
    const chain = launcherChain([
      proc(40, "deno", "task", "serve"),
      proc(30, "sh", "-c", "deno task serve </dev/null &"),
      proc(20, "sshd: user"),
    ]);
    deepStrictEqual(chain.map((p) => p.pid), [40]);
    // Started from a shell directly: nothing to watch.
    strictEqual(launcherChain([proc(10, "bash"), ...NPX]).length, 0);
    strictEqual(launcherChain([]).length, 0);
  },
});
