//! The scenario file format: serde types, one per table. `docs/scenario-format.md` documents every field.
//!
//! Field names carry their unit (`_t`, `_h`, `_km`, `_t_per_h`, `_per_year`). Numbers may be written bare
//! or as `{ value = ..., source = "..." }` ([`Sourced`]); distributions as a bare number or a table
//! ([`DistField`]).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::exposure::{ExposureRules, PopulationZone};
use super::facilities::*;
use super::flows::Flow;
use super::sourced::Sourced;

/// A whole scenario file (after `extends` has been resolved).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Name, horizon, warm-up, defaults for runs.
    pub scenario: Header,
    /// Explicit assumptions: numbers not found in a source, with the reason for the value chosen.
    #[serde(default)]
    pub assumption: Vec<Assumption>,
    /// Goods moved.
    #[serde(default)]
    pub commodity: Vec<Commodity>,
    /// Vehicle types (road tankers and trucks, rail wagons, barges).
    #[serde(default)]
    pub carrier: Vec<Carrier>,
    /// Chemical parks: production, consumption, tanks, loading bays.
    #[serde(default)]
    pub park: Vec<Park>,
    /// River docks (port operating areas).
    #[serde(default)]
    pub dock: Vec<Dock>,
    /// Ship locks on waterways.
    #[serde(default)]
    pub lock: Vec<Lock>,
    /// Rail and road logistics terminals (transfer between road and rail).
    #[serde(default)]
    pub terminal: Vec<Terminal>,
    /// Plain network nodes (road junctions, rail junctions).
    #[serde(default)]
    pub junction: Vec<Junction>,
    /// Origins and destinations outside the modelled area (unlimited supply and demand).
    #[serde(default)]
    pub external: Vec<External>,
    /// Hazmat truck parking lots.
    #[serde(default)]
    pub parking: Vec<Parking>,
    /// Fire stations and other emergency responders (used by `[risk.response]`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub responder: Vec<super::response::Responder>,
    /// Road, rail and waterway links between nodes.
    #[serde(default)]
    pub link: Vec<Link>,
    /// Freight flows (chemical and background).
    #[serde(default)]
    pub flow: Vec<Flow>,
    /// Train formation rules.
    #[serde(default)]
    pub rail: RailRules,
    /// Barge formation rules.
    #[serde(default)]
    pub water: WaterRules,
    /// Road defaults.
    #[serde(default)]
    pub road: RoadRules,
    /// Generalised-cost parameters for routing and mode choice.
    #[serde(default)]
    pub cost: CostRules,
    /// Demand multipliers (what-ifs and sweeps).
    #[serde(default)]
    pub demand: DemandRules,
    /// Population zones near the network (for risk).
    #[serde(default)]
    pub population: Vec<PopulationZone>,
    /// Population outside the zones, and the day/night convention.
    #[serde(default)]
    pub exposure: ExposureRules,
    /// The accident-risk model (off without this table).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub risk: Option<super::risk::RiskRules>,
}

/// `[demand]`: multipliers applied to flows (and to park plants, which follow chemical demand).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DemandRules {
    /// Where the factors come from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Multiplies the tonnage of chemical (non-background) flows and the rates of park producers and
    /// consumers.
    #[serde(default = "unit_factor")]
    pub chemical_factor: Sourced<f64>,
    /// Multiplies the tonnage of background flows.
    #[serde(default = "unit_factor")]
    pub background_factor: Sourced<f64>,
}

impl Default for DemandRules {
    fn default() -> Self {
        Self {
            source: None,
            chemical_factor: unit_factor(),
            background_factor: unit_factor(),
        }
    }
}

fn unit_factor() -> Sourced<f64> {
    Sourced::bare(1.0)
}

/// The `[scenario]` table.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Header {
    /// Short name, used in output rows and directory names.
    pub name: String,
    /// What the scenario represents.
    #[serde(default)]
    pub description: String,
    /// Path of the base scenario this one modifies (relative to this file).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extends: Option<String>,
    /// Observed period after the warm-up, in days.
    #[serde(default = "default_horizon_days")]
    pub horizon_days: Sourced<f64>,
    /// Warm-up period whose statistics are discarded, in days.
    #[serde(default = "default_warmup_days")]
    pub warmup_days: Sourced<f64>,
    /// Day of the year (1..=365) at simulation time 0; seasonal windows are given in days of the year.
    #[serde(default = "one")]
    pub start_day_of_year: f64,
    /// Default number of replications of `hazflow run`.
    #[serde(default = "default_replications")]
    pub replications: u64,
    /// Default master seed.
    #[serde(default = "one_u64")]
    pub seed: u64,
}

fn default_horizon_days() -> Sourced<f64> {
    Sourced::bare(365.0)
}
fn default_warmup_days() -> Sourced<f64> {
    Sourced::bare(30.0)
}
fn one() -> f64 {
    1.0
}
fn one_u64() -> u64 {
    1
}
fn default_replications() -> u64 {
    10
}
pub(super) fn yes() -> bool {
    true
}

