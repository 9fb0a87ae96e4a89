//! One replication of the logistics model: shipments moving through parks, docks, locks, rail lines and
//! roads, on the discrete-event kernel.
//!
//! Cargo moves as *consignments* (a truckload or wagonload of one flow). On road legs a consignment is its
//! own truck. On rail and water legs consignments gather in a *pool* at the loading site until a *convoy*
//! (a train or a barge) is full or its first cargo has waited long enough; the convoy carries them to the
//! unloading site, where they continue on their own. Facilities are kernel resources (bays, tracks, berths,
//! train paths), containers (tanks, transfer storage), or the lock process of `lock.rs`.
//!
//! Files: `state.rs` (entities and facility state), `arrivals.rs` (shipment times under monthly and hourly
//! profiles), `availability.rs` (opening hours, closures, failures),
//! `cargo.rs` (consignments and trucks), `convoy.rs` (pools, trains, barges), `lock.rs` (ship locks and their rules), `chamber.rs` (what a
//! lock chamber holds: count, tonnage, vessels packed by length and beam),
//! `choice.rs` (mode choice per shipment), `process.rs` (park processes coupling tanks, with
//! restart marks), `tallies.rs` (cargo counters and the mass balance), `yard.rs` (finite
//! waiting space for trucks: overflow on the road, or blocking), `daily.rs`
//! (daily series and facility names), `output.rs` (metrics), `saturation.rs` (the guard against queues
//! that grow without bound), `risk/` (accidents sampled from what moves, parks and queues), `scene.rs`
//! (the units near an accident), `risk_output.rs` (risk metrics of a replication), `metric.rs` (the names of
//! metrics, wait causes and accident categories).

mod arrivals;
mod availability;
mod cargo;
mod chamber;
mod choice;
mod convoy;
mod daily;
mod ids;
mod lock;
mod metric;
mod output;
mod process;
mod risk;
mod risk_output;
mod saturation;
mod scene;
mod scene_index;
mod state;
mod tallies;
mod yard;

use crate::des::{Container, RngStream, Scheduler, StreamSeeder, Transfer, Woken};
use crate::model::{FlowId, HOURS_PER_YEAR, Model};

use arrivals::{profile_advance, seasonal_advance};
use availability::{Reason, TargetState};
use ids::{Ix, table};
use lock::LockState;
pub use metric::{Metric, SourceCategory, WaitCause};
pub use output::{DailySeries, MetricKey, ReplicationOutput};
pub use risk::{
    ANY_WEATHER, Accident, AccidentSource, Branch, Condition, Dispatch, ReleaseKind, Unmitigated,
    sampling_shares,
};
pub use risk_output::{FN_POINTS, MAX_DEPTH, can_escalate, facilities, facility_of};
pub use saturation::{DEFAULT_MAX_IN_SYSTEM, Saturation};
use state::*;

/// Share of a tank's capacity that incoming supply may fill, counting cargo on its way.
const REORDER_LEVEL: f64 = 0.9;

