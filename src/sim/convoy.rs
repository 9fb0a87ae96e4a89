//! Trains and barges: formation pools, berths, train paths, travel (through locks), unloading and the
//! empty trip back.

use std::collections::BTreeMap;

use super::ids::Ix;
use super::state::{ConsId, Convoy, ConvoyId, ConvoyStage, Held, Pool, Stage, TrackJob};
use super::{Event, Replication};
use crate::des::{Request, Transfer};
use crate::model::{LinkId, Mode, Model, NodeId, TravelTime};

/// What makes two legs share trains or barges: loading site, unloading site, carrier, links.
type LegKey = (usize, usize, usize, Vec<(LinkId, bool)>);

/// One pool per distinct (loading site, unloading site, carrier, links) among rail and water legs, so that
/// flows sharing a leg share its trains and barges.
pub(crate) fn build_pools(m: &Model) -> (Vec<Pool>, Vec<Vec<Option<usize>>>) {
    let mut pools = Vec::new();
    let mut index: BTreeMap<LegKey, usize> = BTreeMap::new();
    let pool_of_leg = m
        .routes
        .iter()
        .enumerate()
        .map(|(r, route)| {
            route
                .legs
                .iter()
                .enumerate()
                .map(|(k, leg)| {
                    if leg.mode == Mode::Road {
                        return None;
                    }
                    let key = (leg.from, leg.to, leg.carrier, leg.links.clone());
                    Some(*index.entry(key).or_insert_with(|| {
                        let carrier = &m.carriers[leg.carrier];
                        let capacity_t = match leg.mode {
                            Mode::Rail => train_wagons(m, leg.carrier) as f64 * carrier.payload_t,
                            _ => carrier.payload_t,
                        };
                        pools.push(Pool {
                            route: r,
                            leg: k,
                            capacity_t,
                            items: Vec::new(),
                            tonnes: 0.0,
                            generation: 0,
                            dispatched: 0,
                        });
                        pools.len() - 1
                    }))
                })
                .collect()
        })
        .collect();
    (pools, pool_of_leg)
}

/// Wagons per train: the formation rule, limited by the maximum train weight.
pub(crate) fn train_wagons(m: &Model, carrier: usize) -> u32 {
    let c = &m.carriers[carrier];
    let by_weight = (m.rules.max_train_weight_t / (c.payload_t + c.tare_t)).floor() as u32;
    m.rules.wagons_per_train.min(by_weight).max(1)
}

const EPSILON_T: f64 = 1e-9;

