// A service worker that does nothing: registrations, scopes, update checks.
