/**
 * `deno task screenshots`: the README's pictures of the two browser pages,
 * taken from the real pages: a room on loopback with `serve --web`, two
 * terminal members and one browser member talking, the installed Chromium
 * headless. Writes docs/member.png (1280×800), docs/member-phone.png
 * (360×740) and docs/projector.png (1280×800).
 * @module
 */

import { startMember, startServer, webUrl } from "../tests/_cli.ts";
import {
  joinAs,
  launchBrowser,
  noBrowser,
  openPage,
  say,
  screenshot,
  waitText,
} from "../tests/_browser.ts";

const DOCS = new URL("../docs/", import.meta.url).pathname;

const missing = noBrowser();
if (missing !== undefined) {
  console.error(`screenshots: ${missing}`);
  Deno.exit(1);
}
await Deno.mkdir(DOCS, { recursive: true });
{
  await using server = await startServer([
    "--web",
    "127.0.0.1:0",
    "--motd",
    "Welcome to the lab room",
  ]);
  const url = await webUrl(server);
  await using browser = await launchBrowser();
  await using bob = await startMember("bob", server.port);
  const alice = await openPage(browser, 1280, 800);
  await joinAs(alice, url, "alice");
  await using carol = await startMember("carol", server.port);
  await waitText(alice, "#members", /carol/);
  await bob.type("morning! the build is green again");
  await say(alice, "nice, thanks for fixing the flaky test");
  await carol.type("/me brings coffee");
  await server.type("Meeting in room 2 at 10:30");
  await say(alice, "/msg bob can you review my branch later?");
  await bob.type("/away lunch");
  await waitText(alice, "#log", /bob is away: lunch/);
  await screenshot(alice, `${DOCS}member.png`);

  const phone = await openPage(browser, 360, 740);
  await joinAs(phone, url, "dana");
  await carol.type("hi dana, welcome");
  await waitText(phone, "#log", /carol: hi dana, welcome/);
  await say(phone, "hello from my phone");
  await waitText(phone, "#log", /dana: hello from my phone/);
  await screenshot(phone, `${DOCS}member-phone.png`);

  const wall = await openPage(browser, 1280, 800);
  await wall.goto(`${url}/projector`);
  await waitText(wall, "#log", /dana: hello from my phone/);
  await screenshot(wall, `${DOCS}projector.png`);
}
console.log(
  `screenshots: wrote member.png, member-phone.png, projector.png in ${DOCS}`,
);
