//! Emergency response: `[[responder]]` (fire stations and other responders, facilities on the road
//! network) and `[risk.response]` (dispatch, the brigade's race against the time to failure, and the
//! safety barriers on the units).

use serde::{Deserialize, Serialize};

use super::sourced::Sourced;
use crate::scenario::DistField;

/// A `[[responder]]`: a fire station or other responder with engines, joined to the road network at a
/// node.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Responder {
    /// Where this entry's numbers come from, unless a value gives its own source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Identifier.
    pub id: String,
    /// Readable name.
    #[serde(default)]
    pub name: String,
    /// The node where the station joins the road network.
    pub node: String,
    /// Driving distance from the station to that node, km.
    #[serde(default)]
    pub access_km: Sourced<f64>,
    /// Engines that can be sent (by day, and at night unless `night_engines` is given).
    pub engines: Sourced<u32>,
    /// Engines that can be sent at night (the exposure's night hours).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub night_engines: Option<Sourced<u32>>,
    /// Time from the dispatch order to wheels rolling, minutes.
    pub turnout_min: DistField,
}

/// What a barrier is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BarrierKind {
    /// Water deluge or fixed cooling: a working one cuts the flux on its unit by `effectiveness`.
    Deluge,
    /// Passive fire protection: a working one insulates its unit for `protection_min`.
    Fireproofing,
    /// Drainage to an emergency pool: a working one keeps a spill from its unit's release within
    /// `max_pool_area_m2`.
    EmergencyPool,
}

/// Units a barrier protects.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProtectedUnit {
    /// Storage tanks of the parks and docks.
    Tank,
    /// Road tankers.
    Tanker,
    /// Rail tank wagons.
    Wagon,
    /// Tank barges.
    Vessel,
}

impl ProtectedUnit {
    /// Every kind, in file order.
    pub const ALL: [ProtectedUnit; 4] = [
        ProtectedUnit::Tank,
        ProtectedUnit::Tanker,
        ProtectedUnit::Wagon,
        ProtectedUnit::Vessel,
    ];
}

/// A `[[risk.response.barrier]]`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BarrierRule {
    /// Where the numbers come from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Deluge or fireproofing.
    pub kind: BarrierKind,
    /// Units it is fitted to.
    pub units: Vec<ProtectedUnit>,
    /// Only at these sites (parks, docks, terminals); every site when empty. Transport units
    /// (tankers, wagons, vessels) away from a site are protected only when this is empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sites: Vec<String>,
    /// Probability of failure on demand.
    pub pfd: Sourced<f64>,
    /// Effectiveness when it works (0-1): the share of the flux a deluge removes; for fireproofing
    /// the probability that the coating is intact where the fire strikes; for an emergency pool the
    /// probability that the spill reaches its drains.
    pub effectiveness: Sourced<f64>,
    /// Protection time of working fireproofing, minutes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protection_min: Option<Sourced<f64>>,
    /// Largest pool a working emergency pool's drainage leaves, m2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_pool_area_m2: Option<Sourced<f64>>,
}

/// `[risk.response]`: the fire brigade inside the simulation. Without it (or with `enabled = false`)
/// escalation follows the time-to-failure probit alone, whose calibration stands for a generic
/// response (`risk::intervention`).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ResponseRules {
    /// Where these numbers come from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Simulate the responders and barriers.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// From the release to the dispatch order (detection, alarm, call handling), minutes.
    pub alarm_min: Sourced<f64>,
    /// Engines an accident needs before cooling starts (the first assignment).
    pub engines_per_accident: Sourced<u32>,
    /// Engines' travel time over the trucks' on each road link (congestion, sirens).
    #[serde(default = "one")]
    pub congestion_factor: Sourced<f64>,
    /// Speed over the last stretch from the network to an accident off a road (a tank in a park, a
    /// wagon on a railway), km/h; that stretch is the straight line times `access_circuity`.
    pub access_speed_km_per_h: Sourced<f64>,
    /// Road distance over straight-line distance on the last stretch.
    #[serde(default = "circuity")]
    pub access_circuity: Sourced<f64>,
    /// Median time from arrival to cooling water on the target, minutes.
    pub setup_median_min: Sourced<f64>,
    /// Log standard deviation of the set-up time.
    pub setup_sigma_ln: Sourced<f64>,
    /// Probability that crews on scene in time still fail to cool a target.
    pub team_pfd: Sourced<f64>,
    /// Hours an engine stays at an accident before it drives back.
    pub on_scene_h: Sourced<f64>,
    /// The arrival standard response times are reported against: minutes from the dispatch order,
    /// turn-out included, to the first engine on scene.
    pub arrival_standard_min: Sourced<f64>,
    /// A what-if: every engine meets the arrival standard wherever the accident is (slower arrivals
    /// are cut to it).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub standard_met_everywhere: bool,
    /// Safety barriers on the units.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub barrier: Vec<BarrierRule>,
    /// Warning of the people around toxic releases (the park platform's early warning).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warning: Option<WarningRules>,
}

/// `[risk.response.warning]`: people warned after a delay shelter indoors.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct WarningRules {
    /// Where the numbers come from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Warn at all (a what-if switches the platform off).
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Minutes from the release until the warning reaches people.
    pub delay_min: Sourced<f64>,
    /// Share of the people outdoors who go indoors when warned.
    pub compliance: Sourced<f64>,
    /// Only releases at these sites are warned of (parks, docks, terminals); every release when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sites: Vec<String>,
}

fn yes() -> bool {
    true
}
fn one() -> Sourced<f64> {
    Sourced::bare(1.0)
}
fn circuity() -> Sourced<f64> {
    Sourced::bare(1.3)
}
