// META: global=window,dedicatedworker,serviceworker
// META: title=A global object and its interfaces' prototype objects have immutable prototypes
"use strict";

// The global's prototype chain, from the global to Object.prototype (excluded).
function global_chain() {
  const chain = [];
  for (let object = self; object && object !== Object.prototype; object = Object.getPrototypeOf(object)) {
    chain.push(object);
  }
  return chain;
}

test(() => {
  const chain = global_chain();
  assert_greater_than(chain.length, 2, "the global, its interface's prototype and its parents'");
  assert_equals(chain[chain.length - 1], EventTarget.prototype, "EventTarget.prototype last");
  for (const object of chain) {
    const name = object === self ? "the global" : object.constructor.name + ".prototype";
    const proto = Object.getPrototypeOf(object);
    assert_throws_js(TypeError, () => Object.setPrototypeOf(object, {}), name);
    assert_false(Reflect.setPrototypeOf(object, {}), `${name}: Reflect.setPrototypeOf`);
    assert_equals(Object.getPrototypeOf(object), proto, `${name}: unchanged`);
    assert_true(Reflect.setPrototypeOf(object, proto), `${name}: setting the same value succeeds`);
  }
}, "Object.setPrototypeOf of the global or a prototype on its chain throws TypeError");

test(() => {
  const object = Object.create(EventTarget.prototype);
  Object.setPrototypeOf(object, {});
  assert_not_equals(Object.getPrototypeOf(object), EventTarget.prototype,
                    "an object made from a prototype on the chain can change its own");
  class Derived extends EventTarget {}
  assert_true(new Derived() instanceof EventTarget, "a subclass still works");
}, "other objects keep mutable prototypes");
