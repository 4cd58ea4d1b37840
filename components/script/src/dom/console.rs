//! The `console` namespace (https://console.spec.whatwg.org/): each call becomes one line
//! (a table: several) for the global's console sink, arguments formatted like a browser
//! console and joined by a space. A first string argument is a format string (`%s`, `%d`,
//! `%i`, `%f`, `%o`, `%O`, `%c`, `%%`); `%c` styles are dropped, as a text console has none.
//! Groups indent what follows by two spaces per level (a collapsed group is shown open).
//! Counters and timers are per global.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::time::Instant;

use mozjs::rooted;

use crate::dom::globalscope::ConsoleLevel;
use crate::dom::prelude::*;

/// Formats console arguments: strings bare at top level, numbers and booleans as JS prints
/// them, errors as `Name: message`, arrays and plain objects structurally (depth 2), other
/// objects as `[object Tag]`; a first string argument is the spec's format string. Called
/// with `(table, properties, ...args)`: when `table` is true it renders `args[0]` as a table
/// (null when it is not an object), else it formats `args`.
const FORMAT: &str = r#"(function (table, properties, ...args) {
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
  // https://console.spec.whatwg.org/#formatter
  function formatter(args) {
    if (typeof args[0] !== "string" || args.length < 2) return args;
    let out = "", rest = args.slice(1);
    const text = args[0];
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (c !== "%" || i + 1 >= text.length) { out += c; continue; }
      const spec = text[i + 1];
      if (spec === "%") { out += "%"; i++; continue; }
      if (!"sdifoOc".includes(spec)) { out += c; continue; }
      i++;
      if (rest.length === 0) { out += "%" + spec; continue; }
      const arg = rest.shift();
      switch (spec) {
        case "s": out += typeof arg === "string" ? arg : (typeof arg === "symbol" || typeof arg === "bigint" ? fmt(arg, 0, true) : (typeof arg === "object" && arg !== null ? fmt(arg, 0, false) : String(arg))); break;
        case "d": case "i": out += typeof arg === "symbol" ? "NaN" : String(parseInt(arg, 10)); break;
        case "f": out += typeof arg === "symbol" ? "NaN" : String(parseFloat(arg)); break;
        case "o": case "O": out += fmt(arg, 0, false); break;
        case "c": break;
      }
    }
    return [out, ...rest];
  }
  function render(data, only) {
    if (typeof data !== "object" || data === null) return null;
    const rows = Object.keys(data);
    const columns = [];
    let values = false;
    const cells = rows.map((row) => {
      const v = data[row], cell = new Map();
      if (typeof v === "object" && v !== null && typeof v !== "function") {
        for (const key of Object.keys(v)) {
          if (only && !only.includes(key)) continue;
          if (!columns.includes(key)) columns.push(key);
          cell.set(key, fmt(v[key], 1, false));
        }
      } else {
        values = true;
        cell.set("\u0000values", fmt(v, 1, false));
      }
      return cell;
    });
    const ordered = only ? only.filter((key) => columns.includes(key)) : columns;
    const keys = ["\u0000index", ...ordered, ...(values ? ["\u0000values"] : [])];
    const title = (key) => key === "\u0000index" ? "(index)" : key === "\u0000values" ? "Values" : key;
    const lines = rows.map((row, n) => keys.map((key) => key === "\u0000index" ? row : (cells[n].get(key) ?? "")));
    const widths = keys.map((key, k) => Math.max(title(key).length, ...lines.map((line) => line[k].length)) + 2);
    const pad = (text, width) => " " + text + " ".repeat(width - text.length - 1);
    const rule = (l, m, r) => l + widths.map((w) => "\u2500".repeat(w)).join(m) + r;
    return [
      rule("\u250c", "\u252c", "\u2510"),
      "\u2502" + keys.map((key, k) => pad(title(key), widths[k])).join("\u2502") + "\u2502",
      rule("\u251c", "\u253c", "\u2524"),
      ...lines.map((line) => "\u2502" + line.map((text, k) => pad(text, widths[k])).join("\u2502") + "\u2502"),
      rule("\u2514", "\u2534", "\u2518"),
    ].join("\n");
  }
  if (table) return render(args[0], properties);
  return formatter(args).map((a) => fmt(a, 0, true)).join(" ");
})"#;

