/**
 * The server's pure core, put together: the chat core (the room's rules),
 * the native and classic engines in front of it, one send queue for every
 * member of every kind, and the handshake replies. The shell (`server.ts`)
 * feeds it datagrams and clock ticks and sends what `poll` returns;
 * nothing here touches a socket, a file or the clock. The console's
 * commands (`commands.ts`) work on `chat`.
 * @module
 */

import { type Address, formatAddress } from "../protocol/address.ts";
import { acceptedInTheClear, type Origin } from "../protocol/clear.ts";
import { isNative, type Packet } from "../protocol/packet.ts";
import { decodePacket } from "../protocol/packet_decode.ts";
import type { Lang } from "../wording/i18n.ts";
import { ChatCore, type ChatOptions } from "./chat.ts";
import { ClassicEngine } from "./classic.ts";
import type { Journal, JournalMember, JournalState } from "./journal.ts";
import { type Logger, messageOf } from "./log.ts";
import {
  type Moderation,
  moderationOf,
  moderationVersion,
  restoreModeration,
} from "./moderation.ts";
import { NativeEngine } from "./native.ts";
import { DEFAULT_LOG_SIZE, JournaledLog, type RoomLog } from "./room_log.ts";
import { Stats } from "./stats.ts";
import { Fifo, type Outgoing, WorkQueue } from "./work.ts";
import { WebEngine } from "./web.ts";

export type { Outgoing } from "./work.ts";

/** Tunables of a server; every field has a default. */
export interface ServerOptions extends ChatOptions {
  /** How often members should send when idle (ms). */
  heartbeatMs?: number;
  /** A member silent this long is removed as timed out (ms). */
  timeoutMs?: number;
  /** Accept clients of the classic text protocol (default true). */
  classic?: boolean;
  /** Most classic members at once, apart from `maxMembers` (default a quarter of it). */
  maxClassic?: number;
  /** Most classic members bound to one IP address (default 4). */
  classicPerAddress?: number;
  /** A classic member silent this long is dropped (ms; default 30 minutes). */
  classicTimeoutMs?: number;
  /** Most browser members at once, apart from `maxMembers` (default a quarter of it). */
  maxWeb?: number;
  /** Most WebSockets open from one IP address (default 8). */
  webPerAddress?: number;
  /** The wording of what classic members get (default English). */
  lang?: Lang;
  /** Cookie secret (tests); random by default. */
  cookieSecret?: Uint8Array;
  /**
   * The room's salt when it has a passphrase: the shell's guard seals and
   * opens; this core then accepts only a first JOIN in the clear.
   */
  salt?: Uint8Array;
  /**
   * Most bytes every native session together buffers out of order
   * (default ROOM_RECEIVE_BUFFER_BYTES, 64 MiB; each session alone at most
   * 64 KiB).
   */
  receiveBufferBytes?: number;
  /** Fills a buffer with random bytes (tokens, session ids, cookie secret). */
  random?: (into: Uint8Array) => void;
  /**
   * The room lives in a store shared with other servers (`--cluster`):
   * acknowledge a member's requests only once the store took them (see
   * `Link.holdAcks`), and number classic and browser members from
   * `classicFirstId` and `webFirstId` (apart from the other servers').
   */
  cluster?: { classicFirstId: number; webFirstId: number };
}

/** What the core writes to a journal (`Journal` does it to a file). */
export type JournalSink = Pick<
  Journal,
  | "member"
  | "processed"
  | "gone"
  | "renamed"
  | "away"
  | "moderation"
  | "event"
  | "flush"
  | "wantsCompaction"
  | "compact"
>;

/** Most handshake replies queued before further ones are dropped. */
export const MAX_REPLIES = 1024;

/** Server state and protocol logic, driven by the shell. */
export class ServerCore {
  /** Counters for /stats and the benchmark. */
  readonly stats = new Stats();
  /** The room's rules, for every kind of member. */
  readonly chat: ChatCore;
  /** Members on udpchat's own protocol. */
  readonly native: NativeEngine;
  /** Members on the classic text protocol. */
  readonly classic: ClassicEngine;
  /** Members in a browser, and projectors (fed by `web_http.ts`). */
  readonly web: WebEngine;
  #work = new WorkQueue();
  #replies = new Fifo<Outgoing>();
  #log: Logger;
  #journal: JournalSink | undefined;
  #salt: Uint8Array | undefined;
  /** Set by `shutdown(…, true)`: members stay, to resume after the restart. */
  #restarting = false;
  /** The moderation version last journaled (-1: none yet). */
  #moderationJournaled = -1;
  /** The room is shared with other servers (`--cluster`). */
  #shared: boolean;
  /** Errors already logged (each once). */
  #seenErrors = new Set<string>();

