//! Checks of the network and of what moves over it: parkings, links, and flows with their carriers
//! and mode choice.

use std::collections::{BTreeMap, BTreeSet};

use super::super::check::{Check, parse_chain};
use super::super::facilities::Link;
use super::super::flows::*;
use super::super::types::*;
use super::{DeclaredIds, is_lon_lat};
use crate::field_path;

/// Checks that every parking serves known nodes.
pub(super) fn check_parkings(c: &mut Check, s: &Scenario, nodes: &BTreeSet<&str>) {
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
}

/// Checks every link: its ends, length, waypoints, travel time, and the fields of its mode only.
pub(super) fn check_links(c: &mut Check, s: &Scenario, nodes: &BTreeSet<&str>) {
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
            if !is_lon_lat(w.lon, w.lat) {
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
        check_link_mode_fields(c, i, l);
        c.disruptions(field_path!["link", i, "disruptions"], &l.disruptions);
    }
}

/// Checks that link `i` sets only the fields of its own mode, and that its hazmat ban hours are
/// periods within a day.
fn check_link_mode_fields(c: &mut Check, i: usize, l: &Link) {
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
                format!("expected [from, to] hours with 0 <= from < to <= 24, got [{from}, {to}]"),
            );
        }
    }
}

/// Checks every flow: its commodity and ends, its volumes and seasonality, its carriers, and its
/// mode policy.
pub(super) fn check_flows(c: &mut Check, s: &Scenario, ids: &DeclaredIds) {
    let carrier_modes: BTreeMap<&str, Mode> =
        s.carrier.iter().map(|x| (x.id.as_str(), x.mode)).collect();
    for (i, f) in s.flow.iter().enumerate() {
        if !ids.commodities.contains(f.commodity.as_str()) {
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
            if !ids.nodes.contains(node.as_str()) {
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
        for (key, factors, len, expected) in [
            (
                "monthly_factors",
                &f.arrivals.monthly_factors,
                12,
                "expected 12 factors >= 0, not all zero",
            ),
            (
                "hourly_factors",
                &f.arrivals.hourly_factors,
                24,
                "expected 24 factors >= 0 (00:00-01:00 first), not all zero",
            ),
        ] {
            if factors.as_ref().is_some_and(|v| !is_rate_profile(v, len)) {
                c.error(field_path!["flow", i, "arrivals", key], expected);
            }
        }
        check_flow_carriers(c, i, f, &carrier_modes);
        check_flow_mode_policy(c, i, f);
    }
}

/// Checks that the carriers flow `i` names exist and run on the mode they are named for.
fn check_flow_carriers(c: &mut Check, i: usize, f: &Flow, carrier_modes: &BTreeMap<&str, Mode>) {
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
}

/// Checks that flow `i` gives what its mode policy needs: a split of shares for the fixed policy,
/// the allowed chains for generalised-cost choice, and not the other's field.
fn check_flow_mode_policy(c: &mut Check, i: usize, f: &Flow) {
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
                c.error(
                    field_path!["flow", i, "chains"],
                    "generalised-cost choice needs the allowed chains, e.g. [\"road\", \"water\"]",
                );
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

/// `len` finite factors >= 0, not all zero.
fn is_rate_profile(factors: &[f64], len: usize) -> bool {
    factors.len() == len
        && factors.iter().all(|v| v.is_finite() && *v >= 0.0)
        && factors.iter().sum::<f64>() > 0.0
}