/// A global's console state: the group depth, the counters and the timers.
#[derive(Default)]
pub struct ConsoleState {
    depth: Cell<usize>,
    counts: RefCell<HashMap<String, u64>>,
    timers: RefCell<HashMap<String, Instant>>,
}

pub struct Console;

impl Console {
    fn emit(
        cx: &mut JSContext,
        global: &GlobalScope,
        level: ConsoleLevel,
        data: &[RootedValue],
    ) -> Fallible<()> {
        let text = Self::format(cx, global, data)?;
        Self::print(global, level, &text);
        Ok(())
    }

    /// Sends `text` to the global's sink, each line indented by the current group depth.
    fn print(global: &GlobalScope, level: ConsoleLevel, text: &str) {
        let depth = global.console_state().depth.get();
        if depth == 0 {
            global.console().message(level, text);
            return;
        }
        let indent = "  ".repeat(depth);
        let text: Vec<String> = text.lines().map(|line| format!("{indent}{line}")).collect();
        global.console().message(level, &text.join("\n"));
    }

    /// Formats values as one console line.
    pub fn format(
        cx: &mut JSContext,
        global: &GlobalScope,
        data: &[RootedValue],
    ) -> Fallible<String> {
        let text = Self::call_format(cx, global, false, None, data)?;
        Ok(text.unwrap_or_default())
    }

    /// Runs the FORMAT helper; `table`: renders `data[0]` as a table (None: not tabular).
    fn call_format(
        cx: &mut JSContext,
        global: &GlobalScope,
        table: bool,
        properties: Option<&[DOMString]>,
        data: &[RootedValue],
    ) -> Fallible<Option<String>> {
        let table = RootedValue::new(mozjs::jsval::BooleanValue(table));
        let properties = match properties {
            Some(names) => {
                rooted!(&in(cx) let mut value = mozjs::jsval::UndefinedValue());
                // SAFETY: in the global's realm; `value` is rooted.
                unsafe { names.to_vec().to_js(cx, value.handle_mut()) };
                RootedValue::new(value.get())
            }
            None => RootedValue::undefined(),
        };
        let mut values: Vec<JSVal> = vec![table.get(), properties.get()];
        values.extend(data.iter().map(|v| v.get()));
        let refs: Vec<&JSVal> = values.iter().collect();
        // SAFETY: called from a binding native, in the global's realm.
        let result = unsafe { crate::script_runtime::call_helper(cx, global, FORMAT, &refs) }?;
        if result.get().is_null() {
            return Ok(None);
        }
        let conv = crate::dom::bindings::conversions::Conv::plain("console");
        // SAFETY: as above; the result is rooted.
        unsafe { crate::dom::bindings::conversions::from_js(cx, result.handle(), &conv) }.map(Some)
    }

    /// Milliseconds since the timer `label` started, as browsers print them.
    fn elapsed(start: Instant) -> String {
        format!("{} ms", (start.elapsed().as_secs_f64() * 1e6).round() / 1e3)
    }

