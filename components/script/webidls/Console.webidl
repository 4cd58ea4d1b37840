// https://console.spec.whatwg.org/#console-namespace
// The spec says [Exposed=*]; spelled out for weedle2.
[Exposed=(Window,Worker)]
namespace console {
  [Throws] undefined log(any... data);
  [Throws] undefined info(any... data);
  [Throws] undefined warn(any... data);
  [Throws] undefined error(any... data);
  [Throws] undefined debug(any... data);
  [Throws] undefined trace(any... data);
  [Throws] undefined assert(optional boolean condition = false, any... data);
};
