// What the Chromium scripts (game.mjs, away.mjs) share: the browser, a
// page per device, screenshots, steps, and the test's hooks on the server.
// web/e2e_test.go runs each script against a running quizd.
//
// QUIZ_URL is the web app's address; CHROMIUM names the browser (default
// /usr/bin/chromium). With QUIZ_SCREENSHOTS=dir a script saves a
// screenshot of every page in every phase; QUIZ_PLAYER_SIZE,
// QUIZ_HOST_SIZE and QUIZ_SCREEN_SIZE (WxH) change the viewports (default
// 390x844, 1280x800 and 1920x1080).
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { chromium } from "playwright-core";

export const base = (process.env.QUIZ_URL ?? "").replace(/\/?$/, "/");
assert.ok(process.env.QUIZ_URL, "set QUIZ_URL to the web app's address");
const shots = process.env.QUIZ_SCREENSHOTS ?? "";
if (shots) mkdirSync(shots, { recursive: true });
const size = (v, def) => {
  const [width, height] = (v || def).split("x").map(Number);
  return { width, height };
};
export const playerSize = size(process.env.QUIZ_PLAYER_SIZE, "390x844");
export const hostSize = size(process.env.QUIZ_HOST_SIZE, "1280x800");
export const screenSize = size(process.env.QUIZ_SCREEN_SIZE, "1920x1080");
const timeout = 20_000;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  // As the machine's probe runs it: without the background-networking
  // flags Chromium keeps calling hosts this machine cannot reach.
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync"],
});
const errors = [];
const pages = [];

/** open opens a page in a new context (a separate device) of the given size. */
export async function open(name, viewport, mobile) {
  const ctx = await browser.newContext({ viewport, isMobile: mobile, hasTouch: mobile, acceptDownloads: true, reducedMotion: "reduce" });
  ctx.setDefaultTimeout(timeout);
  const page = await ctx.newPage();
  pages.push([name, page]);
  page.on("pageerror", (e) => errors.push(`${name}: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error" && !/Failed to load resource/.test(m.text())) errors.push(`${name}: console: ${m.text()}`);
  });
  return page;
}

/** shot saves a screenshot of page as name.png, with QUIZ_SCREENSHOTS set. */
export async function shot(page, name) {
  if (shots) await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

/** step says what the script checks next. */
export function step(what) {
  console.log(`- ${what}`);
}

/** text waits for text to be visible on page. */
export async function text(page, t) {
  await page.getByText(t).first().waitFor({ state: "visible" });
}

/** answer answers the open question with option i, whatever its kind. */
export async function answer(page, i) {
  await page.locator(".question").waitFor();
  if (await page.locator("#typed").count()) {
    await page.locator("#typed").fill(`guess ${i}`);
    await page.getByRole("button", { name: "Send" }).click();
  } else {
    const options = page.locator("button.option");
    await options.first().waitFor();
    await page.waitForFunction(() => !document.querySelector("button.option")?.disabled);
    const n = await options.count();
    await options.nth(i % n).click();
    if (await page.getByRole("button", { name: "Send" }).count()) await page.getByRole("button", { name: "Send" }).click();
  }
  // The last answer closes the question at once: the reveal may come first.
  await page.locator(".locked, .reveal").first().waitFor();
}

let rl, stdin;

/**
 * server asks the Go test to do what (a hook of runScript in e2e_test.go,
 * such as "restart the server") and waits until it is done.
 */
export async function server(what) {
  rl ??= createInterface({ input: process.stdin });
  stdin ??= rl[Symbol.asyncIterator]();
  console.log(`@@ ${what}`);
  const { done } = await stdin.next();
  assert.ok(!done, `the test did not ${what}`);
}

/**
 * run runs a script's steps, then checks that no page logged an error. When
 * a step fails it prints what each page showed (and keeps a screenshot of
 * it), and it closes the browser in any case.
 */
export async function run(what, steps) {
  try {
    await steps();
    assert.deepEqual(errors, [], "the pages logged errors");
    console.log(`ok: ${what}`);
  } catch (e) {
    for (const [name, page] of pages) {
      const body = await page.locator("body").innerText().catch(() => "(no page)");
      console.log(`--- ${name} at ${page.url()}:\n${body}`);
      if (shots) await page.screenshot({ path: join(shots, `failed-${name}.png`) }).catch(() => {});
    }
    if (errors.length) console.log("--- page errors:\n" + errors.join("\n"));
    throw e;
  } finally {
    rl?.close();
    if (rl) process.stdin.destroy();
    await browser.close();
  }
}
