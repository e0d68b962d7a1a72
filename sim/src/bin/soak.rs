//! `soak`: runs many seeded schedules of the delivery simulator and ends with one line,
//! `N schedules, 0 lost, 0 duplicated, 0 stuck, 0 corrupted`. A failing schedule prints its seed
//! and its trace; `--seed S` (or `SEED=S`) replays one schedule and prints its trace.

use std::process::ExitCode;

use clap::Parser;

#[derive(Parser)]
#[command(about = "Resguardo's deterministic delivery simulator")]
struct Args {
    /// How many schedules (seeds first-seed, first-seed+1, ...).
    #[arg(long, env = "SEEDS", default_value_t = 2000)]
    seeds: u64,
    /// The first seed.
    #[arg(long, env = "FIRST_SEED", default_value_t = 1)]
    first_seed: u64,
    /// Replay only this seed, printing its trace.
    #[arg(long, env = "SEED")]
    seed: Option<u64>,
    /// Steps in each schedule before the world heals.
    #[arg(long, env = "STEPS", default_value_t = 200)]
    steps: u32,
}

fn main() -> ExitCode {
    let args = Args::parse();
    if let Some(seed) = args.seed {
        let (verdict, trace) = sim::run_one(seed, args.steps);
        for line in &trace {
            println!("{line}");
        }
        for reason in &verdict.reasons {
            println!("{reason}");
        }
        print_line(1, &verdict);
        return if verdict.ok() {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        };
    }
    let mut total = sim::Verdict::default();
    let mut failed = Vec::new();
    let started = std::time::Instant::now();
    for seed in args.first_seed..args.first_seed + args.seeds {
        let (verdict, trace) = sim::run_one(seed, args.steps);
        if !verdict.ok() {
            eprintln!("\n=== seed {seed} failed; replay: make soak SEED={seed}");
            for line in trace
                .iter()
                .rev()
                .take(200)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
            {
                eprintln!("{line}");
            }
            for reason in &verdict.reasons {
                eprintln!("{reason}");
            }
            failed.push(seed);
        }
        total.add(&verdict);
        let done = seed - args.first_seed + 1;
        if done % 100 == 0 {
            eprintln!(
                "... {done} schedules in {:.0} s",
                started.elapsed().as_secs_f64()
            );
        }
    }
    if !failed.is_empty() {
        eprintln!("failed seeds: {failed:?}");
    }
    print_line(args.seeds, &total);
    if total.ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn print_line(n: u64, v: &sim::Verdict) {
    println!(
        "{} cases delivered ({} on the published child-protection form, the rest on the household form, {} with an appointment, {} moved or cancelled by staff) with {} photos over {} requests ({} case bodies sealed, {} cases sealed at Send on shared tablets); {} faults injected, {} page crashes, {} server restarts",
        v.delivered, v.delivered_on_forms, v.with_appointment, v.moved_by_staff, v.photos, v.requests, v.sealed, v.sealed_at_send, v.faults, v.crashes, v.restarts
    );
    let extra = if v.violations > 0 {
        format!(" ({} violations on the way)", v.violations)
    } else {
        String::new()
    };
    println!(
        "{n} schedules, {} lost, {} duplicated, {} stuck, {} corrupted{extra}",
        v.lost, v.duplicated, v.stuck, v.corrupted
    );
}