/// Everything that can happen.
///
/// Indices are `u32` so that an event is 12 bytes. The `u32` tag puts every payload at byte 4: with a
/// byte tag, the single-byte fields of some variants put the payload at byte 1, and the event queue's
/// copies became overlapping 8- and 4-byte moves that stall on store forwarding (a tenth of a network
/// model's run time).
#[derive(Clone, Copy, Debug)]
#[repr(u32)]
pub(crate) enum Event {
    /// A flow releases a shipment.
    Shipment(Ix<table::Flow>),
    /// A producer's batch is due.
    Produce(Ix<table::Producer>),
    /// A consumer's batch is due.
    Consume(Ix<table::Consumer>),
    /// A park process finished a batch.
    ProcessBatchDone(Ix<table::Process>),
    /// A truck finished loading or unloading at a site's road bays.
    TruckHandled(ConsId),
    /// A wagon finished loading at a site's tracks.
    WagonHandled(ConsId),
    /// A truck reached the end of its current road link.
    TruckArrived(ConsId),
    /// A truck's hazmat ban ended.
    TruckResume(ConsId),
    /// A pool's first cargo has waited the longest allowed (the pool's generation when the timeout was
    /// set: a pool emptied since ignores it).
    PoolTimeout(Ix<table::Pool>, u32),
    /// A convoy finished loading (berth) at its origin.
    ConvoyLoaded(ConvoyId),
    /// A convoy finished unloading (berth or track) at its destination.
    ConvoyUnloaded(ConvoyId),
    /// A convoy reached the end of a link.
    ConvoyArrived(ConvoyId),
    /// A train path's headway ends on a rail link direction.
    PathFree(Ix<table::Link>, u8),
    /// A lockage ends.
    LockageDone(Ix<table::Lock>, Ix<table::Chamber>),
    /// A chamber taking vessels until levelling shuts its doors: levelling starts.
    LevellingStarts(Ix<table::Lock>, Ix<table::Chamber>),
    /// A lockage held for more vessels reaches the end of its clustering window.
    LockRetry(Ix<table::Lock>),
    /// A target goes down for a reason.
    Down(Ix<table::Target>, Reason),
    /// A reason for a target to be down ends.
    Up(Ix<table::Target>, Reason),
    /// A site's shift period begins or ends: its servers at work change.
    ShiftChange(Ix<table::Site>),
    /// Midnight: record the day's series.
    Midnight,
    /// A timetabled train departure time.
    Timetable,
    /// End of the warm-up.
    WarmupEnd,
}

/// The running state of one replication.
pub struct Replication<'m> {
    pub(crate) m: &'m Model,
    pub(crate) replication: u64,
    pub(crate) seeder: StreamSeeder,
    pub(crate) sched: Scheduler<Event>,
    pub(crate) sites: Vec<SiteState>,
    pub(crate) tanks: Vec<Container<Requester>>,
    pub(crate) producers: Vec<PlantState>,
    pub(crate) consumers: Vec<PlantState>,
    pub(crate) processes: Vec<process::ProcessState>,
    pub(crate) locks: Vec<LockState>,
    pub(crate) links: Vec<LinkState>,
    pub(crate) places: Vec<Place>,
    pub(crate) place_of_node: Vec<usize>,
    pub(crate) pools: Vec<Pool>,
    /// Pool of each (route, leg) on rail and water legs.
    pub(crate) pool_of_leg: Vec<Vec<Option<usize>>>,
    pub(crate) cons: Arena<Consignment>,
    pub(crate) convoys: Arena<Convoy>,
    pub(crate) targets: Vec<TargetState>,
    pub(crate) target_of_site: Vec<Option<usize>>,
    pub(crate) target_of_line: Vec<Vec<Option<usize>>>,
    pub(crate) target_of_link: Vec<Option<usize>>,
    pub(crate) streams: Streams,
    /// What each route's generalised cost looks at (built when the run starts).
    pub(crate) probes: Vec<Vec<choice::Probe>>,
    pub(crate) woken: Vec<Woken<Requester>>,
    /// Tonnes on their way to each park tank (released, not yet in it).
    pub(crate) inbound_t: Vec<f64>,
    pub(crate) tally: tallies::Tallies,
    pub(crate) daily: daily::DailyRecorder,
    /// Accident sampling, if the model has a risk part.
    pub(crate) risk: Option<risk::RiskState>,
    /// Where the units a domino scene may hold stand (risk runs only).
    pub(crate) scene_index: Option<scene_index::SceneIndex>,
    /// The saturation guard's limit on consignments and convoys alive at once.
    pub(crate) max_in_system: usize,
    /// Set when the guard stopped the replication.
    pub(crate) saturation: Option<Saturation>,
    /// Whether any lock looks ahead at vessels on their way (clustering window, turning round ahead).
    pub(crate) lock_rules_look_ahead: bool,
}

/// Random streams, one per purpose (see `des::random` for the guarantee).
pub(crate) struct Streams {
    pub(crate) flow_arrivals: Vec<RngStream>,
    pub(crate) flow_choice: Vec<RngStream>,
    pub(crate) site_road: Vec<RngStream>,
    pub(crate) site_rail: Vec<RngStream>,
    pub(crate) link_travel: Vec<RngStream>,
    pub(crate) lock_cycles: Vec<Vec<RngStream>>,
}

