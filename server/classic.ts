/**
 * The classic engine: the classic chat room's text protocol, beside the
 * native one on the same port. `L name` joins (answered `OK` or a reason),
 * `C name text` talks (a text starting with `/` is a command), `Q name`
 * leaves (answered `EXIT`); members get one plain UTF-8 line per datagram,
 * starting with a newline as classic servers send them. Safer than the
 * original: the name in `C` and `Q` is ignored, the one bound to the source
 * address is used. Each classic member is a `MemberPort` of the chat core,
 * under the same rules as everyone; its lines wait in its own queue, served
 * round-robin with every other member's. Pure: time comes in as `now`.
 * @module
 */

import { type Address, formatAddress } from "../protocol/address.ts";
import type {
  ClientRequest,
  GoodbyeWhy,
  ServerEvent,
} from "../protocol/events.ts";
import { decodeUtf8, trimLineEnds } from "../protocol/text.ts";
import {
  type ClassicProblem,
  type ClassicWords,
  classicWords,
} from "../wording/classic.ts";
import { type Lang, type Messages, messagesFor } from "../wording/i18n.ts";
import { datagramsOf, render } from "./classic_lines.ts";
import { Undecided } from "./undecided.ts";
import { sanitize } from "../wording/sanitize.ts";
import type { Admitted, ChatCore } from "./chat.ts";
import type { Logger } from "./log.ts";
import type { LinkInfo, MemberPort, Outbound } from "./port.ts";
import type { WorkQueue } from "./work.ts";
import { AMPLIFICATION, ClassicMember } from "./classic_member.ts";

/** Classic member ids start past every u32 session id, so they never collide. */
const FIRST_ID = 2 ** 32;
/** Longest chat line a classic member may send (bytes): what its peers read whole. */
export const MAX_CLASSIC_TEXT_BYTES = 1024;
/** Events that answer a classic member's own request: paid from its credit. */
const ANSWERS: ReadonlySet<ServerEvent["kind"]> = new Set([
  "who",
  "notice",
  "unsent",
]);

/** What the classic engine is plugged into. */
export interface ClassicHost {
  chat: ChatCore;
  work: WorkQueue;
  /** Queue a reply to an address that is not a member (bounded by the caller). */
  reply(bytes: Uint8Array, to: Address, limit: number): void;
  log: Logger;
}

/** The classic engine's tunables. */
export interface ClassicOptions {
  /** A member silent this long is dropped (ms). */
  timeoutMs: number;
  /** The wording of lines and refusals. */
  lang: Lang;
  /** Why classic clients may not join here, or undefined when they may. */
  closed?: "closed" | "passphrase";
  /** Most classic members bound to one IP address (default 4). */
  maxPerHost?: number;
  /** The first member's id (default 2^32; servers sharing a room start apart). */
  firstId?: number;
}

const encoder = new TextEncoder();
/** Classic members, by address. */
export class ClassicEngine {
  #host: ClassicHost;
  #timeoutMs: number;
  #closed: ClassicOptions["closed"];
  #t: Messages;
  #words: ClassicWords;
  #byAddress = new Map<string, ClassicMember>();
  #byId = new Map<number, ClassicMember>();
  #nextId: number;
  /** Logins the room's log has not decided yet (a cluster's store), asked again by `tick`. */
  #undecided = new Undecided<
    string,
    { name: string; from: Address; budget: number }
  >();
  /** Classic bindings per IP address: spoofed logins must not multiply one victim. */
  #perHost = new Map<string, number>();
  #maxPerHost: number;
  /** This engine's rendering of an event (a function per engine: one cache slot each). */
  #render = (event: ServerEvent) => render(event, this.#t);

  /** An engine on `host` with `options`. */
  constructor(host: ClassicHost, options: ClassicOptions) {
    this.#host = host;
    this.#timeoutMs = options.timeoutMs;
    this.#closed = options.closed;
    this.#maxPerHost = options.maxPerHost ?? 4;
    this.#nextId = options.firstId ?? FIRST_ID;
    this.#t = messagesFor(options.lang);
    this.#words = classicWords(options.lang);
  }

