// The member page: asks for a name (and the passphrase when the room has
// one), then shows the room as a terminal member sees it. Every line comes
// from the server already worded; this page only shows it, as text. After
// a dropped connection it comes back by itself with its token and is sent
// what it missed, once (PROTOCOL.md, "Browser members").

import { appendRows, frameOf, lineElement, socketUrl } from "./lines.js";
import { deriveRoomKey, fromBase64, proveKey } from "./room_key.js";

/** Lines kept on screen. */
const MAX_ROWS = 2000;
/** Waits between reconnection attempts (ms), the last repeating. */
const BACKOFF = [250, 500, 1000, 2000, 4000];

const $ = (
  /** @type {string} */ id,
) => /** @type {HTMLElement} */ (document.getElementById(id));
const join = /** @type {HTMLFormElement} */ ($("join"));
const nameInput = /** @type {HTMLInputElement} */ ($("name"));
const secret = $("secret");
const passInput = /** @type {HTMLInputElement} */ ($("passphrase"));
const joinButton = /** @type {HTMLButtonElement} */ ($("join-button"));
const joinStatus = $("join-status");
const room = $("room");
const status = $("status");
const members = $("members");
const log = $("log");
const send = /** @type {HTMLFormElement} */ ($("send"));
const message = /** @type {HTMLInputElement} */ ($("message"));
const again = /** @type {HTMLButtonElement} */ ($("again"));

const state = {
  /** @type {WebSocket | undefined} */
  socket: undefined,
  /** @type {{passphrase: boolean, salt?: string, challenge?: string} | undefined} */
  room: undefined,
  /** @type {CryptoKey | undefined} */
  key: undefined,
  /** @type {string | undefined} */
  token: undefined,
  name: "",
  lastSeen: 0,
  /** True once in the room and until told to leave. */
  member: false,
  /** Told to leave (kicked, left): no reconnecting. */
  ended: false,
  /** The server restarted: join again under the same name. */
  rejoin: false,
  attempt: 0,
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  retry: undefined,
  /** @type {ReturnType<typeof setInterval> | undefined} */
  heartbeat: undefined,
  /** @type {string[]} */
  names: [],
};

const lang = navigator.language.toLowerCase().startsWith("zh") ? "zh" : "en";

function connect() {
  const socket = new WebSocket(socketUrl());
  state.socket = socket;
  socket.onmessage = (event) => {
    const frame = frameOf(event);
    if (frame === undefined) return;
    onFrame(frame);
  };
  socket.onclose = () => {
    if (state.socket !== socket) return;
    state.socket = undefined;
    clearInterval(state.heartbeat);
    if (state.ended) return;
    const wait = BACKOFF[Math.min(state.attempt++, BACKOFF.length - 1)];
    setStatus(state.member ? "Connection lost; reconnecting…" : "Connecting…");
    state.retry = setTimeout(connect, wait);
  };
}

/** @param {any} frame */
function onFrame(frame) {
  switch (frame.type) {
    case "room":
      state.room = frame;
      state.attempt = 0;
      if (state.token !== undefined || state.rejoin) return void hello();
      secret.hidden = !frame.passphrase;
      joinButton.disabled = false;
      joinStatus.textContent = "";
      return;
    case "welcome":
      return welcome(frame);
    case "refused":
      state.rejoin = false;
      state.token = undefined;
      state.member = false;
      join.hidden = false;
      room.hidden = true;
      joinButton.disabled = false;
      joinStatus.textContent = frame.text;
      nameInput.focus();
      nameInput.select();
      return;
    case "lines":
      return show(frame);
    case "goodbye":
      return goodbye(frame);
    case "error":
      return rows([{ text: frame.text, style: "error" }]);
  }
}

/** Say hello: a new member, or resuming with the token. */
async function hello() {
  const roomInfo = state.room;
  if (roomInfo === undefined || state.socket === undefined) return;
  /** @type {Record<string, unknown>} */
  const frame = { type: "hello", v: 1, name: state.name, lang };
  if (state.token !== undefined) {
    frame.resume = { token: state.token, lastSeen: state.lastSeen };
  } else if (state.rejoin) {
    // A resume the server will not know: it says the member joined again.
    frame.resume = { token: "0".repeat(32), lastSeen: 0 };
  }
  if (roomInfo.passphrase) {
    if (state.key === undefined) {
      joinStatus.textContent = "Checking the passphrase…";
      state.key = await deriveRoomKey(
        passInput.value,
        fromBase64(roomInfo.salt ?? ""),
      );
    }
    frame.proof = await proveKey(
      state.key,
      fromBase64(roomInfo.challenge ?? ""),
    );
  }
  state.socket.send(JSON.stringify(frame));
}

