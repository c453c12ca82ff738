/**
 * Starting a server of a cluster (`--cluster`): connect to the room's
 * Redis, read what the room already has (recent events, the members of
 * the other servers, moderation, the passphrase salt), and build the
 * server core on the shared log. Runs in the network worker.
 * @module
 */

import { SALT_BYTES } from "../protocol/seal.ts";
import { ClusterLog } from "./cluster_log.ts";
import { ClusterShell } from "./cluster_shell.ts";
import { clusterSink } from "./cluster_sink.ts";
import { ServerCore, type ServerOptions } from "./core.ts";
import { type Logger, messageOf } from "./log.ts";
import type { StartFailure } from "./messages.ts";
import { redactedUrl } from "./cluster_ops.ts";
import { RedisStore } from "./redis_store.ts";
import { DEFAULT_LOG_SIZE } from "./room_log.ts";
import { toHex } from "./journal_entry.ts";

/** A server joined to its room's store. */
export interface ClusterServer {
  core: ServerCore;
  shell: ClusterShell;
  store: RedisStore;
  /** The room's passphrase salt (the same on every server), if it has one. */
  salt?: Uint8Array;
}

/** Join the room `room` kept in the Redis at `url`, this server being at `address`. */
export async function joinCluster(
  cluster: { url: string; room: string },
  address: string,
  options: ServerOptions,
  logger: Logger,
  passphrase: boolean,
): Promise<ClusterServer | StartFailure> {
  // Connection errors repeat every retry: the shell reports outages once.
  const store = new RedisStore(cluster.url, cluster.room, () => {});
  const failed = async (error: unknown): Promise<StartFailure> => {
    await store[Symbol.asyncDispose]();
    return {
      kind: "cluster",
      url: redactedUrl(cluster.url),
      detail: messageOf(error),
    };
  };
  try {
    await store.connect();
  } catch (error) {
    return await failed(error);
  }
  const srv = toHex(crypto.getRandomValues(new Uint8Array(8)));
  const log = new ClusterLog(
    srv,
    Math.max(DEFAULT_LOG_SIZE, options.history ?? 0),
  );
  const timeoutMs = options.timeoutMs ?? 10_000;
  const shell = new ClusterShell(store, log, { address, timeoutMs }, logger);
  try {
    await shell.prepare();
    const moderation = await shell.moderation();
    const salt = passphrase
      ? await store.salt(crypto.getRandomValues(new Uint8Array(SALT_BYTES)))
      : undefined;
    // Classic and browser members' ids start apart on each server: 2^20
    // ids each before two servers' could meet (see ClassicEngine, WebEngine).
    const [a, b] = crypto.getRandomValues(new Uint32Array(2));
    const ids = {
      classicFirstId: 2 ** 32 + a! * 2 ** 20,
      webFirstId: 2 ** 52 + (b! >>> 12) * 2 ** 20,
    };
    const core = new ServerCore(
      { ...options, salt, cluster: ids },
      logger,
      {
        sink: clusterSink(log, () => shell.flushed()),
        restored: { lastId: 0, events: [], members: [] },
        now: Date.now(),
        log,
      },
    );
    if (moderation !== undefined) core.adoptModeration(moderation, Date.now());
    logger(
      "info",
      `Sharing room ${cluster.room} through ${
        redactedUrl(cluster.url)
      } as server ${srv}`,
    );
    return { core, shell, store, salt };
  } catch (error) {
    return await failed(error);
  }
}
