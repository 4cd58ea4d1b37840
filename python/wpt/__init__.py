"""bgsync's web-platform-tests runner (`./mach test-wpt`).

Map of the package:

- `testfiles`: which files under a test root are tests, of which kind, and their test ids (URLs).
- `metadata`: `// META:` comments of .js tests and the `global=` variants they ask for.
- `wrappers`: the HTML (or worker script) generated around .window.js, .any.js and .worker.js.
- `server`: wptserve on 127.0.0.1 with the routes the tests need (harness files from npm,
  `/interfaces/*.idl`, `/common/`, the tests of one or more roots).
- `executors`: runs one test in a fresh `bgsync` process, or in headless Chromium.
- `protocol`: turns an engine's stdout (`WPT-TEST` / `WPT-HARNESS` lines) and exit into a result.
- `expectations`: `wpt/meta/**.ini` in wptrunner's format: parse, match, rewrite.
- `wptreport`: results as wptreport JSON.
- `runner`: runs a list of tests in parallel, with a progress line and a summary.
- `cli`: the command line of `./mach test-wpt`.

README.md describes the runner for test writers (server features, per-test prefs, insecure
origins). Everything here but `server` and `cli` is plain Python without third-party imports, so the
unit tests can reach it directly.
"""
