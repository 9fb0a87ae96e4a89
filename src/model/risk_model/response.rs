//! The emergency response compiled onto the network: the stations on their road nodes, the engines'
//! travel hours on every road link, the brigade's race parameters, and the barriers of each kind of
//! unit.

use super::super::compile::Ctx;
use super::super::*;
use crate::des::Sampler;
use crate::field_path;
use crate::risk::intervention::{Barrier, Protection};
use crate::risk::population::Shelter;
use crate::scenario::{BarrierKind, ProtectedUnit, ResponseRules};

/// A fire station or other responder.
#[derive(Clone, Debug)]
pub struct Station {
    /// Scenario id.
    pub id: String,
    /// Road node where it joins the network.
    pub node: NodeId,
    /// Hours from the station to its node.
    pub access_h: f64,
    /// Engines by day.
    pub engines_day: u32,
    /// Engines at night.
    pub engines_night: u32,
    /// Minutes from the dispatch order to wheels rolling.
    pub turnout_min: Sampler,
}

/// One compiled barrier and the units it protects.
#[derive(Clone, Debug)]
pub struct FittedBarrier {
    /// Deluge or fireproofing.
    pub kind: BarrierKind,
    /// Success probability and action.
    pub barrier: Barrier,
    /// Kinds of unit fitted.
    pub units: Vec<ProtectedUnit>,
    /// Sites where it is fitted (`None`: everywhere).
    pub sites: Option<Vec<SiteId>>,
}

/// Drainage to an emergency pool.
#[derive(Clone, Debug)]
pub struct EmergencyPool {
    /// Largest pool a working one leaves, m2.
    pub max_area_m2: f64,
    /// Probability that it works: `(1 - PFD) x effectiveness`.
    pub works: f64,
    /// Kinds of unit whose releases it drains.
    pub units: Vec<ProtectedUnit>,
    /// Sites where it is (`None`: everywhere).
    pub sites: Option<Vec<SiteId>>,
}

/// `[risk.response]` with its `[[responder]]`s, compiled.
#[derive(Clone, Debug)]
pub struct ResponseModel {
    /// The stations.
    pub stations: Vec<Station>,
    /// Engines' hours over each link (`None` for links engines cannot drive: rail, water).
    pub link_hours: Vec<Option<f64>>,
    /// Road links into each node: `(link, node it comes from)` (the reversed road graph).
    pub road_in: Vec<Vec<(LinkId, NodeId)>>,
    /// Whether a node has a road link.
    pub on_road: Vec<bool>,
    /// From the release to the dispatch order, h.
    pub alarm_h: f64,
    /// Engines an accident needs before cooling starts.
    pub engines_per_accident: u32,
    /// Speed off the network, km/h, and the circuity of that stretch.
    pub access_speed_km_per_h: f64,
    /// Road over straight-line distance off the network.
    pub access_circuity: f64,
    /// Median set-up time, s, and its log standard deviation.
    pub setup_median_s: f64,
    /// Log standard deviation of the set-up time.
    pub setup_sigma_ln: f64,
    /// Probability that crews in time still fail.
    pub team_pfd: f64,
    /// Hours an engine stays at an accident.
    pub on_scene_h: f64,
    /// The arrival standard, h from the dispatch order to the first engine on scene.
    pub arrival_standard_h: f64,
    /// Every engine's turn-out and travel cut to the standard (a what-if).
    pub standard_met_everywhere: bool,
    /// Barriers on the units (deluge, fireproofing).
    pub barriers: Vec<FittedBarrier>,
    /// Emergency pools.
    pub pools: Vec<EmergencyPool>,
    /// The warning of toxic releases, and the sites it covers (`None`: every release).
    pub warning: Option<(Shelter, Option<Vec<SiteId>>)>,
}

/// Whether a barrier fitted at `sites` (`None`: everywhere) covers a unit at `site`.
fn covers(sites: &Option<Vec<SiteId>>, site: Option<SiteId>) -> bool {
    match (sites, site) {
        (None, _) => true,
        (Some(list), Some(s)) => list.contains(&s),
        (Some(_), None) => false,
    }
}

impl ResponseModel {
    /// Whether the first engine, on scene `first_engine_h` after the release, met the arrival
    /// standard (counted from the dispatch order).
    pub fn met_standard(&self, first_engine_h: Option<f64>) -> bool {
        first_engine_h.is_some_and(|h| h - self.alarm_h <= self.arrival_standard_h)
    }

    /// The emergency pool that drains a release of a unit of kind `unit` at `site`: the largest pool
    /// it leaves, m2, and the probability that it works.
    pub fn pool_at(&self, unit: ProtectedUnit, site: Option<SiteId>) -> Option<(f64, f64)> {
        self.pools
            .iter()
            .find(|p| p.units.contains(&unit) && covers(&p.sites, site))
            .map(|p| (p.max_area_m2, p.works))
    }

    /// The warning people get of a release at `site` (none outside the sites it covers).
    pub fn shelter_at(&self, site: Option<SiteId>) -> Option<Shelter> {
        let (shelter, sites) = self.warning.as_ref()?;
        match (sites, site) {
            (None, _) => Some(*shelter),
            (Some(list), Some(s)) if list.contains(&s) => Some(*shelter),
            _ => None,
        }
    }

