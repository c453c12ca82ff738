/**
 * The signals that stop `serve` and make `join` leave, in one place for
 * them and for the tasks' launcher.
 * @module
 */

/**
 * Call `listener(signal)` on Ctrl-C's SIGINT, on SIGTERM, and on SIGHUP (the
 * terminal was closed) when this process has a terminal. Without one (a
 * daemon, a bot, `nohup`), SIGHUP is ignored: Deno does not keep the
 * ignoring nohup asks for (measured: a `nohup deno run` server dies of
 * SIGHUP), so it is done here. Returns what stops listening.
 */
export function onStop(listener: (signal: Deno.Signal) => void): () => void {
  const terminal = Deno.stdin.isTerminal() || Deno.stdout.isTerminal() ||
    Deno.stderr.isTerminal();
  const handlers = new Map<Deno.Signal, () => void>([
    ["SIGINT", () => listener("SIGINT")],
    ["SIGTERM", () => listener("SIGTERM")],
    ["SIGHUP", terminal ? () => listener("SIGHUP") : () => {}],
  ]);
  for (const [signal, handler] of handlers) {
    Deno.addSignalListener(signal, handler);
  }
  return () => {
    for (const [signal, handler] of handlers) {
      Deno.removeSignalListener(signal, handler);
    }
  };
}
