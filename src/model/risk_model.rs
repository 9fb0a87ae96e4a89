//! The compiled risk model: substances per commodity, release and frequency data in hours, release rates
//! per link, weather, geography (plane coordinates and the population raster) and the importance-sampling
//! inflation of each accident source.

use std::collections::BTreeMap;

use super::compile::Ctx;
use super::risk_tables::{substance, vulnerability};
use super::*;
use crate::des::Sampler;
use crate::field_path;
use crate::risk::consequence::{BlastRule, EventTree, ExplosionSite, Substance, SubstanceState};
use crate::risk::dispersion::{Stability, Terrain};
use crate::risk::escalation::EscalationModel;
use crate::risk::fire::Atmosphere;
use crate::risk::population::{DensityRaster, Disc};
use crate::risk::source::Ground;
use crate::risk::vulnerability::Vulnerability;
use crate::scenario::{
    ClosureMode, ContainerRelease, CriteriaData, GridRules, LoadedRiskData, RiskData, RiskRules,
};

/// Release conventions.
#[derive(Clone, Debug)]
pub struct ReleaseRules {
    /// Length of a '10-minute' release, s.
    pub ten_minute_s: f64,
    /// Longest continuous release, s.
    pub max_duration_s: f64,
    /// Longest release from a hose or arm during a transfer, s.
    pub transfer_isolation_s: f64,
    /// Diameter of the small hole of tanks and parked tankers, mm.
    pub hole_mm: f64,
    /// Discharge coefficient.
    pub discharge_coefficient: f64,
    /// Liquid head over a tank's hole, m.
    pub liquid_head_m: f64,
    /// Liquid head over a tanker's or wagon's hole, m.
    pub vehicle_liquid_head_m: f64,
    /// Spill depth, m.
    pub min_pool_depth_m: f64,
    /// Largest unconfined pool by mode (road, rail, water), m2.
    pub max_pool_area_m2: [f64; 3],
    /// Bund area over a tank footprint.
    pub bund_area_factor: f64,
    /// Ground under pools (at air temperature).
    pub ground: Ground,
    /// Bore of loading hoses and arms, mm.
    pub hose_bore_mm: f64,
    /// Bore of loading arms, mm.
    pub arm_bore_mm: f64,
}

/// The kind of transport container a unit is, for its release sizes.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    serde::Deserialize,
    clap::ValueEnum,
)]
pub enum ContainerKind {
    /// Road tanker of a liquefied gas.
    RoadTankerPressurised,
    /// Road tanker of a liquid.
    RoadTankerAtmospheric,
    /// Tube trailer of a compressed gas.
    TubeTrailer,
    /// Rail tank car of a liquefied or compressed gas.
    RailTankCarPressurised,
    /// Rail tank car of a liquid.
    RailTankCarAtmospheric,
    /// Inland tank barge.
    TankBarge,
}

impl ContainerKind {
    /// Every kind, in the order of [`RiskModel::containers`].
    pub const ALL: [ContainerKind; 6] = [
        ContainerKind::RoadTankerPressurised,
        ContainerKind::RoadTankerAtmospheric,
        ContainerKind::TubeTrailer,
        ContainerKind::RailTankCarPressurised,
        ContainerKind::RailTankCarAtmospheric,
        ContainerKind::TankBarge,
    ];