/** @param {any} frame */
function welcome(frame) {
  const first = !state.member;
  state.token = frame.token;
  state.name = frame.name;
  state.member = true;
  state.rejoin = false;
  join.hidden = true;
  room.hidden = false;
  again.hidden = true;
  message.disabled = false;
  setStatus("");
  rows(frame.lines);
  clearInterval(state.heartbeat);
  state.heartbeat = setInterval(() => {
    if (state.socket?.readyState === WebSocket.OPEN) {
      state.socket.send('{"type":"ping"}');
    }
  }, frame.heartbeatMs);
  if (first) message.focus();
}

/** @param {any} frame */
function show(frame) {
  if (typeof frame.id === "number" && frame.kind !== "history") {
    // Already shown (sent again after a reconnection): once only.
    if (frame.id <= state.lastSeen) return;
    state.lastSeen = frame.id;
  }
  if (frame.roster) roster(frame.roster);
  rows(frame.lines);
}

/** @param {any} frame */
function goodbye(frame) {
  rows(frame.lines);
  state.token = undefined;
  state.member = false;
  clearInterval(state.heartbeat);
  if (frame.why === "restarting") {
    // Its server restarted: join again, under the same name.
    state.rejoin = true;
    setStatus("Joining again…");
    return;
  }
  state.ended = true;
  message.disabled = true;
  again.hidden = false;
  setStatus("You are not in the room");
}

/** @param {any} change */
function roster(change) {
  const names = state.names;
  const key = (/** @type {string} */ n) => n.toLowerCase();
  switch (change.op) {
    case "set":
      state.names = [...change.names];
      break;
    case "add":
      if (!names.some((n) => key(n) === key(change.name))) {
        names.push(change.name);
      }
      break;
    case "remove":
      state.names = names.filter((n) => key(n) !== key(change.name));
      break;
    case "rename":
      state.names = names.map((n) =>
        key(n) === key(change.from) ? change.to : n
      );
      break;
  }
  members.replaceChildren(
    ...state.names.map((name) => {
      const item = document.createElement("li");
      item.textContent = name;
      if (key(name) === key(state.name)) item.className = "self";
      return item;
    }),
  );
}

/** @param {Array<{text: string, style: string, time?: number, history?: boolean}>} lines */
function rows(lines) {
  appendRows(log, lines.map((line) => lineElement(line)), MAX_ROWS);
}

/** @param {string} text */
function setStatus(text) {
  status.textContent = text;
  if (!state.member) joinStatus.textContent = text;
}

join.addEventListener("submit", (event) => {
  event.preventDefault();
  const name = nameInput.value.trim();
  if (name === "") {
    joinStatus.textContent = "Type a name first";
    return nameInput.focus();
  }
  if (!secret.hidden && passInput.value === "") {
    joinStatus.textContent = "Type the room's passphrase first";
    return passInput.focus();
  }
  state.name = name;
  state.key = undefined;
  joinButton.disabled = true;
  hello().catch((error) => {
    joinButton.disabled = false;
    joinStatus.textContent = String(error);
  });
});

send.addEventListener("submit", (event) => {
  event.preventDefault();
  const text = message.value;
  if (text.trim() === "") return;
  if (state.socket?.readyState !== WebSocket.OPEN || !state.member) {
    return setStatus("Not connected yet; your line is kept");
  }
  state.socket.send(JSON.stringify({ type: "line", text }));
  message.value = "";
});

again.addEventListener("click", () => location.reload());

// A phone that loses its network may keep a dead socket open for minutes:
// going offline closes it, coming back reconnects at once.
addEventListener("offline", () => state.socket?.close());
addEventListener("online", () => {
  state.attempt = 0;
  clearTimeout(state.retry);
  if (state.socket === undefined && !state.ended) connect();
});

connect();
