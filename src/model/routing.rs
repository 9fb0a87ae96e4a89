//! Least generalised-cost routes on the multimodal network.
//!
//! A chain such as `water` or `rail+water` names the main modes in order; road feeders from the origin to
//! the first transfer point and from the last transfer point to the destination are added when needed.
//! The search runs Dijkstra on states (node, phase, moved): phase k is the k-th mode of the expanded chain
//! (feeder, main modes, feeder), and `moved` records whether the current phase has used a link yet (a main
//! phase must). Moves are link traversals within a phase and phase changes at transfer sites (docks and
//! terminals that handle both modes and, for dangerous goods, hold a licence), or at the origin when the
//! first feeder is not needed. Vehicle classes and hazmat rules restrict the links and sites usable.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BinaryHeap};

use super::compile::Ctx;
use super::*;
use crate::field_path;

pub(super) struct RouteRequest<'a> {
    pub(super) flow_index: usize,
    pub(super) chain_label: &'a str,
    pub(super) modes: &'a [Mode],
    pub(super) commodity: CommodityId,
    pub(super) origin: SiteId,
    pub(super) destination: SiteId,
    pub(super) carriers: &'a BTreeMap<Mode, CarrierId>,
}

#[derive(Clone, Copy)]
struct Phase {
    mode: Mode,
    main: bool,
}

/// Which restrictions the search applies (all, for routing; some relaxed, to explain a failure).
#[derive(Clone, Copy)]
struct Rules {
    vessel_classes: bool,
    hazmat: bool,
}

#[derive(Clone, Copy, PartialEq)]
enum Via {
    Start,
    Link(LinkId, bool),
    Change,
}

struct Found {
    cost: f64,
    /// States from start to goal with how each was reached.
    steps: Vec<(NodeId, usize, Via)>,
}

#[derive(PartialEq)]
struct Entry {
    cost: f64,
    state: usize,
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Entry {
    /// Min-heap on cost, ties by state index: the search order never depends on anything else.
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .cost
            .total_cmp(&self.cost)
            .then(other.state.cmp(&self.state))
    }
}

fn tkm_cost(ctx: &Ctx, mode: Mode) -> f64 {
    ctx.loaded
        .scenario
        .cost
        .per_tkm
        .get(&mode)
        .map_or(0.0, |v| v.value)
}

fn travel_hours(model: &Model, link: &Link, carrier: CarrierId) -> Option<f64> {
    match &link.travel {
        TravelTime::Given(s) => Some(s.mean()),
        TravelTime::BySpeed => model.carriers[carrier]
            .speed_km_per_h
            .map(|v| link.length_km / v),
    }
}

fn max_berth_class(site: &Site) -> f64 {
    site.berths.iter().map(|b| b.1).fold(0.0, f64::max)
}

/// Links leaving each node: (link, traversed from its `to` end).
fn adjacency(model: &Model) -> Vec<Vec<(LinkId, bool)>> {
    let mut out = vec![Vec::new(); model.nodes.len()];
    for (l, link) in model.links.iter().enumerate() {
        out[link.from].push((l, false));
        if link.bidirectional {
            out[link.to].push((l, true));
        }
    }
    out
}

/// The largest chamber of `lock`, t: the largest vessel class it can pass.
fn max_chamber_t(model: &Model, lock: LockId) -> f64 {
    model.locks[lock]
        .lines
        .iter()
        .map(|l| l.chamber_capacity_t)
        .fold(0.0, f64::max)
}

/// Whether a vessel of `class_t` may sail `link` into `next_node`: within the waterway's class limit
/// and, at a lock, within its largest chamber.
fn admits_vessel(model: &Model, link: &Link, next_node: NodeId, class_t: f64) -> bool {
    if link.max_vessel_class_t.is_some_and(|max| class_t > max) {
        return false;
    }
    if let Some(lock) = model.lock_of_node(next_node)
        && class_t > max_chamber_t(model, lock)
    {
        return false;
    }
    true
}

/// The states from the start to `goal` with how each was reached, following `previous` back.
fn trace_back(
    previous: &[Option<(usize, Via)>],
    goal: usize,
    decode: impl Fn(usize) -> (usize, NodeId, NodeId),
) -> Vec<(NodeId, usize, Via)> {
    let mut steps = Vec::new();
    let mut s = goal;
    loop {
        let (prev, via) = previous[s].unwrap_or((usize::MAX, Via::Start));
        let (phase, _, node) = decode(s);
        steps.push((node, phase, via));
        if prev == usize::MAX {
            break;
        }
        s = prev;
    }
    steps.reverse();
    steps
}

