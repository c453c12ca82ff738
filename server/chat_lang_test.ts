/**
 * The chat core words what it tells one member (its notices, why a line
 * will not go out) in that member's language: English word for word as it
 * always was, Chinese without an English word in it.
 */

import assert from "node:assert/strict";
import type { ServerEvent } from "../protocol/events.ts";
import type { Lang } from "../wording/i18n.ts";
import { ChatCore } from "./chat.ts";
import type { LinkInfo, MemberPort, Outbound } from "./port.ts";

const NOW = 1_700_000_000_000;

/** A member's port that keeps what it was told. */
class LangPort implements MemberPort {
  readonly kind = "native";
  readonly events: ServerEvent[] = [];
  constructor(readonly lang?: Lang) {}
  deliver(outbound: Outbound): number {
    this.events.push(outbound.event);
    return 0;
  }
  remove(): void {}
  describe(): LinkInfo {
    return { address: "native:1", rttMs: 0, lossPercent: 0 };
  }
  /** Notice texts and unsent reasons, in order. */
  told(): string[] {
    return this.events.flatMap((e) =>
      e.kind === "notice" ? [e.text] : e.kind === "unsent" ? [e.reason] : []
    );
  }
}

/** Everything the server refuses or remarks to `tester` in one session. */
function session(lang: Lang | undefined): string[] {
  const chat = new ChatCore({ rate: 0 });
  assert.ok(chat.admit(1, "bob", "10.0.0.1", new LangPort(), NOW).ok);
  const port = new LangPort(lang);
  assert.ok(chat.admit(2, "tester", "10.0.0.2", port, NOW).ok);
  chat.bans.ban("carol", undefined, NOW + 60_000);
  const requests = [
    { kind: "nick", name: "tester" },
    { kind: "nick", name: "bob" },
    { kind: "nick", name: "a b" },
    { kind: "nick", name: "carol" },
    { kind: "private", to: "nobody", text: "hi" },
    { kind: "private", to: "tester", text: "hi" },
    { kind: "away", reason: "" },
    { kind: "away", reason: "lunch" },
    { kind: "away", reason: "lunch" },
  ] as const;
  for (const request of requests) chat.request(2, request, NOW);
  chat.mutes.mute("tester", NOW + 594_000, "", NOW);
  chat.request(2, { kind: "say", text: "hi" }, NOW);
  return port.told();
}

const ENGLISH = [
  "You are already tester",
  'Name "bob" is taken',
  "Name contains whitespace",
  'The name "carol" is banned from this room for 1 minute more',
  'no member named "nobody"',
  "that is you",
  "You are not away",
  "You are already away: lunch",
  "you are muted for 9m 54s more",
];

Deno.test({
  name:
    "ChatCore tells a member without a language, or an English one, in the English it always used",
  permissions: "none",
  fn() {
    assert.deepEqual(session(undefined), ENGLISH);
    assert.deepEqual(session("en"), ENGLISH);
  },
});

Deno.test({
  name:
    "ChatCore tells a zh member every notice and unsent reason in Chinese, with no English word",
  permissions: "none",
  fn() {
    const told = session("zh");
    assert.equal(told.length, ENGLISH.length, told.join("\n"));
    assert.deepEqual(told.slice(0, 2), [
      "你已经叫tester了",
      "该用户已存在，请换一个名字",
    ]);
    assert.equal(told[8], "你被禁言了，还有9分54秒");
    const names = new Set(["tester", "bob", "carol", "nobody", "lunch"]);
    for (const line of told) {
      const english = line.match(/[A-Za-z]{2,}/g)?.filter((w) => !names.has(w));
      assert.deepEqual(english ?? [], [], line);
    }
  },
});
