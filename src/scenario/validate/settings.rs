//! Checks of the scenario-wide settings: the rail, water, demand and road rules, the population
//! zones, and the exposure of people.

use std::collections::BTreeSet;

use super::super::check::Check;
use super::super::types::*;
use super::{is_lon_lat, serde_key};
use crate::field_path;

/// Checks the transport rules, the population zones and the exposure settings.
pub(super) fn check_settings(c: &mut Check, s: &Scenario) {
    check_transport_rules(c, s);
    check_population(c, s);
    check_exposure(c, s);
    for (road_type, speed) in &s.road.speed_km_per_h {
        c.positive(
            field_path!["road", "speed_km_per_h", serde_key(road_type)],
            speed.value,
        );
    }
}

/// Checks the `[rail]`, `[water]` and `[demand]` tables.
fn check_transport_rules(c: &mut Check, s: &Scenario) {
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
}

/// Checks the population zones: unique ids, positions, radii and densities.
fn check_population(c: &mut Check, s: &Scenario) {
    let mut zones = BTreeSet::new();
    c.unique(
        &mut zones,
        "population",
        s.population.iter().map(|z| z.id.as_str()),
    );
    for (i, z) in s.population.iter().enumerate() {
        if !is_lon_lat(z.lon, z.lat) {
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
}

/// Checks the `[exposure]` table: background densities, indoor fractions and the day's hours.
fn check_exposure(c: &mut Check, s: &Scenario) {
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
}
