import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { cliWords } from "../wording/cli.ts";
import {
  cliLang,
  lang,
  number,
  parse,
  port,
  serverAddress,
  serverList,
  UsageError,
  whole,
} from "./args.ts";

/** What `run` throws: a UsageError, in English and in Chinese. */
function said(run: () => unknown): { en: string; zh: string } {
  try {
    run();
  } catch (error) {
    strictEqual(error instanceof UsageError, true, String(error));
    const { say, message } = error as UsageError;
    strictEqual(message, say(cliWords("en")));
    return { en: say(cliWords("en")), zh: say(cliWords("zh")) };
  }
  throw new Error("Nothing was thrown");
}

Deno.test({
  name: "number() returns the fallback when unset, the value otherwise",
  permissions: "none",
  fn() {
    strictEqual(number(undefined, "--timeout", 10), 10);
    strictEqual(number("2.5", "--timeout", 10), 2.5);
    strictEqual(number("0", "--rate", 5, 0), 0);
    strictEqual(whole("7", "--burst", 10, 1), 7);
    strictEqual(whole(undefined, "--history", 50), 50);
  },
});

Deno.test({
  name:
    "command line errors say what was wrong and what to do, in one line, in English and in Chinese alike",
  permissions: "none",
  fn() {
    const string = { type: "string" } as const;
    const cases: Array<[() => unknown, string, RegExp]> = [
      [
        () => number("0", "--timeout", 10),
        'Invalid --timeout "0": give a positive number',
        /--timeout 的值"0"无效: 请给出正数/,
      ],
      [
        () => number("-1", "--rate", 5, 0),
        'Invalid --rate "-1": give a non-negative number',
        /非负数/,
      ],
      [
        () => number("1e3", "--timeout", 10),
        'Invalid --timeout "1e3": give a positive number',
        /1e3/,
      ],
      [
        () => number(true, "--timeout", 10),
        'Invalid --timeout "true": give a positive number',
        /true/,
      ],
      [
        () => whole("1.5", "--max-members", 10_000, 1),
        'Invalid --max-members "1.5": give a positive whole number',
        /正整数/,
      ],
      [
        () => whole("0", "--burst", 10, 1),
        'Invalid --burst "0": give a positive whole number',
        /--burst/,
      ],
      [
        () => parse(["--bogus"], {}, "serve"),
        'Unknown option --bogus; "udpchat serve --help" lists the options',
        /没有 --bogus 这个选项；"udpchat serve --help" 列出所有选项/,
      ],
      [
        () => parse(["--port"], { port: string }, "serve"),
        '--port needs a value: --port VALUE (--port=VALUE for a value starting with "-")',
        /--port 需要一个值/,
      ],
      [
        () => parse(["--port", "--json"], { port: string }, "serve"),
        '--port needs a value: --port VALUE (--port=VALUE for a value starting with "-")',
        /--port=值/,
      ],
      [
        () => parse(["--json=x"], { json: { type: "boolean" } }, "join"),
        "--json takes no value; give it alone",
        /--json 不带值/,
      ],
      [
        () => port("-1"),
        'Invalid --port "-1": give a port from 0 to 65535',
        /0 到 65535/,
      ],
      [
        () => port("70000"),
        'Invalid --port "70000": give a port from 0 to 65535',
        /70000/,
      ],
      [
        () => serverAddress("nohost:", 8888),
        'Invalid --server "nohost:": give HOST:PORT, such as 127.0.0.1:8888',
        /主机:端口/,
      ],
      [
        () => serverList("127.0.0.1:1,,127.0.0.1:2", 8888),
        'Invalid --server "127.0.0.1:1,,127.0.0.1:2": an item is empty; give HOST:PORT,HOST:PORT without empty items',
        /有一项为空/,
      ],
      [
        () => serverList("a:8888,b,a", 8888),
        'Invalid --server "a:8888,b,a": a:8888 is given twice; give each server once',
        /a:8888 出现了两次/,
      ],
      [
        () => serverList("a:1,b:x", 8888),
        'Invalid --server "b:x": give HOST:PORT, such as 127.0.0.1:8888',
        /主机:端口/,
      ],
      [
        () => lang("fr"),
        'Unsupported --lang "fr": give en or zh',
        /请用 en 或 zh/,
      ],
    ];
    for (const [run, en, zh] of cases) {
      const words = said(run);
      strictEqual(words.en, en);
      strictEqual(words.zh.includes("\n"), false);
      strictEqual(zh.test(words.zh), true, words.zh);
      // Chinese never falls back to English words.
      strictEqual(/\b(Invalid|give|needs|Unknown)\b/.test(words.zh), false);
    }
  },
});

Deno.test({
  name: "parse() leaks none of node:util's wording",
  permissions: "none",
  fn() {
    for (
      const args of [["--bogus"], ["-x"], ["--port"], ["--port", "-x"], [
        "--json=1",
      ]]
    ) {
      const { en } = said(() =>
        parse(
          args,
          { port: { type: "string" }, json: { type: "boolean" } },
          "join",
        )
      );
      strictEqual(/positional|ambiguous|argument/.test(en), false, en);
    }
  },
});

Deno.test({
  name:
    "parse() takes a negative number after an option as its value (parseArgs calls it ambiguous)",
  permissions: "none",
  fn() {
    const options = { port: { type: "string" as const } };
    strictEqual(parse(["--port", "-1"], options, "serve").values.port, "-1");
    deepStrictEqual(
      parse(["--", "--port", "-1"], options, "serve").values.port,
      "-1",
    );
    deepStrictEqual(
      parse(["a", "--", "--port", "-1"], options, "join").positionals,
      ["a", "--port", "-1"],
    );
  },
});

Deno.test({
  name: "cliLang() takes --lang before parsing, else the locale",
  permissions: "none",
  fn() {
    strictEqual(cliLang(["serve", "--lang", "zh", "--bogus"]), "zh");
    strictEqual(cliLang(["serve", "--lang=zh"]), "zh");
    strictEqual(cliLang(["serve", "--lang", "fr"]), cliLang(["serve"]));
  },
});

Deno.test({
  name: "parse() reads options, positionals, --help and --version",
  permissions: "none",
  fn() {
    const { values, positionals } = parse(
      ["alice", "--server", "h:1", "-V"],
      { server: { type: "string" } },
      "join",
    );
    deepStrictEqual(positionals, ["alice"]);
    strictEqual(values.server, "h:1");
    strictEqual(values.version, true);
    strictEqual(parse(["-h"], {}, "join").values.help, true);
  },
});

Deno.test({
  name: "parse() drops one leading -- (deno task passes it on), and only that",
  permissions: "none",
  fn() {
    const options = { port: { type: "string" as const } };
    strictEqual(
      parse(["--", "--port", "0"], options, "serve").values.port,
      "0",
    );
    deepStrictEqual(parse(["--", "alice"], {}, "join").positionals, ["alice"]);
    deepStrictEqual(parse(["--", "--", "-x"], {}, "join").positionals, ["-x"]);
    deepStrictEqual(
      parse(["alice", "--", "--port"], options, "join").positionals,
      ["alice", "--port"],
    );
  },
});

Deno.test({
  name: "serverList() parses each item as --server does, in order",
  permissions: "none",
  fn() {
    deepStrictEqual(serverList("127.0.0.1:9000", 8888), [
      { hostname: "127.0.0.1", port: 9000 },
    ]);
    deepStrictEqual(serverList("a,[::1]:7,b:8889", 8888), [
      { hostname: "a", port: 8888 },
      { hostname: "::1", port: 7 },
      { hostname: "b", port: 8889 },
    ]);
  },
});
