//! The scenario file format: serde types, one per table. `docs/scenario-format.md` documents every field.
//!
//! Field names carry their unit (`_t`, `_h`, `_km`, `_t_per_h`, `_per_year`). Numbers may be written bare
//! or as `{ value = ..., source = "..." }` ([`Sourced`]); distributions as a bare number or a table
//! ([`DistField`]).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::sourced::Sourced;
use crate::des::DistField;

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
fn yes() -> bool {
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

    /// Lower-case name as in scenario files.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Road => "road",
            Mode::Rail => "rail",
            Mode::Water => "water",
        }
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
    /// Whether it may carry dangerous goods.
    #[serde(default = "yes")]
    pub hazmat: bool,
    /// Whether it travels back empty to where it was loaded, using locks, berths and train paths again
    /// (default: true for water and rail, false for road).
    #[serde(default)]
    pub returns_empty: Option<bool>,
}

/// A daily window, hours since midnight; `close_h < open_h` wraps past midnight.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DailyWindow {
    /// Where this entry's numbers come from, unless a value gives its own source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Opening hour.
    pub open_h: f64,
    /// Closing hour.
    pub close_h: f64,
}

/// A scheduled closure, repeated every year.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Window {
    /// Where this entry's numbers come from, unless a value gives its own source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// First day of the closure (day of the year, 1..=365, fractional allowed).
    pub start_day_of_year: f64,
    /// Length in days.
    pub days: f64,
}

/// Random failures: alternating up and down times.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Failures {
    /// Where this entry's numbers come from, unless a value gives its own source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Time between failures (hours), e.g. `{ dist = "exponential", mean = 2000 }` (MTBF).
    pub time_between_h: DistField,
    /// Repair time (hours), e.g. `{ dist = "lognormal", mean = 24, sd = 12 }` (MTTR).
    pub duration_h: DistField,
}

/// Scheduled windows and random failures of a facility or link.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Disruptions {
    /// Where this entry's numbers come from, unless a value gives its own source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Scheduled closures (maintenance, high water), each year.
    #[serde(default)]
    pub windows: Vec<Window>,
    /// Random failures.
    #[serde(default)]
    pub failures: Option<Failures>,
}

/// Geographic position in WGS84 degrees.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Position {
    /// Longitude, degrees east.
    pub lon: f64,
    /// Latitude, degrees north.
    pub lat: f64,
    /// How the position was obtained.
    #[serde(default)]
    pub source: Option<String>,
}

/// A storage tank group in a park (one commodity).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Tank {
    /// Where this entry's numbers come from, unless a value gives its own source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Commodity stored.
    pub commodity: String,
    /// Total capacity in tonnes.
    pub capacity_t: Sourced<f64>,
    /// Level at time 0 in tonnes.
    #[serde(default)]
    pub initial_t: Sourced<f64>,
    /// Number of physical tanks sharing the capacity (used by the risk model).
    #[serde(default = "one_u32")]
    pub count: u32,
}

fn one_u32() -> u32 {
    1
}

/// A producer or consumer in a park: a steady rate, in batches.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PlantRate {
    /// Where this entry's numbers come from, unless a value gives its own source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Commodity made or used.
    pub commodity: String,
    /// Tonnes per year.
    pub t_per_year: Sourced<f64>,
    /// Batch put into (or taken from) the tank at once, tonnes (default: one day's output).
    #[serde(default)]
    pub batch_t: Option<Sourced<f64>>,
}

/// Loading or unloading positions of a facility, per mode.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Bays {
    /// Where this entry's numbers come from, unless a value gives its own source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Truck bays.
    #[serde(default)]
    pub road: u32,
    /// Rail loading tracks (wagons handled at once).
    #[serde(default)]
    pub rail: u32,
}

