//! The same seed gives bit-identical results whatever the number of threads, and streams are independent
//! of each other (adding a customer class shifts no other class's randomness).

use hazflow::des::{Discipline, DistSpec, StreamSeeder};
use hazflow::experiment::{ReplicationStats, Runner};
use hazflow::validation::station::{
    Closures, CustomerClass, RunLength, StationConfig, Warmup, mmc_config, simulate,
};

fn summary(config: &StationConfig, threads: usize, reps: u64) -> Vec<u64> {
    let seeder = StreamSeeder::new(7);
    let (mut wait, mut queue, mut p95) = (
        ReplicationStats::new(),
        ReplicationStats::new(),
        ReplicationStats::new(),
    );
    Runner::new(threads).unwrap().run(
        0..reps,
        |rep| simulate(config, &seeder, rep),
        |_, r| {
            wait.record(r.mean_wait);
            queue.record(r.mean_queue_length);
            p95.record(r.p95_wait);
        },
    );
    [
        wait.mean(),
        wait.ci95_half_width(),
        queue.mean(),
        p95.mean(),
    ]
    .iter()
    .map(|v| v.to_bits())
    .collect()
}

#[test]
fn thread_count_does_not_change_a_single_bit() {
    let config = mmc_config(
        3,
        2.7,
        1.0,
        RunLength::Arrivals(50_000),
        Warmup::Arrivals(1_000),
    );
    let one = summary(&config, 1, 37);
    assert_eq!(one, summary(&config, 2, 37));
    assert_eq!(one, summary(&config, 3, 37));
}

#[test]
fn a_new_class_leaves_the_other_classes_arrivals_unchanged() {
    let exp = |mean| DistSpec::Exponential { mean }.compile().unwrap();
    let class = |mean_gap| CustomerClass {
        interarrival: exp(mean_gap),
        service: exp(0.1),
        priority: 0,
    };
    let base = StationConfig {
        servers: 50,
        discipline: Discipline::Fifo,
        classes: vec![class(1.0)],
        closures: Closures::None,
        run_length: RunLength::Hours(1_000.0),
        warmup: Warmup::Hours(0.0),
    };
    let mut extended = base.clone();
    extended.classes.push(class(2.0));
    // With 50 servers nobody waits, so class 0's service starts depend only on its own arrival stream.
    let seeder = StreamSeeder::new(11);
    let alone = simulate(&base, &seeder, 3);
    let with_new_class = simulate(&extended, &seeder, 3);
    assert!(
        with_new_class.started_by_class[1] > 0,
        "the new class adds customers"
    );
    assert_eq!(
        alone.started_by_class[0],
        with_new_class.started_by_class[0]
    );
    assert!(alone.started_by_class[0] > 900);
}
