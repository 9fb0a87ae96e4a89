//! `[risk]` with its data compiled onto a model: the plane geography and population raster, the
//! tables of release conventions and frequencies, and the protected places.

use super::super::compile::Ctx;
use super::super::risk_tables::{substance, vulnerability};
use super::super::*;
use super::exposure::{inflation, nominal_exposure};
use super::*;
use crate::des::Sampler;
use crate::field_path;
use crate::risk::consequence::{BlastRule, EventTree, ExplosionSite, Substance};
use crate::risk::fire::Atmosphere;
use crate::risk::population::{DensityRaster, Disc};
use crate::risk::source::Ground;
use crate::scenario::{CriteriaData, LoadedRiskData, RiskData, RiskRules};

/// Where the model lies on the plane: the projection and every position on it, the map, and the
/// population raster around it.
struct Geography {
    /// Projection origin (longitude, latitude), degrees: the centre of the positioned nodes.
    origin: (f64, f64),
    /// Plane coordinates of each node, m.
    node_xy_m: Vec<(f64, f64)>,
    /// Plane coordinates of each parking lot, m.
    parking_xy_m: Vec<(f64, f64)>,
    /// Map extent: x0, x1, y0, y1 in km.
    bounds_km: [f64; 4],
    /// Population.
    raster: DensityRaster,
}

/// Compiles `[risk]` with its data onto a model whose flows and routes are built.
pub(in super::super) fn compile_risk(
    ctx: &mut Ctx,
    model: &Model,
    rules: &RiskRules,
    loaded: &LoadedRiskData,
) -> Option<RiskModel> {
    let data = &loaded.data;
    let geo = compile_geography(ctx, model, rules);
    let substances: Vec<Substance> = (0..data.substance.len())
        .map(|i| substance(data, i))
        .collect();
    let substance_of_commodity: Vec<Option<usize>> = model
        .commodities
        .iter()
        .map(|c| {
            let id = rules.substances.get(&c.id)?;
            let k = data.substance.iter().position(|s| &s.id == id)?;
            (!substances[k].is_inert()).then_some(k)
        })
        .collect();
    let ambient_k = rules.ambient_c.value + 273.15;
    let place = |p: &crate::scenario::ExplosionPlace| ExplosionSite {
        confinement: p.confinement,
        congestion: p.congestion,
        congested_volume_m3: p.congested_volume_m3,
    };
    let explosion = [
        place(&rules.explosion.transport),
        place(&rules.explosion.site),
    ];
    let closure_h = closure_samplers(ctx, rules);
    let criteria: Vec<CriteriaData> = rules
        .criteria
        .ids()
        .iter()
        .map(|id| {
            data.criteria
                .iter()
                .find(|c| c.id == *id)
                .expect("checked when loading")
                .clone()
        })
        .collect();
    let l = &rules.layout;
    let mut risk = RiskModel {
        data_name: data.meta.name.clone(),
        vulnerability: vulnerability(data),
        escalation: data.escalation.clone(),
        escalation_thresholds: rules.domino.escalation_thresholds,
        domino_radius_m: rules.domino.radius_m,
        tree: event_tree(data),
        substances,
        substance_of_commodity,
        release: release_rules(data, ambient_k),
        containers: container_rules(data),
        explosion,
        urban_density_per_km2: rules.urban_density_per_km2.as_ref().map(|x| x.value),
        ambient_k,
        loc: loc_rates(data),
        link_rate_per_unit_km: link_release_rates(model, data),
        weather: rules
            .weather
            .iter()
            .map(|w| WeatherClass {
                id: w.id.clone(),
                stability: w.stability,
                wind_m_s: w.wind_m_s.value,
                day_share: w.day_share.value,
                night_share: w.night_share.value,
            })
            .collect(),
        terrain: rules.terrain,
        wind_rose_from: wind_rose(rules),
        air: Atmosphere {
            relative_humidity: rules.relative_humidity.value,
            ambient_c: rules.ambient_c.value,
        },
        release_height_m: rules.release_height_m.value,
        layout: Layout {
            tank_spacing_m: l.tank_spacing_m.value,
            tank_group_spacing_m: l.tank_group_spacing_m.value,
            tanker_spacing_m: l.tanker_spacing_m.value,
            wagon_spacing_m: l.wagon_spacing_m.value,
            vessel_spacing_m: l.vessel_spacing_m.value,
            handling_to_tanks_m: l.handling_to_tanks_m.value,
            segregation_m: l.segregation_m.as_ref().map_or(0.0, |x| x.value),
        },
        closure_mode: rules.closures.mode,
        closure_h,
        events_per_source_year: rules.sampling.events_per_source_year,
        protected: protected_places(rules, &criteria, geo.origin),
        criteria,
        link_path_m: link_paths_m(model, &geo.node_xy_m, geo.origin),
        node_xy_m: geo.node_xy_m,
        parking_xy_m: geo.parking_xy_m,
        origin: geo.origin,
        raster: geo.raster,
        bounds_km: geo.bounds_km,
        grid: rules.grid.clone(),
        passing_ships_per_year: Vec::new(),
        inflation: Inflation::default(),
        planned_accidents_per_year: 0.0,
        sampled_accidents_per_year: 0.0,
        response: rules
            .response
            .as_ref()
            .and_then(|r| super::response::compile_response(ctx, model, r)),
    };
    let nominal = nominal_exposure(model, &risk);
    let (factors, planned, sampled) = inflation(model, &risk, &nominal);
    risk.inflation = factors;
    risk.planned_accidents_per_year = planned;
    risk.sampled_accidents_per_year = sampled;
    risk.passing_ships_per_year = nominal.passing_ships;
    Some(risk)
}

