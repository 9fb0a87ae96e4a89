//! Finite waiting space at the bays: the trucks beyond it on the road against the M/M/1 queue's exact
//! distribution, and a blocking yard that never holds more than its space and backs trucks up onto the
//! bays they loaded at.

use super::{get, run_text};
use hazflow::experiment::RunSummary;
use hazflow::sim::Metric;

/// Trucks from `works` (loading in `loading_h` at its bays) to `sink` (one bay, exponential 1 h), Poisson
/// at `trucks_per_h`, with `yard` as the sink's `truck_yard`.
fn two_sites(yard: &str, trucks_per_h: f64, loading: &str) -> String {
    let t_per_year = trucks_per_h * 30.0 * 8760.0;
    format!(
        r#"
[scenario]
name = "yard"
horizon_days = 730
warmup_days = 30

[[commodity]]
id = "goods"
kind = "non_hazardous"

[[carrier]]
id = "truck"
mode = "road"
payload_t = 30

{loading}

[[park]]
id = "sink"
bays = {{ road = 1 }}
truck_handling_h = {{ dist = "exponential", mean = 1.0 }}
truck_yard = {yard}

[[link]]
id = "road"
mode = "road"
from = "works"
to = "sink"
length_km = 10
travel_h = 1.0

[[flow]]
id = "trucks"
commodity = "goods"
origin = "works"
destination = "sink"
t_per_year = {t_per_year}
split = {{ road = 1.0 }}
"#
    )
}

const OUTSIDE: &str = "[[external]]\nid = \"works\"";

fn sink(s: &RunSummary, metric: Metric) -> f64 {
    get(s, metric, "sink/road-bays", "").mean()
}

/// One bay at utilisation 0.7 with room for 3 waiting: the mean number beyond the yard is
/// `E[(N - 4)+] = rho^5 / (1 - rho)` = 0.560 trucks. The 99.9 % interval fails a correct model with
/// probability 0.001.
#[test]
fn trucks_beyond_the_yard_match_the_mm1_queue() {
    let s = run_text(
        "yard-road",
        &two_sites("{ waiting_space = 3 }", 0.7, OUTSIDE),
        48,
    );
    let hours = 730.0 * 24.0;
    let beyond = get(&s, Metric::OverflowVehicleHours, "sink/road-bays", "");
    let (mean, half_width) = (beyond.mean() / hours, beyond.half_width(0.999) / hours);
    let theory = 0.7f64.powi(5) / 0.3;
    println!("trucks beyond the yard: {mean} +- {half_width} (M/M/1: {theory})");
    assert!(
        (mean - theory).abs() <= half_width,
        "{mean} +- {half_width} vs {theory}"
    );
    assert!(half_width < 0.1 * theory);
}

/// A blocking yard of 2 never has more than 2 trucks queuing, where an open one has many more; trucks
/// held back wait at their origin, or at the bay they loaded at, which stays busy meanwhile.
#[test]
fn a_blocking_yard_holds_trucks_back_at_their_bays() {
    let open = run_text(
        "yard-open",
        &two_sites("{ waiting_space = 2 }", 0.9, OUTSIDE),
        4,
    );
    let blocking = run_text(
        "yard-block",
        &two_sites("{ waiting_space = 2, overflow = \"block\" }", 0.9, OUTSIDE),
        4,
    );
    assert!(get(&blocking, Metric::QueueMax, "sink/road-bays", "").max() <= 2.0);
    assert!(sink(&open, Metric::QueueMax) > 4.0);
    assert!(sink(&blocking, Metric::BlockedVehicleHours) > 0.0);
    assert_eq!(sink(&open, Metric::BlockedVehicleHours), 0.0);
    assert!(sink(&open, Metric::OverflowVehicleHours) > 0.0);
    // From a park's bays: held trucks keep their bay, so the loading bays are busier than their
    // 0.9 x 0.2 h of loading alone.
    let works = "[[park]]\nid = \"works\"\nbays = { road = 2 }\ntruck_handling_h = 0.2";
    let loading = |yard: &str, name: &str| {
        let s = run_text(name, &two_sites(yard, 0.9, works), 4);
        let utilisation = get(&s, Metric::Utilisation, "works/road-bays", "").mean();
        (s, utilisation)
    };
    let (_, free) = loading("{ waiting_space = 2 }", "yard-works-open");
    let (held, busy) = loading(
        "{ waiting_space = 2, overflow = \"block\" }",
        "yard-works-block",
    );
    println!("works bays busy: {free} with an open yard, {busy} blocking");
    assert!((free - 0.9 * 0.2 / 2.0).abs() < 0.01, "{free}");
    assert!(busy > free + 0.05, "{busy} vs {free}");
    assert!(get(&held, Metric::QueueMax, "sink/road-bays", "").max() <= 2.0);
}