    /// The barriers of a unit of kind `unit`, at `site` if it stands at one.
    pub fn protection(&self, unit: ProtectedUnit, site: Option<SiteId>) -> Protection {
        let mut p = Protection::default();
        for b in &self.barriers {
            let fitted = b.units.contains(&unit) && covers(&b.sites, site);
            if !fitted {
                continue;
            }
            match b.kind {
                BarrierKind::Deluge => p.deluge = Some(b.barrier),
                BarrierKind::Fireproofing => p.fireproofing = Some(b.barrier),
                BarrierKind::EmergencyPool => {}
            }
        }
        p
    }
}

/// Compiles `[risk.response]` and the responders, if the response is enabled.
pub(super) fn compile_response(
    ctx: &mut Ctx,
    model: &Model,
    rules: &ResponseRules,
) -> Option<ResponseModel> {
    if !rules.enabled {
        return None;
    }
    let congestion = rules.congestion_factor.value;
    let link_hours: Vec<Option<f64>> = model
        .links
        .iter()
        .map(|l| match (&l.mode, &l.travel) {
            (Mode::Road, TravelTime::Given(t)) => Some(t.mean() * congestion),
            _ => None,
        })
        .collect();
    let (road_in, on_road) = road_graph(model, &link_hours);
    let access_speed = rules.access_speed_km_per_h.value;
    let stations = stations(ctx, model, access_speed);
    let sites_of = |ids: &[String]| -> Option<Vec<SiteId>> {
        (!ids.is_empty()).then(|| {
            ids.iter()
                .filter_map(|id| model.sites.iter().position(|x| &x.id == id))
                .collect()
        })
    };
    let (barriers, pools) = barriers(rules, &sites_of);
    Some(ResponseModel {
        stations,
        link_hours,
        road_in,
        on_road,
        alarm_h: rules.alarm_min.value / 60.0,
        engines_per_accident: rules.engines_per_accident.value,
        access_speed_km_per_h: access_speed,
        access_circuity: rules.access_circuity.value,
        setup_median_s: rules.setup_median_min.value * 60.0,
        setup_sigma_ln: rules.setup_sigma_ln.value,
        team_pfd: rules.team_pfd.value,
        on_scene_h: rules.on_scene_h.value,
        arrival_standard_h: rules.arrival_standard_min.value / 60.0,
        standard_met_everywhere: rules.standard_met_everywhere,
        barriers,
        pools,
        warning: rules.warning.as_ref().filter(|w| w.enabled).map(|w| {
            let shelter = Shelter {
                after_s: w.delay_min.value * 60.0,
                compliance: w.compliance.value,
            };
            (shelter, sites_of(&w.sites))
        }),
    })
}

/// The reversed road graph (`(link, node it comes from)` into each node) and which nodes have a road.
fn road_graph(
    model: &Model,
    link_hours: &[Option<f64>],
) -> (Vec<Vec<(LinkId, NodeId)>>, Vec<bool>) {
    let mut road_in = vec![Vec::new(); model.nodes.len()];
    let mut on_road = vec![false; model.nodes.len()];
    for (l, link) in model.links.iter().enumerate() {
        if link_hours[l].is_none() {
            continue;
        }
        road_in[link.to].push((l, link.from));
        if link.bidirectional {
            road_in[link.from].push((l, link.to));
        }
        on_road[link.from] = true;
        on_road[link.to] = true;
    }
    (road_in, on_road)
}

/// The `[[responder]]`s on their nodes.
fn stations(ctx: &mut Ctx, model: &Model, access_speed_km_per_h: f64) -> Vec<Station> {
    let responders = ctx.loaded.scenario.responder.clone();
    let mut stations = Vec::new();
    for (i, r) in responders.iter().enumerate() {
        let turnout_min = ctx.sampler(field_path!["responder", i, "turnout_min"], &r.turnout_min);
        let Some(node) = model.nodes.iter().position(|n| n.id == r.node) else {
            continue;
        };
        stations.push(Station {
            id: r.id.clone(),
            node,
            access_h: r.access_km.value / access_speed_km_per_h,
            engines_day: r.engines.value,
            engines_night: r
                .night_engines
                .as_ref()
                .map_or(r.engines.value, |v| v.value),
            turnout_min,
        });
    }
    stations
}

/// The barriers on the units (`Barrier::deluge`, `Barrier::fireproofing`) and the emergency pools.
fn barriers(
    rules: &ResponseRules,
    sites_of: &dyn Fn(&[String]) -> Option<Vec<SiteId>>,
) -> (Vec<FittedBarrier>, Vec<EmergencyPool>) {
    let mut barriers = Vec::new();
    let mut pools = Vec::new();
    for b in &rules.barrier {
        let (pfd, eta) = (b.pfd.value, b.effectiveness.value);
        let barrier = match b.kind {
            BarrierKind::Deluge => Barrier::deluge(pfd, eta),
            BarrierKind::Fireproofing => {
                let minutes = b.protection_min.as_ref().map_or(0.0, |v| v.value);
                Barrier::fireproofing(pfd, eta, minutes)
            }
            BarrierKind::EmergencyPool => {
                pools.push(EmergencyPool {
                    max_area_m2: b
                        .max_pool_area_m2
                        .as_ref()
                        .map_or(f64::INFINITY, |v| v.value),
                    works: (1.0 - pfd) * eta,
                    units: b.units.clone(),
                    sites: sites_of(&b.sites),
                });
                continue;
            }
        };
        barriers.push(FittedBarrier {
            kind: b.kind,
            barrier,
            units: b.units.clone(),
            sites: sites_of(&b.sites),
        });
    }
    (barriers, pools)
}
