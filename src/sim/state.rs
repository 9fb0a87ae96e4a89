//! The mutable state of one replication: entities in arenas, facilities, places where trucks wait.

use crate::des::{ClosedClock, Container, Discipline, Resource, TimeWeighted, WaitTallies};
use crate::model::{FlowId, Link, RouteId, Site, SiteKind};

pub(crate) use super::ids::{Arena, EntityId};

/// Id of a consignment in its arena.
pub(crate) type ConsId = EntityId<Consignment>;
/// Id of a convoy (train or barge) in its arena.
pub(crate) type ConvoyId = EntityId<Convoy>;

/// Where a consignment is in its journey.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stage {
    /// Waiting for product in the origin tank (or for room in the origin dock's storage).
    AwaitOrigin,
    /// In a bay queue to be loaded.
    QueueLoad,
    /// Being loaded.
    Loading,
    /// On a road link.
    Driving,
    /// Stopped before a link (ban or closure).
    HeldAtLink,
    /// In a bay queue to be unloaded.
    QueueUnload,
    /// Being unloaded.
    Unloading,
    /// Unloaded, waiting for room in a tank or storage (holding the bay or the vessel).
    AwaitRoom,
    /// In transfer storage or in a formation pool, waiting for a train or barge.
    Pooled,
    /// On a train or barge.
    Aboard,
}

/// A truckload or wagonload of one flow, following its route.
pub(crate) struct Consignment {
    pub(crate) flow: FlowId,
    pub(crate) route: RouteId,
    pub(crate) tonnes: f64,
    pub(crate) hazmat: bool,
    pub(crate) leg: usize,
    /// Next link of the current road leg.
    pub(crate) link: usize,
    pub(crate) stage: Stage,
    /// Site where it is being loaded or unloaded on its own, as indexed for scenes (risk runs only).
    pub(crate) handled_at: Option<u32>,
    /// When the current wait began (link holds).
    pub(crate) since: f64,
    /// Place where the truck is counted while waiting loaded, if any.
    pub(crate) place: Option<usize>,
    /// When it started waiting at that place.
    pub(crate) place_since: f64,
    /// Convoy carrying it, while aboard.
    pub(crate) convoy: Option<ConvoyId>,
    /// Whether it sits in its leg's transfer storage (tonnes counted in the site's storage level).
    pub(crate) in_storage: bool,
    /// When the shipment was created.
    pub(crate) created: f64,
    /// Whether it holds a place in the blocking yard its road leg is bound for.
    pub(crate) yard_place: bool,
}

/// What a convoy is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ConvoyStage {
    /// Waiting for or using a berth to load.
    Loading,
    /// Between nodes on a link.
    Travelling,
    /// Waiting at a lock or in a lockage.
    AtLock,
    /// Waiting for a train path or a link to reopen.
    Held,
    /// Waiting for or using a berth or track to unload, or for room to put its cargo.
    Unloading,
}

/// A train or a barge running one leg template (and back, empty).
pub(crate) struct Convoy {
    /// Pool (leg template) it was formed in.
    pub(crate) pool: usize,
    pub(crate) cargo: Vec<ConsId>,
    pub(crate) tonnes: f64,
    pub(crate) hazmat_t: f64,
    /// Next link position (0-based) along the leg, in travel order.
    pub(crate) position: usize,
    pub(crate) returning: bool,
    pub(crate) stage: ConvoyStage,
    /// Puts still waiting for room at unloading.
    pub(crate) pending: u32,
    pub(crate) priority: i32,
    pub(crate) class_t: f64,
    pub(crate) wagons: u32,
    /// Berth group used at the current site, if any.
    pub(crate) berth: Option<usize>,
}

/// Cargo waiting for a train or barge between two sites.
pub(crate) struct Pool {
    /// Route and leg whose links the convoys follow.
    pub(crate) route: RouteId,
    pub(crate) leg: usize,
    pub(crate) capacity_t: f64,
    pub(crate) items: Vec<ConsId>,
    pub(crate) tonnes: f64,
    /// Bumped at each dispatch so that stale timeouts are ignored.
    pub(crate) generation: u32,
    pub(crate) dispatched: u64,
}

/// A consumer of a track: a wagon being loaded or a train being unloaded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TrackJob {
    Wagon(ConsId),
    Train(ConvoyId),
}

/// One berth group of a dock.
pub(crate) struct BerthGroup {
    pub(crate) class_t: f64,
    pub(crate) berths: Resource<ConvoyId>,
    pub(crate) tonnes: f64,
}