impl Streams {
    /// The streams of replication `replication`, one per purpose and model element (common random
    /// numbers: adding an element leaves the others' draws alone).
    fn new(m: &Model, seeder: &StreamSeeder, replication: u64) -> Self {
        let stream = |name: String| seeder.stream(replication, &name);
        Streams {
            flow_arrivals: m
                .flows
                .iter()
                .map(|f| stream(format!("flow/{}/arrivals", f.id)))
                .collect(),
            flow_choice: m
                .flows
                .iter()
                .map(|f| stream(format!("flow/{}/choice", f.id)))
                .collect(),
            site_road: m
                .sites
                .iter()
                .map(|s| stream(format!("site/{}/road", s.id)))
                .collect(),
            site_rail: m
                .sites
                .iter()
                .map(|s| stream(format!("site/{}/rail", s.id)))
                .collect(),
            link_travel: m
                .links
                .iter()
                .map(|l| stream(format!("link/{}/travel", l.id)))
                .collect(),
            lock_cycles: m
                .locks
                .iter()
                .map(|l| {
                    l.lines
                        .iter()
                        .map(|line| stream(format!("lock/{}/{}/cycles", l.id, line.id)))
                        .collect()
                })
                .collect(),
        }
    }
}

/// The places where trucks wait: parking lots first, then the roadside at each node without a lot; and
/// the place of each node.
fn places_of(m: &Model) -> (Vec<Place>, Vec<usize>) {
    let mut places: Vec<Place> = m.parkings.iter().map(|p| Place::new(p.slots)).collect();
    let place_of_node: Vec<usize> = m
        .parking_of_node
        .iter()
        .map(|lot| match lot {
            Some(p) => *p,
            None => {
                places.push(Place::new(0));
                places.len() - 1
            }
        })
        .collect();
    (places, place_of_node)
}

impl<'m> Replication<'m> {
    /// Sets up replication `replication` of `model` with streams from `seeder`.
    pub fn new(model: &'m Model, seeder: &StreamSeeder, replication: u64) -> Self {
        let m = model;
        let streams = Streams::new(m, seeder, replication);
        let sites = m.sites.iter().map(SiteState::new).collect();
        let tanks = m
            .tanks
            .iter()
            .map(|t| Container::new(0.0, t.capacity_t, t.initial_t))
            .collect();
        let plant = || PlantState {
            blocked_since: None,
            blocked_hours: 0.0,
        };
        let links = m.links.iter().map(LinkState::new).collect();
        let (places, place_of_node) = places_of(m);
        let place_count = places.len();
        let (pools, pool_of_leg) = convoy::build_pools(m);
        let mut rep = Replication {
            m,
            replication,
            seeder: *seeder,
            sched: Scheduler::with_capacity(1024),
            sites,
            tanks,
            producers: m.producers.iter().map(|_| plant()).collect(),
            consumers: m.consumers.iter().map(|_| plant()).collect(),
            processes: m
                .processes
                .iter()
                .map(|_| process::ProcessState::new())
                .collect(),
            locks: m.locks.iter().map(LockState::new).collect(),
            links,
            places,
            place_of_node,
            pools,
            pool_of_leg,
            cons: Arena::new(),
            convoys: Arena::new(),
            targets: Vec::new(),
            target_of_site: vec![None; m.sites.len()],
            target_of_line: m.locks.iter().map(|l| vec![None; l.lines.len()]).collect(),
            target_of_link: vec![None; m.links.len()],
            streams,
            probes: Vec::new(),
            woken: Vec::new(),
            inbound_t: vec![0.0; m.tanks.len()],
            tally: tallies::Tallies::new(m),
            daily: daily::DailyRecorder::default(),
            risk: risk::RiskState::new(m, seeder, replication),
            scene_index: m
                .risk
                .as_ref()
                .map(|_| scene_index::SceneIndex::new(m.sites.len(), place_count)),
            max_in_system: DEFAULT_MAX_IN_SYSTEM,
            saturation: None,
            lock_rules_look_ahead: m.locks.iter().any(|l| l.watches_approaches()),
        };
        rep.daily = daily::DailyRecorder::new(&rep);
        rep
    }

