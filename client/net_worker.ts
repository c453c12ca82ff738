/**
 * Worker entry of `join`: owns the UDP socket and the session. The main
 * thread sends what the user typed and shows the notices that come back.
 * @module
 */

/// <reference lib="deno.worker" />

import { UdpClient } from "./client.ts";
import { ClientCore } from "./core.ts";
import type { FromClientWorker, ToClientWorker } from "./messages.ts";

let client: UdpClient | undefined;

function post(message: FromClientWorker): void {
  self.postMessage(message);
}

async function finish(): Promise<void> {
  await client?.close();
  client = undefined;
  post({ type: "closed" });
  self.close();
}

function start(message: Extract<ToClientWorker, { type: "start" }>): void {
  let socket: Deno.DatagramConn;
  try {
    // One socket for every server of the list, of the first one's family:
    // one of the other family cannot be sent to, and is a silent server.
    const first = message.servers[0]?.hostname ?? "";
    const hostname = first.includes(":") ? "::" : "0.0.0.0";
    socket = Deno.listenDatagram({ transport: "udp", hostname, port: 0 });
  } catch (error) {
    post({
      type: "failed",
      message: `Cannot open a UDP socket: ${(error as Error).message}`,
    });
    return;
  }
  client = new UdpClient(
    socket,
    new ClientCore((into) => crypto.getRandomValues(into), {
      ...message.options,
      passphrase: message.passphrase !== undefined,
      servers: message.servers,
    }),
    (notice) => {
      post({ type: "notice", notice });
      if (notice.type === "ended") void finish();
    },
    message.passphrase,
  );
}

self.onmessage = (event: MessageEvent<ToClientWorker>) => {
  const message = event.data;
  switch (message.type) {
    case "start":
      return start(message);
    case "join":
      return client?.act((core, now) => core.join(message.name, now));
    case "send":
      return client?.act((core, now) => core.send(message.request, now));
    case "leave":
      if (client === undefined) return void finish();
      return client.act((core, now) => core.leave(now, message.reason));
    default: {
      const _exhaustive: never = message;
      throw new TypeError(`Unknown message ${_exhaustive}`);
    }
  }
};
