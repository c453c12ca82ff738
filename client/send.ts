/**
 * `udpchat send NAME TEXT`: join, post one message, wait until the server
 * has it, leave. For scripts and cron jobs: silent on success (exit 0); on a
 * refused name, an unreachable server or a message not delivered, one line
 * on stderr and exit 1.
 * @module
 */

import type { Address } from "../protocol/address.ts";
import type { ClientNotice } from "./core.ts";
import { formatNotice } from "./format.ts";
import { EN, type Messages } from "./i18n.ts";
import type { FromClientWorker, ToClientWorker } from "./messages.ts";

/** What `send` needs from the command line. */
export interface SendOptions {
  name: string;
  /** The message, already validated. */
  text: string;
  server: Address;
  /** Give up when the message is not delivered by then (ms; default 20 s). */
  timeoutMs?: number;
  /** The wording of errors (default English). */
  t?: Messages;
  /** The room's passphrase, for an encrypted room. */
  passphrase?: string;
  /** Where error lines go (default stderr). */
  error?: (line: string) => void;
}

/** Post one message as `name`; resolves to the exit code. */
export async function send(options: SendOptions): Promise<number> {
  const t = options.t ?? EN;
  const error = options.error ?? ((line: string) => console.error(line));
  const worker = new Worker(new URL("./net_worker.ts", import.meta.url), {
    type: "module",
  });
  const closed = Promise.withResolvers<void>();
  const post = (message: ToClientWorker) => worker.postMessage(message);
  let exitCode = 1;
  let leaving = false;
  // The cause (refused, unreachable) is reported rather than its effect
  // (not delivered), which the core announces first.
  let reported = false;
  const undelivered: string[] = [];
  const leave = () => {
    if (leaving) return;
    leaving = true;
    post({ type: "leave" });
  };
  const report = (notice: ClientNotice) => {
    for (const line of formatNotice(notice, { t })) {
      error(line.text);
      reported = true;
    }
  };

  const onNotice = (notice: ClientNotice) => {
    switch (notice.type) {
      case "delivered":
        if (notice.request.kind !== "say") return;
        exitCode = 0;
        return leave();
      case "undelivered":
        exitCode = 1;
        undelivered.push(...formatNotice(notice, { t }).map((l) => l.text));
        return leave();
      case "refused":
        exitCode = 1;
        report(notice);
        return leave();
      case "event": {
        const { kind } = notice.event;
        // What the server tells this member alone, or why it ends the session.
        if (kind === "notice" || (kind === "goodbye" && !leaving)) {
          report(notice);
        }
        return;
      }
      case "ended":
        if (notice.why !== "left") exitCode = 1;
        return report(notice);
      case "welcome":
      case "status":
        return;
    }
  };
  worker.onmessage = (event: MessageEvent<FromClientWorker>) => {
    const message = event.data;
    switch (message.type) {
      case "notice":
        return onNotice(message.notice);
      case "failed":
        error(message.message);
        exitCode = 1;
        return closed.resolve();
      case "closed":
        return closed.resolve();
    }
  };
  worker.onerror = (event) => {
    event.preventDefault();
    error(`Internal error: ${event.message}`);
    exitCode = 1;
    closed.resolve();
  };

  const timeoutMs = options.timeoutMs ?? 20_000;
  let giveUp: ReturnType<typeof setTimeout> | undefined;
  const timer = setTimeout(() => {
    if (leaving && exitCode === 0) return; // Delivered; the leave ends soon.
    error(t.undelivered(`no answer within ${timeoutMs / 1000} s`));
    reported = true;
    exitCode = 1;
    leave();
    // The leave itself may go unanswered: stop waiting for it too.
    giveUp = setTimeout(() => closed.resolve(), 3500);
  }, timeoutMs);

  post({
    type: "start",
    server: options.server,
    options: {},
    passphrase: options.passphrase,
  });
  post({ type: "join", name: options.name });
  post({ type: "send", request: { kind: "say", text: options.text } });

  await closed.promise;
  clearTimeout(timer);
  clearTimeout(giveUp);
  if (!reported) undelivered.forEach((line) => error(line));
  worker.terminate();
  return exitCode;
}
