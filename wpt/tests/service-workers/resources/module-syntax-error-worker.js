// A module service worker that does not parse.
export const = 1;
