//! The saturation guard: a replication whose consignments pile up without bound stops, and says where,
//! instead of allocating until the process aborts.
//!
//! A system loaded beyond what it can serve has no steady state: its queues grow linearly with time, and
//! a year of it can hold millions of waiting trucks. The guard counts the entities alive once a
//! simulated day (so it costs nothing per event) and stops the replication when they pass the limit.

use super::Replication;
use super::daily::berth_name;

/// Entities (consignments and convoys) a replication may hold at once unless told otherwise. The plan at
/// 8 times its demand peaks near 150,000; the plan at 1000 times its demand stopped at 2.07 million with
/// a peak resident size of 0.30 GB (about 150 bytes an entity with its events and queue places).
pub const DEFAULT_MAX_IN_SYSTEM: usize = 2_000_000;

/// Why and where a replication stopped.
#[derive(Clone, Debug, PartialEq)]
pub struct Saturation {
    /// Simulated day at which the limit was passed.
    pub day: f64,
    /// Consignments and convoys alive then.
    pub in_system: usize,
    /// The limit.
    pub limit: usize,
    /// The facility with the longest queue, and its length.
    pub longest_queue: Option<(String, usize)>,
    /// The flow with the most consignments in the system, and their count.
    pub largest_flow: Option<(String, usize)>,
}

impl std::fmt::Display for Saturation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} consignments and convoys were in the system on day {:.0}, more than the limit of {}",
            self.in_system, self.day, self.limit
        )?;
        if let Some((facility, waiting)) = &self.longest_queue {
            write!(
                f,
                "; the longest queue is at {facility}: {waiting} waiting, growing by about {:.0} a day",
                *waiting as f64 / self.day.max(1.0)
            )?;
        }
        if let Some((flow, count)) = &self.largest_flow {
            write!(f, "; flow {flow} has {count} consignments in the system")?;
        }
        write!(
            f,
            ". The system is saturated: demand exceeds what it can serve, so its queues grow without \
             bound. Lower the demand or add capacity (raise the limit with --max-in-system only if the \
             peak is finite)"
        )
    }
}

impl Replication<'_> {
    /// Checks the guard; returns the saturation found, if any.
    pub(crate) fn check_saturation(&self) -> Option<Saturation> {
        let in_system = self.cons.len() + self.convoys.len();
        if in_system <= self.max_in_system {
            return None;
        }
        Some(Saturation {
            day: self.sched.now() / 24.0,
            in_system,
            limit: self.max_in_system,
            longest_queue: self.longest_queue(),
            largest_flow: self.largest_flow(),
        })
    }

    fn longest_queue(&self) -> Option<(String, usize)> {
        let m = self.m;
        let mut queues: Vec<(String, usize)> = Vec::new();
        for (s, state) in self.sites.iter().enumerate() {
            let id = &m.sites[s].id;
            if let Some(r) = &state.road {
                queues.push((format!("{id}/road-bays"), r.queue_len()));
            }
            if let Some(r) = &state.rail {
                queues.push((format!("{id}/rail-tracks"), r.queue_len()));
            }
            for (g, group) in state.berths.iter().enumerate() {
                queues.push((berth_name(m, s, g), group.berths.queue_len()));
            }
        }
        for (l, lock) in self.locks.iter().enumerate() {
            queues.push((m.locks[l].id.clone(), lock.waiting()));
        }
        queues
            .into_iter()
            .filter(|(_, n)| *n > 0)
            .max_by_key(|(_, n)| *n)
    }

    fn largest_flow(&self) -> Option<(String, usize)> {
        let mut per_flow = vec![0usize; self.m.flows.len()];
        for c in self.cons.live() {
            per_flow[c.flow] += 1;
        }
        per_flow
            .iter()
            .enumerate()
            .max_by_key(|(_, n)| **n)
            .filter(|(_, n)| **n > 0)
            .map(|(f, n)| (self.m.flows[f].id.clone(), *n))
    }
}
