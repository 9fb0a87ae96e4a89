//! Exposure turned into accidents: each source draws its accidents over the intervals the simulation
//! reports (a link traversal or a handling when it starts, a wait in a lot or at a lock when it ends,
//! tank-days at midnight), and hands each one to the follow-through with its unit and release kind.

use rand::RngExt;

use super::super::Replication;
use super::super::scene::{SceneUnit, UnitKey};
use super::super::state::{ConsId, ConvoyId};
use super::{AccidentSource, Initiating, ReleaseKind, pick_kind, poisson, source_index};
use crate::model::{ContainerKind, LinkId, LockId, Mode, SiteId};
use crate::risk::consequence::SubstanceState;
use crate::scenario::ContainerRelease;

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
        if !self.risky_cargo(id) {
            return;
        }
        let k = r.inflation.truck_link[l][self.m.flows[self.cons.get(id).flow].commodity];
        let expected = k * r.link_rate_per_unit_km[l] * link.in_area_km;
        let weight = 1.0 / k;
        let now = self.sched.now();
        for t in self.draw_times(AccidentSource::Transport(l), expected, now, hours) {
            if !self.observed(t) {
                continue;
            }
            let (x, y, chainage) = self.along_link(l, reversed, (t - now) / hours.max(1e-12));
            let unit = self.cargo_unit(id, x, y).expect("checked above");
            self.transport_accident(
                AccidentSource::Transport(l),
                weight,
                t,
                Mode::Road,
                unit,
                Vec::new(),
                chainage,
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
            let (x, y, chainage) = self.along_link(l, reversed, (t - now) / hours.max(1e-12));
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
                chainage,
            );
        }
    }

    /// Position on link `l` a `fraction` of the way along (travelled backwards if `reversed`), and its
    /// km from the link's first node: positions follow the drawn path, km the link's own length.
    fn along_link(&self, l: LinkId, reversed: bool, fraction: f64) -> (f64, f64, Option<f64>) {
        let model = self.m;
        let r = model.risk.as_ref().expect("risk model");
        let f = fraction.clamp(0.0, 1.0);
        let from_start = if reversed { 1.0 - f } else { f };
        let (x, y) = r.point_along(l, from_start);
        (x, y, Some(from_start * self.m.links[l].in_area_km))
    }

    /// Draws the release size of a transport container and follows the accident through.
    #[allow(clippy::too_many_arguments)]
    fn transport_accident(
        &mut self,
        source: AccidentSource,
        weight: f64,
        time_h: f64,
        mode: Mode,
        unit: SceneUnit,
        companions: Vec<SceneUnit>,
        chainage_km: Option<f64>,
    ) {
        let state = self.m.risk.as_ref().expect("risk model").substances[unit.substance].state;
        let (release_kind, factor) = self.container_release(source, ContainerKind::of(mode, state));
        self.accident(Initiating {
            source,
            weight: weight * factor,
            time_h,
            mode: Some(mode),
            unit,
            companions,
            release_kind,
            chainage_km,
        });
    }

    /// A release size of `kind` drawn from its split (stratified), and the factor on the weight.
    fn container_release(
        &mut self,
        source: AccidentSource,
        kind: ContainerKind,
    ) -> (ReleaseKind, f64) {
        let model = self.m;
        let rules = model.risk.as_ref().expect("risk model").container(kind);
        let shares: Vec<f64> = rules.scenarios.iter().map(|s| s.1).collect();
        let index = source_index(self.m, source);
        let rng = &mut self.risk.as_mut().expect("risk state").consequence[index];
        let (i, factor) = pick_kind(&shares, rng);
        let release = match rules.scenarios[i].0 {
            ContainerRelease::SmallLeak => ReleaseKind::SmallLeak,
            ContainerRelease::LargeLeak => ReleaseKind::LargeLeak,
            ContainerRelease::Rupture => ReleaseKind::Instantaneous,
        };
        (release, factor)
    }

    /// Cargo `id` starts being (un)loaded at `site` for `hours` through a hose (trucks, wagons).
    pub(crate) fn risk_hose(&mut self, id: ConsId, site: SiteId, hours: f64) {
        let model = self.m;
        let Some(r) = model.risk.as_ref() else { return };
        if !self.risky_cargo(id) {
            return;
        }
        let rates = r.loc.hose;
        let k = r.inflation.hose[site][self.m.flows[self.cons.get(id).flow].commodity];
        let now = self.sched.now();
        let source = AccidentSource::Loading(site);
        for t in self.draw_times(source, k * (rates[0] + rates[1]) * hours, now, hours) {
            if !self.observed(t) {
                continue;
            }
            let (kind, factor) = self.hose_kind(source, rates);
            self.stationary_accident(source, factor / k, t, UnitKey::Cargo(id), kind);
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
        let now = self.sched.now();
        let source = AccidentSource::Loading(site);
        // Each commodity's wagons with its own inflation, in commodity order.
        let of: Vec<(ConsId, usize)> = wagons
            .iter()
            .map(|&w| (w, self.m.flows[self.cons.get(w).flow].commodity))
            .collect();
        let mut commodities: Vec<usize> = of.iter().map(|x| x.1).collect();
        commodities.sort_unstable();
        commodities.dedup();
        for c in commodities {
            let group: Vec<ConsId> = of.iter().filter(|x| x.1 == c).map(|x| x.0).collect();
            let k = r.inflation.hose[site][c];
            let hose_hours = hours * group.len() as f64 / total;
            for t in self.draw_times(source, k * (rates[0] + rates[1]) * hose_hours, now, hours) {
                if !self.observed(t) {
                    continue;
                }
                let index = source_index(self.m, source);
                let rng = &mut self.risk.as_mut().expect("risk state").consequence[index];
                let w = group
                    [((rng.random::<f64>() * group.len() as f64) as usize).min(group.len() - 1)];
                let (kind, factor) = self.hose_kind(source, rates);
                self.stationary_accident(source, factor / k, t, UnitKey::Cargo(w), kind);
            }
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
        let k_arm = r.inflation.arm[site];
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
            let (kind, factor) = self.hose_kind(loading, arm);
            self.stationary_accident(loading, factor / k_arm, t, UnitKey::Vessel(v), kind);
        }
        let berth = AccidentSource::Berth(site);
        for t in self.draw_times(berth, k_berth * collision * hours, now, hours) {
            if !self.observed(t) {
                continue;
            }
            let (kind, factor) = self.container_release(berth, ContainerKind::TankBarge);
            self.stationary_accident(berth, factor / k_berth, t, UnitKey::Vessel(v), kind);
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
            let (kind, factor) = self.container_release(source, ContainerKind::TankBarge);
            self.stationary_accident(source, factor / k, t, UnitKey::Vessel(v), kind);
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
            let (i, factor) = pick_kind(&rates, rng);
            let kind = [
                ReleaseKind::Instantaneous,
                ReleaseKind::TenMinutes,
                ReleaseKind::Hole,
            ][i];
            self.stationary_accident(source, factor / k, t, UnitKey::Cargo(id), kind);
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
                let (i, factor) = pick_kind(&rates, rng);
                let kind = [
                    ReleaseKind::Instantaneous,
                    ReleaseKind::TenMinutes,
                    ReleaseKind::Hole,
                ][i];
                self.stationary_accident(source, factor / k, time, UnitKey::Tank(t, which), kind);
            }
        }
    }

    /// A hose or arm rupture or leak (stratified), and the factor on the weight.
    fn hose_kind(&mut self, source: AccidentSource, rates: [f64; 2]) -> (ReleaseKind, f64) {
        let index = source_index(self.m, source);
        let rng = &mut self.risk.as_mut().expect("risk state").consequence[index];
        let (i, factor) = pick_kind(&rates, rng);
        ([ReleaseKind::HoseRupture, ReleaseKind::HoseLeak][i], factor)
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
        let anchor = match (source, key) {
            // Around the tank itself: a wide tank farm can stand farther from its node than the scene
            // reaches.
            (AccidentSource::Tank(_), UnitKey::Tank(t, k)) => self.tank_position(t, k),
            (AccidentSource::Tank(t), _) => r.node_xy_m[self.m.sites[self.m.tanks[t].site].node],
            (AccidentSource::Loading(s) | AccidentSource::Berth(s), _) => {
                r.node_xy_m[self.m.sites[s].node]
            }
            (AccidentSource::Lock(l), _) => r.node_xy_m[self.m.locks[l].node],
            (AccidentSource::Parking(p), _) => r.parking_xy_m[p],
            (AccidentSource::Roadside(n), _) => r.node_xy_m[n],
            (AccidentSource::Transport(_), _) => {
                unreachable!("transport accidents are not stationary")
            }
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
            chainage_km: None,
        });
    }
}
