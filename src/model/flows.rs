//! Flows: carriers per mode, routes per chain, shipment and consignment sizes, tanks at both ends.

use std::collections::BTreeMap;

use super::compile::Ctx;
use super::routing::{RouteRequest, route_flow};
use super::*;
use crate::field_path;
use crate::scenario as sc;

/// The carrier a flow uses on `mode`: the one it names, or the only one of that mode.
fn carrier_for(
    ctx: &mut Ctx,
    model: &Model,
    flow_index: usize,
    flow: &sc::Flow,
    mode: Mode,
) -> Option<CarrierId> {
    let hazmat = ctx
        .loaded
        .scenario
        .commodity
        .iter()
        .find(|c| c.id == flow.commodity)
        .is_some_and(|c| c.kind != CommodityKind::NonHazardous);
    let chosen = match flow.carriers.get(&mode) {
        Some(id) => model.carriers.iter().position(|c| &c.id == id),
        None => {
            let of_mode: Vec<usize> = (0..model.carriers.len())
                .filter(|&c| model.carriers[c].mode == mode && !model.carriers[c].named_only)
                .collect();
            match of_mode.len() {
                1 => Some(of_mode[0]),
                0 => {
                    ctx.error(
                        field_path!["flow", flow_index, "split"],
                        format!(
                            "no {} carrier is defined ([[carrier]] with mode = \"{}\")",
                            mode.name(),
                            mode.name()
                        ),
                    );
                    return None;
                }
                _ => {
                    let names: Vec<&str> = of_mode
                        .iter()
                        .map(|&c| model.carriers[c].id.as_str())
                        .collect();
                    ctx.error(
                        field_path!["flow", flow_index, "carriers"],
                        format!(
                            "several {} carriers exist ({}); name one in carriers.{}",
                            mode.name(),
                            names.join(", "),
                            mode.name()
                        ),
                    );
                    return None;
                }
            }
        }
    };
    if let Some(c) = chosen
        && hazmat
        && !model.carriers[c].hazmat
    {
        ctx.error(
            field_path!["flow", flow_index, "carriers", mode.name()],
            format!(
                "carrier \"{}\" may not carry dangerous goods",
                model.carriers[c].id
            ),
        );
        return None;
    }
    chosen
}

