/**
 * The self-extracting single file's sh header against a hostile or damaged
 * cache, with a stand-in payload (a `deno` that prints its arguments) so no
 * 40 MB build is needed: a damaged copy is replaced, a cache directory that
 * is a symbolic link or that others may write is never used, and a HOME
 * with spaces works.
 */

import assert from "node:assert/strict";
import { header } from "../tools/single_file.ts";
import { tempDir } from "./_single_file.ts";

const ID = "0.0.0-cafe0123cafe0123";

/** The header of tools/single_file.sh over a payload whose `deno` echoes. */
async function fakeSingleFile(dir: string): Promise<string> {
  const stage = `${dir}/stage`;
  await Deno.mkdir(`${stage}/src`, { recursive: true });
  await Deno.writeTextFile(`${stage}/deno`, '#!/bin/sh\necho "ran $*"\n', {
    mode: 0o755,
  });
  await Deno.writeTextFile(`${stage}/src/main.ts`, "");
  await Deno.writeTextFile(`${stage}/src/deno.json`, "{}");
  const tar = await new Deno.Command("tar", {
    args: ["-czf", "-", "-C", stage, "deno", "src"],
    stdout: "piped",
  }).output();
  assert.equal(tar.code, 0, "tar of the stand-in payload");
  const template = await Deno.readTextFile(
    new URL("../tools/single_file.sh", import.meta.url),
  );
  const head = header(template, { id: ID, deno: "0", permissions: [] });
  const file = `${dir}/udpchat`;
  await Deno.writeFile(file, new Uint8Array([...head, ...tar.stdout]), {
    mode: 0o755,
  });
  return file;
}

/** Run `file --version` with only `env` (and PATH) in its environment. */
async function run(file: string, env: Record<string, string>) {
  const { code, stdout, stderr } = await new Deno.Command(file, {
    args: ["--version"],
    clearEnv: true,
    env: { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes).trim();
  return { code, out: text(stdout), err: text(stderr) };
}

Deno.test("single file: a cached copy with a file missing is replaced, not run broken", async () => {
  await using dir = await tempDir("udpchat-cache-");
  const file = await fakeSingleFile(dir.path);
  const home = `${dir.path}/home with spaces`;
  await Deno.mkdir(home);
  const first = await run(file, { HOME: home });
  assert.equal(first.code, 0, first.err);
  assert.match(first.out, /^ran run .*home with spaces.*main\.ts --version$/);
  const copy = `${home}/.cache/udpchat/${ID}`;
  await Deno.remove(`${copy}/src/main.ts`);
  const again = await run(file, { HOME: home });
  assert.equal(again.code, 0, again.err);
  assert.match(again.out, /^ran run /);
  await Deno.stat(`${copy}/src/main.ts`);
  // Nothing left beside it.
  const names = [];
  for await (const e of Deno.readDir(`${home}/.cache/udpchat`)) {
    names.push(e.name);
  }
  assert.deepEqual(names, [ID]);
});

Deno.test("single file: a cache directory that is a symbolic link, or that others may write, is not used", async () => {
  await using dir = await tempDir("udpchat-cache-");
  const file = await fakeSingleFile(dir.path);
  const uid = Deno.uid();
  // No HOME: the last choice is $TMPDIR/udpchat-UID, here a link planted to
  // a directory that its planter could swap for one holding its own deno.
  const tmp = `${dir.path}/tmp`;
  const elsewhere = `${dir.path}/elsewhere`;
  await Deno.mkdir(tmp);
  await Deno.mkdir(elsewhere, { mode: 0o700 });
  await Deno.symlink(elsewhere, `${tmp}/udpchat-${uid}`);
  const linked = await run(file, { TMPDIR: tmp });
  assert.equal(linked.code, 1, linked.out);
  assert.match(linked.err, /^udpchat: no writable cache directory/);
  assert.deepEqual(await Array.fromAsync(Deno.readDir(elsewhere)), []);
  // An XDG cache others may write is passed over for the one in HOME.
  const xdg = `${dir.path}/xdg`;
  await Deno.mkdir(`${xdg}/udpchat`, { recursive: true });
  await Deno.chmod(`${xdg}/udpchat`, 0o777);
  const home = `${dir.path}/home`;
  await Deno.mkdir(home);
  const open = await run(file, { XDG_CACHE_HOME: xdg, HOME: home });
  assert.equal(open.code, 0, open.err);
  assert.deepEqual(await Array.fromAsync(Deno.readDir(`${xdg}/udpchat`)), []);
  await Deno.stat(`${home}/.cache/udpchat/${ID}/deno`);
});
