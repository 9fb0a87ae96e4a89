//! Lock operating rules in deterministic cases whose waits follow by hand from the published rules:
//! joining until levelling, the clustering window, a minimum batch, turning round ahead, chambers packed by
//! size, and levelling by direction.
//!
//! Every day barge A reaches the lock at 01:30 and barge B at 01:42 (or later), both from upstream, on
//! links with fixed times; the lockage parts are constants (entry 0.1 h, doors 0.2 h, levelling 0.5 h, exit
//! 0.1 h). After a day's lockage the single chamber is left downstream, so each day starts the same way.

use super::{get, run_text};
use hazflow::experiment::RunSummary;
use hazflow::sim::{Metric, WaitCause};

/// The case: `lock_rules` go in the `[[lock]]` table, `line` in its `[[lock.line]]`, B reaches the
/// junction `b_to_junction_h` after leaving (A: 1.0 h; both then take 0.5 h to the lock), and without
/// `with_b` only A sails.
fn lock_case(lock_rules: &str, line: &str, b_to_junction_h: f64, with_b: bool) -> String {
    let flow_b = if with_b {
        "[[flow]]\nid = \"b\"\ncommodity = \"goods\"\norigin = \"source-b\"\ndestination = \"port\"\n\
         t_per_year = 365000\nshipment_t = 1000\narrivals = { pattern = \"regular\" }\nsplit = { water = 1.0 }\n"
    } else {
        ""
    };
    format!(
        r#"
[scenario]
name = "lock-rules"
horizon_days = 10

[[commodity]]
id = "goods"
kind = "non_hazardous"

[[carrier]]
id = "barge"
mode = "water"
payload_t = 1000
returns_empty = false
length_m = 60
beam_m = 11

[[external]]
id = "source-a"

[[external]]
id = "source-b"

[[junction]]
id = "junction"

[[external]]
id = "port"

[[lock]]
id = "lock"
upstream = "junction"
{lock_rules}

[[lock.line]]
id = "line"
max_vessels = 2
entry_h = 0.1
doors_h = 0.2
exit_h = 0.1
{line}

[[link]]
id = "w-a"
mode = "water"
from = "source-a"
to = "junction"
length_km = 10
travel_h = 1.0

[[link]]
id = "w-b"
mode = "water"
from = "source-b"
to = "junction"
length_km = 12
travel_h = {b_to_junction_h}

[[link]]
id = "w-in"
mode = "water"
from = "junction"
to = "lock"
length_km = 5
travel_h = 0.5

[[link]]
id = "w-out"
mode = "water"
from = "lock"
to = "port"
length_km = 5
travel_h = 0.5

[[flow]]
id = "a"
commodity = "goods"
origin = "source-a"
destination = "port"
t_per_year = 365000
shipment_t = 1000
arrivals = {{ pattern = "regular" }}
split = {{ water = 1.0 }}

{flow_b}"#
    )
}

/// Tonnage chamber with one levelling time and an instant empty turn-round.
const TONNAGE: &str = "chamber_capacity_t = 2000\nlevelling_h = 0.5\nempty_cycle_h = 0";

fn lock_wait(s: &RunSummary) -> f64 {
    get(s, Metric::WaitHoursMean, "lock", WaitCause::Total.name()).mean()
}

fn transit(s: &RunSummary, flow: &str) -> f64 {
    get(s, Metric::TransitHoursMean, flow, "").mean()
}

fn assert_close(what: &str, got: f64, expected: f64) {
    assert!(
        (got - expected).abs() < 1e-6,
        "{what}: {got}, by hand {expected}"
    );
}

/// A's lockage starts on arrival at 1.5 h: A enters until 1.6, the doors close until 1.8. B arrives at
/// 1.7, while they close. Under `at_start` B waits for the lockage (1.1 h, to 2.6) and the instant turn
/// round: 0.9 h. Under `until_levelling` it enters after A (1.7-1.8), the doors close again (to 2.0),
/// levelling, doors and two exits end at 2.9: neither waits, both reach the port at 3.4 h.
#[test]
fn a_vessel_arriving_while_the_doors_close_joins_only_until_levelling() {
    let at_start = run_text("lock-at-start", &lock_case("", TONNAGE, 1.2, true), 2);
    let joining = run_text(
        "lock-join",
        &lock_case("join = \"until_levelling\"", TONNAGE, 1.2, true),
        2,
    );
    assert_close(
        "at_start mean wait",
        lock_wait(&at_start),
        (0.0 + 0.9) / 2.0,
    );
    assert_close("at_start transit of A", transit(&at_start, "a"), 3.1);
    assert_close("at_start transit of B", transit(&at_start, "b"), 4.2);
    assert_close("until_levelling mean wait", lock_wait(&joining), 0.0);
    assert_close("until_levelling transit of A", transit(&joining, "a"), 3.4);
    assert_close("until_levelling transit of B", transit(&joining, "b"), 3.4);
    // B arriving at 1.9, after levelling began at 1.8, waits for the chamber's return at 2.6 either way.
    let late = run_text(
        "lock-join-late",
        &lock_case("join = \"until_levelling\"", TONNAGE, 1.4, true),
        2,
    );
    assert_close("late B mean wait", lock_wait(&late), (0.0 + 0.7) / 2.0);
}

