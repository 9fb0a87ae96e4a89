//! What a replication reports: the final list of metrics (the same keys, in the same order, in every
//! replication of a model), the daily series, and the statistics reset at the end of the warm-up.

use super::Replication;
use super::daily::{berth_name, place_names, tank_name};
use super::metric::{Metric, WaitCause};
use super::state::Stage;
use crate::des::WaitTallies;
use crate::model::{ByMode, Mode};

/// Identifies one measured quantity: a tidy row's key.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MetricKey {
    /// What is measured.
    pub metric: Metric,
    /// Of what (a facility, commodity, mode, link, flow; `all` for totals).
    pub subject: String,
    /// A breakdown of the subject (a cause, a mode), or empty.
    pub detail: String,
    /// Unit.
    pub unit: &'static str,
}

impl MetricKey {
    pub(crate) fn new(
        metric: Metric,
        subject: impl Into<String>,
        detail: impl Into<String>,
        unit: &'static str,
    ) -> Self {
        Self {
            metric,
            subject: subject.into(),
            detail: detail.into(),
            unit,
        }
    }
}

/// Daily averages of queue lengths and stock levels.
#[derive(Clone, Debug, Default)]
pub struct DailySeries {
    /// What each column is.
    pub keys: Vec<MetricKey>,
    /// One row per simulated day (warm-up included), one value per key.
    pub days: Vec<Vec<f64>>,
}

/// Everything one replication reports.
#[derive(Clone, Debug)]
pub struct ReplicationOutput {
    /// Metrics in a fixed order.
    pub metrics: Vec<(MetricKey, f64)>,
    /// Daily series.
    pub daily: DailySeries,
    /// Events processed.
    pub events: u64,
    /// Events scheduled at a bad time (a model bug; see `Scheduler::bad_times`).
    pub bad_event_times: u64,
    /// |demand - delivered - in system| / demand over the whole run (0 when nothing was demanded).
    pub mass_balance_relative_error: f64,
    /// Sampled accidents of the observed period (empty without a risk model).
    pub accidents: Vec<super::Accident>,
    /// Set when the saturation guard stopped the replication early: its figures are not to be used.
    pub saturation: Option<super::Saturation>,
}

fn push_waits(out: &mut Vec<(MetricKey, f64)>, subject: &str, waits: &WaitTallies) {
    let closed = waits.closed();
    for (cause, tally) in [
        (WaitCause::Total, waits.total()),
        (WaitCause::Congestion, waits.congestion()),
        (WaitCause::Closed, &closed),
    ] {
        out.push((
            MetricKey::new(Metric::WaitHoursMean, subject, cause.name(), "h"),
            tally.mean(),
        ));
        out.push((
            MetricKey::new(Metric::WaitHoursP95, subject, cause.name(), "h"),
            tally.quantile(0.95).unwrap_or(0.0),
        ));
    }
}

