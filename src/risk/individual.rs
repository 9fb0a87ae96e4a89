//! Location-based (individual) risk: the yearly probability of death of an unprotected person standing
//! permanently outdoors at a point, summed over sampled accidents.
//!
//! Each accident contributes its weighted frequency times the lethality of its effects at the point. For
//! fires and explosions that is the combined lethality `1 - prod(1 - P)` of the effects at their own
//! distances. Clouds depend on the wind: rather than the one direction drawn for the accident, the map
//! averages over the wind rose and the weather classes of the time of day (conditional expectation, which
//! lowers the Monte-Carlo noise without bias): with the wind direction uniform within each 30-degree sector,
//! the chance of death at distance `r` and bearing `b` is `p_sector(b) / dtheta * W(r) / r`, where `W(r)` is
//! the crosswind integral of the lethality at `r` downwind.

use super::cloud::CloudProfile;
use super::dispersion::{Terrain, Weather};
use super::fire::Atmosphere;
use super::floor_index;
use super::population::Placed;
use super::vulnerability::Vulnerability;

mod accumulate;
pub use accumulate::{
    LethalityClasses, add_individual_risk, add_point_risk, individual_risk_at, individual_risk_grid,
};

/// Weather classes with their day and night shares, and the wind rose.
#[derive(Clone, Debug)]
pub struct Climate {
    /// Classes: weather, share of day hours, share of night hours.
    pub classes: Vec<(Weather, f64, f64)>,
    /// Share of each 30-degree sector the wind blows from (0 = north).
    pub wind_rose_from: [f64; 12],
    /// Air temperature, K (for clouds).
    pub ambient_k: f64,
}

const RADIAL_STEPS: usize = 400;
const CLOUD_STEPS: usize = 64;
const SECTOR_RAD: f64 = std::f64::consts::PI / 6.0;

/// Lethality tables of one accident's effects, ready to evaluate anywhere.
#[derive(Clone, Debug)]
pub struct Footprint {
    /// Yearly frequency this accident stands for.
    pub frequency_per_year: f64,
    radial: Vec<RadialTable>,
    clouds: Vec<CloudTable>,
    /// Centre (first effect), m.
    pub centre: (f64, f64),
    /// Nothing dies farther than this from the centre, m.
    pub reach_m: f64,
}

#[derive(Clone, Debug)]
struct RadialTable {
    x: f64,
    y: f64,
    step_m: f64,
    lethality: Vec<f32>,
    /// Beyond this east or north offset the table gives 0 (a margin of 1e-9 above its end covers
    /// rounding), so the distance need not be computed.
    beyond_m: f64,
}

#[derive(Clone, Debug)]
struct CloudTable {
    x: f64,
    y: f64,
    /// Per weather class: share for this accident's time of day, log-spaced downwind integrals.
    classes: Vec<(f64, f64, f64, std::sync::Arc<Vec<f32>>)>,
    /// Log of the farthest distance any class reaches (no class adds anything beyond it).
    max_log_m: f64,
    /// That distance with a margin of 1e-9 (as for [`RadialTable::beyond_m`]).
    beyond_m: f64,
}

impl RadialTable {
    fn at(&self, r: f64) -> f64 {
        let pos = r / self.step_m;
        let i = floor_index(pos);
        if i + 1 >= self.lethality.len() {
            return 0.0;
        }
        let f = pos - i as f64;
        (self.lethality[i] as f64) * (1.0 - f) + (self.lethality[i + 1] as f64) * f
    }
}

/// Crosswind-integral tables of clouds already built, by cloud and weather (shared by threads). Results
/// do not depend on what is cached: tables are pure functions of the cloud and the weather.
#[derive(Default)]
pub struct CloudTableCache {
    tables: std::sync::Mutex<rustc_hash::FxHashMap<CloudKey, CloudClass>>,
}

/// A cloud's table key: its serialised profile, the weather class and whether the terrain is urban.
type CloudKey = (Vec<u8>, usize, bool);

/// One cloud's table in one weather: reach (m), log range and the crosswind integrals.
type CloudClass = Option<(f64, f64, f64, std::sync::Arc<Vec<f32>>)>;

impl Clone for CloudTableCache {
    fn clone(&self) -> Self {
        Self::default()
    }
}

impl std::fmt::Debug for CloudTableCache {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("CloudTableCache")
    }
}