/// With a 30-minute window the lockage A would start at 1.5 h waits for B, on its way since 1.2 and due at
/// 1.7, which fits: A waits 0.2 h, B none. A 6-minute window ends at 1.6, before B is due: no hold. A
/// chamber too short for two 60 m barges (100 m x 12 m) does not wait for one that would not fit; a
/// 130 m one does.
#[test]
fn the_clustering_window_holds_a_lockage_for_a_vessel_on_its_way() {
    let window = |minutes: f64, line: &str, name: &str| {
        let rules = format!("clustering_window_min = {minutes}");
        lock_wait(&run_text(name, &lock_case(&rules, line, 1.2, true), 2))
    };
    assert_close(
        "30-minute window",
        window(30.0, TONNAGE, "lock-w30"),
        0.2 / 2.0,
    );
    assert_close(
        "6-minute window",
        window(6.0, TONNAGE, "lock-w6"),
        0.9 / 2.0,
    );
    let sized = |length_m: f64| {
        format!(
            "chamber_length_m = {length_m}\nchamber_width_m = 12\nlevelling_h = 0.5\nempty_cycle_h = 0"
        )
    };
    assert_close(
        "short chamber",
        window(30.0, &sized(100.0), "lock-short"),
        0.9 / 2.0,
    );
    assert_close(
        "long chamber",
        window(30.0, &sized(130.0), "lock-long"),
        0.2 / 2.0,
    );
}

/// Alone, with `min_vessels = 2` and a 60-minute window, A waits the whole window every day.
#[test]
fn a_minimum_batch_waits_out_its_window() {
    let line = format!("{TONNAGE}\nmin_vessels = 2");
    let alone = run_text(
        "lock-min2",
        &lock_case("clustering_window_min = 60", &line, 1.2, false),
        2,
    );
    assert_close("lone vessel's wait", lock_wait(&alone), 1.0);
}

/// The chamber is left downstream every day and turns round in 0.9 h (the default empty cycle: two door
/// operations and levelling). Turned round when A arrives (1.5 h), it is back at 2.4: A waits 0.9 h, B
/// 0.7. Turned round when A sets off on the link into the lock (1.0 h), it is back at 1.9: A waits 0.4, B
/// 0.2.
#[test]
fn turning_round_ahead_of_a_known_arrival_cuts_the_wait() {
    let line = "chamber_capacity_t = 2000\nlevelling_h = 0.5";
    let on_arrival = run_text("lock-turn", &lock_case("", line, 1.2, true), 2);
    let ahead = run_text(
        "lock-turn-ahead",
        &lock_case("turn_round_ahead = true", line, 1.2, true),
        2,
    );
    assert_close("turn on arrival", lock_wait(&on_arrival), (0.9 + 0.7) / 2.0);
    assert_close("turn ahead", lock_wait(&ahead), (0.4 + 0.2) / 2.0);
}

/// Levelling by direction: the loaded lockage leaves the upstream side (emptying the chamber), so B's wait
/// behind A's lockage is 0.1 + 0.2 + down + 0.2 + 0.1 - 0.2 h: 0.7 h with 0.3 h down, 0.9 h with 0.5 h.
#[test]
fn levelling_time_follows_the_direction() {
    let wait = |down: f64, up: f64, name: &str| {
        let line = format!(
            "chamber_capacity_t = 2000\nlevelling_down_h = {down}\nlevelling_up_h = {up}\nempty_cycle_h = 0"
        );
        lock_wait(&run_text(name, &lock_case("", &line, 1.2, true), 2))
    };
    assert_close("down 0.3 h", wait(0.3, 0.5, "lock-down-fast"), 0.7 / 2.0);
    assert_close("down 0.5 h", wait(0.5, 0.3, "lock-down-slow"), 0.9 / 2.0);
}
