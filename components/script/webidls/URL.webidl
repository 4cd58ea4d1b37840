// https://url.spec.whatwg.org/#url
[Exposed=(Window,Worker)]
interface URL {
  [Throws] constructor(USVString url, optional USVString base);

  static URL? parse(USVString url, optional USVString base);
  static boolean canParse(USVString url, optional USVString base);

  [SetterThrows] stringifier attribute USVString href;
  readonly attribute USVString origin;
           attribute USVString protocol;
           attribute USVString username;
           attribute USVString password;
           attribute USVString host;
           attribute USVString hostname;
           attribute USVString port;
           attribute USVString pathname;
           attribute USVString search;
  [SameObject] readonly attribute URLSearchParams searchParams;
           attribute USVString hash;

  USVString toJSON();
};

// https://w3c.github.io/FileAPI/#creating-revoking (no MediaSource in bgsync)
partial interface URL {
  [Exposed=(Window,DedicatedWorker,SharedWorker)] static DOMString createObjectURL(Blob obj);
  [Exposed=(Window,DedicatedWorker,SharedWorker)] static undefined revokeObjectURL(DOMString url);
};
