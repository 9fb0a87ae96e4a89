//! Finite waiting space for the trucks queuing at a site's bays. Trucks beyond the space stand on the
//! road (counted), or, when the site blocks, a truck bound for a full yard stays at its loading bay (or,
//! coming from outside the network, at its origin) until a place frees, and holds that place while it
//! drives there.

use std::collections::VecDeque;

use super::Replication;
use super::metric::Metric;
use super::state::ConsId;
use crate::des::TimeWeighted;
use crate::model::Overflow;

/// A truck held back by a full yard: since when, and the site whose bay it holds (none from outside).
struct Held {
    truck: ConsId,
    since: f64,
    bay_at: Option<usize>,
}

/// A site's yard in a replication.
pub(crate) struct Yard {
    space: u32,
    overflow: Overflow,
    /// Places held by trucks on their way (blocking yards).
    reserved: u32,
    /// Trucks queued beyond the space (on the road), over time.
    beyond: TimeWeighted,
    held: VecDeque<Held>,
    blocked_hours: f64,
}

impl Yard {
    pub(crate) fn new(space: u32, overflow: Overflow) -> Self {
        Self {
            space,
            overflow,
            reserved: 0,
            beyond: TimeWeighted::new(0.0, 0.0),
            held: VecDeque::new(),
            blocked_hours: 0.0,
        }
    }

    /// Truck-hours spent held back by this yard up to `now`, including holds still running.
    pub(crate) fn blocked_hours(&self, now: f64) -> f64 {
        self.blocked_hours + self.held.iter().map(|h| now - h.since).sum::<f64>()
    }

    /// What the yard reports up to `now`: truck-hours beyond its space, and held back by it.
    pub(crate) fn figures(&self, now: f64) -> [(Metric, f64); 2] {
        [
            (Metric::OverflowVehicleHours, self.beyond.integral(now)),
            (Metric::BlockedVehicleHours, self.blocked_hours(now)),
        ]
    }

    /// Whether trucks bound here wait for a place before they set off.
    pub(crate) fn blocks(&self) -> bool {
        self.overflow == Overflow::Block
    }

    /// Restarts the statistics at `now` (end of warm-up).
    pub(crate) fn reset(&mut self, now: f64) {
        self.beyond.reset(now);
        self.blocked_hours = 0.0;
        for h in &mut self.held {
            h.since = now;
        }
    }
}

impl Replication<'_> {
    /// The yard of the site a truck's current road leg ends at, if that yard blocks.
    fn blocking_yard_ahead(&self, id: ConsId) -> Option<usize> {
        let c = self.cons.get(id);
        let site = self.m.routes[c.route].legs[c.leg].to;
        self.sites[site]
            .yard
            .as_ref()
            .is_some_and(Yard::blocks)
            .then_some(site)
    }

    /// A loaded truck is about to set off (from the bay at `bay_at`, or from outside the network): it goes
    /// if its destination's yard has a place (which it takes), else it waits where it is. Returns whether
    /// it may go.
    pub(crate) fn may_set_off(&mut self, id: ConsId, bay_at: Option<usize>) -> bool {
        let Some(site) = self.blocking_yard_ahead(id) else {
            return true;
        };
        let queued = self.sites[site].road.as_ref().map_or(0, |r| r.queue_len()) as u32;
        let now = self.sched.now();
        let yard = self.sites[site].yard.as_mut().expect("found above");
        if yard.held.is_empty() && queued + yard.reserved < yard.space {
            yard.reserved += 1;
            self.cons.get_mut(id).yard_place = true;
            return true;
        }
        yard.held.push_back(Held {
            truck: id,
            since: now,
            bay_at,
        });
        false
    }

    /// A truck that holds a place in `site`'s yard reaches the bays' queue: the place becomes its spot in
    /// the queue.
    pub(crate) fn yard_place_used(&mut self, id: ConsId, site: usize) {
        let c = self.cons.get_mut(id);
        if std::mem::take(&mut c.yard_place)
            && let Some(yard) = self.sites[site].yard.as_mut()
        {
            yard.reserved -= 1;
        }
    }

    /// The bays' queue at `site` changed: counts the trucks beyond the space and, where the yard blocks,
    /// lets held trucks set off into the places now free, in the order they were held.
    pub(crate) fn yard_changed(&mut self, site: usize) {
        let now = self.sched.now();
        let queued = self.sites[site].road.as_ref().map_or(0, |r| r.queue_len()) as u32;
        let Some(yard) = self.sites[site].yard.as_mut() else {
            return;
        };
        yard.beyond
            .set(now, queued.saturating_sub(yard.space) as f64);
        let mut released = Vec::new();
        while yard.blocks() && queued + yard.reserved < yard.space {
            let Some(h) = yard.held.pop_front() else {
                break;
            };
            yard.reserved += 1;
            yard.blocked_hours += now - h.since;
            released.push(h);
        }
        for h in released {
            self.cons.get_mut(h.truck).yard_place = true;
            if let Some(origin) = h.bay_at {
                self.release_truck_bay(origin);
            }
            self.drive_on(h.truck);
        }
    }
}
