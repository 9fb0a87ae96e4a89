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

/// The commodity of a flow and the sites it starts and ends at.
#[derive(Clone, Copy)]
struct FlowEnds {
    commodity: CommodityId,
    origin: SiteId,
    destination: SiteId,
}

/// The routes found for a flow's chains, with the payloads that size its shipments.
struct RoutedChains {
    /// (route, share) of each chain that has a route.
    options: Vec<(RouteId, f64)>,
    /// Smallest payload of any carrier on the routes, t.
    smallest_payload_t: f64,
    /// Payload of a road carrier on the routes (the last leg by road), t.
    road_payload_t: Option<f64>,
}

/// Compiles every flow: its ends, a route for each of its chains, and its shipment sizes. A chain
/// without a route fails the compilation, except under generalised-cost choice, which uses the other
/// chains and warns.
pub(super) fn compile_flows(ctx: &mut Ctx, model: &mut Model) {
    let scenario = &ctx.loaded.scenario;
    for (i, f) in scenario.flow.iter().enumerate() {
        let Some(ends) = flow_ends(ctx, model, i, f) else {
            continue;
        };
        let errors_before = ctx.errors.len();
        let routed = route_chains(ctx, model, i, f, ends);
        if routed.options.is_empty() {
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
        let flow = compiled_flow(model, f, ends, routed, &scenario.demand);
        model.flows.push(flow);
    }
}

/// The commodity and end sites of flow `i`; reports an end that is not a site.
fn flow_ends(ctx: &mut Ctx, model: &Model, i: usize, f: &sc::Flow) -> Option<FlowEnds> {
    let commodity = model
        .commodities
        .iter()
        .position(|c| c.id == f.commodity)
        .expect("validated");
    let site_of = |id: &str| {
        model.site_of_node(
            model
                .nodes
                .iter()
                .position(|n| n.id == id)
                .expect("validated"),
        )
    };
    let (origin, destination) = (site_of(&f.origin), site_of(&f.destination));
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
        return None;
    };
    Some(FlowEnds {
        commodity,
        origin,
        destination,
    })
}

/// The chains a flow may use and the share of each: the positive shares of a fixed split, normalised,
/// or equal shares of the chains open to generalised-cost choice.
fn chain_shares(f: &sc::Flow) -> (Vec<String>, Vec<f64>) {
    match f.mode_policy {
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
    }
}

/// The carrier of each mode chain `modes` of flow `i` needs, road feeders included where a road
/// carrier exists; `None` when one is missing (reported).
fn carriers_for_chain(
    ctx: &mut Ctx,
    model: &Model,
    i: usize,
    f: &sc::Flow,
    modes: &[Mode],
) -> Option<BTreeMap<Mode, CarrierId>> {
    // Feeders to and from transfer points go by road.
    let mut needed: Vec<Mode> = modes.to_vec();
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
    (!missing).then_some(carrier_by_mode)
}

/// Routes each chain of flow `i`, adding the routes found to the model.
fn route_chains(
    ctx: &mut Ctx,
    model: &mut Model,
    i: usize,
    f: &sc::Flow,
    ends: FlowEnds,
) -> RoutedChains {
    let (chains, shares) = chain_shares(f);
    let mut routed = RoutedChains {
        options: Vec::new(),
        smallest_payload_t: f64::INFINITY,
        road_payload_t: None,
    };
    for (chain_label, share) in chains.iter().zip(shares) {
        let modes = crate::scenario::parse_chain(chain_label).expect("validated");
        let Some(carrier_by_mode) = carriers_for_chain(ctx, model, i, f, &modes) else {
            continue;
        };
        let request = RouteRequest {
            flow_index: i,
            chain_label,
            modes: &modes,
            commodity: ends.commodity,
            origin: ends.origin,
            destination: ends.destination,
            carriers: &carrier_by_mode,
        };
        match route_flow(ctx, model, &request) {
            Some(route) => {
                for leg in &route.legs {
                    let payload = model.carriers[leg.carrier].payload_t;
                    routed.smallest_payload_t = routed.smallest_payload_t.min(payload);
                    if leg.mode == Mode::Road {
                        routed.road_payload_t = Some(payload);
                    }
                }
                routed.options.push((model.routes.len(), share));
                model.routes.push(route);
            }
            None => continue,
        }
    }
    routed
}

/// The compiled flow: its yearly tonnage scaled by demand, its shipment and consignment sizes, its
/// arrival law and choice, and the tanks at its ends.
fn compiled_flow(
    model: &Model,
    f: &sc::Flow,
    ends: FlowEnds,
    routed: RoutedChains,
    demand: &sc::DemandRules,
) -> Flow {
    let FlowEnds {
        commodity,
        origin,
        destination,
    } = ends;
    let options = routed.options;
    let first_carrier_payload =
        model.carriers[model.routes[options[0].0].legs[0].carrier].payload_t;
    let shipment_t = f
        .shipment_t
        .as_ref()
        .map(|v| v.value)
        .or(routed.road_payload_t)
        .unwrap_or(first_carrier_payload);
    let tank_of = |site: SiteId| {
        model.sites[site]
            .tanks
            .iter()
            .copied()
            .find(|&t| model.tanks[t].commodity == commodity)
    };
    let monthly_factors = f.arrivals.monthly_factors.as_deref().map(mean_one);
    let hourly_factors = f.arrivals.hourly_factors.as_deref().map(mean_one);
    Flow {
        id: f.id.clone(),
        commodity,
        origin,
        destination,
        t_per_year: f.t_per_year.value
            * if f.background {
                demand.background_factor.value
            } else {
                demand.chemical_factor.value
            },
        shipment_t,
        consignment_t: routed.smallest_payload_t.min(shipment_t),
        arrivals: ArrivalLaw {
            regular: f.arrivals.pattern == sc::ArrivalPattern::Regular,
            monthly_factors,
            hourly_factors,
        },
        choice: match f.mode_policy {
            sc::ModePolicy::Fixed => Choice::Fixed,
            sc::ModePolicy::GeneralisedCost => Choice::GeneralisedCost,
        },
        options,
        lock_priority: f.lock_priority,
        handling_priority: f.handling_priority,
        background: f.background,
        origin_tank: tank_of(origin),
        destination_tank: tank_of(destination),
    }
}

/// A rate profile scaled to mean 1 (validation checked its length and that it is not all zero).
fn mean_one<const N: usize>(factors: &[f64]) -> [f64; N] {
    let mean = factors.iter().sum::<f64>() / N as f64;
    std::array::from_fn(|k| factors[k] / mean)
}