/// A `[[park]]`: a chemical park.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Park {
    /// Where this entry's numbers come from, unless a value gives its own source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Identifier (a network node).
    pub id: String,
    /// Readable name.
    #[serde(default)]
    pub name: String,
    /// Where it is.
    #[serde(default)]
    pub position: Option<Position>,
    /// Loading and unloading positions per mode.
    pub bays: Bays,
    /// Hours to load or unload one truck.
    #[serde(default = "one_hour")]
    pub truck_handling_h: DistField,
    /// Hours to load or unload one wagon.
    #[serde(default = "two_hours")]
    pub wagon_handling_h: DistField,
    /// Gate hours (trucks are handled only inside the window).
    #[serde(default)]
    pub operating_hours: Option<DailyWindow>,
    /// Storage tanks.
    #[serde(default)]
    pub tank: Vec<Tank>,
    /// Production into tanks.
    #[serde(default)]
    pub producer: Vec<PlantRate>,
    /// Consumption from tanks.
    #[serde(default)]
    pub consumer: Vec<PlantRate>,
    /// Closures of the park's bays.
    #[serde(default)]
    pub disruptions: Disruptions,
}

fn one_hour() -> DistField {
    DistField::constant(1.0)
}
fn two_hours() -> DistField {
    DistField::constant(2.0)
}

/// Berths of one vessel class.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BerthGroup {
    /// Where this entry's numbers come from, unless a value gives its own source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Number of berths.
    pub count: Sourced<u32>,
    /// Largest vessel class admitted, tonnes.
    pub class_t: Sourced<f64>,
}

/// Berth handling rates by handling group, t/h; a missing group cannot be handled.
pub type HandlingRates = BTreeMap<HandlingGroup, Sourced<f64>>;

/// A `[[dock]]`: a river port operating area.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Dock {
    /// Where this entry's numbers come from, unless a value gives its own source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Identifier (a network node).
    pub id: String,
    /// Readable name.
    #[serde(default)]
    pub name: String,
    /// Where it is.
    #[serde(default)]
    pub position: Option<Position>,
    /// Berths by vessel class.
    pub berths: Vec<BerthGroup>,
    /// Handling rate per handling group, t/h per berth.
    pub handling_t_per_h: HandlingRates,
    /// Storage (yard, tanks) for cargo between land and water, tonnes.
    pub storage_t: Sourced<f64>,
    /// Truck gate: bays where trucks are loaded or unloaded.
    #[serde(default = "two")]
    pub truck_bays: u32,
    /// Hours per truck at the gate.
    #[serde(default = "one_hour")]
    pub truck_handling_h: DistField,
    /// Rail siding tracks (0: no siding).
    #[serde(default)]
    pub rail_tracks: u32,
    /// Hours per wagon on the siding.
    #[serde(default = "two_hours")]
    pub wagon_handling_h: DistField,
    /// Licensed to handle dangerous goods.
    #[serde(default)]
    pub hazmat: bool,
    /// Working hours (berths, gate and siding).
    #[serde(default)]
    pub operating_hours: Option<DailyWindow>,
    /// Design throughput from the plans, t/year: reported next to the simulated throughput, not enforced.
    #[serde(default)]
    pub design_capacity_t_per_year: Option<Sourced<f64>>,
    /// Closures.
    #[serde(default)]
    pub disruptions: Disruptions,
}

fn two() -> u32 {
    2
}

/// One chamber (line) of a lock.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LockLine {
    /// Where this entry's numbers come from, unless a value gives its own source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Identifier, unique within the lock.
    pub id: String,
    /// Total vessel class tonnage that fits in the chamber at once.
    pub chamber_capacity_t: Sourced<f64>,
    /// Most vessels per lockage.
    pub max_vessels: Sourced<u32>,
    /// Hours of a whole lockage with vessels. Give either this, or its parts below.
    #[serde(default)]
    pub cycle_h: Option<DistField>,
    /// Hours of one door operation (a lockage closes and opens doors: twice this).
    #[serde(default)]
    pub doors_h: Option<DistField>,
    /// Hours of filling or emptying the chamber.
    #[serde(default)]
    pub levelling_h: Option<DistField>,
    /// Hours for one vessel to enter the chamber.
    #[serde(default)]
    pub entry_h: Option<DistField>,
    /// Hours for one vessel to leave the chamber.
    #[serde(default)]
    pub exit_h: Option<DistField>,
    /// Hours of an empty lockage (chamber turned round without vessels; default: the cycle without any
    /// vessel, i.e. doors and levelling, or `cycle_h`).
    #[serde(default)]
    pub empty_cycle_h: Option<DistField>,
    /// Closures of this line.
    #[serde(default)]
    pub disruptions: Disruptions,
}

