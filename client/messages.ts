/**
 * Messages between the client's main thread (the terminal) and its network
 * worker. One union each way.
 * @module
 */

import type { Address } from "../protocol/address.ts";
import type { ClientRequest } from "../protocol/events.ts";
import type { ClientOptions } from "./core.ts";
import type { ClientNotice } from "./notices.ts";

/** Main thread to worker. */
export type ToClientWorker =
  | {
    type: "start";
    /** The room's servers, in the order to try them. */
    servers: Address[];
    options: ClientOptions;
    passphrase?: string;
  }
  | { type: "join"; name: string }
  | { type: "send"; request: Exclude<ClientRequest, { kind: "leave" }> }
  /** Leave, telling the others `reason` when there is one. */
  | { type: "leave"; reason?: string };

/** Worker to main thread. */
export type FromClientWorker =
  | { type: "notice"; notice: ClientNotice }
  | { type: "failed"; message: string }
  | { type: "closed" };
