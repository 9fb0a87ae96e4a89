//! The compiled network: ids turned into dense indices, distributions validated into samplers, units
//! normalised to hours and tonnes, routes precomputed. Immutable; shared by all replications.

mod compile;
mod flows;
pub mod risk_model;
pub mod risk_tables;
mod routing;
mod workload;

pub use compile::{CompileError, compile};
pub use risk_model::{ContainerKind, ContainerRules, ResponseModel, RiskModel};
pub use workload::Starts;

use crate::des::Sampler;
pub use crate::scenario::{
    ByMode, CommodityKind, HandlingGroup, LockJoin, Mode, Overflow, RoadType,
};

/// Index of a node.
pub type NodeId = usize;
/// Index of a site (a node that handles cargo).
pub type SiteId = usize;
/// Index of a link.
pub type LinkId = usize;
/// Index of a flow.
pub type FlowId = usize;
/// Index of a route.
pub type RouteId = usize;
/// Index of a carrier.
pub type CarrierId = usize;
/// Index of a commodity.
pub type CommodityId = usize;
/// Index of a tank group.
pub type TankId = usize;
/// Index of a lock.
pub type LockId = usize;
/// Index of a parking lot.
pub type ParkingId = usize;

/// Hours in a (365-day) year.
pub const HOURS_PER_YEAR: f64 = 8760.0;

/// A commodity.
#[derive(Clone, Debug)]
pub struct Commodity {
    /// Scenario id.
    pub id: String,
    /// Hazard kind.
    pub kind: CommodityKind,
    /// True for dangerous goods.
    pub hazmat: bool,
    /// Handling group at docks.
    pub handling: HandlingGroup,
    /// Density, t/m3.
    pub density_t_per_m3: f64,
}

/// A vehicle type.
#[derive(Clone, Debug)]
pub struct Carrier {
    /// Scenario id.
    pub id: String,
    /// Mode.
    pub mode: Mode,
    /// Payload, t.
    pub payload_t: f64,
    /// Tare, t.
    pub tare_t: f64,
    /// Vessel class, t (water).
    pub vessel_class_t: f64,
    /// Speed for links without a travel time, km/h.
    pub speed_km_per_h: Option<f64>,
    /// Overall length, m (water), where given.
    pub length_m: Option<f64>,
    /// Beam, m (water), where given.
    pub beam_m: Option<f64>,
    /// May carry dangerous goods.
    pub hazmat: bool,
    /// Travels back empty after unloading.
    pub returns_empty: bool,
    /// Used only by flows that name it.
    pub named_only: bool,
}

/// What a node is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeKind {
    /// A site that handles cargo (park, dock, terminal, external).
    Site(SiteId),
    /// A ship lock.
    Lock(LockId),
    /// A plain junction.
    Junction,
}

/// A network node.
#[derive(Clone, Debug)]
pub struct Node {
    /// Scenario id.
    pub id: String,
    /// Readable name.
    pub name: String,
    /// Kind.
    pub kind: NodeKind,
    /// Longitude and latitude, degrees, if given.
    pub position: Option<(f64, f64)>,
}

/// Kind of site.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SiteKind {
    /// Chemical park.
    Park,
    /// River dock.
    Dock,
    /// Rail or road logistics terminal.
    Terminal,
    /// Outside the modelled area: unlimited, no handling.
    External,
}

/// Scheduled and random unavailability, compiled.
#[derive(Clone, Debug, Default)]
pub struct Availability {
    /// Daily open window (open hour, close hour), if not 24 h.
    pub daily_window: Option<(f64, f64)>,
    /// Yearly closures: (start, hours since simulation start modulo a year; length in hours).
    pub yearly_windows: Vec<(f64, f64)>,
    /// Random failures: (time between, duration), hours.
    pub failures: Option<(Sampler, Sampler)>,
}

impl Availability {
    /// True when nothing ever closes it.
    pub fn always_open(&self) -> bool {
        self.daily_window.is_none() && self.yearly_windows.is_empty() && self.failures.is_none()
    }
}

