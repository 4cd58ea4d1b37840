// Runs one benchmark page in headless Chromium for `./mach bench sw` (bench.py).
//
// Usage: node bench_chromium.js CHROMIUM NODE_MODULES USER_DATA_DIR URL TIMEOUT_MS
// Launches Chromium with a persistent profile in USER_DATA_DIR (so a second run with the same
// directory finds what the first registered, with every worker stopped), loads URL, and prints
// the page's console lines on stdout, one per line, until a line starting with "BENCH-DONE"
// (or TIMEOUT_MS). Exit status 0 when the page said BENCH-DONE, 1 otherwise.
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
  page.on("console", (message) => {
    const text = message.text();
    process.stdout.write(text.replace(/\n/g, " ") + "\n");
    if (text.startsWith("BENCH-DONE")) done(true);
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
