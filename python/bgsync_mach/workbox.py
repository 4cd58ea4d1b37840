"""Workbox's files as an app serves them: the unmodified npm packages that `./mach bootstrap`
installs in examples/node_modules, under `/workbox/` (where `workbox.setConfig({modulePathPrefix:
'/workbox/'})` makes workbox-sw.js look for the modules it loads)."""

import os

from . import paths

MODULES = ["core", "routing", "strategies", "background-sync"]


def sources(node_modules=None):
    """{URL path: file path} of workbox-sw.js and both builds of each module: production, and
    the development build that `setConfig({debug: true})` loads, which logs what Workbox does."""
    node_modules = node_modules or paths.EXAMPLES_NODE_MODULES
    files = {"/workbox/workbox-sw.js": os.path.join(node_modules, "workbox-sw", "build",
                                                     "workbox-sw.js")}
    for module in MODULES:
        for build in ("prod", "dev"):
            name = f"workbox-{module}.{build}.js"
            files["/workbox/" + name] = os.path.join(node_modules, f"workbox-{module}", "build",
                                                     name)
    return files


def read_files(node_modules=None):
    """{URL path: bytes} of `sources()`. Raises OSError naming the missing file, with the
    command that installs it."""
    files = {}
    for url_path, path in sources(node_modules).items():
        try:
            with open(path, "rb") as file:
                files[url_path] = file.read()
        except OSError as error:
            raise OSError(f"{path}: {error.strerror} (./mach bootstrap installs Workbox)") \
                from None
    return files
