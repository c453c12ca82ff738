/**
 * The installed Chromium (Debian's `chromium`), driven headless through
 * puppeteer-core, which never downloads a browser of its own; and waits on
 * what a page shows. Shared by the browser tests and the screenshot tool.
 */

import puppeteer, { type Browser, type Page } from "puppeteer-core";

/** The little of the DOM the functions run in the page use (tests have no DOM types). */
interface Dom {
  document: {
    querySelector(selector: string): { textContent: string | null } | null;
  };
}

/** Where Debian's chromium package puts the browser. */
export const CHROMIUM = "/usr/bin/chromium";

/** Why the browser tests cannot run here, or undefined when they can. */
export function noBrowser(): string | undefined {
  try {
    Deno.statSync(CHROMIUM);
    return undefined;
  } catch {
    return `${CHROMIUM} is missing (apt-get install chromium; .ci/run does)`;
  }
}

/** A headless Chromium; closed (and its process gone) on disposal. */
export async function launchBrowser(): Promise<Browser & AsyncDisposable> {
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    // CI runs as root, where Chromium's sandbox cannot start.
    args: ["--no-sandbox", "--disable-gpu", "--lang=en-US"],
  });
  return Object.assign(browser, {
    async [Symbol.asyncDispose]() {
      const process = browser.process();
      await browser.close().catch(() => process?.kill("SIGKILL"));
    },
  });
}

/** A new page of `width`×`height` CSS pixels. */
export async function openPage(
  browser: Browser,
  width: number,
  height: number,
): Promise<Page> {
  const page = await browser.newPage();
  await page.setViewport({ width, height });
  return page;
}

/** Wait until the text of the element matching `selector` matches `pattern`. */
export async function waitText(
  page: Page,
  selector: string,
  pattern: RegExp,
  timeoutMs = 10_000,
): Promise<void> {
  try {
    await page.waitForFunction(
      (sel: string, source: string, flags: string) =>
        new RegExp(source, flags).test(
          (globalThis as unknown as Dom).document.querySelector(sel)
            ?.textContent ?? "",
        ),
      { timeout: timeoutMs, polling: 50 },
      selector,
      pattern.source,
      pattern.flags,
    );
  } catch (error) {
    const text = await page.$eval(selector, (e) => e.textContent).catch(() =>
      "(no such element)"
    );
    throw new Error(
      `${selector} never matched ${pattern}: ${JSON.stringify(text)} (${
        (error as Error).message
      })`,
    );
  }
}

/** How many lines of `#log` match `pattern`. */
export async function countLines(page: Page, pattern: RegExp): Promise<number> {
  const texts = await page.$$eval(
    "#log .line",
    (rows) => rows.map((row) => row.textContent ?? ""),
  );
  return texts.filter((text) => pattern.test(text)).length;
}

/** Type a name in the member page at `url` and wait for its welcome. */
export async function joinAs(page: Page, url: string, name: string) {
  await page.goto(`${url}/`);
  await page.waitForSelector("#join-button:not([disabled])");
  await page.focus("#name");
  await page.keyboard.type(name);
  await page.keyboard.press("Enter");
  await waitText(page, "#log", /Welcome, /);
}

/** Type `text` in the message box and send it with Enter. */
export async function say(page: Page, text: string): Promise<void> {
  await page.focus("#message");
  await page.keyboard.type(text);
  await page.keyboard.press("Enter");
}

/** A PNG of what `page` shows, at `path` (a tab in the background draws nothing: it comes first). */
export async function screenshot(page: Page, path: string): Promise<void> {
  await page.bringToFront();
  await page.screenshot({ path: path as `${string}.png` });
}
