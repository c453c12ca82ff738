/**
 * An in-memory `ClusterStore` for unit tests: the semantics of the Lua
 * scripts (`redis_scripts.ts`) without Redis. One counter numbers room
 * events and control records; a commit is applied whole; a batch number at
 * or below the server's last is a retry (answers null, nothing applied);
 * claims, member records, takeover (token compared directly), reap as
 * compare-and-delete. Leases expire by an injected clock; `down` makes
 * every call fail; `loseReply` applies the next commit but fails its reply.
 * Records come back as copies, as from Redis.
 * @module
 */

import { REBASE_MARGIN } from "./cluster_ops.ts";
import type {
  ClusterStore,
  Control,
  MemberRecord,
  Op,
  ServerInfo,
  StreamRecord,
} from "./cluster_ops.ts";
import type { Moderation } from "./moderation.ts";
import type { LogEntry } from "./room_log.ts";
import { nameKey } from "../protocol/names.ts";

interface Kept {
  record: MemberRecord;
  token?: string;
}

const hex = (token: Uint8Array) =>
  Array.from(token, (b) => b.toString(16).padStart(2, "0")).join("");

/** The shared store of a room, in memory. */
export class FakeStore implements ClusterStore {
  /** When true, every call rejects (the store is away). */
  down = false;
  /** When true, the next commit is applied but its caller gets an error. */
  loseReply = false;
  /** Name key → member id holding it. */
  readonly names = new Map<string, number>();
  /** The room's stream, oldest first. */
  readonly stream: StreamRecord[] = [];
  #seq = 0;
  #members = new Map<number, Kept>();
  #progress = new Map<number, { next: number; pn?: number }>();
  #batches = new Map<string, number>();
  #leases = new Map<string, { address: string; until: number }>();
  #mod: Moderation | undefined;
  #salt: Uint8Array | undefined;
  #now: () => number;

  /** A store whose leases run on clock `now`. */
  constructor(now: () => number = () => 0) {
    this.#now = now;
  }

  /** Member `id`'s record as kept (a copy), or undefined. */
  member(id: number): MemberRecord | undefined {
    const kept = this.#members.get(id);
    return kept && structuredClone(kept.record);
  }

