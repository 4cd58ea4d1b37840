//! Web IDL -> Rust binding generator, run by `components/script/build.rs`.
//!
//! `parse` turns `.webidl` sources into the model in `ir`; `emit` writes the Rust code that the
//! script crate includes. Nothing here links SpiderMonkey: the generated code calls the binding
//! runtime in `script::dom::bindings`.

pub mod emit;
pub mod ir;
pub mod parse;
pub mod types;

use std::path::Path;

/// Parses every `*.webidl` file in `dir` and writes the bindings to `out`. Errors name the
/// offending file.
pub fn generate(dir: &Path, out: &Path) -> Result<(), String> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "webidl"))
        .collect();
    files.sort();
    let mut sources = Vec::new();
    for path in &files {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        sources.push((name, text));
    }
    let defs = parse::parse_sources(&sources).map_err(|e| e.to_string())?;
    let code = emit::emit(&defs);
    std::fs::write(out, code).map_err(|e| format!("{}: {e}", out.display()))
}
