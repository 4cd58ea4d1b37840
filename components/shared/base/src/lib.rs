//! Shared basics: prefs, ids, origins.
