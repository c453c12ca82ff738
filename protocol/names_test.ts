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
    deepStrictEqual(isReserved("\u0430dmin"), true);
    deepStrictEqual(isReserved(nameKey("\u0430dmin")), true);
    deepStrictEqual(isReserved("admin"), true);
    deepStrictEqual(isReserved("a.d.m.i.n"), true);
    deepStrictEqual(isReserved("ＡＤＭＩＮ"), true);
    deepStrictEqual(isReserved("mod"), true);
    deepStrictEqual(isReserved("moderators"), false);
    deepStrictEqual(isReserved("alice"), false);
  },
});

Deno.test({
  name: "validateName() refuses a bracketed reserved name with look-alikes",
  permissions: "none",
  fn() {
    // Cyrillic а; Cyrillic а and і; Greek Α Μ Ι Ν.
    for (
      const name of [
        "[\u0430dmin]",
        "[\u0430dm\u0456n]",
        "\u0391D\u039c\u0399\u039d",
      ]
    ) {
      deepStrictEqual(problemOf(name), "reserved", name);
    }
    deepStrictEqual(validateName("[\u0430dmin]"), {
      ok: false,
      problem: "reserved",
      message: 'Name "[\u0430dmin]" is reserved',
    });
  },
});

Deno.test({
  name: "validateName() refuses reserved words spelt with look-alikes",
  permissions: "none",
  fn() {
    const spelt = [
      "\u0430dmin", // Cyrillic а
      "\u0410DMIN", // Cyrillic А
      "r\u043e\u043et", // Cyrillic о о
      "\u0455\u0443\u0455t\u0435m", // Cyrillic ѕ у ѕ е
      "h\u03bfst", // Greek ο
      "\u0397\u039f\u03a3\u03a4", // Greek Η Ο Σ Τ: Σ is no S
      "\u03b1dmi\u03b7", // Greek α η (η read as n)
      "ADMI\u039d", // Greek Ν
      "se\u0433ver", // Cyrillic г: no look-alike, so not reserved
      "adm1n",
      "r00t",
      "admln",
      "\u00e1dmin", // accents do not help
    ];
    const expected = spelt.map((name) =>
      name === "\u0397\u039f\u03a3\u03a4" || name === "se\u0433ver"
        ? "ok"
        : "reserved"
    );
    deepStrictEqual(spelt.map(problemOf), expected);
  },
});

Deno.test({
  name: "validateName() keys a name with look-alike letters as the Latin name",
  permissions: "none",
  fn() {
    const viewer = validateName("viewer");
    // Cyrillic е; Cyrillic В and Е; Greek ν and ε.
    for (const name of ["vi\u0435wer", "VI\u0415WER", "\u03bdi\u03b5wer"]) {
      const check = validateName(name);
      deepStrictEqual(check.ok && check.name, name, "shown as typed");
      deepStrictEqual(check.ok && check.key, viewer.ok && viewer.key, name);
    }
    deepStrictEqual(nameKey("\u0430lice"), "alice");
    deepStrictEqual(nameKey("\u0421\u0410\u0422"), "cat"); // Cyrillic САТ
    deepStrictEqual(
      nameKey("\u0410\u043b\u0451\u043d\u0430"),
      nameKey("A\u043b\u00eb\u043da"),
    );
    deepStrictEqual(nameKey("\u03f2at"), "cat"); // lunate sigma, before NFKC
  },
});

Deno.test({
  name: "validateName() refuses names that look blank",
  permissions: "none",
  fn() {
    for (
      const name of [
        "\u2800",
        "\u2800\u2800",
        "\u3164",
        "\u3164\u3164",
        "\u115f\u1160",
        "\uffa0",
        "\u{1d159}",
      ]
    ) {
      deepStrictEqual(validateName(name), {
        ok: false,
        problem: "control",
        message: "Name looks blank: it shows no visible character",
      }, JSON.stringify(name));
    }
    deepStrictEqual(validateName("bob\u2800smith"), {
      ok: false,
      problem: "whitespace",
      message: "Name contains a blank that looks like a space",
    });
  },
});

