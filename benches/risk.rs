//! Risk benchmarks on the Liuzhou 2025 plan, reported as ratios measured in the same run:
//! a replication with the risk model against the same replication without it, the same replication
//! without the fire brigade (`[risk.response]` off) against it with, and the individual-risk map of about
//! a million cells on two threads.
//!
//! Then the precision of the tail, before and after (one run, the same accidents): the relative standard
//! error of F(N >= 10), F(N >= 100) and of F where it is 1e-6 and 1e-7 per year after 200 replications,
//! for the one-draw estimator (each accident counted with the one outcome, weather and wind it drew, as
//! before) and for the integrated one (each accident's whole distribution of N); and the wall time to
//! reach 10 % with `--target-rse`, measured for the integrated estimator and extrapolated for the
//! one-draw one from its RSE at 200 replications (RSE falls as one over the square root of the count).
//!
//! `cargo bench --bench risk`; the ratios are printed after criterion's report. `HAZFLOW_BENCH=tail`
//! runs only the tail part.

mod common;

use std::hint::black_box;
use std::path::PathBuf;

use common::mean_ns;
use criterion::Criterion;
use hazflow::des::StreamSeeder;
use hazflow::experiment::risk_fold::RiskFold;
use hazflow::experiment::{RunSettings, Runner, risk_analysis, run_model};
use hazflow::model::Model;

/// Replications whose accidents feed the map benchmark.
const MAP_REPLICATIONS: u64 = 10;

fn liuzhou() -> Model {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios/liuzhou-2025-plan.toml");
    let loaded = hazflow::scenario::load(&path).expect("the plan loads");
    hazflow::model::compile(&loaded).expect("the plan compiles")
}

/// Cell size giving about a million cells over the plan's map.
fn million_cell_size(model: &Model) -> f64 {
    let [x0, x1, y0, y1] = model.risk.as_ref().expect("risk").bounds_km;
    ((x1 - x0) * (y1 - y0) * 1e6 / 1e6).sqrt()
}

fn bench(c: &mut Criterion) {
    let with = liuzhou();
    let mut without = with.clone();
    without.risk = None;
    let mut no_brigade = with.clone();
    if let Some(r) = no_brigade.risk.as_mut() {
        r.response = None;
    }
    let seeder = StreamSeeder::new(7);
    let mut group = c.benchmark_group("risk");
    group.sample_size(20);
    group.bench_function("replication_without_risk", |b| {
        b.iter(|| {
            black_box(
                hazflow::sim::Replication::new(&without, &seeder, 0)
                    .run()
                    .events,
            )
        })
    });
    group.bench_function("replication_with_risk", |b| {
        b.iter(|| {
            black_box(
                hazflow::sim::Replication::new(&with, &seeder, 0)
                    .run()
                    .accidents
                    .len(),
            )
        })
    });
    group.bench_function("replication_with_risk_no_brigade", |b| {
        b.iter(|| {
            black_box(
                hazflow::sim::Replication::new(&no_brigade, &seeder, 0)
                    .run()
                    .accidents
                    .len(),
            )
        })
    });
    group.finish();

    let runner = Runner::new(2).expect("two threads");
    let settings = RunSettings {
        max_in_system: hazflow::sim::DEFAULT_MAX_IN_SYSTEM,
        seed: 7,
        first_replication: 0,
        replications: MAP_REPLICATIONS,
        ir_cell_m: Some(5000.0),
        keep_accidents: true,
        stop: None,
    };
    let summary =
        run_model(&with, settings, &runner, &|| {}, None, |_, _| Ok(())).expect("the plan runs");
    let by_replication: Vec<Vec<hazflow::sim::Accident>> = (0..MAP_REPLICATIONS)
        .map(|rep| {
            summary
                .accidents
                .iter()
                .filter(|a| a.replication == rep)
                .cloned()
                .collect()
        })
        .collect();
    let cell = million_cell_size(&with);
    let mut group = c.benchmark_group("risk_map");
    group.sample_size(10);
    group.bench_function("million_cells_two_threads", |b| {
        b.iter(|| {
            runner.install(|| {
                let mut fold = RiskFold::new(&with, Some(cell)).expect("a risk model");
                for accidents in &by_replication {
                    fold.fold(&with, accidents);
                }
                black_box(risk_analysis::finish(&with, &fold).map(|a| a.map.values.len()))
            })
        })
    });
    group.finish();
}

fn main() {
    if std::env::var("HAZFLOW_BENCH").as_deref() == Ok("tail") {
        tail::report(&liuzhou());
        return;
    }
    let mut criterion = Criterion::default().without_plots().configure_from_args();
    bench(&mut criterion);
    criterion.final_summary();
    println!("\n== ratios (same run) ==");
    if let (Some(without), Some(with)) = (
        mean_ns("risk/replication_without_risk"),
        mean_ns("risk/replication_with_risk"),
    ) {
        println!(
            "liuzhou-2025-plan replication: {:.1} ms without risk, {:.1} ms with risk; with/without = {:.2}",
            without / 1e6,
            with / 1e6,
            with / without
        );
    }
    if let (Some(no_brigade), Some(with)) = (
        mean_ns("risk/replication_with_risk_no_brigade"),
        mean_ns("risk/replication_with_risk"),
    ) {
        println!(
            "fire brigade, barriers and warnings: {:.1} ms without, {:.1} ms with; with/without = {:.2}",
            no_brigade / 1e6,
            with / 1e6,
            with / no_brigade
        );
    }
    let model = liuzhou();
    let cell = million_cell_size(&model);
    let [x0, x1, y0, y1] = model.risk.as_ref().expect("risk").bounds_km;
    let cells = (((x1 - x0) * 1000.0 / cell).ceil() * ((y1 - y0) * 1000.0 / cell).ceil()) as u64;
    if let (Some(map), Some(with)) = (
        mean_ns("risk_map/million_cells_two_threads"),
        mean_ns("risk/replication_with_risk"),
    ) {
        println!(
            "individual-risk map: {cells} cells ({cell:.1} m) from {MAP_REPLICATIONS} replications' accidents on 2 threads in {:.2} s; map / one replication = {:.1}",
            map / 1e9,
            map / with
        );
    }
    tail::report(&model);
}

#[path = "risk/tail.rs"]
mod tail;