impl Replication<'_> {
    /// Statistics restart at the end of the warm-up; state (queues, stocks, cargo) carries on.
    pub(crate) fn reset_statistics(&mut self) {
        let now = self.sched.now();
        self.daily_checkpoint();
        for s in &mut self.sites {
            if let Some(r) = s.road.as_mut() {
                r.reset_stats(now);
            }
            if let Some(r) = s.rail.as_mut() {
                r.reset_stats(now);
            }
            for g in &mut s.berths {
                g.berths.reset_stats(now);
                g.tonnes = 0.0;
            }
            if let Some(c) = s.storage.as_mut() {
                c.reset_stats(now);
            }
            if let Some(y) = s.yard.as_mut() {
                y.reset(now);
            }
            s.road_tonnes = 0.0;
            s.rail_tonnes = 0.0;
            s.storage_in_t = 0.0;
        }
        for t in &mut self.tanks {
            t.reset_stats(now);
        }
        for p in &mut self.processes {
            p.reset(now);
        }
        for p in self.producers.iter_mut().chain(self.consumers.iter_mut()) {
            p.blocked_hours = 0.0;
            if p.blocked_since.is_some() {
                p.blocked_since = Some(now);
            }
        }
        for l in &mut self.locks {
            l.reset(now);
        }
        for l in &mut self.links {
            l.waits.reset();
            if let Some(paths) = l.paths.as_mut() {
                paths.iter_mut().for_each(|p| p.reset_stats(now));
            }
            l.vehicle_km = 0.0;
            l.hazmat_vehicle_km = 0.0;
            l.hazmat_tkm = 0.0;
            l.tonnes = 0.0;
        }
        for p in &mut self.places {
            p.in_lot.reset(now);
            p.on_road.reset(now);
        }
        self.tally.reset();
    }

    /// Closes every statistic at the horizon and lists the metrics.
    /// Cargo by commodity and mode, mode shares, flows.
    fn push_cargo_metrics(&self, out: &mut Vec<(MetricKey, f64)>) {
        let m = self.m;
        let t = &self.tally;
        let used: std::collections::BTreeSet<(usize, Mode)> = m
            .flows
            .iter()
            .flat_map(|f| {
                f.options
                    .iter()
                    .map(move |&(r, _)| (f.commodity, m.routes[r].main_mode))
            })
            .collect();
        for &(c, mode) in &used {
            out.push((
                MetricKey::new(
                    Metric::DemandT,
                    m.commodities[c].id.clone(),
                    mode.name(),
                    "t",
                ),
                t.demand_by_mode[c][mode],
            ));
            out.push((
                MetricKey::new(
                    Metric::DeliveredT,
                    m.commodities[c].id.clone(),
                    mode.name(),
                    "t",
                ),
                t.delivered_by_mode[c][mode],
            ));
        }
        for mode in Mode::ALL {
            let all: f64 = t.demand_by_mode.iter().map(|by_mode| by_mode[mode]).sum();
            out.push((
                MetricKey::new(Metric::DemandT, "all flows", mode.name(), "t"),
                all,
            ));
            out.push((
                MetricKey::new(Metric::DeliveredT, "all flows", mode.name(), "t"),
                t.all_by_mode[mode],
            ));
            out.push((
                MetricKey::new(Metric::DeliveredT, "chemical flows", mode.name(), "t"),
                t.chemical_by_mode[mode],
            ));
        }
        for (scope, by_mode) in [("chemical", t.chemical_by_mode), ("all", t.all_by_mode)] {
            let total: f64 = by_mode.0.iter().sum();
            for mode in Mode::ALL {
                let share = if total > 0.0 {
                    by_mode[mode] / total
                } else {
                    0.0
                };
                out.push((
                    MetricKey::new(Metric::ModeShare, mode.name(), scope, "fraction"),
                    share,
                ));
            }
        }
        for (f, flow) in m.flows.iter().enumerate() {
            out.push((
                MetricKey::new(Metric::FlowDemandT, flow.id.clone(), "", "t"),
                t.flow_demand[f],
            ));
            out.push((
                MetricKey::new(Metric::FlowDeliveredT, flow.id.clone(), "", "t"),
                t.flow_delivered[f],
            ));
            if flow.destination_tank.is_some() {
                out.push((
                    MetricKey::new(Metric::FlowNotReleasedT, flow.id.clone(), "tank full", "t"),
                    t.flow_skipped[f],
                ));
            }
            out.push((
                MetricKey::new(Metric::TransitHoursMean, flow.id.clone(), "", "h"),
                t.flow_transit[f].mean(),
            ));
        }
    }

    /// Road bays, rail tracks, berths and transfer storage of every site.
    fn push_site_metrics(&self, out: &mut Vec<(MetricKey, f64)>, per_year: f64) {
        let m = self.m;
        let now = self.sched.now();
        for (s, site) in m.sites.iter().enumerate() {
            let state = &self.sites[s];
            let mut resource = |name: String,
                                stats: &crate::des::ResourceStats,
                                utilisation: f64,
                                tonnes: f64,
                                unit: &'static str| {
                out.push((
                    MetricKey::new(Metric::ThroughputT, name.clone(), "", "t"),
                    tonnes,
                ));
                out.push((
                    MetricKey::new(Metric::Utilisation, name.clone(), "", "fraction"),
                    utilisation,
                ));
                push_waits(out, &name, &stats.waits);
                out.push((
                    MetricKey::new(Metric::QueueMean, name.clone(), "", unit),
                    stats.queue_length.mean(now),
                ));
                out.push((
                    MetricKey::new(Metric::QueueMax, name, "", unit),
                    stats.queue_max as f64,
                ));
            };
            if let Some(r) = &state.road {
                resource(
                    format!("{}/road-bays", site.id),
                    r.stats(),
                    r.utilisation(now),
                    state.road_tonnes,
                    "vehicles",
                );
            }
            if let Some(r) = &state.rail {
                resource(
                    format!("{}/rail-tracks", site.id),
                    r.stats(),
                    r.utilisation(now),
                    state.rail_tonnes,
                    "jobs",
                );
            }
            for (g, group) in state.berths.iter().enumerate() {
                let b = &group.berths;
                resource(
                    berth_name(m, s, g),
                    b.stats(),
                    b.utilisation(now),
                    group.tonnes,
                    "vessels",
                );
            }
            if let Some(yard) = &state.yard {
                for (metric, value) in yard.figures(now) {
                    let name = format!("{}/road-bays", site.id);
                    out.push((MetricKey::new(metric, name, "", "vehicle-h"), value));
                }
            }
            if let Some(design) = site.design_capacity_t_per_year {
                let handled: f64 = state.berths.iter().map(|g| g.tonnes).sum();
                out.push((
                    MetricKey::new(
                        Metric::ThroughputShareOfDesign,
                        site.id.clone(),
                        "",
                        "fraction",
                    ),
                    handled * per_year / design,
                ));
            }
            if let Some(storage) = &state.storage {
                let name = format!("{}/storage", site.id);
                out.push((
                    MetricKey::new(Metric::StockMeanT, name.clone(), "", "t"),
                    storage.level_stats().mean(now),
                ));
                out.push((
                    MetricKey::new(Metric::StockMaxT, name.clone(), "", "t"),
                    storage.level_stats().max(),
                ));
                out.push((
                    MetricKey::new(Metric::ThroughputT, name.clone(), "", "t"),
                    state.storage_in_t,
                ));
                out.push((
                    MetricKey::new(Metric::WaitHoursMean, name, "room", "h"),
                    storage.put_wait_hours.mean(),
                ));
            }
        }
    }

    /// Locks.
    fn push_lock_metrics(&self, out: &mut Vec<(MetricKey, f64)>) {
        let m = self.m;
        let now = self.sched.now();
        for (l, lock) in m.locks.iter().enumerate() {
            let state = &self.locks[l];
            let name = lock.id.clone();
            out.push((
                MetricKey::new(Metric::ThroughputT, name.clone(), "", "t"),
                state.tonnes,
            ));
            out.push((
                MetricKey::new(Metric::Utilisation, name.clone(), "", "fraction"),
                state.utilisation(now),
            ));
            push_waits(out, &name, &state.waits);
            out.push((
                MetricKey::new(Metric::QueueMean, name.clone(), "", "vessels"),
                state.queue_length.mean(now),
            ));
            out.push((
                MetricKey::new(Metric::QueueMax, name.clone(), "", "vessels"),
                state.queue_max as f64,
            ));
            out.push((
                MetricKey::new(Metric::Lockages, name.clone(), "", "count"),
                state.lockages as f64,
            ));
            out.push((
                MetricKey::new(Metric::EmptyLockages, name.clone(), "", "count"),
                state.empty_lockages as f64,
            ));
            out.push((
                MetricKey::new(Metric::Vessels, name, "", "count"),
                state.vessels as f64,
            ));
        }
    }

    /// Links used by routes, train paths, and hazmat transport by mode.
    fn push_link_metrics(&self, out: &mut Vec<(MetricKey, f64)>) {
        let m = self.m;
        let now = self.sched.now();
        let mut hazmat_tkm_by_mode = ByMode::<f64>::default();
        for (l, link) in m.links.iter().enumerate() {
            let state = &self.links[l];
            hazmat_tkm_by_mode[link.mode] += state.hazmat_tkm;
            let used_by_routes = m.routes.iter().any(|r| {
                r.legs
                    .iter()
                    .any(|leg| leg.links.iter().any(|&(x, _)| x == l))
            });
            if !used_by_routes {
                continue;
            }
            out.push((
                MetricKey::new(Metric::HazmatTkm, link.id.clone(), link.mode.name(), "t*km"),
                state.hazmat_tkm,
            ));
            out.push((
                MetricKey::new(
                    Metric::VehicleKm,
                    link.id.clone(),
                    link.mode.name(),
                    "vehicle-km",
                ),
                state.vehicle_km,
            ));
            out.push((
                MetricKey::new(
                    Metric::HazmatVehicleKm,
                    link.id.clone(),
                    link.mode.name(),
                    "vehicle-km",
                ),
                state.hazmat_vehicle_km,
            ));
            let can_hold = !link.hazmat_bans.is_empty() || !link.availability.always_open();
            if can_hold {
                push_waits(out, &link.id, &state.waits);
            }
            if let Some(paths) = &state.paths {
                for (direction, r) in paths.iter().enumerate() {
                    let name = format!(
                        "{}/paths-{}",
                        link.id,
                        if direction == 0 { "forward" } else { "reverse" }
                    );
                    out.push((
                        MetricKey::new(Metric::Utilisation, name.clone(), "", "fraction"),
                        r.utilisation(now),
                    ));
                    push_waits(out, &name, &r.stats().waits);
                    out.push((
                        MetricKey::new(Metric::QueueMax, name, "", "trains"),
                        r.stats().queue_max as f64,
                    ));
                }
            }
        }
        for mode in Mode::ALL {
            out.push((
                MetricKey::new(Metric::HazmatTkm, mode.name(), "all links", "t*km"),
                hazmat_tkm_by_mode[mode],
            ));
        }
    }

    /// Where hazmat trucks waited: on the road and in parking lots.
    fn push_place_metrics(&self, out: &mut Vec<(MetricKey, f64)>) {
        let m = self.m;
        let now = self.sched.now();
        let mut unsafe_total = 0.0;
        for (p, name) in place_names(m).into_iter().enumerate() {
            let Some(name) = name else { continue };
            let place = &self.places[p];
            let on_road = place.on_road.integral(now);
            unsafe_total += on_road;
            out.push((
                MetricKey::new(
                    Metric::UnsafeWaitVehicleHours,
                    name.clone(),
                    "",
                    "vehicle-h",
                ),
                on_road,
            ));
            if p < m.parkings.len() {
                out.push((
                    MetricKey::new(Metric::ParkingOccupancyMean, name.clone(), "", "vehicles"),
                    place.in_lot.mean(now),
                ));
                out.push((
                    MetricKey::new(Metric::ParkingOccupancyMax, name, "", "vehicles"),
                    place.in_lot.max(),
                ));
            }
        }
        out.push((
            MetricKey::new(Metric::UnsafeWaitVehicleHours, "all", "", "vehicle-h"),
            unsafe_total,
        ));
    }

    /// Tanks, production and consumption.
    /// Each park process's output, stops and downtime, and the product its downtime cost.
    fn push_process_metrics(&self, out: &mut Vec<(MetricKey, f64)>) {
        let now = self.sched.now();
        for (p, state) in self.m.processes.iter().zip(&self.processes) {
            let downtime = state.downtime_until(now);
            let figures = [
                (Metric::ProducedT, "t", state.produced_t),
                (Metric::Stops, "count", state.stops as f64),
                (Metric::DowntimeHours, "h", downtime),
                (Metric::ProductionLostT, "t", downtime * p.rate_t_per_h),
            ];
            for (metric, unit, value) in figures {
                out.push((MetricKey::new(metric, p.name.clone(), "", unit), value));
            }
        }
    }

    fn push_tank_metrics(&self, out: &mut Vec<(MetricKey, f64)>) {
        let m = self.m;
        let now = self.sched.now();
        for k in 0..m.tanks.len() {
            let name = tank_name(m, k);
            let level = self.tanks[k].level_stats();
            out.push((
                MetricKey::new(Metric::StockMeanT, name.clone(), "", "t"),
                level.mean(now),
            ));
            out.push((
                MetricKey::new(Metric::StockMinT, name.clone(), "", "t"),
                level.min(),
            ));
            out.push((
                MetricKey::new(Metric::StockMaxT, name.clone(), "", "t"),
                level.max(),
            ));
            let blocked =
                |plants: &[crate::model::Plant], states: &[super::state::PlantState]| -> f64 {
                    plants
                        .iter()
                        .zip(states)
                        .filter(|(p, _)| p.tank == k)
                        .map(|(p, s)| {
                            (s.blocked_hours + s.blocked_since.map_or(0.0, |since| now - since))
                                * p.rate_t_per_h
                        })
                        .sum()
                };
            if m.producers.iter().any(|p| p.tank == k) {
                out.push((
                    MetricKey::new(Metric::ProductionLostT, name.clone(), "", "t"),
                    blocked(&m.producers, &self.producers),
                ));
            }
            if m.consumers.iter().any(|p| p.tank == k) {
                out.push((
                    MetricKey::new(Metric::ConsumerShortfallT, name.clone(), "", "t"),
                    blocked(&m.consumers, &self.consumers),
                ));
            }
        }
    }

    pub(crate) fn finish(self) -> ReplicationOutput {
        let m = self.m;
        let now = self.sched.now();
        let window = (now - m.warmup_h).max(1e-9);
        let per_year = crate::model::HOURS_PER_YEAR / window;
        let mut out: Vec<(MetricKey, f64)> = Vec::new();
        let t = &self.tally;

        self.push_cargo_metrics(&mut out);
        self.push_site_metrics(&mut out, per_year);
        self.push_lock_metrics(&mut out);
        self.push_link_metrics(&mut out);
        self.push_place_metrics(&mut out);
        self.push_tank_metrics(&mut out);
        self.push_process_metrics(&mut out);

        // Mass balance over the whole run: everything demanded is delivered, stranded, or still somewhere.
        let in_system: f64 = self.cons.live().map(|c| c.tonnes).sum();
        let stored_by_cargo: f64 = self
            .cons
            .live()
            .filter(|c| c.in_storage)
            .map(|c| c.tonnes)
            .sum();
        let stored_by_sites: f64 = self
            .sites
            .iter()
            .filter_map(|s| s.storage.as_ref())
            .map(|c| c.level())
            .sum();
        let tank_error: f64 = m
            .tanks
            .iter()
            .enumerate()
            .map(|(k, tank)| {
                (tank.initial_t + t.run_tank_in[k] - t.run_tank_out[k] - self.tanks[k].level())
                    .abs()
            })
            .sum();
        let cargo_error = (t.run_demand - t.run_delivered - t.run_stranded - in_system).abs();
        let mass_error = cargo_error + (stored_by_cargo - stored_by_sites).abs() + tank_error;
        let in_transit: f64 = self
            .cons
            .live()
            .filter(|c| !c.in_storage && c.stage != Stage::AwaitOrigin)
            .map(|c| c.tonnes)
            .sum();
        let awaiting: f64 = self
            .cons
            .live()
            .filter(|c| c.stage == Stage::AwaitOrigin)
            .map(|c| c.tonnes)
            .sum();
        out.push((
            MetricKey::new(Metric::InTransitT, "all", "end of run", "t"),
            in_transit,
        ));
        out.push((
            MetricKey::new(Metric::InStockT, "all", "end of run", "t"),
            stored_by_cargo,
        ));
        out.push((
            MetricKey::new(Metric::AwaitingPickupT, "all", "end of run", "t"),
            awaiting,
        ));
        out.push((
            MetricKey::new(Metric::StrandedT, "all", "whole run", "t"),
            t.run_stranded,
        ));
        out.push((
            MetricKey::new(Metric::MassBalanceErrorT, "all", "whole run", "t"),
            mass_error,
        ));
        let events = self.sched.events_processed();
        out.push((
            MetricKey::new(Metric::Events, "all", "whole run", "count"),
            events as f64,
        ));
        if let Some(risk) = &self.risk {
            super::risk_output::push_risk_metrics(m, risk, window, &mut out);
        }

        let scale = t
            .run_demand
            .max(m.tanks.iter().map(|x| x.capacity_t).sum::<f64>())
            .max(1.0);
        ReplicationOutput {
            metrics: out,
            daily: DailySeries {
                keys: self.daily.keys,
                days: self.daily.days,
            },
            events,
            bad_event_times: self.sched.bad_times(),
            mass_balance_relative_error: mass_error / scale,
            accidents: self.risk.map(|r| r.accidents).unwrap_or_default(),
            saturation: self.saturation,
        }
    }
}