impl Replication<'_> {
    /// Cargo joins the pool of its leg; a full pool leaves at once.
    pub(crate) fn join_pool(&mut self, id: ConsId) {
        self.set_stage(id, Stage::Pooled);
        let c = self.cons.get(id);
        let (tonnes, p) = (
            c.tonnes,
            self.pool_of_leg[c.route][c.leg].expect("rail and water legs have pools"),
        );
        if !self.pools[p].items.is_empty()
            && self.pools[p].tonnes + tonnes > self.pools[p].capacity_t + EPSILON_T
        {
            self.dispatch_pool(p);
        }
        let pool = &mut self.pools[p];
        pool.items.push(id);
        pool.tonnes += tonnes;
        let mode = self.m.routes[pool.route].legs[pool.leg].mode;
        let timetabled = mode == Mode::Rail && self.m.rules.rail_timetable_every_h.is_some();
        if pool.items.len() == 1 && !timetabled {
            let wait = match mode {
                Mode::Rail => self.m.rules.rail_max_wait_h,
                _ => self.m.rules.water_max_wait_h,
            };
            self.sched
                .schedule_in(wait, Event::PoolTimeout(Ix::new(p), pool.generation));
        }
        if pool.tonnes >= pool.capacity_t - EPSILON_T {
            self.dispatch_pool(p);
        }
    }

    /// A timetabled departure: every rail pool with wagons ready sends a train.
    pub(crate) fn on_timetable(&mut self) {
        let every = self
            .m
            .rules
            .rail_timetable_every_h
            .expect("timetable events only with a timetable");
        self.sched.schedule_in(every, Event::Timetable);
        for p in 0..self.pools.len() {
            let pool = &self.pools[p];
            if !pool.items.is_empty() && self.m.routes[pool.route].legs[pool.leg].mode == Mode::Rail
            {
                self.dispatch_pool(p);
            }
        }
    }

    pub(crate) fn on_pool_timeout(&mut self, p: usize, generation: u32) {
        if self.pools[p].generation == generation && !self.pools[p].items.is_empty() {
            self.dispatch_pool(p);
        }
    }

    /// Forms a convoy from the pool's cargo and starts it.
    fn dispatch_pool(&mut self, p: usize) {
        let m = self.m;
        let pool = &mut self.pools[p];
        pool.generation = pool.generation.wrapping_add(1);
        pool.dispatched += 1;
        let cargo = std::mem::take(&mut pool.items);
        let tonnes = std::mem::replace(&mut pool.tonnes, 0.0);
        let leg = &m.routes[pool.route].legs[pool.leg];
        let carrier = &m.carriers[leg.carrier];
        let mut hazmat_t = 0.0;
        let mut priority = i32::MAX;
        for &id in &cargo {
            let c = self.cons.get(id);
            if c.hazmat {
                hazmat_t += c.tonnes;
            }
            priority = priority.min(m.flows[c.flow].lock_priority);
        }
        let v = self.convoys.insert(Convoy {
            pool: p,
            cargo,
            tonnes,
            hazmat_t,
            position: 0,
            returning: false,
            stage: ConvoyStage::Loading,
            pending: 0,
            priority,
            class_t: carrier.vessel_class_t,
            wagons: (tonnes / carrier.payload_t).ceil().max(1.0) as u32,
            berth: None,
        });
        let cargo = self.convoys.get(v).cargo.clone();
        self.index_new_convoy(v);
        for id in cargo {
            self.set_stage(id, Stage::Aboard);
            self.cons.get_mut(id).convoy = Some(v);
        }
        if leg.mode == Mode::Water && !m.sites[leg.from].is_external() {
            self.request_berth(v, leg.from);
        } else {
            self.convoy_move_on(v);
        }
    }

    /// Joins the best berth group at `site`: the smallest fitting group with a free berth, else the fitting
    /// group with the shortest queue per berth.
    fn request_berth(&mut self, v: ConvoyId, site: usize) {
        let now = self.sched.now();
        let class = self.convoys.get(v).class_t;
        let groups = &self.sites[site].berths;
        let fitting = (0..groups.len()).filter(|&g| groups[g].class_t >= class - EPSILON_T);
        let free = fitting
            .clone()
            .filter(|&g| {
                groups[g].berths.busy() < groups[g].berths.capacity()
                    && groups[g].berths.queue_len() == 0
            })
            .min_by(|&a, &b| groups[a].class_t.total_cmp(&groups[b].class_t));
        let best = free.or_else(|| {
            fitting.min_by(|&a, &b| {
                let load = |g: usize| {
                    (groups[g].berths.queue_len() + 1) as f64
                        / groups[g].berths.nominal_capacity().max(1) as f64
                };
                load(a).total_cmp(&load(b))
            })
        });
        let g = best.unwrap_or(0); // routing checked that some berth fits
        self.convoys.get_mut(v).berth = Some(g);
        let priority = self.convoy_handling_priority(v);
        if self.sites[site].berths[g].berths.request(now, v, priority) == Request::Granted {
            self.berth_granted(v, g);
        }
    }

    /// Hours to move `tonnes` of the convoy's cargo across a berth of `site`.
    fn berth_hours(&self, v: ConvoyId, site: usize) -> f64 {
        let m = self.m;
        let s = &m.sites[site];
        self.convoys
            .get(v)
            .cargo
            .iter()
            .map(|&id| {
                let c = self.cons.get(id);
                let group = m.commodities[m.flows[c.flow].commodity].handling;
                c.tonnes / s.berth_rate_or_slowest(Some(group))
            })
            .sum()
    }

    /// A convoy got a berth: it loads (at its origin) or unloads.
    pub(crate) fn berth_granted(&mut self, v: ConvoyId, g: usize) {
        let m = self.m;
        let convoy = self.convoys.get(v);
        let leg = &m.routes[self.pools[convoy.pool].route].legs[self.pools[convoy.pool].leg];
        self.convoys.get_mut(v).berth = Some(g);
        if self.convoys.get(v).stage == ConvoyStage::Loading {
            let cargo = self.convoys.get(v).cargo.clone();
            for id in cargo {
                self.take_storage_for_convoy(id, leg.from);
            }
            let hours = self.berth_hours(v, leg.from);
            self.sched.schedule_in(hours, Event::ConvoyLoaded(v));
            let site = leg.from;
            self.risk_berth(v, site, hours);
        } else {
            let hours = self.berth_hours(v, leg.to);
            self.sched.schedule_in(hours, Event::ConvoyUnloaded(v));
            let site = leg.to;
            self.risk_berth(v, site, hours);
        }
    }

    fn take_storage_for_convoy(&mut self, id: ConsId, site: usize) {
        let c = self.cons.get_mut(id);
        if !c.in_storage {
            return;
        }
        c.in_storage = false;
        let tonnes = c.tonnes;
        let now = self.sched.now();
        let mut woken = std::mem::take(&mut self.woken);
        if let Some(storage) = self.sites[site].storage.as_mut() {
            let outcome = storage.get(now, super::state::Requester::Cargo(id), tonnes, &mut woken);
            debug_assert_eq!(outcome, Transfer::Done);
        }
        self.handle_woken(&mut woken);
        self.woken = woken;
    }

    pub(crate) fn on_convoy_loaded(&mut self, v: ConvoyId) {
        let m = self.m;
        let convoy = self.convoys.get(v);
        let site = m.routes[self.pools[convoy.pool].route].legs[self.pools[convoy.pool].leg].from;
        let (g, tonnes) = (convoy.berth.expect("loaded at a berth"), convoy.tonnes);
        self.sites[site].berths[g].tonnes += tonnes;
        self.release_berth(site, g);
        self.convoy_move_on(v);
    }

    fn release_berth(&mut self, site: usize, g: usize) {
        let now = self.sched.now();
        if let Some(next) = self.sites[site].berths[g].berths.release(now) {
            self.berth_granted(next.customer, g);
        }
    }

    /// The convoy's `i`-th link in travel order (reversed on the way back) and the node it leads to.
    fn convoy_step(&self, v: ConvoyId, i: usize) -> (LinkId, bool, NodeId) {
        let convoy = self.convoys.get(v);
        let pool = &self.pools[convoy.pool];
        let leg = &self.m.routes[pool.route].legs[pool.leg];
        let n = leg.links.len();
        if convoy.returning {
            let (l, reversed) = leg.links[n - 1 - i];
            (l, !reversed, leg.nodes[n - 1 - i])
        } else {
            let (l, reversed) = leg.links[i];
            (l, reversed, leg.nodes[i + 1])
        }
    }

    /// Departs on the next link, or arrives at the end of the leg.
    pub(crate) fn convoy_move_on(&mut self, v: ConvoyId) {
        let m = self.m;
        let now = self.sched.now();
        let convoy = self.convoys.get(v);
        let pool = &self.pools[convoy.pool];
        let leg = &m.routes[pool.route].legs[pool.leg];
        if convoy.position >= leg.links.len() {
            self.convoy_at_end(v);
            return;
        }
        let (l, reversed, _) = self.convoy_step(v, convoy.position);
        if self.links[l].closed.is_closed() {
            self.set_convoy_stage(v, ConvoyStage::Held);
            self.links[l].held.push((Held::Convoy(v), now));
            return;
        }
        if self.links[l].paths.is_some() {
            let direction = reversed as usize;
            self.set_convoy_stage(v, ConvoyStage::Held);
            let paths = self.links[l].paths.as_mut().expect("checked above");
            if paths[direction].request(now, v, 0) == Request::Queued {
                return;
            }
            let headway = 24.0 / m.links[l].paths_per_day.expect("paths imply a limit");
            self.sched
                .schedule_in(headway, Event::PathFree(Ix::new(l), direction as u8));
        }
        self.convoy_travel(v, l);
    }

    fn convoy_travel(&mut self, v: ConvoyId, l: LinkId) {
        let m = self.m;
        let link = &m.links[l];
        let convoy = self.convoys.get(v);
        let carrier = &m.carriers
            [m.routes[self.pools[convoy.pool].route].legs[self.pools[convoy.pool].leg].carrier];
        let hours = match &link.travel {
            TravelTime::Given(s) => s.sample(&mut self.streams.link_travel[l]).max(0.0),
            TravelTime::BySpeed => link.length_km / carrier.speed_km_per_h.unwrap_or(10.0),
        };
        let (tonnes, hazmat_t) = if convoy.returning {
            (0.0, 0.0)
        } else {
            (convoy.tonnes, convoy.hazmat_t)
        };
        let state = &mut self.links[l];
        state.vehicle_km += link.in_area_km;
        state.tonnes += tonnes;
        if hazmat_t > 0.0 {
            state.hazmat_vehicle_km += link.in_area_km;
            state.hazmat_tkm += hazmat_t * link.in_area_km;
        }
        self.set_convoy_stage(v, ConvoyStage::Travelling);
        self.sched.schedule_in(hours, Event::ConvoyArrived(v));
        let reversed = self.convoy_reversed(v, l);
        self.risk_convoy_on_link(v, l, reversed, hours);
        if self.lock_rules_look_ahead {
            self.announce_to_lock(v, l, hours);
        }
    }

    /// Tells the lock at the end of link `l`, if the convoy passes one there, that it will arrive in
    /// `hours` (see `on_convoy_arrived`: a lock at the last node is not passed).
    fn announce_to_lock(&mut self, v: ConvoyId, l: LinkId, hours: f64) {
        let m = self.m;
        let position = self.convoys.get(v).position;
        let (_, _, node) = self.convoy_step(v, position);
        let pool = &self.pools[self.convoys.get(v).pool];
        let more_links = position + 1 < m.routes[pool.route].legs[pool.leg].links.len();
        if let Some(lock) = m.lock_of_node(node).filter(|_| more_links) {
            let came_from = if m.links[l].from == node {
                m.links[l].to
            } else {
                m.links[l].from
            };
            self.lock_approach(lock, v, came_from, hours);
        }
    }

    /// Whether convoy `v` runs link `l` from its `to` end (for positions along the link).
    fn convoy_reversed(&self, v: ConvoyId, l: LinkId) -> bool {
        let convoy = self.convoys.get(v);
        let pool = &self.pools[convoy.pool];
        let leg = &self.m.routes[pool.route].legs[pool.leg];
        let forward = leg
            .links
            .iter()
            .find(|(x, _)| *x == l)
            .is_some_and(|(_, reversed)| *reversed);
        if convoy.returning { !forward } else { forward }
    }

    pub(crate) fn on_path_free(&mut self, l: LinkId, direction: u8) {
        let now = self.sched.now();
        let paths = self.links[l]
            .paths
            .as_mut()
            .expect("path events only on limited links");
        if let Some(next) = paths[direction as usize].release(now) {
            let headway = 24.0 / self.m.links[l].paths_per_day.expect("limited");
            self.sched
                .schedule_in(headway, Event::PathFree(Ix::new(l), direction));
            self.convoy_travel(next.customer, l);
        }
    }

    pub(crate) fn on_convoy_arrived(&mut self, v: ConvoyId) {
        let m = self.m;
        let position = self.convoys.get(v).position;
        let (l, _, node) = self.convoy_step(v, position);
        self.convoys.get_mut(v).position += 1;
        let pool = &self.pools[self.convoys.get(v).pool];
        let more_links = position + 1 < m.routes[pool.route].legs[pool.leg].links.len();
        match m.lock_of_node(node) {
            Some(lock) if more_links => {
                let came_from = if m.links[l].from == node {
                    m.links[l].to
                } else {
                    m.links[l].from
                };
                self.set_convoy_stage(v, ConvoyStage::AtLock);
                self.lock_arrival(lock, v, came_from);
            }
            _ => self.convoy_move_on(v),
        }
    }

    /// End of the links: unload at the far site, or vanish after an empty trip back.
    fn convoy_at_end(&mut self, v: ConvoyId) {
        let m = self.m;
        let convoy = self.convoys.get(v);
        if convoy.returning {
            self.remove_convoy(v);
            return;
        }
        let pool = &self.pools[convoy.pool];
        let leg = &m.routes[pool.route].legs[pool.leg];
        let site = leg.to;
        self.set_convoy_stage(v, ConvoyStage::Unloading);
        let now = self.sched.now();
        if m.sites[site].is_external() {
            self.on_convoy_unloaded(v);
        } else if leg.mode == Mode::Water {
            self.request_berth(v, site);
        } else {
            let priority = self.convoy_handling_priority(v);
            let rail = self.sites[site]
                .rail
                .as_mut()
                .expect("routing checked the site unloads trains");
            if rail.request(now, TrackJob::Train(v), priority) == Request::Granted {
                self.train_track_granted(v);
            }
        }
    }

    /// A train got a track at its unloading site.
    pub(crate) fn train_track_granted(&mut self, v: ConvoyId) {
        let m = self.m;
        let convoy = self.convoys.get(v);
        let site = m.routes[self.pools[convoy.pool].route].legs[self.pools[convoy.pool].leg].to;
        let wagons = convoy.wagons as f64;
        // A train carries one leg template's cargo: one flow, one commodity.
        let handling = match convoy.cargo.first() {
            Some(&id) => m.sites[site].wagon_handling(m.flows[self.cons.get(id).flow].commodity),
            None => &m.sites[site].wagon_handling_h,
        };
        let hours = handling.sample(&mut self.streams.site_rail[site]).max(0.0) * wagons;
        self.sched.schedule_in(hours, Event::ConvoyUnloaded(v));
        self.risk_train_unloading(v, site, hours);
    }

    /// The cargo comes off: each consignment looks for room (tank, storage) or is delivered.
    pub(crate) fn on_convoy_unloaded(&mut self, v: ConvoyId) {
        let m = self.m;
        let convoy = self.convoys.get_mut(v);
        let cargo = std::mem::take(&mut convoy.cargo);
        convoy.pending = cargo.len() as u32;
        let (tonnes, berth) = (convoy.tonnes, convoy.berth);
        let pool = &self.pools[convoy.pool];
        let leg = &m.routes[pool.route].legs[pool.leg];
        let site = leg.to;
        match (leg.mode, berth) {
            (Mode::Water, Some(g)) if !m.sites[site].is_external() => {
                self.sites[site].berths[g].tonnes += tonnes
            }
            (Mode::Rail, _) if !m.sites[site].is_external() => {
                self.sites[site].rail_tonnes += tonnes
            }
            _ => {}
        }
        if cargo.is_empty() {
            self.convoy_unloading_done(v);
            return;
        }
        for id in cargo {
            self.unloaded(id, site);
        }
    }

    /// One consignment of the convoy has found room.
    pub(crate) fn convoy_cargo_off(&mut self, v: ConvoyId) {
        let convoy = self.convoys.get_mut(v);
        convoy.pending -= 1;
        if convoy.pending == 0 {
            self.convoy_unloading_done(v);
        }
    }

    fn convoy_unloading_done(&mut self, v: ConvoyId) {
        let m = self.m;
        let convoy = self.convoys.get(v);
        let pool = &self.pools[convoy.pool];
        let leg = &m.routes[pool.route].legs[pool.leg];
        let (site, mode, berth) = (leg.to, leg.mode, convoy.berth);
        if !m.sites[site].is_external() {
            match (mode, berth) {
                (Mode::Water, Some(g)) => self.release_berth(site, g),
                (Mode::Rail, _) => self.release_track(site),
                _ => {}
            }
        }
        if m.carriers[leg.carrier].returns_empty {
            let convoy = self.convoys.get_mut(v);
            convoy.returning = true;
            convoy.position = 0;
            convoy.tonnes = 0.0;
            convoy.hazmat_t = 0.0;
            self.convoy_move_on(v);
        } else {
            self.remove_convoy(v);
        }
    }
}
