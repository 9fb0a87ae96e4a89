//! Accidents sampled from what the simulation moves, parks and queues.
//!
//! Every accident source (a link, a tank group, a site's hoses and berths, a lock, a parking lot, the
//! roadside at a node) turns its exposure into releases at its loss-of-containment rate, inflated by the
//! source's importance-sampling factor `k` (`RiskModel::inflation`); each sampled accident carries the
//! weight `1/k`, so weighted sums estimate real frequencies without bias. Exposure is sampled as
//! intervals whose length is known: a link traversal or a handling when it starts, a wait in a lot or at
//! a lock when it ends, tank-days at midnight. An accident then takes its outcome from the event tree,
//! sets off the domino cascade among the units standing near it at that moment, kills by the population
//! around it in the weather of the moment, and may close its link or facility.
//!
//! Each source has two random streams (exposure sampling, consequences): adding a tank elsewhere does not
//! change which accidents a link draws (common random numbers across layouts).

use rand::RngExt;

use super::Replication;
use super::availability::{Reason, Target};
use super::scene::{SceneUnit, UnitKey};
use super::state::{ConsId, ConvoyId};
use crate::des::RngStream;
use crate::model::{LinkId, LockId, Mode, NodeId, ParkingId, SiteId, TankId};
use crate::risk::cascade::{CascadeModel, CascadeUnit};
use crate::risk::consequence::{
    Effect, Outcome, Release, ReleaseSite, SubstanceState, hole_rate_kg_s,
};
use crate::risk::dispersion::Weather;
use crate::risk::population::{Conditions, Placed, deaths};
use crate::scenario::ClosureMode;

/// Where an accident started.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum AccidentSource {
    /// A vehicle, train or vessel moving on a link.
    Transport(LinkId),
    /// A storage tank of a tank group.
    Tank(TankId),
    /// A hose or loading arm while a vehicle is (un)loaded at a site.
    Loading(SiteId),
    /// A vessel moored at a site, hit by a passing ship.
    Berth(SiteId),
    /// A vessel at a lock (waiting or in the chamber).
    Lock(LockId),
    /// A tanker waiting in a parking lot.
    Parking(ParkingId),
    /// A tanker waiting on the road at a node.
    Roadside(NodeId),
}

impl AccidentSource {
    /// Category name for breakdowns.
    pub fn category(&self, mode: Option<Mode>) -> &'static str {
        match self {
            AccidentSource::Transport(_) => match mode {
                Some(Mode::Rail) => "transport_rail",
                Some(Mode::Water) => "transport_water",
                _ => "transport_road",
            },
            AccidentSource::Tank(_) => "storage_tank",
            AccidentSource::Loading(_) => "loading",
            AccidentSource::Berth(_) => "vessel_at_berth",
            AccidentSource::Lock(_) => "vessel_at_lock",
            AccidentSource::Parking(_) => "parked_tanker",
            AccidentSource::Roadside(_) => "tanker_waiting_on_road",
        }
    }
}

/// Kind of loss of containment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ReleaseKind {
    /// The whole inventory at once.
    Instantaneous,
    /// The whole inventory in ten minutes (or a full-bore transport release).
    TenMinutes,
    /// A leak through the small hole.
    Hole,
    /// A hose or arm ruptures.
    HoseRupture,
    /// A hose or arm leaks.
    HoseLeak,
}

impl ReleaseKind {
    /// Name in outputs.
    pub fn name(self) -> &'static str {
        match self {
            ReleaseKind::Instantaneous => "instantaneous",
            ReleaseKind::TenMinutes => "ten_minutes",
            ReleaseKind::Hole => "hole",
            ReleaseKind::HoseRupture => "hose_rupture",
            ReleaseKind::HoseLeak => "hose_leak",
        }
    }
}

