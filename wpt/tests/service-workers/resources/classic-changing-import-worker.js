// A classic service worker whose imported script changes on every fetch.
importScripts("changing-import.py");
