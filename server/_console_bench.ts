/**
 * A console test bench: a real `ServerCore`, members that are real
 * `ClientCore`s joining with real datagrams, a loop that moves datagrams
 * between them on a fake clock, and the console typed into. No sockets, no
 * sleeping.
 * @module
 */

import assert from "node:assert/strict";
import { ClientCore } from "../client/core.ts";
import { type ClientNotice } from "../client/notices.ts";
import type { Address } from "../protocol/address.ts";
import type { ServerEvent } from "../protocol/events.ts";
import { randomFill } from "../tests/_random.ts";
import { type ConsoleResult, runConsole } from "./commands.ts";
import { ServerCore } from "./core.ts";

/** One minute in ms. */
export const MINUTE = 60_000;
const STEP_MS = 5;

/** A member: a client core at an address, and everything it reported. */
export class Member {
  readonly notices: ClientNotice[] = [];
  readonly core: ClientCore;
  constructor(readonly address: Address) {
    this.core = new ClientCore(randomFill(address.port));
  }

  events<K extends ServerEvent["kind"]>(
    kind: K,
  ): Array<Extract<ServerEvent, { kind: K }>> {
    return this.notices.flatMap((n) =>
      n.type === "event" && n.event.kind === kind
        ? [n.event as Extract<ServerEvent, { kind: K }>]
        : []
    );
  }

  /** Texts of chat lines it received from `from`. */
  chats(from: string): string[] {
    return this.events("chat").filter((e) => e.from === from).map((e) =>
      e.text
    );
  }

  /** Why the server did not pass on each of its lines it had taken. */
  unsent(): string[] {
    return this.notices.flatMap((n) =>
      n.type === "undelivered" && n.reason !== undefined ? [n.reason] : []
    );
  }

  get welcomed(): boolean {
    return this.notices.some((n) => n.type === "welcome");
  }

  get refusal(): { code: number; reason: string } | undefined {
    const refused = this.notices.find((n) => n.type === "refused");
    return refused?.type === "refused" ? refused : undefined;
  }
}

/** A server core and its members, datagrams moved at once, on a fake clock. */
export class Chat {
  now = 1_700_000_000_000;
  /** What the server logged at level info and above. */
  readonly logged: string[] = [];
  readonly server = new ServerCore({
    cookieSecret: new Uint8Array(32),
    rate: 0,
  }, (level, text) => {
    if (level !== "debug") this.logged.push(text);
  });
  /** Members by address: the newest one at an address gets its datagrams. */
  #members = new Map<string, Member>();
  #hosts = 0;
  #buffer = new Uint8Array(2048);

  /** A member joining as `name` (from `hostname`, else a new address); run until answered. */
  join(name: string, hostname?: string): Member {
    const address = {
      hostname: hostname ?? `10.0.0.${++this.#hosts}`,
      port: 40_000 + this.#members.size,
    };
    const member = new Member(address);
    this.#members.set(`${address.hostname}:${address.port}`, member);
    member.core.join(name, this.now);
    this.until(() => member.welcomed || member.refusal !== undefined, 3000);
    this.run(50);
    return member;
  }

  /** Type a line on the console, then let what it caused travel. */
  console(line: string): ConsoleResult {
    const result = runConsole(this.server, line, this.now);
    this.run(50);
    return result;
  }

  /** The console's output as one string. */
  type(line: string): string {
    return this.console(line).lines.join("\n");
  }

  /** Advance the clock by `ms`, in steps of `stepMs`. */
  run(ms: number, stepMs = STEP_MS): void {
    const end = this.now + ms;
    while (this.now < end) this.step(stepMs);
  }

  /** Advance until `done()`; fails after `limitMs`. */
  until(done: () => boolean, limitMs: number): void {
    const limit = this.now + limitMs;
    while (!done()) {
      if (this.now >= limit) assert.fail(`Not done after ${limitMs} ms`);
      this.step(STEP_MS);
    }
  }

  step(stepMs: number): void {
    this.now += stepMs;
    this.server.tick(this.now);
    for (const member of this.#members.values()) member.core.tick(this.now);
    for (let moved = true, rounds = 0; moved && rounds < 1000; rounds++) {
      moved = false;
      for (let out; (out = this.server.poll(this.#buffer, this.now));) {
        const bytes = out.bytes.slice();
        this.#members.get(`${out.to.hostname}:${out.to.port}`)?.core.receive(
          bytes,
          this.now,
        );
        moved = true;
      }
      for (const member of this.#members.values()) {
        for (let bytes; (bytes = member.core.poll(this.#buffer, this.now));) {
          this.server.receive(bytes.slice(), member.address, this.now);
          moved = true;
        }
      }
    }
    for (const member of this.#members.values()) {
      member.notices.push(...member.core.takeNotices());
    }
  }
}
