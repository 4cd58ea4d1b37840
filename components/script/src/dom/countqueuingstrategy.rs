//! CountQueuingStrategy (https://streams.spec.whatwg.org/#cqs-class): a high water mark, and
//! a `size` function (always 1) that is one object per global.

use crate::dom::bytelengthqueuingstrategy::size_function;
use crate::dom::prelude::*;

/// The global's count size function (always 1), the same way.
const COUNT_SIZE: &str = r#"(() => {
  const size = { size(chunk = undefined) { return 1; } }.size;
  return function () { return size; };
})()"#;

#[derive(Trace)]
#[repr(C)]
pub struct CountQueuingStrategy {
    reflector: Reflector,
    high_water_mark: f64,
}

impl CountQueuingStrategyMethods for CountQueuingStrategy {
    fn Constructor(
        cx: &mut JSContext,
        global: &GlobalScope,
        proto: Option<HandleObject<'_>>,
        init: &QueuingStrategyInit,
    ) -> DomRoot<CountQueuingStrategy> {
        CountQueuingStrategyBinding::Wrap(
            cx,
            global,
            proto,
            Box::new(CountQueuingStrategy {
                reflector: Reflector::new(),
                high_water_mark: init.high_water_mark,
            }),
        )
    }

    fn HighWaterMark(&self, _cx: &mut JSContext) -> f64 {
        self.high_water_mark
    }

    fn Size(&self, cx: &mut JSContext) -> Fallible<Rc<Function>> {
        size_function(cx, self.global(), COUNT_SIZE)
    }
}
