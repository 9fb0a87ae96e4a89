//! `[risk]`: what the accident-risk model needs besides the network: which data files, which criteria,
//! the weather and wind rose, the layout spacing of units that can escalate, closures after accidents
//! and the rare-event sampling.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::sourced::Sourced;
use crate::risk::dispersion::{Stability, Terrain};
use crate::risk::vce::{Confinement, Congestion};
use crate::scenario::DistField;

/// The `[risk]` table. Without it a scenario runs without the risk model.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RiskRules {
    /// Where these numbers come from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Risk data files, relative to this scenario file; later files override earlier ones.
    pub data: Vec<String>,
    /// Criteria sets (`[[criteria]]` ids in the data), checked together; the first is the one the
    /// plots and verdicts use.
    #[serde(default = "netherlands")]
    pub criteria: CriteriaChoice,
    /// Whether the installations are assessed as new or existing (protected-object limits differ).
    #[serde(default)]
    pub installations: Installations,
    /// Places people must be protected from: schools, hospitals, residential areas, workplaces.
    #[serde(default)]
    pub protected: Vec<ProtectedObject>,
    /// Substance of each hazardous commodity: commodity id -> substance id. Hazmat commodities not
    /// listed have no lethal effect (reported by `hazflow validate`).
    #[serde(default)]
    pub substances: BTreeMap<String, String>,
    /// Terrain for the plume sigmas (everywhere, or outside built-up areas when
    /// `urban_density_per_km2` is given).
    #[serde(default = "urban")]
    pub terrain: Terrain,
    /// Releases where the population density by day is at least this use the urban sigmas, elsewhere
    /// `terrain`: the roughness follows the place.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub urban_density_per_km2: Option<Sourced<f64>>,
    /// Relative humidity (0-1), for the transmissivity of heat radiation.
    pub relative_humidity: Sourced<f64>,
    /// Air temperature, degrees Celsius.
    pub ambient_c: Sourced<f64>,
    /// Height of releases above ground, m.
    #[serde(default = "one_metre")]
    pub release_height_m: Sourced<f64>,
    /// Weather classes with their shares by day and night (shares sum to 1 for each).
    pub weather: Vec<WeatherClass>,
    /// Wind rose.
    pub wind_rose: WindRose,
    /// Spacing of units that can escalate.
    pub layout: LayoutSpacing,
    /// Closures after an accident.
    #[serde(default)]
    pub closures: ClosureRules,
    /// Rare-event sampling.
    #[serde(default)]
    pub sampling: SamplingRules,
    /// Domino settings.
    #[serde(default)]
    pub domino: DominoRules,
    /// Individual-risk grid.
    #[serde(default)]
    pub grid: GridRules,
    /// Confinement and congestion where vapour clouds explode.
    #[serde(default)]
    pub explosion: ExplosionRules,
    /// The fire brigade and the safety barriers (off without this table).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<super::response::ResponseRules>,
}

/// Confinement and congestion of one kind of place.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ExplosionPlace {
    /// `3d`, `2.5d` or `2d`.
    pub confinement: Confinement,
    /// `low`, `medium` or `high`.
    pub congestion: Congestion,
    /// Congested volume that limits the exploding fuel, m3 (none: the whole flammable cloud).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub congested_volume_m3: Option<f64>,
}

/// `[risk.explosion]`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ExplosionRules {
    /// Roads, railways, waterways and parking lots.
    #[serde(default = "open_low")]
    pub transport: ExplosionPlace,
    /// Parks, docks and terminals (process and storage areas).
    #[serde(default = "open_medium")]
    pub site: ExplosionPlace,
    /// Where these come from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

fn open_low() -> ExplosionPlace {
    ExplosionPlace {
        confinement: Confinement::ThreeD,
        congestion: Congestion::Low,
        congested_volume_m3: None,
    }
}
fn open_medium() -> ExplosionPlace {
    ExplosionPlace {
        confinement: Confinement::ThreeD,
        congestion: Congestion::Medium,
        congested_volume_m3: None,
    }
}

impl Default for ExplosionRules {
    fn default() -> Self {
        Self {
            transport: open_low(),
            site: open_medium(),
            source: None,
        }
    }
}

fn netherlands() -> CriteriaChoice {
    CriteriaChoice::One("netherlands".into())
}

/// One criteria set or several.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(untagged)]
pub enum CriteriaChoice {
    /// One set.
    One(String),
    /// Several, the first primary.
    Many(Vec<String>),
}

impl CriteriaChoice {
    /// The ids, primary first.
    pub fn ids(&self) -> Vec<&str> {
        match self {
            CriteriaChoice::One(id) => vec![id.as_str()],
            CriteriaChoice::Many(ids) => ids.iter().map(String::as_str).collect(),
        }
    }
}

/// New or existing installations.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Installations {
    /// Planned or new installations (the stricter limits).
    New,
    /// Installations in operation.
    #[default]
    Existing,
}

/// `[[risk.protected]]`: a protected object (a school, a hospital, a residential area, a workplace).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ProtectedObject {
    /// Identifier.
    pub id: String,
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Class in the criteria sets (`high_sensitivity`, `important`, `general_1`, ...).
    pub class: String,
    /// Longitude, degrees.
    pub lon: f64,
    /// Latitude, degrees.
    pub lat: f64,
    /// People present (for the ranking), if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub people: Option<Sourced<f64>>,
    /// Workers present during a shift (for the fatal accident rate), if a workplace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workers: Option<Sourced<f64>>,
    /// Hours a worker spends there a year (for the FAR; default 2 000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours_per_year: Option<f64>,
    /// Where the position and class come from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}
