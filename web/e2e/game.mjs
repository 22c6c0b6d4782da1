// A whole game in real browsers against a running quizd: a host page, a
// projector page and three player pages, each in its own browser context
// (its own storage, like separate devices), driving Debian's Chromium with
// playwright-core. web/e2e_test.go starts the server and runs this script;
// it exits non-zero at the first thing that is not as a person would
// expect it.
//
//   QUIZ_URL=http://127.0.0.1:8080/ node web/e2e/game.mjs
//
// The environment it reads (screenshots, viewports) is in lib.mjs.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { answer, base, hostSize, open, playerSize, run, screenSize, shot, step, text } from "./lib.mjs";

/** score reads the player's score from the reveal's rank line. */
async function score(page) {
  const line = await page.locator(".rank-line").textContent();
  const m = line.match(/· ([\d,]+) points/);
  assert.ok(m, `no score in ${JSON.stringify(line)}`);
  return Number(m[1].replace(/,/g, ""));
}

// deck is the game's deck: one question of each kind a player answers
// differently (one choice, several, typed), without time limits of its own,
// so the room's long limit applies.
const deck = `# Browser test deck
id: browser-test

## Which planet is called the red planet?
section: Planets

- [ ] Venus
- [x] Mars
- [ ] Jupiter
- [ ] Saturn

> Iron oxide on its surface makes it look red.

## Which of these are prime numbers?
kind: multiple
section: Numbers

- [x] 2
- [x] 3
- [ ] 4

> 4 is 2 times 2.

## Which gas do plants take in to make sugar?
kind: typed
section: Plants
answers: carbon dioxide | CO2

> Photosynthesis turns carbon dioxide and water into sugar.
`;

