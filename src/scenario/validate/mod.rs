//! Semantic checks of a parsed scenario: unique ids, references, positive capacities, valid distributions,
//! known assumptions. Every problem is reported with its location; all problems are collected.
//!
//! The checks are split by the part of the scenario they read: the sites (`sites`), the network and
//! the flows over it (`network`), and the global settings (`settings`). They run in the order of the
//! scenario's tables, so the diagnostics keep that order.

mod locks;
mod network;
mod response;
mod settings;
mod sites;

use std::collections::BTreeSet;

use super::check::{Check, check_sources};
use super::error::Diagnostic;
use super::load::Document;
use super::types::*;
use crate::field_path;

/// The ids the scenario declares, which the later checks resolve references against.
struct DeclaredIds<'s> {
    /// `[[assumption]]` ids, which `source` fields may cite.
    assumptions: BTreeSet<&'s str>,
    /// `[[commodity]]` ids.
    commodities: BTreeSet<&'s str>,
    /// The ids of every kind of node (parks, docks, locks, terminals, junctions, externals), which
    /// share one namespace.
    nodes: BTreeSet<&'s str>,
}

/// Checks a scenario; returns every problem found.
pub(crate) fn validate(s: &Scenario, doc: &Document) -> Vec<Diagnostic> {
    let mut c = Check::new(doc);
    check_horizon(&mut c, &s.scenario);
    let ids = declared_ids(&mut c, s);
    sites::check_commodities_and_carriers(&mut c, s);
    sites::check_parks(&mut c, s, &ids.commodities);
    sites::check_docks(&mut c, s, &ids.commodities);
    locks::check_locks(&mut c, s, &ids.nodes);
    sites::check_terminals(&mut c, s, &ids.commodities);
    network::check_parkings(&mut c, s, &ids.nodes);
    network::check_links(&mut c, s, &ids.nodes);
    network::check_flows(&mut c, s, &ids);
    response::check_response(&mut c, s, &ids.nodes);
    settings::check_settings(&mut c, s);

    super::risk_check::validate_rules(s, &mut c);

    check_sources(&mut c, &doc.root, &mut Vec::new(), &ids.assumptions);
    c.finish()
}

/// Checks the `[scenario]` table: the simulated horizon and the replications.
fn check_horizon(c: &mut Check, h: &Header) {
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
}

/// Collects the declared ids, reporting every id declared twice within its namespace.
fn declared_ids<'s>(c: &mut Check, s: &'s Scenario) -> DeclaredIds<'s> {
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
    // Carrier, parking, link and flow ids are only checked for uniqueness here: references to
    // carriers are resolved against their modes in `check_flows`.
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
    DeclaredIds {
        assumptions,
        commodities,
        nodes,
    }
}

/// The name a serde enum key has in the scenario file (e.g. `liquid_bulk`), for locating its field.
fn serde_key<T: serde::Serialize>(key: &T) -> String {
    serde_json::to_value(key)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default()
}

/// Whether (`lon`, `lat`) are a longitude and a latitude in degrees.
fn is_lon_lat(lon: f64, lat: f64) -> bool {
    (-180.0..=180.0).contains(&lon) && (-90.0..=90.0).contains(&lat)
}