fn urban() -> Terrain {
    Terrain::Urban
}
fn one_metre() -> Sourced<f64> {
    Sourced::bare(1.0)
}

/// `[[risk.weather]]`: one representative weather class (Purple Book: B3, D1.5, D5, D9, E5, F1.5).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct WeatherClass {
    /// Identifier such as `D5`.
    pub id: String,
    /// Pasquill class.
    pub stability: Stability,
    /// Wind speed at 10 m, m/s.
    pub wind_m_s: Sourced<f64>,
    /// Share of daytime hours.
    pub day_share: Sourced<f64>,
    /// Share of night hours.
    pub night_share: Sourced<f64>,
    /// Where the shares come from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// `[risk.wind_rose]`: shares of the 12 sectors the wind blows from, clockwise from north (0, 30, ... 330
/// degrees).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct WindRose {
    /// Shares (sum 1).
    pub from_sector_shares: Vec<f64>,
    /// Where they come from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// `[risk.layout]`: how far apart the units stand that can set each other on fire.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LayoutSpacing {
    /// Centre-to-centre distance of storage tanks in a park, m.
    pub tank_spacing_m: Sourced<f64>,
    /// Distance between tank groups of a park (rows), m.
    pub tank_group_spacing_m: Sourced<f64>,
    /// Distance between parked tankers in a lot (and queued on a road), m.
    pub tanker_spacing_m: Sourced<f64>,
    /// Distance between tank wagons on a siding, m.
    pub wagon_spacing_m: Sourced<f64>,
    /// Distance between berthed vessels (and vessels in a lock chamber), m.
    pub vessel_spacing_m: Sourced<f64>,
    /// Distance from the loading bays, sidings and berths to the nearest storage tank, m.
    pub handling_to_tanks_m: Sourced<f64>,
    /// Distance between the areas where tankers of different hazard groups (toxic gases, flammable
    /// gases, flammable liquids, other) stand at bays and in lots, m (none: all side by side).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segregation_m: Option<Sourced<f64>>,
    /// Where these come from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// What closures accidents cause.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClosureMode {
    /// Each sampled accident closes with probability equal to its weight, so closures happen at the
    /// real accident frequency and the logistics stay unbiased.
    #[default]
    Real,
    /// Every sampled accident closes: a stress test of the network's response, at inflated frequency.
    EverySampled,
    /// No closures.
    Off,
}

/// `[risk.closures]`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ClosureRules {
    /// Which accidents close.
    #[serde(default)]
    pub mode: ClosureMode,
    /// How long a road link stays closed, h.
    #[serde(default = "six_hours")]
    pub road_h: DistField,
    /// How long a rail link stays closed, h.
    #[serde(default = "day")]
    pub rail_h: DistField,
    /// How long a waterway link or a lock stays closed, h.
    #[serde(default = "day")]
    pub water_h: DistField,
    /// How long a park's, dock's or terminal's handling stops, h.
    #[serde(default = "two_days")]
    pub facility_h: DistField,
    /// Where the durations come from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

fn six_hours() -> DistField {
    DistField::constant(6.0)
}
fn day() -> DistField {
    DistField::constant(24.0)
}
fn two_days() -> DistField {
    DistField::constant(48.0)
}

impl Default for ClosureRules {
    fn default() -> Self {
        Self {
            mode: ClosureMode::default(),
            road_h: six_hours(),
            rail_h: day(),
            water_h: day(),
            facility_h: two_days(),
            source: None,
        }
    }
}

/// `[risk.sampling]`: importance sampling of rare accidents.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SamplingRules {
    /// Accidents to sample per source and simulated year: each source's rate is inflated to give about
    /// this many, and each sampled accident weighs the inverse of the inflation (never below 1).
    #[serde(default = "two")]
    pub events_per_source_year: f64,
}

fn two() -> f64 {
    2.0
}

impl Default for SamplingRules {
    fn default() -> Self {
        Self {
            events_per_source_year: two(),
        }
    }
}

/// `[risk.domino]`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DominoRules {
    /// Escalation needs the threshold flux or overpressure (true), or any flux may escalate (false).
    #[serde(default = "yes")]
    pub escalation_thresholds: bool,
    /// Units farther than this from the primary event are not considered, m.
    #[serde(default = "domino_radius")]
    pub radius_m: f64,
}

fn yes() -> bool {
    true
}
fn domino_radius() -> f64 {
    500.0
}

impl Default for DominoRules {
    fn default() -> Self {
        Self {
            escalation_thresholds: true,
            radius_m: domino_radius(),
        }
    }
}

/// `[risk.grid]`: the individual-risk map.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct GridRules {
    /// Cell size, m.
    #[serde(default = "cell")]
    pub cell_m: f64,
    /// Margin around the network, km.
    #[serde(default = "margin")]
    pub margin_km: f64,
}

fn cell() -> f64 {
    100.0
}
fn margin() -> f64 {
    3.0
}

impl Default for GridRules {
    fn default() -> Self {
        Self {
            cell_m: cell(),
            margin_km: margin(),
        }
    }
}
