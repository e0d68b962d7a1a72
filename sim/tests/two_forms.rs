//! The simulator's schedules mix two definitions: household cases (the app's own screens) and
//! cases on the child-protection form the simulated server publishes, which the device fetches
//! through the faulty network before a person can start one. Case bodies go sealed for the
//! organisation (its key fetched through the same network), so every verdict is also one on
//! sealed delivery. Odd seeds are shared tablets, which seal each case at Send (the outbox holds
//! only the seal).

#[test]
fn schedules_deliver_cases_of_both_forms_exactly_once() {
    let mut total = sim::Verdict::default();
    for seed in 0..12 {
        let (verdict, trace) = sim::run_one(seed, 150);
        assert!(
            verdict.ok(),
            "seed {seed}: {:?}\n{}",
            verdict.reasons,
            trace.join("\n")
        );
        total.add(&verdict);
    }
    assert!(
        total.delivered_on_forms > 0,
        "no case on the published form was delivered"
    );
    assert!(
        total.delivered > total.delivered_on_forms,
        "no household case was delivered"
    );
    assert!(total.sealed > 0, "no case went sealed");
    assert!(
        total.sealed_at_send > 0,
        "no shared tablet sealed a case at Send"
    );
}
