//! Flows of the scenario format.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::sourced::Sourced;
use super::types::Mode;

/// How shipments of a flow are spread in time.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct Arrivals {
    /// Where this entry's numbers come from, unless a value gives its own source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// `poisson` (default) or `regular`.
    #[serde(default)]
    pub pattern: ArrivalPattern,
    /// Twelve monthly factors (mean 1) scaling the rate: a seasonal profile.
    #[serde(default)]
    pub monthly_factors: Option<Vec<f64>>,
    /// Twenty-four hour-of-day factors (mean 1; the first is 00:00-01:00) scaling the rate: a daily
    /// profile, multiplied with the monthly one.
    #[serde(default)]
    pub hourly_factors: Option<Vec<f64>>,
}

/// Inter-arrival law of shipments.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ArrivalPattern {
    /// Exponential gaps.
    #[default]
    Poisson,
    /// Equal gaps.
    Regular,
}

/// How a flow's shipments pick their mode chain.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ModePolicy {
    /// Random draw with the shares in `split`.
    #[default]
    Fixed,
    /// Each shipment takes the chain of least generalised cost at that moment, counting expected waits
    /// and skipping closed facilities.
    GeneralisedCost,
}

/// A `[[flow]]` of freight.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Flow {
    /// Where this entry's numbers come from, unless a value gives its own source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Identifier.
    pub id: String,
    /// Commodity.
    pub commodity: String,
    /// Origin node (park, dock, terminal or external).
    pub origin: String,
    /// Destination node.
    pub destination: String,
    /// Tonnes per year.
    pub t_per_year: Sourced<f64>,
    /// Tonnes released at once (default: the road carrier's payload, else the first chain's carrier's).
    #[serde(default)]
    pub shipment_t: Option<Sourced<f64>>,
    /// Timing of shipments.
    #[serde(default)]
    pub arrivals: Arrivals,
    /// Fixed shares or choice by generalised cost.
    #[serde(default)]
    pub mode_policy: ModePolicy,
    /// Chain -> share for `fixed` (a chain is main modes joined by `+`, e.g. `rail+water`; road feeders
    /// to and from transfer points are added by routing).
    #[serde(default)]
    pub split: Split,
    /// Chains allowed for `generalised_cost`.
    #[serde(default)]
    pub chains: Vec<String>,
    /// Carrier id per mode (needed only when several carriers of a mode exist).
    #[serde(default)]
    pub carriers: BTreeMap<Mode, String>,
    /// Lock priority class (lower passes first at locks with `priority = true`).
    #[serde(default = "two_i32")]
    pub lock_priority: i32,
    /// Handling priority class (lower is loaded and unloaded first at sites with `priority = true`).
    #[serde(default)]
    pub handling_priority: i32,
    /// Background traffic (steel, sugar, cement, containers) sharing facilities with chemical flows.
    #[serde(default)]
    pub background: bool,
}

/// Shares of a flow's tonnage per chain, with an optional source for the whole split.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct Split {
    /// Where the shares come from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Chain -> share (normalised to sum to 1).
    #[serde(flatten)]
    pub shares: BTreeMap<String, f64>,
}

fn two_i32() -> i32 {
    2
}
