//! Network elements of the scenario format: parks, docks, locks, terminals, junctions, parking lots, links,
//! and their calendars.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::sourced::Sourced;
use super::types::{HandlingGroup, Mode, yes};
use crate::scenario::DistField;

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

/// One period of a site's daily shift schedule: the servers at work from `from_h` to `to_h` (wrapping past
/// midnight when `to_h < from_h`). A count left out keeps the site's full count in that period; hours no
/// period covers keep every count.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Shift {
    /// Where this entry's numbers come from, unless a value gives its own source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Hour the period begins.
    pub from_h: f64,
    /// Hour the period ends.
    pub to_h: f64,
    /// Truck bays at work (at most the site's count).
    #[serde(default)]
    pub road: Option<u32>,
    /// Rail tracks at work.
    #[serde(default)]
    pub rail: Option<u32>,
    /// Berths at work in each berth group, in the order of the dock's `berths`.
    #[serde(default)]
    pub berths: Option<Vec<u32>>,
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

/// A process in a park that turns inputs from its tanks into a product in another: it stops when an input
/// runs short or the product tank is full, and restarts only once the inputs have refilled to, or the
/// product has drained to, its restart marks (hysteresis, so that it does not stop and start with every
/// truck).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Process {
    /// Where this entry's numbers come from, unless a value gives its own source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Identifier, unique within the park.
    pub id: String,
    /// Commodity made, into the park's tank of it (none: the process only uses up its inputs).
    #[serde(default)]
    pub output: Option<String>,
    /// Tonnes of product per year at full run (of the first input without an output).
    pub t_per_year: Sourced<f64>,
    /// Tonnes of product per batch (default: one day's).
    #[serde(default)]
    pub batch_t: Option<Sourced<f64>>,
    /// Tonnes of each input commodity, from the park's tank of it, per tonne of product.
    #[serde(default)]
    pub inputs: BTreeMap<String, Sourced<f64>>,
    /// After starving, restart once every input tank holds this fraction of its capacity (default 0: as
    /// soon as a batch's inputs are there).
    #[serde(default)]
    pub restart_inputs_above: Option<Sourced<f64>>,
    /// After a full product tank stopped it, restart once the tank has drained to this fraction of its
    /// capacity (default 1: as soon as a batch fits).
    #[serde(default)]
    pub restart_output_below: Option<Sourced<f64>>,
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

/// A finite waiting space for the trucks that queue for a site's bays.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TruckYard {
    /// Where this entry's numbers come from, unless a value gives its own source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Trucks that can wait in the yard.
    pub waiting_space: Sourced<u32>,
    /// What a truck does when the yard is full.
    #[serde(default)]
    pub overflow: Overflow,
}

