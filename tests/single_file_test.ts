/**
 * End-to-end tests of the single file: `deno task compile` builds it, and a
 * copy in an empty directory outside the repository, run by a user with an
 * empty HOME, hosts a room and joins it. On a machine without Deno's denort
 * runtime (this project's) the file is the self-extracting kind; where it
 * unpacks is checked too.
 */

import assert from "node:assert/strict";
import { Proc, startMember, startServer, webUrl } from "./_cli.ts";
import {
  BUILD_MS,
  FIRST_RUN_MS,
  isSelfExtracting,
  newUser,
  tempDir,
} from "./_single_file.ts";
import { VERSION } from "../cli/args.ts";
import { WORKER_FILES } from "../tools/compile.ts";
import { redisMissing, TestRedis } from "./_redis.ts";

/** A cache directory's name: the version and a content hash. */
const ID = `${VERSION.replaceAll(".", "\\.")}-[0-9a-f]{16}`;

/** `deno task compile --output FILE`, with extra environment. */
async function compile(
  output: string,
  env: Record<string, string> = {},
): Promise<{ success: boolean; out: string }> {
  await using task = new Proc(["task", "compile", "--output", output], env, []);
  const { success } = await task.status(BUILD_MS);
  return { success, out: [...task.lines, ...task.errors].join("\n") };
}

/** Every path under `dir`, relative to it, down to `depth` levels. */
async function tree(dir: string, depth: number): Promise<string[]> {
  const found: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    found.push(entry.name);
    if (entry.isDirectory && depth > 1) {
      for (const sub of await tree(`${dir}/${entry.name}`, depth - 1)) {
        found.push(`${entry.name}/${sub}`);
      }
    }
  }
  return found.sort();
}

Deno.test("deno task compile: ./udpchat in an empty directory with an empty HOME serves, joins, quits and stops on SIGTERM", async () => {
  await using build = await tempDir("udpchat-build-");
  await using run = await tempDir("udpchat-run-");
  await using home = await tempDir("udpchat-home-");
  // An earlier build's file is replaced (deno compile refuses to overwrite it).
  await Deno.writeTextFile(`${build.path}/udpchat`, "#!/bin/sh\necho old\n");
  const { success, out } = await compile(`${build.path}/udpchat`);
  assert.ok(success, out);
  assert.match(out, /^compile: built \S+ \((deno compile|self-extracting)/m);
  await Deno.copyFile(`${build.path}/udpchat`, `${run.path}/udpchat`);
  await Deno.chmod(`${run.path}/udpchat`, 0o755);
  const launch = newUser(run.path, home.path);

  await using server = await startServer(
    ["--web", "127.0.0.1:0"],
    launch,
    FIRST_RUN_MS,
  );
  // Every worker came along: the discovery worker answers (it once did not).
  await server.waitFor("Answering udpchat find", FIRST_RUN_MS);
  // And the browser pages, which no module imports.
  const url = await webUrl(server);
  for (const path of ["/", "/member.js", "/projector"]) {
    const response = await fetch(`${url}${path}`);
    assert.equal(response.status, 200, path);
    assert.match(await response.text(), /udpchat|socketUrl/, path);
  }
  await using alice = await startMember("alice", server.port, { launch });
  await using bob = await startMember("bob", server.port, { launch });
  await alice.type("hello from the single file");
  await bob.waitFor("alice: hello from the single file", 30_000);
  for (const member of [alice, bob]) {
    await member.type("/quit");
    const status = await member.status(30_000);
    assert.equal(status.code, 0, member.errors.join("\n"));
  }
  // The npm package --cluster loads (the Redis client) came along too.
  if (redisMissing() === undefined) {
    await using redis = await TestRedis.start();
    const cluster = ["--cluster", redis.url, "--no-announce"];
    await using one = await startServer(cluster, launch, FIRST_RUN_MS);
    await using two = await startServer(cluster, launch, FIRST_RUN_MS);
    await using carol = await startMember("carol", one.port, { launch });
    await using dave = await startMember("dave", two.port, { launch });
    await carol.type("across servers");
    await dave.waitFor("carol: across servers", 30_000);
  }
  server.kill("SIGTERM");
  const stopped = await server.status(30_000);
  assert.equal(stopped.code, 0, server.errors.join("\n"));
  assert.deepEqual(
    [...server.lines, ...server.errors].filter((line) =>
      /Uncaught|Module not found|Discovery stopped/.test(line)
    ),
    [],
  );

  // Without a HOME it still runs (the sh header unpacks under $TMPDIR), and
  // two first runs at once both run, leaving one unpacked copy.
  await using tmp = await tempDir("udpchat-tmpdir-");
  const noHome = { ...launch, env: { HOME: "", XDG_CACHE_HOME: "" } };
  await using first = new Proc(["--version"], { TMPDIR: tmp.path }, noHome);
  await using second = new Proc(["--version"], { TMPDIR: tmp.path }, noHome);
  for (const version of [first, second]) {
    assert.equal((await version.status(FIRST_RUN_MS)).code, 0);
    assert.deepEqual(version.lines, [VERSION], version.errors.join("\n"));
  }

  // Nothing was written beside the file or anywhere in HOME but the cache.
  assert.deepEqual(await tree(run.path, 1), ["udpchat"]);
  if (!await isSelfExtracting(`${run.path}/udpchat`)) return;
  assert.match(
    (await tree(tmp.path, 2)).join(" "),
    new RegExp(`^udpchat-\\d+ udpchat-\\d+/${ID}$`),
  );
  const cached = await tree(`${home.path}`, 3);
  assert.equal(cached.length, 3, cached.join(", "));
  assert.match(cached[2]!, new RegExp(`^\\.cache/udpchat/${ID}$`));
  const unpacked = `${home.path}/${cached[2]}`;
  assert.deepEqual(await tree(unpacked, 1), ["deno", "deno_dir", "src"]);
  const sources = await tree(`${unpacked}/src`, 3);
  assert.ok(sources.includes("server/net_worker.ts"), sources.join(", "));
  assert.ok(sources.includes("client/net_worker.ts"), sources.join(", "));
  assert.deepEqual(
    sources.filter((path) => /_test\.ts$|^(tests|bench)\b/.test(path)),
    [],
  );
});

Deno.test("deno task compile fails loudly, leaving no file, when DENORT_BIN is not a denort (it would build a Deno REPL)", async () => {
  await using build = await tempDir("udpchat-build-");
  const file = `${build.path}/udpchat`;
  const { success, out } = await compile(file, {
    DENORT_BIN: Deno.execPath(),
  });
  assert.equal(success, false, out);
  assert.match(out, /^compile: \S+ is not udpchat: .* printed "deno /m);
  await assert.rejects(Deno.stat(file), Deno.errors.NotFound);
});

Deno.test("deno task compile packs every worker the program starts", async () => {
  const starts: string[] = [];
  for (const dir of ["server", "client"]) {
    for await (
      const entry of Deno.readDir(new URL(`../${dir}/`, import.meta.url))
    ) {
      if (!entry.name.endsWith(".ts")) continue;
      const text = await Deno.readTextFile(
        new URL(`../${dir}/${entry.name}`, import.meta.url),
      );
      for (
        const match of text.matchAll(/new URL\(\s*"\.\/(\w+_worker\.ts)"/g)
      ) {
        starts.push(`${dir}/${match[1]}`);
      }
    }
  }
  assert.ok(starts.length >= 3, starts.join(", "));
  for (const file of starts) assert.ok(WORKER_FILES.includes(file), file);
});
