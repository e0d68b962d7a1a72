//! Checks every language's `locales/<lang>/app.ftl` against English (the build fails, listing
//! every problem, when a message is missing, extra or uses a variable English does not give it)
//! and generates `Msg`, one variant per English message, so the code can name only messages
//! that exist.

use std::fmt::Write;

use locales::compile::{compile_all, source_ids, variant_name};
use locales::Audience;

fn main() {
    println!("cargo::rerun-if-changed=../locales");
    // wasm-split reads the linker's relocations to move code into chunks (scripts/page_build.sh).
    let wasm = std::env::var("TARGET").is_ok_and(|t| t.starts_with("wasm32"));
    if wasm && std::env::var_os("CARGO_FEATURE_SPLIT").is_some() {
        println!("cargo::rustc-link-arg-bin=frontend=--emit-relocs");
    }
    if let Err(problems) = compile_all(Audience::App) {
        let list: Vec<String> = problems.iter().map(|p| format!("  {p}")).collect();
        panic!(
            "\n{} problems in the app's locale files:\n{}\n",
            list.len(),
            list.join("\n")
        );
    }
    let ids = source_ids(Audience::App);
    let mut out = String::from(
        "/// Every message of the app, one per message of `locales/en/app.ftl` (generated).\n\
         #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]\npub enum Msg {\n",
    );
    for id in &ids {
        let _ = writeln!(out, "    {},", variant_name(id));
    }
    out.push_str("}\n\nimpl Msg {\n    /// The message's ID in the `.ftl` files.\n    pub const fn id(self) -> &'static str {\n        match self {\n");
    for id in &ids {
        let _ = writeln!(out, "            Msg::{} => \"{id}\",", variant_name(id));
    }
    out.push_str("        }\n    }\n\n    /// Every message, in the English file's order.\n    pub const ALL: &'static [Msg] = &[\n");
    for id in &ids {
        let _ = writeln!(out, "        Msg::{},", variant_name(id));
    }
    out.push_str("    ];\n}\n");
    let path =
        std::path::Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("msg.rs");
    std::fs::write(path, out).expect("msg.rs is written");
}
