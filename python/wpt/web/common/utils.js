// bgsync's own small /common/utils.js: the helpers of web-platform-tests' file of that name
// that tests commonly use, written for bgsync's runner (python/wpt/server.py serves it when
// no test root has a /common/utils.js of its own, e.g. without --wpt-root).

// A random UUID (version 4): unique names for stash keys, caches, tags.
function token() {
  var hex = "0123456789abcdef";
  var out = "";
  for (var i = 0; i < 36; i++) {
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      out += "-";
    } else if (i === 14) {
      out += "4";
    } else if (i === 19) {
      out += hex[8 + Math.floor(Math.random() * 4)];
    } else {
      out += hex[Math.floor(Math.random() * 16)];
    }
  }
  return out;
}

// `count` distinct tokens.
function generate_tokens(count) {
  var tokens = [];
  for (var i = 0; i < count; i++) {
    tokens.push(token());
  }
  return tokens;
}

// This page's URL with some parts replaced: {protocol, hostname, port, path, query}.
function make_absolute_url(options) {
  var url = new URL(location.href);
  options = options || {};
  if (options.protocol) url.protocol = options.protocol;
  if (options.hostname) url.hostname = options.hostname;
  if (options.port !== undefined) url.port = String(options.port);
  if (options.path !== undefined) url.pathname = options.path;
  if (options.query !== undefined) url.search = options.query;
  return url.href;
}
