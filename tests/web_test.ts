/**
 * Browser members in a real browser: `serve --web` on loopback, the
 * installed Chromium driven headless, terminal members beside it. One
 * browser serves every step. Screenshots of both pages at 1280×800 and
 * 360×740 go to the test's temporary directory (its path is printed).
 */

import assert from "node:assert/strict";
import { startMember, startServer, webUrl } from "./_cli.ts";
import {
  countLines,
  joinAs,
  launchBrowser,
  noBrowser,
  openPage,
  say,
  screenshot,
  waitText,
} from "./_browser.ts";

const skip = noBrowser();

Deno.test({
  name: "serve --web: browser members, terminal members and the projector",
  ignore: skip !== undefined,
  sanitizeOps: false,
  sanitizeResources: false,
}, async (t) => {
  const shots = await Deno.makeTempDir({ prefix: "udpchat-web-" });
  console.log(`Screenshots in ${shots}`);
  await using server = await startServer(["--web", "127.0.0.1:0"]);
  const url = await webUrl(server);
  await using browser = await launchBrowser();
  await using bob = await startMember("bob", server.port);
  const alice = await openPage(browser, 1280, 800);

  await t.step(
    "a browser member and a terminal member talk both ways, in CJK too",
    async () => {
      await joinAs(alice, url, "alice");
      await server.waitFor(/^alice joined from 127\.0\.0\.1 \(web\)$/);
      await bob.waitFor(/alice joined/);
      await waitText(alice, "#members", /alice.*bob|bob.*alice/);
      await bob.type("你好，来自终端 hello");
      await waitText(alice, "#log", /\d\d:\d\d bob: 你好，来自终端 hello/);
      await say(alice, "浏览器里的中文 <b>not bold</b>");
      await bob.waitFor(/alice: 浏览器里的中文 <b>not bold<\/b>/);
      await waitText(alice, "#log", /alice: 浏览器里的中文 <b>not bold<\/b>/);
      assert.equal(await alice.$$eval("#log b", (b) => b.length), 0);
      await say(alice, "/me waves");
      await bob.waitFor(/\* alice waves/);
      await say(alice, "/msg bob a secret");
      await bob.waitFor(/alice.*a secret/);
      await waitText(alice, "#log", /→ bob: a secret|bob.*a secret/);
      await server.type("hello everyone");
      await waitText(alice, "#log", /\[admin\] hello everyone/);
    },
  );

  const carol = await openPage(browser, 360, 740);
  await t.step(
    "a refused name is explained, and another one joins",
    async () => {
      await carol.goto(`${url}/`);
      await carol.waitForSelector("#join-button:not([disabled])");
      await screenshot(carol, `${shots}/member-join-360x740.png`);
      await carol.type("#name", "bob");
      await carol.keyboard.press("Enter");
      await waitText(carol, "#join-status", /taken/i);
      await carol.$eval("#name", (e) => {
        (e as unknown as { value: string }).value = "";
      });
      await carol.type("#name", "carol");
      await carol.keyboard.press("Enter");
      await waitText(carol, "#log", /Welcome, carol/);
      await bob.type("one more line for the phone");
      await waitText(carol, "#log", /one more line for the phone/);
      await screenshot(carol, `${shots}/member-360x740.png`);
      await screenshot(alice, `${shots}/member-1280x800.png`);
    },
  );

  await t.step("a kicked browser member is told so", async () => {
    await server.type("/kick carol enough for today");
    await waitText(carol, "#log", /kicked.*enough for today/i);
    await waitText(carol, "#status", /not in the room/);
    await bob.waitFor(/carol .*kicked/);
    await carol.close();
  });

  await t.step("the projector shows new lines, as no member", async () => {
    const wall = await openPage(browser, 1280, 800);
    await wall.goto(`${url}/projector`);
    await waitText(wall, "#log", /alice: 浏览器里的中文/);
    await bob.type("on the big screen");
    await waitText(wall, "#log", /bob: on the big screen/);
    assert.equal(await countLines(wall, /a secret/), 0);
    await screenshot(wall, `${shots}/projector-1280x800.png`);
    await wall.setViewport({ width: 360, height: 740 });
    await screenshot(wall, `${shots}/projector-360x740.png`);
    await wall.close();
  });

  await t.step(
    "a browser member keeps its name across a forced reconnect",
    async () => {
      await alice.setOfflineMode(true);
      await waitText(alice, "#status", /reconnecting/i);
      await bob.type("while you were away");
      await alice.setOfflineMode(false);
      await waitText(alice, "#log", /bob: while you were away/);
      await waitText(alice, "#status", /^$/);
      await say(alice, "back again");
      await bob.waitFor(/alice: back again/);
      assert.equal(await countLines(alice, /while you were away/), 1);
      assert.equal(bob.count(/alice (left|joined|timed out)/), 1, "one join");
      await server.waitFor(/^alice resumed from /);
    },
  );

  await t.step(
    "a passphrase room asks for it in the page: a wrong one is refused, the right one joins",
    async () => {
      const secret = "open sesame 芝麻开门";
      await using room = await startServer([
        "--web",
        "127.0.0.1:0",
        "--passphrase",
        secret,
      ]);
      const at = await webUrl(room);
      const page = await openPage(browser, 1280, 800);
      await page.goto(`${at}/`);
      await page.waitForSelector("#secret:not([hidden])");
      await page.type("#name", "erin");
      await page.type("#passphrase", "guess");
      await page.keyboard.press("Enter");
      await waitText(page, "#join-status", /Wrong passphrase/, 20_000);
      await page.$eval("#passphrase", (e) => {
        (e as unknown as { value: string }).value = "";
      });
      await page.type("#passphrase", secret);
      await page.keyboard.press("Enter");
      await waitText(page, "#log", /Welcome, erin/, 20_000);
      await room.waitFor(/^erin joined from 127\.0\.0\.1 \(web\)$/);
      await page.close();
    },
  );

  for (const name of await Array.fromAsync(Deno.readDir(shots))) {
    const size = (await Deno.stat(`${shots}/${name.name}`)).size;
    assert.ok(size > 1000, `${name.name} is ${size} bytes`);
  }
});
