import { deepStrictEqual, strictEqual, throws } from "node:assert/strict";
import { number, parse, UsageError, whole } from "./args.ts";

function usageError(message: string): (error: unknown) => boolean {
  return (error) => {
    strictEqual(error instanceof UsageError, true);
    strictEqual((error as Error).message, message);
    return true;
  };
}

Deno.test({
  name: "number() returns the fallback when unset, the value otherwise",
  permissions: "none",
  fn() {
    strictEqual(number(undefined, "timeout", 10), 10);
    strictEqual(number("2.5", "timeout", 10), 2.5);
    strictEqual(number("0", "rate", 5, 0), 0);
  },
});

Deno.test({
  name: "number() rejects zero unless allowed, signs, words and flags",
  permissions: "none",
  fn() {
    throws(
      () => number("0", "timeout", 10),
      usageError('Invalid timeout "0": expected a positive number'),
    );
    throws(
      () => number("-1", "rate", 5, 0),
      usageError('Invalid rate "-1": expected a non-negative number'),
    );
    throws(
      () => number("1e3", "timeout", 10),
      usageError('Invalid timeout "1e3": expected a positive number'),
    );
    throws(
      () => number("", "timeout", 10),
      usageError('Invalid timeout "": expected a positive number'),
    );
    throws(
      () => number(true, "timeout", 10),
      usageError('Invalid timeout "true": expected a positive number'),
    );
  },
});

Deno.test({
  name: "whole() rejects a fraction and a value under its minimum",
  permissions: "none",
  fn() {
    strictEqual(whole("7", "burst", 10, 1), 7);
    strictEqual(whole(undefined, "history size", 50), 50);
    throws(
      () => whole("1.5", "member count", 10_000, 1),
      usageError('Invalid member count "1.5": expected a whole number'),
    );
    throws(
      () => whole("0", "burst", 10, 1),
      usageError('Invalid burst "0": expected a positive number'),
    );
  },
});

Deno.test({
  name: "parse() reads options, positionals, --help and --version",
  permissions: "none",
  fn() {
    const { values, positionals } = parse(
      ["alice", "--server", "h:1", "-V"],
      { server: { type: "string" } },
    );
    deepStrictEqual(positionals, ["alice"]);
    strictEqual(values.server, "h:1");
    strictEqual(values.version, true);
    strictEqual(parse(["-h"], {}).values.help, true);
  },
});

Deno.test({
  name:
    "parse() turns an unknown or incomplete option into a one-line UsageError",
  permissions: "none",
  fn() {
    throws(
      () => parse(["--bogus"], {}),
      (error) => {
        strictEqual(error instanceof UsageError, true);
        const { message } = error as Error;
        strictEqual(message.startsWith("Unknown option '--bogus'"), true);
        strictEqual(message.includes("\n"), false);
        return true;
      },
    );
    throws(
      () => parse(["--port"], { port: { type: "string" } }),
      usageError("Option '--port <value>' argument missing"),
    );
    throws(
      () => parse(["--verbose=x"], { verbose: { type: "boolean" } }),
      usageError("Option '--verbose' does not take an argument"),
    );
  },
});

Deno.test({
  name: "parse() drops one leading -- (deno task passes it on), and only that",
  permissions: "none",
  fn() {
    const options = { port: { type: "string" as const } };
    strictEqual(parse(["--", "--port", "0"], options).values.port, "0");
    deepStrictEqual(parse(["--", "alice"], {}).positionals, ["alice"]);
    deepStrictEqual(parse(["--", "--", "-x"], {}).positionals, ["-x"]);
    deepStrictEqual(parse(["alice", "--", "--port"], options).positionals, [
      "alice",
      "--port",
    ]);
  },
});
