import assert from "node:assert/strict";
import { header } from "./single_file.ts";

const TEMPLATE = "#!/bin/sh\nid=@ID@\npayload=@OFFSET@\n# @VERSION@ @DENO@\n" +
  "exec deno run @PERMISSIONS@ main.ts\n";

Deno.test({
  name: "header() fills every value and points `tail -c +N` just past itself",
  permissions: "none",
  fn() {
    for (const pad of ["", "x".repeat(80), "y".repeat(9_990)]) {
      const bytes = header(TEMPLATE + pad, {
        id: "0.1.0-0123456789abcdef",
        deno: "2.9.6",
        permissions: ["--allow-net", "--allow-sys=uid"],
      });
      const text = new TextDecoder().decode(bytes);
      assert.doesNotMatch(text, /@[A-Z]+@/);
      assert.match(text, /\nid=0\.1\.0-0123456789abcdef\n/);
      assert.match(text, /run --allow-net --allow-sys=uid main\.ts/);
      const offset = Number(/\npayload=(\d+)\n/.exec(text)?.[1]);
      assert.equal(offset, bytes.length + 1);
    }
  },
});
