//! The network between the places: locks with their lines, parkings, links, and the check that
//! every lock sits between two water links.

use std::collections::BTreeMap;

use super::super::*;
use super::sites::Places;
use super::{Ctx, position};
use crate::des::Sampler;
use crate::field_path;
use crate::scenario::DistField;

/// The compiled network between the places.
pub(super) struct Network {
    /// Every lock, indexed like the scenario's `[[lock]]` entries.
    pub(super) locks: Vec<Lock>,
    /// Every parking lot.
    pub(super) parkings: Vec<Parking>,
    /// The parking that serves each node, if any.
    pub(super) parking_of_node: Vec<Option<ParkingId>>,
    /// Every link.
    pub(super) links: Vec<Link>,
}

/// Compiles the locks, parkings and links between `places`, and checks how locks are joined.
pub(super) fn compile_network(ctx: &mut Ctx, places: &Places, start_day: f64) -> Network {
    let nodes = &places.nodes;
    let node_index: BTreeMap<&str, NodeId> = nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.id.as_str(), i))
        .collect();
    let locks = compile_locks(ctx, &node_index, places.first_lock_node, start_day);
    let (parkings, parking_of_node) = compile_parkings(ctx, &node_index, nodes.len());
    let links = compile_links(ctx, &node_index, start_day);
    check_lock_joins(ctx, &locks, &links, nodes);
    Network {
        locks,
        parkings,
        parking_of_node,
        links,
    }
}

/// Compiles every lock with its lines' lockage cycles and availability.
fn compile_locks(
    ctx: &mut Ctx,
    node_index: &BTreeMap<&str, NodeId>,
    first_lock_node: NodeId,
    start_day: f64,
) -> Vec<Lock> {
    let loaded = ctx.loaded;
    let s = &loaded.scenario;
    let mut locks = Vec::new();
    for (i, l) in s.lock.iter().enumerate() {
        let lines = l
            .line
            .iter()
            .enumerate()
            .map(|(j, line)| {
                let mut part = |name: &str, field: Option<&DistField>| match field {
                    Some(f) => ctx.sampler(field_path!["lock", i, "line", j, name], f),
                    None => Sampler::Constant(0.0),
                };
                let cycle = match &line.cycle_h {
                    Some(whole) => LockCycle::Whole(part("cycle_h", Some(whole))),
                    None => LockCycle::Parts {
                        doors_h: part("doors_h", line.doors_h.as_ref()),
                        levelling_h: match (&line.levelling_down_h, &line.levelling_up_h) {
                            (Some(down), Some(up)) => [
                                part("levelling_down_h", Some(down)),
                                part("levelling_up_h", Some(up)),
                            ],
                            _ => {
                                let both = part("levelling_h", line.levelling_h.as_ref());
                                [both.clone(), both]
                            }
                        },
                        entry_h: part("entry_h", line.entry_h.as_ref()),
                        exit_h: part("exit_h", line.exit_h.as_ref()),
                    },
                };
                let empty_cycle_h = match (&line.empty_cycle_h, &cycle) {
                    (Some(e), _) => {
                        let given = part("empty_cycle_h", Some(e));
                        [given.clone(), given]
                    }
                    (None, LockCycle::Whole(s)) => [s.clone(), s.clone()],
                    // Two door operations and levelling in that direction: their mean (a sum of samplers
                    // is not a sampler).
                    (
                        None,
                        LockCycle::Parts {
                            doors_h,
                            levelling_h,
                            ..
                        },
                    ) => levelling_h.each_ref().map(|levelling| {
                        Sampler::Constant(2.0 * doors_h.mean() + levelling.mean())
                    }),
                };
                let chamber_size_m = line
                    .chamber_length_m
                    .as_ref()
                    .zip(line.chamber_width_m.as_ref())
                    .map(|(length, width)| (length.value, width.value));
                LockLine {
                    id: line.id.clone(),
                    chamber_capacity_t: line
                        .chamber_capacity_t
                        .as_ref()
                        .map_or(f64::INFINITY, |c| c.value),
                    chamber_size_m,
                    max_vessels: line.max_vessels.value,
                    min_vessels: line.min_vessels.as_ref().map_or(1, |m| m.value),
                    cycle,
                    empty_cycle_h,
                    availability: ctx.availability(
                        field_path!["lock", i, "line", j, "disruptions"],
                        &l.operating_hours,
                        Some(&line.disruptions),
                        start_day,
                    ),
                }
            })
            .collect();
        locks.push(Lock {
            node: first_lock_node + i,
            id: l.id.clone(),
            upstream: node_index[l.upstream.as_str()],
            lines,
            priority: l.priority,
            join: l.join,
            clustering_window_h: l
                .clustering_window_min
                .as_ref()
                .map_or(0.0, |w| w.value / 60.0),
            turn_round_ahead: l.turn_round_ahead,
        });
    }
    locks
}

