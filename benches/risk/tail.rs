//! Precision of the F-N tail on the plan, before and after, measured on the same run: the one-draw
//! estimator (what every accident drew: one outcome, one weather, one wind) against the integrated one
//! (each accident's whole distribution of N), and the wall time to 10 % relative standard error.

use std::time::Instant;

use hazflow::experiment::{ReplicationStats, RunSettings, Runner, StopRule, run_model};
use hazflow::model::Model;
use hazflow::risk::fn_curve::{FnStep, frequency_at};

/// Replications of the comparison (the figure).
const REPLICATIONS: u64 = 200;
/// The target of the timed run.
const TARGET_RSE: f64 = 0.1;
/// Replication cap of the timed runs.
const CAP: u64 = 2000;
/// Floors of the timed runs, per year.
const FLOORS: [f64; 2] = [1e-4, 1e-5];

/// One figure of the comparison: a name and the N it is taken at.
struct Figure {
    name: String,
    n: f64,
}

/// The N where the integrated curve falls to `level` per year (its last step at or above it).
fn n_at_level(steps: &[FnStep], level: f64) -> Option<f64> {
    steps
        .iter()
        .filter(|s| s.frequency >= level)
        .map(|s| s.n)
        .fold(None, |a: Option<f64>, n| Some(a.map_or(n, |a| a.max(n))))
}

fn rse(s: &ReplicationStats) -> f64 {
    if s.mean() > 0.0 && s.count() > 1 {
        s.std_dev() / (s.count() as f64).sqrt() / s.mean()
    } else {
        f64::INFINITY
    }
}

/// Per replication, the one-draw and the integrated estimates of F(N >= n) for each figure.
fn estimates(
    accidents: &[hazflow::sim::Accident],
    figures: &[Figure],
    years: f64,
) -> (Vec<ReplicationStats>, Vec<ReplicationStats>) {
    let mut drawn = vec![vec![0.0; REPLICATIONS as usize]; figures.len()];
    let mut integrated = drawn.clone();
    for a in accidents {
        let (_, shown) = a.shown();
        for (k, f) in figures.iter().enumerate() {
            let r = a.replication as usize;
            drawn[k][r] += a.weight * f64::from(u8::from(shown.deaths >= f.n)) / years;
            integrated[k][r] += a.weight * a.probability_at_least(f.n) / years;
        }
    }
    let stats = |rows: Vec<Vec<f64>>| {
        rows.into_iter()
            .map(|row| {
                let mut s = ReplicationStats::new();
                row.into_iter().for_each(|x| s.record(x));
                s
            })
            .collect()
    };
    (stats(drawn), stats(integrated))
}

/// Prints the before/after table and the time to reach the target.
pub fn report(model: &Model) {
    let runner = Runner::new(2).expect("two threads");
    let settings = RunSettings {
        max_in_system: hazflow::sim::DEFAULT_MAX_IN_SYSTEM,
        seed: 7,
        first_replication: 0,
        replications: REPLICATIONS,
        ir_cell_m: Some(5000.0),
        keep_accidents: true,
        stop: None,
    };
    let started = Instant::now();
    let summary = run_model(model, settings, &runner, &|| {}, None, |_, _| Ok(())).expect("runs");
    let seconds_200 = started.elapsed().as_secs_f64();
    let fold = summary.risk.as_ref().expect("risk");
    let steps = fold.all.steps();
    let mut figures = vec![
        Figure {
            name: "F(N >= 10)".into(),
            n: 10.0,
        },
        Figure {
            name: "F(N >= 100)".into(),
            n: 100.0,
        },
    ];
    for level in [1e-6, 1e-7] {
        match n_at_level(&steps, level) {
            Some(n) => figures.push(Figure {
                name: format!("F = {level:.0e}/yr (N >= {n:.0})"),
                n,
            }),
            None => println!("the integrated curve never reaches {level:.0e}/yr"),
        }
    }
    let (drawn, integrated) = estimates(&summary.accidents, &figures, fold.years_per_replication);
    println!(
        "\n== F-N tail precision, liuzhou-2025-plan, {REPLICATIONS} replications ({seconds_200:.1} s), same accidents =="
    );
    println!(
        "{:<32} {:>12} {:>8} {:>12} {:>8} {:>14}",
        "figure", "one-draw F", "RSE", "integrated F", "RSE", "RSE ratio"
    );
    for (f, (d, i)) in figures.iter().zip(drawn.iter().zip(&integrated)) {
        let (before, after) = (rse(d), rse(i));
        // The streamed fold and this recount must agree: the fold is what the outputs show.
        let folded = frequency_at(&steps, f.n);
        assert!(
            (folded - i.mean()).abs() <= 1e-9 * folded.max(1e-30) + 1e-15,
            "{folded} vs {}",
            i.mean()
        );
        println!(
            "{:<32} {:>12.3e} {:>8.3} {:>12.3e} {:>8.3} {:>14}",
            f.name,
            d.mean(),
            before,
            i.mean(),
            after,
            if before.is_finite() {
                format!("{:.1}", before / after)
            } else {
                "none seen".into()
            }
        );
    }
    timed_target(model, &runner, &summary, seconds_200);
}