impl CloudTableCache {
    fn get_or_build(&self, key: CloudKey, build: impl FnOnce() -> CloudClass) -> CloudClass {
        if let Some(t) = self
            .tables
            .lock()
            .expect("no panics hold the cache")
            .get(&key)
        {
            return t.clone();
        }
        let table = build();
        let mut tables = self.tables.lock().expect("no panics hold the cache");
        if tables.len() >= 4096 {
            tables.clear();
        }
        tables.insert(key, table.clone());
        table
    }
}

impl Footprint {
    /// Tables for the effects of one accident that happened by night or by day.
    pub fn new(
        effects: &[Placed],
        frequency_per_year: f64,
        night: bool,
        climate: &Climate,
        v: &Vulnerability,
        air: &Atmosphere,
    ) -> Self {
        let terrain = climate
            .classes
            .first()
            .map_or(Terrain::Urban, |c| c.0.terrain);
        Self::with_cache(
            effects,
            frequency_per_year,
            night,
            climate,
            terrain,
            v,
            air,
            &CloudTableCache::default(),
        )
    }

    /// As [`Footprint::new`] with the plume sigmas of `terrain` (the accident's place), reusing the
    /// cloud tables of `cache`.
    #[allow(clippy::too_many_arguments)]
    pub fn with_cache(
        effects: &[Placed],
        frequency_per_year: f64,
        night: bool,
        climate: &Climate,
        terrain: Terrain,
        v: &Vulnerability,
        air: &Atmosphere,
        cache: &CloudTableCache,
    ) -> Self {
        let centre = effects.first().map_or((0.0, 0.0), |p| (p.x_m, p.y_m));
        let mut reach: f64 = 0.0;
        let mut radial = Vec::new();
        let mut clouds = Vec::new();
        for p in effects {
            let offset = (p.x_m - centre.0).hypot(p.y_m - centre.1);
            if p.effect.is_directional() {
                let mut classes = Vec::new();
                let Some(cloud) = p.effect.cloud() else {
                    continue;
                };
                let key = cloud.key();
                for (w, (weather, day, night_share)) in climate.classes.iter().enumerate() {
                    let share = if night { *night_share } else { *day };
                    if share <= 0.0 {
                        continue;
                    }
                    let built =
                        cache.get_or_build((key.clone(), w, terrain == Terrain::Urban), || {
                            let weather = Weather {
                                terrain,
                                ..*weather
                            };
                            let profile = CloudProfile::new(cloud, &weather, climate.ambient_k, v);
                            let r = profile.reach_m();
                            if r <= 0.0 {
                                return None;
                            }
                            let (lo, hi) = (1.0f64.ln(), r.max(2.0).ln());
                            let table = (0..CLOUD_STEPS)
                                .map(|k| {
                                    let x = (lo + (hi - lo) * k as f64 / (CLOUD_STEPS - 1) as f64)
                                        .exp();
                                    profile.crosswind_integral(x, v) as f32
                                })
                                .collect();
                            Some((r, lo, hi, std::sync::Arc::new(table)))
                        });
                    let Some((r, lo, hi, table)) = built else {
                        continue;
                    };
                    reach = reach.max(offset + r);
                    classes.push((share, lo, hi, table));
                }
                let max_log_m = classes
                    .iter()
                    .map(|c| c.2)
                    .fold(f64::NEG_INFINITY, f64::max);
                clouds.push(CloudTable {
                    x: p.x_m,
                    y: p.y_m,
                    classes,
                    max_log_m,
                    beyond_m: max_log_m.exp() * (1.0 + 1e-9),
                });
            } else {
                // Radial effects do not depend on the weather (humidity is in `air`).
                let r = p.effect.radial_reach_m(v, air);
                if r <= 0.0 {
                    continue;
                }
                reach = reach.max(offset + r);
                let step = r / RADIAL_STEPS as f64;
                let lethality = (0..=RADIAL_STEPS + 1)
                    .map(|k| p.effect.radial_lethality(k as f64 * step, v, air).location as f32)
                    .collect();
                radial.push(RadialTable {
                    x: p.x_m,
                    y: p.y_m,
                    step_m: step,
                    beyond_m: (RADIAL_STEPS + 1) as f64 * step * (1.0 + 1e-9),
                    lethality,
                });
            }
        }
        Self {
            frequency_per_year,
            radial,
            clouds,
            centre,
            reach_m: reach,
        }
    }