    /// Identifier in the risk data.
    pub fn id(self) -> &'static str {
        match self {
            ContainerKind::RoadTankerPressurised => "road_tanker_pressurised",
            ContainerKind::RoadTankerAtmospheric => "road_tanker_atmospheric",
            ContainerKind::TubeTrailer => "tube_trailer",
            ContainerKind::RailTankCarPressurised => "rail_tank_car_pressurised",
            ContainerKind::RailTankCarAtmospheric => "rail_tank_car_atmospheric",
            ContainerKind::TankBarge => "tank_barge",
        }
    }

    /// The container carrying a substance in `state` by `mode`.
    pub fn of(mode: Mode, state: SubstanceState) -> Self {
        use SubstanceState::*;
        match (mode, state) {
            (Mode::Water, _) => ContainerKind::TankBarge,
            (Mode::Road, LiquefiedPressurised) => ContainerKind::RoadTankerPressurised,
            (Mode::Road, CompressedGas) => ContainerKind::TubeTrailer,
            (Mode::Road, _) => ContainerKind::RoadTankerAtmospheric,
            (Mode::Rail, LiquefiedPressurised | CompressedGas) => {
                ContainerKind::RailTankCarPressurised
            }
            (Mode::Rail, _) => ContainerKind::RailTankCarAtmospheric,
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// The release sizes of one container kind given an accident with a release.
#[derive(Clone, Debug, Default)]
pub struct ContainerRules {
    /// Kind, share and hole diameter (mm; 0 for a rupture) of each release size.
    pub scenarios: Vec<(ContainerRelease, f64, f64)>,
    /// Share of the unit's contents one breach releases.
    pub released_share: f64,
}

/// Loss-of-containment frequencies, per hour of presence or use.
#[derive(Clone, Debug)]
pub struct LocRates {
    /// Atmospheric tank: instantaneous, 10 minutes, hole.
    pub atmospheric_tank: [f64; 3],
    /// Pressurised tank.
    pub pressurised_tank: [f64; 3],
    /// Parked atmospheric tanker.
    pub parked_atmospheric: [f64; 3],
    /// Parked pressurised tanker.
    pub parked_pressurised: [f64; 3],
    /// Loading hose (trucks, wagons): rupture, leak.
    pub hose: [f64; 2],
    /// Loading arm (vessels): rupture, leak.
    pub arm: [f64; 2],
    /// Moored ship collision per hour alongside per passing ship per year.
    pub berth_collision: f64,
    /// Share of collisions that release cargo.
    pub release_given_collision: f64,
}

/// A weather class.
#[derive(Clone, Debug)]
pub struct WeatherClass {
    /// Identifier.
    pub id: String,
    /// Stability.
    pub stability: Stability,
    /// Wind, m/s.
    pub wind_m_s: f64,
    /// Share of day hours.
    pub day_share: f64,
    /// Share of night hours.
    pub night_share: f64,
}

/// Spacing of units for the domino layout, m.
#[derive(Clone, Copy, Debug)]
pub struct Layout {
    /// Tanks in a group.
    pub tank_spacing_m: f64,
    /// Tank groups.
    pub tank_group_spacing_m: f64,
    /// Parked tankers.
    pub tanker_spacing_m: f64,
    /// Wagons.
    pub wagon_spacing_m: f64,
    /// Vessels.
    pub vessel_spacing_m: f64,
    /// Handling area to tanks.
    pub handling_to_tanks_m: f64,
    /// Between the areas of different hazard groups at bays and in lots (0: none).
    pub segregation_m: f64,
}

/// A protected object as the risk analysis sees it.
#[derive(Clone, Debug)]
pub struct ProtectedPlace {
    /// Identifier.
    pub id: String,
    /// Name.
    pub name: String,
    /// Class.
    pub class: String,
    /// Position east, m.
    pub x_m: f64,
    /// Position north, m.
    pub y_m: f64,
    /// Its individual-risk limit in each criteria set (none: the set has no such class).
    pub limits: Vec<Option<f64>>,
    /// People present.
    pub people: Option<f64>,
    /// Workers present.
    pub workers: Option<f64>,
    /// Hours a worker spends there a year.
    pub hours_per_year: f64,
}

/// Importance-sampling inflation of each accident source (>= 1; each sampled accident weighs 1/k).
/// Trucks and hoses are inflated per commodity (stratified by substance), so that a rare but deadly
/// load (chlorine among methanol) gets its own samples.
#[derive(Clone, Debug, Default)]
pub struct Inflation {
    /// Trains and vessels per link.
    pub link: Vec<f64>,
    /// Trucks per link and commodity.
    pub truck_link: Vec<Vec<f64>>,
    /// Per tank group.
    pub tank: Vec<f64>,
    /// Loading hoses per site and commodity (trucks and wagons).
    pub hose: Vec<Vec<f64>>,
    /// Loading arms per site (vessels).
    pub arm: Vec<f64>,
    /// Moored vessels per site.
    pub berth: Vec<f64>,
    /// Vessels at each lock.
    pub lock: Vec<f64>,
    /// Parked tankers per lot.
    pub parking: Vec<f64>,
    /// Tankers waiting on the road at each node.
    pub roadside: Vec<f64>,
}

/// The compiled risk model.
#[derive(Clone, Debug)]
pub struct RiskModel {
    /// Name of the risk data set.
    pub data_name: String,
    /// Damage conventions.
    pub vulnerability: Vulnerability,
    /// Escalation.
    pub escalation: EscalationModel,
    /// Apply escalation thresholds.
    pub escalation_thresholds: bool,
    /// Domino radius, m.
    pub domino_radius_m: f64,
    /// Event tree.
    pub tree: EventTree,
    /// Substances.
    pub substances: Vec<Substance>,
    /// Substance of each commodity (`None`: no lethal effect).
    pub substance_of_commodity: Vec<Option<usize>>,
    /// Release conventions.
    pub release: ReleaseRules,
    /// Release sizes of transport containers, by [`ContainerKind`].
    pub containers: Vec<ContainerRules>,
    /// Confinement and congestion for explosions on transport links and lots, and at sites.
    pub explosion: [ExplosionSite; 2],
    /// Releases where the day density is at least this use the urban sigmas (else `terrain`).
    pub urban_density_per_km2: Option<f64>,
    /// Air temperature, K.
    pub ambient_k: f64,
    /// LOC frequencies.
    pub loc: LocRates,
    /// Releases per loaded vehicle-km (road), wagon-km (rail) or vessel-km (water), by link.
    pub link_rate_per_unit_km: Vec<f64>,
    /// Weather classes.
    pub weather: Vec<WeatherClass>,
    /// Terrain.
    pub terrain: Terrain,
    /// Wind rose: share of each 30-degree sector the wind blows from (0 = north).
    pub wind_rose_from: [f64; 12],
    /// Air.
    pub air: Atmosphere,
    /// Release height, m.
    pub release_height_m: f64,
    /// Domino layout spacing.
    pub layout: Layout,
    /// Closures.
    pub closure_mode: ClosureMode,
    /// Closure durations: road, rail, water links; facilities.
    pub closure_h: [Sampler; 4],
    /// Target sampled accidents per source-year.
    pub events_per_source_year: f64,
    /// Criteria sets, the primary first.
    pub criteria: Vec<CriteriaData>,
    /// Protected objects with their position (m) and, per criteria set, their limit.
    pub protected: Vec<ProtectedPlace>,
    /// Plane coordinates of each node, m (east, north of the projection origin).
    pub node_xy_m: Vec<(f64, f64)>,
    /// Drawn path of each link from its first node to its second (node, waypoints, node), m.
    pub link_path_m: Vec<Vec<(f64, f64)>>,
    /// Plane coordinates of each parking lot, m.
    pub parking_xy_m: Vec<(f64, f64)>,
    /// Projection origin (longitude, latitude), degrees.
    pub origin: (f64, f64),
    /// Population.
    pub raster: DensityRaster,
    /// Map extent: x0, x1, y0, y1 in km.
    pub bounds_km: [f64; 4],
    /// Individual-risk grid settings.
    pub grid: GridRules,
    /// Vessels passing each node per year (planned flows), for moored-ship collisions.
    pub passing_ships_per_year: Vec<f64>,
    /// Importance-sampling inflation.
    pub inflation: Inflation,
    /// Real accidents per year the planned flows give (the scale of the map's pruning floor).
    pub planned_accidents_per_year: f64,
    /// Accidents sampled per year after the inflation (each costs a consequence assessment): the
    /// budget of `--max-accidents` is checked against it.
    pub sampled_accidents_per_year: f64,
}

/// Km per degree of latitude.
const KM_PER_DEGREE: f64 = 110.574;

impl RiskModel {
    /// The release sizes of `kind`.
    pub fn container(&self, kind: ContainerKind) -> &ContainerRules {
        &self.containers[kind.index()]
    }

    /// Terrain of the plume sigmas for a release at `(x, y)` m.
    pub fn terrain_at(&self, x_m: f64, y_m: f64) -> Terrain {
        match self.urban_density_per_km2 {
            Some(threshold)
                if self.raster.density(x_m / 1000.0, y_m / 1000.0, false) >= threshold =>
            {
                Terrain::Urban
            }
            _ => self.terrain,
        }
    }

    /// The point a `fraction` of the drawn length along link `l` from its first node, m.
    pub fn point_along(&self, l: usize, fraction: f64) -> (f64, f64) {
        point_along(&self.link_path_m[l], fraction)
    }

    /// Plane coordinates (m) of a longitude and latitude.
    pub fn project(&self, lon: f64, lat: f64) -> (f64, f64) {
        project(self.origin, lon, lat)
    }

    /// Longitude and latitude of plane coordinates (m).
    pub fn unproject(&self, x_m: f64, y_m: f64) -> (f64, f64) {
        let (lon0, lat0) = self.origin;
        let lat = lat0 + y_m / 1000.0 / KM_PER_DEGREE;
        let lon = lon0 + x_m / 1000.0 / (111.320 * lat0.to_radians().cos());
        (lon, lat)
    }
}

/// The point a `fraction` (0-1) of the length along a polyline.
pub fn point_along(path: &[(f64, f64)], fraction: f64) -> (f64, f64) {
    let lengths: Vec<f64> = path
        .windows(2)
        .map(|w| (w[1].0 - w[0].0).hypot(w[1].1 - w[0].1))
        .collect();
    let total: f64 = lengths.iter().sum();
    if total <= 0.0 {
        return path.first().copied().unwrap_or((0.0, 0.0));
    }
    let mut left = fraction.clamp(0.0, 1.0) * total;
    for (w, len) in path.windows(2).zip(&lengths) {
        if left <= *len {
            let f = if *len > 0.0 { left / len } else { 0.0 };
            return (
                w[0].0 + (w[1].0 - w[0].0) * f,
                w[0].1 + (w[1].1 - w[0].1) * f,
            );
        }
        left -= len;
    }
    *path.last().expect("a path with a length has points")
}

fn project(origin: (f64, f64), lon: f64, lat: f64) -> (f64, f64) {
    let (lon0, lat0) = origin;
    (
        (lon - lon0) * 111.320 * lat0.to_radians().cos() * 1000.0,
        (lat - lat0) * KM_PER_DEGREE * 1000.0,
    )
}

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

/// Compiles `[risk]` with its data onto a model whose flows and routes are built.
pub(super) fn compile_risk(
    ctx: &mut Ctx,
    model: &Model,
    rules: &RiskRules,
    loaded: &LoadedRiskData,
) -> Option<RiskModel> {
    let data = &loaded.data;
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
    // The map covers the modelled area: every node but the external origins and destinations.
    let margin = rules.grid.margin_km;
    let inside: Vec<(f64, f64)> = model
        .nodes
        .iter()
        .zip(&node_xy_m)
        .filter(|(n, _)| !matches!(n.kind, NodeKind::Site(s) if model.sites[s].is_external()))
        .map(|(_, p)| *p)
        .collect();
    let xs = inside.iter().map(|p| p.0 / 1000.0);
    let ys = inside.iter().map(|p| p.1 / 1000.0);
    let bounds_km = [
        xs.clone().fold(f64::INFINITY, f64::min) - margin,
        xs.fold(f64::NEG_INFINITY, f64::max) + margin,
        ys.clone().fold(f64::INFINITY, f64::min) - margin,
        ys.fold(f64::NEG_INFINITY, f64::max) + margin,
    ];
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
    let raster = DensityRaster::build(
        &discs,
        [
            model.exposure.background_day_per_km2,
            model.exposure.background_night_per_km2,
        ],
        raster_bounds,
        raster_cell_km,
    );

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
    let d = &data.release;
    let ambient_k = rules.ambient_c.value + 273.15;
    let bore = |id: &str| {
        data.loc
            .iter()
            .find(|l| l.id == id)
            .and_then(|l| l.bore_mm.as_ref())
            .map_or(50.0, |b| b.value)
    };
    let release = ReleaseRules {
        ten_minute_s: d.ten_minute_s.value,
        max_duration_s: d.max_duration_s.value,
        transfer_isolation_s: d.transfer_isolation_s.value,
        hole_mm: d.hole_mm.value,
        discharge_coefficient: d.discharge_coefficient.value,
        liquid_head_m: d.liquid_head_m.value,
        vehicle_liquid_head_m: d.vehicle_liquid_head_m.value,
        min_pool_depth_m: d.min_pool_depth_m.value,
        max_pool_area_m2: [
            d.max_pool_area_m2.road,
            d.max_pool_area_m2.rail,
            d.max_pool_area_m2.water,
        ],
        bund_area_factor: d.bund_area_factor.value,
        ground: Ground {
            conductivity_w_m_k: d.ground.conductivity_w_m_k,
            diffusivity_m2_s: d.ground.diffusivity_m2_s,
            temperature_k: ambient_k,
        },
        hose_bore_mm: bore("loading_hose"),
        arm_bore_mm: bore("loading_arm"),
    };
    let containers: Vec<ContainerRules> = ContainerKind::ALL
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
        .collect();
    let place = |p: &crate::scenario::ExplosionPlace| ExplosionSite {
        confinement: p.confinement,
        congestion: p.congestion,
        congested_volume_m3: p.congested_volume_m3,
    };
    let explosion = [
        place(&rules.explosion.transport),
        place(&rules.explosion.site),
    ];
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
    let loc = LocRates {
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
    };
    let link_rate_per_unit_km: Vec<f64> = model
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
        .collect();
    let g = &data.ignition;
    let tree = EventTree {
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
    };
    let closure = |path: &str, field: &crate::des::DistField, ctx: &mut Ctx| {
        field.spec.compile().unwrap_or_else(|e| {
            ctx.error(
                field_path!["risk", "closures", path],
                format!("impossible distribution: {}", e.0),
            );
            Sampler::Constant(1.0)
        })
    };
    let c = &rules.closures;
    let closure_h = [
        closure("road_h", &c.road_h, ctx),
        closure("rail_h", &c.rail_h, ctx),
        closure("water_h", &c.water_h, ctx),
        closure("facility_h", &c.facility_h, ctx),
    ];
    let l = &rules.layout;
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
    let mut risk = RiskModel {
        data_name: data.meta.name.clone(),
        vulnerability: vulnerability(data),
        escalation: data.escalation.clone(),
        escalation_thresholds: rules.domino.escalation_thresholds,
        domino_radius_m: rules.domino.radius_m,
        tree,
        substances,
        substance_of_commodity,
        release,
        containers,
        explosion,
        urban_density_per_km2: rules.urban_density_per_km2.as_ref().map(|x| x.value),
        ambient_k,
        loc,
        link_rate_per_unit_km,
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
        wind_rose_from: rose,
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
        criteria: rules
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
            .collect(),
        protected: Vec::new(),
        link_path_m: model
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
            .collect(),
        node_xy_m,
        parking_xy_m,
        origin,
        raster,
        bounds_km,
        grid: rules.grid.clone(),
        passing_ships_per_year: Vec::new(),
        inflation: Inflation::default(),
        planned_accidents_per_year: 0.0,
        sampled_accidents_per_year: 0.0,
    };
    risk.protected = rules
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
                limits: risk
                    .criteria
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
        .collect();
    let nominal = nominal_exposure(model, &risk);
    let (factors, planned, sampled) = inflation(model, &risk, &nominal);
    risk.inflation = factors;
    risk.planned_accidents_per_year = planned;
    risk.sampled_accidents_per_year = sampled;
    risk.passing_ships_per_year = nominal.passing_ships;
    Some(risk)
}

/// Planned exposure per year, from the flows' tonnages and route shares (used only to choose the
/// importance-sampling inflation, so rough is fine).
struct Nominal {
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
    passing_ships: Vec<f64>,
}

fn nominal_exposure(model: &Model, risk: &RiskModel) -> Nominal {
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
fn inflation(model: &Model, risk: &RiskModel, n: &Nominal) -> (Inflation, f64, f64) {
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
