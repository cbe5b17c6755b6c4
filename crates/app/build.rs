//! Embeds the standard library of rules (`rules/`) in the `adal` binary, so
//! that every build serves exactly the library it was built and tested
//! with, whatever the working directory or container image holds.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "toml") {
            out.push(path);
        }
    }
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?);
    let rules = manifest.join("../../rules").canonicalize()?;
    println!("cargo:rerun-if-changed={}", rules.display());
    let mut metas = Vec::new();
    collect(&rules, &mut metas)?;
    metas.sort();
    let mut code = String::new();
    writeln!(
        code,
        "pub const VERSION: &str = include_str!({:?});",
        rules.join("VERSION")
    )?;
    writeln!(code, "pub const RULES: &[(&str, &str, &str)] = &[")?;
    for meta in &metas {
        let name = meta.strip_prefix(&rules)?.with_extension("");
        writeln!(
            code,
            "    ({:?}, include_str!({:?}), include_str!({:?})),",
            name.display().to_string(),
            meta,
            meta.with_extension("rhai")
        )?;
    }
    writeln!(code, "];")?;
    let out = PathBuf::from(std::env::var("OUT_DIR")?).join("library.rs");
    std::fs::write(out, code)?;
    Ok(())
}
