// bgsync's own /common/get-host-info.sub.js: the origins a test can use, filled in by
// wptserve's substitution. bgsync's test server listens on 127.0.0.1 only and has no
// www.* subdomains, so:
// - ORIGIN (and HTTPS_ORIGIN) is http://127.0.0.1:PORT: loopback is a secure context in
//   bgsync and in Chromium, which is why `.https.` tests are served over plain http;
// - the "remote" (cross-origin) host is `localhost` on the same port.
function get_host_info() {
  var HTTP_PORT = "{{ports[http][0]}}";
  var ORIGINAL_HOST = "{{host}}";
  var REMOTE_HOST = ORIGINAL_HOST === "localhost" ? "127.0.0.1" : "localhost";
  var ORIGIN = "http://" + ORIGINAL_HOST + ":" + HTTP_PORT;
  var REMOTE_ORIGIN = "http://" + REMOTE_HOST + ":" + HTTP_PORT;
  return {
    HTTP_PORT: HTTP_PORT,
    HTTPS_PORT: HTTP_PORT,
    ORIGINAL_HOST: ORIGINAL_HOST,
    REMOTE_HOST: REMOTE_HOST,
    ORIGIN: ORIGIN,
    HTTP_ORIGIN: ORIGIN,
    HTTPS_ORIGIN: ORIGIN,
    HTTP_REMOTE_ORIGIN: REMOTE_ORIGIN,
    HTTPS_REMOTE_ORIGIN: REMOTE_ORIGIN,
  };
}