/// Projects the nodes and lots onto the plane, bounds the map around the modelled area, and builds
/// the population raster; warns of nodes without a position and of a coarsened raster.
fn compile_geography(ctx: &mut Ctx, model: &Model, rules: &RiskRules) -> Geography {
    // Positions: every node and lot must have one.
    for (i, n) in model.nodes.iter().enumerate() {
        if n.position.is_none() {
            ctx.warnings.push(format!(
                "risk: node \"{}\" has no position; it is placed at the map origin (give `position` for a meaningful risk map)",
                model.nodes[i].id
            ));
        }
    }
    let positioned: Vec<(f64, f64)> = model.nodes.iter().filter_map(|n| n.position).collect();
    let origin = if positioned.is_empty() {
        (0.0, 0.0)
    } else {
        let n = positioned.len() as f64;
        (
            positioned.iter().map(|p| p.0).sum::<f64>() / n,
            positioned.iter().map(|p| p.1).sum::<f64>() / n,
        )
    };
    let node_xy_m: Vec<(f64, f64)> = model
        .nodes
        .iter()
        .map(|n| {
            n.position
                .map_or((0.0, 0.0), |(lon, lat)| project(origin, lon, lat))
        })
        .collect();
    let parking_xy_m: Vec<(f64, f64)> = model
        .parkings
        .iter()
        .enumerate()
        .map(|(i, p)| match p.position {
            Some((lon, lat)) => project(origin, lon, lat),
            None => {
                // A lot without a position stands at the first node it serves.
                model
                    .parking_of_node
                    .iter()
                    .position(|lot| *lot == Some(i))
                    .map_or((0.0, 0.0), |n| node_xy_m[n])
            }
        })
        .collect();
    let bounds_km = map_bounds_km(model, &node_xy_m, rules.grid.margin_km);
    let raster = population_raster(ctx, model, origin, bounds_km);
    Geography {
        origin,
        node_xy_m,
        parking_xy_m,
        bounds_km,
        raster,
    }
}