    /// Sets the saturation guard's limit on consignments and convoys alive at once.
    pub fn with_max_in_system(mut self, limit: usize) -> Self {
        self.max_in_system = limit;
        self
    }

    /// Runs to the end of the horizon and returns the measurements.
    pub fn run(mut self) -> ReplicationOutput {
        let m = self.m;
        self.init_availability();
        self.probes = self.build_probes();
        // A flow or plant scaled to nothing (a demand factor of 0) never acts: its next time would be
        // infinite, or 0/0 for a plant, which would repeat at time 0 for ever.
        for f in 0..m.flows.len() {
            let first = self.next_shipment_time(f, 0.0);
            if first.is_finite() {
                self.sched.schedule_at(first, Event::Shipment(Ix::new(f)));
            }
        }
        for (i, p) in m.producers.iter().enumerate() {
            if p.rate_t_per_h > 0.0 && p.batch_t > 0.0 {
                self.sched
                    .schedule_in(p.batch_t / p.rate_t_per_h, Event::Produce(Ix::new(i)));
            }
        }
        for (i, c) in m.consumers.iter().enumerate() {
            if c.rate_t_per_h > 0.0 && c.batch_t > 0.0 {
                self.sched
                    .schedule_in(c.batch_t / c.rate_t_per_h, Event::Consume(Ix::new(i)));
            }
        }
        for (i, p) in m.processes.iter().enumerate() {
            if p.rate_t_per_h > 0.0 && p.batch_t > 0.0 {
                self.process_take_inputs(i, 0);
            }
        }
        self.start_shifts();
        self.sched.schedule_at(24.0, Event::Midnight);
        if let Some(every) = m.rules.rail_timetable_every_h {
            self.sched.schedule_at(every, Event::Timetable);
        }
        if m.warmup_h > 0.0 {
            self.sched.schedule_at(m.warmup_h, Event::WarmupEnd);
        }
        let end = m.run_h();
        while let Some(event) = self.sched.next_event_until(end) {
            self.dispatch(event);
            if self.saturation.is_some() {
                break;
            }
        }
        self.risk_flush();
        self.finish()
    }

    fn dispatch(&mut self, event: Event) {
        match event {
            Event::Shipment(f) => self.on_shipment(f.get()),
            Event::Produce(i) => self.on_produce(i.get()),
            Event::Consume(i) => self.on_consume(i.get()),
            Event::ProcessBatchDone(i) => self.on_process_batch_done(i.get()),
            Event::TruckHandled(c) => self.on_truck_handled(c),
            Event::WagonHandled(c) => self.on_wagon_handled(c),
            Event::TruckArrived(c) => self.on_truck_arrived(c),
            Event::TruckResume(c) => self.drive_on(c),
            Event::PoolTimeout(p, generation) => self.on_pool_timeout(p.get(), generation),
            Event::ConvoyLoaded(v) => self.on_convoy_loaded(v),
            Event::ConvoyUnloaded(v) => self.on_convoy_unloaded(v),
            Event::ConvoyArrived(v) => self.on_convoy_arrived(v),
            Event::PathFree(link, direction) => self.on_path_free(link.get(), direction),
            Event::LockageDone(l, k) => self.on_lockage_done(l.get(), k.get()),
            Event::LevellingStarts(l, k) => self.on_levelling_starts(l.get(), k.get()),
            Event::LockRetry(l) => self.on_lock_retry(l.get()),
            Event::Down(t, reason) => self.on_down(t.get(), reason),
            Event::Up(t, reason) => self.on_up(t.get(), reason),
            Event::Timetable => self.on_timetable(),
            Event::ShiftChange(s) => self.on_shift_change(s.get()),
            Event::Midnight => {
                self.saturation = self.check_saturation();
                self.risk_tank_day();
                self.record_day();
                self.sched.schedule_in(24.0, Event::Midnight);
            }
            Event::WarmupEnd => self.reset_statistics(),
        }
    }

