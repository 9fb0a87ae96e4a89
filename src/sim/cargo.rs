//! Consignments: origin pickup, truck loading and unloading, road driving with hazmat bans and closures,
//! transfers through storage, delivery.

use super::state::{ConsId, ConvoyId, Held, Requester, Stage, TrackJob};
use super::{Event, Replication};
use crate::des::{Request, Side, Transfer};
use crate::model::{Mode, TravelTime};

impl Replication<'_> {
    /// Starts a new consignment at its flow's origin.
    pub(crate) fn start_at_origin(&mut self, id: ConsId) {
        self.start_leg(id);
    }

    /// Begins the consignment's current leg at the leg's loading site.
    fn start_leg(&mut self, id: ConsId) {
        let m = self.m;
        let c = self.cons.get(id);
        let flow = &m.flows[c.flow];
        let leg = &m.routes[c.route].legs[c.leg];
        let site = &m.sites[leg.from];
        let at_origin = c.leg == 0;
        let (tonnes, mode) = (c.tonnes, leg.mode);
        if at_origin && !site.is_external() {
            // Cargo comes into being here: from the origin tank, or into the origin dock's storage.
            if let Some(tank) = flow.origin_tank {
                let mut woken = std::mem::take(&mut self.woken);
                let outcome = self.tanks[tank].get(
                    self.sched.now(),
                    Requester::Cargo(id),
                    tonnes,
                    &mut woken,
                );
                self.set_stage(id, Stage::AwaitOrigin);
                match outcome {
                    Transfer::Done => {
                        self.tally.picked_up(tank, tonnes);
                        self.load_or_pool(id);
                    }
                    Transfer::Waiting => {}
                    Transfer::Impossible => self.cargo_impossible(id),
                }
                self.handle_woken(&mut woken);
                self.woken = woken;
                return;
            }
            if mode != Mode::Road && self.sites[leg.from].storage.is_some() {
                self.set_stage(id, Stage::AwaitOrigin);
                self.put_into_storage(id, leg.from);
                return;
            }
        }
        self.load_or_pool(id);
    }

    /// A consignment too large for a tank or storage can never move: it is counted and dropped, so the
    /// mass balance shows it instead of the model hanging.
    fn cargo_impossible(&mut self, id: ConsId) {
        let c = self.remove_cons(id);
        self.tally.stranded(c.tonnes);
        if let Some(tank) = self.m.flows[c.flow].destination_tank {
            self.inbound_t[tank] -= c.tonnes;
        }
    }

    /// Cargo reached its destination tank: counted in, and no longer on its way.
    fn credit_tank(&mut self, tank: usize, tonnes: f64) {
        self.tally.received(tank, tonnes);
        self.inbound_t[tank] -= tonnes;
    }

    /// Puts the consignment into a site's transfer storage (waiting for room if needed); `stored_at`
    /// continues once it is in.
    fn put_into_storage(&mut self, id: ConsId, site: usize) {
        let now = self.sched.now();
        let tonnes = self.cons.get(id).tonnes;
        let mut woken = std::mem::take(&mut self.woken);
        let storage = self.sites[site]
            .storage
            .as_mut()
            .expect("transfer sites have storage");
        match storage.put(now, Requester::Cargo(id), tonnes, &mut woken) {
            Transfer::Done => self.stored_at(id, site),
            Transfer::Waiting => {}
            Transfer::Impossible => {
                if self.cons.get(id).stage == Stage::AwaitRoom {
                    self.vehicle_freed(id);
                }
                self.cargo_impossible(id);
            }
        }
        self.handle_woken(&mut woken);
        self.woken = woken;
    }

    /// The consignment is now in `site`'s storage: created at an origin dock (it loads or pools), or
    /// unloaded at a transfer site (its vehicle is free and its next leg begins).
    fn stored_at(&mut self, id: ConsId, site: usize) {
        let c = self.cons.get_mut(id);
        c.in_storage = true;
        let tonnes = c.tonnes;
        self.sites[site].storage_in_t += tonnes;
        if self.cons.get(id).stage == Stage::AwaitRoom {
            self.vehicle_freed(id);
            self.finish_leg(id);
        } else {
            self.load_or_pool(id);
        }
    }

    /// The priority class of a consignment at bays and tracks (used where the site gives priority).
    pub(crate) fn handling_priority(&self, id: ConsId) -> i32 {
        self.m.flows[self.cons.get(id).flow].handling_priority
    }

    /// The priority class of a train or barge at tracks and berths: that of its most urgent cargo.
    pub(crate) fn convoy_handling_priority(&self, v: ConvoyId) -> i32 {
        self.convoys
            .get(v)
            .cargo
            .iter()
            .map(|&id| self.handling_priority(id))
            .min()
            .unwrap_or(0)
    }

    /// Loads a truck or a wagon at the leg's loading site, or pools the cargo for a barge.
    fn load_or_pool(&mut self, id: ConsId) {
        let m = self.m;
        let c = self.cons.get(id);
        let leg = &m.routes[c.route].legs[c.leg];
        let site = leg.from;
        match leg.mode {
            Mode::Road if m.sites[site].is_external() => {
                if self.may_set_off(id, None) {
                    self.drive_on(id);
                }
            }
            Mode::Road => {
                self.set_stage(id, Stage::QueueLoad);
                let now = self.sched.now();
                let priority = self.handling_priority(id);
                let road = self.sites[site]
                    .road
                    .as_mut()
                    .expect("routing checked the site loads trucks");
                if road.request(now, id, priority) == Request::Granted {
                    self.truck_bay_granted(id);
                } else if self.cons.get(id).hazmat {
                    // A tanker waiting to load is still a dangerous-goods vehicle (empty, uncleaned, under
                    // ADR): it needs a lot as much as a loaded one.
                    self.join_place(id, m.sites[site].node);
                }
                self.yard_changed(site);
            }
            Mode::Rail if m.sites[site].is_external() => self.join_pool(id),
            Mode::Rail => {
                self.set_stage(id, Stage::QueueLoad);
                let now = self.sched.now();
                let priority = self.handling_priority(id);
                let rail = self.sites[site]
                    .rail
                    .as_mut()
                    .expect("routing checked the site loads wagons");
                if rail.request(now, TrackJob::Wagon(id), priority) == Request::Granted {
                    self.track_granted(TrackJob::Wagon(id));
                }
            }
            Mode::Water => self.join_pool(id),
        }
    }

    /// Takes the consignment out of the leg's loading-site storage (it is being loaded).
    fn take_from_storage(&mut self, id: ConsId, site: usize) {
        let c = self.cons.get_mut(id);
        if !c.in_storage {
            return;
        }
        c.in_storage = false;
        let tonnes = c.tonnes;
        let now = self.sched.now();
        let mut woken = std::mem::take(&mut self.woken);
        let storage = self.sites[site]
            .storage
            .as_mut()
            .expect("stored cargo has storage");
        let outcome = storage.get(now, Requester::Cargo(id), tonnes, &mut woken);
        debug_assert_eq!(outcome, Transfer::Done, "stored cargo is always there");
        self.handle_woken(&mut woken);
        self.woken = woken;
    }

    /// A truck got a bay: it stops waiting in a lot or on the road and is handled.
    pub(crate) fn truck_bay_granted(&mut self, id: ConsId) {
        let m = self.m;
        self.leave_place(id);
        let c = self.cons.get(id);
        let leg = &m.routes[c.route].legs[c.leg];
        let site = if c.stage == Stage::QueueLoad {
            leg.from
        } else {
            leg.to
        };
        if c.stage == Stage::QueueLoad {
            self.take_from_storage(id, site);
        }
        let handled = if self.cons.get(id).stage == Stage::QueueLoad {
            Stage::Loading
        } else {
            Stage::Unloading
        };
        self.set_stage(id, handled);
        let commodity = m.flows[self.cons.get(id).flow].commodity;
        let hours = m.sites[site]
            .truck_handling(commodity)
            .sample(&mut self.streams.site_road[site])
            .max(0.0);
        self.sched.schedule_in(hours, Event::TruckHandled(id));
        if self.cons.get(id).hazmat {
            self.risk_hose(id, site, hours);
        }
        self.yard_changed(site);
    }

    pub(crate) fn on_truck_handled(&mut self, id: ConsId) {
        let m = self.m;
        let c = self.cons.get(id);
        let leg = &m.routes[c.route].legs[c.leg];
        let tonnes = c.tonnes;
        if c.stage == Stage::Loading {
            self.sites[leg.from].road_tonnes += tonnes;
            if self.may_set_off(id, Some(leg.from)) {
                self.release_truck_bay(leg.from);
                self.drive_on(id);
            }
        } else {
            // Unloaded: the cargo already sits in the tank or storage it waited for.
            self.sites[leg.to].road_tonnes += tonnes;
            self.release_truck_bay(leg.to);
            self.finish_leg(id);
        }
    }

    /// A train's or barge's cargo is off at `site`: into the destination tank, delivered, or into transfer
    /// storage. The convoy (holding its berth or track) stays until all its cargo has found room: a full yard
    /// keeps a barge at its berth.
    pub(crate) fn unloaded(&mut self, id: ConsId, site: usize) {
        let m = self.m;
        let c = self.cons.get(id);
        let last_leg = c.leg + 1 == m.routes[c.route].legs.len();
        let (tonnes, flow) = (c.tonnes, c.flow);
        self.set_stage(id, Stage::AwaitRoom);
        if !last_leg && self.sites[site].storage.is_some() {
            self.put_into_storage(id, site);
            return;
        }
        let Some(tank) = m.flows[flow].destination_tank.filter(|_| last_leg) else {
            self.vehicle_freed(id);
            self.finish_leg(id);
            return;
        };
        let mut woken = std::mem::take(&mut self.woken);
        match self.tanks[tank].put(self.sched.now(), Requester::Cargo(id), tonnes, &mut woken) {
            Transfer::Done => self.in_destination_tank(id, tank),
            Transfer::Waiting => {}
            Transfer::Impossible => {
                self.vehicle_freed(id);
                self.cargo_impossible(id);
            }
        }
        self.handle_woken(&mut woken);
        self.woken = woken;
    }

    fn in_destination_tank(&mut self, id: ConsId, tank: usize) {
        self.credit_tank(tank, self.cons.get(id).tonnes);
        self.vehicle_freed(id);
        self.deliver(id);
    }

    /// The unloaded consignment has found room: its convoy has one fewer cargo to place.
    fn vehicle_freed(&mut self, id: ConsId) {
        if let Some(v) = self.cons.get_mut(id).convoy.take() {
            self.convoy_cargo_off(v);
        }
    }

    /// Moves on to the next leg, or delivers after the last.
    pub(crate) fn finish_leg(&mut self, id: ConsId) {
        let m = self.m;
        let c = self.cons.get_mut(id);
        if c.leg + 1 >= m.routes[c.route].legs.len() {
            self.deliver(id);
        } else {
            c.leg += 1;
            c.link = 0;
            self.start_leg(id);
        }
    }

    fn deliver(&mut self, id: ConsId) {
        let c = self.remove_cons(id);
        let now = self.sched.now();
        self.tally
            .delivered(self.m, c.flow, c.route, c.tonnes, now - c.created);
    }

    pub(crate) fn release_truck_bay(&mut self, site: usize) {
        let now = self.sched.now();
        let road = self.sites[site]
            .road
            .as_mut()
            .expect("trucks were handled here");
        if let Some(next) = road.release(now) {
            self.truck_bay_granted(next.customer);
        }
    }

    /// A tank or storage request of a consignment completed (the further wake-ups it causes are handled
    /// by the caller's loop).
    pub(crate) fn cargo_woken(&mut self, id: ConsId, side: Side) {
        let m = self.m;
        let c = self.cons.get(id);
        let leg = &m.routes[c.route].legs[c.leg];
        match (c.stage, side) {
            (Stage::AwaitOrigin, Side::Get) => {
                let tank = m.flows[c.flow]
                    .origin_tank
                    .expect("origin gets come from tanks");
                self.tally.picked_up(tank, c.tonnes);
                self.load_or_pool(id);
            }
            (Stage::AwaitOrigin, Side::Put) => self.stored_at(id, leg.from),
            (Stage::AwaitRoom, Side::Put) if c.convoy.is_none() => self.truck_has_room(id),
            (Stage::AwaitRoom, Side::Put) => {
                let last_leg = c.leg + 1 == m.routes[c.route].legs.len();
                match m.flows[c.flow].destination_tank.filter(|_| last_leg) {
                    Some(tank) => self.in_destination_tank(id, tank),
                    None => self.stored_at(id, leg.to),
                }
            }
            (stage, side) => unreachable!("consignment woken in stage {stage:?} for {side:?}"),
        }
    }

    /// Drives the next road link of the leg, or arrives at the leg's end.
    pub(crate) fn drive_on(&mut self, id: ConsId) {
        let m = self.m;
        let now = self.sched.now();
        let c = self.cons.get(id);
        if c.stage == Stage::HeldAtLink {
            let (waited, link) = (now - c.since, m.routes[c.route].legs[c.leg].links[c.link].0);
            self.links[link].waits.record(waited, waited);
            self.leave_place(id);
        }
        let c = self.cons.get(id);
        let leg = &m.routes[c.route].legs[c.leg];
        if c.link >= leg.links.len() {
            self.arrive_at_site(id);
            return;
        }
        let (l, reversed) = leg.links[c.link];
        let link = &m.links[l];
        let entry_node = if reversed { link.to } else { link.from };
        if self.links[l].closed.is_closed() {
            self.hold_truck(id, entry_node);
            self.links[l].held.push((Held::Truck(id), now));
            return;
        }
        if c.hazmat
            && let Some(end) = ban_end(&link.hazmat_bans, now)
        {
            self.hold_truck(id, entry_node);
            self.sched.schedule_at(end, Event::TruckResume(id));
            return;
        }
        let hours = match &link.travel {
            TravelTime::Given(s) => s.sample(&mut self.streams.link_travel[l]).max(0.0),
            TravelTime::BySpeed => {
                link.length_km / m.carriers[leg.carrier].speed_km_per_h.unwrap_or(50.0)
            }
        };
        let (tonnes, hazmat) = (c.tonnes, c.hazmat);
        let state = &mut self.links[l];
        state.vehicle_km += link.in_area_km;
        state.tonnes += tonnes;
        if hazmat {
            state.hazmat_vehicle_km += link.in_area_km;
            state.hazmat_tkm += tonnes * link.in_area_km;
        }
        self.set_stage(id, Stage::Driving);
        self.sched.schedule_in(hours, Event::TruckArrived(id));
        if hazmat {
            self.risk_truck_on_link(id, l, reversed, hours);
        }
    }

    fn hold_truck(&mut self, id: ConsId, node: usize) {
        let now = self.sched.now();
        self.set_stage(id, Stage::HeldAtLink);
        let c = self.cons.get_mut(id);
        c.since = now;
        if c.hazmat {
            self.join_place(id, node);
        }
    }

    pub(crate) fn on_truck_arrived(&mut self, id: ConsId) {
        self.cons.get_mut(id).link += 1;
        self.drive_on(id);
    }

    /// End of a road leg: unload at the site (queueing for a bay), or hand over at an external node.
    fn arrive_at_site(&mut self, id: ConsId) {
        let m = self.m;
        let c = self.cons.get(id);
        let site = m.routes[c.route].legs[c.leg].to;
        if m.sites[site].is_external() {
            self.finish_leg(id);
            return;
        }
        // A truck unloads only once its cargo has room (destination tank or transfer storage): until then it
        // waits outside, in the lot or on the road, rather than blocking a bay.
        let last_leg = c.leg + 1 == m.routes[c.route].legs.len();
        let tank = m.flows[c.flow].destination_tank.filter(|_| last_leg);
        let tonnes = c.tonnes;
        let now = self.sched.now();
        self.set_stage(id, Stage::AwaitRoom);
        let mut woken = std::mem::take(&mut self.woken);
        let outcome = match tank {
            Some(t) => self.tanks[t].put(now, Requester::Cargo(id), tonnes, &mut woken),
            None if !last_leg => match self.sites[site].storage.as_mut() {
                Some(storage) => storage.put(now, Requester::Cargo(id), tonnes, &mut woken),
                None => Transfer::Done,
            },
            None => Transfer::Done,
        };
        match outcome {
            Transfer::Done => self.truck_has_room(id),
            Transfer::Waiting => {
                if self.cons.get(id).hazmat {
                    self.join_place(id, m.sites[site].node);
                }
            }
            Transfer::Impossible => self.cargo_impossible(id),
        }
        self.handle_woken(&mut woken);
        self.woken = woken;
    }

    /// The truck's cargo has room at its unloading site (already counted in the tank or storage): it
    /// stops waiting outside and queues for a bay.
    fn truck_has_room(&mut self, id: ConsId) {
        let m = self.m;
        self.leave_place(id);
        let c = self.cons.get(id);
        let site = m.routes[c.route].legs[c.leg].to;
        let last_leg = c.leg + 1 == m.routes[c.route].legs.len();
        let tonnes = c.tonnes;
        match m.flows[c.flow].destination_tank.filter(|_| last_leg) {
            Some(tank) => self.credit_tank(tank, tonnes),
            None if !last_leg && self.sites[site].storage.is_some() => {
                self.sites[site].storage_in_t += tonnes;
                self.cons.get_mut(id).in_storage = true;
            }
            None => {}
        }
        self.set_stage(id, Stage::QueueUnload);
        self.yard_place_used(id, site);
        let now = self.sched.now();
        let priority = self.handling_priority(id);
        let road = self.sites[site]
            .road
            .as_mut()
            .expect("routing checked the site unloads trucks");
        match road.request(now, id, priority) {
            Request::Granted => self.truck_bay_granted(id),
            Request::Queued => {
                if self.cons.get(id).hazmat {
                    self.join_place(id, m.sites[site].node);
                }
            }
        }
        self.yard_changed(site);
    }

    /// A loaded hazmat truck starts waiting at `node`: in its lot if there is room, else on the road.
    fn join_place(&mut self, id: ConsId, node: usize) {
        let place = self.place_of_node[node];
        let now = self.sched.now();
        self.places[place].change(now, 1);
        let c = self.cons.get_mut(id);
        c.place = Some(place);
        c.place_since = now;
        self.index_waiting(id, place, true);
    }

    fn leave_place(&mut self, id: ConsId) {
        if let Some(place) = self.cons.get(id).place {
            // Accidents of the wait just ending, while the tanker still stands there.
            let since = self.cons.get(id).place_since;
            self.risk_parked(id, place, since);
            let now = self.sched.now();
            self.places[place].change(now, -1);
            self.cons.get_mut(id).place = None;
            self.index_waiting(id, place, false);
        }
    }

    /// A link reopens: everyone held before it moves on.
    pub(crate) fn release_link(&mut self, l: usize) {
        let now = self.sched.now();
        let held = std::mem::take(&mut self.links[l].held);
        for (who, since) in held {
            match who {
                Held::Truck(id) => self.drive_on(id),
                Held::Convoy(v) => {
                    self.links[l].waits.record(now - since, now - since);
                    self.convoy_move_on(v);
                }
            }
        }
    }

    /// A wagon got a track at its loading site (or a train at its unloading site).
    pub(crate) fn track_granted(&mut self, job: TrackJob) {
        let m = self.m;
        match job {
            TrackJob::Wagon(id) => {
                let c = self.cons.get(id);
                let leg = &m.routes[c.route].legs[c.leg];
                let (site, carrier) = (leg.from, leg.carrier);
                self.take_from_storage(id, site);
                self.set_stage(id, Stage::Loading);
                let c = self.cons.get(id);
                // Handling time is per full wagon; a part load takes its share.
                let share = (c.tonnes / m.carriers[carrier].payload_t).min(1.0);
                let commodity = m.flows[c.flow].commodity;
                let hours = m.sites[site]
                    .wagon_handling(commodity)
                    .sample(&mut self.streams.site_rail[site])
                    .max(0.0)
                    * share;
                self.sched.schedule_in(hours, Event::WagonHandled(id));
                if self.cons.get(id).hazmat {
                    self.risk_hose(id, site, hours);
                }
            }
            TrackJob::Train(v) => self.train_track_granted(v),
        }
    }

    pub(crate) fn on_wagon_handled(&mut self, id: ConsId) {
        let m = self.m;
        let c = self.cons.get(id);
        let site = m.routes[c.route].legs[c.leg].from;
        self.sites[site].rail_tonnes += c.tonnes;
        self.release_track(site);
        self.join_pool(id);
    }

    pub(crate) fn release_track(&mut self, site: usize) {
        let now = self.sched.now();
        let rail = self.sites[site]
            .rail
            .as_mut()
            .expect("wagons were handled here");
        if let Some(next) = rail.release(now) {
            self.track_granted(next.customer);
        }
    }
}

/// If a hazmat ban is in force at `now`, the time it ends.
fn ban_end(bans: &[(f64, f64)], now: f64) -> Option<f64> {
    if bans.is_empty() {
        return None;
    }
    let hour = crate::des::hour_of_day(now);
    let day_start = now - hour;
    bans.iter()
        .find(|(from, to)| hour >= *from && hour < *to)
        .map(|(_, to)| day_start + to)
}

#[cfg(test)]
mod tests {
    use super::ban_end;

    #[test]
    fn bans_hold_until_their_end_hour() {
        let bans = [(7.0, 9.0), (17.0, 19.0)];
        assert_eq!(ban_end(&bans, 24.0 + 8.0), Some(24.0 + 9.0));
        assert_eq!(ban_end(&bans, 10.0), None);
        assert_eq!(ban_end(&bans, 17.0), Some(19.0));
    }
}
