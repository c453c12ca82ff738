import { deepStrictEqual } from "node:assert/strict";
import { isReserved, nameKey, nameTaken, validateName } from "./names.ts";
import { MAX_NAME_CHARS } from "./limits.ts";

function problemOf(raw: string): string {
  const check = validateName(raw);
  return check.ok ? "ok" : check.problem;
}

Deno.test({
  name: "validateName() accepts a plain name and keys it in lower case",
  permissions: "none",
  fn() {
    deepStrictEqual(validateName("Alice_42"), {
      ok: true,
      name: "Alice_42",
      key: "alice_42",
    });
  },
});

Deno.test({
  name: "validateName() accepts CJK, accented and emoji names",
  permissions: "none",
  fn() {
    for (const name of ["小明", "José", "🐱", "❤️", "👍🏽", "👨‍👩‍👧", "o'neil-2"]) {
      deepStrictEqual(problemOf(name), "ok", name);
    }
  },
});

Deno.test({
  name: "validateName() returns the name in NFC",
  permissions: "none",
  fn() {
    const check = validateName("Jose\u0301");
    deepStrictEqual(check.ok && check.name, "Jos\u00e9");
  },
});

Deno.test({
  name: "validateName() refuses an empty name",
  permissions: "none",
  fn() {
    deepStrictEqual(validateName(""), {
      ok: false,
      problem: "empty",
      message: "Name is empty",
    });
  },
});

Deno.test({
  name: "validateName() counts code points against MAX_NAME_CHARS",
  permissions: "none",
  fn() {
    deepStrictEqual(problemOf("a".repeat(MAX_NAME_CHARS)), "ok");
    deepStrictEqual(problemOf("😀".repeat(MAX_NAME_CHARS)), "ok");
    deepStrictEqual(validateName("a".repeat(MAX_NAME_CHARS + 1)), {
      ok: false,
      problem: "too_long",
      message: "Name is longer than 32 characters",
    });
  },
});

Deno.test({
  name: "validateName() refuses a name with whitespace of any kind",
  permissions: "none",
  fn() {
    for (
      const name of [
        "bob smith",
        " bob",
        "bob\t",
        "bob\n",
        "a\u00a0b",
        "小\u3000明",
        "a\u2028b",
      ]
    ) {
      deepStrictEqual(validateName(name), {
        ok: false,
        problem: "whitespace",
        message: "Name contains whitespace",
      }, JSON.stringify(name));
    }
  },
});

Deno.test({
  name: "validateName() refuses a name with a control character",
  permissions: "none",
  fn() {
    deepStrictEqual(validateName("bob\x1b[31m"), {
      ok: false,
      problem: "control",
      message: "Name contains a control or invisible character",
    });
    for (const name of ["bob\x00", "bob\x7f", "bob\u009b"]) {
      deepStrictEqual(problemOf(name), "control", JSON.stringify(name));
    }
  },
});

Deno.test({
  name: "validateName() refuses a name with a bidi override",
  permissions: "none",
  fn() {
    for (const c of ["\u202a", "\u202e", "\u2066", "\u2069", "\u200f"]) {
      deepStrictEqual(problemOf(`al${c}ice`), "control", JSON.stringify(c));
    }
  },
});

Deno.test({
  name: "validateName() refuses zero-width and other invisible characters",
  permissions: "none",
  fn() {
    const invisible = [
      "\u200b", // zero-width space
      "\u2060", // word joiner
      "\ufeff", // byte order mark
      "\u00ad", // soft hyphen
      "\u3164", // Hangul filler, a letter that renders as nothing
      "\u{e0041}", // tag character
      "\u200d", // joiner outside an emoji sequence
    ];
    for (const c of invisible) {
      deepStrictEqual(problemOf(`bo${c}b`), "control", JSON.stringify(c));
    }
    deepStrictEqual(problemOf("\u3164"), "control");
  },
});

Deno.test({
  name: "validateName() refuses private-use and unassigned code points",
  permissions: "none",
  fn() {
    deepStrictEqual(problemOf("bob\ue000"), "control");
    deepStrictEqual(problemOf("bob\u{f0000}"), "control");
    deepStrictEqual(problemOf("bob\u0378"), "control");
  },
});

Deno.test({
  name: "validateName() refuses a name that starts with a combining mark",
  permissions: "none",
  fn() {
    deepStrictEqual(validateName("\u0301bob"), {
      ok: false,
      problem: "control",
      message: "Name starts with a combining mark",
    });
    deepStrictEqual(problemOf("\ufe0f"), "control");
  },
});

Deno.test({
  name: "validateName() refuses a lone surrogate as invalid_utf8",
  permissions: "none",
  fn() {
    deepStrictEqual(validateName("bob\ud800"), {
      ok: false,
      problem: "invalid_utf8",
      message: "Name is not valid UTF-8",
    });
  },
});

Deno.test({
  name: "validateName() refuses reserved names however they are dressed up",
  permissions: "none",
  fn() {
    deepStrictEqual(validateName("Admin!"), {
      ok: false,
      problem: "reserved",
      message: 'Name "Admin!" is reserved',
    });
    const dressed = [
      "admin",
      "[admin]",
      "a.d.m.i.n",
      "ＡＤＭＩＮ",
      "ROOT",
      "_server_",
      "Sys-Tem",
      "udpchat",
      "管理员",
      "【系统】",
      "服务器",
    ];
    for (const name of dressed) {
      deepStrictEqual(problemOf(name), "reserved", name);
    }
  },
});

Deno.test({
  name: "validateName() accepts names that only contain a reserved word",
  permissions: "none",
  fn() {
    for (const name of ["admins", "badmin", "rooted", "admin2", "modem"]) {
      deepStrictEqual(problemOf(name), "ok", name);
    }
  },
});

Deno.test({
  name: "validateName() gives names that differ in case or width one key",
  permissions: "none",
  fn() {
    const keys = ["alice", "Alice", "ALICE", "Ａｌｉｃｅ"].map((name) => {
      const check = validateName(name);
      return check.ok ? check.key : check.message;
    });
    deepStrictEqual(new Set(keys), new Set(["alice"]));
  },
});

Deno.test({
  name: "nameKey() folds case fully and ignores variation selectors",
  permissions: "none",
  fn() {
    deepStrictEqual(nameKey("STRASSE"), nameKey("straße"));
    deepStrictEqual(nameKey("☺\ufe0f"), nameKey("☺"));
    deepStrictEqual(nameKey(nameKey("Ａｌｉｃｅ")), "alice");
  },
});

Deno.test({
  name: "isReserved() compares skeletons of letters and digits",
  permissions: "none",
  fn() {
    deepStrictEqual(isReserved("admin"), true);
    deepStrictEqual(isReserved("a.d.m.i.n"), true);
    deepStrictEqual(isReserved("ＡＤＭＩＮ"), true);
    deepStrictEqual(isReserved("mod"), true);
    deepStrictEqual(isReserved("moderators"), false);
    deepStrictEqual(isReserved("alice"), false);
  },
});

Deno.test({
  name: "nameTaken() says which name is taken",
  permissions: "none",
  fn() {
    deepStrictEqual(nameTaken("bob"), {
      ok: false,
      problem: "taken",
      message: 'Name "bob" is taken',
    });
  },
});
