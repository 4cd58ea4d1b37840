//! The `console` namespace (https://console.spec.whatwg.org/): each call becomes one line
//! for the global's console sink, arguments formatted like a browser console and joined by a
//! space.

use crate::dom::globalscope::ConsoleLevel;
use crate::dom::prelude::*;

/// Formats console arguments: strings bare at top level, numbers and booleans as JS prints
/// them, errors as `Name: message`, arrays and plain objects structurally (depth 2), other
/// objects as `[object Tag]`.
const FORMAT: &str = r#"(function (...args) {
  const seen = new Set();
  const isError = (v) => v instanceof Error || (typeof DOMException === "function" && v instanceof DOMException);
  function fmt(v, depth, top) {
    switch (typeof v) {
      case "string": return top ? v : JSON.stringify(v);
      case "function": return `[Function: ${v.name || "(anonymous)"}]`;
      case "bigint": return `${v}n`;
      case "symbol": return v.toString();
      case "number": return Object.is(v, -0) ? "-0" : String(v);
      case "object": break;
      default: return String(v);
    }
    if (v === null) return "null";
    if (isError(v)) return `${v.name}: ${v.message}`;
    if (seen.has(v)) return "[Circular]";
    const tag = Object.prototype.toString.call(v).slice(8, -1);
    const isArray = Array.isArray(v);
    if (!isArray && tag !== "Object") return `[object ${tag}]`;
    if (depth >= 2) return isArray ? "[Array]" : "[Object]";
    seen.add(v);
    try {
      if (isArray) return "[" + Array.prototype.map.call(v, (x) => fmt(x, depth + 1, false)).join(", ") + "]";
      const keys = Object.keys(v);
      if (keys.length === 0) return "{}";
      return "{ " + keys.map((k) => `${k}: ${fmt(v[k], depth + 1, false)}`).join(", ") + " }";
    } finally {
      seen.delete(v);
    }
  }
  return args.map((a) => fmt(a, 0, true)).join(" ");
})"#;

pub struct Console;

impl Console {
    fn emit(
        cx: &mut JSContext,
        global: &GlobalScope,
        level: ConsoleLevel,
        data: &[RootedValue],
    ) -> Fallible<()> {
        let text = Self::format(cx, global, data)?;
        global.console().message(level, &text);
        Ok(())
    }

    /// Formats values as one console line.
    pub fn format(
        cx: &mut JSContext,
        global: &GlobalScope,
        data: &[RootedValue],
    ) -> Fallible<String> {
        let values: Vec<JSVal> = data.iter().map(|v| v.get()).collect();
        let refs: Vec<&JSVal> = values.iter().collect();
        // SAFETY: called from a binding native, in the global's realm.
        let result = unsafe { crate::script_runtime::call_helper(cx, global, FORMAT, &refs) }?;
        let conv = crate::dom::bindings::conversions::Conv::plain("console");
        // SAFETY: as above; the result is rooted.
        unsafe { crate::dom::bindings::conversions::from_js(cx, result.handle(), &conv) }
    }
}

impl consoleMethods for Console {
    fn Log(cx: &mut JSContext, global: &GlobalScope, data: Vec<RootedValue>) -> Fallible<()> {
        Self::emit(cx, global, ConsoleLevel::Log, &data)
    }
    fn Info(cx: &mut JSContext, global: &GlobalScope, data: Vec<RootedValue>) -> Fallible<()> {
        Self::emit(cx, global, ConsoleLevel::Info, &data)
    }
    fn Warn(cx: &mut JSContext, global: &GlobalScope, data: Vec<RootedValue>) -> Fallible<()> {
        Self::emit(cx, global, ConsoleLevel::Warn, &data)
    }
    fn Error(cx: &mut JSContext, global: &GlobalScope, data: Vec<RootedValue>) -> Fallible<()> {
        Self::emit(cx, global, ConsoleLevel::Error, &data)
    }
    fn Debug(cx: &mut JSContext, global: &GlobalScope, data: Vec<RootedValue>) -> Fallible<()> {
        Self::emit(cx, global, ConsoleLevel::Debug, &data)
    }
    fn Trace(cx: &mut JSContext, global: &GlobalScope, data: Vec<RootedValue>) -> Fallible<()> {
        Self::emit(cx, global, ConsoleLevel::Log, &data)
    }
    /// <https://console.spec.whatwg.org/#assert>
    fn Assert(
        cx: &mut JSContext,
        global: &GlobalScope,
        condition: bool,
        data: Vec<RootedValue>,
    ) -> Fallible<()> {
        if condition {
            return Ok(());
        }
        let rest = Self::format(cx, global, &data)?;
        let text = if rest.is_empty() {
            "Assertion failed".to_string()
        } else {
            format!("Assertion failed: {rest}")
        };
        global.console().message(ConsoleLevel::Error, &text);
        Ok(())
    }
}
