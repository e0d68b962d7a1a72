//! The form interpreter in WebAssembly judges exactly as the native build: the same random
//! definitions and answers give the verdicts `protocol/tests/interpreter_verdicts.rs` recorded
//! natively (problems with the definition, problems with the answers, canonical fingerprint).

use protocol::definition::sample::verdict;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const RECORDED: &str = include_str!("../../protocol/tests/interpreter-verdicts.txt");

#[wasm_bindgen_test]
fn the_wasm_build_gives_the_native_verdicts() {
    let mut seen = 0;
    for line in RECORDED.lines() {
        let seed: u64 = line
            .split(' ')
            .next()
            .and_then(|s| s.parse().ok())
            .expect("each line starts with its seed");
        assert_eq!(verdict(seed), line, "seed {seed}");
        seen += 1;
    }
    assert_eq!(seen, 400);
}
