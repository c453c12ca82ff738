/**
 * A classic client for the end-to-end tests: one plain UDP socket on
 * 127.0.0.1, commands as text, every datagram received kept.
 * @module
 */

import assert from "node:assert/strict";

/** Longest datagram the server may send a classic client. */
export const CLASSIC_LINE_BYTES = 1024;
/** What this client reads with: large, so an oversized datagram shows instead of being cut. */
const RECEIVE_BYTES = 65_536;

const encoder = new TextEncoder();
const strict = new TextDecoder("utf-8", { fatal: true });

/**
 * A classic client: one UDP socket, commands as plain text, every datagram
 * it receives kept with its arrival time. Replies (`OK`, `EXIT`, a refusal)
 * carry no newline; a room line is a datagram starting with "\n", or, when
 * longer than CLASSIC_LINE_BYTES, such a datagram and its continuations.
 */
export class ClassicClient implements AsyncDisposable {
  /** Every datagram received, as raw bytes, and when (ms since the epoch). */
  readonly datagrams: Array<{ bytes: Uint8Array; at: number }> = [];
  /** The local port, as the server's /who shows it. */
  readonly port: number;
  #socket: Deno.DatagramConn;
  #server: Deno.NetAddr;
  #used = new Set<number>();
  #loop: Promise<void>;
  #changed: (() => void) | undefined;

  constructor(port: number) {
    this.#socket = Deno.listenDatagram({
      transport: "udp",
      hostname: "127.0.0.1",
      port: 0,
    });
    this.port = (this.#socket.addr as Deno.NetAddr).port;
    this.#server = { transport: "udp", hostname: "127.0.0.1", port };
    this.#loop = this.#receive();
  }

  async #receive(): Promise<void> {
    const buffer = new Uint8Array(RECEIVE_BYTES);
    // Ends when the socket is closed (receive rejects).
    while (true) {
      try {
        const [bytes] = await this.#socket.receive(buffer);
        this.datagrams.push({ bytes: bytes.slice(), at: Date.now() });
      } catch {
        return;
      }
      this.#changed?.();
    }
  }

  /** Every datagram as text (throws on invalid UTF-8). */
  texts(): string[] {
    return this.datagrams.map(({ bytes }) => strict.decode(bytes));
  }

  /** Which datagrams are room lines (or pieces of one) rather than replies. */
  #roomFlags(): boolean[] {
    let cut = false;
    return this.datagrams.map(({ bytes }) => {
      const room = bytes[0] === 0x0a || cut;
      // A piece this close to the limit was cut there: the next one continues it.
      cut = room && bytes.byteLength > CLASSIC_LINE_BYTES - 4;
      return room;
    });
  }

  /** Replies so far (no leading newline): `OK`, `EXIT`, refusals. */
  replies(): string[] {
    const flags = this.#roomFlags();
    return this.texts().filter((_, i) => !flags[i]);
  }

  /** Room lines so far: the room datagrams joined, split at each leading "\n". */
  lines(): string[] {
    const flags = this.#roomFlags();
    return this.texts().filter((_, i) => flags[i]).join("").split("\n")
      .slice(1);
  }

  /** Send one command as is. */
  async send(text: string): Promise<void> {
    await this.#socket.send(encoder.encode(text), this.#server);
  }

  /** Send a command and wait for a reply not claimed yet; returns it. */
  async request(text: string, timeoutMs = 5000): Promise<string> {
    const from = this.datagrams.length;
    await this.send(text);
    let found = -1;
    await this.until(
      () => {
        const flags = this.#roomFlags();
        found = flags.findIndex((room, i) =>
          i >= from && !room && !this.#used.has(i)
        );
        return found >= 0;
      },
      `a reply to ${JSON.stringify(text)}`,
      timeoutMs,
    );
    this.#used.add(found);
    return this.texts()[found]!;
  }

  /** `L name`, expecting `OK`. */
  async login(name: string): Promise<void> {
    assert.equal(await this.request(`L ${name}`), "OK", `L ${name}`);
  }

  /** Wait until a room line matches (a string must equal it); returns it. */
  async waitLine(
    pattern: string | RegExp,
    timeoutMs = 10_000,
  ): Promise<string> {
    const test = (line: string) =>
      typeof pattern === "string" ? line === pattern : pattern.test(line);
    await this.until(
      () => this.lines().some(test),
      JSON.stringify(String(pattern)),
      timeoutMs,
    );
    return this.lines().find(test)!;
  }

  /** When the datagram that is exactly "\n" + `line` arrived. */
  arrival(line: string): number {
    const at = this.texts().indexOf(`\n${line}`);
    assert.ok(at >= 0, `no datagram ${JSON.stringify(`\n${line}`)}`);
    return this.datagrams[at]!.at;
  }

  /**
   * Wait for the end: a datagram exactly "\n" + `line` (saying why), then
   * `EXIT` as the very next datagram.
   */
  async waitExit(line: string | RegExp, timeoutMs = 10_000): Promise<void> {
    await this.until(
      () => this.texts().includes("EXIT"),
      `EXIT after ${String(line)}`,
      timeoutMs,
    );
    const texts = this.texts();
    const exit = texts.indexOf("EXIT");
    const before = texts[exit - 1] ?? "";
    assert.ok(
      typeof line === "string"
        ? before === `\n${line}`
        : before.startsWith("\n") && line.test(before.slice(1)),
      `EXIT came after ${JSON.stringify(before)}, not ${String(line)}; got ${
        JSON.stringify(texts)
      }`,
    );
  }

  /** Every datagram fits CLASSIC_LINE_BYTES and no room datagram ends in a newline. */
  assertWellFormed(): void {
    const texts = this.texts();
    for (const [i, { bytes }] of this.datagrams.entries()) {
      assert.ok(
        bytes.byteLength <= CLASSIC_LINE_BYTES,
        `datagram ${i} is ${bytes.byteLength} bytes`,
      );
      assert.ok(!texts[i]!.endsWith("\n"), `datagram ${i} ends in a newline`);
    }
  }

  /** Wait until `done()`; the error names `what` and shows every datagram. */
  async until(
    done: () => boolean,
    what: string,
    timeoutMs = 10_000,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(
          `Timed out after ${timeoutMs} ms waiting for ${what}; got ${
            JSON.stringify(this.texts())
          }`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 200));
        this.#changed = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.#socket.close();
    await this.#loop;
  }
}
