// How both pages show a line: its time as a terminal stamps it (HH:MM,
// local time; none for history, whose text carries its own) and its text,
// always as text (textContent), never as HTML.

/**
 * "HH:MM" in local time, as wording/events.ts `clock` writes it.
 * @param {number} time
 * @returns {string}
 */
export function clock(time) {
  const date = new Date(time);
  const two = (/** @type {number} */ n) => String(n).padStart(2, "0");
  return `${two(date.getHours())}:${two(date.getMinutes())}`;
}

/**
 * One line of the log.
 * @param {{text: string, style: string, time?: number, history?: boolean}} line
 * @param {string} [extra] another class
 * @returns {HTMLElement}
 */
export function lineElement(line, extra) {
  const row = document.createElement("div");
  row.className = `line ${line.style}${extra ? ` ${extra}` : ""}`;
  if (!line.history && typeof line.time === "number") {
    const stamp = document.createElement("time");
    const date = new Date(line.time);
    if (!Number.isNaN(date.getTime())) stamp.dateTime = date.toISOString();
    stamp.textContent = clock(line.time);
    row.append(stamp, " ");
  }
  const text = document.createElement("span");
  text.className = "text";
  text.textContent = line.text;
  row.append(text);
  return row;
}

/**
 * Append `rows` to `log`, keep at most `max`, and stay at the bottom when
 * the reader was there.
 * @param {HTMLElement} log
 * @param {HTMLElement[]} rows
 * @param {number} max
 */
export function appendRows(log, rows, max) {
  const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
  log.append(...rows);
  while (log.childElementCount > max) log.firstElementChild?.remove();
  if (atBottom) log.scrollTop = log.scrollHeight;
}

/**
 * The WebSocket URL of this page's server.
 * @returns {string}
 */
export function socketUrl() {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}/ws`;
}

/**
 * The frame a socket message carries, or undefined for one that is not
 * JSON text (the server sends only JSON text; anything else is ignored).
 * @param {MessageEvent} event
 * @returns {any}
 */
export function frameOf(event) {
  if (typeof event.data !== "string") return undefined;
  try {
    return JSON.parse(event.data);
  } catch {
    return undefined;
  }
}
