//! Daily averages of queue lengths and stock levels, and the names facilities carry in the outputs.

use super::Replication;
use super::metric::Metric;
use super::output::MetricKey;
use crate::des::TimeWeighted;
use crate::model::{Mode, Model};

/// Where a daily series reads its time-weighted quantity.
#[derive(Clone, Copy)]
pub(crate) enum Source {
    RoadQueue(usize),
    RailQueue(usize),
    BerthQueue(usize, usize),
    LockQueue(usize),
    Tank(usize),
    Storage(usize),
    Roadside(usize),
}

/// Collects daily averages: each day's integral of a quantity, divided by 24.
#[derive(Default)]
pub(crate) struct DailyRecorder {
    pub(crate) sources: Vec<Source>,
    pub(crate) keys: Vec<MetricKey>,
    /// Integral at the last midnight (since the last statistics reset).
    pub(crate) last: Vec<f64>,
    /// Part of the current day recorded before a statistics reset.
    pub(crate) carry: Vec<f64>,
    pub(crate) days: Vec<Vec<f64>>,
}

impl DailyRecorder {
    pub(crate) fn new(rep: &Replication) -> Self {
        let m = rep.m;
        let mut d = DailyRecorder::default();
        let mut add = |source, key| {
            d.sources.push(source);
            d.keys.push(key);
        };
        for (s, site) in m.sites.iter().enumerate() {
            let state = &rep.sites[s];
            if state.road.is_some() {
                add(
                    Source::RoadQueue(s),
                    MetricKey::new(
                        Metric::QueueMean,
                        format!("{}/road-bays", site.id),
                        "",
                        "vehicles",
                    ),
                );
            }
            if state.rail.is_some() {
                add(
                    Source::RailQueue(s),
                    MetricKey::new(
                        Metric::QueueMean,
                        format!("{}/rail-tracks", site.id),
                        "",
                        "vehicles",
                    ),
                );
            }
            for g in 0..state.berths.len() {
                add(
                    Source::BerthQueue(s, g),
                    MetricKey::new(Metric::QueueMean, berth_name(m, s, g), "", "vessels"),
                );
            }
            if state.storage.is_some() {
                add(
                    Source::Storage(s),
                    MetricKey::new(Metric::StockMeanT, format!("{}/storage", site.id), "", "t"),
                );
            }
        }
        for (l, lock) in m.locks.iter().enumerate() {
            add(
                Source::LockQueue(l),
                MetricKey::new(Metric::QueueMean, lock.id.clone(), "", "vessels"),
            );
        }
        for (t, tank) in m.tanks.iter().enumerate() {
            let _ = tank;
            add(
                Source::Tank(t),
                MetricKey::new(Metric::StockMeanT, tank_name(m, t), "", "t"),
            );
        }
        for (p, name) in place_names(m).into_iter().enumerate() {
            if let Some(name) = name {
                add(
                    Source::Roadside(p),
                    MetricKey::new(Metric::HazmatTrucksOnRoadMean, name, "", "vehicles"),
                );
            }
        }
        d.last = vec![0.0; d.sources.len()];
        d.carry = vec![0.0; d.sources.len()];
        d
    }

    pub(crate) fn integral(rep: &Replication, source: Source, now: f64) -> f64 {
        let tw: &TimeWeighted = match source {
            Source::RoadQueue(s) => {
                &rep.sites[s]
                    .road
                    .as_ref()
                    .expect("series only for existing bays")
                    .stats()
                    .queue_length
            }
            Source::RailQueue(s) => {
                &rep.sites[s]
                    .rail
                    .as_ref()
                    .expect("series only for existing tracks")
                    .stats()
                    .queue_length
            }
            Source::BerthQueue(s, g) => &rep.sites[s].berths[g].berths.stats().queue_length,
            Source::LockQueue(l) => &rep.locks[l].queue_length,
            Source::Tank(t) => rep.tanks[t].level_stats(),
            Source::Storage(s) => rep.sites[s]
                .storage
                .as_ref()
                .expect("series only for storage")
                .level_stats(),
            Source::Roadside(p) => &rep.places[p].on_road,
        };
        tw.integral(now)
    }
}

pub(crate) fn berth_name(m: &Model, s: usize, g: usize) -> String {
    let site = &m.sites[s];
    if site.berths.len() == 1 {
        format!("{}/berths", site.id)
    } else {
        format!("{}/berths-{}t", site.id, site.berths[g].1)
    }
}

pub(crate) fn tank_name(m: &Model, t: usize) -> String {
    let tank = &m.tanks[t];
    format!(
        "{}/{}",
        m.sites[tank.site].id, m.commodities[tank.commodity].id
    )
}

/// Names of the places where hazmat trucks may wait: every lot, and the roadside at every node with a road
/// link and no lot (`None` for places that cannot see a truck).
pub(crate) fn place_names(m: &Model) -> Vec<Option<String>> {
    let mut names: Vec<Option<String>> = m.parkings.iter().map(|p| Some(p.id.clone())).collect();
    for (node, lot) in m.parking_of_node.iter().enumerate() {
        if lot.is_none() {
            let on_road = m
                .links
                .iter()
                .any(|l| l.mode == Mode::Road && (l.from == node || l.to == node));
            names.push(on_road.then(|| format!("roadside:{}", m.nodes[node].id)));
        }
    }
    names
}

impl Replication<'_> {
    /// Before statistics restart mid-day, bank the part of the day already integrated.
    pub(crate) fn daily_checkpoint(&mut self) {
        let now = self.sched.now();
        for i in 0..self.daily.sources.len() {
            let integral = DailyRecorder::integral(self, self.daily.sources[i], now);
            self.daily.carry[i] += integral - self.daily.last[i];
            self.daily.last[i] = 0.0;
        }
    }

    pub(crate) fn record_day(&mut self) {
        let now = self.sched.now();
        let mut row = Vec::with_capacity(self.daily.sources.len());
        for i in 0..self.daily.sources.len() {
            let integral = DailyRecorder::integral(self, self.daily.sources[i], now);
            row.push((self.daily.carry[i] + integral - self.daily.last[i]) / 24.0);
            self.daily.carry[i] = 0.0;
            self.daily.last[i] = integral;
        }
        self.daily.days.push(row);
    }
}
