/**
 * The shared store of a cluster on Redis: the shell behind `ClusterStore`.
 * One connection for commits and reads of state, one for the blocking
 * read of the room's stream. Commands fail at once while Redis is away
 * (no offline queue): the cluster shell retries its own way, so nothing
 * waits unseen. Tokens are hashed (SHA-256) before they reach Redis.
 * Records read back are checked like a journal's lines: Redis may hold
 * anything.
 * @module
 */

import { createClient } from "@redis/client";
import {
  type ClusterStore,
  type Control,
  type MemberRecord,
  type Op,
  REBASE_MARGIN,
  type ServerInfo,
  type StreamRecord,
} from "./cluster_ops.ts";
import { toEntry, toHex } from "./journal_entry.ts";
import type { Moderation } from "./moderation.ts";
import type { LogEntry } from "./room_log.ts";
import { nameKey } from "../protocol/names.ts";
import {
  COMMIT,
  REAP,
  roomKeys,
  SCRIPT_KEYS,
  TAKE_OVER,
} from "./redis_scripts.ts";
import { checkedMember, checkedRecord } from "./cluster_records.ts";
import { pairs, records, type Reply, tokenHash, wireOp } from "./redis_wire.ts";

/** Room events the stream keeps (about; Redis trims in whole nodes). */
const STREAM_LENGTH = 10_000;
/** A command that takes longer than this has failed (ms): Redis is away or stuck. */
const COMMAND_TIMEOUT_MS = 3000;

type Client = ReturnType<typeof createClient>;

/** A room kept in Redis at `url`. */
export class RedisStore implements ClusterStore, AsyncDisposable {
  #client: Client;
  #reader: Client;
  #keys: ReturnType<typeof roomKeys>;
  #scriptKeys: string[];
  #shas = new Map<string, string>();
  #connected = false;

  /** The room `room` in the Redis at `url` (redis:// or rediss://). */
  constructor(url: string, room: string, onError: (error: Error) => void) {
    const options = {
      url,
      disableOfflineQueue: true,
      socket: {
        connectTimeout: COMMAND_TIMEOUT_MS,
        // Once connected, forever, every half second: the room comes back
        // when Redis does. Before that, a start that cannot reach it fails.
        reconnectStrategy: (_retries: number, cause: Error) =>
          this.#connected ? 500 : cause,
      },
    };
    this.#client = createClient(options);
    this.#reader = createClient(options);
    this.#client.on("error", onError);
    this.#reader.on("error", onError);
    this.#keys = roomKeys(room);
    this.#scriptKeys = SCRIPT_KEYS.map((k) => this.#keys[k]);
  }

  /** Connect both connections (rejects when Redis cannot be reached). */
  async connect(): Promise<void> {
    await Promise.all([this.#client.connect(), this.#reader.connect()]);
    this.#connected = true;
  }

  async commit(
    srv: string,
    batch: number,
    ops: readonly Op[],
    seen: number,
  ): Promise<unknown[]> {
    const wire = await Promise.all(ops.map((op) => wireOp(op, srv)));
    const reply = await this.#script(COMMIT, [
      srv,
      String(batch),
      JSON.stringify(wire),
      String(STREAM_LENGTH),
      String(seen),
      String(REBASE_MARGIN),
    ]);
    if (!Array.isArray(reply)) throw new TypeError("Commit answered no list");
    return reply[0] === "dup" ? ops.map(() => null) : reply;
  }