/// A node that handles cargo: loads and unloads vehicles, stores goods, transfers between modes.
#[derive(Clone, Debug)]
pub struct Site {
    /// Its node.
    pub node: NodeId,
    /// Scenario id (same as the node's).
    pub id: String,
    /// Kind.
    pub kind: SiteKind,
    /// Truck bays (0: no road handling; externals: unlimited, modelled as no handling).
    pub road_bays: u32,
    /// Hours per truck.
    pub truck_handling_h: Sampler,
    /// Rail tracks.
    pub rail_tracks: u32,
    /// Hours per wagon.
    pub wagon_handling_h: Sampler,
    /// Hours per truck of the commodities that have their own (else `truck_handling_h`).
    pub truck_handling_by_commodity: Vec<(CommodityId, Sampler)>,
    /// Hours per wagon of the commodities that have their own (else `wagon_handling_h`).
    pub wagon_handling_by_commodity: Vec<(CommodityId, Sampler)>,
    /// Berth groups: (count, vessel class t).
    pub berths: Vec<(u32, f64)>,
    /// The berth groups' counts (as in `berths`), for [`Site::servers_at`].
    pub berth_counts: Vec<u32>,
    /// Handling rate per handling group, t/h (docks).
    pub handling_t_per_h: Vec<(HandlingGroup, f64)>,
    /// Transfer storage, t (docks and terminals).
    pub storage_t: Option<f64>,
    /// May transfer dangerous goods.
    pub hazmat: bool,
    /// Design throughput from the plans, t/year (reported only).
    pub design_capacity_t_per_year: Option<f64>,
    /// Opening hours and closures.
    pub availability: Availability,
    /// Daily shift schedule (empty: every server at work whenever the site is open).
    pub shifts: Vec<ShiftServers>,
    /// Bays, tracks and berths serve lower `handling_priority` flows first (non-preemptive); FIFO when
    /// false.
    pub priority: bool,
    /// Trucks that can wait for the bays, and what those beyond do (unbounded, on the road, when none).
    pub truck_yard: Option<(u32, Overflow)>,
    /// Tank groups (parks).
    pub tanks: Vec<TankId>,
}

fn by_commodity(table: &[(CommodityId, Sampler)], commodity: CommodityId) -> Option<&Sampler> {
    table
        .iter()
        .find(|(c, _)| *c == commodity)
        .map(|(_, sampler)| sampler)
}

/// One period of a site's daily shift schedule, every count resolved (a count the scenario left out is
/// the site's full count).
#[derive(Clone, Debug, PartialEq)]
pub struct ShiftServers {
    /// Hour of the day the period begins.
    pub from_h: f64,
    /// Hour it ends (`to_h < from_h` wraps past midnight).
    pub to_h: f64,
    /// Truck bays at work.
    pub road_bays: u32,
    /// Rail tracks at work.
    pub rail_tracks: u32,
    /// Berths at work per berth group.
    pub berths: Vec<u32>,
}

impl ShiftServers {
    /// Whether the period covers `hour` (0 <= hour < 24).
    fn covers(&self, hour: f64) -> bool {
        if self.from_h < self.to_h {
            hour >= self.from_h && hour < self.to_h
        } else {
            hour >= self.from_h || hour < self.to_h
        }
    }
}

/// Servers of a site at work at one moment.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Servers<'a> {
    /// Truck bays.
    pub road_bays: u32,
    /// Rail tracks.
    pub rail_tracks: u32,
    /// Berths per berth group.
    pub berths: &'a [u32],
}