    fn group(cx: &mut JSContext, global: &GlobalScope, data: Vec<RootedValue>) -> Fallible<()> {
        let label = if data.is_empty() {
            "console.group".to_owned()
        } else {
            Self::format(cx, global, &data)?
        };
        Self::print(global, ConsoleLevel::Log, &label);
        let state = global.console_state();
        state.depth.set(state.depth.get() + 1);
        Ok(())
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
        Self::print(global, ConsoleLevel::Error, &text);
        Ok(())
    }
    /// <https://console.spec.whatwg.org/#table>: a table when the data is an object (its
    /// rows are its own keys, the columns its rows' keys or `properties`), else a log.
    fn Table(
        cx: &mut JSContext,
        global: &GlobalScope,
        tabular_data: Option<HandleValue<'_>>,
        properties: Option<Vec<DOMString>>,
    ) -> Fallible<()> {
        let Some(data) = tabular_data else {
            return Self::emit(cx, global, ConsoleLevel::Log, &[]);
        };
        let data = [RootedValue::new(data.get())];
        match Self::call_format(cx, global, true, properties.as_deref(), &data)? {
            Some(table) => {
                Self::print(global, ConsoleLevel::Log, &table);
                Ok(())
            }
            None => Self::emit(cx, global, ConsoleLevel::Log, &data),
        }
    }
    fn Dir(
        cx: &mut JSContext,
        global: &GlobalScope,
        item: Option<HandleValue<'_>>,
        _options: Option<RootedObject>,
    ) -> Fallible<()> {
        let item = match item {
            Some(item) => RootedValue::new(item.get()),
            None => RootedValue::undefined(),
        };
        Self::emit(cx, global, ConsoleLevel::Log, &[item])
    }
    fn Dirxml(cx: &mut JSContext, global: &GlobalScope, data: Vec<RootedValue>) -> Fallible<()> {
        Self::emit(cx, global, ConsoleLevel::Log, &data)
    }
    /// <https://console.spec.whatwg.org/#count>
    fn Count(_cx: &mut JSContext, global: &GlobalScope, label: DOMString) {
        let count = {
            let mut counts = global.console_state().counts.borrow_mut();
            let count = counts.entry(label.clone()).or_insert(0);
            *count += 1;
            *count
        };
        Self::print(global, ConsoleLevel::Info, &format!("{label}: {count}"));
    }
    fn CountReset(_cx: &mut JSContext, global: &GlobalScope, label: DOMString) {
        let reset = match global.console_state().counts.borrow_mut().get_mut(&label) {
            Some(count) => {
                *count = 0;
                true
            }
            None => false,
        };
        if !reset {
            let text = format!("Count for '{label}' does not exist");
            Self::print(global, ConsoleLevel::Warn, &text);
        }
    }
    /// <https://console.spec.whatwg.org/#group>
    fn Group(cx: &mut JSContext, global: &GlobalScope, data: Vec<RootedValue>) -> Fallible<()> {
        Self::group(cx, global, data)
    }
    /// A text console cannot collapse a group: shown as [`Self::Group`].
    fn GroupCollapsed(
        cx: &mut JSContext,
        global: &GlobalScope,
        data: Vec<RootedValue>,
    ) -> Fallible<()> {
        Self::group(cx, global, data)
    }
    fn GroupEnd(_cx: &mut JSContext, global: &GlobalScope) {
        let state = global.console_state();
        state.depth.set(state.depth.get().saturating_sub(1));
    }
    /// <https://console.spec.whatwg.org/#time>
    fn Time(_cx: &mut JSContext, global: &GlobalScope, label: DOMString) {
        let started = {
            let mut timers = global.console_state().timers.borrow_mut();
            if timers.contains_key(&label) {
                false
            } else {
                timers.insert(label.clone(), Instant::now());
                true
            }
        };
        if !started {
            let text = format!("Timer '{label}' already exists");
            Self::print(global, ConsoleLevel::Warn, &text);
        }
    }
    fn TimeLog(
        cx: &mut JSContext,
        global: &GlobalScope,
        label: DOMString,
        data: Vec<RootedValue>,
    ) -> Fallible<()> {
        let start = global.console_state().timers.borrow().get(&label).copied();
        let Some(start) = start else {
            let text = format!("Timer '{label}' does not exist");
            Self::print(global, ConsoleLevel::Warn, &text);
            return Ok(());
        };
        let mut text = format!("{label}: {}", Self::elapsed(start));
        if !data.is_empty() {
            text.push(' ');
            text.push_str(&Self::format(cx, global, &data)?);
        }
        Self::print(global, ConsoleLevel::Log, &text);
        Ok(())
    }
    fn TimeEnd(_cx: &mut JSContext, global: &GlobalScope, label: DOMString) {
        let start = global.console_state().timers.borrow_mut().remove(&label);
        let text = match start {
            Some(start) => format!("{label}: {}", Self::elapsed(start)),
            None => format!("Timer '{label}' does not exist"),
        };
        let level = if start.is_some() {
            ConsoleLevel::Log
        } else {
            ConsoleLevel::Warn
        };
        Self::print(global, level, &text);
    }
}
