//! The compiled risk model: substances per commodity, release and frequency data in hours, release rates
//! per link, weather, geography (plane coordinates and the population raster) and the importance-sampling
//! inflation of each accident source.
//!
//! The types live here; `compile` builds them from `[risk]` and its data, and `exposure` chooses the
//! importance-sampling inflation.

mod compile;
mod exposure;
mod response;

pub(super) use compile::compile_risk;
pub use response::{EmergencyPool, FittedBarrier, ResponseModel, Station};

use super::*;
use crate::des::Sampler;
use crate::risk::consequence::{EventTree, ExplosionSite, Substance, SubstanceState};
use crate::risk::dispersion::{Stability, Terrain};
use crate::risk::escalation::EscalationModel;
use crate::risk::fire::Atmosphere;
use crate::risk::population::DensityRaster;
use crate::risk::source::Ground;
use crate::risk::vulnerability::Vulnerability;
use crate::scenario::{ClosureMode, ContainerRelease, CriteriaData, GridRules};

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
    /// Largest unconfined pool by mode, m2.
    pub max_pool_area_m2: ByMode<f64>,
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
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
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
    /// How long an accident closes what it happened on.
    pub closure_h: ClosureHours,
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
    /// The fire brigade and the barriers (`None`: the escalation probit's generic response).
    pub response: Option<ResponseModel>,
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

/// How long an accident closes what it happened on (hours, sampled per accident).
#[derive(Clone, Debug)]
pub struct ClosureHours {
    /// A link of each mode; a lock accident closes the waterway.
    pub link: ByMode<Sampler>,
    /// A facility: a tank farm, loading bays, berths.
    pub facility: Sampler,
}