/// What a truck does when the yard it is bound for is full.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Overflow {
    /// It waits on the road outside (reported as `overflow_vehicle_hours`).
    #[default]
    Road,
    /// It does not leave its loading bay (or, from outside the network, its origin) until a place in the
    /// yard is free, and then holds that place while it drives there: congestion backs up the chain.
    Block,
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
    /// Hours per truck for the commodities named, in place of `truck_handling_h`.
    #[serde(default)]
    pub truck_handling_h_by_commodity: BTreeMap<String, DistField>,
    /// Hours per wagon for the commodities named, in place of `wagon_handling_h`.
    #[serde(default)]
    pub wagon_handling_h_by_commodity: BTreeMap<String, DistField>,
    /// Gate hours (trucks are handled only inside the window).
    #[serde(default)]
    pub operating_hours: Option<DailyWindow>,
    /// Daily shift schedule: servers at work by hour of the day (all of them by default).
    #[serde(default)]
    pub shifts: Vec<Shift>,
    /// Serve lower `handling_priority` flows first at the bays, tracks and berths (non-preemptive).
    #[serde(default)]
    pub priority: bool,
    /// The waiting space for trucks queuing for the bays, and what happens to those beyond it.
    #[serde(default)]
    pub truck_yard: Option<TruckYard>,
    /// Storage tanks.
    #[serde(default)]
    pub tank: Vec<Tank>,
    /// Production into tanks.
    #[serde(default)]
    pub producer: Vec<PlantRate>,
    /// Consumption from tanks.
    #[serde(default)]
    pub consumer: Vec<PlantRate>,
    /// Processes coupling tanks: inputs turned into a product.
    #[serde(default)]
    pub process: Vec<Process>,
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
    /// Hours per truck for the commodities named, in place of `truck_handling_h`.
    #[serde(default)]
    pub truck_handling_h_by_commodity: BTreeMap<String, DistField>,
    /// Hours per wagon for the commodities named, in place of `wagon_handling_h`.
    #[serde(default)]
    pub wagon_handling_h_by_commodity: BTreeMap<String, DistField>,
    /// Licensed to handle dangerous goods.
    #[serde(default)]
    pub hazmat: bool,
    /// Working hours (berths, gate and siding).
    #[serde(default)]
    pub operating_hours: Option<DailyWindow>,
    /// Daily shift schedule: servers at work by hour of the day (all of them by default).
    #[serde(default)]
    pub shifts: Vec<Shift>,
    /// Serve lower `handling_priority` flows first at the bays, tracks and berths (non-preemptive).
    #[serde(default)]
    pub priority: bool,
    /// The waiting space for trucks queuing for the bays, and what happens to those beyond it.
    #[serde(default)]
    pub truck_yard: Option<TruckYard>,
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
    /// Total vessel class tonnage that fits in the chamber at once (no tonnage limit when the chamber is
    /// given by its length and width instead).
    #[serde(default)]
    pub chamber_capacity_t: Option<Sourced<f64>>,
    /// Usable chamber length, m: with `chamber_width_m`, vessels are packed by their length and beam.
    #[serde(default)]
    pub chamber_length_m: Option<Sourced<f64>>,
    /// Usable chamber width, m.
    #[serde(default)]
    pub chamber_width_m: Option<Sourced<f64>>,
    /// Most vessels per lockage.
    pub max_vessels: Sourced<u32>,
    /// Fewest vessels a lockage waits for, at most `clustering_window_min` (default 1).
    #[serde(default)]
    pub min_vessels: Option<Sourced<u32>>,
    /// Hours of a whole lockage with vessels. Give either this, or its parts below.
    #[serde(default)]
    pub cycle_h: Option<DistField>,
    /// Hours of one door operation (a lockage closes and opens doors: twice this).
    #[serde(default)]
    pub doors_h: Option<DistField>,
    /// Hours of filling or emptying the chamber.
    #[serde(default)]
    pub levelling_h: Option<DistField>,
    /// Hours of filling the chamber (a lockage taking vessels upstream), instead of `levelling_h`.
    #[serde(default)]
    pub levelling_up_h: Option<DistField>,
    /// Hours of emptying the chamber (a lockage taking vessels downstream), instead of `levelling_h`.
    #[serde(default)]
    pub levelling_down_h: Option<DistField>,
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
    /// Until when a vessel may join a lockage on its side.
    #[serde(default)]
    pub join: LockJoin,
    /// Minutes a lockage may wait, from its first vessel's arrival, for vessels known to be on their way
    /// (on the link into the lock) that would fit, or for `min_vessels`.
    #[serde(default)]
    pub clustering_window_min: Option<Sourced<f64>>,
    /// Turn an idle, empty chamber round as soon as a vessel sets off towards it on the other side, rather
    /// than when it arrives.
    #[serde(default)]
    pub turn_round_ahead: bool,
}

/// Until when a vessel may join a lockage.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LockJoin {
    /// The batch is fixed when the lockage starts.
    #[default]
    AtStart,
    /// A vessel arriving on the chamber's side joins, if it fits, until levelling starts: while vessels
    /// enter and the doors close (they close again after it). Needs the lockage in parts.
    UntilLevelling,
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
    /// Hours per truck for the commodities named, in place of `truck_handling_h`.
    #[serde(default)]
    pub truck_handling_h_by_commodity: BTreeMap<String, DistField>,
    /// Hours per wagon for the commodities named, in place of `wagon_handling_h`.
    #[serde(default)]
    pub wagon_handling_h_by_commodity: BTreeMap<String, DistField>,
    /// Transfer storage in tonnes.
    pub storage_t: Sourced<f64>,
    /// Licensed for dangerous goods.
    #[serde(default)]
    pub hazmat: bool,
    /// Working hours.
    #[serde(default)]
    pub operating_hours: Option<DailyWindow>,
    /// Daily shift schedule: servers at work by hour of the day (all of them by default).
    #[serde(default)]
    pub shifts: Vec<Shift>,
    /// Serve lower `handling_priority` flows first at the bays, tracks and berths (non-preemptive).
    #[serde(default)]
    pub priority: bool,
    /// The waiting space for trucks queuing for the bays, and what happens to those beyond it.
    #[serde(default)]
    pub truck_yard: Option<TruckYard>,
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
    /// Length in km (for an external node: the whole distance to the region it stands for).
    pub length_km: Sourced<f64>,
    /// Part of the length inside the modelled area, km (default: all of it). Risk counts only this part.
    #[serde(default)]
    pub in_area_km: Option<Sourced<f64>>,
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
    /// Points the link passes between its nodes, in order (its drawn alignment for risk: accident
    /// positions, the individual-risk map). Without them the link is a straight line.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub waypoints: Vec<Position>,
}
