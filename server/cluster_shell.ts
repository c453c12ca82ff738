/**
 * The shell that joins a server to a room kept in a shared store (Redis):
 * it commits what the room queued (one atomic commit at a time, retried
 * as the same batch until the store takes it), reads the room's stream
 * and hands it to the core in order, keeps this server's lease, takes
 * sessions over for members of other servers, and announces the members
 * of dead servers as timed out. While the store is away the members here
 * stay connected, are told, and their lines wait (unacknowledged).
 * @module
 */

import { nameKey } from "../protocol/names.ts";
import type { ClusterStore, Op } from "./cluster_ops.ts";
import type { ClusterLog } from "./cluster_log.ts";
import type { ServerCore } from "./core.ts";
import { type Logger, messageOf } from "./log.ts";
import { Reaper } from "./reaper.ts";
import { registerAgain } from "./cluster_sink.ts";
import { committed, controlled, delivered } from "./cluster_react.ts";
import type { LogEntry } from "./room_log.ts";
import type { UdpServer } from "./server.ts";

/** How often this server renews its lease, and how long one holds (ms). */
export const LEASE_EVERY_MS = 1000;
const LEASE_MS = 3 * LEASE_EVERY_MS;
/** Wait before trying the store again after a failure (ms). */
const RETRY_MS = 500;
/** How long one blocking read of the stream waits (ms). */
const READ_WAIT_MS = 1000;
/** A session the store did not have is admitted as new for this long (ms) before it is asked again. */
const UNKNOWN_MS = 10_000;
/** Most session lookups waiting for the store at once (see `#takeOver`). */
const MAX_LOOKUPS = 64;
/** Most session ids remembered as looked up (a flood of made-up ids waits past it). */
const MAX_KNOWN = 4096;

/** Where a cluster server is and how long its members may be silent. */
export interface ClusterPlace {
  /** HOST:PORT members reach this server at (for /who). */
  address: string;
  timeoutMs: number;
}

/** A server's link to its room's store. */
export class ClusterShell implements AsyncDisposable {
  #store: ClusterStore;
  #log: ClusterLog;
  #logger: Logger;
  #place: ClusterPlace;
  #server: UdpServer | undefined;
  #reaper: Reaper;
  #batch = 0;
  /** A batch the store has not confirmed, sent again as it was. */
  #unconfirmed: { batch: number; ops: Op[] } | undefined;
  #committing = false;
  #available = true;
  #closed = false;
  #lookups = new Map<number, { pending: boolean; at: number }>();
  /** Lookups waiting for the store. */
  #pending = 0;
  #loops: Promise<void>[] = [];
  /** Wakes the commit loop when something was queued. */
  #wake: (() => void) | undefined;
  /** Pauses to cut short when the shell closes. */
  #sleepers = new Set<() => void>();

  /** A shell for `log` on `store`. */
  constructor(
    store: ClusterStore,
    log: ClusterLog,
    place: ClusterPlace,
    logger: Logger,
  ) {
    this.#store = store;
    this.#log = log;
    this.#place = place;
    this.#logger = logger;
    this.#reaper = new Reaper(place.timeoutMs);
    log.addresses.set(log.srv, place.address);
  }

  /** Before the room opens: the recent events (history), the members of the other servers. */
  async prepare(): Promise<void> {
    this.#log.apply(await this.#store.recent(1024));
    this.#log.seed(await this.#store.members());
    await this.#lease();
  }

  /** The room's moderation as the store has it, if any. */
  moderation(): ReturnType<ClusterStore["moderation"]> {
    return this.#store.moderation();
  }

