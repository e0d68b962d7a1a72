//! `locales check`: every language's files against English (exit 1 listing every problem).
//! `locales build --out DIR`: writes `app.<lang>.json` for each language, the compact catalogs
//! the app downloads (one at a time), and `boot.json` with each language's boot message.

use std::process::ExitCode;

use locales::compile::{compile_all, Problem};
use locales::{Audience, LANGUAGES};

fn fail(problems: &[Problem]) -> ExitCode {
    eprintln!("{} problems in the locale files:", problems.len());
    for p in problems {
        eprintln!("  {p}");
    }
    ExitCode::FAILURE
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut problems = Vec::new();
    let app = compile_all(Audience::App)
        .map_err(|p| problems.extend(p))
        .ok();
    let staff = compile_all(Audience::Staff)
        .map_err(|p| problems.extend(p))
        .ok();
    if !problems.is_empty() {
        return fail(&problems);
    }
    match args.first().map(String::as_str) {
        Some("check") => {
            println!("{} languages, app and staff: no problems", LANGUAGES.len());
            let _ = staff;
            ExitCode::SUCCESS
        }
        Some("build") if args.get(1).map(String::as_str) == Some("--out") && args.len() == 3 => {
            let out = std::path::Path::new(&args[2]);
            if let Err(e) = std::fs::create_dir_all(out) {
                eprintln!("cannot create {}: {e}", out.display());
                return ExitCode::FAILURE;
            }
            let mut boot = serde_json::Map::new();
            for catalog in app.unwrap_or_default() {
                let plural = |_: f64| "other";
                boot.insert(
                    catalog.lang.clone(),
                    catalog.format("boot-loading", &[], &plural).into(),
                );
                let path = out.join(format!("app.{}.json", catalog.lang));
                let json = serde_json::to_string(&catalog).unwrap_or_default();
                if let Err(e) = std::fs::write(&path, json) {
                    eprintln!("cannot write {}: {e}", path.display());
                    return ExitCode::FAILURE;
                }
            }
            let path = out.join("boot.json");
            if let Err(e) = std::fs::write(&path, serde_json::Value::Object(boot).to_string()) {
                eprintln!("cannot write {}: {e}", path.display());
                return ExitCode::FAILURE;
            }
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("usage: locales check | locales build --out DIR");
            ExitCode::from(2)
        }
    }
}
