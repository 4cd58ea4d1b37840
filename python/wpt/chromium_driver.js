// Runs WPT pages in headless Chromium for `./mach test-wpt --product chromium` (executors.py).
//
// Usage: node chromium_driver.js /usr/bin/chromium /path/to/wpt/node_modules ['["--arg", ...]']
// The optional third argument, a JSON list, is added to every browser's arguments (the test
// server's --host-resolver-rules and --ignore-certificate-errors-spki-list).
// Prints {"version": ...} once the browser is up, then reads one request per stdin line,
//   {"id": 1, "url": "http://127.0.0.1:PORT/x.html", "timeout_ms": 15000, "crashtest": false,
//    "args": []}
// and answers each with one stdout line, in whatever order pages finish:
//   {"id": 1, "lines": [console lines], "how": "stopped"|"idle"|"timeout"|"crash"|"load-failed", "detail": "..."}
// Each page gets a new browser context: a fresh profile, like bgsync's --profile per test.
// A request with "args" (the test's <meta name="bgsync-chromium-arg">, e.g. field-trial
// parameters) runs in a browser of its own, launched with those arguments added and closed
// after the page.
"use strict";

const path = require("node:path");
const readline = require("node:readline");

const [executablePath, nodeModules, serverArgsJson] = process.argv.slice(2);
const SERVER_ARGS = serverArgsJson ? JSON.parse(serverArgsJson) : [];
const { chromium } = require(path.join(nodeModules, "playwright-core"));

function reply(object) {
  process.stdout.write(JSON.stringify(object) + "\n");
}

const BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"];

function launch(extraArgs = []) {
  return chromium.launch({
    executablePath,
    headless: true,
    args: BROWSER_ARGS.concat(SERVER_ARGS, extraArgs),
  });
}

async function runPage(sharedBrowser, request) {
  const args = Array.isArray(request.args) ? request.args : [];
  if (args.length === 0) {
    return runPageIn(sharedBrowser, request);
  }
  const browser = await launch(args);
  try {
    return await runPageIn(browser, request);
  } finally {
    await browser.close().catch(() => {});
  }
}

async function runPageIn(browser, request) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const lines = [];
  let finish;
  const finished = new Promise((resolve) => { finish = resolve; });
  page.on("console", (message) => {
    const text = message.text();
    lines.push(text);
    if (text.startsWith("WPT-HARNESS ")) finish({ how: "stopped", detail: "" });
  });
  page.on("pageerror", (error) => lines.push("uncaught " + String(error)));
  page.on("crash", () => finish({ how: "crash", detail: "the renderer crashed" }));
  const timer = setTimeout(
    () => finish({ how: "timeout", detail: `no result within ${request.timeout_ms} ms` }),
    request.timeout_ms);
  const load = page.goto(request.url, { waitUntil: "load", timeout: request.timeout_ms }).then(
    async (response) => {
      if (response && !response.ok()) {
        finish({ how: "load-failed", detail: `HTTP ${response.status()}` });
      } else if (request.crashtest) {
        await page.waitForLoadState("networkidle", { timeout: request.timeout_ms }).catch(() => {});
        finish({ how: "idle", detail: "" });
      }
    },
    (error) => finish({ how: "load-failed", detail: String(error.message || error).split("\n")[0] }));
  const outcome = await finished;
  clearTimeout(timer);
  await context.close().catch(() => {});
  await load.catch(() => {});
  reply({ id: request.id, lines, how: outcome.how, detail: outcome.detail });
}

async function main() {
  const browser = await launch();
  reply({ version: browser.version() });
  const running = new Set();
  const input = readline.createInterface({ input: process.stdin });
  input.on("line", (line) => {
    if (!line.trim()) return;
    const request = JSON.parse(line);
    const job = runPage(browser, request).catch((error) =>
      reply({ id: request.id, lines: [], how: "crash", detail: String(error) }));
    running.add(job);
    job.finally(() => running.delete(job));
  });
  input.on("close", async () => {
    await Promise.all(running);
    await browser.close();
  });
}

main().catch((error) => {
  process.stderr.write(String(error && error.stack || error) + "\n");
  process.exit(1);
});