  async read(after: number, waitMs: number): Promise<StreamRecord[]> {
    const reply = await this.#send(this.#reader, [
      "XREAD",
      "COUNT",
      "512",
      "BLOCK",
      String(waitMs),
      "STREAMS",
      this.#keys.log,
      `0-${after}`,
    ], waitMs + COMMAND_TIMEOUT_MS);
    // A list of [stream, entries], or (as this client gives it) a map.
    if (Array.isArray(reply)) {
      return records((reply[0] as Reply[] | undefined)?.[1]);
    }
    if (typeof reply !== "object" || reply === null) return [];
    return records(Object.values(reply)[0]);
  }

  async recent(count: number): Promise<StreamRecord[]> {
    const reply = await this.#cmd([
      "XREVRANGE",
      this.#keys.log,
      "+",
      "-",
      "COUNT",
      String(count),
    ]);
    return records(reply).reverse();
  }

  async members(): Promise<MemberRecord[]> {
    const [all, progress] = await Promise.all([
      this.#cmd(["HGETALL", this.#keys.members]),
      this.#cmd(["HGETALL", this.#keys.progress]),
    ]);
    const next = pairs(progress);
    const members: MemberRecord[] = [];
    for (const [id, json] of pairs(all)) {
      const member = checkedMember(json, next.get(id));
      if (member !== undefined) members.push(member);
    }
    return members;
  }

  async lease(server: ServerInfo, ttlMs: number): Promise<void> {
    await this.#cmd([
      "SET",
      this.#keys.lease(server.id),
      server.address,
      "PX",
      String(ttlMs),
    ]);
    await this.#cmd(["HSET", this.#keys.servers, server.id, server.address]);
  }

  async servers(): Promise<ServerInfo[]> {
    const all = pairs(await this.#cmd(["HGETALL", this.#keys.servers]));
    const ids = [...all.keys()];
    if (ids.length === 0) return [];
    const alive = await this.#cmd(["MGET", ...ids.map(this.#keys.lease)]);
    return ids.flatMap((id, i) =>
      Array.isArray(alive) && typeof alive[i] === "string"
        ? [{ id, address: alive[i] as string }]
        : []
    );
  }

  async takeOver(
    id: number,
    token: Uint8Array,
    srv: string,
  ): Promise<MemberRecord | undefined> {
    const control: Control = { t: "moved", id, to: srv };
    const reply = await this.#script(TAKE_OVER, [
      String(id),
      await tokenHash(token),
      srv,
      String(STREAM_LENGTH),
      JSON.stringify(control),
    ]);
    if (!Array.isArray(reply) || typeof reply[0] !== "string") return undefined;
    return checkedMember(reply[0], String(reply[1] ?? ""));
  }

  async reap(id: number, srv: string, entry: LogEntry): Promise<boolean> {
    const event = entry.event;
    const key = event.kind === "left" ? event.name : "";
    const reply = await this.#script(REAP, [
      String(id),
      srv,
      nameKey(key),
      String(STREAM_LENGTH),
      JSON.stringify(toEntry(entry)),
    ]);
    return typeof reply === "number" && reply > 0;
  }

  async moderation(): Promise<Moderation | undefined> {
    const json = await this.#cmd(["GET", this.#keys.mod]);
    if (typeof json !== "string") return undefined;
    const control = checkedRecord({ s: "", c: json }, 0);
    return control !== undefined && "control" in control &&
        control.control.t === "mod"
      ? control.control.moderation
      : undefined;
  }

  async salt(salt: Uint8Array): Promise<Uint8Array> {
    await this.#cmd(["SET", this.#keys.salt, toHex(salt), "NX"]);
    const hex = await this.#cmd(["GET", this.#keys.salt]);
    if (typeof hex !== "string" || !/^[0-9a-f]+$/.test(hex)) return salt;
    return Uint8Array.from(hex.match(/../g)!, (b) => parseInt(b, 16));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    for (const client of [this.#client, this.#reader]) {
      try {
        client.destroy();
      } catch {
        // Already closed.
      }
    }
    await Promise.resolve();
  }

  #cmd(args: string[]): Promise<Reply> {
    return this.#send(this.#client, args, COMMAND_TIMEOUT_MS);
  }

  /** Run `script` by its hash, loading it the first time (and after Redis lost it). */
  async #script(script: string, argv: string[]): Promise<Reply> {
    const keys = this.#scriptKeys;
    const run = (sha: string) =>
      this.#cmd(["EVALSHA", sha, String(keys.length), ...keys, ...argv]);
    const known = this.#shas.get(script);
    if (known !== undefined) {
      try {
        return await run(known);
      } catch (error) {
        if (!String((error as Error).message).startsWith("NOSCRIPT")) {
          throw error;
        }
      }
    }
    const sha = String(await this.#cmd(["SCRIPT", "LOAD", script]));
    this.#shas.set(script, sha);
    return await run(sha);
  }

  async #send(
    client: Client,
    args: string[],
    timeoutMs: number,
  ): Promise<Reply> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new Error(`Redis did not answer ${args[0]} in ${timeoutMs} ms`),
          ),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([client.sendCommand(args), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
