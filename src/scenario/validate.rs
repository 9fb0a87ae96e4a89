//! Semantic checks of a parsed scenario: unique ids, references, positive capacities, valid distributions,
//! known assumptions. Every problem is reported with its location; all problems are collected.

use std::collections::{BTreeMap, BTreeSet};

use super::check::{Check, check_sources, parse_chain};
use super::error::Diagnostic;
use super::flows::*;
use super::load::Document;
use super::types::*;
use crate::field_path;

/// Checks a scenario; returns every problem found.
pub(crate) fn validate(s: &Scenario, doc: &Document) -> Vec<Diagnostic> {
    let mut c = Check::new(doc);
    let h = &s.scenario;
    c.positive(
        field_path!["scenario", "horizon_days"],
        h.horizon_days.value,
    );
    c.non_negative(field_path!["scenario", "warmup_days"], h.warmup_days.value);
    if !(1.0..367.0).contains(&h.start_day_of_year) {
        c.error(
            field_path!["scenario", "start_day_of_year"],
            "expected a day of the year in 1..=366",
        );
    }
    if h.replications == 0 {
        c.error(
            field_path!["scenario", "replications"],
            "expected at least 1 replication",
        );
    }

    let mut assumptions = BTreeSet::new();
    c.unique(
        &mut assumptions,
        "assumption",
        s.assumption.iter().map(|a| a.id.as_str()),
    );
    let mut commodities = BTreeSet::new();
    c.unique(
        &mut commodities,
        "commodity",
        s.commodity.iter().map(|x| x.id.as_str()),
    );
    let mut carriers = BTreeSet::new();
    c.unique(
        &mut carriers,
        "carrier",
        s.carrier.iter().map(|x| x.id.as_str()),
    );
    let mut nodes = BTreeSet::new();
    c.unique(&mut nodes, "park", s.park.iter().map(|x| x.id.as_str()));
    c.unique(&mut nodes, "dock", s.dock.iter().map(|x| x.id.as_str()));
    c.unique(&mut nodes, "lock", s.lock.iter().map(|x| x.id.as_str()));
    c.unique(
        &mut nodes,
        "terminal",
        s.terminal.iter().map(|x| x.id.as_str()),
    );
    c.unique(
        &mut nodes,
        "junction",
        s.junction.iter().map(|x| x.id.as_str()),
    );
    c.unique(
        &mut nodes,
        "external",
        s.external.iter().map(|x| x.id.as_str()),
    );
    let mut parkings = BTreeSet::new();
    c.unique(
        &mut parkings,
        "parking",
        s.parking.iter().map(|x| x.id.as_str()),
    );
    let mut links = BTreeSet::new();
    c.unique(&mut links, "link", s.link.iter().map(|x| x.id.as_str()));
    let mut flows = BTreeSet::new();
    c.unique(&mut flows, "flow", s.flow.iter().map(|x| x.id.as_str()));

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

    for (i, p) in s.park.iter().enumerate() {
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
        c.disruptions(field_path!["park", i, "disruptions"], &p.disruptions);
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

    for (i, d) in s.dock.iter().enumerate() {
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
                    format!("a second berth group of class {} t: add its berths to the first group's count", b.class_t.value),
                );
            }
        }
        if d.handling_t_per_h.is_empty() {
            c.error(
                field_path!["dock", i, "handling_t_per_h"],
                "give at least one handling rate, e.g. { liquid_bulk = 300 }",
            );
        }
        for (group, rate) in &d.handling_t_per_h {
            let key = serde_json::to_value(group)
                .ok()
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default();
            c.positive(field_path!["dock", i, "handling_t_per_h", key], rate.value);
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
        c.disruptions(field_path!["dock", i, "disruptions"], &d.disruptions);
    }

    for (i, l) in s.lock.iter().enumerate() {
        if !nodes.contains(l.upstream.as_str()) {
            c.error(
                field_path!["lock", i, "upstream"],
                format!("unknown node \"{}\"", l.upstream),
            );
        }
        if l.line.is_empty() {
            c.error(
                field_path!["lock", i, "line"],
                "a lock needs at least one [[lock.line]]",
            );
        }
        let mut line_ids = BTreeSet::new();
        for (j, line) in l.line.iter().enumerate() {
            if !line_ids.insert(line.id.as_str()) {
                c.error(
                    field_path!["lock", i, "line", j, "id"],
                    format!("duplicate line id \"{}\"", line.id),
                );
            }
            c.positive(
                field_path!["lock", i, "line", j, "chamber_capacity_t"],
                line.chamber_capacity_t.value,
            );
            if line.max_vessels.value == 0 {
                c.error(
                    field_path!["lock", i, "line", j, "max_vessels"],
                    "expected at least 1 vessel per lockage",
                );
            }
            let parts = [
                ("doors_h", &line.doors_h),
                ("levelling_h", &line.levelling_h),
                ("entry_h", &line.entry_h),
                ("exit_h", &line.exit_h),
            ];
            match &line.cycle_h {
                Some(cycle) => {
                    c.dist(field_path!["lock", i, "line", j, "cycle_h"], cycle, true);
                    if let Some((name, _)) = parts.iter().find(|(_, p)| p.is_some()) {
                        c.error(
                            field_path!["lock", i, "line", j, *name],
                            "give either `cycle_h` or the parts of a lockage (doors_h, levelling_h, entry_h, exit_h), not both",
                        );
                    }
                }
                None => {
                    if line.levelling_h.is_none() {
                        c.error(
                            field_path!["lock", i, "line", j],
                            "a lock line needs `cycle_h`, or `levelling_h` (with doors_h, entry_h and exit_h)",
                        );
                    }
                    for (name, part) in parts {
                        if let Some(d) = part {
                            c.dist(field_path!["lock", i, "line", j, name], d, false);
                        }
                    }
                }
            }
            if let Some(e) = &line.empty_cycle_h {
                c.dist(field_path!["lock", i, "line", j, "empty_cycle_h"], e, true);
            }
            c.disruptions(
                field_path!["lock", i, "line", j, "disruptions"],
                &line.disruptions,
            );
        }
        c.daily_window(
            field_path!["lock", i, "operating_hours"],
            &l.operating_hours,
        );
    }

    for (i, t) in s.terminal.iter().enumerate() {
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
        c.disruptions(field_path!["terminal", i, "disruptions"], &t.disruptions);
    }

    for (i, p) in s.parking.iter().enumerate() {
        for (j, node) in p.serves.iter().enumerate() {
            if !nodes.contains(node.as_str()) {
                c.error(
                    field_path!["parking", i, "serves", j],
                    format!("unknown node \"{node}\""),
                );
            }
        }
    }

    for (i, l) in s.link.iter().enumerate() {
        for key in ["from", "to"] {
            let node = if key == "from" { &l.from } else { &l.to };
            if !nodes.contains(node.as_str()) {
                c.error(
                    field_path!["link", i, key],
                    format!("unknown node \"{node}\""),
                );
            }
        }
        if l.from == l.to {
            c.error(
                field_path!["link", i, "to"],
                "a link must join two different nodes",
            );
        }
        c.positive(field_path!["link", i, "length_km"], l.length_km.value);
        if let Some(v) = &l.in_area_km {
            c.non_negative(field_path!["link", i, "in_area_km"], v.value);
        }
        for (k, w) in l.waypoints.iter().enumerate() {
            if !((-180.0..=180.0).contains(&w.lon) && (-90.0..=90.0).contains(&w.lat)) {
                c.error(
                    field_path!["link", i, "waypoints", k],
                    format!(
                        "expected longitude and latitude in degrees, got ({}, {})",
                        w.lon, w.lat
                    ),
                );
            }
        }
        if let Some(t) = &l.travel_h {
            c.dist(field_path!["link", i, "travel_h"], t, true);
        }
        if let Some(p) = &l.paths_per_day {
            c.positive(field_path!["link", i, "paths_per_day"], p.value);
        }
        if let Some(v) = &l.max_vessel_class_t {
            c.positive(field_path!["link", i, "max_vessel_class_t"], v.value);
        }
        let wrong_mode = |field: &str| {
            format!(
                "`{field}` applies to {} links only",
                match field {
                    "paths_per_day" => "rail",
                    "max_vessel_class_t" => "water",
                    _ => "road",
                }
            )
        };
        if l.mode != Mode::Rail && l.paths_per_day.is_some() {
            c.error(
                field_path!["link", i, "paths_per_day"],
                wrong_mode("paths_per_day"),
            );
        }
        if l.mode != Mode::Water && l.max_vessel_class_t.is_some() {
            c.error(
                field_path!["link", i, "max_vessel_class_t"],
                wrong_mode("max_vessel_class_t"),
            );
        }
        if l.mode != Mode::Road && (l.road_type.is_some() || !l.hazmat_ban_hours.is_empty()) {
            c.error(field_path!["link", i, "road_type"], wrong_mode("road_type"));
        }
        for (j, [from, to]) in l.hazmat_ban_hours.iter().enumerate() {
            if !(0.0..=24.0).contains(from) || !(0.0..=24.0).contains(to) || from >= to {
                c.error(
                    field_path!["link", i, "hazmat_ban_hours", j],
                    format!(
                        "expected [from, to] hours with 0 <= from < to <= 24, got [{from}, {to}]"
                    ),
                );
            }
        }
        c.disruptions(field_path!["link", i, "disruptions"], &l.disruptions);
    }

    let carrier_modes: BTreeMap<&str, Mode> =
        s.carrier.iter().map(|x| (x.id.as_str(), x.mode)).collect();
    for (i, f) in s.flow.iter().enumerate() {
        if !commodities.contains(f.commodity.as_str()) {
            c.error(
                field_path!["flow", i, "commodity"],
                format!("unknown commodity \"{}\"", f.commodity),
            );
        }
        for key in ["origin", "destination"] {
            let node = if key == "origin" {
                &f.origin
            } else {
                &f.destination
            };
            if !nodes.contains(node.as_str()) {
                c.error(
                    field_path!["flow", i, key],
                    format!("unknown node \"{node}\""),
                );
            }
        }
        if f.origin == f.destination {
            c.error(
                field_path!["flow", i, "destination"],
                "origin and destination are the same node",
            );
        }
        c.positive(field_path!["flow", i, "t_per_year"], f.t_per_year.value);
        if let Some(x) = &f.shipment_t {
            c.positive(field_path!["flow", i, "shipment_t"], x.value);
        }
        if let Some(m) = &f.arrivals.monthly_factors
            && (m.len() != 12
                || m.iter().any(|v| !(v.is_finite() && *v >= 0.0))
                || m.iter().sum::<f64>() <= 0.0)
        {
            c.error(
                field_path!["flow", i, "arrivals", "monthly_factors"],
                "expected 12 factors >= 0, not all zero",
            );
        }
        for (mode, carrier) in &f.carriers {
            match carrier_modes.get(carrier.as_str()) {
                None => c.error(
                    field_path!["flow", i, "carriers", mode.name()],
                    format!("unknown carrier \"{carrier}\""),
                ),
                Some(m) if m != mode => c.error(
                    field_path!["flow", i, "carriers", mode.name()],
                    format!(
                        "carrier \"{carrier}\" runs on {}, not {}",
                        m.name(),
                        mode.name()
                    ),
                ),
                _ => {}
            }
        }
        match f.mode_policy {
            ModePolicy::Fixed => {
                if f.split.shares.is_empty() {
                    c.error(
                        field_path!["flow", i, "split"],
                        "a fixed mode policy needs a split, e.g. split = { road = 1.0 }",
                    );
                }
                if !f.chains.is_empty() {
                    c.error(
                        field_path!["flow", i, "chains"],
                        "`chains` is for mode_policy = \"generalised_cost\"; use `split`",
                    );
                }
                for (chain, share) in &f.split.shares {
                    if let Err(e) = parse_chain(chain) {
                        c.error(field_path!["flow", i, "split", chain.clone()], e);
                    }
                    if !(share.is_finite() && *share >= 0.0) {
                        c.error(
                            field_path!["flow", i, "split", chain.clone()],
                            format!("expected a share >= 0, got {share}"),
                        );
                    }
                }
                if !f.split.shares.is_empty() && f.split.shares.values().sum::<f64>() <= 0.0 {
                    c.error(
                        field_path!["flow", i, "split"],
                        "the shares must not all be zero",
                    );
                }
            }
            ModePolicy::GeneralisedCost => {
                if f.chains.is_empty() {
                    c.error(field_path!["flow", i, "chains"], "generalised-cost choice needs the allowed chains, e.g. [\"road\", \"water\"]");
                }
                if !f.split.shares.is_empty() {
                    c.error(
                        field_path!["flow", i, "split"],
                        "`split` is for the fixed policy; use `chains`",
                    );
                }
                for (j, chain) in f.chains.iter().enumerate() {
                    if let Err(e) = parse_chain(chain) {
                        c.error(field_path!["flow", i, "chains", j], e);
                    }
                }
            }
        }
    }

    c.positive(
        field_path!["rail", "max_train_weight_t"],
        s.rail.max_train_weight_t.value,
    );
    if s.rail.wagons_per_train.value == 0 {
        c.error(
            field_path!["rail", "wagons_per_train"],
            "expected at least 1 wagon per train",
        );
    }
    c.positive(field_path!["rail", "max_wait_h"], s.rail.max_wait_h.value);
    if let Some(every) = &s.rail.timetable_every_h {
        c.positive(field_path!["rail", "timetable_every_h"], every.value);
    }
    c.positive(field_path!["water", "max_wait_h"], s.water.max_wait_h.value);
    c.non_negative(
        field_path!["demand", "chemical_factor"],
        s.demand.chemical_factor.value,
    );
    c.non_negative(
        field_path!["demand", "background_factor"],
        s.demand.background_factor.value,
    );
    let mut zones = BTreeSet::new();
    c.unique(
        &mut zones,
        "population",
        s.population.iter().map(|z| z.id.as_str()),
    );
    for (i, z) in s.population.iter().enumerate() {
        if !(-180.0..=180.0).contains(&z.lon) || !(-90.0..=90.0).contains(&z.lat) {
            c.error(
                field_path!["population", i, "lon"],
                format!(
                    "expected longitude and latitude in degrees, got ({}, {})",
                    z.lon, z.lat
                ),
            );
        }
        c.positive(field_path!["population", i, "radius_km"], z.radius_km.value);
        c.non_negative(
            field_path!["population", i, "day_per_km2"],
            z.day_per_km2.value,
        );
        c.non_negative(
            field_path!["population", i, "night_per_km2"],
            z.night_per_km2.value,
        );
    }
    let e = &s.exposure;
    c.non_negative(
        field_path!["exposure", "background_day_per_km2"],
        e.background_day_per_km2.value,
    );
    c.non_negative(
        field_path!["exposure", "background_night_per_km2"],
        e.background_night_per_km2.value,
    );
    for (key, value) in [
        ("indoor_fraction_day", e.indoor_fraction_day.value),
        ("indoor_fraction_night", e.indoor_fraction_night.value),
    ] {
        if !(0.0..=1.0).contains(&value) {
            c.error(
                field_path!["exposure", key],
                format!("expected a fraction between 0 and 1, got {value}"),
            );
        }
    }
    if !(0.0..24.0).contains(&e.day_start_h)
        || !(0.0..=24.0).contains(&e.day_end_h)
        || e.day_start_h >= e.day_end_h
    {
        c.error(
            field_path!["exposure", "day_start_h"],
            "expected 0 <= day_start_h < day_end_h <= 24",
        );
    }
    for (road_type, speed) in &s.road.speed_km_per_h {
        let key = serde_json::to_value(road_type)
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default();
        c.positive(field_path!["road", "speed_km_per_h", key], speed.value);
    }

    super::risk_check::validate_rules(s, &mut c);

    check_sources(&mut c, &doc.root, &mut Vec::new(), &assumptions);
    c.finish()
}
