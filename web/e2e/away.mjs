// The host of a host-paced game goes away and comes back, then the server
// restarts and loses the room, in real browsers: what the player page (a
// phone), the projector page and the host page say. web/e2e_test.go runs
// quizd as a process with the in-memory store, runs this script, and
// kills and restarts quizd on the same ports when the script asks
// (server("restart the server")).
//
//   QUIZ_URL=http://127.0.0.1:8080/ node web/e2e/away.mjs
//
// By hand: at "@@ restart the server", kill quizd (it must keep rooms in
// memory), start it again on the same ports, and press Enter.
//
// The environment it reads (screenshots, viewports) is in lib.mjs.
import assert from "node:assert/strict";
import { answer, base, hostSize, open, playerSize, run, screenSize, server, shot, step, text } from "./lib.mjs";

// shortSize is a phone's width with its keyboard open.
const shortSize = { width: playerSize.width, height: 480 };
const countdown = /^The host is away — the game goes on by itself in (\d+) s$/;
const byItself = "The host is away; the game goes on by itself";

/** banner is the host-away line of a player or projector page. */
const banner = (page) => page.locator("#host-away");
/** line is the banner's text as it shows (what a screen reader hears is apart). */
const line = (page) => banner(page).locator("[aria-hidden=true]");
const shown = (page) => line(page).innerText();

/** away waits for the countdown on page and returns its seconds. */
async function away(page, limit) {
  await line(page).getByText(countdown).waitFor();
  const s = Number((await shown(page)).match(countdown)[1]);
  assert.ok(s >= 1 && s <= limit, `the countdown says ${s} s of a ${limit} s limit`);
  return s;
}

/** gone checks that page no longer shows the host away. */
async function gone(page, name) {
  await banner(page).waitFor({ state: "hidden" }).catch(async () => {
    assert.fail(`the ${name} page still says ${JSON.stringify(await shown(page))}`);
  });
}

await run("the host away and a restart in Chromium", async () => {
  step("the host creates a host-paced room that goes on by itself 10 s after the host left");
  const host = await open("host", hostSize, false);
  await host.goto(`${base}host`);
  await host.locator("input[name=deck]:checked").waitFor({ state: "attached" });
  await host.locator("#questions").fill("3");
  await host.locator("#time").selectOption("120");
  assert.equal(await host.locator("#pacing").inputValue(), "host");
  await host.locator("#away").selectOption("10");
  await shot(host, "away-host-setup");
  await host.getByRole("button", { name: "Create the room" }).click();
  const code = (await host.locator(".room-code").textContent()).trim();
  assert.match(code, /^[A-Z0-9]{6}$/);

  step("a player joins on a phone, the projector shows the room, the host starts");
  const screen = await open("screen", screenSize, false);
  await screen.goto(`${base}screen?room=${code}`);
  await screen.locator(".room-code", { hasText: code }).waitFor();
  const player = await open("player", playerSize, true);
  await player.goto(`${base}?room=${code}`);
  await player.locator("#name").fill("Ada");
  await player.getByRole("button", { name: "Join" }).click();
  await text(player, "You're in, Ada!");
  await screen.locator(".names li", { hasText: "Ada" }).waitFor();
  await host.getByRole("button", { name: "Start the game" }).click();
  await player.locator(".question").waitFor();
  await screen.locator(".screen-question").waitFor();
  for (const [name, p] of [["player", player], ["projector", screen]]) await gone(p, name);

  step("the player answers question 1: the reveal waits for the host");
  await answer(player, 0);
  await player.locator(".verdict h1").waitFor();
  await screen.locator(".screen-reveal").waitFor();

  step("the host's page goes away: the player and the projector see the countdown");
  await host.goto("about:blank");
  const first = await away(player, 10);
  await away(screen, 10);
  await shot(player, "away-player-countdown");
  await shot(screen, "away-screen-countdown");
  await player.locator(".verdict h1").waitFor(); // the reveal stays on the page, under the line
  await player.waitForFunction(([re, s]) => {
    const m = document.querySelector("#host-away [aria-hidden=true]")?.textContent?.match(new RegExp(re));
    return m && Number(m[1]) < s;
  }, [countdown.source, first]);

  step("past the limit, the game goes on by itself");
  await line(player).getByText(byItself, { exact: true }).waitFor();
  await line(screen).getByText(byItself, { exact: true }).waitFor();
  await shot(player, "away-player-by-itself");
  await shot(screen, "away-screen-by-itself");
  await player.locator(".question").getByText("Question 2 of 3").waitFor();
  await screen.locator(".screen-question").getByText("Question 2 of 3").waitFor();
  await line(player).getByText(byItself, { exact: true }).waitFor();

  step("the host opens the room again: its page has the room, the line goes");
  await host.goto(`${base}host?room=${code}`);
  await host.locator(".question-host").getByText("Question 2 of 3").waitFor();
  await text(host, "● Connected");
  await gone(player, "player");
  await gone(screen, "projector");
  await shot(host, "away-host-back");
  await shot(player, "away-player-host-back");

  step("the host's network drops, its page stays: the line comes back");
  // Chromium's offline emulation fails new requests but keeps open streams
  // open, where a real network drop breaks them; the page drops its stream
  // and opens another when told the network is back, which then fails.
  await host.context().setOffline(true);
  await host.evaluate(() => window.dispatchEvent(new Event("online")));
  await text(host, "Reconnecting…");
  await away(player, 10);
  await away(screen, 10);

  step("quizd is killed and starts again without the room: every page says so, the line goes");
  // A host on a short, narrow window (a phone with its keyboard open),
  // scrolled down to the controls, sees the notice all the same. Short, so
  // that the page scrolls whichever question is open: a typed one shows no
  // options, and its page fits a whole phone screen.
  await host.setViewportSize(shortSize);
  await host.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
  assert.ok(await host.evaluate(() => window.scrollY > 0), `the host's page does not scroll at ${shortSize.width}x${shortSize.height}`);
  await server("restart the server");
  await host.context().setOffline(false);
  const restarted = `The server restarted and room ${code} is gone; rooms survive restarts when the server runs with Redis.`;
  await player.getByRole("alert").getByText(`${restarted} Join again with a code.`, { exact: true }).waitFor();
  await screen.getByRole("alert").getByText(restarted, { exact: true }).waitFor();
  await host.getByRole("status").getByText(restarted, { exact: true }).waitFor();
  const notice = await host.getByRole("status").getByText(restarted, { exact: true }).boundingBox();
  assert.ok(notice && notice.y >= 0 && notice.y + notice.height <= shortSize.height, `the host's notice is out of view at ${JSON.stringify(notice)}`);
  await gone(player, "player");
  await gone(screen, "projector");
  // The lost room's code is not left to join or show by mistake.
  assert.equal(await player.locator("#code").inputValue(), "", "the player's join form keeps the lost room's code");
  assert.equal(new URL(player.url()).search, "", "the player's address keeps the lost room's code");
  assert.equal(await screen.locator("#code").inputValue(), "", "the projector's form keeps the lost room's code");
  // The host keeps the report of the one question played.
  await text(host, "The report of the game so far (1 question)");
  await shot(player, "away-player-restarted");
  await shot(screen, "away-screen-restarted");
  await shot(host, "away-host-restarted");
});
