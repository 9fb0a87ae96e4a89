//! Scenario -> Model: resolves ids, compiles distributions and calendars, checks the network's structure
//! and computes every flow's routes.

use std::collections::BTreeMap;

use super::flows::compile_flows;
use super::*;
use crate::des::{DistField, Sampler};
use crate::field_path;
use crate::scenario::{self as sc, Diagnostic, FieldPath, LoadedScenario, ScenarioError};

/// Compilation problems are scenario problems, located like any other.
pub type CompileError = ScenarioError;

pub(super) struct Ctx<'a> {
    pub(super) loaded: &'a LoadedScenario,
    pub(super) errors: Vec<Diagnostic>,
    /// Errors beyond `MAX_DIAGNOSTICS`, counted only (each located one costs a scan of its file).
    pub(super) suppressed: usize,
    pub(super) warnings: Vec<String>,
}

impl Ctx<'_> {
    pub(super) fn error(&mut self, path: FieldPath, message: impl Into<String>) {
        if self.errors.len() < crate::scenario::MAX_DIAGNOSTICS {
            self.errors.push(self.loaded.diagnostic(&path, message));
        } else {
            self.suppressed += 1;
        }
    }

    pub(super) fn sampler(&mut self, path: FieldPath, field: &DistField) -> Sampler {
        field.spec.compile().unwrap_or_else(|e| {
            self.error(path, format!("impossible distribution: {}", e.0));
            Sampler::Constant(1.0)
        })
    }

    fn availability(
        &mut self,
        path: FieldPath,
        window: &Option<sc::DailyWindow>,
        d: Option<&sc::Disruptions>,
        start_day: f64,
    ) -> Availability {
        let mut a = Availability {
            daily_window: window.as_ref().map(|w| (w.open_h, w.close_h)),
            ..Default::default()
        };
        if let Some(d) = d {
            a.yearly_windows = d
                .windows
                .iter()
                .map(|w| {
                    (
                        (w.start_day_of_year - start_day).rem_euclid(365.0) * 24.0,
                        w.days * 24.0,
                    )
                })
                .collect();
            if let Some(f) = &d.failures {
                let mut p = path.clone();
                p.push(sc::Segment::Key("failures".into()));
                let mut up = p.clone();
                up.push(sc::Segment::Key("time_between_h".into()));
                p.push(sc::Segment::Key("duration_h".into()));
                a.failures = Some((
                    self.sampler(up, &f.time_between_h),
                    self.sampler(p, &f.duration_h),
                ));
            }
        }
        a
    }
}

fn position(p: &Option<sc::Position>) -> Option<(f64, f64)> {
    p.as_ref().map(|p| (p.lon, p.lat))
}