await run("a whole game in Chromium", async () => {
  step("the host sees a bad deck's problems by line, uploads a good one and creates a room");
  const host = await open("host", hostSize, false);
  await host.goto(`${base}host`);
  await host.locator("input[name=deck]:checked").waitFor({ state: "attached" });
  await host.locator("#deck-file").setInputFiles({
    name: "bad.md", mimeType: "text/markdown",
    buffer: Buffer.from("# My deck\n\n## Which one?\n\n- [ ] no\n- [ ] neither\n"),
  });
  await host.locator(".lint li", { hasText: "bad.md:" }).first().waitFor();
  await host.locator("#deck-file").setInputFiles({ name: "test.md", mimeType: "text/markdown", buffer: Buffer.from(deck) });
  await host.locator(".deck", { hasText: "Browser test deck" }).locator("input:checked").waitFor();
  await shot(host, "host-setup");
  await host.locator("#questions").fill("3");
  // Every question closes early, when all have answered; a long limit keeps
  // a slow machine's deadline out of the way of the steps in between.
  await host.locator("#time").selectOption("120");
  await host.locator("#shuffle-q").uncheck();
  await host.locator("#shuffle-o").uncheck();
  await host.getByRole("button", { name: "Create the room" }).click();
  const code = (await host.locator(".room-code").textContent()).trim();
  assert.match(code, /^[A-Z0-9]{6}$/);
  assert.match(host.url(), new RegExp(`/host\\?room=${code}$`));
  await host.locator("svg.qr").waitFor();

  step("the projector shows the code and a QR code, without a token");
  const screen = await open("screen", screenSize, false);
  await screen.goto(`${base}screen?room=${code}`);
  await screen.locator(".room-code", { hasText: code }).waitFor();
  await screen.locator("svg.qr").waitFor();

  step("a bad room code says so");
  const stray = await open("stray", playerSize, true);
  await stray.goto(base);
  await stray.locator("#code").fill("zzz222");
  await stray.locator("#name").fill("Zed");
  await stray.getByRole("button", { name: "Join" }).click();
  await stray.getByRole("alert").getByText("There is no room ZZZ222").waitFor();
  assert.equal(await stray.locator("#code").getAttribute("aria-invalid"), "true");
  await shot(stray, "player-join-bad-code");

  step("three players join from the link, which pre-fills the code");
  const names = ["Ada", "Bo", "=Cleo"];
  const players = [];
  for (const name of names) {
    const p = await open(name, playerSize, true);
    await p.goto(`${base}?room=${code}`);
    assert.equal(await p.locator("#code").inputValue(), code);
    if (!players.length) await shot(p, "player-join");
    await p.locator("#name").fill(name);
    await p.getByRole("button", { name: "Join" }).click();
    await text(p, `You're in, ${name}!`);
    players.push(p);
  }
  const [ada, bo, cleo] = players;
  await shot(ada, "player-lobby");

  step("a taken name says so, and a fourth player joins under another");
  await stray.goto(`${base}?room=${code}`);
  await stray.locator("#name").fill("ada");
  await stray.getByRole("button", { name: "Join" }).click();
  await stray.getByRole("alert").getByText("That name is taken").waitFor();
  assert.equal(await stray.locator("#name").getAttribute("aria-invalid"), "true");
  await shot(stray, "player-join-name-taken");
  await stray.locator("#name").fill("Dan");
  await stray.getByRole("button", { name: "Join" }).click();
  await text(stray, "You're in, Dan!");

  step("host and projector see the players arrive");
  await host.locator(".roster li", { hasText: "Dan" }).waitFor();
  await screen.locator(".names li", { hasText: "Dan" }).waitFor();
  await text(screen, "4 players in");
  await shot(host, "host-lobby");
  await shot(screen, "screen-lobby");

  step("the host removes a player, after confirming");
  await host.getByRole("button", { name: "Remove Dan" }).click();
  await host.getByRole("dialog").getByText("cannot be undone").waitFor();
  await host.getByRole("dialog").getByRole("button", { name: "Remove" }).click();
  await text(stray, "The host removed you from this game.");
  await host.locator(".roster li", { hasText: "Dan" }).waitFor({ state: "detached" });

  step("the host locks the lobby: a new player is refused with a reason");
  await host.getByLabel("Lock the room").check();
  await text(screen, "The room is locked");
  await stray.goto(`${base}?room=${code}`);
  await stray.locator("#name").fill("Eve");
  await stray.getByRole("button", { name: "Join" }).click();
  await stray.getByRole("alert").getByText(`Room ${code} is not taking players`).waitFor();

  step("a phone-sized page fits: no sideways scrolling, big targets");
  for (const p of [ada, stray]) {
    const fits = await p.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
    assert.ok(fits, "the page scrolls sideways at phone size");
  }

  // The host page fetches the report after each reveal, in the background
  // and one fetch at a time: the first is held here until question 3's
  // reveal, and the reveals in between make one more fetch, once it is done.
  const reportCall = "**/quiz.v1.QuizService/GetReport";
  const heldReports = [];
  let holdReports = true;
  let reportCalls = 0;
  await host.route(reportCall, (route) => {
    reportCalls++;
    if (holdReports) heldReports.push(route);
    else void route.continue();
  });

  step("the host starts; question 1: everyone answers, the host sees the count");
  await host.getByRole("button", { name: "Start the game" }).click();
  await host.locator(".question-host").waitFor();
  await screen.locator(".screen-question").waitFor();
  await ada.locator(".question").waitFor();
  await shot(ada, "player-question");
  await shot(host, "host-question");
  await shot(screen, "screen-question");
  await answer(ada, 1);
  await host.getByText("Answered: 1 of 3").waitFor();
  await shot(ada, "player-locked-in");
  await answer(bo, 0);
  await answer(cleo, 0);

  step("the reveal: players see their result, host and projector the split");
  for (const p of players) await p.locator(".verdict h1").waitFor();
  await host.locator(".reveal-host").waitFor();
  await screen.locator(".screen-reveal").waitFor();
  if (await screen.locator(".distribution").count()) {
    await screen.locator(".dist.correct").first().waitFor();
    assert.ok(await screen.getByText("✓ correct").count(), "the projector does not mark the correct option in words");
    // A projector cannot be scrolled from the back of the room: on a
    // 1080p screen the whole reveal fits.
    const { scroll, view } = await screen.evaluate(() => ({ scroll: document.documentElement.scrollHeight, view: innerHeight }));
    if (view >= 1080) assert.ok(scroll <= view, `the projector's reveal is ${scroll} px tall on a ${view} px screen`);
  }
  await shot(ada, "player-reveal");
  await shot(host, "host-reveal");
  await shot(screen, "screen-reveal");
  const boBefore = await score(bo);

  step("the leaderboard");
  await host.getByRole("button", { name: "Next" }).click();
  await text(ada, "Leaderboard");
  await screen.locator(".leaderboard").waitFor();
  await shot(ada, "player-leaderboard");
  await shot(host, "host-leaderboard");
  await shot(screen, "screen-leaderboard");

  step("question 2: pause and resume; players reload mid-question and keep their place");
  await host.getByRole("button", { name: "Next" }).click();
  await bo.locator(".question").waitFor();
  await host.getByRole("button", { name: "Pause" }).click();
  await text(bo, "The host paused the game");
  await shot(bo, "player-paused");
  await host.getByRole("button", { name: "Resume" }).click();
  await bo.locator(".question").waitFor();
  await bo.reload();
  await bo.locator(".question").waitFor();
  await answer(bo, 0);
  await ada.locator(".question").waitFor();
  await answer(ada, 1);
  await ada.reload();
  await text(ada, "Answer locked in");
  await cleo.locator("button.option").first().click();
  await shot(cleo, "player-question-multiple");
  await cleo.locator("button.option").first().click();
  await answer(cleo, 1);
  await bo.locator(".verdict h1").waitFor();
  const boAfter = await score(bo);
  assert.ok(boAfter >= boBefore, `Bo's score went from ${boBefore} to ${boAfter} across a reload`);
  const boLine = await bo.locator(".rank-line").textContent();
  assert.match(boLine, /You're \d+(st|nd|rd|th) of 3/);

  step("question 3, then the game finishes");
  await host.getByRole("button", { name: "Next" }).click();
  await host.getByRole("button", { name: "Next" }).click();
  await cleo.locator(".question").waitFor();
  await shot(cleo, "player-question-typed");

  step("a player's network drops and comes back: the page resumes the room");
  await cleo.context().setOffline(true);
  await text(cleo, "Reconnecting…");
  await cleo.context().setOffline(false);
  await text(cleo, "● Connected");
  await cleo.locator(".question").waitFor();
  assert.equal(await cleo.locator("button.option, #typed").first().isEnabled(), true, "the question is still open to answer");
  for (const [i, p] of players.entries()) await answer(p, i);
  await host.locator(".reveal-host").getByText("Question 3 of 3").waitFor();
  await screen.locator(".screen-reveal").waitFor();
  await shot(screen, "screen-reveal-typed");
  assert.equal(reportCalls, 1, "the host page fetched the report again while a fetch was in flight");
  holdReports = false;
  for (const route of heldReports) await route.continue();
  for (let i = 0; reportCalls < 2; i++) {
    assert.ok(i < 100, "no fetch of the report for the reveals during the held one");
    await host.waitForTimeout(100);
  }
  await host.unroute(reportCall);
  await shot(cleo, "player-reveal-typed");
  for (let i = 0; i < 3 && !(await host.getByText("Game over").count()); i++) {
    await host.getByRole("button", { name: "Next" }).click();
    await host.waitForTimeout(300);
  }
  await text(host, "Game over");
  for (const p of players) await text(p, "You finished");
  // Every typed guess was wrong: each player gets it back to study.
  for (const p of players) await text(p, "To study next");
  await screen.locator(".podium").waitFor();
  await shot(ada, "player-final");
  await shot(host, "host-final");
  await shot(screen, "screen-podium");

  step("the host downloads the report as CSV and JSON");
  const [csvFile] = await Promise.all([host.waitForEvent("download"), host.getByRole("button", { name: "Download the report (CSV)" }).click()]);
  const csv = readFileSync(await csvFile.path(), "utf8");
  assert.match(csv, /^rank,player_id,name,score,/);
  assert.ok(csv.includes(",'=Cleo,"), "a name starting with = must be escaped against formula injection");
  assert.equal(csv.trim().split("\r\n").length, 1 + 4 * 3, "one row per player (Dan too) and question");
  const [jsonFile] = await Promise.all([host.waitForEvent("download"), host.getByRole("button", { name: "Download the report (JSON)" }).click()]);
  const rep = JSON.parse(readFileSync(await jsonFile.path(), "utf8"));
  assert.equal(rep.players.length, 4);
  assert.equal(rep.questions.length, 3);

  step("the host reloads and gets the room back");
  await host.reload();
  await text(host, "Game over");
});
