// A module service worker whose import changes on every fetch.
import "./changing-module.py";
