//! Scaling benchmarks: how cost grows with the work, each reported as a ratio of two measurements taken
//! in the same run.
//!
//! * `demand`: a run of two replications of the Liuzhou 2025 plan on one thread, risk analysis
//!   included (as `hazflow run` does it), at demand x1 and x8
//!   (`demand.chemical_factor` and `demand.background_factor` together); the ratio is ns per event at x8
//!   over x1. At x8 the park gates saturate and queues reach 10^5 vehicles, so any per-event walk over a
//!   queue or a site's population shows here.
//! * `network`: the same run of the plan and of a synthetic network ten times its size; the ratio is
//!   ns per event of the large network over the plan's. The large network is [`tenfold_plan`]: ten copies
//!   of every located item of the plan (parks, docks, terminals, the lock, junctions, externals, parking,
//!   links, flows, population areas, protected objects), copy `k` shifted `k` x 1.2 degrees east and its
//!   ids suffixed `~k`; commodities, carriers, weather and the rules are shared. It has ten times the
//!   facilities, flows and accident sources, and one event queue, one exposure grid and one risk model.
//! * `sweep`: a sweep of 24 small variants (`scenarios/examples/one-of-each.toml`, six chemical by four
//!   background demand factors) of 20 replications each, without plots, on 1 and on 2 threads; the ratio
//!   is wall time on 1 thread over 2 (the speed-up), measured in interleaved pairs (see [`paired_sweep`]).
//!
//! After criterion's own report, the first two ratios are printed from its `estimates.json` files, then
//! the sweep is measured:
//! `cargo bench --bench scaling`.

mod common;

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Instant;

use common::mean_ns;
use criterion::{Criterion, Throughput};
use hazflow::experiment::{RunSettings, RunSummary, Runner, run_model};
use hazflow::model::Model;
use hazflow::scenario::{DiskFiles, MemoryFiles};

/// Copies of the plan in the large network.
const COPIES: usize = 10;
/// Shift between neighbouring copies, degrees of longitude (about 120 km at 24 degrees N: farther than
/// any effect reaches, so the copies' risk does not overlap).
const COPY_SHIFT_DEG: f64 = 1.2;
/// Top-level arrays whose entries stand somewhere and are copied.
const LOCATED: [&str; 10] = [
    "park",
    "dock",
    "terminal",
    "lock",
    "junction",
    "external",
    "parking",
    "link",
    "flow",
    "population",
];

fn scenarios_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios")
}

fn plan_text() -> String {
    std::fs::read_to_string(scenarios_dir().join("liuzhou-2025-plan.toml")).expect("the plan reads")
}

/// Compiles scenario `text` as if it were the file `name` in `scenarios/` (so its data paths resolve).
fn compile_text(name: &str, text: String) -> Model {
    let path = scenarios_dir().join(name);
    let files = MemoryFiles::new(vec![(path.clone(), text)], Some(&DiskFiles));
    let loaded = hazflow::scenario::load_with(&path, &files).expect("the generated scenario loads");
    hazflow::model::compile(&loaded).expect("the generated scenario compiles")
}

/// The plan with both demand factors set to `factor`.
fn plan_at_demand(factor: f64) -> Model {
    let mut doc: toml::Table = plan_text().parse().expect("the plan parses");
    let demand = doc
        .entry("demand")
        .or_insert_with(|| toml::Value::Table(toml::Table::new()))
        .as_table_mut()
        .expect("[demand] is a table");
    for key in ["chemical_factor", "background_factor"] {
        demand.insert(key.into(), toml::Value::Float(factor));
    }
    compile_text(
        "bench-demand.toml",
        toml::to_string(&doc).expect("serialises"),
    )
}

/// Every `id` of the located arrays (and of the protected objects): the names a copy renames.
fn located_ids(doc: &toml::Table) -> std::collections::HashSet<String> {
    let mut ids = std::collections::HashSet::new();
    let protected = doc
        .get("risk")
        .and_then(|r| r.get("protected"))
        .and_then(toml::Value::as_array);
    let arrays = LOCATED
        .iter()
        .filter_map(|key| doc.get(*key).and_then(toml::Value::as_array))
        .chain(protected);
    for entry in arrays.flatten() {
        if let Some(id) = entry.get("id").and_then(toml::Value::as_str) {
            ids.insert(id.to_string());
        }
    }
    ids
}

