/**
 * The browser engine's shell: Deno's HTTP server on the `--web` port, in the
 * network worker beside the UDP socket, so each WebSocket frame reaches the
 * chat core at once (through `UdpServer.act`, which then sends what it
 * caused to UDP members). It serves the two pages from the repository's
 * `web/` folder, with a strict Content-Security-Policy, and upgrades
 * `/ws` to a WebSocket for the page's own origin (or one `--web-origin`
 * allows). The passphrase proof is checked here (Web Crypto is async),
 * before the engine sees the hello.
 * @module
 */

import { MAX_WEB_FRAME_BYTES } from "../protocol/web_frames.ts";
import { verifyProof } from "../protocol/web_proof.ts";
import type { Logger } from "./log.ts";
import type { UdpServer } from "./server.ts";
import type { WebConnection } from "./web_member.ts";
import { allowedOrigin, PAGES, securityHeaders } from "./web_pages.ts";

/** What the web listener needs. */
export interface WebListen {
  hostname: string;
  port: number;
  /** Origins allowed besides the page's own (`--web-origin`). */
  origins: readonly string[];
  /** The room key, in a room with a passphrase. */
  key?: CryptoKey;
}

/** The HTTP and WebSocket listener of the browser pages. */
export class WebListener {
  #http: Deno.HttpServer<Deno.NetAddr>;
  #files: Map<string, Uint8Array<ArrayBuffer>>;
  #sockets = new Set<WebSocket>();

  private constructor(
    server: UdpServer,
    options: WebListen,
    files: Map<string, Uint8Array<ArrayBuffer>>,
    log: Logger,
  ) {
    this.#files = files;
    this.#http = Deno.serve({
      hostname: options.hostname,
      port: options.port,
      onListen: () => {},
      onError: (error) => {
        log("debug", `Web request failed: ${(error as Error).message}`);
        return new Response("Internal error", { status: 500 });
      },
    }, (request, info) => this.#handle(request, info, server, options));
  }

  /** Listen on `options`' address with the pages of `web/`. Throws what Deno.serve throws. */
  static async start(
    server: UdpServer,
    options: WebListen,
    log: Logger,
  ): Promise<WebListener> {
    const files = new Map<string, Uint8Array<ArrayBuffer>>();
    for (const page of PAGES) {
      files.set(
        page.file,
        await Deno.readFile(new URL(`../web/${page.file}`, import.meta.url)),
      );
    }
    return new WebListener(server, options, files, log);
  }

  /** The bound address. */
  get address(): Deno.NetAddr {
    return this.#http.addr;
  }

  /** Stop listening and close every socket. */
  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.close(1001, "Server closing");
    await this.#http.shutdown();
  }

  #handle(
    request: Request,
    info: Deno.ServeHandlerInfo<Deno.NetAddr>,
    server: UdpServer,
    options: WebListen,
  ): Response {
    const url = new URL(request.url);
    if (url.pathname === "/ws") {
      return this.#upgrade(request, info.remoteAddr, server, options);
    }
    const page = PAGES.find((p) => p.path === url.pathname);
    if (page === undefined) {
      return new Response("Not found", {
        status: 404,
        headers: securityHeaders("text/plain; charset=utf-8"),
      });
    }
    if (request.method !== "GET" && request.method !== "HEAD") {
      return new Response("Method not allowed", {
        status: 405,
        headers: {
          ...securityHeaders("text/plain; charset=utf-8"),
          Allow: "GET, HEAD",
        },
      });
    }
    const body = request.method === "HEAD" ? null : this.#files.get(page.file)!;
    return new Response(body, { headers: securityHeaders(page.type) });
  }

  #upgrade(
    request: Request,
    remote: Deno.NetAddr,
    server: UdpServer,
    options: WebListen,
  ): Response {
    const origin = request.headers.get("origin");
    const host = request.headers.get("host") ?? "";
    if (!allowedOrigin(origin, host, options.origins)) {
      return new Response("Origin not allowed", { status: 403 });
    }
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return new Response("Expected a WebSocket", { status: 426 });
    }
    const { socket, response } = Deno.upgradeWebSocket(request);
    this.#attach(socket, remote, server, options.key);
    return response;
  }

  /** Tie one socket to the engine: frames in order, even while a proof is checked. */
  #attach(
    socket: WebSocket,
    remote: Deno.NetAddr,
    server: UdpServer,
    key: CryptoKey | undefined,
  ): void {
    let connection: WebConnection | undefined;
    let queue: Promise<void> = Promise.resolve();
    const address = remote.hostname.includes(":")
      ? `[${remote.hostname}]:${remote.port}`
      : `${remote.hostname}:${remote.port}`;
    this.#sockets.add(socket);
    socket.onopen = () => {
      connection = server.act((core, now) =>
        core.web.open({
          host: remote.hostname,
          address,
          send: (text) => {
            if (socket.readyState !== WebSocket.OPEN) return 0;
            socket.send(text);
            return socket.bufferedAmount;
          },
          close: () => socket.close(1000),
        }, now)
      );
    };
    socket.onmessage = (event: MessageEvent) => {
      const data = event.data;
      queue = queue.then(async () => {
        if (connection === undefined) return;
        const text =
          typeof data === "string" && data.length <= MAX_WEB_FRAME_BYTES
            ? data
            : "";
        const proven = key !== undefined &&
          connection.challenge !== undefined &&
          await proves(key, connection.challenge, text);
        server.act((core, now) => {
          core.web.receive(connection!, text, now, proven);
          core.flush(now);
        });
      });
    };
    socket.onclose = () => {
      this.#sockets.delete(socket);
      queue = queue.then(() => {
        if (connection !== undefined) {
          server.act((core, now) => core.web.closed(connection!, now));
        }
      });
    };
    socket.onerror = () => {};
  }
}

/** True when `text` is a hello or watch whose proof seals `challenge` under `key`. */
async function proves(
  key: CryptoKey,
  challenge: Uint8Array,
  text: string,
): Promise<boolean> {
  if (!text.includes('"proof"')) return false;
  let proof: unknown;
  try {
    proof = (JSON.parse(text) as { proof?: unknown }).proof;
  } catch {
    return false;
  }
  return typeof proof === "string" && await verifyProof(key, challenge, proof);
}