/// The least generalised-cost path through `phases` for `req` under `rules` (Dijkstra on states).
fn search(
    ctx: &Ctx,
    model: &Model,
    req: &RouteRequest,
    phases: &[Phase],
    rules: Rules,
) -> Option<Found> {
    let hazmat = model.commodities[req.commodity].hazmat && rules.hazmat;
    let origin_node = model.sites[req.origin].node;
    let destination_node = model.sites[req.destination].node;
    let last = phases.len() - 1;
    let n = model.nodes.len();
    // A state is (phase, node where the phase began, current node): a phase may only end away from where it
    // began, so no leg is a loop back to its own start.
    let index = |phase: usize, start: NodeId, node: NodeId| (phase * n + start) * n + node;
    let decode = |state: usize| (state / (n * n), (state / n) % n, state % n);
    let states = phases.len() * n * n;
    let mut best = vec![f64::INFINITY; states];
    let mut previous: Vec<Option<(usize, Via)>> = vec![None; states];
    let mut heap = BinaryHeap::new();
    let first = index(0, origin_node, origin_node);
    best[first] = 0.0;
    heap.push(Entry {
        cost: 0.0,
        state: first,
    });
    let adjacency = adjacency(model);
    let value_of_time = model.rules.value_of_time_per_t_h;
    let transfer_cost = ctx.loaded.scenario.cost.transfer_per_t.value;
    let class_of = |mode: Mode| {
        req.carriers
            .get(&mode)
            .map(|&c| model.carriers[c].vessel_class_t)
            .unwrap_or(0.0)
    };
    let site_ok_for = |site: &Site, mode: Mode| {
        site.handles(mode)
            && (mode != Mode::Water
                || !rules.vessel_classes
                || site.is_external()
                || max_berth_class(site) >= class_of(mode))
    };

    while let Some(Entry { cost, state }) = heap.pop() {
        if cost > best[state] {
            continue;
        }
        let (phase, start, node) = decode(state);
        let moved = node != start;
        let here = model.site_of_node(node).map(|s| &model.sites[s]);
        // Goal: at the destination, having moved, in the last phase or in the last main phase when only an
        // (empty) feeder follows; the destination must handle the arriving mode.
        let can_finish = phase == last || (phase + 1 == last && !phases[last].main);
        if node == destination_node
            && can_finish
            && moved
            && here.is_some_and(|s| site_ok_for(s, phases[phase].mode))
        {
            let steps = trace_back(&previous, state, decode);
            return Some(Found { cost, steps });
        }
        let mut relax = |next: usize, c: f64, via: Via, heap: &mut BinaryHeap<Entry>| {
            if c < best[next] {
                best[next] = c;
                previous[next] = Some((state, via));
                heap.push(Entry {
                    cost: c,
                    state: next,
                });
            }
        };
        let mode = phases[phase].mode;
        let Some(&carrier) = req.carriers.get(&mode) else {
            continue;
        };
        // Leaving the phase's start needs a site that loads this mode there.
        if moved || here.is_some_and(|s| site_ok_for(s, mode)) {
            for &(l, reversed) in &adjacency[node] {
                let link = &model.links[l];
                if link.mode != mode || (hazmat && !link.hazmat_allowed) {
                    continue;
                }
                let next_node = if reversed { link.from } else { link.to };
                if mode == Mode::Water
                    && rules.vessel_classes
                    && !admits_vessel(model, link, next_node, class_of(Mode::Water))
                {
                    continue;
                }
                let Some(hours) = travel_hours(model, link, carrier) else {
                    continue;
                };
                let c = cost + link.length_km * tkm_cost(ctx, mode) + hours * value_of_time;
                relax(
                    index(phase, start, next_node),
                    c,
                    Via::Link(l, reversed),
                    &mut heap,
                );
            }
        }
        if phase < last {
            let next = phases[phase + 1];
            if node == origin_node && phase == 0 && !phases[0].main && !moved {
                // No first feeder: the origin loads the first main mode directly.
                relax(index(1, node, node), cost, Via::Change, &mut heap);
            } else if moved {
                let transfer_ok = here.is_some_and(|s| {
                    matches!(s.kind, SiteKind::Dock | SiteKind::Terminal)
                        && site_ok_for(s, mode)
                        && site_ok_for(s, next.mode)
                        && (!hazmat || s.hazmat)
                });
                if transfer_ok {
                    let s = here.expect("checked");
                    let handling = |m: Mode| match m {
                        Mode::Road => s.truck_handling_h.mean(),
                        Mode::Rail => s.wagon_handling_h.mean(),
                        Mode::Water => 0.0,
                    };
                    let c = cost
                        + transfer_cost
                        + value_of_time * (handling(mode) + handling(next.mode));
                    relax(index(phase + 1, node, node), c, Via::Change, &mut heap);
                }
            }
        }
    }
    None
}

