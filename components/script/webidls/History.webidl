// https://html.spec.whatwg.org/multipage/nav-history-apis.html#the-history-interface
// The page's joint session history holds its own entries (pushState(), fragment navigations)
// and its frames' documents; a top-level page never loads another document in bgsync.
enum ScrollRestoration { "auto", "manual" };

[Exposed=Window]
interface History {
  [Throws] readonly attribute unsigned long length;
  attribute ScrollRestoration scrollRestoration;
  [Throws] readonly attribute any state;
  [Throws] undefined go(optional long delta = 0);
  [Throws] undefined back();
  [Throws] undefined forward();
  [Throws] undefined pushState(any data, DOMString unused, optional USVString? url = null);
  [Throws] undefined replaceState(any data, DOMString unused, optional USVString? url = null);
};
