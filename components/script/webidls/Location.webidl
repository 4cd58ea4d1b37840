// https://html.spec.whatwg.org/multipage/nav-history-apis.html#the-location-interface
// bgsync runs one document per page and does not navigate: the setters of the URL parts
// are not offered, and assigning `href` throws NotSupportedError.
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
  [LegacyUnforgeable] readonly attribute USVString hash;
};