/// Copy `k` of one entry: located ids renamed wherever they appear, longitudes shifted.
fn shifted(value: &toml::Value, k: usize, ids: &std::collections::HashSet<String>) -> toml::Value {
    match value {
        toml::Value::String(s) if ids.contains(s) => toml::Value::String(format!("{s}~{k}")),
        toml::Value::Array(items) => {
            toml::Value::Array(items.iter().map(|v| shifted(v, k, ids)).collect())
        }
        toml::Value::Table(table) => toml::Value::Table(
            table
                .iter()
                .map(|(key, v)| {
                    let v = match (key.as_str(), v.as_float()) {
                        ("lon", Some(lon)) => toml::Value::Float(lon + k as f64 * COPY_SHIFT_DEG),
                        _ => shifted(v, k, ids),
                    };
                    (key.clone(), v)
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Appends copies 1.. of every entry of `array` to it.
fn replicate(array: &mut toml::Value, ids: &std::collections::HashSet<String>) {
    let Some(entries) = array.as_array_mut() else {
        return;
    };
    let originals = entries.clone();
    for k in 1..COPIES {
        entries.extend(originals.iter().map(|e| shifted(e, k, ids)));
    }
}

/// The synthetic network ten times the plan's size (see the module documentation), as scenario text.
fn tenfold_plan() -> String {
    let mut doc: toml::Table = plan_text().parse().expect("the plan parses");
    let ids = located_ids(&doc);
    for key in LOCATED {
        if let Some(array) = doc.get_mut(key) {
            replicate(array, &ids);
        }
    }
    if let Some(protected) = doc.get_mut("risk").and_then(|r| r.get_mut("protected")) {
        replicate(protected, &ids);
    }
    let scenario = doc["scenario"].as_table_mut().expect("[scenario]");
    scenario.insert("name".into(), "liuzhou-plan-x10".into());
    toml::to_string(&doc).expect("serialises")
}

/// Replications per measured run of the `demand` and `network` groups.
const REPLICATIONS: u64 = 2;

/// Master seed of the measured runs.
const SEED: u64 = 7;

/// One measured run as `hazflow run` does it: the replications and the risk analysis folded over them.
fn run_with_risk(model: &Model, runner: &Runner) -> RunSummary {
    let settings = RunSettings {
        seed: SEED,
        first_replication: 0,
        replications: REPLICATIONS,
        ir_cell_m: None,
        keep_accidents: false,
        stop: None,
        max_in_system: hazflow::app::Limits::default().max_in_system,
    };
    run_model(model, settings, runner, &|| {}, None, |_, _| Ok(())).expect("the run completes")
}

/// Benchmarks a run of each model in `group`, on one thread; each model comes with its run's events.
fn bench_replications(
    c: &mut Criterion,
    runner: &Runner,
    group: &str,
    models: &[(&str, &Model, u64)],
) {
    let mut g = c.benchmark_group(group);
    g.sample_size(10);
    for &(id, model, events) in models {
        g.throughput(Throughput::Elements(events));
        g.bench_function(id, |b| b.iter(|| black_box(run_with_risk(model, runner))));
    }
    g.finish();
}

fn sweep_variants() -> Vec<hazflow::app::Variant> {
    let settings = [
        "demand.chemical_factor=1,1.1,1.2,1.3,1.4,1.5",
        "demand.background_factor=1,1.1,1.2,1.3",
    ]
    .map(|s| hazflow::app::SweepSetting::parse(s).expect("the setting parses"));
    let base = scenarios_dir().join("examples/one-of-each.toml");
    hazflow::app::sweep_variants(&base, &settings, &hazflow::app::Limits::default())
        .expect("the sweep's variants load")
}

/// Pairs of sweep runs (one on 1 thread, one on 2) in the paired measurement.
const SWEEP_PAIRS: usize = 8;

/// Wall time of the sweep on `threads` threads, into a fresh directory under `scratch`.
fn time_sweep(variants: &[hazflow::app::Variant], threads: usize, out: PathBuf) -> f64 {
    let parameters = ["demand.chemical_factor", "demand.background_factor"].map(String::from);
    let options = hazflow::app::BatchOptions {
        replications: Some(20),
        threads: Some(threads),
        out: Some(out.clone()),
        no_plots: true,
        ..Default::default()
    };
    let started = Instant::now();
    black_box(
        hazflow::app::run_batch("sweep", variants, &parameters, &options).expect("the sweep runs"),
    );
    let seconds = started.elapsed().as_secs_f64();
    std::fs::remove_dir_all(out).expect("the sweep's output is removed");
    seconds
}

/// The sweep's speed-up on 2 threads, measured in pairs: each pair runs the sweep on 1 and on 2 threads
/// back to back (in alternating order), so that the machine's drift over a minute (large on a shared
/// virtual machine) falls on both sides of each ratio. Prints the median of the pairs' ratios.
fn paired_sweep(scratch: &Path) {
    let variants = sweep_variants();
    time_sweep(&variants, 2, scratch.join("warm-up"));
    let mut pairs = Vec::with_capacity(SWEEP_PAIRS);
    for k in 0..SWEEP_PAIRS {
        let order = if k % 2 == 0 { [1, 2] } else { [2, 1] };
        let mut seconds = [0.0; 2];
        for threads in order {
            seconds[threads - 1] =
                time_sweep(&variants, threads, scratch.join(format!("{k}-{threads}")));
        }
        pairs.push(seconds);
    }
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        0.5 * (v[(v.len() - 1) / 2] + v[v.len() / 2])
    };
    let ratios: Vec<f64> = pairs.iter().map(|[one, two]| one / two).collect();
    let (lowest, highest) = (
        ratios.iter().copied().fold(f64::INFINITY, f64::min),
        ratios.iter().copied().fold(0.0, f64::max),
    );
    println!(
        "sweep: 24 variants x 20 replications, median {:.2} s on 1 thread, {:.2} s on 2; \
         speed-up = {:.2}x (median of {SWEEP_PAIRS} pairs, range {lowest:.2} to {highest:.2})",
        median(pairs.iter().map(|p| p[0]).collect()),
        median(pairs.iter().map(|p| p[1]).collect()),
        median(ratios),
    );
}

/// Prints ns per event of `small` and `large` (whose events are given) and their ratio.
fn report_per_event(label: &str, small: (&str, u64), large: (&str, u64)) {
    let (Some(small_ns), Some(large_ns)) = (mean_ns(small.0), mean_ns(large.0)) else {
        return;
    };
    let (small_events, large_events) = (small.1 as f64, large.1 as f64);
    let (a, b) = (small_ns / small_events, large_ns / large_events);
    println!(
        "{label}: {} {:.0} ns/event ({:.2} M events), {} {:.0} ns/event ({:.2} M events), ratio = {:.2}",
        small.0,
        a,
        small_events / 1e6,
        large.0,
        b,
        large_events / 1e6,
        b / a
    );
}

fn main() {
    // Criterion's HTML plots need system fonts; our plotters build uses a bundled font instead, so none.
    let mut criterion = Criterion::default().without_plots().configure_from_args();
    let (x1, x8) = (plan_at_demand(1.0), plan_at_demand(8.0));
    let tenfold = compile_text("bench-tenfold.toml", tenfold_plan());
    let runner = Runner::new(1).expect("a one-thread pool");
    // Events of each measured run (the runs are deterministic), counted by a first run of each.
    let [e1, e8, e10] = [&x1, &x8, &tenfold].map(|m| run_with_risk(m, &runner).events);
    bench_replications(
        &mut criterion,
        &runner,
        "demand",
        &[("x1", &x1, e1), ("x8", &x8, e8)],
    );
    bench_replications(
        &mut criterion,
        &runner,
        "network",
        &[("plan", &x1, e1), ("x10", &tenfold, e10)],
    );
    criterion.final_summary();

    println!("\n== ratios (same run) ==");
    report_per_event("demand", ("demand/x1", e1), ("demand/x8", e8));
    report_per_event("network", ("network/plan", e1), ("network/x10", e10));
    // `cargo bench --bench scaling -- demand` (a filter) skips the sweep unless it names it.
    let filter = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    if filter.is_none_or(|f| "sweep".contains(f.as_str())) {
        let scratch = std::env::temp_dir().join(format!("hazflow-bench-{}", std::process::id()));
        paired_sweep(&scratch);
        let _ = std::fs::remove_dir_all(&scratch);
    }
}