impl Site {
    /// The servers at work at time `now_h` (hours since the start) when the site is open: those of the
    /// shift period covering that hour of the day, else all of them.
    pub fn servers_at(&self, now_h: f64) -> Servers<'_> {
        // A nudge past the hour: a change scheduled at a period's first hour lands in that period.
        let hour = (crate::des::hour_of_day(now_h) + 1e-9).min(24.0 - 1e-9);
        match self.shifts.iter().find(|p| p.covers(hour)) {
            Some(p) => Servers {
                road_bays: p.road_bays,
                rail_tracks: p.rail_tracks,
                berths: &p.berths,
            },
            None => Servers {
                road_bays: self.road_bays,
                rail_tracks: self.rail_tracks,
                berths: &self.berth_counts,
            },
        }
    }

    /// The first time after `now_h` at which a shift period begins or ends; `None` without shifts.
    pub fn next_shift_change_h(&self, now_h: f64) -> Option<f64> {
        self.shifts
            .iter()
            .flat_map(|p| [p.from_h, p.to_h])
            .map(|hour| {
                let t = (now_h / 24.0).floor() * 24.0 + hour;
                if t <= now_h + 1e-9 { t + 24.0 } else { t }
            })
            .min_by(f64::total_cmp)
    }

    /// The handling time of one truck of `commodity`.
    pub fn truck_handling(&self, commodity: CommodityId) -> &Sampler {
        by_commodity(&self.truck_handling_by_commodity, commodity).unwrap_or(&self.truck_handling_h)
    }

    /// The handling time of one wagon of `commodity`.
    pub fn wagon_handling(&self, commodity: CommodityId) -> &Sampler {
        by_commodity(&self.wagon_handling_by_commodity, commodity).unwrap_or(&self.wagon_handling_h)
    }

    /// True for external sites (no handling, unlimited).
    pub fn is_external(&self) -> bool {
        self.kind == SiteKind::External
    }

    /// Whether the site can load or unload vehicles of `mode` (for `commodity_hazmat` goods).
    pub fn handles(&self, mode: Mode) -> bool {
        match self.kind {
            SiteKind::External => true,
            _ => match mode {
                Mode::Road => self.road_bays > 0,
                Mode::Rail => self.rail_tracks > 0,
                Mode::Water => !self.berths.is_empty(),
            },
        }
    }

    /// Handling rate for a group at the berths, t/h.
    pub fn berth_rate(&self, group: HandlingGroup) -> Option<f64> {
        self.handling_t_per_h
            .iter()
            .find(|(g, _)| *g == group)
            .map(|(_, r)| *r)
    }

    /// Handling rate for a group at the berths, t/h, or the site's slowest rate when it lists none for
    /// the group (infinite at a site without rates).
    pub fn berth_rate_or_slowest(&self, group: Option<HandlingGroup>) -> f64 {
        group.and_then(|g| self.berth_rate(g)).unwrap_or_else(|| {
            self.handling_t_per_h
                .iter()
                .map(|(_, r)| *r)
                .fold(f64::INFINITY, f64::min)
        })
    }
}

/// A tank group in a park.
#[derive(Clone, Debug)]
pub struct Tank {
    /// Park site.
    pub site: SiteId,
    /// Commodity.
    pub commodity: CommodityId,
    /// Capacity, t.
    pub capacity_t: f64,
    /// Level at time 0, t.
    pub initial_t: f64,
    /// Physical tanks sharing it.
    pub count: u32,
}

/// A producer or consumer attached to a tank.
#[derive(Clone, Debug)]
pub struct Plant {
    /// Tank filled or emptied.
    pub tank: TankId,
    /// Rate, t/h.
    pub rate_t_per_h: f64,
    /// Batch, t.
    pub batch_t: f64,
}

/// A park process turning inputs from tanks into a product, with restart marks (hysteresis).
#[derive(Clone, Debug)]
pub struct Process {
    /// `<park>/<process id>`.
    pub name: String,
    /// Tank the product goes to, if any.
    pub output: Option<TankId>,
    /// Product at full run, t/h.
    pub rate_t_per_h: f64,
    /// Product per batch, t.
    pub batch_t: f64,
    /// Input tanks, with tonnes per tonne of product.
    pub inputs: Vec<(TankId, f64)>,
    /// After starving, the share of its capacity the short input's tank must reach before a restart.
    pub restart_inputs_above: f64,
    /// After a full product tank stopped it, the share of its capacity that tank must drain to.
    pub restart_output_below: f64,
}

impl Process {
    /// The level input `k`'s tank must reach after a stop: its restart share, and at least a batch's.
    pub fn restart_input_level_t(&self, k: usize, tanks: &[Tank]) -> f64 {
        let (tank, per_t) = self.inputs[k];
        (self.restart_inputs_above * tanks[tank].capacity_t).max(self.batch_t * per_t)
    }

