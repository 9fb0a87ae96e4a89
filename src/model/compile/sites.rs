//! The places of the network: parks with their tanks and plants, docks, terminals and externals
//! (the sites), then the nodes of locks and junctions.

use std::collections::BTreeMap;

use super::super::*;
use super::{Ctx, position};
use crate::des::Sampler;
use crate::field_path;
use crate::scenario as sc;

/// The nodes of the network and what the sites among them hold, in model order: sites first
/// (parks, docks, terminals, externals), then locks, then junctions.
pub(super) struct Places {
    /// Every node, indexed by `NodeId`.
    pub(super) nodes: Vec<Node>,
    /// Every site, indexed by the `NodeKind::Site` of its node.
    pub(super) sites: Vec<Site>,
    /// The tank groups of the parks.
    pub(super) tanks: Vec<Tank>,
    /// The plants that fill the tanks.
    pub(super) producers: Vec<Plant>,
    /// The plants that draw from the tanks.
    pub(super) consumers: Vec<Plant>,
    /// The processes that turn the contents of some tanks into that of others.
    pub(super) processes: Vec<Process>,
    /// The node of the first lock; lock `i` is node `first_lock_node + i`.
    pub(super) first_lock_node: NodeId,
}

impl Places {
    /// Adds the node of the site about to be pushed; returns the node's id.
    fn push_site_node(&mut self, id: &str, name: &str, at: &Option<sc::Position>) -> NodeId {
        let node = self.nodes.len();
        self.nodes.push(Node {
            id: id.to_string(),
            name: name.to_string(),
            kind: NodeKind::Site(self.sites.len()),
            position: position(at),
        });
        node
    }
}

/// Compiles the nodes of the scenario: every site with its handling, storage and availability,
/// then the lock and junction nodes.
pub(super) fn compile_places(
    ctx: &mut Ctx,
    commodity_index: &BTreeMap<&str, usize>,
    start_day: f64,
) -> Places {
    // The scenario outlives the context, so it can be read while the context collects problems.
    let loaded = ctx.loaded;
    let s = &loaded.scenario;
    let mut places = Places {
        nodes: Vec::new(),
        sites: Vec::new(),
        tanks: Vec::new(),
        producers: Vec::new(),
        consumers: Vec::new(),
        processes: Vec::new(),
        first_lock_node: 0,
    };
    for (i, p) in s.park.iter().enumerate() {
        compile_park(ctx, &mut places, i, p, commodity_index, start_day);
    }
    for (i, d) in s.dock.iter().enumerate() {
        compile_dock(ctx, &mut places, i, d, start_day);
    }
    for (i, t) in s.terminal.iter().enumerate() {
        let node = places.push_site_node(&t.id, &t.name, &t.position);
        places.sites.push(Site {
            node,
            id: t.id.clone(),
            kind: SiteKind::Terminal,
            road_bays: t.bays.road,
            truck_handling_h: ctx.sampler(
                field_path!["terminal", i, "truck_handling_h"],
                &t.truck_handling_h,
            ),
            rail_tracks: t.bays.rail,
            wagon_handling_h: ctx.sampler(
                field_path!["terminal", i, "wagon_handling_h"],
                &t.wagon_handling_h,
            ),
            berths: Vec::new(),
            berth_counts: Vec::new(),
            handling_t_per_h: Vec::new(),
            storage_t: Some(t.storage_t.value),
            hazmat: t.hazmat,
            design_capacity_t_per_year: None,
            availability: ctx.availability(
                field_path!["terminal", i, "disruptions"],
                &t.operating_hours,
                Some(&t.disruptions),
                start_day,
            ),
            shifts: Vec::new(),
            truck_handling_by_commodity: Vec::new(),
            wagon_handling_by_commodity: Vec::new(),
            priority: false,
            truck_yard: None,
            tanks: Vec::new(),
        });
    }
    for e in &s.external {
        let node = places.push_site_node(&e.id, &e.name, &e.position);
        places.sites.push(Site {
            node,
            id: e.id.clone(),
            kind: SiteKind::External,
            road_bays: 0,
            truck_handling_h: Sampler::Constant(0.0),
            rail_tracks: 0,
            wagon_handling_h: Sampler::Constant(0.0),
            berths: Vec::new(),
            berth_counts: Vec::new(),
            handling_t_per_h: Vec::new(),
            storage_t: None,
            hazmat: true,
            design_capacity_t_per_year: None,
            availability: Availability::default(),
            shifts: Vec::new(),
            truck_handling_by_commodity: Vec::new(),
            wagon_handling_by_commodity: Vec::new(),
            priority: false,
            truck_yard: None,
            tanks: Vec::new(),
        });
    }
    attach_service_rules(ctx, &mut places.sites, s, commodity_index);
    places.first_lock_node = places.nodes.len();
    for (i, l) in s.lock.iter().enumerate() {
        places.nodes.push(Node {
            id: l.id.clone(),
            name: l.name.clone(),
            kind: NodeKind::Lock(i),
            position: position(&l.position),
        });
    }
    for j in &s.junction {
        places.nodes.push(Node {
            id: j.id.clone(),
            name: j.name.clone(),
            kind: NodeKind::Junction,
            position: position(&j.position),
        });
    }
    places
}