  /** How many classic members there are. */
  get size(): number {
    return this.#byId.size;
  }

  /** A datagram without the native magic: a classic command, or noise. */
  receive(bytes: Uint8Array, from: Address, now: number): void {
    const decoded = decodeUtf8(bytes);
    const text = decoded === undefined ? undefined : trimLineEnds(decoded);
    const match = text === undefined
      ? null
      : /^([LCQ]) (\S+)(?: ([^]*))?$/.exec(text);
    if (match === null) {
      return this.#host.chat.stats.drop("not a classic command");
    }
    const [, command, name, rest = ""] = match as unknown as [
      string,
      string,
      string,
      string | undefined,
    ];
    const key = formatAddress(from);
    const member = this.#byAddress.get(key);
    const budget = bytes.byteLength * AMPLIFICATION;
    member?.earn(bytes.byteLength);
    if (command === "L") {
      return this.#login(member, name, from, key, budget, now);
    }
    if (member === undefined) {
      // Classic servers answer a Q they cannot place with EXIT, ending the client's loop.
      if (command === "Q") return this.#reply(["EXIT"], from, budget);
      return this.#refuse("login first", name, "", from, budget);
    }
    member.lastHeard = now;
    member.warnedAt = undefined;
    if (command === "Q") {
      this.#host.chat.request(member.id, { kind: "leave", reason: "" }, now);
      return;
    }
    this.#line(member, rest, now);
  }