/// The one-draw estimator's worst relative standard error over PLL and every step of the integrated
/// curve at or above `floor` (what the stopping rule would look at), from the 200 replications.
fn one_draw_worst_rse(
    accidents: &[hazflow::sim::Accident],
    steps: &[FnStep],
    floor: f64,
    years: f64,
) -> f64 {
    let mut by_rep: Vec<Vec<(f64, f64)>> = vec![Vec::new(); REPLICATIONS as usize];
    let mut pll = ReplicationStats::new();
    let mut pll_rows = vec![0.0; REPLICATIONS as usize];
    for a in accidents {
        let (_, shown) = a.shown();
        by_rep[a.replication as usize].push((shown.deaths, a.weight / years));
        pll_rows[a.replication as usize] += a.weight * shown.deaths / years;
    }
    pll_rows.into_iter().for_each(|x| pll.record(x));
    // Per replication, the frequency of N or more deaths as a suffix sum over deaths sorted ascending.
    let tails: Vec<(Vec<f64>, Vec<f64>)> = by_rep
        .into_iter()
        .map(|mut v| {
            v.sort_by(|a, b| a.0.total_cmp(&b.0));
            let mut suffix = vec![0.0; v.len() + 1];
            for k in (0..v.len()).rev() {
                suffix[k] = suffix[k + 1] + v[k].1;
            }
            (v.into_iter().map(|(n, _)| n).collect(), suffix)
        })
        .collect();
    let mut worst = rse(&pll);
    for step in steps.iter().filter(|s| s.frequency >= floor) {
        let mut s = ReplicationStats::new();
        for (deaths, suffix) in &tails {
            s.record(suffix[deaths.partition_point(|d| *d < step.n)]);
        }
        worst = worst.max(rse(&s));
    }
    worst
}

/// For each floor, runs `--target-rse 0.1` (capped) and prints its wall time beside the one-draw
/// estimator's time extrapolated from its RSE at 200 replications.
fn timed_target(
    model: &Model,
    runner: &Runner,
    run: &hazflow::experiment::RunSummary,
    seconds_200: f64,
) {
    let fold = run.risk.as_ref().expect("risk");
    let steps = fold.all.steps();
    let per_replication_s = seconds_200 / REPLICATIONS as f64;
    println!(
        "\n== time to {TARGET_RSE} relative standard error (PLL and every F step above the floor) =="
    );
    for floor in FLOORS {
        let before = one_draw_worst_rse(&run.accidents, &steps, floor, fold.years_per_replication);
        let before_reps = REPLICATIONS as f64 * (before / TARGET_RSE).powi(2);
        let rule = StopRule {
            target_rse: TARGET_RSE,
            floor_per_year: floor,
        };
        let settings = RunSettings {
            max_in_system: hazflow::sim::DEFAULT_MAX_IN_SYSTEM,
            seed: 7,
            first_replication: 0,
            replications: CAP,
            ir_cell_m: Some(5000.0),
            keep_accidents: false,
            stop: Some(rule),
        };
        let started = Instant::now();
        let summary =
            run_model(model, settings, runner, &|| {}, None, |_, _| Ok(())).expect("runs");
        let seconds = started.elapsed().as_secs_f64();
        let p = rule.precision(&summary);
        let reached = rule.reached(&summary);
        println!(
            "floor {floor:.0e}/yr: integrated {} replications in {seconds:.1} s (worst RSE {:.3}{}); one-draw: worst RSE {before:.2} at {REPLICATIONS}, needs ~{before_reps:.0} replications ~{:.0} s; time ratio one-draw / integrated = {}",
            summary.replications,
            p.pll_rse.max(p.fn_rse),
            if reached { "" } else { ", cap reached" },
            before_reps * per_replication_s,
            if reached && before.is_finite() {
                format!("{:.0}", before_reps * per_replication_s / seconds)
            } else {
                "n/a".into()
            }
        );
    }
}