    /// The level the product tank must drain to after a stop: its restart share, and room for a batch.
    pub fn restart_output_level_t(&self, tanks: &[Tank]) -> f64 {
        self.output.map_or(0.0, |t| {
            (self.restart_output_below * tanks[t].capacity_t)
                .min(tanks[t].capacity_t - self.batch_t)
        })
    }
}

/// One chamber of a lock.
#[derive(Clone, Debug)]
pub struct LockLine {
    /// Id within the lock.
    pub id: String,
    /// Vessel class tonnage that fits at once (infinite when the chamber is limited by its size only).
    pub chamber_capacity_t: f64,
    /// Usable length and width, m, when vessels are packed by their size.
    pub chamber_size_m: Option<(f64, f64)>,
    /// Most vessels per lockage.
    pub max_vessels: u32,
    /// Fewest vessels a lockage waits for (within the lock's clustering window).
    pub min_vessels: u32,
    /// Duration of a lockage.
    pub cycle: LockCycle,
    /// Hours per empty lockage, by the side the chamber leaves from ([`LockCycle`]'s direction index).
    pub empty_cycle_h: [Sampler; 2],
    /// Closures of this line.
    pub availability: Availability,
}

/// How long a lockage takes.
#[derive(Clone, Debug)]
#[allow(clippy::large_enum_variant)] // a handful per model: boxing would buy nothing
pub enum LockCycle {
    /// One distribution for the whole lockage, whatever the number of vessels.
    Whole(Sampler),
    /// Two door operations, levelling, and entry and exit per vessel.
    Parts {
        /// One door operation.
        doors_h: Sampler,
        /// Levelling by the side the chamber leaves from: emptying when it leaves the upstream side (index
        /// 0, taking vessels down), filling when it leaves the downstream side (index 1). One sampler
        /// for both when the scenario gives a single `levelling_h`.
        levelling_h: [Sampler; 2],
        /// Entry of one vessel.
        entry_h: Sampler,
        /// Exit of one vessel.
        exit_h: Sampler,
    },
}

impl LockCycle {
    /// Mean hours of a lockage with `vessels` vessels.
    pub fn mean_h(&self, vessels: u32) -> f64 {
        match self {
            LockCycle::Whole(s) => s.mean(),
            LockCycle::Parts {
                doors_h,
                levelling_h,
                entry_h,
                exit_h,
            } => {
                2.0 * doors_h.mean()
                    + 0.5 * (levelling_h[0].mean() + levelling_h[1].mean())
                    + vessels as f64 * (entry_h.mean() + exit_h.mean())
            }
        }
    }
}

/// A ship lock.
#[derive(Clone, Debug)]
pub struct Lock {
    /// Node.
    pub node: NodeId,
    /// Scenario id.
    pub id: String,
    /// Node on the upstream side.
    pub upstream: NodeId,
    /// Chambers.
    pub lines: Vec<LockLine>,
    /// Serve lower priority numbers first.
    pub priority: bool,
    /// Until when vessels may join a lockage.
    pub join: LockJoin,
    /// How long a lockage may wait, from its first vessel's arrival, for vessels on their way or for
    /// `min_vessels`, h (0: never waits).
    pub clustering_window_h: f64,
    /// Turn an idle chamber round when a vessel sets off towards it on the other side.
    pub turn_round_ahead: bool,
}

impl Lock {
    /// Whether the lock needs to know which vessels are on their way to it.
    pub fn watches_approaches(&self) -> bool {
        self.clustering_window_h > 0.0 || self.turn_round_ahead
    }
}

/// A hazmat parking lot.
#[derive(Clone, Debug)]
pub struct Parking {
    /// Scenario id.
    pub id: String,
    /// Slots.
    pub slots: u32,
    /// Position, if given.
    pub position: Option<(f64, f64)>,
}