/// Compiles a loaded scenario; every problem is reported with its location.
pub fn compile(loaded: &LoadedScenario) -> Result<Model, CompileError> {
    let s = &loaded.scenario;
    let mut ctx = Ctx {
        loaded,
        errors: Vec::new(),
        suppressed: 0,
        warnings: Vec::new(),
    };
    let start_day = s.scenario.start_day_of_year;

    let commodities: Vec<Commodity> = s
        .commodity
        .iter()
        .map(|c| Commodity {
            id: c.id.clone(),
            kind: c.kind,
            hazmat: c.kind != CommodityKind::NonHazardous,
            handling: c.handling,
            density_t_per_m3: c.density_t_per_m3.value,
        })
        .collect();
    let commodity_index: BTreeMap<&str, usize> = s
        .commodity
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.as_str(), i))
        .collect();

    let carriers: Vec<Carrier> = s
        .carrier
        .iter()
        .map(|c| Carrier {
            id: c.id.clone(),
            mode: c.mode,
            payload_t: c.payload_t.value,
            tare_t: c.tare_t.value,
            vessel_class_t: c
                .vessel_class_t
                .as_ref()
                .map_or(c.payload_t.value, |v| v.value),
            speed_km_per_h: c.speed_km_per_h.as_ref().map(|v| v.value),
            hazmat: c.hazmat,
            returns_empty: c.returns_empty.unwrap_or(c.mode != Mode::Road),
            named_only: c.named_only,
        })
        .collect();

    // Nodes: sites first (parks, docks, terminals, externals), then locks, then junctions.
    let mut nodes: Vec<Node> = Vec::new();
    let mut sites: Vec<Site> = Vec::new();
    let mut tanks: Vec<Tank> = Vec::new();
    let (mut producers, mut consumers) = (Vec::new(), Vec::new());
    for (i, p) in s.park.iter().enumerate() {
        let site = sites.len();
        let node = nodes.len();
        nodes.push(Node {
            id: p.id.clone(),
            name: p.name.clone(),
            kind: NodeKind::Site(site),
            position: position(&p.position),
        });
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
        for (list, rates) in [(&mut producers, &p.producer), (&mut consumers, &p.consumer)] {
            for r in rates.iter() {
                let tank = *site_tanks
                    .iter()
                    .find(|&&t| s.commodity[tanks[t].commodity].id == r.commodity)
                    .expect("validated");
                // Plants follow chemical demand (what-ifs scale both together).
                let rate_t_per_h =
                    r.t_per_year.value * s.demand.chemical_factor.value / HOURS_PER_YEAR;
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
        sites.push(Site {
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
            tanks: site_tanks,
        });
    }
    for (i, d) in s.dock.iter().enumerate() {
        let node = nodes.len();
        nodes.push(Node {
            id: d.id.clone(),
            name: d.name.clone(),
            kind: NodeKind::Site(sites.len()),
            position: position(&d.position),
        });
        sites.push(Site {
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
            tanks: Vec::new(),
        });
    }
    for (i, t) in s.terminal.iter().enumerate() {
        let node = nodes.len();
        nodes.push(Node {
            id: t.id.clone(),
            name: t.name.clone(),
            kind: NodeKind::Site(sites.len()),
            position: position(&t.position),
        });
        sites.push(Site {
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
            tanks: Vec::new(),
        });
    }
    for e in &s.external {
        let node = nodes.len();
        nodes.push(Node {
            id: e.id.clone(),
            name: e.name.clone(),
            kind: NodeKind::Site(sites.len()),
            position: position(&e.position),
        });
        sites.push(Site {
            node,
            id: e.id.clone(),
            kind: SiteKind::External,
            road_bays: 0,
            truck_handling_h: Sampler::Constant(0.0),
            rail_tracks: 0,
            wagon_handling_h: Sampler::Constant(0.0),
            berths: Vec::new(),
            handling_t_per_h: Vec::new(),
            storage_t: None,
            hazmat: true,
            design_capacity_t_per_year: None,
            availability: Availability::default(),
            tanks: Vec::new(),
        });
    }
    let first_lock_node = nodes.len();
    for (i, l) in s.lock.iter().enumerate() {
        nodes.push(Node {
            id: l.id.clone(),
            name: l.name.clone(),
            kind: NodeKind::Lock(i),
            position: position(&l.position),
        });
    }
    for j in &s.junction {
        nodes.push(Node {
            id: j.id.clone(),
            name: j.name.clone(),
            kind: NodeKind::Junction,
            position: position(&j.position),
        });
    }
    let node_index: BTreeMap<&str, NodeId> = nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.id.as_str(), i))
        .collect();

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
                        levelling_h: part("levelling_h", line.levelling_h.as_ref()),
                        entry_h: part("entry_h", line.entry_h.as_ref()),
                        exit_h: part("exit_h", line.exit_h.as_ref()),
                    },
                };
                let empty_cycle_h = match (&line.empty_cycle_h, &cycle) {
                    (Some(e), _) => part("empty_cycle_h", Some(e)),
                    (None, LockCycle::Whole(s)) => s.clone(),
                    // Two door operations and levelling: their mean (a sum of samplers is not a sampler).
                    (None, parts) => Sampler::Constant(parts.mean_h(0)),
                };
                LockLine {
                    id: line.id.clone(),
                    chamber_capacity_t: line.chamber_capacity_t.value,
                    max_vessels: line.max_vessels.value,
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
        });
    }

    let mut parkings = Vec::new();
    let mut parking_of_node: Vec<Option<ParkingId>> = vec![None; nodes.len()];
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

    let links: Vec<Link> = s
        .link
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
        .collect();

    // A lock sits between exactly two water links, one of them towards its `upstream` node.
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

    let rail = &s.rail;
    let rules = Rules {
        wagons_per_train: rail.wagons_per_train.value,
        max_train_weight_t: rail.max_train_weight_t.value,
        rail_max_wait_h: rail.max_wait_h.value,
        rail_timetable_every_h: rail.timetable_every_h.as_ref().map(|v| v.value),
        water_max_wait_h: s.water.max_wait_h.value,
        value_of_time_per_t_h: s.cost.value_of_time_per_t_h.value,
    };

    let mut model = Model {
        name: s.scenario.name.clone(),
        horizon_h: s.scenario.horizon_days.value * 24.0,
        warmup_h: s.scenario.warmup_days.value * 24.0,
        start_day_of_year: start_day,
        commodities,
        carriers,
        nodes,
        sites,
        tanks,
        producers,
        consumers,
        locks,
        parkings,
        parking_of_node,
        links,
        flows: Vec::new(),
        routes: Vec::new(),
        rules,
        population: s
            .population
            .iter()
            .map(|z| PopulationZone {
                id: z.id.clone(),
                lon: z.lon,
                lat: z.lat,
                radius_km: z.radius_km.value,
                day_per_km2: z.day_per_km2.value,
                night_per_km2: z.night_per_km2.value,
            })
            .collect(),
        exposure: Exposure {
            background_day_per_km2: s.exposure.background_day_per_km2.value,
            background_night_per_km2: s.exposure.background_night_per_km2.value,
            day_start_h: s.exposure.day_start_h,
            day_end_h: s.exposure.day_end_h,
            indoor_fraction_day: s.exposure.indoor_fraction_day.value,
            indoor_fraction_night: s.exposure.indoor_fraction_night.value,
        },
        warnings: Vec::new(),
        risk: None,
    };

    if ctx.errors.is_empty() {
        compile_flows(&mut ctx, &mut model);
        fit_batches_to_tanks(&mut model);
    }
    if ctx.errors.is_empty()
        && let (Some(rules), Some(data)) = (&s.risk, &loaded.risk_data)
    {
        model.risk = super::risk_model::compile_risk(&mut ctx, &model, rules, data);
    }
    model.warnings = std::mem::take(&mut ctx.warnings);
    if ctx.errors.is_empty() {
        Ok(model)
    } else {
        Err(ScenarioError {
            diagnostics: crate::scenario::with_suppressed(ctx.errors, ctx.suppressed),
        })
    }
}