/// Routes one flow on one chain; reports why when no route exists.
pub(super) fn route_flow(ctx: &mut Ctx, model: &Model, req: &RouteRequest) -> Option<Route> {
    let phases = phases_of(req);
    let all = Rules {
        vessel_classes: true,
        hazmat: true,
    };
    if let Some(found) = search(ctx, model, req, &phases, all) {
        return Some(build_route(model, req, &phases, found));
    }
    let path = if ctx.loaded.scenario.flow[req.flow_index].mode_policy
        == crate::scenario::ModePolicy::Fixed
    {
        field_path!["flow", req.flow_index, "split", req.chain_label.to_string()]
    } else {
        field_path!["flow", req.flow_index, "chains"]
    };
    let from = &model.sites[req.origin].id;
    let to = &model.sites[req.destination].id;
    let mut reasons = Vec::new();
    reasons.extend(vessel_class_reason(ctx, model, req, &phases));
    if reasons.is_empty()
        && search(
            ctx,
            model,
            req,
            &phases,
            Rules {
                vessel_classes: true,
                hazmat: false,
            },
        )
        .is_some()
    {
        reasons.push(format!(
            "\"{}\" is dangerous goods and every path uses a link closed to them or a transfer site without a hazmat licence",
            model.commodities[req.commodity].id
        ));
    }
    if reasons.is_empty() {
        reasons.push(format!(
            "no path: check that {} links connect them, with transfer sites (docks, terminals) handling both modes",
            req.modes.iter().map(|m| m.name()).collect::<Vec<_>>().join(" and ")
        ));
    }
    ctx.error(
        path,
        format!(
            "no feasible route by {} from \"{from}\" to \"{to}\": {}",
            req.chain_label,
            reasons.join("; ")
        ),
    );
    None
}

/// Why a route fails on vessel classes: the waterways and locks too small, or the berths, on the
/// path found without class limits; `None` when there is no such path or no water carrier.
fn vessel_class_reason(
    ctx: &Ctx,
    model: &Model,
    req: &RouteRequest,
    phases: &[Phase],
) -> Option<String> {
    if let Some(found) = search(
        ctx,
        model,
        req,
        phases,
        Rules {
            vessel_classes: false,
            hazmat: true,
        },
    ) {
        let class = req
            .carriers
            .get(&Mode::Water)
            .map(|&c| (&model.carriers[c].id, model.carriers[c].vessel_class_t));
        if let Some((carrier, class)) = class {
            let blockers: Vec<String> = found
                .steps
                .iter()
                .filter_map(|&(node, _, via)| match via {
                    Via::Link(l, _) => {
                        let link = &model.links[l];
                        if link.max_vessel_class_t.is_some_and(|m| class > m) {
                            Some(format!(
                                "waterway \"{}\" admits at most {} t",
                                link.id,
                                link.max_vessel_class_t.unwrap_or(0.0)
                            ))
                        } else if let Some(lock) = model.lock_of_node(node) {
                            let chamber = max_chamber_t(model, lock);
                            (class > chamber).then(|| {
                                format!(
                                    "lock \"{}\" admits at most {chamber} t",
                                    model.locks[lock].id
                                )
                            })
                        } else {
                            None
                        }
                    }
                    _ => None,
                })
                .collect();
            return Some(format!(
                "vessel class {class} t of carrier \"{carrier}\" is too large: {}",
                if blockers.is_empty() {
                    "no dock on the way has a berth that large".to_string()
                } else {
                    blockers.join("; ")
                }
            ));
        }
    }
    None
}

/// The phases of a chain: its main modes in order, with road feeders before and after where the
/// chain does not start or end by road and a road carrier exists.
fn phases_of(req: &RouteRequest) -> Vec<Phase> {
    let mut phases = Vec::new();
    let has_road = req.carriers.contains_key(&Mode::Road);
    if req.modes[0] != Mode::Road && has_road {
        phases.push(Phase {
            mode: Mode::Road,
            main: false,
        });
    }
    phases.extend(req.modes.iter().map(|&mode| Phase { mode, main: true }));
    if *req.modes.last().expect("non-empty chain") != Mode::Road && has_road {
        phases.push(Phase {
            mode: Mode::Road,
            main: false,
        });
    }
    phases
}

/// The route of a found path: its legs between sites, and its main mode (the most km).
fn build_route(model: &Model, req: &RouteRequest, phases: &[Phase], found: Found) -> Route {
    let mut legs: Vec<Leg> = Vec::new();
    let mut current: Option<Leg> = None;
    let mut phase_start_node = found.steps[0].0;
    let mut km_by_mode: BTreeMap<Mode, f64> = BTreeMap::new();
    for &(node, phase, via) in &found.steps {
        match via {
            Via::Start => {}
            Via::Change => {
                if let Some(leg) = current.take() {
                    legs.push(leg);
                }
                phase_start_node = node;
            }
            Via::Link(l, reversed) => {
                let mode = phases[phase].mode;
                let leg = current.get_or_insert_with(|| Leg {
                    mode,
                    carrier: req.carriers[&mode],
                    from: model
                        .site_of_node(phase_start_node)
                        .expect("legs start at sites"),
                    to: usize::MAX,
                    links: Vec::new(),
                    nodes: vec![phase_start_node],
                });
                leg.links.push((l, reversed));
                leg.nodes.push(node);
                if phases[phase].main {
                    *km_by_mode.entry(mode).or_default() += model.links[l].length_km;
                }
            }
        }
    }
    if let Some(leg) = current.take() {
        legs.push(leg);
    }
    for leg in &mut legs {
        leg.to = model
            .site_of_node(*leg.nodes.last().expect("a leg has nodes"))
            .expect("legs end at sites");
    }
    let main_mode = km_by_mode
        .iter()
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map(|(m, _)| *m)
        .unwrap_or(req.modes[0]);
    Route {
        label: req.chain_label.to_string(),
        main_mode,
        legs,
        static_cost_per_t: found.cost,
    }
}