/// How long a link takes.
#[derive(Clone, Debug)]
pub enum TravelTime {
    /// A distribution given for the link (hours).
    Given(Sampler),
    /// Length over the vehicle's speed (rail and water without a given time).
    BySpeed,
}

/// A link.
#[derive(Clone, Debug)]
pub struct Link {
    /// Scenario id.
    pub id: String,
    /// Mode.
    pub mode: Mode,
    /// Start node.
    pub from: NodeId,
    /// End node.
    pub to: NodeId,
    /// Length, km.
    pub length_km: f64,
    /// Part of the length inside the modelled area, km.
    pub in_area_km: f64,
    /// Travel time.
    pub travel: TravelTime,
    /// Road type (road links).
    pub road_type: Option<RoadType>,
    /// Dangerous goods allowed.
    pub hazmat_allowed: bool,
    /// Daily hazmat entry bans, hours.
    pub hazmat_bans: Vec<(f64, f64)>,
    /// Train paths per day (rail), if limited.
    pub paths_per_day: Option<f64>,
    /// Largest vessel class (water), if limited.
    pub max_vessel_class_t: Option<f64>,
    /// Usable both ways.
    pub bidirectional: bool,
    /// Closures.
    pub availability: Availability,
    /// Points the link passes between its nodes (longitude, latitude), in order.
    pub waypoints: Vec<(f64, f64)>,
}

/// One vehicle leg of a route: from a site to a site on one mode.
#[derive(Clone, Debug)]
pub struct Leg {
    /// Mode.
    pub mode: Mode,
    /// Carrier.
    pub carrier: CarrierId,
    /// Site where cargo is loaded.
    pub from: SiteId,
    /// Site where cargo is unloaded.
    pub to: SiteId,
    /// Links in travel order, with `true` when traversed from `to` to `from` of the link.
    pub links: Vec<(LinkId, bool)>,
    /// Nodes passed, in order (first is `from`'s node, last is `to`'s).
    pub nodes: Vec<NodeId>,
}

/// A precomputed path of a flow on one chain of modes.
#[derive(Clone, Debug)]
pub struct Route {
    /// Label, e.g. `road+water`: the chain's main modes.
    pub label: String,
    /// The mode that carried most tonne-km (for mode shares).
    pub main_mode: Mode,
    /// Legs in order.
    pub legs: Vec<Leg>,
    /// Generalised cost per tonne with no waiting.
    pub static_cost_per_t: f64,
}

/// How shipments are timed.
#[derive(Clone, Debug)]
pub struct ArrivalLaw {
    /// Regular (true) or Poisson gaps.
    pub regular: bool,
    /// Monthly rate factors (mean 1), if seasonal.
    pub monthly_factors: Option<[f64; 12]>,
    /// Hour-of-day rate factors (mean 1), if the flow has a daily profile.
    pub hourly_factors: Option<[f64; 24]>,
}

/// A flow's way of choosing among its routes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Choice {
    /// Random draw with the given shares.
    Fixed,
    /// Least generalised cost at the time of the shipment.
    GeneralisedCost,
}

/// A freight flow.
#[derive(Clone, Debug)]
pub struct Flow {
    /// Scenario id.
    pub id: String,
    /// Commodity.
    pub commodity: CommodityId,
    /// Origin site.
    pub origin: SiteId,
    /// Destination site.
    pub destination: SiteId,
    /// Tonnes per year.
    pub t_per_year: f64,
    /// Tonnes per shipment.
    pub shipment_t: f64,
    /// Tonnes per consignment (the smallest payload along its routes: one truck or wagon load).
    pub consignment_t: f64,
    /// Timing.
    pub arrivals: ArrivalLaw,
    /// Choice rule.
    pub choice: Choice,
    /// Routes with their shares (fixed) or as alternatives (generalised cost).
    pub options: Vec<(RouteId, f64)>,
    /// Lock priority class.
    pub lock_priority: i32,
    /// Handling priority class at sites that give priority.
    pub handling_priority: i32,
    /// Background traffic.
    pub background: bool,
    /// Origin tank, if the origin park stores this commodity.
    pub origin_tank: Option<TankId>,
    /// Destination tank, if the destination park stores this commodity.
    pub destination_tank: Option<TankId>,
}