  /**
   * Drop members silent for longer than the timeout, never without a
   * warning first: one that was not warned yet (a late tick) is warned now
   * and dropped only once the warning's lead time has passed.
   */
  tick(now: number): void {
    for (
      const { key, id, value: u, since, expired } of this.#undecided.due(now)
    ) {
      if (expired) this.#refuse("throttled", u.name, "", u.from, u.budget);
      else {this.#login(undefined, u.name, u.from, key, u.budget, now, {
          id,
          since,
        });}
    }
    const lead = Math.min(5 * 60_000, this.#timeoutMs / 5);
    for (const member of this.#byId.values()) {
      const silent = now - member.lastHeard;
      if (silent <= this.#timeoutMs - lead) continue;
      if (member.warnedAt === undefined) {
        member.warnedAt = now;
        const minutes = Math.max(
          1,
          Math.round((this.#timeoutMs - silent) / 60_000),
        );
        // Not an answer: once per silence, unpaid.
        this.#queue(member, datagramsOf([this.#words.dropSoon(minutes)]));
      } else if (silent > this.#timeoutMs && now - member.warnedAt >= lead) {
        this.#host.chat.remove(member.id, "timeout", "silent too long", now);
      }
    }
  }

  /** A chat line or a command from a member. */
  #line(member: ClassicMember, text: string, now: number): void {
    const request = this.#command(member, text);
    if (request !== undefined) this.#host.chat.request(member.id, request, now);
  }

  /** The request a line asks for; undefined when answered here. */
  #command(member: ClassicMember, text: string): ClientRequest | undefined {
    if (!text.startsWith("/") || text.startsWith("//")) {
      return {
        kind: "say",
        text: text.startsWith("//") ? text.slice(1) : text,
      };
    }
    const [, name = "", args = ""] = /^\/(\S*)\s*([^]*)$/.exec(text) ?? [];
    switch (name.toLowerCase()) {
      case "who":
        return { kind: "who" };
      case "msg":
      case "m":
      case "tell": {
        // Linear on purpose: a line of spaces must not make a regex backtrack.
        const head = /^(\S+)\s+/.exec(args);
        const body = head ? args.slice(head[0].length) : "";
        if (head !== null && /\S/.test(body)) {
          return { kind: "private", to: head[1]!, text: body };
        }
        this.#send(member, [this.#t.usage("/msg NAME text")]);
        return undefined;
      }
      case "me":
        return { kind: "action", text: args };
      case "nick":
        return { kind: "nick", name: args.trim() };
      case "away":
        return { kind: "away", reason: args.trim() };
      case "quit":
        return { kind: "leave", reason: args };
      case "help":
        this.#send(member, this.#words.help);
        return undefined;
      default:
        this.#send(member, [this.#t.unknownCommand(sanitize(name))]);
        return undefined;
    }
  }

  #login(
    member: ClassicMember | undefined,
    name: string,
    from: Address,
    key: string,
    budget: number,
    now: number,
    retry?: { id: number; since: number },
  ): void {
    if (this.#closed !== undefined) {
      return this.#refuse(this.#closed, name, "", from, budget);
    }
    if (member !== undefined) {
      member.lastHeard = now;
      const current = this.#host.chat.nameOf(member.id) ?? "";
      if (current === name) return this.#reply(["OK"], from, budget);
      return this.#send(member, [this.#words.alreadyJoined(sanitize(current))]);
    }
    if ((this.#perHost.get(from.hostname) ?? 0) >= this.#maxPerHost) {
      return this.#refuse("host full", name, "", from, budget);
    }
    const undecided = retry ?? this.#undecided.take(key);
    const id = undecided?.id ?? this.#nextId++;
    const joined = new ClassicMember(id, from, key, now);
    // Bound before the core admits it: its welcome goes to its own queue.
    this.#byAddress.set(key, joined);
    this.#byId.set(joined.id, joined);
    this.#perHost.set(
      from.hostname,
      (this.#perHost.get(from.hostname) ?? 0) + 1,
    );
    // OK first, as classic servers answer, then the room's lines.
    const ok = encoder.encode("OK");
    joined.push(ok);
    const admitted = this.#host.chat.admit(
      joined.id,
      name,
      from.hostname,
      this.#port(joined),
      now,
    );
    if (admitted.ok) return this.#host.work.touch(joined);
    this.#unbind(joined);
    if (admitted.problem !== "pending") {
      this.#refuse(problemOf(admitted), name, admitted.message, from, budget);
    } else {
      // A classic client asks once: this engine asks again (see `tick`).
      this.#undecided.hold(
        key,
        id,
        { name, from, budget },
        undecided?.since ?? now,
      );
    }
  }

  /** The member as the chat core sees it. */
  #port(member: ClassicMember): MemberPort {
    return {
      kind: "classic",
      maxTextBytes: MAX_CLASSIC_TEXT_BYTES,
      lang: this.#t.lang,
      deliver: (outbound: Outbound) => {
        const { event } = outbound;
        const own = this.#own(member, event);
        let datagrams = own ?? outbound.as(this.#render);
        // The copy of its own private line answers its request too.
        const answer = own !== undefined || ANSWERS.has(event.kind);
        if (answer && !member.spend(datagrams)) {
          // A /who too big for the credit shrinks to the names that fit.
          const names = event.kind === "who"
            ? fitNames(event, member.credit)
            : "";
          datagrams = names === "" ? [] : datagramsOf([names]);
          if (!member.spend(datagrams)) datagrams = [];
          this.#host.chat.stats.drop("reply larger than request");
        }
        this.#queue(member, datagrams);
        return member.backlog;
      },
      remove: (why, reason) => this.#end(member, why, reason),
      // It cannot resume: told to join again, and let go.
      restart: (reason) => {
        this.#close(member, this.#t.restarting(sanitize(reason), false));
        return false;
      },
      describe: () => describe(member),
    };
  }

  /**
   * The member's own private line, as the server's copy confirms it:
   * "[private] → bob: hi", as long as its request give or take a few bytes.
   */
  #own(member: ClassicMember, event: ServerEvent): Uint8Array[] | undefined {
    if (
      event.kind !== "private" || event.to === this.#host.chat.nameOf(member.id)
    ) {
      return undefined;
    }
    const t = this.#t;
    return datagramsOf([
      t.privateSent(sanitize(event.to), sanitize(event.text)),
    ]);
  }

  /** The member is out: a line saying why (unless it asked), then EXIT, after what was queued. */
  #end(member: ClassicMember, why: GoodbyeWhy, reason: string): void {
    // Too far behind: what waits is the problem. Otherwise it goes first.
    if (why === "slow") member.clear();
    this.#close(
      member,
      why === "left" ? undefined : this.#t.goodbye(why, sanitize(reason)),
    );
  }

  /** `line` (if any) and EXIT after what was queued; the binding is forgotten. */
  #close(member: ClassicMember, line: string | undefined): void {
    const told = line === undefined ? [] : datagramsOf([line]);
    this.#queue(member, [...told, encoder.encode("EXIT")]);
    this.#unbind(member);
    this.#host.log(
      "debug",
      `${formatAddress(member.address)} unbound (classic)`,
    );
  }

  /** Forget the binding; what is queued still goes out. */
  #unbind(member: ClassicMember): void {
    if (!this.#byId.delete(member.id)) return;
    const { hostname } = member.address;
    const left = (this.#perHost.get(hostname) ?? 1) - 1;
    if (left > 0) this.#perHost.set(hostname, left);
    else this.#perHost.delete(hostname);
    if (this.#byAddress.get(member.key) === member) {
      this.#byAddress.delete(member.key);
    }
  }

  /** Lines for a bound member in answer to what it sent: through its queue, paid from its credit. */
  #send(member: ClassicMember, lines: string[]): void {
    const datagrams = datagramsOf(lines);
    if (!member.spend(datagrams)) {
      return this.#host.chat.stats.drop("reply larger than request");
    }
    this.#queue(member, datagrams);
  }

  /** Put `datagrams` in `member`'s queue and give it a turn in the send queue. */
  #queue(member: ClassicMember, datagrams: readonly Uint8Array[]): void {
    for (const datagram of datagrams) member.push(datagram);
    if (datagrams.length > 0) this.#host.work.touch(member);
  }

  /** A refusal to an address that proved nothing: the longest wording that fits whole. */
  #refuse(
    problem: ClassicProblem,
    name: string,
    detail: string,
    to: Address,
    budget: number,
  ): void {
    const words = this.#words.refusal(
      problem,
      sanitize(name),
      sanitize(detail),
    );
    this.#reply(words, to, budget);
  }

  /** The first of `texts` that fits `budget` bytes; nothing when none does. */
  #reply(texts: string[], to: Address, budget: number): void {
    for (const text of texts) {
      const bytes = encoder.encode(text);
      if (text !== "" && bytes.byteLength <= budget) {
        return this.#host.reply(bytes, to, budget);
      }
    }
    this.#host.chat.stats.drop("reply larger than request");
  }
}

function problemOf(admitted: Extract<Admitted, { ok: false }>): ClassicProblem {
  switch (admitted.problem) {
    case "taken":
    case "banned":
    case "full":
    case "throttled":
      return admitted.problem;
    default:
      return "name";
  }
}

function describe(member: ClassicMember): LinkInfo {
  return { address: member.key, rttMs: 0, lossPercent: 0 };
}

/** A /who answer as one line of at most `bytes` bytes: the names that fit, and how many more. */
function fitNames(
  event: Extract<ServerEvent, { kind: "who" }>,
  bytes: number,
): string {
  const names = event.entries.map((e) => sanitize(e.name));
  for (let n = names.length; n >= 0; n--) {
    const more = event.total - n;
    const line = `${event.total} here: ${names.slice(0, n).join(", ")}${
      more > 0 ? ` +${more}` : ""
    }`;
    if (encoder.encode(`\n${line}`).byteLength <= bytes) return line;
  }
  return "";
}