    /// Time of the next shipment of flow `f` after `now`, following its (possibly seasonal) rate.
    fn next_shipment_time(&mut self, f: FlowId, now: f64) -> f64 {
        let flow = &self.m.flows[f];
        let rate = flow.t_per_year / flow.shipment_t / HOURS_PER_YEAR;
        let step: f64 = if flow.arrivals.regular {
            1.0
        } else {
            use rand::RngExt;
            let u: f64 = self.streams.flow_arrivals[f].random();
            -(1.0 - u).ln()
        };
        match (
            &flow.arrivals.monthly_factors,
            &flow.arrivals.hourly_factors,
        ) {
            (None, None) => now + step / rate,
            (Some(factors), None) => {
                seasonal_advance(now, step, rate, factors, self.m.start_day_of_year)
            }
            (monthly, Some(hourly)) => profile_advance(
                now,
                step,
                rate,
                monthly.as_ref().unwrap_or(&[1.0; 12]),
                hourly,
                self.m.start_day_of_year,
            ),
        }
    }

    fn on_shipment(&mut self, f: FlowId) {
        let now = self.sched.now();
        let next = self.next_shipment_time(f, now);
        if next.is_finite() {
            self.sched.schedule_at(next, Event::Shipment(Ix::new(f)));
        }
        let flow = &self.m.flows[f];
        // Supply into a park tank is pulled: nobody ships to a tank that this shipment and the cargo already
        // on its way would fill above the reorder level (otherwise a balanced stream into a tank is a random
        // walk that parks ever more trucks outside a full tank).
        if let Some(tank) = flow.destination_tank {
            let capacity = self.m.tanks[tank].capacity_t;
            if self.tanks[tank].level() + self.inbound_t[tank] + flow.shipment_t
                > REORDER_LEVEL * capacity
            {
                self.tally.skipped(f, flow.shipment_t);
                return;
            }
            self.inbound_t[tank] += flow.shipment_t;
        }
        let route = self.choose_route(f);
        let mut remaining = flow.shipment_t;
        while remaining > 1e-9 {
            let tonnes = remaining.min(flow.consignment_t);
            remaining -= tonnes;
            self.tally.shipped(self.m, f, route, tonnes);
            let id = self.cons.insert(Consignment {
                flow: f,
                route,
                tonnes,
                hazmat: self.m.commodities[flow.commodity].hazmat,
                leg: 0,
                link: 0,
                stage: Stage::AwaitOrigin,
                handled_at: None,
                since: now,
                place: None,
                place_since: 0.0,
                convoy: None,
                in_storage: false,
                created: now,
                yard_place: false,
            });
            self.start_at_origin(id);
        }
    }

    fn on_produce(&mut self, i: usize) {
        let now = self.sched.now();
        let p = &self.m.producers[i];
        let mut woken = std::mem::take(&mut self.woken);
        match self.tanks[p.tank].put(now, Requester::Producer(i), p.batch_t, &mut woken) {
            Transfer::Done => {
                self.tally.produced(p.tank, p.batch_t);
                self.sched
                    .schedule_in(p.batch_t / p.rate_t_per_h, Event::Produce(Ix::new(i)));
            }
            Transfer::Waiting => self.producers[i].blocked_since = Some(now),
            Transfer::Impossible => unreachable!("batches are clamped to the tank capacity"),
        }
        self.handle_woken(&mut woken);
        self.woken = woken;
    }

    fn on_consume(&mut self, i: usize) {
        let now = self.sched.now();
        let c = &self.m.consumers[i];
        let mut woken = std::mem::take(&mut self.woken);
        match self.tanks[c.tank].get(now, Requester::Consumer(i), c.batch_t, &mut woken) {
            Transfer::Done => {
                self.tally.consumed(c.tank, c.batch_t);
                self.sched
                    .schedule_in(c.batch_t / c.rate_t_per_h, Event::Consume(Ix::new(i)));
            }
            Transfer::Waiting => self.consumers[i].blocked_since = Some(now),
            Transfer::Impossible => unreachable!("batches are clamped to the tank capacity"),
        }
        self.handle_woken(&mut woken);
        self.woken = woken;
    }

