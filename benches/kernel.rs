//! Kernel benchmarks, reported as ratios against baselines measured in the same run.
//!
//! * `mm3`: M/M/3 at rho 0.9 on the kernel (resource with cause-split waits, quantile tallies, time-weighted
//!   statistics) against a bare `BinaryHeap` loop written here, both drawing from the same generator;
//! * `queue_hold`: the classic hold model (pop the earliest event, push one at now + Exp(1)) with 10, 1k
//!   and 100k pending events;
//! * `replications`: 8 replications of M/M/3 on 1 and on 2 threads;
//! * `model`: one replication of the full logistics model on `scenarios/examples/one-of-each.toml` and on
//!   the Liuzhou 2025 plan (`scenarios/liuzhou-2025-plan.toml`, risk included), whose events per second are
//!   compared with the kernel's M/M/3.
//!
//! After criterion's own report, the ratios are printed from its `estimates.json` files.

mod common;

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::hint::black_box;
use std::path::PathBuf;

use common::mean_ns;
use criterion::{BenchmarkId, Criterion, Throughput};
use hazflow::des::{DistSpec, EventQueue, StreamSeeder};
use hazflow::experiment::Runner;
use hazflow::validation::station::{RunLength, Warmup, mmc_config, simulate};
use rand_distr::{Distribution, Exp};

const CUSTOMERS: u64 = 200_000;

/// The floor: an M/M/3 event loop with no framework at all. Returns (mean wait, events).
fn bare_heap_mm3(customers: u64, seed: u64) -> (f64, u64) {
    #[derive(PartialEq, Eq, PartialOrd, Ord)]
    enum Kind {
        Arrival,
        Departure,
    }
    let seeder = StreamSeeder::new(seed);
    let mut arrivals_rng = seeder.stream(0, "arrivals/0");
    let mut service_rng = seeder.stream(0, "service/0");
    let interarrival: Exp<f64> = Exp::new(2.7).unwrap();
    let service: Exp<f64> = Exp::new(1.0).unwrap();
    let mut heap: BinaryHeap<Reverse<(u64, Kind)>> = BinaryHeap::new();
    let mut waiting: VecDeque<f64> = VecDeque::new();
    let (mut busy, mut arrived, mut events, mut wait_sum, mut served) =
        (0u32, 0u64, 0u64, 0.0, 0u64);
    heap.push(Reverse((
        interarrival.sample(&mut arrivals_rng).to_bits(),
        Kind::Arrival,
    )));
    while let Some(Reverse((bits, kind))) = heap.pop() {
        let now = f64::from_bits(bits);
        events += 1;
        match kind {
            Kind::Arrival => {
                arrived += 1;
                if arrived > customers {
                    break;
                }
                heap.push(Reverse((
                    (now + interarrival.sample(&mut arrivals_rng)).to_bits(),
                    Kind::Arrival,
                )));
                if busy < 3 {
                    busy += 1;
                    served += 1;
                    heap.push(Reverse((
                        (now + service.sample(&mut service_rng)).to_bits(),
                        Kind::Departure,
                    )));
                } else {
                    waiting.push_back(now);
                }
            }
            Kind::Departure => match waiting.pop_front() {
                Some(since) => {
                    wait_sum += now - since;
                    served += 1;
                    heap.push(Reverse((
                        (now + service.sample(&mut service_rng)).to_bits(),
                        Kind::Departure,
                    )));
                }
                None => busy -= 1,
            },
        }
    }
    (wait_sum / served as f64, events)
}

fn bench_mm3(c: &mut Criterion) {
    let config = mmc_config(
        3,
        2.7,
        1.0,
        RunLength::Arrivals(CUSTOMERS),
        Warmup::Arrivals(CUSTOMERS / 100),
    );
    let seeder = StreamSeeder::new(7);
    let kernel_events = simulate(&config, &seeder, 0).events;
    let (_, bare_events) = bare_heap_mm3(CUSTOMERS, 7);
    let mut group = c.benchmark_group("mm3");
    group.throughput(Throughput::Elements(bare_events));
    group.bench_function("bare_heap", |b| {
        b.iter(|| black_box(bare_heap_mm3(CUSTOMERS, 7)))
    });
    group.throughput(Throughput::Elements(kernel_events));
    group.bench_function("kernel", |b| {
        b.iter(|| black_box(simulate(&config, &seeder, 0).mean_wait))
    });
    group.finish();
}

const HOLD_OPERATIONS: u64 = 100_000;

fn bench_queue(c: &mut Criterion) {
    let mut group = c.benchmark_group("queue_hold");
    group.throughput(Throughput::Elements(HOLD_OPERATIONS));
    let step = DistSpec::Exponential { mean: 1.0 }.compile().unwrap();
    for pending in [10usize, 1_000, 100_000] {
        let mut rng = StreamSeeder::new(3).stream(0, "hold");
        let mut queue = EventQueue::with_capacity(pending + 1);
        for i in 0..pending {
            queue.push(step.sample(&mut rng), i as u32);
        }
        group.bench_with_input(BenchmarkId::from_parameter(pending), &pending, |b, _| {
            b.iter(|| {
                for _ in 0..HOLD_OPERATIONS {
                    let (now, event) = queue.pop().expect("the hold model keeps the queue full");
                    queue.push(now + step.sample(&mut rng), event);
                }
            })
        });
    }
    group.finish();
}

