/**
 * A recording forwarder for end-to-end tests: one member sends to the tap,
 * the tap forwards to the server from its own socket and back, and keeps
 * every datagram the member sent, so a test can replay one later, as an
 * attacker on the path could.
 * @module
 */

/** Forwards one member's datagrams to a server and back, recording them. */
export class Tap implements AsyncDisposable {
  /** Every datagram the member sent, in order. */
  readonly sent: Uint8Array[] = [];
  #front: Deno.DatagramConn;
  #back: Deno.DatagramConn;
  #server: Deno.NetAddr;
  #member: Deno.NetAddr | undefined;
  #loops: Promise<void>[];

  /** A tap in front of the server at 127.0.0.1:`port`. */
  constructor(port: number) {
    const bind = { transport: "udp", hostname: "127.0.0.1", port: 0 } as const;
    this.#front = Deno.listenDatagram(bind);
    this.#back = Deno.listenDatagram(bind);
    this.#server = { transport: "udp", hostname: "127.0.0.1", port };
    this.#loops = [this.#toServer(), this.#toMember()];
  }

  /** The port members send to. */
  get port(): number {
    return (this.#front.addr as Deno.NetAddr).port;
  }

  async #toServer(): Promise<void> {
    for await (const [bytes, from] of this.#front) {
      this.#member = from as Deno.NetAddr;
      this.sent.push(bytes.slice());
      await this.#back.send(bytes, this.#server).catch(() => {});
    }
  }

  async #toMember(): Promise<void> {
    for await (const [bytes] of this.#back) {
      if (this.#member === undefined) continue;
      await this.#front.send(bytes, this.#member).catch(() => {});
    }
  }

  /** Close both sockets and wait for the forwarding to stop. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.#front.close();
    this.#back.close();
    await Promise.allSettled(this.#loops);
  }
}

/** Send `bytes` to 127.0.0.1:`port` from a fresh socket (another address). */
export async function sendFromElsewhere(
  bytes: Uint8Array,
  port: number,
): Promise<void> {
  const socket = Deno.listenDatagram({
    transport: "udp",
    hostname: "127.0.0.1",
    port: 0,
  });
  try {
    await socket.send(bytes, { transport: "udp", hostname: "127.0.0.1", port });
  } finally {
    socket.close();
  }
}