/// The map's extent (x0, x1, y0, y1 in km): the modelled area, every node but the external origins
/// and destinations, with `margin` km around it.
fn map_bounds_km(model: &Model, node_xy_m: &[(f64, f64)], margin: f64) -> [f64; 4] {
    let inside: Vec<(f64, f64)> = model
        .nodes
        .iter()
        .zip(node_xy_m)
        .filter(|(n, _)| !matches!(n.kind, NodeKind::Site(s) if model.sites[s].is_external()))
        .map(|(_, p)| *p)
        .collect();
    let xs = inside.iter().map(|p| p.0 / 1000.0);
    let ys = inside.iter().map(|p| p.1 / 1000.0);
    [
        xs.clone().fold(f64::INFINITY, f64::min) - margin,
        xs.fold(f64::NEG_INFINITY, f64::max) + margin,
        ys.clone().fold(f64::INFINITY, f64::min) - margin,
        ys.fold(f64::NEG_INFINITY, f64::max) + margin,
    ]
}

/// The population raster of the zones over the background densities, reaching past the map
/// `bounds_km`; warns when the area is too large for the finest cells.
fn population_raster(
    ctx: &mut Ctx,
    model: &Model,
    origin: (f64, f64),
    bounds_km: [f64; 4],
) -> DensityRaster {
    let discs: Vec<Disc> = model
        .population
        .iter()
        .map(|z| {
            let (x, y) = project(origin, z.lon, z.lat);
            Disc {
                x_km: x / 1000.0,
                y_km: y / 1000.0,
                radius_km: z.radius_km,
                day_per_km2: z.day_per_km2,
                night_per_km2: z.night_per_km2,
            }
        })
        .collect();
    // The raster reaches 10 km past the map so that long toxic clouds still find people.
    let raster_bounds = [
        bounds_km[0] - 10.0,
        bounds_km[1] + 10.0,
        bounds_km[2] - 10.0,
        bounds_km[3] + 10.0,
    ];
    let raster_cell_km = raster_cell_km(raster_bounds);
    if raster_cell_km > RASTER_CELL_KM {
        ctx.warnings.push(format!(
            "risk: the modelled area spans {:.0} x {:.0} km, so the population raster uses cells of {:.2} km \
             instead of {RASTER_CELL_KM} km (at most {MAX_RASTER_CELLS} cells)",
            raster_bounds[1] - raster_bounds[0],
            raster_bounds[3] - raster_bounds[2],
            raster_cell_km
        ));
    }
    DensityRaster::build(
        &discs,
        [
            model.exposure.background_day_per_km2,
            model.exposure.background_night_per_km2,
        ],
        raster_bounds,
        raster_cell_km,
    )
}

/// The release conventions of the data, with the ground at air temperature `ambient_k`.
fn release_rules(data: &RiskData, ambient_k: f64) -> ReleaseRules {
    let d = &data.release;
    let bore = |id: &str| {
        data.loc
            .iter()
            .find(|l| l.id == id)
            .and_then(|l| l.bore_mm.as_ref())
            .map_or(50.0, |b| b.value)
    };
    ReleaseRules {
        ten_minute_s: d.ten_minute_s.value,
        max_duration_s: d.max_duration_s.value,
        transfer_isolation_s: d.transfer_isolation_s.value,
        hole_mm: d.hole_mm.value,
        discharge_coefficient: d.discharge_coefficient.value,
        liquid_head_m: d.liquid_head_m.value,
        vehicle_liquid_head_m: d.vehicle_liquid_head_m.value,
        min_pool_depth_m: d.min_pool_depth_m.value,
        max_pool_area_m2: ByMode([
            d.max_pool_area_m2.road,
            d.max_pool_area_m2.rail,
            d.max_pool_area_m2.water,
        ]),
        bund_area_factor: d.bund_area_factor.value,
        ground: Ground {
            conductivity_w_m_k: d.ground.conductivity_w_m_k,
            diffusivity_m2_s: d.ground.diffusivity_m2_s,
            temperature_k: ambient_k,
        },
        hose_bore_mm: bore("loading_hose"),
        arm_bore_mm: bore("loading_arm"),
    }
}

