//! The risk model inside the simulation: the importance-sampling estimator is unbiased against brute
//! force, domino cascades respond to the layout, closures push delay into the logistics, inert goods never
//! kill, and results do not depend on the thread count.

use hazflow::sim::{Metric, SourceCategory};
use std::path::{Path, PathBuf};
use std::process::Command;

use hazflow::experiment::{ReplicationStats, RunSummary};

mod common;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn example() -> PathBuf {
    root().join("scenarios/examples/risk-small.toml")
}

/// Runs a what-if of the risk example (`EXAMPLE` and `DATA` stand for the example and the Purple Book
/// data file) with an optional risk-data override layer.
fn run_text(name: &str, text: &str, data_override: Option<&str>, replications: u64) -> RunSummary {
    let dir = std::env::temp_dir().join(format!("hazflow-risk-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    if let Some(o) = data_override {
        std::fs::write(dir.join("override.toml"), o).unwrap();
    }
    let file = dir.join("scenario.toml");
    let data = root().join("scenarios/risk/purple-book.toml");
    std::fs::write(
        &file,
        text.replace("EXAMPLE", &example().display().to_string())
            .replace("DATA", &data.display().to_string()),
    )
    .unwrap();
    let summary = common::run_scenario(&file, 7, replications);
    let _ = std::fs::remove_dir_all(&dir);
    summary
}

fn get<'a>(s: &'a RunSummary, metric: Metric, subject: &str, detail: &str) -> &'a ReplicationStats {
    common::metric(s, metric, subject, detail)
}

fn se(s: &ReplicationStats) -> f64 {
    s.std_dev() / (s.count() as f64).sqrt()
}

/// Road releases on the expressway made frequent (1e-4 per vehicle-km), closures off so that both runs
/// move the same traffic.
const FREQUENT: &str = r#"
[transport.road.expressway]
accidents_per_million_veh_km = 200
release_given_accident = 0.5
source = "test: inflated so that brute force sees many accidents"
"#;

fn sampled(target: f64) -> String {
    format!(
        "[scenario]\nname = \"is-{target}\"\nextends = \"EXAMPLE\"\n[risk]\ndata = [\"DATA\", \"override.toml\"]\n[risk.closures]\nmode = \"off\"\n[risk.sampling]\nevents_per_source_year = {target}\n"
    )
}

/// The importance-sampling estimator (inflated rates, weights 1/k) agrees with brute force (k = 1) on
/// the frequency and the expected deaths of road accidents, and with the analytic frequency.
#[test]
fn importance_sampling_is_unbiased_against_brute_force() {
    let reps = 40;
    // Brute force: a target far below the real rate leaves every inflation at 1.
    let brute = run_text("brute", &sampled(1e-9), Some(FREQUENT), reps);
    // Importance sampling: about ten times more accidents sampled, each weighing about 1/10.
    let is = run_text("is", &sampled(50.0), Some(FREQUENT), reps);
    for (metric, subject, detail) in [
        (
            Metric::AccidentFrequencyPerYear,
            SourceCategory::TransportRoad.name(),
            "source",
        ),
        (
            Metric::PllPerYear,
            SourceCategory::TransportRoad.name(),
            "source",
        ),
        (Metric::FnFrequencyPerYear, "all", "N>=1"),
    ] {
        let (b, i) = (
            get(&brute, metric, subject, detail),
            get(&is, metric, subject, detail),
        );
        let tolerance = 4.0 * (se(b).powi(2) + se(i).powi(2)).sqrt();
        assert!(
            (b.mean() - i.mean()).abs() < tolerance,
            "{metric}/{subject}: brute force {} vs importance sampling {} (tolerance {tolerance})",
            b.mean(),
            i.mean()
        );
    }
    let b_count = get(&brute, Metric::AccidentsSampled, "all", "").mean();
    let i_count = get(&is, Metric::AccidentsSampled, "all", "").mean();
    assert!(i_count > 5.0 * b_count, "{i_count} vs {b_count}");
    // Analytic: 20 000 t of chlorine a year in 30 t tankers over the 80 km expressway inland, and
    // 40 % of 60 000 t of methanol over the 260 km expressway from the port, at 1e-4 per tanker-km.
    let expected = (20_000.0 / 30.0 * 80.0 + 0.4 * 60_000.0 / 30.0 * 260.0) * 1e-4;
    let f = get(
        &is,
        Metric::AccidentFrequencyPerYear,
        SourceCategory::TransportRoad.name(),
        "source",
    )
    .mean();
    // Caustic soda is inert and the other road links carry their own small share: within 15 %.
    assert!((f / expected - 1.0).abs() < 0.15, "{f} vs {expected}");
    // Weights never exceed 1 and inert goods never appear.
    for a in &is.accidents {
        assert!(a.weight > 0.0 && a.weight <= 1.0);
        let total: f64 = a.outcomes().map(|(_, p)| p).sum();
        assert!((total - 1.0).abs() < 1e-9, "probabilities sum to {total}");
        for (n, _) in a.outcomes() {
            assert!(n >= 0.0 && n.is_finite());
        }
    }
}

