/**
 * A storm of hostile sessions for end-to-end memory tests: raw UDP sockets
 * on loopback that do the real handshake (JOIN, COOKIE, JOIN, WELCOME), then
 * send frames 1, 2, 3, … and never frame 0, so the server can only buffer
 * them out of order, and then fall silent until the server times them out.
 * Bounded in count (sessions × frames) and in time (a deadline).
 * @module
 */

import { COOKIE_BYTES, NONCE_BYTES } from "../protocol/limits.ts";
import { MAX_FRAME_BODY, type Packet } from "../protocol/packet.ts";
import { decodePacket } from "../protocol/packet_decode.ts";
import { encodePacket, encodeSession } from "../protocol/packet_encode.ts";

/** The size of a storm and how long it may take. */
export interface StormOptions {
  /** Sessions to open, spread over the sockets. */
  sessions: number;
  /** Sockets (source ports) to open them from. */
  sockets: number;
  /** Out-of-order frames (seqs 1..frames) each session sends. */
  frames: number;
  /** Give up (throw) after this long. */
  deadlineMs: number;
}

/** What a storm achieved. */
export interface StormResult {
  welcomed: number;
  refused: number;
  framesSent: number;
}

/** One socket that joins again and again, one handshake at a time. */
class StormSocket {
  #socket = Deno.listenDatagram({
    transport: "udp",
    hostname: "127.0.0.1",
    port: 0,
  });
  #to: Deno.NetAddr;
  #waiting: ((packet: Packet) => void) | undefined;
  #loop: Promise<void>;

  constructor(port: number) {
    this.#to = { transport: "udp", hostname: "127.0.0.1", port };
    this.#loop = this.#receive();
  }

  async #receive(): Promise<void> {
    const buffer = new Uint8Array(2048);
    try {
      for (;;) {
        const [bytes] = await this.#socket.receive(buffer);
        let packet: Packet;
        try {
          // A copy: the reply is read after the buffer takes the next datagram.
          packet = decodePacket(bytes.slice());
        } catch {
          continue;
        }
        // Session datagrams of earlier sessions are never answered.
        if (packet.type !== "session") this.#waiting?.(packet);
      }
    } catch {
      // Closed.
    }
  }

  /** Send `bytes` and wait (at most `ms`) for a handshake reply. */
  async #ask(bytes: Uint8Array, ms: number): Promise<Packet | undefined> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const reply = new Promise<Packet | undefined>((resolve) => {
      this.#waiting = resolve;
      timer = setTimeout(() => resolve(undefined), ms);
    });
    await this.#socket.send(bytes, this.#to);
    const packet = await reply;
    clearTimeout(timer);
    this.#waiting = undefined;
    return packet;
  }

  /** Join as `name` and send `frames` frames out of order; the outcome. */
  async session(name: string, frames: number): Promise<Packet["type"]> {
    let cookie = new Uint8Array(COOKIE_BYTES);
    const nonce = crypto.getRandomValues(new Uint8Array(NONCE_BYTES));
    for (let tries = 0; tries < 10; tries++) {
      const reply = await this.#ask(
        encodePacket({ type: "join", nonce, cookie, name }),
        500,
      );
      if (reply?.type === "cookie") cookie = reply.cookie.slice();
      else if (reply?.type === "welcome") {
        await this.#flood(reply.sessionId, reply.token.slice(), frames);
        return reply.type;
      } else if (reply !== undefined) return reply.type;
    }
    throw new Error(`No answer to the JOIN of ${name}`);
  }

  async #flood(id: number, token: Uint8Array, frames: number): Promise<void> {
    const body = new Uint8Array(MAX_FRAME_BODY).fill(1);
    const into = new Uint8Array(1200);
    for (let seq = 1; seq <= frames; seq++) {
      const bytes = encodeSession(into, {
        sessionId: id,
        token,
        pn: seq,
        ack: { next: 0, ranges: [] },
        frames: [{ type: "data", seq, body }],
      });
      await this.#socket.send(bytes, this.#to);
      // Short pauses: the server's receive buffer holds ~180 such datagrams.
      if (seq % 64 === 0) await new Promise((r) => setTimeout(r, 1));
    }
  }

  async close(): Promise<void> {
    this.#socket.close();
    await this.#loop;
  }
}

/** Open `sessions` hostile sessions against the server on `port`. */
export async function storm(
  port: number,
  options: StormOptions,
): Promise<StormResult> {
  const result: StormResult = { welcomed: 0, refused: 0, framesSent: 0 };
  const deadline = Date.now() + options.deadlineMs;
  const sockets = Array.from(
    { length: options.sockets },
    () => new StormSocket(port),
  );
  try {
    await Promise.all(sockets.map(async (socket, s) => {
      for (let i = s; i < options.sessions; i += sockets.length) {
        if (Date.now() > deadline) {
          throw new Error(`Storm passed its deadline at session ${i}`);
        }
        const outcome = await socket.session(`storm${i}`, options.frames);
        if (outcome === "welcome") {
          result.welcomed++;
          result.framesSent += options.frames;
        } else result.refused++;
      }
    }));
  } finally {
    await Promise.all(sockets.map((socket) => socket.close()));
  }
  return result;
}

/**
 * Resident memory of a process, in KiB. Read with `cat`: Deno wants
 * --allow-all to read /proc/PID itself, and the test task grants only
 * --allow-run and friends.
 */
export async function rssKiB(pid: number): Promise<number> {
  const { stdout } = await new Deno.Command("cat", {
    args: [`/proc/${pid}/status`],
    stderr: "null",
  }).output();
  const status = new TextDecoder().decode(stdout);
  const kib = Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1]);
  if (!(kib > 0)) throw new Error(`No VmRSS for process ${pid}`);
  return kib;
}