/// A `[[lock]]` on a waterway.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Lock {
    /// Where this entry's numbers come from, unless a value gives its own source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Identifier (a network node with exactly two water links).
    pub id: String,
    /// Readable name.
    #[serde(default)]
    pub name: String,
    /// Where it is.
    #[serde(default)]
    pub position: Option<Position>,
    /// The neighbouring node on the upstream side.
    pub upstream: String,
    /// Chambers.
    pub line: Vec<LockLine>,
    /// Serve lower `lock_priority` flows first (non-preemptive); FIFO otherwise.
    #[serde(default)]
    pub priority: bool,
    /// Working hours.
    #[serde(default)]
    pub operating_hours: Option<DailyWindow>,
}

/// A `[[terminal]]`: a rail or road logistics terminal where cargo changes between road and rail.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Terminal {
    /// Where this entry's numbers come from, unless a value gives its own source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Identifier (a network node).
    pub id: String,
    /// Readable name.
    #[serde(default)]
    pub name: String,
    /// Where it is.
    #[serde(default)]
    pub position: Option<Position>,
    /// Truck bays and rail loading tracks.
    pub bays: Bays,
    /// Hours per truck.
    #[serde(default = "one_hour")]
    pub truck_handling_h: DistField,
    /// Hours per wagon.
    #[serde(default = "two_hours")]
    pub wagon_handling_h: DistField,
    /// Transfer storage in tonnes.
    pub storage_t: Sourced<f64>,
    /// Licensed for dangerous goods.
    #[serde(default)]
    pub hazmat: bool,
    /// Working hours.
    #[serde(default)]
    pub operating_hours: Option<DailyWindow>,
    /// Closures.
    #[serde(default)]
    pub disruptions: Disruptions,
}

/// A `[[junction]]`: a plain network node.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Junction {
    /// Where this entry's numbers come from, unless a value gives its own source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Identifier.
    pub id: String,
    /// Readable name.
    #[serde(default)]
    pub name: String,
    /// Where it is.
    #[serde(default)]
    pub position: Option<Position>,
}

/// An `[[external]]` origin or destination (unlimited supply and demand, no handling).
pub type External = Junction;

/// A `[[parking]]` lot for hazmat trucks.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Parking {
    /// Where this entry's numbers come from, unless a value gives its own source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Identifier.
    pub id: String,
    /// Readable name.
    #[serde(default)]
    pub name: String,
    /// Where it is.
    #[serde(default)]
    pub position: Option<Position>,
    /// Truck slots (0: the lot does not exist, waiting trucks stand on the road).
    pub slots: Sourced<u32>,
    /// Nodes whose waiting hazmat trucks use this lot.
    pub serves: Vec<String>,
}

/// Road category (sets default speeds and, later, accident rates).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RoadType {
    /// Motorway.
    Expressway,
    /// National and provincial trunk road.
    Trunk,
    /// Urban street.
    Urban,
    /// County and rural road.
    Rural,
}

/// A `[[link]]` between two nodes.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Link {
    /// Where this entry's numbers come from, unless a value gives its own source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Identifier.
    pub id: String,
    /// Mode.
    pub mode: Mode,
    /// Start node.
    pub from: String,
    /// End node.
    pub to: String,
    /// Length in km.
    pub length_km: Sourced<f64>,
    /// Travel time in hours (default: length over the road-type speed, or over the carrier's speed).
    #[serde(default)]
    pub travel_h: Option<DistField>,
    /// Road category (road links; default trunk).
    #[serde(default)]
    pub road_type: Option<RoadType>,
    /// Whether dangerous goods may use it.
    #[serde(default = "yes")]
    pub hazmat_allowed: bool,
    /// Daily hours in which hazmat vehicles may not enter (road), e.g. `[[7, 9], [17, 19]]`.
    #[serde(default)]
    pub hazmat_ban_hours: Vec<[f64; 2]>,
    /// Rail: train paths per day per direction available to modelled trains.
    #[serde(default)]
    pub paths_per_day: Option<Sourced<f64>>,
    /// Water: the largest vessel class admitted, tonnes.
    #[serde(default)]
    pub max_vessel_class_t: Option<Sourced<f64>>,
    /// Usable in both directions.
    #[serde(default = "yes")]
    pub bidirectional: bool,
    /// Closures (high water, maintenance, failures).
    #[serde(default)]
    pub disruptions: Disruptions,
}

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
