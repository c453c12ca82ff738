/**
 * Browser members in a shared room (`serve --cluster --web`): real servers
 * on loopback sharing a room through a real `redis-server`, spoken to over
 * a plain WebSocket (no browser needed). A hello is admitted once the
 * store has granted the name, without the page having to ask again.
 * @module
 */

import assert from "node:assert/strict";
import { webUrl } from "./_cli.ts";
import { join, startServers } from "./_cluster.ts";
import { redisMissing, TestRedis } from "./_redis.ts";

const missing = redisMissing();
const ignore = missing !== undefined;
if (ignore) console.log(`web cluster tests skipped: ${missing}`);

/** A WebSocket to `url` that keeps every frame it gets. */
async function socket(
  url: string,
): Promise<{ ws: WebSocket; frames: Array<Record<string, unknown>> }> {
  const ws = new WebSocket(url.replace(/^http/, "ws") + "/ws");
  const frames: Array<Record<string, unknown>> = [];
  ws.onmessage = (e) => frames.push(JSON.parse(e.data));
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = reject;
  });
  return { ws, frames };
}

/** Wait (at most `ms`) for a frame `ok` accepts. */
async function frame(
  frames: Array<Record<string, unknown>>,
  ok: (f: Record<string, unknown>) => boolean,
  ms = 5000,
): Promise<Record<string, unknown>> {
  const end = Date.now() + ms;
  for (;;) {
    const found = frames.find(ok);
    if (found !== undefined) return found;
    if (Date.now() > end) {
      throw new Error(`No such frame in ${JSON.stringify(frames)}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

Deno.test({
  name:
    "serve --cluster --web: a browser hello is welcomed once the store grants the name; a taken one is refused",
  ignore,
  async fn() {
    await using stack = new AsyncDisposableStack();
    const redis = stack.use(await TestRedis.start());
    const [a, b] = await startServers(stack, redis.url, 2, [
      "--web",
      "127.0.0.1:0",
    ]);
    const bob = await join(stack, "bob", [b!.port]);
    const url = await webUrl(a!);
    const wendy = await socket(url);
    stack.defer(() => wendy.ws.close());
    await frame(wendy.frames, (f) => f.type === "room");
    wendy.ws.send(JSON.stringify({ type: "hello", v: 1, name: "wendy" }));
    const answer = await frame(
      wendy.frames,
      (f) => f.type === "welcome" || f.type === "refused",
    );
    assert.equal(answer.type, "welcome", JSON.stringify(answer));
    await bob.waitFor("wendy joined", 10_000);
    wendy.ws.send(JSON.stringify({ type: "line", text: "hi from the web" }));
    await bob.waitFor("wendy: hi from the web", 10_000);
    // A name held on the other server is refused as taken, not left pending.
    const other = await socket(url);
    stack.defer(() => other.ws.close());
    await frame(other.frames, (f) => f.type === "room");
    other.ws.send(JSON.stringify({ type: "hello", v: 1, name: "bob" }));
    const refused = await frame(other.frames, (f) => f.type === "refused");
    assert.equal(refused.problem, "taken", JSON.stringify(refused));
  },
});
