//! Supply coupling: a park process on too thin a supply stops when its input tank runs dry and restarts
//! as the tank refills, at its restart mark.
//!
//! Salt arrives in one 30 t truck every 10 h (3 t/h); the process could turn 6 t/h of salt into caustic
//! soda, one tonne for one, in 1-h batches. Whatever its restart mark, it can make only what arrives, so it
//! stands still half the time and makes 3 t/h. Restarting as soon as a batch's salt is there, it stops and
//! starts with every truck (five batches each). Waiting for 60 t (a fifth of the 300 t tank), it restarts as
//! the second truck after a stop arrives, runs the 60 t and the 30 t of the next truck (whose salt is in the
//! tank just before the eleventh batch: it set off before that batch's predecessor began, and events due at
//! one time run in the order they were scheduled), fifteen batches in all, and stops for fifteen hours: one
//! stop per three trucks.

use super::{get, run_text};
use hazflow::experiment::RunSummary;
use hazflow::sim::Metric;

fn coupled_park(restart: &str) -> String {
    format!(
        r#"
[scenario]
name = "coupled"
horizon_days = 365
warmup_days = 35

[[commodity]]
id = "salt"
kind = "non_hazardous"

[[commodity]]
id = "caustic-soda"
kind = "non_hazardous"

[[carrier]]
id = "truck"
mode = "road"
payload_t = 30

[[external]]
id = "salt-mine"

[[park]]
id = "park"
bays = {{ road = 1 }}
truck_handling_h = 0.5

[[park.tank]]
commodity = "salt"
capacity_t = 300

[[park.tank]]
commodity = "caustic-soda"
capacity_t = 1000000

[[park.process]]
id = "electrolysis"
output = "caustic-soda"
t_per_year = 52560 # 6 t/h
batch_t = 6
inputs = {{ salt = 1.0 }}
{restart}

[[link]]
id = "road"
mode = "road"
from = "salt-mine"
to = "park"
length_km = 10
travel_h = 1.0

[[flow]]
id = "salt-in"
commodity = "salt"
origin = "salt-mine"
destination = "park"
t_per_year = 26280 # one 30 t truck every 10 h
arrivals = {{ pattern = "regular" }}
split = {{ road = 1.0 }}
"#
    )
}

/// The process's figures over the observed 365 days: stops, the share of the time it stood still, and
/// its output against the salt delivered.
fn figures(s: &RunSummary) -> (f64, f64, f64) {
    let process = "park/electrolysis";
    let stops = get(s, Metric::Stops, process, "").mean();
    let down = get(s, Metric::DowntimeHours, process, "").mean() / (365.0 * 24.0);
    let made = get(s, Metric::ProducedT, process, "").mean();
    let delivered = get(s, Metric::FlowDeliveredT, "salt-in", "").mean();
    (stops, down, made / delivered)
}

#[test]
fn a_starved_process_stops_and_restarts_as_its_input_tank_refills() {
    let eager = run_text("coupled-eager", &coupled_park(""), 2);
    let hysteresis = run_text(
        "coupled-hysteresis",
        &coupled_park("restart_inputs_above = 0.2"),
        2,
    );
    let trucks_per_year = 365.0 * 24.0 / 10.0;
    for (name, s) in [("eager", &eager), ("hysteresis", &hysteresis)] {
        let (stops, down, made_per_delivered) = figures(s);
        println!(
            "{name}: {stops} stops, down {down:.4} of the time, made/delivered {made_per_delivered:.4}"
        );
        // Half the time still, within a day of the year; all the salt made into product, within the tank.
        assert!((down - 0.5).abs() < 24.0 / 8760.0, "{name}: down {down}");
        assert!(
            (made_per_delivered - 1.0).abs() < 300.0 / 26280.0,
            "{name}: {made_per_delivered}"
        );
    }
    let (eager_stops, ..) = figures(&eager);
    let (hysteresis_stops, ..) = figures(&hysteresis);
    assert!(
        (eager_stops - trucks_per_year).abs() <= 2.0,
        "{eager_stops} stops vs {trucks_per_year} trucks"
    );
    assert!(
        (hysteresis_stops - trucks_per_year / 3.0).abs() <= 2.0,
        "{hysteresis_stops} stops vs {} (every third truck)",
        trucks_per_year / 3.0
    );
}