/// Compiles the parking lots and which node each serves, reporting a node served by two lots.
fn compile_parkings(
    ctx: &mut Ctx,
    node_index: &BTreeMap<&str, NodeId>,
    node_count: usize,
) -> (Vec<Parking>, Vec<Option<ParkingId>>) {
    let loaded = ctx.loaded;
    let s = &loaded.scenario;
    let mut parkings = Vec::new();
    let mut parking_of_node: Vec<Option<ParkingId>> = vec![None; node_count];
    for (i, p) in s.parking.iter().enumerate() {
        for (j, served) in p.serves.iter().enumerate() {
            let node = node_index[served.as_str()];
            if let Some(other) = parking_of_node[node] {
                ctx.error(
                    field_path!["parking", i, "serves", j],
                    format!(
                        "node \"{served}\" is already served by lot \"{}\"",
                        s.parking[other].id
                    ),
                );
            }
            parking_of_node[node] = Some(i);
        }
        parkings.push(Parking {
            id: p.id.clone(),
            slots: p.slots.value,
            position: position(&p.position),
        });
    }
    (parkings, parking_of_node)
}

/// Compiles every link; a road link without a travel time takes its length at its road type's speed.
fn compile_links(ctx: &mut Ctx, node_index: &BTreeMap<&str, NodeId>, start_day: f64) -> Vec<Link> {
    let loaded = ctx.loaded;
    let s = &loaded.scenario;
    s.link
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let travel = match &l.travel_h {
                Some(t) => TravelTime::Given(ctx.sampler(field_path!["link", i, "travel_h"], t)),
                None if l.mode == Mode::Road => {
                    let road_type = l.road_type.unwrap_or(RoadType::Trunk);
                    let speed = s
                        .road
                        .speed_km_per_h
                        .get(&road_type)
                        .map_or(50.0, |v| v.value);
                    TravelTime::Given(Sampler::Constant(l.length_km.value / speed))
                }
                None => TravelTime::BySpeed,
            };
            Link {
                id: l.id.clone(),
                mode: l.mode,
                from: node_index[l.from.as_str()],
                to: node_index[l.to.as_str()],
                length_km: l.length_km.value,
                in_area_km: l
                    .in_area_km
                    .as_ref()
                    .map_or(l.length_km.value, |v| v.value.min(l.length_km.value)),
                travel,
                road_type: (l.mode == Mode::Road).then(|| l.road_type.unwrap_or(RoadType::Trunk)),
                hazmat_allowed: l.hazmat_allowed,
                hazmat_bans: l.hazmat_ban_hours.iter().map(|[a, b]| (*a, *b)).collect(),
                paths_per_day: l.paths_per_day.as_ref().map(|v| v.value),
                max_vessel_class_t: l.max_vessel_class_t.as_ref().map(|v| v.value),
                bidirectional: l.bidirectional,
                availability: ctx.availability(
                    field_path!["link", i, "disruptions"],
                    &None,
                    Some(&l.disruptions),
                    start_day,
                ),
                waypoints: l.waypoints.iter().map(|w| (w.lon, w.lat)).collect(),
            }
        })
        .collect()
}

/// Checks that every lock sits between exactly two water links, one of them towards its `upstream`
/// node, and that no other link ends at it.
fn check_lock_joins(ctx: &mut Ctx, locks: &[Lock], links: &[Link], nodes: &[Node]) {
    for (i, lock) in locks.iter().enumerate() {
        let water: Vec<&Link> = links
            .iter()
            .filter(|l| l.mode == Mode::Water && (l.from == lock.node || l.to == lock.node))
            .collect();
        let neighbours: Vec<NodeId> = water
            .iter()
            .map(|l| if l.from == lock.node { l.to } else { l.from })
            .collect();
        if water.len() != 2 {
            ctx.error(
                field_path!["lock", i, "id"],
                format!(
                    "a lock must join exactly two water links; \"{}\" has {}",
                    lock.id,
                    water.len()
                ),
            );
        } else if !neighbours.contains(&lock.upstream) {
            ctx.error(
                field_path!["lock", i, "upstream"],
                format!(
                    "\"{}\" is not joined to the lock by a water link",
                    nodes[lock.upstream].id
                ),
            );
        }
        for link in links
            .iter()
            .filter(|l| l.mode != Mode::Water && (l.from == lock.node || l.to == lock.node))
        {
            ctx.error(
                field_path!["lock", i, "id"],
                format!(
                    "the {} link \"{}\" ends at a lock; only water links may",
                    link.mode.name(),
                    link.id
                ),
            );
        }
    }
}
