/**
 * Test helpers for the cluster's pure parts: a server of a room (its
 * `ClusterLog` and what it delivered) driven against a `FakeStore` the way
 * `ClusterShell` drives it, and room events to append.
 * @module
 */

import { ClusterLog } from "./cluster_log.ts";
import type { Control } from "./cluster_ops.ts";
import type { FakeStore } from "./_fake_store.ts";
import type { LogEntry } from "./room_log.ts";

/** A server of the room: its log, what it delivered, and a shell's commit and read. */
export class Node {
  readonly log: ClusterLog;
  readonly delivered: LogEntry[] = [];
  readonly controls: Control[] = [];
  #store: FakeStore;
  #batch = 0;

  /** Server `srv` of the room kept in `store`. */
  constructor(store: FakeStore, srv: string) {
    this.#store = store;
    this.log = new ClusterLog(srv);
    this.log.connect({
      deliver: (entry) => this.delivered.push(entry),
      control: (control) => this.controls.push(control),
    });
  }

  /** Commit what is queued as one batch (`batch`: a retry), answering claims as the shell does. */
  async commit(now = 0, batch = ++this.#batch, ops = this.log.take()) {
    const answers = await this.#store.commit(
      this.log.srv,
      batch,
      ops,
      this.log.cursor,
    );
    ops.forEach((op, i) => {
      if (op.o !== "claim") return;
      if (answers[i] === null) this.log.push(op);
      else this.log.claimed(op.key, op.id, answers[i] === 1, now);
    });
  }

  /** Take in what the stream has after this server's cursor. */
  async read() {
    this.log.apply(await this.#store.read(this.log.cursor, 0));
  }

  /** What was delivered: chat texts, else event kinds. */
  texts(): string[] {
    return this.delivered.map(({ event }) =>
      event.kind === "chat" ? event.text : event.kind
    );
  }
}

/** A room event for the test. */
export function chat(text: string, from = "x"): LogEntry {
  return {
    to: "all",
    event: { kind: "chat", id: 0, time: 0, from, text },
  };
}

/** A room event for the test. */
export function joined(id: number, name: string): LogEntry {
  return {
    to: "all",
    except: id,
    event: { kind: "joined", id: 0, time: 0, name },
  };
}

/** A room event for the test. */
export function left(id: number, name: string): LogEntry {
  return {
    to: "all",
    except: id,
    event: { kind: "left", id: 0, time: 0, name, why: "left", reason: "" },
  };
}
