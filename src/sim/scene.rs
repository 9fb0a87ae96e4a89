//! The units standing near an accident at the moment it happens: storage tanks with their current level,
//! tankers at bays, in lots or queued on the road, wagons on sidings, vessels at berths and in locks.
//! Their positions follow a schematic layout around each facility (`[risk.layout]` spacing), since the
//! scenarios give no site plans.

use super::Replication;
use super::state::{ConsId, ConvoyId, ConvoyStage};
use crate::model::risk_model::Layout;
use crate::model::{ContainerKind, Mode, RiskModel};
use crate::risk::consequence::SubstanceState;
use crate::risk::escalation::VesselClass;

/// Hazard groups kept apart at bays and in lots.
const HAZARD_GROUPS: usize = 4;

/// Who a unit is, to find the initiator among the units of a scene.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum UnitKey {
    /// Tank `k` of tank group `t`.
    Tank(usize, u32),
    /// A truckload or wagonload.
    Cargo(ConsId),
    /// A vessel.
    Vessel(ConvoyId),
}

/// A unit that can be the source of a release or fail by escalation.
#[derive(Clone, Debug)]
pub(crate) struct SceneUnit {
    pub(crate) key: UnitKey,
    /// What it is, for its label: tank, tanker, wagon or vessel.
    pub(crate) kind: &'static str,
    /// Position, m.
    pub(crate) x_m: f64,
    pub(crate) y_m: f64,
    pub(crate) vessel: VesselClass,
    pub(crate) volume_m3: f64,
    pub(crate) substance: usize,
    pub(crate) commodity: usize,
    /// Contents that can escape, kg.
    pub(crate) inventory_kg: f64,
    /// Largest pool a release of it forms, m2.
    pub(crate) max_pool_area_m2: f64,
    /// The transport container it is, for its release sizes (none for storage tanks).
    pub(crate) container: Option<ContainerKind>,
    /// Share of `inventory_kg` one breach releases (one tube of a tube trailer).
    pub(crate) released_share: f64,
}

/// Where a scene is anchored and what it holds.
pub(crate) struct Scene {
    pub(crate) units: Vec<SceneUnit>,
}

/// A tank farm in rows: group `g` in row `g`, tank `k` along it, from the site's node.
fn tank_xy(layout: &Layout, (ax, ay): (f64, f64), g: usize, k: u32) -> (f64, f64) {
    (
        ax + k as f64 * layout.tank_spacing_m,
        ay + g as f64 * layout.tank_group_spacing_m,
    )
}

