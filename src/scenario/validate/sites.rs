//! Checks of the goods and the sites that hold them: commodities, carriers, parks with their tanks,
//! docks with their berths, locks with their lines, and terminals.

use std::collections::{BTreeMap, BTreeSet};

use super::super::check::Check;
use super::super::facilities::{Dock, Overflow, Park, TruckYard};
use super::super::types::Scenario;
use super::serde_key;
use crate::field_path;
use crate::scenario::DistField;

/// Checks the commodities' densities and the carriers' payloads, tares, classes and speeds.
pub(super) fn check_commodities_and_carriers(c: &mut Check, s: &Scenario) {
    for (i, x) in s.commodity.iter().enumerate() {
        c.positive(
            field_path!["commodity", i, "density_t_per_m3"],
            x.density_t_per_m3.value,
        );
    }
    for (i, x) in s.carrier.iter().enumerate() {
        c.positive(field_path!["carrier", i, "payload_t"], x.payload_t.value);
        c.non_negative(field_path!["carrier", i, "tare_t"], x.tare_t.value);
        if let Some(v) = &x.vessel_class_t {
            c.positive(field_path!["carrier", i, "vessel_class_t"], v.value);
        }
        if let Some(v) = &x.speed_km_per_h {
            c.positive(field_path!["carrier", i, "speed_km_per_h"], v.value);
        }
    }
}

/// A yard needs truck bays to queue for; a blocking yard needs a place, or nothing could ever set off.
fn check_truck_yard(
    c: &mut Check,
    kind: &'static str,
    i: usize,
    yard: &Option<TruckYard>,
    road_bays: u32,
) {
    let Some(yard) = yard else {
        return;
    };
    if road_bays == 0 {
        c.error(
            field_path![kind, i, "truck_yard"],
            "a truck yard needs truck bays for its trucks to queue for",
        );
    }
    if yard.overflow == Overflow::Block && yard.waiting_space.value == 0 {
        c.error(
            field_path![kind, i, "truck_yard", "waiting_space"],
            "a blocking yard needs at least one place: with none, no truck bound here could ever set off",
        );
    }
}

/// Checks every park: its handling times and hours, its tank groups, and the producers and consumers
/// that fill and draw from them.
pub(super) fn check_parks(c: &mut Check, s: &Scenario, commodities: &BTreeSet<&str>) {
    for (i, p) in s.park.iter().enumerate() {
        check_truck_yard(c, "park", i, &p.truck_yard, p.bays.road);
        c.dist(
            field_path!["park", i, "truck_handling_h"],
            &p.truck_handling_h,
            true,
        );
        c.dist(
            field_path!["park", i, "wagon_handling_h"],
            &p.wagon_handling_h,
            true,
        );
        c.daily_window(
            field_path!["park", i, "operating_hours"],
            &p.operating_hours,
        );
        check_handling_by_commodity(
            c,
            ("park", i),
            [
                &p.truck_handling_h_by_commodity,
                &p.wagon_handling_h_by_commodity,
            ],
            commodities,
        );
        c.shifts(
            field_path!["park", i, "shifts"],
            &p.shifts,
            p.bays.road,
            p.bays.rail,
            &[],
        );
        c.disruptions(field_path!["park", i, "disruptions"], &p.disruptions);
        let tanks = check_park_tanks(c, i, p, commodities);
        check_park_rates(c, i, p, &tanks);
        check_park_processes(c, i, p, &tanks);
    }
}

/// Checks the tank groups of park `i`; returns the commodities it has tanks for.
fn check_park_tanks<'s>(
    c: &mut Check,
    i: usize,
    p: &'s Park,
    commodities: &BTreeSet<&str>,
) -> BTreeSet<&'s str> {
    let mut tanks = BTreeSet::new();
    for (j, t) in p.tank.iter().enumerate() {
        if !commodities.contains(t.commodity.as_str()) {
            c.error(
                field_path!["park", i, "tank", j, "commodity"],
                format!("unknown commodity \"{}\"", t.commodity),
            );
        }
        if !tanks.insert(t.commodity.as_str()) {
            c.error(
                field_path!["park", i, "tank", j, "commodity"],
                format!("a second tank group for \"{}\" (merge them)", t.commodity),
            );
        }
        c.positive(
            field_path!["park", i, "tank", j, "capacity_t"],
            t.capacity_t.value,
        );
        c.non_negative(
            field_path!["park", i, "tank", j, "initial_t"],
            t.initial_t.value,
        );
        if t.initial_t.value > t.capacity_t.value {
            c.error(
                field_path!["park", i, "tank", j, "initial_t"],
                format!(
                    "initial level {} t exceeds the capacity {} t",
                    t.initial_t.value, t.capacity_t.value
                ),
            );
        }
        if t.count == 0 {
            c.error(
                field_path!["park", i, "tank", j, "count"],
                "expected at least 1 tank",
            );
        }
    }
    tanks
}

