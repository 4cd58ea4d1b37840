// https://fetch.spec.whatwg.org/#request-class
// Bodies are buffered: BodyInit is the subset without Blob, FormData and ReadableStream, and
// Body has no `body` stream, `blob()` or `formData()`. RequestInit has the members bgsync acts
// on (no mode, credentials, cache, signal...: requests are same-origin or simple CORS).
typedef (Request or USVString) RequestInfo;
typedef (BufferSource or URLSearchParams or USVString) BodyInit;

[Exposed=(Window,Worker)]
interface Request {
  [Throws] constructor(RequestInfo input, optional RequestInit init = {});

  readonly attribute ByteString method;
  readonly attribute USVString url;
  [SameObject] readonly attribute Headers headers;
  readonly attribute RequestRedirect redirect;

  [NewObject, Throws] Request clone();
};
Request includes Body;

dictionary RequestInit {
  ByteString method;
  HeadersInit headers;
  BodyInit? body;
  RequestRedirect redirect;
};

enum RequestRedirect { "follow", "error", "manual" };

// https://fetch.spec.whatwg.org/#body-mixin (used by Request and Response)
interface mixin Body {
  readonly attribute boolean bodyUsed;
  [NewObject] Promise<ArrayBuffer> arrayBuffer();
  [NewObject] Promise<any> json();
  [NewObject] Promise<USVString> text();
};

// https://fetch.spec.whatwg.org/#fetch-method
partial interface mixin WindowOrWorkerGlobalScope {
  [NewObject] Promise<Response> fetch(RequestInfo input, optional RequestInit init = {});
};