    /// Shrinks the reach to where this accident adds less than `floor_per_year` anywhere: the map then
    /// skips cells it cannot visibly change. With `floor` = (lowest contour / 10) / (number of
    /// accidents), all the skipped contributions together stay below a tenth of the lowest contour.
    pub fn prune(&mut self, floor_per_year: f64, wind_rose_from: &[f64; 12]) {
        let p_max = wind_rose_from.iter().copied().fold(0.0, f64::max);
        // Largest possible contribution at distance r from the centre, scanning outwards.
        let bound = |r: f64| -> f64 {
            let mut total = 0.0;
            for t in &self.radial {
                let offset = (t.x - self.centre.0).hypot(t.y - self.centre.1);
                total += t.at((r - offset).max(0.0));
            }
            for c in &self.clouds {
                let offset = (c.x - self.centre.0).hypot(c.y - self.centre.1);
                let d = (r - offset).max(1.0);
                let lr = d.ln();
                let mut expected = 0.0;
                for (share, lo, hi, table) in &c.classes {
                    if lr > *hi {
                        continue;
                    }
                    let pos = ((lr - lo) / (hi - lo) * (CLOUD_STEPS - 1) as f64).max(0.0);
                    let i = floor_index(pos).min(CLOUD_STEPS - 2);
                    expected += share * (table[i] as f64).max(table[i + 1] as f64);
                }
                total += (p_max / SECTOR_RAD * expected / d).min(1.0);
            }
            total.min(1.0) * self.frequency_per_year
        };
        let mut r = self.reach_m;
        // The bound falls with distance beyond the near field: step inwards while it stays negligible.
        while r > 10.0 && bound(r * 0.95) < floor_per_year {
            r *= 0.95;
        }
        self.reach_m = r;
    }

    /// The bits of everything [`Footprint::lethality_at`] and the map's cell range read: centre, reach
    /// and every table (not the frequency).
    fn lethality_bits(&self) -> impl Iterator<Item = u64> + '_ {
        let head = [self.centre.0, self.centre.1, self.reach_m].map(f64::to_bits);
        let radial = self.radial.iter().flat_map(|t| {
            [t.x, t.y, t.step_m, t.beyond_m]
                .map(f64::to_bits)
                .into_iter()
                .chain([t.lethality.len() as u64])
                .chain(t.lethality.iter().map(|v| u64::from(v.to_bits())))
        });
        let clouds = self.clouds.iter().flat_map(|c| {
            [c.x, c.y, c.max_log_m, c.beyond_m]
                .map(f64::to_bits)
                .into_iter()
                .chain([c.classes.len() as u64])
                .chain(c.classes.iter().flat_map(|(share, lo, hi, table)| {
                    [*share, *lo, *hi]
                        .map(f64::to_bits)
                        .into_iter()
                        .chain([table.len() as u64])
                        .chain(table.iter().map(|v| u64::from(v.to_bits())))
                }))
        });
        head.into_iter()
            .chain([self.radial.len() as u64])
            .chain(radial)
            .chain([self.clouds.len() as u64])
            .chain(clouds)
    }

    /// Whether `other` has the same lethality at every point and the same reach (bit for bit).
    fn same_lethality(&self, other: &Footprint) -> bool {
        self.lethality_bits().eq(other.lethality_bits())
    }

    /// Chance that an unprotected person outdoors at `(x, y)` dies in this accident.
    pub fn lethality_at(&self, x: f64, y: f64, wind_rose_from: &[f64; 12]) -> f64 {
        // Every skip below leaves out only terms that are exactly 0 (the map is unchanged to the bit).
        let mut survive = 1.0;
        for t in &self.radial {
            let (dx, dy) = (x - t.x, y - t.y);
            if dx.abs() > t.beyond_m || dy.abs() > t.beyond_m {
                continue;
            }
            let p = t.at(dx.hypot(dy));
            survive *= 1.0 - p;
        }
        let mut total = 1.0 - survive;
        for c in &self.clouds {
            let (dx, dy) = (x - c.x, y - c.y);
            if dx.abs() > c.beyond_m || dy.abs() > c.beyond_m {
                continue;
            }
            let r = dx.hypot(dy);
            if r < 1.0 {
                continue;
            }
            let lr = r.ln();
            if lr > c.max_log_m {
                continue;
            }
            let p_sector = wind_rose_from[wind_sector_from(dx, dy)];
            if p_sector <= 0.0 {
                continue;
            }
            let mut expected = 0.0;
            for (share, lo, hi, table) in &c.classes {
                if lr > *hi {
                    continue;
                }
                let pos = ((lr - lo) / (hi - lo) * (CLOUD_STEPS - 1) as f64).max(0.0);
                let i = floor_index(pos).min(CLOUD_STEPS - 2);
                let f = pos - i as f64;
                let w = table[i] as f64 * (1.0 - f) + table[i + 1] as f64 * f;
                expected += share * w;
            }
            total += (p_sector / SECTOR_RAD * expected / r).min(1.0);
        }
        total.min(1.0)
    }
}