fn bench_replications(c: &mut Criterion) {
    let config = mmc_config(
        3,
        2.7,
        1.0,
        RunLength::Arrivals(CUSTOMERS),
        Warmup::Arrivals(CUSTOMERS / 100),
    );
    let seeder = StreamSeeder::new(7);
    let mut group = c.benchmark_group("replications");
    group.sample_size(10);
    for threads in [1usize, 2] {
        let runner = Runner::new(threads).unwrap();
        group.bench_with_input(BenchmarkId::new("threads", threads), &threads, |b, _| {
            b.iter(|| {
                let mut total = 0.0;
                runner.run(
                    0..8,
                    |rep| simulate(&config, &seeder, rep).mean_wait,
                    |_, w| total += w,
                );
                black_box(total)
            })
        });
    }
    group.finish();
}

/// The model of a shipped scenario, by its path under `scenarios/`.
fn shipped_model(file: &str) -> hazflow::model::Model {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(file);
    let loaded = hazflow::scenario::load(&path).expect("the shipped scenario loads");
    hazflow::model::compile(&loaded).expect("the shipped scenario compiles")
}

/// The models of the `model` group: benchmark id, scenario file, and whether accidents are sampled (the
/// plan without its risk model isolates the logistics loop from the consequence physics).
const MODELS: [(&str, &str, bool); 3] = [
    ("example", "examples/one-of-each.toml", true),
    ("liuzhou-plan", "liuzhou-2025-plan.toml", true),
    ("liuzhou-plan-no-risk", "liuzhou-2025-plan.toml", false),
];

fn bench_subject(file: &str, with_risk: bool) -> hazflow::model::Model {
    let mut model = shipped_model(file);
    if !with_risk {
        model.risk = None;
    }
    model
}

fn model_events(model: &hazflow::model::Model) -> u64 {
    hazflow::sim::Replication::new(model, &StreamSeeder::new(7), 0)
        .run()
        .events
}

fn bench_model(c: &mut Criterion) {
    let seeder = StreamSeeder::new(7);
    let mut group = c.benchmark_group("model");
    group.sample_size(10);
    for (id, file, with_risk) in MODELS {
        let model = bench_subject(file, with_risk);
        group.throughput(Throughput::Elements(model_events(&model)));
        group.bench_function(id, |b| {
            b.iter(|| {
                black_box(
                    hazflow::sim::Replication::new(&model, &seeder, 0)
                        .run()
                        .events,
                )
            })
        });
    }
    group.finish();
}

fn report_ratios() {
    let kernel_events = simulate(
        &mmc_config(
            3,
            2.7,
            1.0,
            RunLength::Arrivals(CUSTOMERS),
            Warmup::Arrivals(CUSTOMERS / 100),
        ),
        &StreamSeeder::new(7),
        0,
    )
    .events as f64;
    let bare_events = bare_heap_mm3(CUSTOMERS, 7).1 as f64;
    println!("\n== ratios (same run) ==");
    if let (Some(bare), Some(kernel)) = (mean_ns("mm3/bare_heap"), mean_ns("mm3/kernel")) {
        let (bare_rate, kernel_rate) = (bare_events / bare * 1e9, kernel_events / kernel * 1e9);
        println!(
            "mm3: kernel {:.1} M events/s, bare heap {:.1} M events/s, kernel/bare = {:.2}",
            kernel_rate / 1e6,
            bare_rate / 1e6,
            kernel_rate / bare_rate
        );
    }
    if let (Some(k1), Some(k100)) = (mean_ns("queue_hold/1000"), mean_ns("queue_hold/100000")) {
        let rate = |ns: f64| HOLD_OPERATIONS as f64 / ns * 1e9 / 1e6;
        let small = mean_ns("queue_hold/10").map(rate).unwrap_or(f64::NAN);
        println!(
            "queue hold: 10 pending {:.1} M ops/s, 1k {:.1}, 100k {:.1}; rate(100k)/rate(1k) = {:.2}",
            small,
            rate(k1),
            rate(k100),
            k1 / k100
        );
    }
    for (id, file, with_risk) in MODELS {
        let (Some(model_ns), Some(kernel)) =
            (mean_ns(&format!("model/{id}")), mean_ns("mm3/kernel"))
        else {
            continue;
        };
        let model_rate = model_events(&bench_subject(file, with_risk)) as f64 / model_ns * 1e9;
        let kernel_rate = kernel_events / kernel * 1e9;
        println!(
            "model: {id} {:.1} M events/s, kernel M/M/3 {:.1} M events/s, model/kernel = {:.2}",
            model_rate / 1e6,
            kernel_rate / 1e6,
            model_rate / kernel_rate
        );
    }
    if let (Some(t1), Some(t2)) = (
        mean_ns("replications/threads/1"),
        mean_ns("replications/threads/2"),
    ) {
        println!(
            "replications: 8 reps, 2 threads vs 1 = {:.2}x throughput",
            t1 / t2
        );
    }
}

fn main() {
    // Criterion's HTML plots need system fonts; our plotters build uses a bundled font instead, so none.
    let mut criterion = Criterion::default().without_plots().configure_from_args();
    bench_mm3(&mut criterion);
    bench_queue(&mut criterion);
    bench_replications(&mut criterion);
    bench_model(&mut criterion);
    criterion.final_summary();
    report_ratios();
}
