// Runs one benchmark page in headless Chromium for `./mach bench sw` (bench.py).
//
// Usage: node bench_chromium.js CHROMIUM NODE_MODULES USER_DATA_DIR URL TIMEOUT_MS
// Launches Chromium with a persistent profile in USER_DATA_DIR (so a second run with the same
// directory finds what the first registered, with every worker stopped), loads URL, and prints
// the page's console lines on stdout, one per line, until a line starting with "BENCH-DONE"
// (or TIMEOUT_MS). Exit status 0 when the page said BENCH-DONE, 1 otherwise.
//
// Commands for `./mach bench sync`: a console line "BENCH-CMD offline" or "BENCH-CMD online"
// makes this driver call playwright's context.setOffline(true/false) (DevTools network
// emulation of the page and its service workers), then window.benchResume(NAME) in the page.
"use strict";

const path = require("node:path");

async function main() {
  const [executablePath, nodeModules, userDataDir, url, timeoutText] = process.argv.slice(2);
  const { chromium } = require(path.join(nodeModules, "playwright-core"));
  const timeoutMs = Number(timeoutText) || 30000;
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  let done;
  const finished = new Promise((resolve) => { done = resolve; });
  const page = context.pages()[0] || await context.newPage();
  let commands = Promise.resolve();
  function runCommand(name) {
    commands = commands.then(async () => {
      if (name !== "offline" && name !== "online") {
        throw new Error(`unknown command ${name}`);
      }
      await context.setOffline(name === "offline");
      await page.evaluate((done) => window.benchResume && window.benchResume(done), name);
    }).catch((error) => {
      process.stdout.write(`BENCH-ERROR driver command ${name}: ${String(error.message).split("\n")[0]}\n`);
      done(false);
    });
  }
  page.on("console", (message) => {
    const text = message.text();
    process.stdout.write(text.replace(/\n/g, " ") + "\n");
    if (text.startsWith("BENCH-DONE")) done(true);
    if (text.startsWith("BENCH-CMD ")) runCommand(text.slice("BENCH-CMD ".length).trim());
  });
  page.on("pageerror", (error) => process.stdout.write(`BENCH-ERROR uncaught ${error}\n`));
  const timer = setTimeout(() => done(false), timeoutMs);
  page.goto(url).catch((error) => {
    process.stdout.write(`BENCH-ERROR cannot load ${url}: ${String(error.message).split("\n")[0]}\n`);
    done(false);
  });
  const ok = await finished;
  clearTimeout(timer);
  await context.close();
  process.exit(ok ? 0 : 1);
}

main().catch((error) => {
  process.stdout.write(`BENCH-ERROR ${String(error && error.stack || error).split("\n")[0]}\n`);
  process.exit(1);
});