/// Shrinks producer and consumer batches so that no tank can jam. A batch put waits for room of its
/// whole size while a load waits for stock of its whole size, so when a batch exceeds the capacity less
/// the largest load on the other side, a remnant can be left that neither side can move (a 4 t buffer
/// filled in 4 t batches and emptied by 0.3 t trailers stops for good at 0.2 t).
fn fit_batches_to_tanks(model: &mut Model) {
    for tank in 0..model.tanks.len() {
        let capacity_t = model.tanks[tank].capacity_t;
        let largest = |pick: fn(&Flow) -> Option<TankId>| {
            model
                .flows
                .iter()
                .filter(|f| pick(f) == Some(tank))
                .map(|f| f.consignment_t)
                .fold(0.0_f64, f64::max)
        };
        let (load_out_t, load_in_t) = (largest(|f| f.origin_tank), largest(|f| f.destination_tank));
        let fit = |plants: &mut Vec<Plant>, other_side_t: f64| {
            let room_t = capacity_t - other_side_t;
            for p in plants.iter_mut().filter(|p| p.tank == tank) {
                if room_t > 0.0 && p.batch_t > room_t {
                    p.batch_t = room_t;
                }
            }
        };
        fit(&mut model.producers, load_out_t);
        fit(&mut model.consumers, load_in_t);
        // A producer and a consumer on one tank face each other's batches: together they fit in it.
        let batch = |plants: &[Plant]| {
            plants
                .iter()
                .filter(|p| p.tank == tank)
                .map(|p| p.batch_t)
                .fold(0.0_f64, f64::max)
        };
        let both_t = batch(&model.producers) + batch(&model.consumers);
        if both_t > capacity_t && batch(&model.producers) > 0.0 && batch(&model.consumers) > 0.0 {
            let scale = capacity_t / both_t;
            for p in model
                .producers
                .iter_mut()
                .chain(model.consumers.iter_mut())
                .filter(|p| p.tank == tank)
            {
                p.batch_t *= scale;
            }
        }
    }
}