    /// Continues everyone whose tank or storage request completed.
    pub(crate) fn handle_woken(&mut self, woken: &mut Vec<Woken<Requester>>) {
        // Handling a wake-up can wake others (a truck's put frees a consumer); drain until quiet. The
        // two buffers swap roles and `woken` goes back empty with its capacity, so the replication's
        // reusable buffer is not reallocated every time something wakes.
        let mut batch = std::mem::take(woken);
        while !batch.is_empty() {
            for w in batch.drain(..) {
                let now = self.sched.now();
                match w.requester {
                    Requester::Producer(i) => {
                        let p = &self.m.producers[i];
                        if let Some(since) = self.producers[i].blocked_since.take() {
                            self.producers[i].blocked_hours += now - since;
                        }
                        self.tally.produced(p.tank, p.batch_t);
                        self.sched
                            .schedule_in(p.batch_t / p.rate_t_per_h, Event::Produce(Ix::new(i)));
                    }
                    Requester::Consumer(i) => {
                        let c = &self.m.consumers[i];
                        if let Some(since) = self.consumers[i].blocked_since.take() {
                            self.consumers[i].blocked_hours += now - since;
                        }
                        self.tally.consumed(c.tank, c.batch_t);
                        self.sched
                            .schedule_in(c.batch_t / c.rate_t_per_h, Event::Consume(Ix::new(i)));
                    }
                    Requester::Process(i) => self.process_woken(i, w.side),
                    Requester::Cargo(id) => self.cargo_woken(id, w.side),
                }
            }
            std::mem::swap(woken, &mut batch);
        }
        // Both are empty now: keep the one with room.
        if batch.capacity() > woken.capacity() {
            std::mem::swap(woken, &mut batch);
        }
    }

    /// Puts the shift at work at time 0 on every site with a schedule, and schedules its next change.
    fn start_shifts(&mut self) {
        let m = self.m;
        for (s, site) in m.sites.iter().enumerate() {
            if let Some(next) = site.next_shift_change_h(0.0) {
                self.put_shift_to_work(s);
                self.sched.schedule_at(next, Event::ShiftChange(Ix::new(s)));
            }
        }
    }

    /// A shift period begins or ends: the new period's servers go to work, and the next change is due.
    fn on_shift_change(&mut self, s: usize) {
        self.put_shift_to_work(s);
        let now = self.sched.now();
        if let Some(next) = self.m.sites[s].next_shift_change_h(now) {
            self.sched.schedule_at(next, Event::ShiftChange(Ix::new(s)));
        }
    }

    /// An open site puts the servers of the shift now at work; a closed one (gate hours, a closure at
    /// time 0 included) finds them when it reopens.
    fn put_shift_to_work(&mut self, s: usize) {
        let open = self.target_of_site[s].is_none_or(|t| self.targets[t].down == 0);
        if open {
            self.set_site_capacity(s, true);
        }
    }

    /// Opens (with the servers of the shift at work) or closes every handling resource of a site.
    pub(crate) fn set_site_capacity(&mut self, s: usize, open: bool) {
        let now = self.sched.now();
        let site = &self.m.sites[s];
        let servers = site.servers_at(now);
        let mut started_trucks = Vec::new();
        let mut started_tracks = Vec::new();
        let mut started_berths = Vec::new();
        let state = &mut self.sites[s];
        if let Some(road) = state.road.as_mut() {
            road.set_capacity(
                now,
                if open { servers.road_bays } else { 0 },
                &mut started_trucks,
            );
        }
        if let Some(rail) = state.rail.as_mut() {
            rail.set_capacity(
                now,
                if open { servers.rail_tracks } else { 0 },
                &mut started_tracks,
            );
        }
        for (g, group) in state.berths.iter_mut().enumerate() {
            let mut started = Vec::new();
            group
                .berths
                .set_capacity(now, if open { servers.berths[g] } else { 0 }, &mut started);
            started_berths.extend(started.into_iter().map(|x| (g, x.customer)));
        }
        for s in started_trucks {
            self.truck_bay_granted(s.customer);
        }
        for s in started_tracks {
            self.track_granted(s.customer);
        }
        for (g, v) in started_berths {
            self.berth_granted(v, g);
        }
    }
}
