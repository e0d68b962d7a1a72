//! What the interpreter makes of 400 random definitions with random answers, against the verdicts
//! file the front end's wasm test reads too (`frontend/tests/interpreter.rs`): both builds must
//! agree line for line. After a deliberate change to the interpreter or the samples, write the
//! file again with `RESGUARDO_UPDATE_VERDICTS=1 cargo test -p protocol --test interpreter_verdicts`.

use protocol::definition::sample::verdict;

pub const SEEDS: u64 = 400;
const FILE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/interpreter-verdicts.txt"
);

#[test]
fn the_native_build_gives_the_recorded_verdicts() {
    let now: Vec<String> = (0..SEEDS).map(verdict).collect();
    if std::env::var_os("RESGUARDO_UPDATE_VERDICTS").is_some() {
        std::fs::write(FILE, now.join("\n") + "\n").unwrap();
    }
    let recorded = std::fs::read_to_string(FILE).unwrap();
    let recorded: Vec<&str> = recorded.lines().collect();
    assert_eq!(recorded.len(), now.len());
    for (r, n) in recorded.iter().zip(&now) {
        assert_eq!(r, n);
    }
}

#[test]
fn the_samples_exercise_the_interpreter() {
    let lines: Vec<String> = (0..SEEDS).map(verdict).collect();
    let with_problems = lines
        .iter()
        .filter(|l| {
            !l.split(" | ")
                .next()
                .unwrap_or("")
                .trim_start_matches(char::is_numeric)
                .trim()
                .is_empty()
        })
        .count();
    let valid = lines
        .iter()
        .filter(|l| l.split(" | ").nth(1) == Some(""))
        .count();
    assert!(
        with_problems > 10 && with_problems < 100,
        "definitions with problems: {with_problems}"
    );
    assert!(valid > 10, "submissions without problems: {valid}");
    for code in [
        "required",
        "invalid_choice",
        "too_long",
        "invalid_number",
        "unknown_field",
        "constraint",
        "invalid_value",
        "duplicate",
        "date_in_future",
    ] {
        assert!(
            lines.iter().any(|l| l.contains(&format!(":{code}"))),
            "no sample gives {code}"
        );
    }
}
