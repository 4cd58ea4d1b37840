// https://console.spec.whatwg.org/#console-namespace
// The spec says [Exposed=*]; spelled out for weedle2.
[Exposed=(Window,Worker)]
namespace console {
  undefined log(any... data);
  undefined info(any... data);
  undefined warn(any... data);
  undefined error(any... data);
  undefined debug(any... data);
  undefined trace(any... data);
  undefined assert(optional boolean condition = false, any... data);
};
