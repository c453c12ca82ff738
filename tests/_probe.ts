/**
 * A prober for the LAN tests, run inside a test's network namespace:
 * `_probe.ts HOST PORT COUNT SECONDS` sends up to COUNT discovery probes to
 * HOST:PORT (HOST may be IPv6, as GROUP%INTERFACE), for at most SECONDS,
 * from one socket, then listens one more second and prints {"sent",
 * "answers", "ms", "addresses"} (ms: from the first probe to the end of
 * listening; addresses: the distinct addresses the answers name) as one
 * JSON line.
 * @module
 */

import {
  decodeAnswer,
  encodeProbe,
  NONCE_BYTES,
} from "../protocol/discovery.ts";

const [hostname = "", port = "", count = "1", seconds = "1"] = Deno.args;
const socket = Deno.listenDatagram({
  transport: "udp",
  hostname: hostname.includes(":") ? "::" : "0.0.0.0",
  port: 0,
});
let answers = 0;
const addresses = new Set<string>();
const receiving = (async () => {
  const buffer = new Uint8Array(2048);
  try {
    for (;;) {
      const [bytes] = await socket.receive(buffer);
      answers++;
      addresses.add(decodeAnswer(bytes).hostname);
    }
  } catch {
    // Closed: done listening.
  }
})();
const probe = encodeProbe(new Uint8Array(NONCE_BYTES));
const start = Date.now();
let sent = 0;
while (sent < Number(count) && Date.now() - start < Number(seconds) * 1000) {
  await socket.send(probe, { transport: "udp", hostname, port: Number(port) });
  sent++;
}
await new Promise((resolve) => setTimeout(resolve, 1000));
socket.close();
await receiving;
const ms = Date.now() - start;
console.log(JSON.stringify({ sent, answers, ms, addresses: [...addresses] }));
