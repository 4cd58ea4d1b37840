//! Prints the bindings generated for a directory of `.webidl` files:
//! `cargo run -p bindings_codegen --example dump -- components/script/webidls`.
fn main() {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "components/script/webidls".into());
    let out = std::env::temp_dir().join("bgsync-bindings-dump.rs");
    match bindings_codegen::generate(std::path::Path::new(&dir), &out) {
        Ok(()) => println!("{}", out.display()),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}