  /**
   * A core with `options`, reporting to `log`. With a journal, `restored`
   * is what it held: its members wait (suspended) to resume.
   */
  constructor(
    options: ServerOptions = {},
    log: Logger = () => {},
    journal?: {
      sink: JournalSink;
      restored: JournalState;
      now: number;
      /** The room's log, when not the journal's own (a cluster's). */
      log?: RoomLog;
    },
  ) {
    this.#log = log;
    this.#salt = options.salt;
    this.#shared = options.cluster !== undefined;
    this.#journal = journal?.sink;
    const random = options.random ??
      ((into: Uint8Array) => void crypto.getRandomValues(into));
    const roomLog = journal?.log ?? (journal && new JournaledLog(
      (entry) => journal.sink.event(entry),
      Math.max(DEFAULT_LOG_SIZE, options.history ?? 50),
      journal.restored.lastId,
      journal.restored.events,
    ));
    this.chat = new ChatCore(
      {
        ...options,
        maxOfKind: {
          classic: options.maxClassic ??
            Math.max(1, Math.floor((options.maxMembers ?? 10_000) / 4)),
          web: options.maxWeb ??
            Math.max(1, Math.floor((options.maxMembers ?? 10_000) / 4)),
        },
      },
      log,
      this.stats,
      roomLog,
      journal?.sink,
    );
    const reply = (bytes: Uint8Array, to: Address, limit: number) =>
      this.#reply(bytes, to, limit);
    this.native = new NativeEngine({
      chat: this.chat,
      work: this.#work,
      reply,
      log,
      random,
      journal: journal?.sink,
      takeOver: (id, token, now) => this.onUnknownResume?.(id, token, now),
    }, {
      holdAcks: options.cluster !== undefined,
      heartbeatMs: options.heartbeatMs ?? 1000,
      timeoutMs: options.timeoutMs ?? 10_000,
      cookieSecret: options.cookieSecret,
      salt: options.salt,
      receiveBufferBytes: options.receiveBufferBytes,
    });
    this.classic = new ClassicEngine(
      { chat: this.chat, work: this.#work, reply, log },
      {
        timeoutMs: options.classicTimeoutMs ?? 30 * 60_000,
        lang: options.lang ?? "en",
        maxPerHost: options.classicPerAddress,
        firstId: options.cluster?.classicFirstId,
        closed: options.salt !== undefined
          ? "passphrase"
          : options.classic === false
          ? "closed"
          : undefined,
      },
    );
    this.web = new WebEngine({ chat: this.chat, log, random }, {
      timeoutMs: options.timeoutMs ?? 10_000,
      lang: options.lang ?? "en",
      maxPerHost: options.webPerAddress,
      salt: options.salt,
      firstId: options.cluster?.webFirstId,
    });
    if (journal !== undefined) {
      this.#restore(journal.restored, journal.now, options.motd !== undefined);
    }
  }

  /**
   * Asked when a member resumes a session this server does not know: true
   * while another server's session is being looked up (the member asks
   * again), false to admit it as new (see `cluster_shell.ts`).
   */
  onUnknownResume:
    | ((id: number, token: Uint8Array, now: number) => boolean)
    | undefined;

  /**
   * A member taken over from another server: in the room without a word
   * to anyone, its session suspended until it resumes here.
   */
  adopt(member: JournalMember, now: number): void {
    this.chat.room.restore([member]);
    this.native.restore([member], now);
  }

  /** Member `id` went to another server: forgotten here without a word to anyone. */
  release(id: number): void {
    this.native.release(id);
    this.chat.release(id);
  }

  /** The room's moderation, changed by another server: in force here, not written back. */
  adoptModeration(moderation: Moderation, now: number): void {
    restoreModeration(this.chat, moderation, false);
    this.#moderationJournaled = moderationVersion(this.chat);
    this.chat.enforceBans(now);
  }

  /** Members currently in the room. */
  get memberCount(): number {
    return this.chat.room.size;
  }

  /**
   * True when nothing is left to say: every GOODBYE (restarting: everything
   * queued for a member) acknowledged or given up, every line sent.
   */
  get drained(): boolean {
    const said = this.#restarting
      ? this.native.settled
      : this.native.sessions.size === 0;
    return said && this.#work.empty && this.#replies.length === 0;
  }

  /**
   * Take in one datagram from `from`. Never throws on bad input. `origin`
   * is what the passphrase guard made of it (always "plain" without one).
   */
  receive(
    bytes: Uint8Array,
    from: Address,
    now: number,
    origin: Origin = "plain",
  ): void {
    this.stats.datagramIn(bytes.byteLength);
    this.#contain("datagram", () => this.#receive(bytes, from, now, origin));
    // Recorded before anything it caused is sent (poll comes after).
    this.flush(now);
  }

  /**
   * Write to the journal what was done since the last call (the room's
   * moderation too, when it changed), before anything it caused is sent.
   */
  flush(now: number): void {
    if (this.#journal === undefined) return;
    const version = moderationVersion(this.chat);
    if (version !== this.#moderationJournaled) {
      this.#journal.moderation(moderationOf(this.chat, now));
      this.#moderationJournaled = version;
    }
    this.#journal.flush();
  }

  #receive(
    bytes: Uint8Array,
    from: Address,
    now: number,
    origin: Origin,
  ): void {
    if (origin === "forged") return this.native.forged(bytes, from);
    if (!isNative(bytes)) {
      this.classic.receive(bytes, from, now);
    } else {
      let packet: Packet;
      try {
        packet = decodePacket(bytes);
      } catch (error) {
        this.stats.drop("malformed");
        this.#log(
          "debug",
          `Dropped datagram from ${formatAddress(from)}: ${messageOf(error)}`,
        );
        return;
      }
      if (
        this.#salt !== undefined && origin === "plain" &&
        !acceptedInTheClear(packet.type, "server")
      ) {
        return this.stats.drop("not sealed");
      }
      this.#dispatch(packet, from, now, origin);
    }
  }

