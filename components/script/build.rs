//! Generates the Web IDL bindings from `webidls/*.webidl` into `$OUT_DIR/bindings.rs`.
fn main() {
    let dir = std::path::Path::new("webidls");
    println!("cargo:rerun-if-changed=webidls");
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"))
        .join("bindings.rs");
    if let Err(error) = bindings_codegen::generate(dir, &out) {
        eprintln!("error: Web IDL: {error}");
        std::process::exit(1);
    }
}