/// Spreading the tanks apart lowers the frequency of domino cascades (same seed: same primary events).
#[test]
fn domino_cascades_follow_the_layout() {
    let base = "[scenario]\nname = \"layout\"\nextends = \"EXAMPLE\"\n[risk.closures]\nmode = \"off\"\n[risk.sampling]\nevents_per_source_year = 40\n";
    let close = run_text("close", base, None, 20);
    let far = run_text(
        "far",
        &format!(
            "{base}[risk.layout]\ntank_spacing_m = 400\ntank_group_spacing_m = 400\nhandling_to_tanks_m = 400\ntanker_spacing_m = 400\nwagon_spacing_m = 400\n"
        ),
        None,
        20,
    );
    // The spacings move the tanks and the tankers; vessels in a lock chamber, wagons beside the bays,
    // rows in a lot and queues on the road keep their fixed offsets (a burning pool engulfs a unit 20 m
    // away whatever the layout), so some cascades remain: those set off at tank farms and bays measure
    // the layout, and spreading them apart must at least halve them (paired: same primary events).
    let domino = |s: &RunSummary| {
        s.accidents
            .iter()
            .filter(|a| {
                matches!(
                    a.source,
                    hazflow::sim::AccidentSource::Tank(_)
                        | hazflow::sim::AccidentSource::Loading(_)
                )
            })
            .map(|a| a.weight * a.escalation_probability())
            .sum::<f64>()
    };
    assert!(domino(&close) > 0.0, "no cascade in the close layout");
    assert!(
        domino(&far) < 0.5 * domino(&close),
        "{} vs {}",
        domino(&far),
        domino(&close)
    );
    // Every cascade record is consistent: more than one unit exactly when a level added failures.
    let mut deep = 0;
    for b in close.accidents.iter().flat_map(|a| &a.branches) {
        assert_eq!(b.units.len() > 1, b.depth >= 1, "{:?}", b.units);
        if b.depth >= 1 {
            deep += 1;
            assert!(b.effects.len() > 1);
            // Domino deaths are those beyond the primary event's own.
            for c in &b.conditions {
                assert!(c.deaths >= c.primary_deaths - 1e-9);
            }
        }
    }
    assert!(deep > 0);
    // Thresholds off: escalation at any flux, so at least as many cascades.
    let loose = run_text(
        "loose",
        &format!("{base}[risk.domino]\nescalation_thresholds = false\n"),
        None,
        20,
    );
    assert!(domino(&loose) >= domino(&close));
}

/// Closing every sampled accident's link or facility (a stress test) stops traffic: closures and delay
/// appear, and fewer tonnes are delivered than with no closures.
#[test]
fn accident_closures_push_delay_into_the_logistics() {
    let text = |mode: &str| {
        format!(
            "[scenario]\nname = \"closures-{mode}\"\nextends = \"EXAMPLE\"\n[risk.closures]\nmode = \"{mode}\"\nroad_h = 24\nfacility_h = 72\n[risk.sampling]\nevents_per_source_year = 10\n"
        )
    };
    let off = run_text("off", &text("off"), None, 10);
    let every = run_text("every", &text("every_sampled"), None, 10);
    assert_eq!(
        get(&off, Metric::AccidentClosuresPerYear, "all", "").mean(),
        0.0
    );
    assert!(get(&every, Metric::AccidentClosuresPerYear, "all", "").mean() > 10.0);
    assert!(get(&every, Metric::AccidentDelayVehicleHoursPerYear, "all", "").mean() > 0.0);
    let delivered = |s: &RunSummary| {
        ["road", "rail", "water"]
            .iter()
            .map(|m| get(s, Metric::DeliveredT, "all flows", m).mean())
            .sum::<f64>()
    };
    assert!(
        delivered(&every) < delivered(&off),
        "{} vs {}",
        delivered(&every),
        delivered(&off)
    );
}