/// The release sizes of each container kind, in the order of [`ContainerKind::ALL`].
fn container_rules(data: &RiskData) -> Vec<ContainerRules> {
    ContainerKind::ALL
        .iter()
        .map(|kind| {
            let c = data
                .container
                .iter()
                .find(|c| c.id == kind.id())
                .expect("checked when loading");
            ContainerRules {
                scenarios: c
                    .scenarios
                    .iter()
                    .map(|s| (s.kind, s.share, s.hole_mm.unwrap_or(0.0)))
                    .collect(),
                released_share: c.released_share.as_ref().map_or(1.0, |x| x.value),
            }
        })
        .collect()
}

/// The loss-of-containment frequencies of the data, per hour.
fn loc_rates(data: &RiskData) -> LocRates {
    let per_hour = |id: &str| {
        let l = data
            .loc
            .iter()
            .find(|l| l.id == id)
            .expect("checked when loading");
        [
            l.rupture_per_hour.unwrap_or(0.0),
            l.leak_per_hour.unwrap_or(0.0),
        ]
    };
    let berth = data
        .loc
        .iter()
        .find(|l| l.id == "ship_at_berth")
        .expect("checked when loading");
    LocRates {
        atmospheric_tank: loc_hourly(data, "atmospheric_tank"),
        pressurised_tank: loc_hourly(data, "pressurised_tank"),
        parked_atmospheric: loc_hourly(data, "parked_atmospheric_tanker"),
        parked_pressurised: loc_hourly(data, "parked_pressurised_tanker"),
        hose: per_hour("loading_hose"),
        arm: per_hour("loading_arm"),
        berth_collision: berth.collision_per_hour_per_passing_ship.unwrap_or(0.0),
        release_given_collision: berth
            .release_given_collision
            .as_ref()
            .map_or(0.0, |x| x.value),
    }
}

/// Releases per loaded unit-km of each link: per vehicle-km on roads by road type, per wagon-km on
/// rail, per vessel-km on water.
fn link_release_rates(model: &Model, data: &RiskData) -> Vec<f64> {
    model
        .links
        .iter()
        .map(|l| match l.mode {
            Mode::Road => {
                let key = match l.road_type.unwrap_or(RoadType::Trunk) {
                    RoadType::Expressway => "expressway",
                    RoadType::Trunk => "trunk",
                    RoadType::Rural => "rural",
                    RoadType::Urban => "urban",
                };
                let r = &data.transport.road[key];
                r.accidents_per_million_veh_km * 1e-6 * r.release_given_accident
            }
            Mode::Rail => data.transport.rail.release_per_wagon_km,
            Mode::Water => data.transport.water.release_per_vessel_km,
        })
        .collect()
}

/// The ignition event tree of the data.
fn event_tree(data: &RiskData) -> EventTree {
    let g = &data.ignition;
    EventTree {
        gas: [g.gas_low, g.gas_average, g.gas_high],
        liquid: [g.k1, g.k2, g.k3],
        delayed: g.delayed_given_no_direct.value,
        explosion_fraction: g.explosion_fraction.value,
        fireball_fraction: g.fireball_mass_fraction.value,
        exploding_cloud_s: g.exploding_cloud_s.value,
        aerosol_factor: g.aerosol_factor.value,
        cold_source_correction: g.cold_source_correction.value,
        blast: match g.blast_model {
            crate::scenario::BlastModel::Bst => BlastRule::Bst,
            crate::scenario::BlastModel::Tnt => BlastRule::Tnt {
                efficiency: g.tnt_efficiency.value,
            },
        },
    }
}

/// The closure durations (road, rail, water links; facilities), each impossible distribution
/// reported at its field.
fn closure_samplers(ctx: &mut Ctx, rules: &RiskRules) -> ClosureHours {
    let closure = |path: &str, field: &crate::scenario::DistField, ctx: &mut Ctx| {
        field.spec.compile().unwrap_or_else(|e| {
            ctx.error(
                field_path!["risk", "closures", path],
                format!("impossible distribution: {}", e.0),
            );
            Sampler::Constant(1.0)
        })
    };
    let c = &rules.closures;
    ClosureHours {
        link: ByMode([
            closure("road_h", &c.road_h, ctx),
            closure("rail_h", &c.rail_h, ctx),
            closure("water_h", &c.water_h, ctx),
        ]),
        facility: closure("facility_h", &c.facility_h, ctx),
    }
}

