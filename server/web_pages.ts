/**
 * What the web listener serves and to whom: the pages' files and types,
 * the headers every response carries (a strict Content-Security-Policy: no
 * inline script, nothing from elsewhere), and which origins may open the
 * WebSocket. Pure.
 * @module
 */

/** One file the listener serves. */
export interface Page {
  /** The URL path. */
  path: string;
  /** The file under `web/`. */
  file: string;
  /** Its Content-Type. */
  type: string;
}

const HTML = "text/html; charset=utf-8";
const JS = "text/javascript; charset=utf-8";

/** Every file the pages are made of (tools/compile.ts packs this list). */
export const PAGES: readonly Page[] = [
  { path: "/", file: "member.html", type: HTML },
  { path: "/projector", file: "projector.html", type: HTML },
  { path: "/member.js", file: "member.js", type: JS },
  { path: "/projector.js", file: "projector.js", type: JS },
  { path: "/lines.js", file: "lines.js", type: JS },
  { path: "/room_key.js", file: "room_key.js", type: JS },
  { path: "/style.css", file: "style.css", type: "text/css; charset=utf-8" },
];

/** The Content-Security-Policy of every response. */
export const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

/** The headers of a response of `type`. */
export function securityHeaders(type: string): Record<string, string> {
  return {
    "Content-Type": type,
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
  };
}

/**
 * Whether a WebSocket upgrade with `origin` may go on: the page's own
 * origin (same host and port as the request's Host, over http or https),
 * one of `allowed`, or none (not a browser: a browser always sends one).
 */
export function allowedOrigin(
  origin: string | null,
  host: string,
  allowed: readonly string[],
): boolean {
  if (origin === null) return true;
  if (allowed.includes(origin)) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  return (url.protocol === "http:" || url.protocol === "https:") &&
    url.host === host.toLowerCase() && url.origin === origin;
}

/** `--web-origin`: a comma list of origins (scheme://host[:port]); throws on anything else. */
export function parseOrigins(text: string): string[] {
  const origins: string[] = [];
  for (const part of text.split(",").map((s) => s.trim())) {
    let url: URL;
    try {
      url = new URL(part);
    } catch {
      throw new SyntaxError(`Cannot parse origin ${part}`);
    }
    if (
      !/^https?:$/.test(url.protocol) || url.origin !== part.replace(/\/$/, "")
    ) {
      throw new SyntaxError(`Cannot parse origin ${part}`);
    }
    origins.push(url.origin);
  }
  return origins;
}