Deno.test({
  name: "validateName() refuses brackets of any kind",
  permissions: "none",
  fn() {
    const bracketed = [
      "[bob]",
      "bob]",
      "(bob)",
      "{bob}",
      "<bob>",
      "\u3010bob\u3011", // 【】
      "\u300cbob\u300d", // 「」
      "\uff3bbob\uff3d", // fullwidth ［］
      "\uff1cbob\uff1e", // fullwidth ＜＞
      "\ufe59bob\ufe5a", // small ﹙﹚
      "\u207dbob\u207e", // superscript ⁽⁾
      "\u2039bob\u203a", // ‹›
      "\u00abbob\u00bb", // «»
      "\u02c2bob\u02c3", // modifier ˂˃
      "\u1438bob\u1433", // Canadian syllabics ᐸᐳ
      "\u27e8bob\u27e9", // ⟨⟩
      "\u2045bob\u2046", // ⁅⁆
      "\u23a1bob\u23a4", // ⎡⎤
    ];
    for (const name of bracketed) {
      deepStrictEqual(validateName(name), {
        ok: false,
        problem: "reserved",
        message: "Name cannot contain brackets: ( ) [ ] { } < >",
      }, name);
    }
  },
});

Deno.test({
  name: "validateName() accepts names in one script, look-alikes or not",
  permissions: "none",
  fn() {
    const names = [
      "viewer",
      "\u0418\u0432\u0430\u043d", // Иван
      "\u0410\u043d\u043d\u0430", // Анна
      "\u041e\u043a\u0441\u0430\u043d\u0430", // Оксана
      "\u03bd\u03af\u03ba\u03bf\u03c2", // νίκος
      "\u0391\u03b8\u03b7\u03bd\u03ac", // Αθηνά
      "\u5c0f\u660e", // 小明
      "\u3055\u304f\u3089", // さくら
      "\ud55c\uae00", // 한글
      "\u{1f431}\u{1f431}",
      "o'neil-2",
      "user1",
      "userl",
    ];
    deepStrictEqual(names.map(problemOf), names.map(() => "ok"));
    deepStrictEqual(
      nameKey("\u0418\u0432\u0430\u043d"),
      nameKey("\u0438\u0432\u0430\u043d"),
    );
    deepStrictEqual(
      nameKey("\u039d\u03af\u03ba\u03bf\u03c2"),
      nameKey("\u03bd\u03af\u03ba\u03bf\u03c2"),
    );
  },
});

Deno.test({
  name: "nameKey() keeps different Cyrillic and Greek names apart",
  permissions: "none",
  fn() {
    const names = [
      "\u0418\u0432\u0430\u043d", // Иван
      "\u0418\u0432\u0430\u043d\u043d", // Иванн
      "\u0410\u043d\u043d\u0430", // Анна
      "\u0410\u043b\u043b\u0430", // Алла
      "\u0421\u0430\u0448\u0430", // Саша
      "\u041c\u0430\u0448\u0430", // Маша
      "\u041d\u0438\u043d\u0430", // Нина
      "\u041d\u0438\u043a\u0430", // Ника
      "\u0415\u043b\u0435\u043d\u0430", // Елена
      "\u0401\u043b\u0435\u043d\u0430", // Ёлена
      "\u0419\u043e\u043b\u0430", // Йола
      "\u0418\u043e\u043b\u0430", // Иола
      "\u03bd\u03af\u03ba\u03bf\u03c2", // νίκος
      "\u03bc\u03af\u03ba\u03bf\u03c2", // μίκος
      "\u03b7\u03bb\u03af\u03b1\u03c2", // ηλίας
      "\u03b7\u03bb\u03af\u03b1\u03bd", // ηλίαν
    ];
    deepStrictEqual(new Set(names.map(nameKey)).size, names.length);
  },
});

Deno.test({
  name: "nameKey() merges two letters of one script only where documented",
  permissions: "none",
  fn() {
    // Every pair of Cyrillic or Greek letters that differ after case folding
    // must differ in the key too, except the documented н/һ.
    const fold = (c: string) =>
      c.normalize("NFKC").toUpperCase().toLowerCase().normalize("NFKC");
    const merged: string[] = [];
    for (const [from, to] of [[0x370, 0x3ff], [0x400, 0x52f]] as const) {
      const classes = new Map<string, Set<string>>();
      for (let cp = from; cp <= to; cp++) {
        const c = String.fromCodePoint(cp);
        if (!/\p{L}/u.test(c)) continue;
        const key = nameKey(c);
        classes.set(key, (classes.get(key) ?? new Set()).add(fold(c)));
      }
      for (const folds of classes.values()) {
        if (folds.size > 1) merged.push([...folds].join(""));
      }
    }
    deepStrictEqual(merged, ["\u043d\u04bb"]); // н and һ
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