/// Checks the processes of park `i`: unique ids, tanks for their product and inputs, positive rates and
/// input ratios, something to draw on, and restart marks that are fractions.
fn check_park_processes(c: &mut Check, i: usize, p: &Park, tanks: &BTreeSet<&str>) {
    let mut ids = BTreeSet::new();
    for (j, x) in p.process.iter().enumerate() {
        if !ids.insert(x.id.as_str()) {
            c.error(
                field_path!["park", i, "process", j, "id"],
                format!("duplicate process id \"{}\"", x.id),
            );
        }
        if let Some(output) = &x.output
            && !tanks.contains(output.as_str())
        {
            c.error(
                field_path!["park", i, "process", j, "output"],
                format!("the park has no tank for \"{output}\" to fill"),
            );
        }
        if x.inputs.is_empty() {
            c.error(
                field_path!["park", i, "process", j, "inputs"],
                "a process needs at least one input (a plant with none is a `[[park.producer]]`)",
            );
        }
        for (commodity, per_t) in &x.inputs {
            let at = field_path!["park", i, "process", j, "inputs", commodity.as_str()];
            if !tanks.contains(commodity.as_str()) {
                c.error(
                    at.clone(),
                    format!("the park has no tank for \"{commodity}\" to draw from"),
                );
            }
            c.positive(at, per_t.value);
        }
        c.positive(
            field_path!["park", i, "process", j, "t_per_year"],
            x.t_per_year.value,
        );
        if let Some(b) = &x.batch_t {
            c.positive(field_path!["park", i, "process", j, "batch_t"], b.value);
        }
        for (name, fraction) in [
            ("restart_inputs_above", &x.restart_inputs_above),
            ("restart_output_below", &x.restart_output_below),
        ] {
            if let Some(f) = fraction
                && !(0.0..=1.0).contains(&f.value)
            {
                c.error(
                    field_path!["park", i, "process", j, name],
                    format!(
                        "expected a fraction of the tank from 0 to 1, got {}",
                        f.value
                    ),
                );
            }
        }
    }
}

/// Checks the producers and consumers of park `i` against the commodities it has `tanks` for.
fn check_park_rates(c: &mut Check, i: usize, p: &Park, tanks: &BTreeSet<&str>) {
    for (table, rates) in [("producer", &p.producer), ("consumer", &p.consumer)] {
        for (j, r) in rates.iter().enumerate() {
            if !tanks.contains(r.commodity.as_str()) {
                c.error(
                    field_path!["park", i, table, j, "commodity"],
                    format!(
                        "the park has no tank for \"{}\" to {}",
                        r.commodity,
                        if table == "producer" {
                            "fill"
                        } else {
                            "draw from"
                        }
                    ),
                );
            }
            c.positive(
                field_path!["park", i, table, j, "t_per_year"],
                r.t_per_year.value,
            );
            if let Some(b) = &r.batch_t {
                c.positive(field_path!["park", i, table, j, "batch_t"], b.value);
                let capacity = p
                    .tank
                    .iter()
                    .find(|t| t.commodity == r.commodity)
                    .map(|t| t.capacity_t.value);
                if let Some(cap) = capacity
                    && b.value > cap
                {
                    c.error(
                        field_path!["park", i, table, j, "batch_t"],
                        format!("a batch of {} t cannot fit in the {cap} t tank", b.value),
                    );
                }
            }
        }
    }
}

