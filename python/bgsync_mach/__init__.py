"""mach, bgsync's developer entry point: the commands behind `./mach`.

- `main`: the command line (argparse subcommands).
- `paths`: where things are (repo, venv, node_modules, cargo target dir, the bgsync binary).
- `bootstrap`: installs what the other commands need; fast when nothing changed (stamps).
- `cargo`: building and running the engine with the user's environment.
- `testing`: `./mach test`, every test suite with one summary.
- `bench`: `./mach bench startup`.

Only the standard library is imported here: mach must run before bootstrap made the venv.
"""