/// A site's facilities.
pub(crate) struct SiteState {
    pub(crate) road: Option<Resource<ConsId>>,
    pub(crate) rail: Option<Resource<TrackJob>>,
    pub(crate) berths: Vec<BerthGroup>,
    pub(crate) storage: Option<Container<Requester>>,
    /// The trucks' finite waiting space, if the site has one.
    pub(crate) yard: Option<super::yard::Yard>,
    pub(crate) road_tonnes: f64,
    pub(crate) rail_tonnes: f64,
    pub(crate) storage_in_t: f64,
}

impl SiteState {
    /// A site's facilities at the start of a replication: idle, empty.
    pub(crate) fn new(s: &Site) -> Self {
        let external = s.kind == SiteKind::External;
        let discipline = if s.priority {
            Discipline::Priority
        } else {
            Discipline::Fifo
        };
        SiteState {
            road: (!external && s.road_bays > 0)
                .then(|| Resource::new(0.0, s.road_bays, discipline)),
            rail: (!external && s.rail_tracks > 0)
                .then(|| Resource::new(0.0, s.rail_tracks, discipline)),
            berths: s
                .berths
                .iter()
                .map(|&(count, class_t)| BerthGroup {
                    class_t,
                    berths: Resource::new(0.0, count, discipline),
                    tonnes: 0.0,
                })
                .collect(),
            storage: s.storage_t.map(|cap| Container::new(0.0, cap, 0.0)),
            yard: s
                .truck_yard
                .filter(|_| !external)
                .map(|(space, overflow)| super::yard::Yard::new(space, overflow)),
            road_tonnes: 0.0,
            rail_tonnes: 0.0,
            storage_in_t: 0.0,
        }
    }
}

/// Who asked a tank or a storage for material.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Requester {
    Producer(usize),
    Consumer(usize),
    /// A park process (`Model::processes`).
    Process(usize),
    Cargo(ConsId),
}

/// A producer or consumer.
pub(crate) struct PlantState {
    pub(crate) blocked_since: Option<f64>,
    pub(crate) blocked_hours: f64,
}

/// A place where loaded hazmat trucks wait: a parking lot, or the roadside at a node without one.
pub(crate) struct Place {
    pub(crate) slots: u32,
    pub(crate) waiting: u32,
    pub(crate) in_lot: TimeWeighted,
    pub(crate) on_road: TimeWeighted,
}

impl Place {
    pub(crate) fn new(slots: u32) -> Self {
        Self {
            slots,
            waiting: 0,
            in_lot: TimeWeighted::new(0.0, 0.0),
            on_road: TimeWeighted::new(0.0, 0.0),
        }
    }

    /// A truck starts (`+1`) or stops (`-1`) waiting; trucks fill the lot first, the rest stand on the road.
    pub(crate) fn change(&mut self, now: f64, delta: i32) {
        self.waiting = (self.waiting as i64 + delta as i64).max(0) as u32;
        let in_lot = self.waiting.min(self.slots);
        self.in_lot.set(now, in_lot as f64);
        self.on_road.set(now, (self.waiting - in_lot) as f64);
    }
}

/// Who is held before a closed link.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Held {
    Truck(ConsId),
    Convoy(ConvoyId),
}

/// A link's dynamic state.
pub(crate) struct LinkState {
    pub(crate) closed: ClosedClock,
    /// Vehicles held until the link reopens, with the time they stopped.
    pub(crate) held: Vec<(Held, f64)>,
    /// Waits at the link entry (closures and hazmat bans).
    pub(crate) waits: WaitTallies,
    /// Train paths per direction (rail links with a path limit).
    pub(crate) paths: Option<[Resource<ConvoyId>; 2]>,
    pub(crate) vehicle_km: f64,
    pub(crate) hazmat_vehicle_km: f64,
    pub(crate) hazmat_tkm: f64,
    pub(crate) tonnes: f64,
}

impl LinkState {
    /// A link at the start of a replication: open, nothing held, nothing counted.
    pub(crate) fn new(l: &Link) -> Self {
        LinkState {
            closed: ClosedClock::new(0.0, false),
            held: Vec::new(),
            // Every wait before a link is a closure (or ban) wait.
            waits: {
                let mut w = WaitTallies::new();
                w.split_causes();
                w
            },
            paths: l.paths_per_day.map(|_| {
                [
                    Resource::new(0.0, 1, Discipline::Fifo),
                    Resource::new(0.0, 1, Discipline::Fifo),
                ]
            }),
            vehicle_km: 0.0,
            hazmat_vehicle_km: 0.0,
            hazmat_tkm: 0.0,
            tonnes: 0.0,
        }
    }
}
