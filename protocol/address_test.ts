import { deepStrictEqual, strictEqual, throws } from "node:assert/strict";
import { formatAddress, parseAddress, parsePort } from "./address.ts";

Deno.test({
  name: "parseAddress() reads an IPv4 host and port",
  permissions: "none",
  fn() {
    deepStrictEqual(parseAddress("127.0.0.1:9000", 1), {
      hostname: "127.0.0.1",
      port: 9000,
    });
    deepStrictEqual(parseAddress("chat.example.com:0", 1), {
      hostname: "chat.example.com",
      port: 0,
    });
  },
});

Deno.test({
  name: "parseAddress() uses the default port for a bare host",
  permissions: "none",
  fn() {
    deepStrictEqual(parseAddress("localhost", 4321), {
      hostname: "localhost",
      port: 4321,
    });
    deepStrictEqual(parseAddress("10.0.0.7", 4321), {
      hostname: "10.0.0.7",
      port: 4321,
    });
  },
});

Deno.test({
  name: "parseAddress() reads a bracketed IPv6 host with and without a port",
  permissions: "none",
  fn() {
    deepStrictEqual(parseAddress("[::1]:7", 1), { hostname: "::1", port: 7 });
    deepStrictEqual(parseAddress("[::1]", 4321), {
      hostname: "::1",
      port: 4321,
    });
    deepStrictEqual(parseAddress("[2001:db8::a:B]:65535", 1), {
      hostname: "2001:db8::a:B",
      port: 65535,
    });
    deepStrictEqual(parseAddress("[::ffff:127.0.0.1]:80", 1), {
      hostname: "::ffff:127.0.0.1",
      port: 80,
    });
  },
});

Deno.test({
  name: "parseAddress() rejects an unbracketed IPv6 host as ambiguous",
  permissions: "none",
  fn() {
    for (const text of ["::1", "::1:9000", "2001:db8::1", "fe80::1:80"]) {
      throws(() => parseAddress(text, 1), {
        name: "SyntaxError",
        message: `Invalid address "${text}": expected HOST:PORT`,
      }, text);
    }
  },
});

Deno.test({
  name: "parseAddress() rejects a port that is not a number from 0 to 65535",
  permissions: "none",
  fn() {
    for (
      const port of [
        "x",
        "65536",
        "-1",
        "",
        "99999",
        "123456",
        "1e3",
        "+1",
        " 80",
        "80 ",
        "0x50",
        "８０",
      ]
    ) {
      throws(() => parseAddress(`localhost:${port}`, 1), {
        name: "RangeError",
        message: `Invalid port "${port}": expected a number from 0 to 65535`,
      }, JSON.stringify(port));
      throws(
        () => parseAddress(`[::1]:${port}`, 1),
        RangeError,
        JSON.stringify(port),
      );
    }
  },
});

Deno.test({
  name: "parseAddress() rejects an empty host or a host with white space",
  permissions: "none",
  fn() {
    for (const text of ["", ":9000", "my host:9000", "host\t", "[::1]x"]) {
      throws(() => parseAddress(text, 1), SyntaxError, JSON.stringify(text));
    }
  },
});

Deno.test({
  name: "parseAddress() rejects brackets around something other than IPv6",
  permissions: "none",
  fn() {
    // "[]:7" gives { hostname: "[]", port: 7 } and "[bob]:7" gives "[bob]":
    // the error surfaces later as a failed name lookup instead of a
    // command-line SyntaxError.
    for (const text of ["[]:7", "[bob]:7", "[]"]) {
      throws(() => parseAddress(text, 1), SyntaxError, JSON.stringify(text));
    }
  },
});

Deno.test({
  name: "parsePort() accepts 0 through 65535",
  permissions: "none",
  fn() {
    strictEqual(parsePort("0"), 0);
    strictEqual(parsePort("7"), 7);
    strictEqual(parsePort("65535"), 65535);
    strictEqual(parsePort("08080"), 8080);
  },
});

Deno.test({
  name: "formatAddress() prints an IPv4 or named host as host:port",
  permissions: "none",
  fn() {
    strictEqual(
      formatAddress({ hostname: "127.0.0.1", port: 9000 }),
      "127.0.0.1:9000",
    );
    strictEqual(
      formatAddress({ hostname: "localhost", port: 0 }),
      "localhost:0",
    );
  },
});

Deno.test({
  name: "formatAddress() brackets an IPv6 host",
  permissions: "none",
  fn() {
    strictEqual(formatAddress({ hostname: "::1", port: 7 }), "[::1]:7");
    strictEqual(
      formatAddress({ hostname: "2001:db8::1", port: 65535 }),
      "[2001:db8::1]:65535",
    );
  },
});

Deno.test({
  name: "parseAddress() reads back what formatAddress() prints",
  permissions: "none",
  fn() {
    for (
      const address of [
        { hostname: "127.0.0.1", port: 9000 },
        { hostname: "::1", port: 7 },
        { hostname: "fe80::1", port: 0 },
        { hostname: "example.org", port: 443 },
      ]
    ) {
      deepStrictEqual(parseAddress(formatAddress(address), 1), address);
    }
  },
});