/// Train and barge formation and cost parameters.
#[derive(Clone, Debug)]
pub struct Rules {
    /// Wagons per train (after the weight limit).
    pub wagons_per_train: u32,
    /// Maximum gross train weight, t.
    pub max_train_weight_t: f64,
    /// Longest wait of a wagon for its train, h.
    pub rail_max_wait_h: f64,
    /// Trains leave on a timetable every this many hours, if set.
    pub rail_timetable_every_h: Option<f64>,
    /// Longest wait of cargo for its barge, h.
    pub water_max_wait_h: f64,
    /// Value of time per tonne-hour.
    pub value_of_time_per_t_h: f64,
}

/// The compiled scenario.
#[derive(Clone, Debug)]
pub struct Model {
    /// Scenario name.
    pub name: String,
    /// Observed hours after the warm-up.
    pub horizon_h: f64,
    /// Warm-up hours.
    pub warmup_h: f64,
    /// Day of the year at time 0.
    pub start_day_of_year: f64,
    /// Commodities.
    pub commodities: Vec<Commodity>,
    /// Carriers.
    pub carriers: Vec<Carrier>,
    /// Nodes.
    pub nodes: Vec<Node>,
    /// Sites.
    pub sites: Vec<Site>,
    /// Tanks.
    pub tanks: Vec<Tank>,
    /// Producers.
    pub producers: Vec<Plant>,
    /// Consumers.
    pub consumers: Vec<Plant>,
    /// Processes coupling tanks.
    pub processes: Vec<Process>,
    /// Locks.
    pub locks: Vec<Lock>,
    /// Parking lots.
    pub parkings: Vec<Parking>,
    /// Parking lot serving each node, if any.
    pub parking_of_node: Vec<Option<ParkingId>>,
    /// Links.
    pub links: Vec<Link>,
    /// Flows.
    pub flows: Vec<Flow>,
    /// Routes.
    pub routes: Vec<Route>,
    /// Formation and cost rules.
    pub rules: Rules,
    /// Population zones.
    pub population: Vec<PopulationZone>,
    /// Population conventions and background density.
    pub exposure: Exposure,
    /// Things the user should know that do not stop a run (chains without a route, skipped).
    pub warnings: Vec<String>,
    /// The accident-risk model, if the scenario has `[risk]`.
    pub risk: Option<RiskModel>,
}

/// A disc of uniform population density.
#[derive(Clone, Debug)]
pub struct PopulationZone {
    /// Scenario id.
    pub id: String,
    /// Centre longitude, degrees.
    pub lon: f64,
    /// Centre latitude, degrees.
    pub lat: f64,
    /// Radius, km.
    pub radius_km: f64,
    /// People per km2, day.
    pub day_per_km2: f64,
    /// People per km2, night.
    pub night_per_km2: f64,
}

/// Population outside the zones, and the day/night and indoor conventions.
#[derive(Clone, Debug)]
pub struct Exposure {
    /// People per km2 outside the zones, day.
    pub background_day_per_km2: f64,
    /// People per km2 outside the zones, night.
    pub background_night_per_km2: f64,
    /// Day starts (hour).
    pub day_start_h: f64,
    /// Day ends (hour).
    pub day_end_h: f64,
    /// Indoor share, day.
    pub indoor_fraction_day: f64,
    /// Indoor share, night.
    pub indoor_fraction_night: f64,
}

impl Model {
    /// Site at a node, if the node is a site.
    pub fn site_of_node(&self, node: NodeId) -> Option<SiteId> {
        match self.nodes[node].kind {
            NodeKind::Site(s) => Some(s),
            _ => None,
        }
    }

    /// Lock at a node, if the node is a lock.
    pub fn lock_of_node(&self, node: NodeId) -> Option<LockId> {
        match self.nodes[node].kind {
            NodeKind::Lock(l) => Some(l),
            _ => None,
        }
    }

    /// Total run length in hours (warm-up plus observed).
    pub fn run_h(&self) -> f64 {
        self.warmup_h + self.horizon_h
    }
}