  /** Start serving `server`'s room from the store. */
  attach(server: UdpServer): void {
    this.#server = server;
    this.#log.connect({
      deliver: (entry) => delivered(server.core, entry, Date.now()),
      control: (control, srv) =>
        controlled(server.core, this.#log, control, srv, this.#logger),
    });
    server.core.onUnknownResume = (id, token, now) =>
      this.#takeOver(id, token, now);
    this.#loops = [this.#readLoop(), this.#leaseLoop(), this.#commitLoop()];
  }

  /** Something was queued: commit it soon. */
  flushed(): void {
    this.#wake?.();
  }

  /** True when nothing waits for the store. */
  get settled(): boolean {
    return !this.#log.pending && this.#unconfirmed === undefined;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.#closed = true;
    this.#wake?.();
    for (const wake of [...this.#sleepers]) wake();
    await Promise.allSettled(this.#loops);
  }

  #act(action: (core: ServerCore, now: number) => void): void {
    this.#server?.act(action);
  }

  async #commitLoop(): Promise<void> {
    while (!this.#closed) {
      if (!this.#log.pending && this.#unconfirmed === undefined) {
        await new Promise<void>((resolve) => this.#wake = resolve);
        this.#wake = undefined;
        continue;
      }
      const batch = this.#unconfirmed ??
        { batch: ++this.#batch, ops: this.#log.take() };
      this.#unconfirmed = batch;
      try {
        const answers = await this.#store.commit(
          this.#log.srv,
          batch.batch,
          batch.ops,
          this.#log.cursor,
        );
        this.#unconfirmed = undefined;
        this.#up(true);
        this.#act((core, now) =>
          committed(core, this.#log, batch.ops, answers, now)
        );
      } catch (error) {
        this.#up(false, error);
        await this.#pause();
      }
    }
  }

  async #readLoop(): Promise<void> {
    while (!this.#closed) {
      try {
        const records = await this.#store.read(this.#log.cursor, READ_WAIT_MS);
        this.#up(true);
        if (records.length > 0) this.#act(() => this.#log.apply(records));
      } catch (error) {
        this.#up(false, error);
        await this.#pause();
      }
    }
  }

  async #leaseLoop(): Promise<void> {
    while (!this.#closed) {
      // Names granted to joins that never came back are given back.
      this.#act((_core, now) => this.#log.tick(now));
      this.flushed();
      try {
        await this.#lease();
        this.#reap(await this.#store.servers());
      } catch (error) {
        this.#up(false, error);
      }
      await this.#pause(LEASE_EVERY_MS);
    }
  }

  async #lease(): Promise<void> {
    await this.#store.lease(
      { id: this.#log.srv, address: this.#place.address },
      LEASE_MS,
    );
  }

  /** Announce members of servers gone too long as timed out (the store lets one server do it). */
  #reap(servers: Array<{ id: string; address: string }>): void {
    for (const { id, address } of servers) this.#log.addresses.set(id, address);
    const alive = new Set(servers.map((s) => s.id));
    alive.add(this.#log.srv);
    const now = Date.now();
    for (const remote of this.#reaper.due(this.#log.elsewhere(), alive, now)) {
      const entry: LogEntry = {
        to: "all",
        except: remote.id,
        event: {
          kind: "left",
          id: 0,
          time: now,
          name: remote.name,
          why: "timeout",
          reason: "its server stopped answering",
        },
      };
      this.#store.reap(remote.id, remote.srv, entry).catch(() =>
        this.#reaper.retry(remote.id)
      );
    }
  }

  /** A member resumes a session not known here: look it up in the store, once. */
  #takeOver(id: number, view: Uint8Array, now: number): boolean {
    // A view into the receive buffer: the answer comes after it is reused.
    const token = view.slice();
    const known = this.#lookups.get(id);
    if (known?.pending) return true;
    if (known !== undefined && now - known.at < UNKNOWN_MS) return false;
    // Each lookup costs Redis a script: a flood of made-up session ids gets
    // no answer (the JOIN is asked again) past MAX_LOOKUPS at once.
    this.#forgetLookups(now);
    if (this.#pending >= MAX_LOOKUPS || this.#lookups.size >= MAX_KNOWN) {
      return true;
    }
    this.#lookups.set(id, { pending: true, at: now });
    this.#pending++;
    this.#store.takeOver(id, token, this.#log.srv).then((member) => {
      this.#lookups.set(id, { pending: false, at: Date.now() });
      this.#pending--;
      if (member === undefined || member.kind !== "native") return;
      this.#act((core, now) => {
        this.#log.adopt(member.id, nameKey(member.name), now);
        core.adopt({
          id: member.id,
          token,
          name: member.name,
          next: member.next,
          pn: member.pn,
          joinedAfter: member.after,
          away: member.away,
        }, now);
        this.#logger("info", `${member.name} taken over from another server`);
      });
    }, (error) => {
      this.#lookups.set(id, { pending: false, at: Date.now() });
      this.#pending--;
      this.#up(false, error);
    });
    return true;
  }

  /** Lookups settled long enough ago are asked again; keep only what may still be asked. */
  #forgetLookups(now: number): void {
    if (this.#lookups.size < MAX_KNOWN) return;
    for (const [id, lookup] of this.#lookups) {
      if (!lookup.pending && now - lookup.at >= UNKNOWN_MS) {
        this.#lookups.delete(id);
      }
    }
  }

  /** Whether the store answers; members are told when that changes. */
  #up(available: boolean, error?: unknown): void {
    if (available === this.#available) return;
    this.#available = available;
    this.#logger(
      available ? "info" : "warn",
      available
        ? "The room's store is back"
        : `The room's store cannot be reached (${messageOf(error)}); retrying`,
    );
    this.#act((core) => core.chat.roomAvailable(available));
    if (available) void this.#registerAgain();
  }

  /** The store is back: it may have lost what it knew of this server's members. */
  async #registerAgain(): Promise<void> {
    try {
      const moderation = await this.#store.moderation();
      this.#act((core, now) =>
        registerAgain(core, this.#log, now, moderation === undefined)
      );
      this.flushed();
    } catch (error) {
      this.#up(false, error);
    }
  }

  /** Wait `ms`, or less when the shell closes. */
  #pause(ms = RETRY_MS): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      this.#sleepers.add(done);
      const sleepers = this.#sleepers;
      function done() {
        clearTimeout(timer);
        sleepers.delete(done);
        resolve();
      }
    });
  }
}