  /**
   * Run `work`; what it throws is a bug, but one datagram or tick must never
   * stop the server: counted, logged once per kind of error, and dropped.
   */
  #contain(what: string, work: () => void): void {
    try {
      work();
    } catch (error) {
      this.stats.drop(`internal error (${what})`);
      const text = messageOf(error);
      if (this.#seenErrors.has(text) || this.#seenErrors.size >= 64) return;
      this.#seenErrors.add(text);
      const stack = error instanceof Error ? `\n${error.stack}` : "";
      this.#log(
        "warn",
        `Internal error on a ${what}, dropped: ${text}${stack}`,
      );
    }
  }

  /** The socket failed to receive or send; counted by error name. */
  socketError(what: "receive" | "send", error: Error): void {
    this.stats.drop(`${what} error: ${error.name}`);
  }

  /** A line from the host's console: an admin message to every member. */
  admin(text: string, now: number): void {
    this.#contain("console line", () => this.chat.admin(text, now));
    this.flush(now);
  }

  /**
   * Tell every member the server is closing (sessions end once acked), or
   * with `restart`, that it is restarting: members then wait and resume,
   * and their sessions stay in the journal.
   */
  shutdown(reason: string, now: number, restart = false): void {
    this.#restarting = restart;
    if (restart) {
      const waiting = this.chat.count("native");
      const as = this.#journal ? "resume" : "rejoin as new (no --state)";
      this.#log("info", `Restarting: ${waiting} members wait to ${as}`);
      this.chat.restart(reason, now);
    } else {
      // In a shared room the others see these members leave.
      this.chat.shutdown(reason, now, "closing", this.#shared);
    }
    this.flush(now);
  }

  /** Advance time: timeouts, retransmissions, delayed acks, throttled requests. */
  tick(now: number): void {
    this.#contain("tick", () => {
      this.native.tick(now);
      this.classic.tick(now);
      this.web.tick(now);
      this.chat.tick(now);
    });
    this.stats.sample(now);
    this.flush(now);
    this.#compact(now);
  }

  /**
   * The next datagram to send, or undefined. `into` is a reusable buffer:
   * send the result before calling again.
   */
  poll(into: Uint8Array, now: number): Outgoing | undefined {
    const out = this.#replies.shift() ?? this.#work.poll(into, now);
    if (out !== undefined) this.stats.datagramOut(out.bytes.byteLength);
    return out;
  }

  #dispatch(packet: Packet, from: Address, now: number, origin: Origin): void {
    switch (packet.type) {
      case "join":
        return this.native.join(packet, from, now, origin);
      case "session":
        return this.native.session(packet, from, now);
      case "cookie":
      case "welcome":
      case "refuse":
      case "reset":
        this.stats.drop("wrong direction");
        return;
      default: {
        const _exhaustive: never = packet;
        throw new TypeError(`Unhandled packet ${_exhaustive}`);
      }
    }
  }

  #reply(bytes: Uint8Array, to: Address, limit: number): void {
    // Never send an unvalidated address more than it sent us (no amplification).
    if (bytes.byteLength > limit) {
      this.stats.drop("reply larger than request");
      return;
    }
    if (this.#replies.length >= MAX_REPLIES) {
      this.stats.drop("reply queue full");
      return;
    }
    this.#replies.push({ bytes, to: { hostname: to.hostname, port: to.port } });
  }

  #restore(state: JournalState, now: number, keepMotd: boolean): void {
    if (state.moderation !== undefined) {
      restoreModeration(this.chat, state.moderation, keepMotd);
    }
    this.chat.room.restore(state.members);
    this.native.restore(state.members, now);
    if (state.members.length > 0) {
      this.#log(
        "info",
        `Waiting for ${state.members.length} members to resume`,
      );
    }
  }

  #compact(now: number): void {
    if (!this.#journal?.wantsCompaction) return;
    this.#journal.compact({
      salt: this.#salt,
      lastId: this.chat.room.lastId,
      events: this.chat.room.recent(),
      members: this.native.members(),
      moderation: moderationOf(this.chat, now),
    });
  }
}
