/**
 * End-to-end: every command line mistake is one line on stderr, prefixed
 * "udpchat:", in the user's language, with exit code 2.
 */

import assert from "node:assert/strict";
import { Proc } from "./_cli.ts";

Deno.test("command line mistakes are one udpchat: line on stderr, exit 2, in English or Chinese", async () => {
  const blocker = Deno.listenDatagram({
    transport: "udp",
    hostname: "127.0.0.1",
    port: 0,
  });
  const used = String((blocker.addr as Deno.NetAddr).port);
  const missing = "/nonexistent-udpchat-dir/x";
  const tcpBlocker = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const tcpUsed = String((tcpBlocker.addr as Deno.NetAddr).port);
  const cases: Array<[string[], RegExp]> = [
    [
      ["serve", "--bogus"],
      /^udpchat: Unknown option --bogus; "udpchat serve --help"/,
    ],
    [
      ["serve", "--port", "-1"],
      /^udpchat: Invalid --port "-1": give a port from 0 to 65535$/,
    ],
    [["serve", "--port"], /^udpchat: --port needs a value/],
    [
      ["serve", "--host", "127.0.0.1", "--port", used],
      /^udpchat: Cannot listen on 127\.0\.0\.1:\d+: the port is in use/,
    ],
    [
      ["serve", "--port", "0", "--state", missing],
      /^udpchat: Cannot use --state \/nonexistent-udpchat-dir\/x: its folder does not exist; give a file/,
    ],
    [
      ["serve", "--port", "0", "--passphrase-file", missing],
      /^udpchat: Cannot read --passphrase-file .*: there is no such file/,
    ],
    [["join", "bob", "--json=1"], /^udpchat: --json takes no value/],
    [
      ["join", "bob", "--server", "127.0.0.1:x"],
      /^udpchat: Invalid --server "127\.0\.0\.1:x": give HOST:PORT/,
    ],
    [
      ["join", "bob", "--server", "127.0.0.1:1,,127.0.0.1:2"],
      /^udpchat: Invalid --server "127\.0\.0\.1:1,,127\.0\.0\.1:2": an item is empty/,
    ],
    [
      ["send", "bob", "hi", "--server", "127.0.0.1:1,127.0.0.1:1"],
      /^udpchat: Invalid --server ".*": 127\.0\.0\.1:1 is given twice/,
    ],
    [
      ["serve", "--port", "0", "--room", "a\x07b"],
      /^udpchat: Invalid --room ".*": give a name of 1 to 64 bytes/,
    ],
    [["find", "--wait", "0"], /^udpchat: Invalid --wait "0": give a positive/],
    [
      ["serve", "--port", "0", "--web", "nope"],
      /^udpchat: Invalid --web "nope": give a TCP port, or HOST:PORT/,
    ],
    [
      ["serve", "--port", "0", "--web", "0", "--web-origin", "ftp://x"],
      /^udpchat: Invalid --web-origin "ftp:\/\/x": give origins separated/,
    ],
    [
      ["serve", "--host", "127.0.0.1", "--port", "0", "--web", tcpUsed],
      /^udpchat: Cannot listen on 127\.0\.0\.1:\d+: the port is in use/,
    ],
    [
      ["serve", "--port", "0", "--cluster", "http://:pw@127.0.0.1:6379"],
      /^udpchat: Invalid --cluster "http:\/\/\*\*\*@127\.0\.0\.1:6379": give redis:\/\//,
    ],
    [["frobnicate"], /^udpchat: Unknown command "frobnicate"/],
  ];
  try {
    for (const [args, english] of cases) {
      for (const lang of ["en", "zh"]) {
        const argv = args[0] === "frobnicate"
          ? args
          : [...args, "--lang", lang];
        await using proc = new Proc(argv, { LANG: "C" });
        assert.equal((await proc.status()).code, 2, argv.join(" "));
        const lines = proc.errors.filter((line) => line !== "");
        assert.equal(lines.length, 1, lines.join("\n"));
        const line = lines[0]!;
        assert.ok(line.startsWith("udpchat: "), line);
        assert.doesNotMatch(
          line,
          /positional|ambiguous|os error|\.tmp|Uncaught/,
        );
        if (lang === "en" || args[0] === "frobnicate") {
          assert.match(line, english);
        } else {
          // Only option names, values and commands stay Latin.
          const words = line.replace(
            /udpchat|--[a-z-]+|"[^"]*"|\S*\/\S*|[\w.:]*\d[\w.:]*|HOST|PORT|serve|join|send/g,
            "",
          );
          assert.doesNotMatch(words, /[A-Za-z]{3,}/, line);
        }
      }
    }
  } finally {
    blocker.close();
    tcpBlocker.close();
  }
});

Deno.test("serve --cluster with a Redis nobody answers at: one line, its password hidden, exit 2", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  const url = `redis://:hunter2@127.0.0.1:${port}`;
  for (const via of ["flag", "env"]) {
    const args = ["serve", "--host", "127.0.0.1", "--port", "0"];
    await using proc = via === "flag"
      ? new Proc([...args, "--cluster", url], { LANG: "C" })
      : new Proc(args, { LANG: "C", UDPCHAT_CLUSTER: url });
    assert.equal((await proc.status()).code, 2, via);
    const lines = proc.errors.filter((line) => line !== "");
    assert.equal(lines.length, 1, lines.join("\n"));
    assert.match(
      lines[0]!,
      new RegExp(
        `^udpchat: Cannot reach the room's Redis at redis://\\*\\*\\*@127\\.0\\.0\\.1:${port} `,
      ),
    );
    assert.doesNotMatch([...proc.lines, ...proc.errors].join("\n"), /hunter2/);
  }
});