/// Checks every dock: its berth groups, handling rates, storage, land access, and hours.
pub(super) fn check_docks(c: &mut Check, s: &Scenario, commodities: &BTreeSet<&str>) {
    for (i, d) in s.dock.iter().enumerate() {
        check_truck_yard(c, "dock", i, &d.truck_yard, d.truck_bays);
        check_dock_berths(c, i, d);
        if d.handling_t_per_h.is_empty() {
            c.error(
                field_path!["dock", i, "handling_t_per_h"],
                "give at least one handling rate, e.g. { liquid_bulk = 300 }",
            );
        }
        for (group, rate) in &d.handling_t_per_h {
            c.positive(
                field_path!["dock", i, "handling_t_per_h", serde_key(group)],
                rate.value,
            );
        }
        c.positive(field_path!["dock", i, "storage_t"], d.storage_t.value);
        if d.truck_bays == 0 && d.rail_tracks == 0 {
            c.error(
                field_path!["dock", i, "truck_bays"],
                "a dock needs a truck gate or a rail siding to reach land",
            );
        }
        c.dist(
            field_path!["dock", i, "truck_handling_h"],
            &d.truck_handling_h,
            true,
        );
        c.dist(
            field_path!["dock", i, "wagon_handling_h"],
            &d.wagon_handling_h,
            true,
        );
        c.daily_window(
            field_path!["dock", i, "operating_hours"],
            &d.operating_hours,
        );
        let berth_counts: Vec<u32> = d.berths.iter().map(|b| b.count.value).collect();
        check_handling_by_commodity(
            c,
            ("dock", i),
            [
                &d.truck_handling_h_by_commodity,
                &d.wagon_handling_h_by_commodity,
            ],
            commodities,
        );
        c.shifts(
            field_path!["dock", i, "shifts"],
            &d.shifts,
            d.truck_bays,
            d.rail_tracks,
            &berth_counts,
        );
        c.disruptions(field_path!["dock", i, "disruptions"], &d.disruptions);
    }
}

/// Checks the berth groups of dock `i`: at least one, each with berths and a class of its own.
fn check_dock_berths(c: &mut Check, i: usize, d: &Dock) {
    if d.berths.is_empty() {
        c.error(
            field_path!["dock", i, "berths"],
            "a dock needs at least one berth group",
        );
    }
    for (j, b) in d.berths.iter().enumerate() {
        if b.count.value == 0 {
            c.error(
                field_path!["dock", i, "berths", j, "count"],
                "expected at least 1 berth",
            );
        }
        c.positive(
            field_path!["dock", i, "berths", j, "class_t"],
            b.class_t.value,
        );
        if d.berths[..j]
            .iter()
            .any(|other| other.class_t.value == b.class_t.value)
        {
            c.error(
                field_path!["dock", i, "berths", j, "class_t"],
                format!(
                    "a second berth group of class {} t: add its berths to the first group's count",
                    b.class_t.value
                ),
            );
        }
    }
}

/// Checks every terminal: its bays, storage, handling times and hours.
pub(super) fn check_terminals(c: &mut Check, s: &Scenario, commodities: &BTreeSet<&str>) {
    for (i, t) in s.terminal.iter().enumerate() {
        check_truck_yard(c, "terminal", i, &t.truck_yard, t.bays.road);
        if t.bays.road == 0 && t.bays.rail == 0 {
            c.error(
                field_path!["terminal", i, "bays"],
                "a terminal needs truck bays or rail tracks",
            );
        }
        c.positive(field_path!["terminal", i, "storage_t"], t.storage_t.value);
        c.dist(
            field_path!["terminal", i, "truck_handling_h"],
            &t.truck_handling_h,
            true,
        );
        c.dist(
            field_path!["terminal", i, "wagon_handling_h"],
            &t.wagon_handling_h,
            true,
        );
        c.daily_window(
            field_path!["terminal", i, "operating_hours"],
            &t.operating_hours,
        );
        check_handling_by_commodity(
            c,
            ("terminal", i),
            [
                &t.truck_handling_h_by_commodity,
                &t.wagon_handling_h_by_commodity,
            ],
            commodities,
        );
        c.shifts(
            field_path!["terminal", i, "shifts"],
            &t.shifts,
            t.bays.road,
            t.bays.rail,
            &[],
        );
        c.disruptions(field_path!["terminal", i, "disruptions"], &t.disruptions);
    }
}

/// Checks a site's handling times by commodity (trucks, then wagons): known commodities and durations.
fn check_handling_by_commodity(
    c: &mut Check,
    (kind, i): (&str, usize),
    [trucks, wagons]: [&BTreeMap<String, DistField>; 2],
    commodities: &BTreeSet<&str>,
) {
    for (field, map) in [
        ("truck_handling_h_by_commodity", trucks),
        ("wagon_handling_h_by_commodity", wagons),
    ] {
        for (commodity, dist) in map {
            let path = field_path![kind, i, field, commodity.as_str()];
            if !commodities.contains(commodity.as_str()) {
                c.error(path, format!("unknown commodity \"{commodity}\""));
            } else {
                c.dist(path, dist, true);
            }
        }
    }
}
