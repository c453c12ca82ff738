/**
 * naive: the straightforward Deno chat server, written for the benchmark.
 * One socket on the main thread; receive a datagram, then send it to each
 * member in turn, awaiting each send (un-awaited sends collapse under load).
 * No reliability, no workers: it shows what Deno's own per-send cost allows,
 * side by side with udpchat. Text protocol, as classic.py:
 *   "L name"       -> "OK" (joins, or moves the name to this address)
 *   "C name text"  -> "name: text" to every other member
 *   "Q name"       -> "EXIT" (leaves)
 *
 * usage: deno run --allow-net naive.ts [--host 127.0.0.1] [--port 0]
 * Prints "naive listening on HOST:PORT" once bound; serves until killed.
 * @module
 */

import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    host: { type: "string", default: "127.0.0.1" },
    port: { type: "string", default: "0" },
  },
});
const socket = Deno.listenDatagram({
  transport: "udp",
  hostname: values.host,
  port: Number(values.port),
});
const { port } = socket.addr as Deno.NetAddr;
console.log(`naive listening on ${values.host}:${port}`);

const SPACE = 0x20;
const members = new Map<string, Deno.NetAddr>();
const decoder = new TextDecoder();
const encoder = new TextEncoder();
const buffer = new Uint8Array(65_536);

/** One awaited send; a failed one is lost, as with sendto in the C peer. */
async function send(bytes: Uint8Array, to: Deno.NetAddr): Promise<void> {
  try {
    await socket.send(bytes, to);
  } catch {
    // Lost, like any datagram.
  }
}

for (;;) {
  const [view, from] = await socket.receive(buffer);
  const data = view.slice();
  const rest = data.subarray(2);
  if (data.byteLength < 2 || data[1] !== SPACE) continue;
  if (data[0] === 0x4c /* L */ && rest.byteLength > 0) {
    members.set(decoder.decode(rest), from as Deno.NetAddr);
    await send(encoder.encode("OK"), from as Deno.NetAddr);
  } else if (data[0] === 0x43 /* C */) {
    const space = rest.indexOf(SPACE);
    if (space < 0) continue;
    const sender = decoder.decode(rest.subarray(0, space));
    const line = new Uint8Array(rest.byteLength + 1);
    line.set(rest.subarray(0, space));
    line.set(encoder.encode(": "), space);
    line.set(rest.subarray(space + 1), space + 2);
    for (const [name, where] of members) {
      if (name !== sender) await send(line, where);
    }
  } else if (data[0] === 0x51 /* Q */ && rest.byteLength > 0) {
    members.delete(decoder.decode(rest));
    await send(encoder.encode("EXIT"), from as Deno.NetAddr);
  }
}