pub(super) fn compile_flows(ctx: &mut Ctx, model: &mut Model) {
    let demand = &ctx.loaded.scenario.demand;
    let (chemical_factor, background_factor) =
        (demand.chemical_factor.value, demand.background_factor.value);
    let scenario = &ctx.loaded.scenario;
    for (i, f) in scenario.flow.iter().enumerate() {
        let commodity = model
            .commodities
            .iter()
            .position(|c| c.id == f.commodity)
            .expect("validated");
        let origin = model.site_of_node(
            model
                .nodes
                .iter()
                .position(|n| n.id == f.origin)
                .expect("validated"),
        );
        let destination = model.site_of_node(
            model
                .nodes
                .iter()
                .position(|n| n.id == f.destination)
                .expect("validated"),
        );
        let (Some(origin), Some(destination)) = (origin, destination) else {
            let key = if origin.is_none() {
                "origin"
            } else {
                "destination"
            };
            ctx.error(
                field_path!["flow", i, key],
                "a flow must start and end at a park, dock, terminal or external node",
            );
            continue;
        };
        let (chains, shares): (Vec<String>, Vec<f64>) = match f.mode_policy {
            sc::ModePolicy::Fixed => {
                let total: f64 = f.split.shares.values().sum();
                f.split
                    .shares
                    .iter()
                    .filter(|(_, v)| **v > 0.0)
                    .map(|(k, v)| (k.clone(), v / total))
                    .unzip()
            }
            sc::ModePolicy::GeneralisedCost => {
                let n = f.chains.len() as f64;
                f.chains.iter().map(|c| (c.clone(), 1.0 / n)).unzip()
            }
        };
        let mut options = Vec::new();
        let errors_before = ctx.errors.len();
        let mut smallest_payload = f64::INFINITY;
        let mut road_payload = None;
        for (chain_label, share) in chains.iter().zip(shares) {
            let modes = crate::scenario::parse_chain(chain_label).expect("validated");
            // Feeders to and from transfer points go by road.
            let mut needed: Vec<Mode> = modes.clone();
            if modes.first() != Some(&Mode::Road) || modes.last() != Some(&Mode::Road) {
                needed.push(Mode::Road);
            }
            let mut carrier_by_mode = BTreeMap::new();
            let mut missing = false;
            for mode in needed {
                if carrier_by_mode.contains_key(&mode) {
                    continue;
                }
                let road_optional = mode == Mode::Road && !modes.contains(&Mode::Road);
                let any_of_mode = model.carriers.iter().any(|c| c.mode == mode);
                if road_optional && !any_of_mode && !f.carriers.contains_key(&Mode::Road) {
                    continue; // no road carrier: routes without feeders only
                }
                match carrier_for(ctx, model, i, f, mode) {
                    Some(c) => {
                        carrier_by_mode.insert(mode, c);
                    }
                    None => missing = true,
                }
            }
            if missing {
                continue;
            }
            let request = RouteRequest {
                flow_index: i,
                chain_label,
                modes: &modes,
                commodity,
                origin,
                destination,
                carriers: &carrier_by_mode,
            };
            match route_flow(ctx, model, &request) {
                Some(route) => {
                    for leg in &route.legs {
                        let payload = model.carriers[leg.carrier].payload_t;
                        smallest_payload = smallest_payload.min(payload);
                        if leg.mode == Mode::Road {
                            road_payload = Some(payload);
                        }
                    }
                    options.push((model.routes.len(), share));
                    model.routes.push(route);
                }
                None => continue,
            }
        }
        if options.is_empty() {
            continue; // the route errors have been reported
        }
        if f.mode_policy == sc::ModePolicy::GeneralisedCost && ctx.errors.len() > errors_before {
            // Choice among chains tolerates chains that have no route (a dock not built, a siding closed):
            // shipments use the others. Say so, but do not fail.
            for e in ctx.errors.drain(errors_before..) {
                ctx.warnings.push(format!(
                    "{e} (this chain is skipped; the flow uses its other chains)"
                ));
            }
        }
        let first_carrier_payload =
            model.carriers[model.routes[options[0].0].legs[0].carrier].payload_t;
        let shipment_t = f
            .shipment_t
            .as_ref()
            .map(|v| v.value)
            .or(road_payload)
            .unwrap_or(first_carrier_payload);
        let tank_of = |site: SiteId| {
            model.sites[site]
                .tanks
                .iter()
                .copied()
                .find(|&t| model.tanks[t].commodity == commodity)
        };
        let monthly_factors = f.arrivals.monthly_factors.as_ref().map(|m| {
            let mean = m.iter().sum::<f64>() / 12.0;
            std::array::from_fn(|k| m[k] / mean)
        });
        model.flows.push(Flow {
            id: f.id.clone(),
            commodity,
            origin,
            destination,
            t_per_year: f.t_per_year.value
                * if f.background {
                    background_factor
                } else {
                    chemical_factor
                },
            shipment_t,
            consignment_t: smallest_payload.min(shipment_t),
            arrivals: ArrivalLaw {
                regular: f.arrivals.pattern == sc::ArrivalPattern::Regular,
                monthly_factors,
            },
            choice: match f.mode_policy {
                sc::ModePolicy::Fixed => Choice::Fixed,
                sc::ModePolicy::GeneralisedCost => Choice::GeneralisedCost,
            },
            options,
            lock_priority: f.lock_priority,
            background: f.background,
            origin_tank: tank_of(origin),
            destination_tank: tank_of(destination),
        });
    }
}
