//! A message no code uses is a translator's wasted work and a sign of a typo: every English
//! message of the app must be named by the app's code (as `Msg::Variant`), and every message of
//! the staff pages by the server's staff code (as a string literal), and the staff code names no
//! message that does not exist.

use std::collections::BTreeSet;
use std::path::Path;

use locales::compile::{source_ids, variant_name};
use locales::Audience;

fn rust_sources(dir: &Path, out: &mut String) {
    for entry in std::fs::read_dir(dir).expect("source folder") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push_str(&std::fs::read_to_string(&path).expect("source file"));
        }
    }
}

fn code_of(dir: &str) -> String {
    let mut code = String::new();
    rust_sources(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(dir),
        &mut code,
    );
    code
}

/// Messages the build itself uses (the boot screen of `index.html`, written by
/// `scripts/locales_build.sh`), not the app's code.
const USED_BY_THE_BUILD: &[&str] = &["boot-loading"];

#[test]
fn every_app_message_is_used_by_the_app() {
    let code = code_of("frontend/src");
    let unused: Vec<String> = source_ids(Audience::App)
        .into_iter()
        .filter(|id| !USED_BY_THE_BUILD.contains(&id.as_str()))
        .filter(|id| {
            let variant = format!("Msg::{}", variant_name(id));
            !code.match_indices(&variant).any(|(i, _)| {
                // `Msg::Next` must not count as a use of `Msg::NextStep`'s prefix.
                !code[i + variant.len()..]
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_alphanumeric() || c == '_')
            })
        })
        .collect();
    assert!(
        unused.is_empty(),
        "messages in locales/en/app.ftl no code uses: {unused:?}"
    );
}

#[test]
fn every_staff_message_is_used_and_the_staff_pages_name_only_real_ones() {
    let code = code_of("server/src/http/staff");
    let ids: BTreeSet<String> = source_ids(Audience::Staff).into_iter().collect();
    let unused: Vec<&String> = ids
        .iter()
        .filter(|id| !code.contains(&format!("\"{id}\"")))
        .collect();
    assert!(
        unused.is_empty(),
        "messages in locales/en/staff.ftl no staff page uses: {unused:?}"
    );
    let mut unknown = Vec::new();
    for call in [".t(\"", ".t_with(\""] {
        for (i, _) in code.match_indices(call) {
            let rest = &code[i + call.len()..];
            let id = &rest[..rest.find('"').unwrap_or(0)];
            if !ids.contains(id) {
                unknown.push(id.to_owned());
            }
        }
    }
    assert!(
        unknown.is_empty(),
        "staff pages name messages that do not exist: {unknown:?}"
    );
}