/// One sampled accident.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Accident {
    /// Replication.
    pub replication: u64,
    /// Hours after the end of the warm-up.
    pub time_h: f64,
    /// Importance-sampling weight (1 / inflation): the accident stands for this many real ones.
    pub weight: f64,
    /// Source.
    pub source: AccidentSource,
    /// Mode of the vehicle involved, if any.
    pub mode: Option<Mode>,
    /// Commodity released.
    pub commodity: usize,
    /// Its substance in the risk data.
    pub substance: usize,
    /// Kind of release.
    pub release: ReleaseKind,
    /// Mass released by the initiating unit, kg.
    pub released_kg: f64,
    /// Outcome of the initiating release.
    pub outcome: Outcome,
    /// Weather class index.
    pub weather: usize,
    /// Direction the wind blew from, degrees clockwise from north.
    pub wind_from_deg: f64,
    /// At night.
    pub night: bool,
    /// Expected deaths of the whole cascade.
    pub deaths: f64,
    /// Domino levels with new failures.
    pub depth: u32,
    /// Units involved (the initiator first).
    pub units: Vec<String>,
    /// Position, m.
    pub x_m: f64,
    /// Position, m.
    pub y_m: f64,
    /// Effects of the cascade (for the individual-risk map).
    pub effects: Vec<Placed>,
    /// Hours the accident closed its link or facility (0: no closure).
    pub closure_h: f64,
}

/// An accident closure in progress, with what is needed to count the delay it causes.
struct ActiveClosure {
    target: usize,
    start: f64,
    queue_integral: f64,
    waiting_integral: f64,
}

/// The risk part of a replication's state.
pub(crate) struct RiskState {
    sample: Vec<RngStream>,
    consequence: Vec<RngStream>,
    pub(crate) accidents: Vec<Accident>,
    active: Vec<ActiveClosure>,
    pub(crate) closures: u64,
    pub(crate) closure_hours: f64,
    pub(crate) delay_veh_h: f64,
    pub(crate) delay_hazmat_veh_h: f64,
}

/// Index of each source's streams.
fn source_index(m: &crate::model::Model, s: AccidentSource) -> usize {
    let (links, tanks, sites, locks, lots) = (
        m.links.len(),
        m.tanks.len(),
        m.sites.len(),
        m.locks.len(),
        m.parkings.len(),
    );
    match s {
        AccidentSource::Transport(l) => l,
        AccidentSource::Tank(t) => links + t,
        AccidentSource::Loading(s) => links + tanks + s,
        AccidentSource::Berth(s) => links + tanks + sites + s,
        AccidentSource::Lock(l) => links + tanks + 2 * sites + l,
        AccidentSource::Parking(p) => links + tanks + 2 * sites + locks + p,
        AccidentSource::Roadside(n) => links + tanks + 2 * sites + locks + lots + n,
    }
}

fn source_names(m: &crate::model::Model) -> Vec<String> {
    let mut names = Vec::new();
    names.extend(m.links.iter().map(|l| format!("link/{}", l.id)));
    names.extend(
        m.tanks
            .iter()
            .enumerate()
            .map(|(i, t)| format!("tank/{}/{}", m.sites[t.site].id, i)),
    );
    names.extend(m.sites.iter().map(|s| format!("loading/{}", s.id)));
    names.extend(m.sites.iter().map(|s| format!("berth/{}", s.id)));
    names.extend(m.locks.iter().map(|l| format!("lock/{}", l.id)));
    names.extend(m.parkings.iter().map(|p| format!("parking/{}", p.id)));
    names.extend(m.nodes.iter().map(|n| format!("roadside/{}", n.id)));
    names
}

/// A Poisson count with mean `mean` (inversion below 30, rand_distr above).
fn poisson(mean: f64, rng: &mut RngStream) -> u64 {
    if mean <= 0.0 {
        return 0;
    }
    if mean < 30.0 {
        let u: f64 = rng.random();
        let mut p = (-mean).exp();
        let mut cumulative = p;
        let mut k = 0u64;
        while u > cumulative && k < 1000 {
            k += 1;
            p *= mean / k as f64;
            cumulative += p;
        }
        k
    } else {
        use rand_distr::Distribution;
        rand_distr::Poisson::new(mean).map_or(0, |d| d.sample(rng) as u64)
    }
}

/// Picks an index with probability proportional to `weights`.
fn pick(weights: &[f64], rng: &mut RngStream) -> usize {
    let total: f64 = weights.iter().sum();
    let mut u = rng.random::<f64>() * total;
    for (i, w) in weights.iter().enumerate() {
        if u < *w {
            return i;
        }
        u -= w;
    }
    weights.len() - 1
}

