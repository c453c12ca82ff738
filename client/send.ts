/**
 * `udpchat send NAME TEXT`: join, post one message, wait until the server
 * has it, leave. For scripts and cron jobs: silent on success (exit 0); on a
 * refused name, an unreachable server or a message not delivered, one line
 * on stderr and exit 1.
 * @module
 */

import { type Address, formatAddress } from "../protocol/address.ts";
import type { ClientNotice } from "./notices.ts";
import { formatNotice } from "./format.ts";
import { EN, type Messages } from "../wording/i18n.ts";
import type { ToClientWorker } from "./messages.ts";
import { NetWorker } from "./session.ts";

/** What `send` needs from the command line. */
export interface SendOptions {
  name: string;
  /** The message, already validated. */
  text: string;
  /** The room's servers: the first that answers takes the message. */
  servers: Address[];
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
  const format = { t, server: options.servers.map(formatAddress).join(", ") };
  const error = options.error ?? ((line: string) => console.error(line));
  // Made once the handlers it calls exist; the closures below reach it.
  // deno-lint-ignore prefer-const
  let worker: NetWorker | undefined;
  const post = (message: ToClientWorker) => worker?.post(message);
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
    for (const line of formatNotice(notice, format)) {
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
        undelivered.push(...formatNotice(notice, format).map((l) => l.text));
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
      case "server":
        return;
    }
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
    giveUp = setTimeout(() => worker?.stop(), 3500);
  }, timeoutMs);

  worker = new NetWorker(
    options.servers,
    options.passphrase,
    onNotice,
    (message) => {
      error(message);
      reported = true;
      exitCode = 1;
    },
    { lang: t.lang },
  );
  post({ type: "join", name: options.name });
  post({ type: "send", request: { kind: "say", text: options.text } });

  await worker.closed;
  clearTimeout(timer);
  clearTimeout(giveUp);
  if (!reported) undelivered.forEach((line) => error(line));
  worker.terminate();
  return exitCode;
}