/// The 30-degree sector (0 = north) the wind blows from when it carries a cloud from a source to the
/// point `(dx, dy)` east and north of it. The angles stay within [-180, 540) degrees, where
/// `rem_euclid(360)` is one exact subtraction or addition: written out, without the call to `fmod`.
fn wind_sector_from(dx: f64, dy: f64) -> usize {
    let to_deg = dx.atan2(dy).to_degrees();
    let bearing = if to_deg < 0.0 { to_deg + 360.0 } else { to_deg };
    let opposite = bearing + 180.0;
    let from = if opposite >= 360.0 {
        opposite - 360.0
    } else {
        opposite
    };
    floor_index((from + 15.0) / 30.0) % 12
}

/// A regular grid of cells.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Grid {
    /// West edge, m.
    pub x0_m: f64,
    /// South edge, m.
    pub y0_m: f64,
    /// Cell size, m.
    pub cell_m: f64,
    /// Columns.
    pub nx: usize,
    /// Rows.
    pub ny: usize,
}

impl Grid {
    /// Centre of cell `(i, j)`, m.
    pub fn centre(&self, i: usize, j: usize) -> (f64, f64) {
        (
            self.x0_m + (i as f64 + 0.5) * self.cell_m,
            self.y0_m + (j as f64 + 0.5) * self.cell_m,
        )
    }
}

/// A straight piece of a contour line: two points, m.
pub type Segment = [(f64, f64); 2];

/// Line segments of the contour of `field` at `level` by marching squares, in m.
pub fn contour_segments(field: &[f64], grid: &Grid, level: f64) -> Vec<Segment> {
    let mut out = Vec::new();
    if grid.nx < 2 || grid.ny < 2 {
        return out;
    }
    let v = |i: usize, j: usize| field[j * grid.nx + i];
    let lerp = |a: (f64, f64), b: (f64, f64), va: f64, vb: f64| {
        let t = if (vb - va).abs() < f64::MIN_POSITIVE {
            0.5
        } else {
            (level - va) / (vb - va)
        };
        (a.0 + t * (b.0 - a.0), a.1 + t * (b.1 - a.1))
    };
    for j in 0..grid.ny - 1 {
        for i in 0..grid.nx - 1 {
            let corners = [(i, j), (i + 1, j), (i + 1, j + 1), (i, j + 1)];
            let values: Vec<f64> = corners.iter().map(|&(a, b)| v(a, b)).collect();
            let points: Vec<(f64, f64)> = corners.iter().map(|&(a, b)| grid.centre(a, b)).collect();
            let mut case = 0;
            for (k, value) in values.iter().enumerate() {
                if *value >= level {
                    case |= 1 << k;
                }
            }
            if case == 0 || case == 15 {
                continue;
            }
            // Crossing points on the four edges (bottom, right, top, left).
            let edge = |k: usize| {
                let (a, b) = (k, (k + 1) % 4);
                lerp(points[a], points[b], values[a], values[b])
            };
            let crossings: Vec<(f64, f64)> = (0..4)
                .filter(|&k| ((case >> k) & 1) != ((case >> ((k + 1) % 4)) & 1))
                .map(edge)
                .collect();
            if crossings.len() == 2 {
                out.push([crossings[0], crossings[1]]);
            } else if crossings.len() == 4 {
                out.push([crossings[0], crossings[1]]);
                out.push([crossings[2], crossings[3]]);
            }
        }
    }
    out
}

#[cfg(test)]
#[path = "individual_tests.rs"]
mod tests;
