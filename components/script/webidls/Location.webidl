// https://html.spec.whatwg.org/multipage/nav-history-apis.html#the-location-interface
// A frame navigates (href, assign, replace, reload); a top-level page does not load another
// document (bgsync runs one document per page): there they throw NotSupportedError, except a
// navigation to a fragment of the same document, which both do. Of the setters of the URL
// parts only hash is offered.
[Exposed=Window]
interface Location {
  [LegacyUnforgeable, SetterThrows] stringifier attribute USVString href;
  [LegacyUnforgeable] readonly attribute USVString origin;
  [LegacyUnforgeable] readonly attribute USVString protocol;
  [LegacyUnforgeable] readonly attribute USVString host;
  [LegacyUnforgeable] readonly attribute USVString hostname;
  [LegacyUnforgeable] readonly attribute USVString port;
  [LegacyUnforgeable] readonly attribute USVString pathname;
  [LegacyUnforgeable] readonly attribute USVString search;
  [LegacyUnforgeable, SetterThrows] attribute USVString hash;
  [LegacyUnforgeable, Throws] undefined assign(USVString url);
  [LegacyUnforgeable, Throws] undefined replace(USVString url);
  [LegacyUnforgeable, Throws] undefined reload();
};