/// Compiles park `i`: its node and site, its tank groups, and the plants that fill and draw from them.
fn compile_park(
    ctx: &mut Ctx,
    places: &mut Places,
    i: usize,
    p: &sc::Park,
    commodity_index: &BTreeMap<&str, usize>,
    start_day: f64,
) {
    // The scenario outlives the context, so it can be read while the context collects problems.
    let loaded = ctx.loaded;
    let s = &loaded.scenario;
    let site = places.sites.len();
    let node = places.push_site_node(&p.id, &p.name, &p.position);
    let tanks = &mut places.tanks;
    let mut site_tanks = Vec::new();
    for t in &p.tank {
        site_tanks.push(tanks.len());
        tanks.push(Tank {
            site,
            commodity: commodity_index[t.commodity.as_str()],
            capacity_t: t.capacity_t.value,
            initial_t: t.initial_t.value,
            count: t.count,
        });
    }
    for (list, rates) in [
        (&mut places.producers, &p.producer),
        (&mut places.consumers, &p.consumer),
    ] {
        for r in rates.iter() {
            let tank = *site_tanks
                .iter()
                .find(|&&t| s.commodity[tanks[t].commodity].id == r.commodity)
                .expect("validated");
            // Plants follow chemical demand (what-ifs scale both together).
            let rate_t_per_h = r.t_per_year.value * s.demand.chemical_factor.value / HOURS_PER_YEAR;
            let batch_t = r
                .batch_t
                .as_ref()
                .map_or(rate_t_per_h * 24.0, |b| b.value)
                .min(tanks[tank].capacity_t);
            list.push(Plant {
                tank,
                rate_t_per_h,
                batch_t,
            });
        }
    }
    for process in &p.process {
        let process = compile_process(s, p, process, tanks, &site_tanks);
        places.processes.push(process);
    }
    places.sites.push(Site {
        node,
        id: p.id.clone(),
        kind: SiteKind::Park,
        road_bays: p.bays.road,
        truck_handling_h: ctx.sampler(
            field_path!["park", i, "truck_handling_h"],
            &p.truck_handling_h,
        ),
        rail_tracks: p.bays.rail,
        wagon_handling_h: ctx.sampler(
            field_path!["park", i, "wagon_handling_h"],
            &p.wagon_handling_h,
        ),
        berths: Vec::new(),
        berth_counts: Vec::new(),
        handling_t_per_h: Vec::new(),
        storage_t: None,
        hazmat: true,
        design_capacity_t_per_year: None,
        availability: ctx.availability(
            field_path!["park", i, "disruptions"],
            &p.operating_hours,
            Some(&p.disruptions),
            start_day,
        ),
        shifts: Vec::new(),
        truck_handling_by_commodity: Vec::new(),
        wagon_handling_by_commodity: Vec::new(),
        priority: false,
        truck_yard: None,
        tanks: site_tanks,
    });
}

/// Compiles a process of park `p`: its tanks, its rate (following chemical demand, as plants do), a batch
/// that fits its tanks, and its restart marks.
fn compile_process(
    s: &sc::Scenario,
    p: &sc::Park,
    process: &sc::Process,
    tanks: &[Tank],
    site_tanks: &[TankId],
) -> Process {
    let tank_of = |commodity: &str| {
        *site_tanks
            .iter()
            .find(|&&t| s.commodity[tanks[t].commodity].id == commodity)
            .expect("validated: the park has a tank of every commodity its processes use")
    };
    let rate_t_per_h = process.t_per_year.value * s.demand.chemical_factor.value / HOURS_PER_YEAR;
    let output = process.output.as_deref().map(tank_of);
    let inputs: Vec<(TankId, f64)> = process
        .inputs
        .iter()
        .map(|(commodity, per_t)| (tank_of(commodity), per_t.value))
        .collect();
    // A batch no tank can take or give at once would jam the process for good.
    let batch_t = inputs
        .iter()
        .map(|&(t, per_t)| tanks[t].capacity_t / per_t)
        .chain(output.map(|t| tanks[t].capacity_t))
        .fold(
            process
                .batch_t
                .as_ref()
                .map_or(rate_t_per_h * 24.0, |b| b.value),
            f64::min,
        );
    Process {
        name: format!("{}/{}", p.id, process.id),
        output,
        rate_t_per_h,
        batch_t,
        inputs,
        restart_inputs_above: process
            .restart_inputs_above
            .as_ref()
            .map_or(0.0, |f| f.value),
        restart_output_below: process
            .restart_output_below
            .as_ref()
            .map_or(1.0, |f| f.value),
    }
}