impl RiskState {
    pub(crate) fn new(
        m: &crate::model::Model,
        seeder: &crate::des::StreamSeeder,
        replication: u64,
    ) -> Option<Self> {
        m.risk.as_ref()?;
        let names = source_names(m);
        Some(Self {
            sample: names
                .iter()
                .map(|n| seeder.stream(replication, &format!("risk/{n}/exposure")))
                .collect(),
            consequence: names
                .iter()
                .map(|n| seeder.stream(replication, &format!("risk/{n}/consequence")))
                .collect(),
            accidents: Vec::new(),
            active: Vec::new(),
            closures: 0,
            closure_hours: 0.0,
            delay_veh_h: 0.0,
            delay_hazmat_veh_h: 0.0,
        })
    }
}

/// A release about to be followed through.
struct Initiating {
    source: AccidentSource,
    weight: f64,
    time_h: f64,
    mode: Option<Mode>,
    unit: SceneUnit,
    /// Units moving with it (the other wagons of its train).
    companions: Vec<SceneUnit>,
    release_kind: ReleaseKind,
}

impl Replication<'_> {
    /// Draws the number of accidents of `source` over `exposure` (rate already per unit of exposure and
    /// inflated); returns their times uniformly over `[start, start + hours]`.
    fn draw_times(
        &mut self,
        source: AccidentSource,
        expected: f64,
        start: f64,
        hours: f64,
    ) -> Vec<f64> {
        let index = source_index(self.m, source);
        let risk = self.risk.as_mut().expect("risk state with a risk model");
        let rng = &mut risk.sample[index];
        let n = poisson(expected, rng);
        (0..n)
            .map(|_| start + rng.random::<f64>() * hours)
            .collect()
    }

    fn observed(&self, time: f64) -> bool {
        time >= self.m.warmup_h && time <= self.m.run_h()
    }

    /// A loaded hazmat truck enters link `l` for `hours` (called when it starts).
    pub(crate) fn risk_truck_on_link(&mut self, id: ConsId, l: LinkId, reversed: bool, hours: f64) {
        let model = self.m;
        let Some(r) = model.risk.as_ref() else { return };
        let link = &self.m.links[l];
        let expected = r.inflation.link[l] * r.link_rate_per_unit_km[l] * link.in_area_km;
        let weight = 1.0 / r.inflation.link[l];
        let now = self.sched.now();
        if !self.risky_cargo(id) {
            return;
        }
        for t in self.draw_times(AccidentSource::Transport(l), expected, now, hours) {
            if !self.observed(t) {
                continue;
            }
            let (x, y) = self.along_link(l, reversed, (t - now) / hours.max(1e-12));
            let unit = self.cargo_unit(id, x, y).expect("checked above");
            self.transport_accident(
                AccidentSource::Transport(l),
                weight,
                t,
                Mode::Road,
                unit,
                Vec::new(),
            );
        }
    }

    /// A loaded train or vessel enters link `l` for `hours`.
    pub(crate) fn risk_convoy_on_link(
        &mut self,
        v: ConvoyId,
        l: LinkId,
        reversed: bool,
        hours: f64,
    ) {
        let model = self.m;
        let Some(r) = model.risk.as_ref() else { return };
        let convoy = self.convoys.get(v);
        if convoy.returning || convoy.hazmat_t <= 0.0 {
            return;
        }
        let link = &self.m.links[l];
        let mode = link.mode;
        let units: Vec<SceneUnit> = if mode == Mode::Rail {
            let mut u = Vec::new();
            self.train_units(v, 0.0, 0.0, &mut u);
            u
        } else {
            self.vessel_unit(v, 0.0, 0.0).into_iter().collect()
        };
        if units.is_empty() {
            return;
        }
        let expected =
            r.inflation.link[l] * r.link_rate_per_unit_km[l] * link.in_area_km * units.len() as f64;
        let weight = 1.0 / r.inflation.link[l];
        let spacing = r.layout.wagon_spacing_m;
        let now = self.sched.now();
        for t in self.draw_times(AccidentSource::Transport(l), expected, now, hours) {
            if !self.observed(t) {
                continue;
            }
            let (x, y) = self.along_link(l, reversed, (t - now) / hours.max(1e-12));
            let index = source_index(self.m, AccidentSource::Transport(l));
            let risk = self.risk.as_mut().expect("risk state");
            let first = (risk.consequence[index].random::<f64>() * units.len() as f64) as usize;
            let first = first.min(units.len() - 1);
            let mut placed: Vec<SceneUnit> = units
                .iter()
                .enumerate()
                .map(|(i, u)| SceneUnit {
                    x_m: x + (i as f64 - first as f64) * spacing,
                    y_m: y,
                    ..u.clone()
                })
                .collect();
            let initiator = placed.remove(first);
            self.transport_accident(
                AccidentSource::Transport(l),
                weight,
                t,
                mode,
                initiator,
                placed,
            );
        }
    }

    fn along_link(&self, l: LinkId, reversed: bool, fraction: f64) -> (f64, f64) {
        let model = self.m;
        let r = model.risk.as_ref().expect("risk model");
        let link = &self.m.links[l];
        let (a, b) = if reversed {
            (link.to, link.from)
        } else {
            (link.from, link.to)
        };
        let (pa, pb) = (r.node_xy_m[a], r.node_xy_m[b]);
        let f = fraction.clamp(0.0, 1.0);
        (pa.0 + (pb.0 - pa.0) * f, pa.1 + (pb.1 - pa.1) * f)
    }

    fn transport_accident(
        &mut self,
        source: AccidentSource,
        weight: f64,
        time_h: f64,
        mode: Mode,
        unit: SceneUnit,
        companions: Vec<SceneUnit>,
    ) {
        let model = self.m;
        let r = model.risk.as_ref().expect("risk model");
        let share = r.release.transport_instantaneous_share;
        let index = source_index(self.m, source);
        let rng = &mut self.risk.as_mut().expect("risk state").consequence[index];
        let release_kind = if rng.random::<f64>() < share {
            ReleaseKind::Instantaneous
        } else {
            ReleaseKind::TenMinutes
        };
        self.accident(Initiating {
            source,
            weight,
            time_h,
            mode: Some(mode),
            unit,
            companions,
            release_kind,
        });
    }

    /// Cargo `id` starts being (un)loaded at `site` for `hours` through a hose (trucks, wagons).
    pub(crate) fn risk_hose(&mut self, id: ConsId, site: SiteId, hours: f64) {
        let model = self.m;
        let Some(r) = model.risk.as_ref() else { return };
        if !self.risky_cargo(id) {
            return;
        }
        let rates = r.loc.hose;
        let k = r.inflation.hose[site];
        let now = self.sched.now();
        let source = AccidentSource::Loading(site);
        for t in self.draw_times(source, k * (rates[0] + rates[1]) * hours, now, hours) {
            if !self.observed(t) {
                continue;
            }
            let kind = self.hose_kind(source, rates);
            self.stationary_accident(source, 1.0 / k, t, UnitKey::Cargo(id), kind);
        }
    }

    /// A train unloads at `site` for `hours`: each hazardous wagon's hose is connected in turn.
    pub(crate) fn risk_train_unloading(&mut self, v: ConvoyId, site: SiteId, hours: f64) {
        let model = self.m;
        let Some(r) = model.risk.as_ref() else { return };
        let wagons: Vec<ConsId> = self
            .convoys
            .get(v)
            .cargo
            .iter()
            .copied()
            .filter(|&id| self.risky_cargo(id))
            .collect();
        if wagons.is_empty() {
            return;
        }
        let total = self.convoys.get(v).cargo.len().max(1) as f64;
        let rates = r.loc.hose;
        let k = r.inflation.hose[site];
        let now = self.sched.now();
        let source = AccidentSource::Loading(site);
        let hose_hours = hours * wagons.len() as f64 / total;
        for t in self.draw_times(source, k * (rates[0] + rates[1]) * hose_hours, now, hours) {
            if !self.observed(t) {
                continue;
            }
            let index = source_index(self.m, source);
            let rng = &mut self.risk.as_mut().expect("risk state").consequence[index];
            let w = wagons
                [((rng.random::<f64>() * wagons.len() as f64) as usize).min(wagons.len() - 1)];
            let kind = self.hose_kind(source, rates);
            self.stationary_accident(source, 1.0 / k, t, UnitKey::Cargo(w), kind);
        }
    }

    /// A vessel is moored at `site` for `hours` (loading arms; collisions by passing ships).
    pub(crate) fn risk_berth(&mut self, v: ConvoyId, site: SiteId, hours: f64) {
        let model = self.m;
        let Some(r) = model.risk.as_ref() else { return };
        if self.vessel_unit(v, 0.0, 0.0).is_none() {
            return;
        }
        let arm = r.loc.arm;
        let k_arm = r.inflation.hose[site];
        let node = self.m.sites[site].node;
        let collision =
            r.loc.berth_collision * r.loc.release_given_collision * r.passing_ships_per_year[node];
        let k_berth = r.inflation.berth[site];
        let now = self.sched.now();
        let loading = AccidentSource::Loading(site);
        for t in self.draw_times(loading, k_arm * (arm[0] + arm[1]) * hours, now, hours) {
            if !self.observed(t) {
                continue;
            }
            let kind = self.hose_kind(loading, arm);
            self.stationary_accident(loading, 1.0 / k_arm, t, UnitKey::Vessel(v), kind);
        }
        let berth = AccidentSource::Berth(site);
        for t in self.draw_times(berth, k_berth * collision * hours, now, hours) {
            if !self.observed(t) {
                continue;
            }
            let kind = self.transport_kind(berth);
            self.stationary_accident(berth, 1.0 / k_berth, t, UnitKey::Vessel(v), kind);
        }
    }

    /// A vessel leaves lock `l` after `hours` there (waiting and locking), counted from `since`.
    pub(crate) fn risk_lock(&mut self, v: ConvoyId, l: LockId, since: f64, hours: f64) {
        let model = self.m;
        let Some(r) = model.risk.as_ref() else { return };
        if self.vessel_unit(v, 0.0, 0.0).is_none() {
            return;
        }
        let node = self.m.locks[l].node;
        let rate =
            r.loc.berth_collision * r.loc.release_given_collision * r.passing_ships_per_year[node];
        let k = r.inflation.lock[l];
        let source = AccidentSource::Lock(l);
        for t in self.draw_times(source, k * rate * hours, since, hours) {
            if !self.observed(t) {
                continue;
            }
            let kind = self.transport_kind(source);
            self.stationary_accident(source, 1.0 / k, t, UnitKey::Vessel(v), kind);
        }
    }

    /// A loaded tanker stops waiting at place `p` after waiting since `since`.
    pub(crate) fn risk_parked(&mut self, id: ConsId, p: usize, since: f64) {
        let model = self.m;
        let Some(r) = model.risk.as_ref() else { return };
        let Some(unit) = self.cargo_unit(id, 0.0, 0.0) else {
            return;
        };
        let now = self.sched.now();
        let hours = now - since;
        if hours <= 0.0 {
            return;
        }
        let rates = if r.substances[unit.substance].state == SubstanceState::Liquid {
            r.loc.parked_atmospheric
        } else {
            r.loc.parked_pressurised
        };
        // A lot without slots is no lot: its tankers stand on the road at the node it serves.
        let (source, k) = if p < self.m.parkings.len() && self.m.parkings[p].slots > 0 {
            (AccidentSource::Parking(p), r.inflation.parking[p])
        } else {
            let node = self
                .place_of_node
                .iter()
                .position(|&q| q == p)
                .expect("roadside place");
            (AccidentSource::Roadside(node), r.inflation.roadside[node])
        };
        for t in self.draw_times(source, k * rates.iter().sum::<f64>() * hours, since, hours) {
            if !self.observed(t) {
                continue;
            }
            let index = source_index(self.m, source);
            let rng = &mut self.risk.as_mut().expect("risk state").consequence[index];
            let kind = [
                ReleaseKind::Instantaneous,
                ReleaseKind::TenMinutes,
                ReleaseKind::Hole,
            ][pick(&rates, rng)];
            self.stationary_accident(source, 1.0 / k, t, UnitKey::Cargo(id), kind);
        }
    }

    /// Midnight: the tank-days of the day that ended.
    pub(crate) fn risk_tank_day(&mut self) {
        let model = self.m;
        let Some(r) = model.risk.as_ref() else { return };
        let now = self.sched.now();
        let hours = 24.0f64.min(now);
        for t in 0..self.m.tanks.len() {
            let tank = &self.m.tanks[t];
            let Some(s) = r.substance_of_commodity[tank.commodity] else {
                continue;
            };
            let rates = if r.substances[s].state == SubstanceState::Liquid {
                r.loc.atmospheric_tank
            } else {
                r.loc.pressurised_tank
            };
            let k = r.inflation.tank[t];
            let count = tank.count.max(1);
            let source = AccidentSource::Tank(t);
            let expected = k * rates.iter().sum::<f64>() * count as f64 * hours;
            for time in self.draw_times(source, expected, now - hours, hours) {
                if !self.observed(time) {
                    continue;
                }
                let index = source_index(self.m, source);
                let rng = &mut self.risk.as_mut().expect("risk state").consequence[index];
                let which = ((rng.random::<f64>() * count as f64) as u32).min(count - 1);
                let kind = [
                    ReleaseKind::Instantaneous,
                    ReleaseKind::TenMinutes,
                    ReleaseKind::Hole,
                ][pick(&rates, rng)];
                self.stationary_accident(source, 1.0 / k, time, UnitKey::Tank(t, which), kind);
            }
        }
    }

    fn hose_kind(&mut self, source: AccidentSource, rates: [f64; 2]) -> ReleaseKind {
        let index = source_index(self.m, source);
        let rng = &mut self.risk.as_mut().expect("risk state").consequence[index];
        [ReleaseKind::HoseRupture, ReleaseKind::HoseLeak][pick(&rates, rng)]
    }

    fn transport_kind(&mut self, source: AccidentSource) -> ReleaseKind {
        let model = self.m;
        let share = model
            .risk
            .as_ref()
            .expect("risk")
            .release
            .transport_instantaneous_share;
        let index = source_index(self.m, source);
        let rng = &mut self.risk.as_mut().expect("risk state").consequence[index];
        if rng.random::<f64>() < share {
            ReleaseKind::Instantaneous
        } else {
            ReleaseKind::TenMinutes
        }
    }

    /// An accident at a unit standing in a scene (found by its key).
    fn stationary_accident(
        &mut self,
        source: AccidentSource,
        weight: f64,
        time_h: f64,
        key: UnitKey,
        kind: ReleaseKind,
    ) {
        let model = self.m;
        let r = model.risk.as_ref().expect("risk model");
        let anchor = match source {
            AccidentSource::Tank(t) => r.node_xy_m[self.m.sites[self.m.tanks[t].site].node],
            AccidentSource::Loading(s) | AccidentSource::Berth(s) => {
                r.node_xy_m[self.m.sites[s].node]
            }
            AccidentSource::Lock(l) => r.node_xy_m[self.m.locks[l].node],
            AccidentSource::Parking(p) => r.parking_xy_m[p],
            AccidentSource::Roadside(n) => r.node_xy_m[n],
            AccidentSource::Transport(_) => unreachable!("transport accidents are not stationary"),
        };
        let scene = self.scene_around(anchor.0, anchor.1, r.domino_radius_m + 2000.0);
        // Every unit with exposure stands in its scene; the fallback only guards the estimator against a
        // unit the layout could not place (it is then put at the anchor).
        let found = scene.units.into_iter().find(|u| u.key == key);
        let unit = match (found, key) {
            (Some(u), _) => u,
            (None, UnitKey::Cargo(id)) => match self.cargo_unit(id, anchor.0, anchor.1) {
                Some(u) => u,
                None => return,
            },
            (None, UnitKey::Vessel(v)) => match self.vessel_unit(v, anchor.0, anchor.1) {
                Some(u) => u,
                None => return,
            },
            (None, UnitKey::Tank(..)) => unreachable!("every tank of a site is in its scene"),
        };
        debug_assert!(
            (unit.x_m - anchor.0).hypot(unit.y_m - anchor.1) < r.domino_radius_m + 2000.0,
            "unit far from its source"
        );
        let mode = match source {
            AccidentSource::Berth(_) | AccidentSource::Lock(_) => Some(Mode::Water),
            AccidentSource::Parking(_) | AccidentSource::Roadside(_) => Some(Mode::Road),
            _ => None,
        };
        self.accident(Initiating {
            source,
            weight,
            time_h,
            mode,
            unit,
            companions: Vec::new(),
            release_kind: kind,
        });
    }

    fn release_of(&self, unit: &SceneUnit, kind: ReleaseKind) -> Release {
        let model = self.m;
        let r = model.risk.as_ref().expect("risk model");
        let s = &r.substances[unit.substance];
        let mass = unit.inventory_kg.max(0.0);
        let ten = r.release.ten_minute_s;
        match kind {
            ReleaseKind::Instantaneous => Release::Instantaneous { mass_kg: mass },
            ReleaseKind::TenMinutes | ReleaseKind::HoseRupture => Release::Continuous {
                rate_kg_s: mass / ten,
                duration_s: ten,
            },
            ReleaseKind::Hole | ReleaseKind::HoseLeak => {
                let rate = hole_rate_kg_s(
                    s,
                    r.release.hole_area_m2,
                    r.release.discharge_coefficient,
                    r.release.liquid_head_m,
                )
                .min(mass / ten)
                .max(1e-9);
                Release::Continuous {
                    rate_kg_s: rate,
                    duration_s: (mass / rate).min(r.release.max_duration_s),
                }
            }
        }
    }

    fn site_of(&self, unit: &SceneUnit) -> ReleaseSite {
        let model = self.m;
        let r = model.risk.as_ref().expect("risk model");
        ReleaseSite {
            max_pool_area_m2: unit.max_pool_area_m2,
            min_pool_depth_m: r.release.min_pool_depth_m,
            height_m: r.release_height_m,
            max_duration_s: r.release.max_duration_s,
        }
    }

    /// What a unit does when it fails in a fire: its whole contents burn (pool fire or fireball) or, if
    /// it does not burn, escape as a toxic cloud.
    fn failure_effect(&self, unit: &SceneUnit) -> Option<Effect> {
        let model = self.m;
        let r = model.risk.as_ref().expect("risk model");
        let s = &r.substances[unit.substance];
        let release = Release::Instantaneous {
            mass_kg: unit.inventory_kg,
        };
        let outcome = if s.flammable() {
            if s.state == SubstanceState::Liquid {
                Outcome::PoolFire
            } else {
                Outcome::Fireball
            }
        } else if s.toxic.is_some() {
            Outcome::Toxic
        } else {
            return None;
        };
        r.tree
            .effect(s, &release, outcome, &self.site_of(unit), &r.vulnerability)
    }

    /// Follows one release through: outcome, domino cascade, deaths, closure; records it.
    fn accident(&mut self, init: Initiating) {
        let m = self.m;
        let r = m.risk.as_ref().expect("risk model");
        let index = source_index(m, init.source);
        let unit = init.unit;
        let release = self.release_of(&unit, init.release_kind);
        let substance = &r.substances[unit.substance];
        let branches = r.tree.outcomes(substance, &release);
        // Borrow the stream out of the state while the cascade reads the rest of the replication.
        let mut rng = std::mem::replace(
            &mut self.risk.as_mut().expect("risk state").consequence[index],
            <RngStream as rand::SeedableRng>::seed_from_u64(0),
        );
        let weights: Vec<f64> = branches.iter().map(|b| b.1).collect();
        let outcome = branches[pick(&weights, &mut rng)].0;
        let primary = r.tree.effect(
            substance,
            &release,
            outcome,
            &self.site_of(&unit),
            &r.vulnerability,
        );

        // Domino: the units around, the initiator first.
        let mut units = vec![unit.clone()];
        let escalates = primary
            .is_some_and(|e| matches!(e, Effect::Pool(_) | Effect::Jet(_) | Effect::Blast(_)));
        if escalates {
            let scene = self.scene_around(unit.x_m, unit.y_m, r.domino_radius_m);
            units.extend(scene.units.into_iter().filter(|u| u.key != unit.key));
            units.extend(init.companions.iter().cloned());
        }
        let n = units.len();
        let mut failed = vec![0usize];
        let mut depth = 0;
        let mut secondary: Vec<Option<Effect>> = vec![None; n];
        if escalates && n > 1 {
            for (i, u) in units.iter().enumerate().skip(1) {
                secondary[i] = self.failure_effect(u);
            }
            let mut flux = vec![0.0; n * n];
            let mut blast = vec![0.0; n * n];
            for i in 0..n {
                let effect = if i == 0 { primary } else { secondary[i] };
                let Some(effect) = effect else { continue };
                for j in 0..n {
                    if i != j {
                        let d = (units[i].x_m - units[j].x_m).hypot(units[i].y_m - units[j].y_m);
                        flux[i * n + j] = effect.lasting_flux_kw_m2(d, &r.air);
                        if i == 0 {
                            blast[j] = effect.blast_kpa(d);
                        }
                    }
                }
            }
            let cascade = CascadeModel {
                units: units
                    .iter()
                    .map(|u| CascadeUnit {
                        vessel: u.vessel,
                        volume_m3: u.volume_m3,
                    })
                    .collect(),
                flux_kw_m2: flux,
                blast_kpa: blast,
                escalation: &r.escalation,
                thresholds: r.escalation_thresholds,
                max_levels: usize::MAX,
            };
            let result = cascade.sample(&[0], &mut rng);
            failed = result.failed();
            depth = result.depth;
        }
        let mut effects: Vec<Placed> = Vec::new();
        if let Some(e) = primary {
            effects.push(Placed {
                effect: e,
                x_m: unit.x_m,
                y_m: unit.y_m,
            });
        }
        for &i in failed.iter().skip(1) {
            if let Some(e) = secondary[i] {
                effects.push(Placed {
                    effect: e,
                    x_m: units[i].x_m,
                    y_m: units[i].y_m,
                });
            }
        }

        // Weather and wind of the moment.
        let hour = init.time_h.rem_euclid(24.0);
        let night = hour < m.exposure.day_start_h || hour >= m.exposure.day_end_h;
        let shares: Vec<f64> = r
            .weather
            .iter()
            .map(|w| if night { w.night_share } else { w.day_share })
            .collect();
        let weather = pick(&shares, &mut rng);
        let sector = pick(&r.wind_rose_from, &mut rng);
        let wind_from_deg =
            (sector as f64 * 30.0 - 15.0 + 30.0 * rng.random::<f64>()).rem_euclid(360.0);
        let w = &r.weather[weather];
        let conditions = Conditions {
            weather: Weather {
                stability: w.stability,
                wind_m_s: w.wind_m_s,
                terrain: r.terrain,
            },
            wind_to_rad: (wind_from_deg + 180.0).to_radians(),
            night,
            indoor_fraction: if night {
                m.exposure.indoor_fraction_night
            } else {
                m.exposure.indoor_fraction_day
            },
            vulnerability: &r.vulnerability,
            air: r.air,
        };
        let killed = if effects.is_empty() {
            0.0
        } else {
            deaths(&effects, &conditions, &r.raster)
        };

        // Logistic cascade: the accident closes its link or facility.
        let closes = match r.closure_mode {
            ClosureMode::Off => false,
            ClosureMode::EverySampled => true,
            ClosureMode::Real => rng.random::<f64>() < init.weight,
        };
        let targets: Vec<Target> = match init.source {
            AccidentSource::Transport(l) => vec![Target::Link(l)],
            AccidentSource::Tank(t) => vec![Target::Site(m.tanks[t].site)],
            AccidentSource::Loading(s) | AccidentSource::Berth(s) => vec![Target::Site(s)],
            AccidentSource::Lock(l) => (0..m.locks[l].lines.len())
                .map(|k| Target::LockLine(l, k))
                .collect(),
            AccidentSource::Parking(_) | AccidentSource::Roadside(_) => Vec::new(),
        };
        let mut closure_h = 0.0;
        if closes && !targets.is_empty() {
            let which = match init.source {
                AccidentSource::Transport(l) => match m.links[l].mode {
                    Mode::Road => 0,
                    Mode::Rail => 1,
                    Mode::Water => 2,
                },
                AccidentSource::Lock(_) => 2,
                _ => 3,
            };
            closure_h = r.closure_h[which].sample(&mut rng).max(0.0);
        }
        self.risk.as_mut().expect("risk state").consequence[index] = rng;
        if closure_h > 0.0 {
            for target in targets {
                self.accident_closure(target, closure_h);
            }
        }
        let labels = failed.iter().map(|&i| self.unit_label(&units[i])).collect();
        let record = Accident {
            replication: self.replication,
            time_h: init.time_h - m.warmup_h,
            weight: init.weight,
            source: init.source,
            mode: init.mode,
            commodity: unit.commodity,
            substance: unit.substance,
            release: init.release_kind,
            released_kg: release.mass_kg(),
            outcome,
            weather,
            wind_from_deg,
            night,
            deaths: killed,
            depth,
            units: labels,
            x_m: unit.x_m,
            y_m: unit.y_m,
            effects,
            closure_h,
        };
        self.risk
            .as_mut()
            .expect("risk state")
            .accidents
            .push(record);
    }

    /// Closes `target` for `hours` because of an accident.
    fn accident_closure(&mut self, target: Target, hours: f64) {
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
        self.sched
            .schedule_in(hours, super::Event::Up(index as u32, Reason::Accident));
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
                    if let super::state::Held::Truck(id) = who
                        && self.cons.get(id).hazmat
                    {
                        hazmat += held;
                    }
                    if let super::state::Held::Convoy(v) = who
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
