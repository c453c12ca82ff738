import assert from "node:assert/strict";
import type { ClientNotice } from "./notices.ts";
import { formatNotice, jsonLine, noticeJson } from "./format.ts";
import { EN, ZH } from "../wording/i18n.ts";

const TIME = new Date(2025, 0, 15, 9, 5).getTime();
const at = { id: 7, time: TIME };

Deno.test({
  name: "formatNotice() shows welcome, status, own lines and failures",
  permissions: "none",
  fn() {
    const show = (notice: ClientNotice) =>
      formatNotice(notice).map((l) => `${l.style}|${l.text}`);
    assert.match(
      show({ type: "welcome", name: "bob", how: "joined" })[0]!,
      /^info\|Welcome, bob! /,
    );
    assert.deepEqual(show({ type: "status", status: "lost" }), [
      "warn|Server not responding; still trying…",
    ]);
    assert.deepEqual(
      show({
        type: "delivered",
        from: "bob",
        request: { kind: "say", text: "hi" },
      }),
      ["own|bob: hi"],
    );
    assert.deepEqual(
      show({
        type: "delivered",
        from: "bob",
        request: { kind: "private", to: "al", text: "psst" },
      }),
      ["own|[private] bob → al: psst"],
    );
    assert.deepEqual(
      show({ type: "delivered", from: "bob", request: { kind: "who" } }),
      [],
    );
    assert.deepEqual(
      show({ type: "undelivered", request: { kind: "say", text: "lost" } }),
      ["error|Not delivered: lost"],
    );
    assert.deepEqual(show({ type: "refused", code: 2, reason: "taken" }), [
      "error|Cannot join: taken",
    ]);
    assert.deepEqual(show({ type: "ended", why: "left", reason: "" }), []);
  },
});

Deno.test({
  name: "noticeJson() flattens events with kind, id, ISO time, from and text",
  permissions: "none",
  fn() {
    const chat = { kind: "chat", ...at, from: "bob", text: "hi" } as const;
    assert.equal(
      jsonLine(noticeJson({ type: "event", event: chat })),
      `{"type":"event","kind":"chat","id":7,"time":"${
        new Date(TIME).toISOString()
      }","from":"bob","text":"hi"}`,
    );
    assert.deepEqual(
      noticeJson({ type: "event", event: { kind: "history", event: chat } }),
      {
        type: "event",
        kind: "chat",
        id: 7,
        time: new Date(TIME).toISOString(),
        from: "bob",
        text: "hi",
        history: true,
      },
    );
    assert.deepEqual(
      noticeJson({
        type: "delivered",
        from: "bob",
        request: { kind: "say", text: "x" },
      }),
      { type: "delivered", from: "bob", kind: "say", text: "x" },
    );
    assert.deepEqual(noticeJson({ type: "status", status: "back" }), {
      type: "status",
      status: "back",
    });
  },
});

Deno.test({
  name: "jsonLine() escapes what a terminal would act on and stays valid JSON",
  permissions: "none",
  fn() {
    const text = "a\x1b[2J\x9b\u202e\u2028b\n";
    const line = jsonLine({ text });
    // deno-lint-ignore no-control-regex
    assert.doesNotMatch(line, /[\x00-\x1f\x7f-\x9f\u2028\u202e]/);
    assert.deepEqual(JSON.parse(line), { text });
  },
});

Deno.test({
  name:
    "jsonLine() escapes zero-width and other invisible format characters, and JSON.parse restores them",
  permissions: "none",
  fn() {
    const invisible = [
      "\u00ad",
      "\u061c",
      "\u180e",
      "\u200b",
      "\u200c",
      "\u200d",
      "\u2060",
      "\u2064",
      "\u206f",
      "\ufeff",
      "\ufff9",
      "\u{e0001}",
      "\u{e0041}",
    ];
    const text = `a${invisible.join("b")}c 👨‍👩‍👧 ✅ 马`;
    const line = jsonLine({ type: "event", text });
    assert.doesNotMatch(line, /[\p{Cc}\p{Cf}\u2028\u2029]/u);
    assert.match(line, /a\\u00adb\\u061cb/);
    assert.match(line, /\\u200bb\\u200cb\\u200db\\u2060b/);
    assert.match(line, /\\ufeffb/);
    assert.match(line, /\\udb40\\udc01b\\udb40\\udc41c/);
    // Visible text is left as it is.
    assert.ok(line.includes("✅ 马"));
    assert.deepEqual(JSON.parse(line), { type: "event", text });
  },
});

Deno.test({
  name: "formatNotice() words a refusal that carries only its code",
  permissions: "none",
  fn() {
    const line = (code: number, reason = "") =>
      formatNotice({ type: "refused", code, reason })[0]?.text;
    assert.equal(line(2), "Cannot join: That name is taken; choose another");
    assert.equal(
      line(7),
      "Cannot join: Wrong passphrase; check --passphrase-file",
    );
    assert.equal(line(99), "Cannot join: Refused (code 99)");
    assert.equal(
      line(2, 'Name "bob" is taken'),
      'Cannot join: Name "bob" is taken',
    );
  },
});

Deno.test({
  name:
    "formatNotice() in Chinese words every refusal from its code, never mixing in the server's English",
  permissions: "none",
  fn() {
    for (const code of [0, 1, 2, 3, 4, 5, 6, 7, 8, 99]) {
      const [line] = formatNotice(
        { type: "refused", code, reason: 'Name "alice" is taken' },
        { t: ZH },
      );
      assert.ok(line!.text.startsWith("无法加入: "), line!.text);
      assert.doesNotMatch(
        line!.text.replace("--passphrase-file", ""),
        /[A-Za-z]{3,}/,
      );
    }
    assert.equal(
      formatNotice({ type: "refused", code: 2, reason: "x" }, { t: ZH })[0]
        ?.text,
      "无法加入: 该用户已存在，请换一个名字",
    );
  },
});

Deno.test({
  name:
    "noticeJson() gives time null for a time no Date can hold, and never throws",
  permissions: "none",
  fn() {
    for (const time of [1e300, -1e300, 8.64e15 + 1, NaN]) {
      const json = noticeJson({
        type: "event",
        event: { kind: "chat", id: 1, time, from: "bob", text: "hi" },
      });
      assert.equal(json.time, null, String(time));
    }
  },
});

Deno.test({
  name:
    "formatNotice() words a passphrase missing or unneeded as such, never as a wrong one, in both languages",
  permissions: "none",
  fn() {
    const line = (passphrase: "needed" | "unneeded", t = EN) =>
      formatNotice({ type: "refused", code: 7, reason: "x", passphrase }, {
        t,
      })[0]?.text;
    assert.equal(
      line("needed"),
      "Cannot join: This room needs a passphrase: join with --passphrase-file FILE",
    );
    assert.equal(
      line("unneeded"),
      "Cannot join: This room has no passphrase: join without --passphrase-file",
    );
    for (const kind of ["needed", "unneeded"] as const) {
      const zh = line(kind, ZH)!;
      assert.match(zh, /^无法加入: .*--passphrase-file/);
      assert.doesNotMatch(zh, /口令错误/);
    }
  },
});