/// An `[[assumption]]`: a number not found in any source, with the reason for the value chosen.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Assumption {
    /// Referenced from values as `source = "assumption:<id>"`.
    pub id: String,
    /// The value assumed, as text (number with unit, or a description).
    pub value: toml::Value,
    /// Why this value.
    pub reason: String,
    /// How much the results depend on it.
    #[serde(default)]
    pub sensitivity: String,
}

/// Hazard kind of a commodity; everything but `non_hazardous` is hazmat.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CommodityKind {
    /// Toxic gas (chlorine, ammonia).
    ToxicGas,
    /// Flammable gas (hydrogen, LPG).
    FlammableGas,
    /// Flammable liquid (methanol, formaldehyde solution).
    FlammableLiquid,
    /// Toxic liquid.
    ToxicLiquid,
    /// Corrosive (caustic soda, hydrochloric acid).
    Corrosive,
    /// Oxidiser (hydrogen peroxide, bleaching powder).
    Oxidiser,
    /// Not dangerous goods (salt, coal, steel, fertiliser).
    NonHazardous,
}

/// How a commodity is handled at docks (sets the berth handling rate).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HandlingGroup {
    /// Pumped liquids.
    LiquidBulk,
    /// Grab or conveyor bulk.
    DryBulk,
    /// Pressurised or refrigerated gases.
    Gas,
    /// Bags, drums, steel, break bulk.
    General,
    /// Containers (ISO tanks included).
    Container,
}

/// A `[[commodity]]`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Commodity {
    /// Where this entry's numbers come from, unless a value gives its own source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Identifier.
    pub id: String,
    /// Readable name.
    #[serde(default)]
    pub name: String,
    /// UN number (dangerous goods), if any.
    #[serde(default)]
    pub un_number: Option<u32>,
    /// Dangerous-goods class ("2.3", "8", ...), if any.
    #[serde(default)]
    pub hazard_class: Option<String>,
    /// Hazard kind.
    pub kind: CommodityKind,
    /// Density in t/m3.
    #[serde(default = "unit_density")]
    pub density_t_per_m3: Sourced<f64>,
    /// Handling group at docks.
    #[serde(default = "general_handling")]
    pub handling: HandlingGroup,
}

fn unit_density() -> Sourced<f64> {
    Sourced::bare(1.0)
}
fn general_handling() -> HandlingGroup {
    HandlingGroup::General
}

/// Transport mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Road.
    Road,
    /// Rail.
    Rail,
    /// Inland waterway.
    Water,
}

impl Mode {
    /// All modes, in reporting order.
    pub const ALL: [Mode; 3] = [Mode::Road, Mode::Rail, Mode::Water];

    /// Number of modes.
    pub const COUNT: usize = Mode::ALL.len();

    /// Position in [`Mode::ALL`].
    pub const fn index(self) -> usize {
        match self {
            Mode::Road => 0,
            Mode::Rail => 1,
            Mode::Water => 2,
        }
    }

    /// Lower-case name as in scenario files.
    pub const fn name(self) -> &'static str {
        match self {
            Mode::Road => "road",
            Mode::Rail => "rail",
            Mode::Water => "water",
        }
    }
}

/// One value per mode, indexed by [`Mode`] (instead of a bare `[T; 3]` and an index that must agree).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ByMode<T>(pub [T; Mode::COUNT]);

impl<T> ByMode<T> {
    /// Pairs of mode and value, in reporting order.
    pub fn iter(&self) -> impl Iterator<Item = (Mode, &T)> {
        Mode::ALL.into_iter().zip(self.0.iter())
    }
}

impl<T> std::ops::Index<Mode> for ByMode<T> {
    type Output = T;
    fn index(&self, mode: Mode) -> &T {
        &self.0[mode.index()]
    }
}

impl<T> std::ops::IndexMut<Mode> for ByMode<T> {
    fn index_mut(&mut self, mode: Mode) -> &mut T {
        &mut self.0[mode.index()]
    }
}

/// A `[[carrier]]`: a vehicle type.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Carrier {
    /// Where this entry's numbers come from, unless a value gives its own source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Identifier.
    pub id: String,
    /// Mode it runs on.
    pub mode: Mode,
    /// Payload in tonnes (a truck, a wagon, a barge).
    pub payload_t: Sourced<f64>,
    /// Empty weight in tonnes (rail: counts against the maximum train weight).
    #[serde(default)]
    pub tare_t: Sourced<f64>,
    /// Water: the vessel class in tonnes that berths, locks and waterways must admit (default: payload).
    #[serde(default)]
    pub vessel_class_t: Option<Sourced<f64>>,
    /// Speed used on links without their own travel time (water and rail), km/h.
    #[serde(default)]
    pub speed_km_per_h: Option<Sourced<f64>>,
    /// Water: overall length, m (locks whose chambers are given by length and width pack by it).
    #[serde(default)]
    pub length_m: Option<Sourced<f64>>,
    /// Water: beam, m.
    #[serde(default)]
    pub beam_m: Option<Sourced<f64>>,
    /// Whether it may carry dangerous goods.
    #[serde(default = "yes")]
    pub hazmat: bool,
    /// Whether it travels back empty to where it was loaded, using locks, berths and train paths again
    /// (default: true for water and rail, false for road).
    #[serde(default)]
    pub returns_empty: Option<bool>,
    /// A specialised vehicle (a tube trailer, a chlorine tanker): used only by the flows that name it in
    /// `carriers`, never chosen by default.
    #[serde(default)]
    pub named_only: bool,
}

