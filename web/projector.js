// The projector page: the room's public lines in large type, the newest at
// the bottom, joins and leaves quieter; no input and no name. It is not a
// member: the server sends it what went to everyone.

import { appendRows, frameOf, lineElement, socketUrl } from "./lines.js";
import { deriveRoomKey, fromBase64, proveKey } from "./room_key.js";

/** Lines kept: more than any screen shows. */
const MAX_ROWS = 300;
/** Events shown quietly. */
const QUIET = new Set(["joined", "left", "nick", "away"]);

const $ = (
  /** @type {string} */ id,
) => /** @type {HTMLElement} */ (document.getElementById(id));
const log = $("log");
const status = $("status");
const secret = /** @type {HTMLFormElement} */ ($("secret"));
const passInput = /** @type {HTMLInputElement} */ ($("passphrase"));

let lastShown = 0;
let attempt = 0;
/** @type {CryptoKey | undefined} */
let key;
/** @type {{salt?: string, challenge?: string} | undefined} */
let waiting;

function connect() {
  const socket = new WebSocket(socketUrl());
  /** @type {ReturnType<typeof setInterval> | undefined} */
  let heartbeat;
  socket.onmessage = (event) => {
    const frame = frameOf(event);
    if (frame === undefined) return;
    if (frame.type === "room") {
      attempt = 0;
      status.textContent = "";
      heartbeat = setInterval(() => socket.send('{"type":"ping"}'), 3000);
      if (!frame.passphrase) return socket.send('{"type":"watch","v":1}');
      waiting = frame;
      if (key === undefined) {
        secret.hidden = false;
        return passInput.focus();
      }
      return watch(socket);
    }
    if (frame.type === "refused") {
      key = undefined;
      secret.hidden = false;
      status.textContent = frame.text;
      return;
    }
    if (frame.type !== "lines") return;
    if (typeof frame.id === "number") {
      if (frame.id <= lastShown) return;
      lastShown = frame.id;
    }
    const quiet = QUIET.has(frame.kind) ? "quiet" : undefined;
    appendRows(
      log,
      frame.lines.map((/** @type {any} */ line) => lineElement(line, quiet)),
      MAX_ROWS,
    );
  };
  socket.onclose = () => {
    clearInterval(heartbeat);
    status.textContent = "Reconnecting…";
    setTimeout(connect, [250, 500, 1000, 2000, 4000][Math.min(attempt++, 4)]);
  };
  secret.onsubmit = async (event) => {
    event.preventDefault();
    if (waiting === undefined) return;
    key = await deriveRoomKey(passInput.value, fromBase64(waiting.salt ?? ""));
    secret.hidden = true;
    await watch(socket);
  };
}

/** @param {WebSocket} socket */
async function watch(socket) {
  if (key === undefined || waiting === undefined) return;
  const proof = await proveKey(key, fromBase64(waiting.challenge ?? ""));
  socket.send(JSON.stringify({ type: "watch", v: 1, proof }));
}

connect();
