//! Checks of the responders (`[[responder]]`) and of `[risk.response]` with its barriers.

use std::collections::BTreeSet;

use super::super::check::Check;
use super::super::response::{BarrierKind, ResponseRules};
use super::super::types::{Mode, Scenario};
use crate::field_path;

/// Checks every responder against the road network, and the response rules.
pub(super) fn check_response(c: &mut Check, s: &Scenario, nodes: &BTreeSet<&str>) {
    let road_nodes: BTreeSet<&str> = s
        .link
        .iter()
        .filter(|l| l.mode == Mode::Road)
        .flat_map(|l| [l.from.as_str(), l.to.as_str()])
        .collect();
    let mut ids = BTreeSet::new();
    c.unique(
        &mut ids,
        "responder",
        s.responder.iter().map(|r| r.id.as_str()),
    );
    for (i, r) in s.responder.iter().enumerate() {
        if !nodes.contains(r.node.as_str()) {
            c.error(
                field_path!["responder", i, "node"],
                format!("unknown node \"{}\"", r.node),
            );
        } else if !road_nodes.contains(r.node.as_str()) {
            c.error(
                field_path!["responder", i, "node"],
                format!(
                    "node \"{}\" has no road link: engines drive on roads",
                    r.node
                ),
            );
        }
        c.non_negative(field_path!["responder", i, "access_km"], r.access_km.value);
        c.dist(
            field_path!["responder", i, "turnout_min"],
            &r.turnout_min,
            false,
        );
    }
    if let Some(rules) = s.risk.as_ref().and_then(|r| r.response.as_ref()) {
        check_rules(c, s, rules);
    }
}

fn probability(c: &mut Check, path: crate::scenario::FieldPath, value: f64) {
    if !(0.0..=1.0).contains(&value) {
        c.error(
            path,
            format!("expected a probability in 0..=1, got {value}"),
        );
    }
}

fn check_rules(c: &mut Check, s: &Scenario, r: &ResponseRules) {
    let at = |key: &str| field_path!["risk", "response", key];
    c.non_negative(at("alarm_min"), r.alarm_min.value);
    if r.engines_per_accident.value == 0 {
        c.error(at("engines_per_accident"), "expected at least 1 engine");
    }
    c.positive(at("congestion_factor"), r.congestion_factor.value);
    c.positive(at("access_speed_km_per_h"), r.access_speed_km_per_h.value);
    if !(r.access_circuity.value >= 1.0 && r.access_circuity.value.is_finite()) {
        c.error(
            at("access_circuity"),
            format!("expected a factor >= 1, got {}", r.access_circuity.value),
        );
    }
    c.positive(at("setup_median_min"), r.setup_median_min.value);
    c.non_negative(at("setup_sigma_ln"), r.setup_sigma_ln.value);
    probability(c, at("team_pfd"), r.team_pfd.value);
    c.non_negative(at("on_scene_h"), r.on_scene_h.value);
    c.positive(at("arrival_standard_min"), r.arrival_standard_min.value);
    let sites: BTreeSet<&str> = s
        .park
        .iter()
        .map(|x| x.id.as_str())
        .chain(s.dock.iter().map(|x| x.id.as_str()))
        .chain(s.terminal.iter().map(|x| x.id.as_str()))
        .collect();
    if let Some(w) = &r.warning {
        let at = |key: &str| field_path!["risk", "response", "warning", key];
        c.non_negative(at("delay_min"), w.delay_min.value);
        probability(c, at("compliance"), w.compliance.value);
        for (k, site) in w.sites.iter().enumerate() {
            if !sites.contains(site.as_str()) {
                c.error(
                    field_path!["risk", "response", "warning", "sites", k],
                    format!("no park, dock or terminal has id \"{site}\""),
                );
            }
        }
    }
    for (i, b) in r.barrier.iter().enumerate() {
        let at = |key: &str| field_path!["risk", "response", "barrier", i, key];
        probability(c, at("pfd"), b.pfd.value);
        probability(c, at("effectiveness"), b.effectiveness.value);
        if b.units.is_empty() {
            c.error(
                at("units"),
                "expected at least one of tank, tanker, wagon, vessel",
            );
        }
        for (k, site) in b.sites.iter().enumerate() {
            if !sites.contains(site.as_str()) {
                c.error(
                    field_path!["risk", "response", "barrier", i, "sites", k],
                    format!("no park, dock or terminal has id \"{site}\""),
                );
            }
        }
        let (rated, area) = (b.protection_min.as_ref(), b.max_pool_area_m2.as_ref());
        match (b.kind, rated, area) {
            (BarrierKind::Fireproofing, Some(v), None) => c.positive(at("protection_min"), v.value),
            (BarrierKind::EmergencyPool, None, Some(v)) => {
                c.positive(at("max_pool_area_m2"), v.value)
            }
            (BarrierKind::Deluge, None, None) => {}
            _ => c.error(
                at("kind"),
                "fireproofing takes protection_min (minutes), an emergency_pool max_pool_area_m2 (m2), \
                 a deluge neither",
            ),
        }
    }
}
