//! Where people are: population zones near the network, used by the risk model.

use serde::{Deserialize, Serialize};

use super::sourced::Sourced;

/// A `[[population]]` zone: a disc of uniform density (an urban core, a town, a village).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PopulationZone {
    /// Where this zone's numbers come from, unless a value gives its own source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Identifier.
    pub id: String,
    /// Readable name.
    #[serde(default)]
    pub name: String,
    /// Centre longitude, degrees east.
    pub lon: f64,
    /// Centre latitude, degrees north.
    pub lat: f64,
    /// Radius, km.
    pub radius_km: Sourced<f64>,
    /// People per km2 in the daytime.
    pub day_per_km2: Sourced<f64>,
    /// People per km2 at night.
    pub night_per_km2: Sourced<f64>,
}

/// `[exposure]`: population outside the zones and the day/night and indoor conventions.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ExposureRules {
    /// Where these numbers come from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// People per km2 outside every zone, daytime.
    #[serde(default)]
    pub background_day_per_km2: Sourced<f64>,
    /// People per km2 outside every zone, night.
    #[serde(default)]
    pub background_night_per_km2: Sourced<f64>,
    /// Hour the day period starts.
    #[serde(default = "seven")]
    pub day_start_h: f64,
    /// Hour the day period ends.
    #[serde(default = "nineteen")]
    pub day_end_h: f64,
    /// Share of people indoors in the daytime (Purple Book: 0.93).
    #[serde(default = "indoor_day")]
    pub indoor_fraction_day: Sourced<f64>,
    /// Share of people indoors at night (Purple Book: 0.99).
    #[serde(default = "indoor_night")]
    pub indoor_fraction_night: Sourced<f64>,
}

impl Default for ExposureRules {
    fn default() -> Self {
        Self {
            source: None,
            background_day_per_km2: Sourced::bare(0.0),
            background_night_per_km2: Sourced::bare(0.0),
            day_start_h: seven(),
            day_end_h: nineteen(),
            indoor_fraction_day: indoor_day(),
            indoor_fraction_night: indoor_night(),
        }
    }
}

fn seven() -> f64 {
    7.0
}
fn nineteen() -> f64 {
    19.0
}
fn indoor_day() -> Sourced<f64> {
    Sourced {
        value: 0.93,
        source: Some("Purple Book (CPR 18E) population conventions".into()),
    }
}
fn indoor_night() -> Sourced<f64> {
    Sourced {
        value: 0.99,
        source: Some("Purple Book (CPR 18E) population conventions".into()),
    }
}
