// https://console.spec.whatwg.org/#console-namespace
// The spec says [Exposed=*]; spelled out for weedle2.
[Exposed=(Window,Worker)]
namespace console {
  // Logging
  [Throws] undefined assert(optional boolean condition = false, any... data);
  [Throws] undefined debug(any... data);
  [Throws] undefined error(any... data);
  [Throws] undefined info(any... data);
  [Throws] undefined log(any... data);
  [Throws] undefined table(optional any tabularData, optional sequence<DOMString> properties);
  [Throws] undefined trace(any... data);
  [Throws] undefined warn(any... data);
  [Throws] undefined dir(optional any item, optional object? options);
  [Throws] undefined dirxml(any... data);

  // Counting
  undefined count(optional DOMString label = "default");
  undefined countReset(optional DOMString label = "default");

  // Grouping
  [Throws] undefined group(any... data);
  [Throws] undefined groupCollapsed(any... data);
  undefined groupEnd();

  // Timing
  undefined time(optional DOMString label = "default");
  [Throws] undefined timeLog(optional DOMString label = "default", any... data);
  undefined timeEnd(optional DOMString label = "default");
};
