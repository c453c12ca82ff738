/**
 * The server's logger: one function with levels. The worker batches what it
 * is given to the console; the pure cores only call it.
 * @module
 */

/** Log levels of the server's logger. */
export type LogLevel = "debug" | "info" | "warn";

/** Where the server's cores report what happens. */
export type Logger = (level: LogLevel, text: string) => void;

/** The text of anything thrown. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
