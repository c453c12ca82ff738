/**
 * The main thread's handle on the client's network worker: start it
 * towards the room's servers, post it requests, get its notices, and know when it
 * closed (or failed). `join` and `send` both use it.
 * @module
 */

import type { Address } from "../protocol/address.ts";
import type { ClientOptions } from "./core.ts";
import type { ClientNotice } from "./notices.ts";
import type { FromClientWorker, ToClientWorker } from "./messages.ts";

/** A running network worker. */
export class NetWorker {
  /** Resolves when the worker closed, failed, or `stop` was called. */
  readonly closed: Promise<void>;
  #worker: Worker;
  #done: () => void;

  /**
   * Start a worker towards `servers` (tried in order). `onNotice` gets every notice;
   * `onFailure` a fatal problem (the worker could not open its socket, or
   * crashed), after which `closed` resolves.
   */
  constructor(
    servers: Address[],
    passphrase: string | undefined,
    onNotice: (notice: ClientNotice) => void,
    onFailure: (message: string) => void,
    options: ClientOptions = {},
  ) {
    const { promise, resolve } = Promise.withResolvers<void>();
    this.closed = promise;
    this.#done = resolve;
    this.#worker = new Worker(new URL("./net_worker.ts", import.meta.url), {
      type: "module",
    });
    this.#worker.onmessage = (event: MessageEvent<FromClientWorker>) => {
      const message = event.data;
      switch (message.type) {
        case "notice":
          return onNotice(message.notice);
        case "failed":
          onFailure(message.message);
          return resolve();
        case "closed":
          return resolve();
      }
    };
    this.#worker.onerror = (event) => {
      event.preventDefault();
      onFailure(`Internal error: ${event.message}`);
      resolve();
    };
    this.post({ type: "start", servers, options, passphrase });
  }

  /** Send the worker a message. */
  post(message: ToClientWorker): void {
    this.#worker.postMessage(message);
  }

  /** Stop waiting for the worker: `closed` resolves now. */
  stop(): void {
    this.#done();
  }

  /** End the worker (after `closed`). */
  terminate(): void {
    this.#worker.terminate();
  }
}
