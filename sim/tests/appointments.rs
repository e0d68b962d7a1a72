//! Households choose preferred slots (now and then one the server does not know) from four small
//! slots the simulated server publishes; each schedule's verdict checks that no slot counts more
//! people than it has room for, that its count is its households' people, and that the receipt
//! each device keeps names the booking as the server holds it now: staff move and cancel
//! households' appointments on the way, and the app asks (over the same faulty network, now and
//! then dying as it asks) until it knows, and says staff changed it.

#[test]
fn schedules_book_households_without_overbooking_and_turn_some_away() {
    let mut total = sim::Verdict::default();
    for seed in 100..124 {
        let (verdict, trace) = sim::run_one(seed, 150);
        assert!(
            verdict.ok(),
            "seed {seed}: {:?}\n{}",
            verdict.reasons,
            trace.join("\n")
        );
        total.add(&verdict);
    }
    assert!(total.with_appointment > 0, "no household was booked");
    assert!(
        total.with_appointment < total.delivered,
        "every household found room: the slots are too big to test turning one away"
    );
    assert!(
        total.moved_by_staff > 0,
        "staff moved nobody: the schedules do not test it"
    );
}
