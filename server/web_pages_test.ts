import assert from "node:assert/strict";
import {
  allowedOrigin,
  CSP,
  PAGES,
  parseOrigins,
  securityHeaders,
} from "./web_pages.ts";

const opts = { permissions: "none" } as const;

Deno.test(
  "allowedOrigin() takes the page's own origin and the listed ones only",
  opts,
  () => {
    const host = "127.0.0.1:8080";
    assert.ok(allowedOrigin("http://127.0.0.1:8080", host, []));
    assert.ok(allowedOrigin("https://127.0.0.1:8080", host, []));
    assert.ok(allowedOrigin(null, host, []));
    assert.ok(!allowedOrigin("http://evil.example", host, []));
    assert.ok(!allowedOrigin("http://127.0.0.1:8081", host, []));
    assert.ok(!allowedOrigin("null", host, []));
    assert.ok(!allowedOrigin("file://", host, []));
    assert.ok(!allowedOrigin("http://127.0.0.1:8080/path", host, []));
    assert.ok(
      allowedOrigin("https://chat.example.org", host, [
        "https://chat.example.org",
      ]),
    );
  },
);

Deno.test(
  "parseOrigins() reads a comma list of origins and refuses anything else",
  opts,
  () => {
    assert.deepEqual(
      parseOrigins("https://chat.example.org, http://10.0.0.5:8080/"),
      ["https://chat.example.org", "http://10.0.0.5:8080"],
    );
    for (
      const bad of ["", "chat.example.org", "ftp://x", "https://x/path", "*"]
    ) {
      assert.throws(() => parseOrigins(bad), SyntaxError, bad);
    }
  },
);

Deno.test("securityHeaders() forbids inline script and sniffing", opts, () => {
  const headers = securityHeaders("text/html; charset=utf-8");
  assert.equal(headers["X-Content-Type-Options"], "nosniff");
  assert.match(CSP, /script-src 'self'/);
  assert.doesNotMatch(CSP, /unsafe-inline|unsafe-eval/);
});

Deno.test("PAGES lists every file of web/, and only those", async () => {
  const files: string[] = [];
  for await (const entry of Deno.readDir(new URL("../web/", import.meta.url))) {
    files.push(entry.name);
  }
  assert.deepEqual(PAGES.map((p) => p.file).sort(), files.sort());
});

Deno.test("web/ pages have no inline script and set text with textContent only", async () => {
  for (const page of PAGES) {
    const text = await Deno.readTextFile(
      new URL(`../web/${page.file}`, import.meta.url),
    );
    assert.doesNotMatch(
      text,
      /innerHTML|outerHTML|insertAdjacentHTML|document\.write/,
      page.file,
    );
    if (page.file.endsWith(".html")) {
      assert.doesNotMatch(text, /<script(?![^>]*\bsrc=)[^>]*>/, page.file);
      assert.doesNotMatch(text, /\son\w+=/, page.file);
      assert.doesNotMatch(text, /style=/, page.file);
    }
  }
});
