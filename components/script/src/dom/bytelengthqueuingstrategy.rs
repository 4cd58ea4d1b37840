//! ByteLengthQueuingStrategy (https://streams.spec.whatwg.org/#blqs-class): a high water
//! mark, and a `size` function (a chunk's `byteLength`) that is one object per global.

use crate::dom::bindings::callback::CallbackFunction;
use crate::dom::prelude::*;

/// Gives the global's byte length size function: the helper is compiled once per global, so
/// every call returns the same function.
const BYTE_LENGTH_SIZE: &str = r#"(() => {
  const size = { size(chunk) { return chunk.byteLength; } }.size;
  return function () { return size; };
})()"#;

/// The size function that `source` gives for `global`.
pub fn size_function(
    cx: &mut JSContext,
    global: &GlobalScope,
    source: &'static str,
) -> Fallible<Rc<Function>> {
    // SAFETY: bindings call in the global's realm.
    unsafe {
        let value = crate::script_runtime::call_helper(cx, global, source, &[])?;
        Ok(Rc::new(Function {
            callback: CallbackFunction::new_unchecked(cx, value.get().to_object()),
        }))
    }
}

#[derive(Trace)]
#[repr(C)]
pub struct ByteLengthQueuingStrategy {
    reflector: Reflector,
    high_water_mark: f64,
}

impl ByteLengthQueuingStrategyMethods for ByteLengthQueuingStrategy {
    fn Constructor(
        cx: &mut JSContext,
        global: &GlobalScope,
        proto: Option<HandleObject<'_>>,
        init: &QueuingStrategyInit,
    ) -> DomRoot<ByteLengthQueuingStrategy> {
        ByteLengthQueuingStrategyBinding::Wrap(
            cx,
            global,
            proto,
            Box::new(ByteLengthQueuingStrategy {
                reflector: Reflector::new(),
                high_water_mark: init.high_water_mark,
            }),
        )
    }

    fn HighWaterMark(&self, _cx: &mut JSContext) -> f64 {
        self.high_water_mark
    }

    fn Size(&self, cx: &mut JSContext) -> Fallible<Rc<Function>> {
        size_function(cx, self.global(), BYTE_LENGTH_SIZE)
    }
}