  commit(
    srv: string,
    batch: number,
    ops: readonly Op[],
    seen = 0,
  ): Promise<unknown[]> {
    return this.#call(() => {
      if (this.#seq < seen) this.#seq = seen + REBASE_MARGIN;
      if (batch <= (this.#batches.get(srv) ?? 0)) return ops.map(() => null);
      this.#batches.set(srv, batch);
      const out = ops.map((op) => this.#apply(srv, structuredClone(op)));
      if (this.loseReply) {
        this.loseReply = false;
        throw new Error("Reply lost");
      }
      return out;
    });
  }

  read(after: number, _waitMs: number): Promise<StreamRecord[]> {
    return this.#call(() =>
      structuredClone(this.stream.filter((r) => r.id > after))
    );
  }

  recent(count: number): Promise<StreamRecord[]> {
    return this.#call(() => structuredClone(this.stream.slice(-count)));
  }

  members(): Promise<MemberRecord[]> {
    return this.#call(() =>
      [...this.#members.values()].map(({ record }) => {
        const progress = this.#progress.get(record.id);
        return structuredClone({ ...record, next: progress?.next ?? 0 });
      })
    );
  }

  lease(server: ServerInfo, ttlMs: number): Promise<void> {
    return this.#call(() => {
      const until = this.#now() + ttlMs;
      this.#leases.set(server.id, { address: server.address, until });
    });
  }

  servers(): Promise<ServerInfo[]> {
    return this.#call(() =>
      [...this.#leases].filter(([, l]) => l.until > this.#now()).map((
        [id, l],
      ) => ({ id, address: l.address }))
    );
  }

  takeOver(
    id: number,
    token: Uint8Array,
    srv: string,
  ): Promise<MemberRecord | undefined> {
    return this.#call(() => {
      const kept = this.#members.get(id);
      if (kept?.token === undefined || kept.token !== hex(token)) {
        return undefined;
      }
      kept.record.srv = srv;
      this.#append(srv, { control: { t: "moved", id, to: srv } });
      const progress = this.#progress.get(id);
      const member = { ...kept.record, next: progress?.next ?? 0 };
      if (progress?.pn !== undefined) member.pn = progress.pn;
      return structuredClone(member);
    });
  }

  reap(id: number, srv: string, entry: LogEntry): Promise<boolean> {
    return this.#call(() => {
      if (this.#members.get(id)?.record.srv !== srv) return false;
      this.#forget(id);
      const { event } = entry;
      const key = nameKey(event.kind === "left" ? event.name : "");
      if (this.names.get(key) === id) this.names.delete(key);
      this.#append(srv, { entry: structuredClone(entry) });
      return true;
    });
  }

  moderation(): Promise<Moderation | undefined> {
    return this.#call(() => this.#mod && structuredClone(this.#mod));
  }

  salt(salt: Uint8Array): Promise<Uint8Array> {
    return this.#call(() => (this.#salt ??= salt.slice()).slice());
  }

  /** One op of a commit, as the COMMIT script applies it. */
  #apply(srv: string, op: Op): unknown {
    switch (op.o) {
      case "claim": {
        const owner = this.names.get(op.key);
        if (owner === undefined) this.names.set(op.key, op.id);
        return owner === undefined || owner === op.id ? 1 : 0;
      }
      case "release":
        if (this.names.get(op.key) === op.id) this.names.delete(op.key);
        return 0;
      case "event":
        return this.#event(srv, op.entry);
      case "member": {
        const token = op.token && hex(op.token);
        this.#members.set(op.record.id, {
          record: { ...op.record, srv },
          token,
        });
        return 0;
      }
      case "next":
        this.#progress.set(op.id, { next: op.next, pn: op.pn });
        return 0;
      case "name":
      case "away": {
        const record = this.#members.get(op.id)?.record;
        if (record === undefined) return 0;
        if (op.o === "name") record.name = op.name;
        else record.away = op.reason;
        return 0;
      }
      case "gone":
        this.#forget(op.id);
        return 0;
      case "mod":
        this.#mod = op.moderation;
        return this.#append(srv, {
          control: { t: "mod", moderation: op.moderation },
        });
      case "kick": {
        const { id, why, reason } = op;
        return this.#append(srv, { control: { t: "kick", id, why, reason } });
      }
      default: {
        const _exhaustive: never = op;
        throw new TypeError(`Unknown op ${_exhaustive}`);
      }
    }
  }

  /** A room event; a join makes a (classic) record if none, a leave forgets. */
  #event(srv: string, entry: LogEntry): number {
    const id = this.#append(srv, { entry });
    const by = entry.to === "all" ? entry.except : undefined;
    if (by === undefined) return id;
    if (entry.event.kind === "joined" && !this.#members.has(by)) {
      const name = entry.event.name;
      this.#members.set(by, {
        record: {
          id: by,
          name,
          srv,
          kind: "classic",
          next: 0,
          after: 0,
          away: "",
        },
      });
    } else if (entry.event.kind === "left") this.#forget(by);
    return id;
  }

  #append(
    srv: string,
    body: { entry: LogEntry } | { control: Control },
  ): number {
    const id = ++this.#seq;
    if ("entry" in body) body.entry.event.id = 0;
    this.stream.push({ id, srv, ...body } as StreamRecord);
    return id;
  }

  #forget(id: number): void {
    this.#members.delete(id);
    this.#progress.delete(id);
  }

  #call<T>(work: () => T): Promise<T> {
    if (this.down) return Promise.reject(new Error("Store away"));
    try {
      return Promise.resolve(work());
    } catch (error) {
      return Promise.reject(error);
    }
  }
}