/// `[rail]`: train formation.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RailRules {
    /// Where this entry's numbers come from, unless a value gives its own source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Most wagons per train.
    #[serde(default = "default_wagons")]
    pub wagons_per_train: Sourced<u32>,
    /// Maximum gross train weight in tonnes (Jiao-Liu: 4000, 5000 after electrification).
    #[serde(default = "default_train_weight")]
    pub max_train_weight_t: Sourced<f64>,
    /// A train leaves when full or when its first wagon has waited this long, hours.
    #[serde(default = "default_rail_wait")]
    pub max_wait_h: Sourced<f64>,
    /// Timetable: instead of waiting up to `max_wait_h`, trains leave every this many hours (from time 0)
    /// with the wagons ready, and whenever a train is full.
    #[serde(default)]
    pub timetable_every_h: Option<Sourced<f64>>,
}

impl Default for RailRules {
    fn default() -> Self {
        Self {
            source: None,
            wagons_per_train: default_wagons(),
            max_train_weight_t: default_train_weight(),
            max_wait_h: default_rail_wait(),
            timetable_every_h: None,
        }
    }
}

fn default_wagons() -> Sourced<u32> {
    Sourced::bare(40)
}
fn default_train_weight() -> Sourced<f64> {
    Sourced::bare(4000.0)
}
fn default_rail_wait() -> Sourced<f64> {
    Sourced::bare(48.0)
}

/// `[water]`: barge formation.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct WaterRules {
    /// Where this entry's numbers come from, unless a value gives its own source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// A barge leaves when full or when its first cargo has waited this long, hours.
    #[serde(default = "default_water_wait")]
    pub max_wait_h: Sourced<f64>,
}

impl Default for WaterRules {
    fn default() -> Self {
        Self {
            source: None,
            max_wait_h: default_water_wait(),
        }
    }
}

fn default_water_wait() -> Sourced<f64> {
    Sourced::bare(72.0)
}

/// `[road]`: speeds by road type, km/h, for links without their own travel time.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RoadRules {
    /// Where this entry's numbers come from, unless a value gives its own source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Speed per road type.
    #[serde(default = "default_speeds")]
    pub speed_km_per_h: BTreeMap<RoadType, Sourced<f64>>,
}

impl Default for RoadRules {
    fn default() -> Self {
        Self {
            source: None,
            speed_km_per_h: default_speeds(),
        }
    }
}

fn default_speeds() -> BTreeMap<RoadType, Sourced<f64>> {
    [
        (RoadType::Expressway, 70.0),
        (RoadType::Trunk, 50.0),
        (RoadType::Urban, 30.0),
        (RoadType::Rural, 40.0),
    ]
    .into_iter()
    .map(|(k, v)| (k, Sourced::bare(v)))
    .collect()
}

/// `[cost]`: generalised cost = money + value of time, per tonne.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CostRules {
    /// Where this entry's numbers come from, unless a value gives its own source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Value of time, currency per tonne-hour.
    #[serde(default = "default_value_of_time")]
    pub value_of_time_per_t_h: Sourced<f64>,
    /// Haulage cost per tonne-km by mode.
    #[serde(default = "default_tkm_costs")]
    pub per_tkm: BTreeMap<Mode, Sourced<f64>>,
    /// Cost per tonne of each change of mode.
    #[serde(default = "default_transfer_cost")]
    pub transfer_per_t: Sourced<f64>,
}

impl Default for CostRules {
    fn default() -> Self {
        Self {
            source: None,
            value_of_time_per_t_h: default_value_of_time(),
            per_tkm: default_tkm_costs(),
            transfer_per_t: default_transfer_cost(),
        }
    }
}

fn default_value_of_time() -> Sourced<f64> {
    Sourced::bare(5.0)
}
fn default_tkm_costs() -> BTreeMap<Mode, Sourced<f64>> {
    [(Mode::Road, 0.35), (Mode::Rail, 0.15), (Mode::Water, 0.05)]
        .into_iter()
        .map(|(k, v)| (k, Sourced::bare(v)))
        .collect()
}
fn default_transfer_cost() -> Sourced<f64> {
    Sourced::bare(15.0)
}