/// The wind rose: share of each 30-degree sector the wind blows from (0 = north).
fn wind_rose(rules: &RiskRules) -> [f64; 12] {
    let mut rose = [0.0; 12];
    for (k, x) in rules
        .wind_rose
        .from_sector_shares
        .iter()
        .take(12)
        .enumerate()
    {
        rose[k] = *x;
    }
    rose
}

/// The drawn path of each link on the plane (node, waypoints, node), m.
fn link_paths_m(
    model: &Model,
    node_xy_m: &[(f64, f64)],
    origin: (f64, f64),
) -> Vec<Vec<(f64, f64)>> {
    model
        .links
        .iter()
        .map(|l| {
            let mut path = vec![node_xy_m[l.from]];
            path.extend(
                l.waypoints
                    .iter()
                    .map(|&(lon, lat)| project(origin, lon, lat)),
            );
            path.push(node_xy_m[l.to]);
            path
        })
        .collect()
}

/// The protected places on the plane, with their limit in each of the `criteria` sets.
fn protected_places(
    rules: &RiskRules,
    criteria: &[CriteriaData],
    origin: (f64, f64),
) -> Vec<ProtectedPlace> {
    rules
        .protected
        .iter()
        .map(|p| {
            let (x_m, y_m) = project(origin, p.lon, p.lat);
            ProtectedPlace {
                id: p.id.clone(),
                name: p.name.clone(),
                class: p.class.clone(),
                x_m,
                y_m,
                limits: criteria
                    .iter()
                    .map(|set| {
                        // A set without classes has one limit for every place.
                        if set.protected.is_empty() {
                            return Some(set.individual_risk_per_year);
                        }
                        set.protected.iter().find(|l| l.class == p.class).map(|l| {
                            match rules.installations {
                                crate::scenario::Installations::New => l.new_per_year,
                                crate::scenario::Installations::Existing => l.existing_per_year,
                            }
                        })
                    })
                    .collect(),
                people: p.people.as_ref().map(|v| v.value),
                workers: p.workers.as_ref().map(|v| v.value),
                hours_per_year: p.hours_per_year.unwrap_or(2000.0),
            }
        })
        .collect()
}

/// The loss-of-containment frequencies of a stored unit `id` (instantaneous, 10 minutes, hole), per hour.
fn loc_hourly(data: &RiskData, id: &str) -> [f64; 3] {
    let l = data
        .loc
        .iter()
        .find(|l| l.id == id)
        .expect("checked when loading");
    [
        l.instantaneous_per_year.unwrap_or(0.0) / HOURS_PER_YEAR,
        l.ten_minutes_per_year.unwrap_or(0.0) / HOURS_PER_YEAR,
        l.hole_per_year.unwrap_or(0.0) / HOURS_PER_YEAR,
    ]
}

/// Cell of the population raster, km: fine enough for the disc zones of a city.
const RASTER_CELL_KM: f64 = 0.1;
/// The raster's size limit (two f32 layers: 160 MB). Larger areas get coarser cells instead of an
/// allocation that grows with the square of the area.
const MAX_RASTER_CELLS: f64 = 20_000_000.0;

/// The raster cell for `bounds` (km): [`RASTER_CELL_KM`], or coarser to stay within
/// [`MAX_RASTER_CELLS`].
fn raster_cell_km(bounds: [f64; 4]) -> f64 {
    let area_km2 = (bounds[1] - bounds[0]) * (bounds[3] - bounds[2]);
    let finest = (area_km2 / MAX_RASTER_CELLS).sqrt() * 1.001;
    if finest.is_finite() {
        finest.max(RASTER_CELL_KM)
    } else {
        f64::MAX
    }
}
