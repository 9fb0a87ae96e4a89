//! The logistic cascade: an accident closes its link or facility, and the delay that causes is counted
//! when the closure ends; waits still open at the end of the run are sampled for accidents.

use super::super::Replication;
use super::super::availability::{Reason, Target};
use super::super::state::ConsId;
use super::{AccidentSource, ActiveClosure};
use crate::des::RngStream;
use crate::model::Mode;
use crate::scenario::ClosureMode;
use rand::RngExt;

impl Replication<'_> {
    /// Whether and for how long the accident closes its link or facility.
    pub(super) fn closure_hours(
        &self,
        source: AccidentSource,
        weight: f64,
        rng: &mut RngStream,
    ) -> f64 {
        let m = self.m;
        let r = self.risk_model();
        let closes = match r.closure_mode {
            ClosureMode::Off => false,
            ClosureMode::EverySampled => true,
            ClosureMode::Real => rng.random::<f64>() < weight,
        };
        if !closes || self.closure_targets(source).is_empty() {
            return 0.0;
        }
        let hours = match source {
            AccidentSource::Transport(l) => &r.closure_h.link[m.links[l].mode],
            // A lock closes the waterway.
            AccidentSource::Lock(_) => &r.closure_h.link[Mode::Water],
            _ => &r.closure_h.facility,
        };
        hours.sample(rng).max(0.0)
    }

    pub(super) fn closure_targets(&self, source: AccidentSource) -> Vec<Target> {
        let m = self.m;
        match source {
            AccidentSource::Transport(l) => vec![Target::Link(l)],
            AccidentSource::Tank(t) => vec![Target::Site(m.tanks[t].site)],
            AccidentSource::Loading(s) | AccidentSource::Berth(s) => vec![Target::Site(s)],
            AccidentSource::Lock(l) => (0..m.locks[l].lines.len())
                .map(|k| Target::LockLine(l, k))
                .collect(),
            AccidentSource::Parking(_) | AccidentSource::Roadside(_) => Vec::new(),
        }
    }

    /// Closes `target` for `hours` because of an accident.
    pub(super) fn accident_closure(&mut self, target: Target, hours: f64) {
        let index = self.target_index(target);
        let now = self.sched.now();
        let (queue_integral, waiting_integral) = self.closure_integrals(target, now);
        let risk = self.risk.as_mut().expect("risk state");
        risk.closures += 1;
        risk.closure_hours += hours;
        risk.active.push(ActiveClosure {
            target: index,
            start: now,
            queue_integral,
            waiting_integral,
        });
        self.go_down(index, Reason::Accident);
        self.sched.schedule_in(
            hours,
            super::super::Event::Up(super::super::ids::Ix::new(index), Reason::Accident),
        );
    }

    /// Vehicles queued at a target and hazmat trucks waiting at its node, integrated over time.
    fn closure_integrals(&self, target: Target, now: f64) -> (f64, f64) {
        match target {
            Target::Site(s) => {
                let site = &self.sites[s];
                let mut q = 0.0;
                if let Some(road) = &site.road {
                    q += road.stats().queue_length.integral(now);
                }
                if let Some(rail) = &site.rail {
                    q += rail.stats().queue_length.integral(now);
                }
                for g in &site.berths {
                    q += g.berths.stats().queue_length.integral(now);
                }
                let place = &self.places[self.place_of_node[self.m.sites[s].node]];
                (q, place.in_lot.integral(now) + place.on_road.integral(now))
            }
            Target::LockLine(l, _) => (self.locks[l].queue_length.integral(now), 0.0),
            Target::Link(_) => (0.0, 0.0),
        }
    }

    /// An accident closure ends: counts the delay it caused (before the target reopens).
    pub(crate) fn accident_closure_ends(&mut self, index: usize) {
        let now = self.sched.now();
        let target = self.targets[index].target;
        let Some(risk) = self.risk.as_mut() else {
            return;
        };
        let Some(k) = risk.active.iter().position(|a| a.target == index) else {
            return;
        };
        let closure = risk.active.remove(k);
        let (delay, hazmat) = match target {
            Target::Link(l) => {
                let mut all = 0.0;
                let mut hazmat = 0.0;
                for &(who, since) in &self.links[l].held {
                    let held = now - since.max(closure.start);
                    all += held;
                    if let super::super::state::Held::Truck(id) = who
                        && self.cons.get(id).hazmat
                    {
                        hazmat += held;
                    }
                    if let super::super::state::Held::Convoy(v) = who
                        && self.convoys.get(v).hazmat_t > 0.0
                    {
                        hazmat += held;
                    }
                }
                (all, hazmat)
            }
            _ => {
                let (q, w) = self.closure_integrals(target, now);
                (
                    (q - closure.queue_integral).max(0.0),
                    (w - closure.waiting_integral).max(0.0),
                )
            }
        };
        let risk = self.risk.as_mut().expect("risk state");
        risk.delay_veh_h += delay;
        risk.delay_hazmat_veh_h += hazmat;
    }

    /// Samples the waits still open at the end of the run (tankers in lots and on the road).
    pub(crate) fn risk_flush(&mut self) {
        if self.risk.is_none() {
            return;
        }
        let waiting: Vec<(ConsId, usize, f64)> = self
            .cons
            .iter_live()
            .filter_map(|(id, c)| c.place.map(|p| (id, p, c.place_since)))
            .collect();
        for (id, p, since) in waiting {
            self.risk_parked(id, p, since);
        }
    }
}