impl Replication<'_> {
    fn risk(&self) -> &RiskModel {
        self.m
            .risk
            .as_ref()
            .expect("risk scenes only with a risk model")
    }

    /// A unit for cargo `id` (a truck or wagon) at position `(x, y)`.
    pub(crate) fn cargo_unit(&self, id: ConsId, x_m: f64, y_m: f64) -> Option<SceneUnit> {
        let m = self.m;
        let r = self.risk();
        let c = self.cons.get(id);
        let commodity = m.flows[c.flow].commodity;
        let substance = r.substance_of_commodity[commodity]?;
        let leg = &m.routes[c.route].legs[c.leg];
        let mode = leg.mode;
        let density_t_m3 = m.commodities[commodity].density_t_per_m3.max(0.05);
        let s = &r.substances[substance];
        let container = ContainerKind::of(mode, s.state);
        Some(SceneUnit {
            key: UnitKey::Cargo(id),
            kind: if mode == Mode::Rail {
                "wagon"
            } else {
                "tanker"
            },
            x_m,
            y_m,
            vessel: s.vehicle_class(),
            volume_m3: m.carriers[leg.carrier].payload_t / density_t_m3,
            substance,
            commodity,
            inventory_kg: c.tonnes * 1000.0,
            max_pool_area_m2: r.release.max_pool_area_m2[mode],
            container: Some(container),
            released_share: r.container(container).released_share,
        })
    }

    /// A unit for vessel `v` (its first hazardous cargo's substance; one cargo tank's share escapes).
    pub(crate) fn vessel_unit(&self, v: ConvoyId, x_m: f64, y_m: f64) -> Option<SceneUnit> {
        let m = self.m;
        let r = self.risk();
        let convoy = self.convoys.get(v);
        if convoy.returning || convoy.hazmat_t <= 0.0 {
            return None;
        }
        let (commodity, substance) = convoy.cargo.iter().find_map(|&id| {
            let commodity = m.flows[self.cons.get(id).flow].commodity;
            r.substance_of_commodity[commodity].map(|s| (commodity, s))
        })?;
        let density_t_m3 = m.commodities[commodity].density_t_per_m3.max(0.05);
        // One cargo tank of the vessel is the unit that releases, burns or escalates.
        let tank_share = r.container(ContainerKind::TankBarge).released_share;
        Some(SceneUnit {
            key: UnitKey::Vessel(v),
            kind: "vessel",
            x_m,
            y_m,
            vessel: VesselClass::Atmospheric,
            volume_m3: convoy.hazmat_t * tank_share / density_t_m3,
            substance,
            commodity,
            inventory_kg: convoy.hazmat_t * 1000.0 * tank_share,
            max_pool_area_m2: r.release.max_pool_area_m2[Mode::Water],
            container: Some(ContainerKind::TankBarge),
            released_share: 1.0,
        })
    }

    /// The units of a train (its hazardous wagons in a line).
    pub(crate) fn train_units(&self, v: ConvoyId, x_m: f64, y_m: f64, out: &mut Vec<SceneUnit>) {
        let spacing = self.risk().layout.wagon_spacing_m;
        for (i, &id) in self.convoys.get(v).cargo.iter().enumerate() {
            if let Some(u) = self.cargo_unit(id, x_m + i as f64 * spacing, y_m) {
                out.push(u);
            }
        }
    }

    /// Every unit within `radius_m` of `(x, y)`.
    /// Where tank `k` of tank group `t` stands.
    pub(crate) fn tank_position(&self, t: usize, k: u32) -> (f64, f64) {
        let m = self.m;
        let r = self.risk();
        let site = &m.sites[m.tanks[t].site];
        let g = site.tanks.iter().position(|&x| x == t).unwrap_or(0);
        tank_xy(&r.layout, r.node_xy_m[site.node], g, k)
    }

    pub(crate) fn scene_around(&self, x: f64, y: f64, radius_m: f64) -> Scene {
        let m = self.m;
        let r = self.risk();
        let mut units = Vec::new();
        // Clusters can hold a few hundred metres of units: look a little beyond the radius.
        let near = |(ax, ay): (f64, f64)| (ax - x).hypot(ay - y) <= radius_m + 1000.0;
        for (s, site) in m.sites.iter().enumerate() {
            if site.is_external() {
                continue;
            }
            let anchor = r.node_xy_m[site.node];
            // Every site's tanks are placed (a few dozen in all) and kept by distance below: a wide farm
            // reaches beyond its node's neighbourhood.
            self.push_tank_units(site, anchor, &mut units);
            if near(anchor) {
                self.push_handling_units(s, anchor, &mut units);
            }
        }
        self.push_waiting_tankers((x, radius_m), &near, &mut units);
        self.push_lock_vessels((x, radius_m), &near, &mut units);
        units.retain(|u| (u.x_m - x).hypot(u.y_m - y) <= radius_m);
        Scene { units }
    }

    /// The tanks of a site's farm: groups in rows, tanks along each row.
    fn push_tank_units(
        &self,
        site: &crate::model::Site,
        (ax, ay): (f64, f64),
        units: &mut Vec<SceneUnit>,
    ) {
        let m = self.m;
        let r = self.risk();
        let layout = r.layout;
        for (g, &t) in site.tanks.iter().enumerate() {
            let tank = &m.tanks[t];
            let Some(substance) = r.substance_of_commodity[tank.commodity] else {
                continue;
            };
            let count = tank.count.max(1);
            let density_t_m3 = m.commodities[tank.commodity].density_t_per_m3.max(0.05);
            let volume = tank.capacity_t / count as f64 / density_t_m3;
            let diameter = (4.0 * volume / std::f64::consts::PI).cbrt();
            let level_kg = self.tanks[t].level() * 1000.0 / count as f64;
            for k in 0..count {
                let (x_m, y_m) = tank_xy(&layout, (ax, ay), g, k);
                units.push(SceneUnit {
                    key: UnitKey::Tank(t, k),
                    kind: "tank",
                    x_m,
                    y_m,
                    vessel: r.substances[substance].tank_class(),
                    volume_m3: volume,
                    substance,
                    commodity: tank.commodity,
                    inventory_kg: level_kg,
                    max_pool_area_m2: r.release.bund_area_factor
                        * std::f64::consts::PI
                        * diameter
                        * diameter
                        / 4.0,
                    container: None,
                    released_share: 1.0,
                });
            }
        }
    }

    /// The handling area of site `s`: trucks at the bays, wagons on the sidings, vessels at the berths.
    fn push_handling_units(&self, s: usize, (ax, ay): (f64, f64), units: &mut Vec<SceneUnit>) {
        let m = self.m;
        let layout = self.risk().layout;
        let (hx, hy) = (ax - layout.handling_to_tanks_m, ay);
        // Trucks stand in one loading area per hazard group, `segregation_m` apart.
        let mut trucks = [0usize; HAZARD_GROUPS];
        let mut wagons = 0;
        #[cfg(debug_assertions)]
        self.check_scene_index(s);
        let index = self
            .scene_index
            .as_ref()
            .expect("risk runs index their units");
        for id in index.handled(s) {
            let c = self.cons.get(id);
            let leg = &m.routes[c.route].legs[c.leg];
            let unit = if leg.mode == Mode::Road {
                let group = self.hazard_group(id);
                trucks[group] += 1;
                self.cargo_unit(
                    id,
                    hx - group as f64 * layout.segregation_m,
                    hy + (trucks[group] - 1) as f64 * layout.tanker_spacing_m,
                )
            } else {
                wagons += 1;
                self.cargo_unit(
                    id,
                    hx - 20.0,
                    hy + (wagons - 1) as f64 * layout.wagon_spacing_m,
                )
            };
            units.extend(unit);
        }
        let mut vessels = 0;
        for v in index.convoys(s) {
            let convoy = self.convoys.get(v);
            let pool = &self.pools[convoy.pool];
            let leg = &m.routes[pool.route].legs[pool.leg];
            if leg.mode == Mode::Water && convoy.berth.is_some() {
                vessels += 1;
                let y = hy - 30.0 - layout.handling_to_tanks_m;
                units.extend(self.vessel_unit(
                    v,
                    hx + (vessels - 1) as f64 * layout.vessel_spacing_m,
                    y,
                ));
            } else if leg.mode == Mode::Rail && convoy.stage == ConvoyStage::Unloading {
                self.train_units(v, hx - 40.0, hy, units);
            }
        }
    }

    /// Waiting tankers near the accident: in each lot (rows of ten) and on the road at each node. The
    /// road queue runs east from the anchor, so the walk stops at the first tanker east of the scene.
    fn push_waiting_tankers(
        &self,
        (x, radius_m): (f64, f64),
        near: &impl Fn((f64, f64)) -> bool,
        units: &mut Vec<SceneUnit>,
    ) {
        let layout = self.risk().layout;
        let index = self
            .scene_index
            .as_ref()
            .expect("risk runs index their units");
        for (p, place) in self.places.iter().enumerate() {
            if place.waiting == 0 {
                continue;
            }
            let anchor = self.place_anchor(p);
            if !near(anchor) {
                continue;
            }
            #[cfg(debug_assertions)]
            self.check_waiting_index(p);
            // In a lot, one zone per hazard group, `segregation_m` apart; on the road, one queue.
            let mut in_zone = [0usize; HAZARD_GROUPS];
            for (k, id) in index.waiting(p).enumerate() {
                let (dx, dy) = if (k as u32) < place.slots {
                    let group = self.hazard_group(id);
                    let j = in_zone[group];
                    in_zone[group] += 1;
                    (
                        (j % 10) as f64 * layout.tanker_spacing_m,
                        (j / 10) as f64 * 20.0 + group as f64 * layout.segregation_m,
                    )
                } else {
                    // On the road: nose to tail. This and every later tanker stand farther east than
                    // the radius reaches (`hypot` is at least the east offset), so none is in the scene.
                    let dx = k as f64 * 20.0;
                    if anchor.0 + dx - x > radius_m {
                        break;
                    }
                    (dx, -30.0)
                };
                units.extend(self.cargo_unit(id, anchor.0 + dx, anchor.1 + dy));
            }
        }
    }

    /// Vessels at locks near the accident, side by side.
    fn push_lock_vessels(
        &self,
        (x, radius_m): (f64, f64),
        near: &impl Fn((f64, f64)) -> bool,
        units: &mut Vec<SceneUnit>,
    ) {
        let m = self.m;
        let r = self.risk();
        for (l, lock) in m.locks.iter().enumerate() {
            let anchor = r.node_xy_m[lock.node];
            if !near(anchor) {
                continue;
            }
            for (i, v) in self.locks[l].vessels().enumerate() {
                // Side by side eastwards: the rest stand beyond the scene once one does.
                let x_m = anchor.0 + i as f64 * 20.0;
                if x_m - x > radius_m {
                    break;
                }
                units.extend(self.vessel_unit(v, x_m, anchor.1));
            }
        }
    }

    /// The hazard group of cargo `id`'s substance: 0 toxic gases, 1 flammable gases, 2 flammable liquids,
    /// 3 the rest (tankers of different groups stand apart, `[risk.layout] segregation_m`).
    fn hazard_group(&self, id: ConsId) -> usize {
        let m = self.m;
        let r = self.risk();
        let Some(s) = r.substance_of_commodity[m.flows[self.cons.get(id).flow].commodity] else {
            return 3;
        };
        let s = &r.substances[s];
        let gas = matches!(
            s.state,
            SubstanceState::LiquefiedPressurised | SubstanceState::CompressedGas
        );
        match (gas, s.toxic.is_some(), s.flammable()) {
            (true, true, _) => 0,
            (true, false, true) => 1,
            (false, _, true) => 2,
            _ => 3,
        }
    }

    /// True if cargo `id` carries a substance with a lethal effect.
    pub(crate) fn risky_cargo(&self, id: ConsId) -> bool {
        let m = self.m;
        m.risk.as_ref().is_some_and(|r| {
            r.substance_of_commodity[m.flows[self.cons.get(id).flow].commodity].is_some()
        })
    }

    /// A unit's label in outputs, e.g. `tank:liutang-park/liquid-chlorine#2` or `tanker:methanol#417`.
    pub(crate) fn unit_label(&self, u: &SceneUnit) -> String {
        let m = self.m;
        let commodity = &m.commodities[u.commodity].id;
        match u.key {
            UnitKey::Tank(t, k) => format!(
                "tank:{}/{}#{}",
                m.sites[m.tanks[t].site].id,
                commodity,
                k + 1
            ),
            UnitKey::Cargo(id) => format!("{}:{}#{}", u.kind, commodity, id.slot()),
            UnitKey::Vessel(v) => format!("vessel:{}#{}", commodity, v.slot()),
        }
    }

    /// Where the trucks of a place stand: the lot's position, or the node of a roadside place.
    pub(crate) fn place_anchor(&self, p: usize) -> (f64, f64) {
        let r = self.risk();
        if p < self.m.parkings.len() {
            r.parking_xy_m[p]
        } else {
            let node = self
                .place_of_node
                .iter()
                .position(|&q| q == p)
                .expect("every roadside place belongs to a node");
            r.node_xy_m[node]
        }
    }
}