#[test]
fn risk_outputs_do_not_depend_on_the_thread_count() {
    let dir = std::env::temp_dir().join(format!("hazflow-risk-threads-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let (one, two) = (dir.join("one"), dir.join("two"));
    for (threads, out) in [("1", &one), ("2", &two)] {
        let o = Command::new(env!("CARGO_BIN_EXE_hazflow"))
            .args([
                "run",
                example().to_str().unwrap(),
                "--reps",
                "6",
                "--threads",
                threads,
                "--out",
            ])
            .arg(out)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    for file in [
        "summary.csv",
        "accidents.csv",
        "fn_curves.csv",
        "criterion_check.csv",
        "risk_contributors.csv",
        "individual_risk.csv",
        "ir_transects.csv",
    ] {
        let a = std::fs::read(one.join(file)).unwrap_or_else(|_| panic!("{file} missing"));
        let b = std::fs::read(two.join(file)).unwrap();
        assert!(a == b, "{file} differs between 1 and 2 threads");
        assert!(a.len() > 100, "{file} is nearly empty");
    }
    for plot in ["fn_curves", "individual_risk_map", "ir_transects"] {
        for ext in ["png", "svg"] {
            let p = one.join("plots").join(format!("{plot}.{ext}"));
            assert!(
                std::fs::metadata(&p)
                    .map(|m| m.len() > 1000)
                    .unwrap_or(false),
                "{} missing",
                p.display()
            );
        }
    }
    let accidents = std::fs::read_to_string(one.join("accidents.csv")).unwrap();
    assert!(
        !accidents.contains(",caustic-soda,"),
        "inert goods must not appear in accidents.csv"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// The integrated estimator (each accident's whole distribution of N over the event tree, the weather
/// and the wind) agrees with brute-force sampling (one outcome, weather and wind drawn per accident, the
/// realisation each accident lists), replication by replication on the same accidents, and is less
/// noisy: Rao-Blackwell.
#[test]
fn integrated_estimator_is_unbiased_against_one_draw_sampling() {
    let text = "[scenario]\nname = \"integrated\"\nextends = \"EXAMPLE\"\n[risk.closures]\nmode = \"off\"\n[risk.sampling]\nevents_per_source_year = 20\n";
    let reps = 30;
    let s = run_text("integrated", text, None, reps);
    let mut integrated = vec![[0.0; 2]; reps as usize];
    let mut drawn = vec![[0.0; 2]; reps as usize];
    for a in &s.accidents {
        let r = a.replication as usize;
        let (_, shown) = a.shown();
        integrated[r][0] += a.weight * a.expected_deaths();
        integrated[r][1] += a.weight * a.probability_at_least(1.0);
        drawn[r][0] += a.weight * shown.deaths;
        drawn[r][1] += a.weight * f64::from(u8::from(shown.deaths >= 1.0));
    }
    for k in 0..2 {
        let mut diff = ReplicationStats::new();
        let (mut a, mut b) = (ReplicationStats::new(), ReplicationStats::new());
        for r in 0..reps as usize {
            diff.record(drawn[r][k] - integrated[r][k]);
            a.record(integrated[r][k]);
            b.record(drawn[r][k]);
        }
        // The one-draw estimator's mean differs from the integrated one's by noise alone: within
        // 4 standard errors of the paired difference (a correct program fails this 1 time in 16 000).
        assert!(
            diff.mean().abs() <= 4.0 * se(&diff) + 1e-12,
            "estimator {k}: integrated {} vs one draw {} (difference {} +- {})",
            a.mean(),
            b.mean(),
            diff.mean(),
            se(&diff)
        );
        assert!(a.mean() > 0.0);
        assert!(
            a.std_dev() <= b.std_dev(),
            "estimator {k}: {} vs {}",
            a.std_dev(),
            b.std_dev()
        );
    }
}

/// A fire station at the example's junction, four road km from the park, with a fixed turn-out so
/// that a response time depends only on where the accident is and which roads are open.
const BRIGADE: &str = r#"
[[responder]]
id = "junction-station"
node = "junction-a"
engines = 20
turnout_min = 1
source = "test"

[risk.response]
alarm_min = 5
engines_per_accident = 2
access_speed_km_per_h = 20
setup_median_min = 3.5
setup_sigma_ln = 0.5
team_pfd = 0.1
on_scene_h = 2
arrival_standard_min = 5
"#;

const DOMINO_BASE: &str = "[scenario]\nname = \"response\"\nextends = \"EXAMPLE\"\n[risk.closures]\nmode = \"off\"\n[risk.sampling]\nevents_per_source_year = 40\n";

fn tank_response_minutes(s: &RunSummary) -> Vec<f64> {
    s.accidents
        .iter()
        .filter(|a| matches!(a.source, hazflow::sim::AccidentSource::Tank(_)))
        .filter_map(|a| a.dispatch.and_then(|d| d.on_scene_h))
        .map(|h| h * 60.0)
        .collect()
}

/// With responders described but `[risk.response] enabled = false`, every metric and every accident is
/// exactly what the model without responders gives.
#[test]
fn responders_switched_off_change_nothing() {
    let without = run_text("no-brigade", DOMINO_BASE, None, 6);
    let off = format!("{DOMINO_BASE}{BRIGADE}")
        .replace("[risk.response]\n", "[risk.response]\nenabled = false\n");
    let switched_off = run_text("brigade-off", &off, None, 6);
    assert_eq!(without.keys, switched_off.keys);
    assert_eq!(without.stats, switched_off.stats);
    let json = |s: &RunSummary| serde_json::to_string(&s.accidents).unwrap();
    assert_eq!(json(&without), json(&switched_off));
    assert!(switched_off.accidents.iter().all(|a| a.dispatch.is_none()));
    // Switched on, every accident gets a dispatch and the response metrics appear.
    let on = run_text("brigade-on", &format!("{DOMINO_BASE}{BRIGADE}"), None, 6);
    assert!(on.accidents.iter().all(|a| a.dispatch.is_some()));
    assert!(get(&on, Metric::ResponseMinutesMean, "all", "first_assignment").mean() > 5.0);
}

/// Closing the only road between the station and the park (all year) forces the engines off the
/// network for the last 3.9 km (at 20 km/h over 1.3 x the straight line, 15 min) instead of 4 road km at
/// the rural 35 km/h (7 min): every tank fire's response gets about 8 minutes longer.
#[test]
fn a_closure_on_the_only_road_raises_the_response_time() {
    let open = run_text("road-open", &format!("{DOMINO_BASE}{BRIGADE}"), None, 4);
    let closed = run_text(
        "road-closed",
        &format!(
            "{DOMINO_BASE}{BRIGADE}\n[[link]]\nid = \"r-park-junction\"\ndisruptions = {{ windows = [{{ start_day_of_year = 1, days = 364.9 }}] }}\n"
        ),
        None,
        4,
    );
    let (open, closed) = (tank_response_minutes(&open), tank_response_minutes(&closed));
    assert!(
        open.len() > 20 && closed.len() > 20,
        "{} {}",
        open.len(),
        closed.len()
    );
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let (a, b) = (mean(&open), mean(&closed));
    // 5 alarm + 1 turn-out + 6.9 on the road + the park's own stretch to its tank.
    assert!((12.5..14.5).contains(&a), "open road: {a} min");
    assert!(b - a > 6.5 && b - a < 9.5, "open {a} min, closed {b} min");
}

/// An instant brigade that never fails stops every escalation by fire, and so do perfect barriers with
/// nobody coming; blasts still escalate (no brigade outruns a blast wave), and the same draws without the
/// brigade show the escalations it prevented.
#[test]
fn instant_response_or_perfect_barriers_stop_fire_escalation() {
    let fire_escalation = |s: &RunSummary| {
        s.accidents
            .iter()
            .flat_map(|a| a.branches.iter().map(move |b| (a.weight, b)))
            .filter(|(_, b)| {
                matches!(
                    b.outcome,
                    hazflow::risk::consequence::Outcome::PoolFire
                        | hazflow::risk::consequence::Outcome::JetFire
                ) && b.depth >= 1
            })
            .map(|(w, b)| w * b.probability)
            .sum::<f64>()
    };
    let base = run_text("no-response", DOMINO_BASE, None, 10);
    assert!(
        fire_escalation(&base) > 0.0,
        "the example has fire escalation"
    );
    let instant = BRIGADE
        .replace("alarm_min = 5", "alarm_min = 0")
        .replace("turnout_min = 1", "turnout_min = 0")
        .replace("setup_median_min = 3.5", "setup_median_min = 1e-9")
        .replace("setup_sigma_ln = 0.5", "setup_sigma_ln = 0")
        .replace("team_pfd = 0.1", "team_pfd = 0")
        .replace(
            "arrival_standard_min = 5",
            "arrival_standard_min = 1e-9\nstandard_met_everywhere = true",
        );
    let perfect = run_text("instant", &format!("{DOMINO_BASE}{instant}"), None, 10);
    assert_eq!(fire_escalation(&perfect), 0.0);
    let prevented = get(
        &perfect,
        Metric::EscalationPreventedFrequencyPerYear,
        "all",
        "",
    );
    assert!(prevented.mean() > 0.0);
    assert!(get(&perfect, Metric::DeathsAvoidedPerYear, "all", "").mean() > 0.0);
    // Barriers alone: a deluge that never fails and removes all the flux, no station.
    let barriers = BRIGADE
        .replace("[[responder]]\nid = \"junction-station\"\nnode = \"junction-a\"\nengines = 20\nturnout_min = 1\nsource = \"test\"\n", "")
        + "\n[[risk.response.barrier]]\nkind = \"deluge\"\nunits = [\"tank\", \"tanker\", \"wagon\", \"vessel\"]\npfd = 0\neffectiveness = 1\n";
    let shielded = run_text("barriers", &format!("{DOMINO_BASE}{barriers}"), None, 10);
    assert_eq!(fire_escalation(&shielded), 0.0);
    assert!(
        shielded
            .accidents
            .iter()
            .all(|a| a.dispatch.is_some_and(|d| d.engines == 0))
    );
}

/// An emergency pool at the park that always works keeps every pool fire of a tanker's release at its
/// bays within the drained area (here 50 m2, a pool under 8 m across); one that works half the time
/// splits each release into both states, their branches' probabilities still summing to 1.
#[test]
fn an_emergency_pool_limits_the_pool_fires_at_its_bays() {
    let pool = |pfd: &str| {
        format!(
            "{DOMINO_BASE}{BRIGADE}\n[[risk.response.barrier]]\nkind = \"emergency_pool\"\nunits = [\"tanker\"]\nsites = [\"riverside-park\"]\npfd = {pfd}\neffectiveness = 1\nmax_pool_area_m2 = 50\n"
        )
    };
    let loaded = hazflow::scenario::load(&example()).unwrap();
    let model = hazflow::model::compile(&loaded).unwrap();
    let widest = |s: &RunSummary| {
        s.accidents
            .iter()
            .filter(|a| {
                matches!(a.source, hazflow::sim::AccidentSource::Loading(_))
                    && hazflow::sim::facility_of(&model, a.source) == "riverside-park"
            })
            .flat_map(|a| &a.branches)
            .filter(|b| b.units.first().is_some_and(|u| u.starts_with("tanker")))
            .filter_map(|b| match b.effects.first().map(|p| p.effect) {
                Some(hazflow::risk::effects::Effect::Pool(p)) => Some(p.fire.diameter_m),
                _ => None,
            })
            .fold(0.0, f64::max)
    };
    let open = run_text("pool-none", &format!("{DOMINO_BASE}{BRIGADE}"), None, 3);
    let drained = run_text("pool-works", &pool("0"), None, 3);
    assert!(widest(&open) > 8.0, "{}", widest(&open));
    let limit = (4.0 * 50.0 / std::f64::consts::PI).sqrt();
    let d = widest(&drained);
    assert!(
        d > 0.0 && d <= limit + 1e-9,
        "{d} m across, {limit} allowed"
    );
    let half = run_text("pool-half", &pool("0.5"), None, 3);
    assert!(
        widest(&half) > limit,
        "the failed state keeps the open pool"
    );
    for a in &half.accidents {
        let total: f64 = a.branches.iter().map(|b| b.probability).sum();
        assert!((total - 1.0).abs() < 1e-9, "{total}");
    }
}