/// Compiles dock `i`: its berth groups, handling rates, storage, gate and siding.
fn compile_dock(ctx: &mut Ctx, places: &mut Places, i: usize, d: &sc::Dock, start_day: f64) {
    let node = places.push_site_node(&d.id, &d.name, &d.position);
    places.sites.push(Site {
        node,
        id: d.id.clone(),
        kind: SiteKind::Dock,
        road_bays: d.truck_bays,
        truck_handling_h: ctx.sampler(
            field_path!["dock", i, "truck_handling_h"],
            &d.truck_handling_h,
        ),
        rail_tracks: d.rail_tracks,
        wagon_handling_h: ctx.sampler(
            field_path!["dock", i, "wagon_handling_h"],
            &d.wagon_handling_h,
        ),
        berths: d
            .berths
            .iter()
            .map(|b| (b.count.value, b.class_t.value))
            .collect(),
        berth_counts: d.berths.iter().map(|b| b.count.value).collect(),
        handling_t_per_h: d
            .handling_t_per_h
            .iter()
            .map(|(g, r)| (*g, r.value))
            .collect(),
        storage_t: Some(d.storage_t.value),
        hazmat: d.hazmat,
        design_capacity_t_per_year: d.design_capacity_t_per_year.as_ref().map(|v| v.value),
        availability: ctx.availability(
            field_path!["dock", i, "disruptions"],
            &d.operating_hours,
            Some(&d.disruptions),
            start_day,
        ),
        shifts: Vec::new(),
        truck_handling_by_commodity: Vec::new(),
        wagon_handling_by_commodity: Vec::new(),
        priority: false,
        truck_yard: None,
        tanks: Vec::new(),
    });
}

/// Gives the parks, docks and terminals (the first sites, in that order) their priority rule, handling
/// times by commodity and shift schedules, every count the scenario left out resolved to the site's full
/// count.
fn attach_service_rules(
    ctx: &mut Ctx,
    sites: &mut [Site],
    s: &sc::Scenario,
    commodity_index: &BTreeMap<&str, usize>,
) {
    let rules = s
        .park
        .iter()
        .map(|p| {
            service_rules(
                "park",
                (p.priority, &p.truck_yard),
                &p.shifts,
                [
                    &p.truck_handling_h_by_commodity,
                    &p.wagon_handling_h_by_commodity,
                ],
            )
        })
        .chain(s.dock.iter().map(|d| {
            service_rules(
                "dock",
                (d.priority, &d.truck_yard),
                &d.shifts,
                [
                    &d.truck_handling_h_by_commodity,
                    &d.wagon_handling_h_by_commodity,
                ],
            )
        }))
        .chain(s.terminal.iter().map(|t| {
            service_rules(
                "terminal",
                (t.priority, &t.truck_yard),
                &t.shifts,
                [
                    &t.truck_handling_h_by_commodity,
                    &t.wagon_handling_h_by_commodity,
                ],
            )
        }));
    let mut index_of_kind = BTreeMap::<&str, usize>::new();
    for (site, rules) in sites.iter_mut().zip(rules) {
        let i = *index_of_kind
            .entry(rules.kind)
            .and_modify(|i| *i += 1)
            .or_insert(0);
        site.priority = rules.priority;
        site.truck_yard = rules
            .truck_yard
            .as_ref()
            .map(|y| (y.waiting_space.value, y.overflow));
        let [trucks, wagons] = rules.handling.map(|(field, map)| {
            map.iter()
                .filter_map(|(commodity, dist)| {
                    let c = *commodity_index.get(commodity.as_str())?;
                    Some((
                        c,
                        ctx.sampler(field_path![rules.kind, i, field, commodity.as_str()], dist),
                    ))
                })
                .collect::<Vec<_>>()
        });
        site.truck_handling_by_commodity = trucks;
        site.wagon_handling_by_commodity = wagons;
        site.shifts = rules
            .shifts
            .iter()
            .map(|p| ShiftServers {
                from_h: p.from_h,
                to_h: p.to_h,
                road_bays: p.road.unwrap_or(site.road_bays),
                rail_tracks: p.rail.unwrap_or(site.rail_tracks),
                berths: p
                    .berths
                    .clone()
                    .unwrap_or_else(|| site.berth_counts.clone()),
            })
            .collect();
    }
}

/// What [`attach_service_rules`] reads of one site of the scenario.
struct ServiceRules<'s> {
    kind: &'static str,
    priority: bool,
    truck_yard: &'s Option<sc::TruckYard>,
    shifts: &'s [sc::Shift],
    handling: [(&'static str, &'s BTreeMap<String, sc::DistField>); 2],
}

fn service_rules<'s>(
    kind: &'static str,
    (priority, truck_yard): (bool, &'s Option<sc::TruckYard>),
    shifts: &'s [sc::Shift],
    [trucks, wagons]: [&'s BTreeMap<String, sc::DistField>; 2],
) -> ServiceRules<'s> {
    ServiceRules {
        kind,
        priority,
        truck_yard,
        shifts,
        handling: [
            ("truck_handling_h_by_commodity", trucks),
            ("wagon_handling_h_by_commodity", wagons),
        ],
    }
}
