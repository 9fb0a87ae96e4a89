//! The planned exposure of the flows, and the importance-sampling inflation it gives each accident
//! source.

use std::collections::BTreeMap;

use super::super::*;
use super::{Inflation, RiskModel};
use crate::risk::consequence::SubstanceState;

/// Planned exposure per year, from the flows' tonnages and route shares (used only to choose the
/// importance-sampling inflation, so rough is fine).
pub(super) struct Nominal {
    /// Loaded hazmat units x km per link.
    unit_km: Vec<f64>,
    /// Loaded hazmat trucks x km per link and commodity.
    truck_km: Vec<Vec<f64>>,
    /// Hose hours per site and commodity (trucks and wagons).
    hose_h: Vec<Vec<f64>>,
    /// Loading-arm hours per site (vessels).
    arm_h: Vec<f64>,
    /// Vessel hours at berth per site.
    berth_h: Vec<f64>,
    /// Vessel passages per lock.
    lock_passages: Vec<f64>,
    /// Vessels passing each node.
    pub(super) passing_ships: Vec<f64>,
}
/// The planned exposure of the model's flows to the accident sources of `risk`.
pub(super) fn nominal_exposure(model: &Model, risk: &RiskModel) -> Nominal {
    let mut n = Nominal {
        unit_km: vec![0.0; model.links.len()],
        truck_km: vec![vec![0.0; model.commodities.len()]; model.links.len()],
        hose_h: vec![vec![0.0; model.commodities.len()]; model.sites.len()],
        arm_h: vec![0.0; model.sites.len()],
        berth_h: vec![0.0; model.sites.len()],
        lock_passages: vec![0.0; model.locks.len()],
        passing_ships: vec![0.0; model.nodes.len()],
    };
    for f in &model.flows {
        let risky = risk.substance_of_commodity[f.commodity].is_some();
        let total: f64 = f.options.iter().map(|o| o.1).sum();
        for &(route, share) in &f.options {
            let share = if f.choice == Choice::Fixed && total > 0.0 {
                share / total
            } else {
                1.0 / f.options.len() as f64
            };
            let tonnes = f.t_per_year * share;
            for leg in &model.routes[route].legs {
                let payload = model.carriers[leg.carrier].payload_t.max(1e-9);
                let units = tonnes / payload;
                if leg.mode == Mode::Water {
                    // Empty return trips pass too.
                    for &node in &leg.nodes[1..leg.nodes.len().saturating_sub(1)] {
                        n.passing_ships[node] += 2.0 * units;
                        if let Some(lock) = model.lock_of_node(node) {
                            n.lock_passages[lock] += if risky { units } else { 0.0 };
                        }
                    }
                }
                if !risky {
                    continue;
                }
                for &(link, _) in &leg.links {
                    n.unit_km[link] += units * model.links[link].in_area_km;
                    if leg.mode == Mode::Road {
                        n.truck_km[link][f.commodity] += units * model.links[link].in_area_km;
                    }
                }
                for site in [leg.from, leg.to] {
                    let s = &model.sites[site];
                    let hours = match leg.mode {
                        Mode::Road => s.truck_handling_h.mean(),
                        Mode::Rail => s.wagon_handling_h.mean(),
                        Mode::Water => {
                            let group = model.commodities[f.commodity].handling;
                            payload / s.berth_rate(group).unwrap_or(100.0).max(1e-9)
                        }
                    };
                    if leg.mode == Mode::Water {
                        n.arm_h[site] += units * hours;
                        n.berth_h[site] += units * hours;
                    } else {
                        n.hose_h[site][f.commodity] += units * hours;
                    }
                }
            }
        }
    }
    n
}

/// The inflation factors, the planned real accidents per year, and the accidents sampled per year.
pub(super) fn inflation(model: &Model, risk: &RiskModel, n: &Nominal) -> (Inflation, f64, f64) {
    let target = risk.events_per_source_year;
    // Planned real accidents per year over all sources (parked and roadside tankers excluded: they are
    // not planned).
    let planned = std::cell::Cell::new(0.0);
    let sampled = std::cell::Cell::new(0.0);
    let k = |events_per_year: f64| {
        planned.set(planned.get() + events_per_year.max(0.0));
        if events_per_year > 0.0 {
            let factor = (target / events_per_year).max(1.0);
            sampled.set(sampled.get() + events_per_year * factor);
            factor
        } else {
            1.0
        }
    };
    let hose = risk.loc.hose[0] + risk.loc.hose[1];
    let tank_rate = |t: &Tank| {
        let Some(s) = risk.substance_of_commodity[t.commodity] else {
            return 0.0;
        };
        let rates = if risk.substances[s].state == SubstanceState::Liquid {
            risk.loc.atmospheric_tank
        } else {
            risk.loc.pressurised_tank
        };
        rates.iter().sum::<f64>() * HOURS_PER_YEAR * t.count as f64
    };
    let parked = risk.loc.parked_atmospheric.iter().sum::<f64>();
    // Waiting tankers are not planned: assume a quarter of the slots occupied, and at least as much
    // exposure as 2.5 tankers waiting all year (a lot without slots, or the roadside). Any inflation keeps
    // the estimator unbiased; this one only spreads the samples sensibly.
    let slots: BTreeMap<usize, u32> = model
        .parkings
        .iter()
        .enumerate()
        .map(|(i, p)| (i, p.slots))
        .collect();
    let planned_only = |events_per_year: f64| {
        let before = planned.get();
        let factor = k(events_per_year);
        planned.set(before);
        factor
    };
    let inflation = Inflation {
        link: (0..model.links.len())
            .map(|l| k(risk.link_rate_per_unit_km[l] * n.unit_km[l]))
            .collect(),
        truck_link: (0..model.links.len())
            .map(|l| {
                n.truck_km[l]
                    .iter()
                    .map(|&km| k(risk.link_rate_per_unit_km[l] * km))
                    .collect()
            })
            .collect(),
        tank: model.tanks.iter().map(|t| k(tank_rate(t))).collect(),
        hose: n
            .hose_h
            .iter()
            .map(|by_commodity| by_commodity.iter().map(|h| k(hose * h)).collect())
            .collect(),
        arm: n
            .arm_h
            .iter()
            .map(|h| k((risk.loc.arm[0] + risk.loc.arm[1]) * h))
            .collect(),
        berth: (0..model.sites.len())
            .map(|s| {
                let node = model.sites[s].node;
                k(risk.loc.berth_collision
                    * risk.loc.release_given_collision
                    * n.passing_ships[node]
                    * n.berth_h[s])
            })
            .collect(),
        lock: (0..model.locks.len())
            .map(|l| {
                let node = model.locks[l].node;
                k(risk.loc.berth_collision
                    * risk.loc.release_given_collision
                    * n.passing_ships[node]
                    * n.lock_passages[l])
            })
            .collect(),
        parking: (0..model.parkings.len())
            .map(|p| planned_only(parked * (slots[&p].max(10)) as f64 * 0.25 * HOURS_PER_YEAR))
            .collect(),
        roadside: (0..model.nodes.len())
            .map(|_| planned_only(parked * 2.5 * HOURS_PER_YEAR))
            .collect(),
    };
    (inflation, planned.get(), sampled.get())
}
