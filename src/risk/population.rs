//! People around an accident: a density raster built from population discs, and the expected number of
//! deaths of a set of effects (a primary event and the cascade it set off) by numerical integration.
//!
//! Isotropic effects (fires, explosions) are combined point by point (`1 - prod(1 - P)`) on a polar grid
//! around the primary event. Each toxic or flammable cloud is integrated on its own wind-aligned grid and
//! added: overlap between a cloud and the fires is not removed (slightly conservative).

use super::cloud::CloudProfile;
use super::dispersion::Weather;
use super::effects::Effect;
use super::fire::Atmosphere;
use super::floor_index;
use super::vulnerability::{Lethality, Vulnerability};

/// A disc of uniform density in plane coordinates.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Disc {
    /// Centre east, km.
    pub x_km: f64,
    /// Centre north, km.
    pub y_km: f64,
    /// Radius, km.
    pub radius_km: f64,
    /// People per km2 by day.
    pub day_per_km2: f64,
    /// People per km2 at night.
    pub night_per_km2: f64,
}

/// Population density on a raster (the densest disc covering a cell's centre, else the background).
#[derive(Clone, Debug)]
pub struct DensityRaster {
    x0_km: f64,
    y0_km: f64,
    cell_km: f64,
    nx: usize,
    ny: usize,
    day: Vec<f32>,
    night: Vec<f32>,
    background: [f64; 2],
}

impl DensityRaster {
    /// Rasterises `discs` over the box `[x0, x1] x [y0, y1]` km with `cell_km` cells.
    pub fn build(discs: &[Disc], background: [f64; 2], bounds: [f64; 4], cell_km: f64) -> Self {
        let [x0, x1, y0, y1] = bounds;
        let nx = ((x1 - x0) / cell_km).ceil().max(1.0) as usize;
        let ny = ((y1 - y0) / cell_km).ceil().max(1.0) as usize;
        let mut day = vec![background[0] as f32; nx * ny];
        let mut night = vec![background[1] as f32; nx * ny];
        for d in discs {
            let i0 = (((d.x_km - d.radius_km - x0) / cell_km).floor().max(0.0)) as usize;
            let i1 = (((d.x_km + d.radius_km - x0) / cell_km).ceil().max(0.0) as usize).min(nx);
            let j0 = (((d.y_km - d.radius_km - y0) / cell_km).floor().max(0.0)) as usize;
            let j1 = (((d.y_km + d.radius_km - y0) / cell_km).ceil().max(0.0) as usize).min(ny);
            for j in j0..j1 {
                for i in i0..i1 {
                    let cx = x0 + (i as f64 + 0.5) * cell_km;
                    let cy = y0 + (j as f64 + 0.5) * cell_km;
                    if (cx - d.x_km).hypot(cy - d.y_km) <= d.radius_km {
                        let k = j * nx + i;
                        day[k] = day[k].max(d.day_per_km2 as f32);
                        night[k] = night[k].max(d.night_per_km2 as f32);
                    }
                }
            }
        }
        Self {
            x0_km: x0,
            y0_km: y0,
            cell_km,
            nx,
            ny,
            day,
            night,
            background,
        }
    }

    /// People per km2 at a point, by day or at night.
    #[inline]
    pub fn density(&self, x_km: f64, y_km: f64, night: bool) -> f64 {
        let (i, j) = self.cell_coordinates(x_km, y_km);
        self.density_in_cell(i, j, night)
    }

    /// A point's unfloored cell coordinates (column, row): the cell is their floor.
    #[inline]
    pub fn cell_coordinates(&self, x_km: f64, y_km: f64) -> (f64, f64) {
        (
            (x_km - self.x0_km) / self.cell_km,
            (y_km - self.y0_km) / self.cell_km,
        )
    }

    /// Cells per metre, to move in cell coordinates by offsets in metres.
    pub fn cells_per_m(&self) -> f64 {
        1.0 / (1000.0 * self.cell_km)
    }

    /// People per km2 in the cell of unfloored cell coordinates `(i, j)`, by day or at night.
    #[inline]
    pub fn density_in_cell(&self, i: f64, j: f64, night: bool) -> f64 {
        // For a whole count n, floor(t) < 0 and floor(t) >= n exactly when t < 0 and t >= n, and
        // `floor_index` is the floor.
        if i < 0.0 || j < 0.0 || i >= self.nx as f64 || j >= self.ny as f64 {
            return self.background[night as usize];
        }
        let k = floor_index(j) * self.nx + floor_index(i);
        if night {
            self.night[k] as f64
        } else {
            self.day[k] as f64
        }
    }
}

/// An effect placed in plane coordinates.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Placed {
    /// The effect.
    pub effect: Effect,
    /// Source east, m.
    pub x_m: f64,
    /// Source north, m.
    pub y_m: f64,
}

/// Who is around: day or night, and how many indoors.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct People {
    /// Night (else day).
    pub night: bool,
    /// Share of people indoors.
    pub indoor_fraction: f64,
}

/// Conditions of one accident for the death count.
#[derive(Clone, Copy, Debug)]
pub struct Conditions<'a> {
    /// Weather class.
    pub weather: Weather,
    /// Bearing the wind blows towards, radians clockwise from north.
    pub wind_to_rad: f64,
    /// Who is around.
    pub people: People,
    /// Damage conventions.
    pub vulnerability: &'a Vulnerability,
    /// Air, for radiation.
    pub air: Atmosphere,
    /// Air temperature, K (for clouds).
    pub ambient_k: f64,
}

const RINGS: usize = 80;
const SPOKES: usize = 36;
const CLOUD_STEPS: usize = 48;
const CLOUD_SPAN: usize = 17;

/// Combined lethality of the isotropic effects at a point (m).
pub fn radial_lethality(
    effects: &[Placed],
    x_m: f64,
    y_m: f64,
    v: &Vulnerability,
    air: &Atmosphere,
) -> Lethality {
    let mut l = Lethality::ZERO;
    for p in effects.iter().filter(|p| !p.effect.is_directional()) {
        let r = (x_m - p.x_m).hypot(y_m - p.y_m);
        l = l.combine(p.effect.radial_lethality(r, v, air));
    }
    l
}

/// An isotropic effect's lethality tabulated against distance (linear between points).
struct RadialTable {
    x_m: f64,
    y_m: f64,
    step_m: f64,
    values: Vec<Lethality>,
}

const TABLE_STEPS: usize = 1000;

impl RadialTable {
    fn new(p: &Placed, reach_m: f64, v: &Vulnerability, air: &Atmosphere) -> Self {
        let step_m = (reach_m / TABLE_STEPS as f64).max(1e-3);
        Self {
            x_m: p.x_m,
            y_m: p.y_m,
            step_m,
            values: (0..=TABLE_STEPS + 1)
                .map(|k| p.effect.radial_lethality(k as f64 * step_m, v, air))
                .collect(),
        }
    }

    fn at(&self, x: f64, y: f64) -> Lethality {
        let pos = (x - self.x_m).hypot(y - self.y_m) / self.step_m;
        let k = floor_index(pos);
        if k + 1 >= self.values.len() {
            return Lethality::ZERO;
        }
        let f = pos - k as f64;
        let (a, b) = (self.values[k], self.values[k + 1]);
        Lethality {
            location: a.location + (b.location - a.location) * f,
            outdoor: a.outdoor + (b.outdoor - a.outdoor) * f,
            indoor: a.indoor + (b.indoor - a.indoor) * f,
        }
    }
}

/// Expected deaths of the isotropic effects (fires and blasts, combined point by point) on a polar grid
/// around the first of them.
pub fn radial_deaths(
    effects: &[Placed],
    people: People,
    v: &Vulnerability,
    air: &Atmosphere,
    raster: &DensityRaster,
) -> f64 {
    let radial: Vec<(Placed, f64)> = effects
        .iter()
        .filter(|p| !p.effect.is_directional())
        .map(|p| (*p, p.effect.radial_reach_m(v, air)))
        .filter(|(_, reach)| *reach > 0.0)
        .collect();
    let Some(&(centre, _)) = radial.first() else {
        return 0.0;
    };
    let reach = radial
        .iter()
        .map(|(p, r)| (p.x_m - centre.x_m).hypot(p.y_m - centre.y_m) + r)
        .fold(0.0, f64::max);
    let tables: Vec<RadialTable> = radial
        .iter()
        .map(|(p, r)| RadialTable::new(p, *r, v, air))
        .collect();
    let mut total = 0.0;
    let dr = reach / RINGS as f64;
    let dtheta = std::f64::consts::TAU / SPOKES as f64;
    for k in 0..RINGS {
        let r = (k as f64 + 0.5) * dr;
        let area_km2 = r * dr * dtheta / 1e6;
        for s in 0..SPOKES {
            let theta = (s as f64 + 0.5) * dtheta;
            let x = centre.x_m + r * theta.sin();
            let y = centre.y_m + r * theta.cos();
            let l = tables
                .iter()
                .fold(Lethality::ZERO, |l, t| l.combine(t.at(x, y)));
            if !l.is_zero() {
                let people_here = raster.density(x / 1000.0, y / 1000.0, people.night) * area_km2;
                total += l.deaths(people_here, people.indoor_fraction);
            }
        }
    }
    total
}

/// A cloud's lethality on its wind-aligned integration grid, ready to be turned to any wind direction.
#[derive(Clone, Debug)]
pub struct CloudField {
    /// Grid points: downwind and crosswind offsets (m), area (km2), lethality.
    points: Vec<(f64, f64, f64, Lethality)>,
    /// Wind speed, m/s: when the cloud reaches each point.
    wind_m_s: f64,
}

/// People warned to shelter: from `after_s` after the release, `compliance` of those outdoors go
/// indoors (and take the indoor lethality of the whole passage).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Shelter {
    /// Seconds from the release until the warning reaches people.
    pub after_s: f64,
    /// Share of the people outdoors who go indoors.
    pub compliance: f64,
}

impl CloudField {
    /// The field of `profile` (one cloud in one weather, the wind at `wind_m_s`).
    pub fn new(profile: &CloudProfile, wind_m_s: f64, v: &Vulnerability) -> Self {
        let reach = profile.reach_m();
        let mut points = Vec::new();
        if reach > 0.0 {
            let log_end = reach.max(2.0).ln();
            let step = log_end / CLOUD_STEPS as f64;
            for k in 0..CLOUD_STEPS {
                let a = (k as f64 * step).exp();
                let b = ((k + 1) as f64 * step).exp();
                let x = 0.5 * (a + b);
                let dx = b - a;
                let half = profile.half_width_m(x).max(1.0);
                let dy = 2.0 * half / CLOUD_SPAN as f64;
                for s in 0..CLOUD_SPAN {
                    let y = -half + (s as f64 + 0.5) * dy;
                    let l = profile.lethality(x, y, v, true);
                    if !l.is_zero() {
                        points.push((x, y, dx * dy / 1e6, l));
                    }
                }
            }
        }
        Self { points, wind_m_s }
    }

    /// Expected deaths with the source at `(x_m, y_m)` and the wind blowing towards `wind_to_rad`.
    pub fn deaths(
        &self,
        x_m: f64,
        y_m: f64,
        wind_to_rad: f64,
        people: People,
        raster: &DensityRaster,
    ) -> f64 {
        self.deaths_indoors((x_m, y_m), wind_to_rad, people, raster, |_| {
            people.indoor_fraction
        })
    }

    /// [`Self::deaths`] with a warning: where the cloud arrives (downwind distance over the wind speed)
    /// after the warning, the compliant share of the people outdoors is indoors.
    pub fn deaths_sheltering(
        &self,
        at: (f64, f64),
        wind_to_rad: f64,
        people: People,
        raster: &DensityRaster,
        shelter: Shelter,
    ) -> f64 {
        let warned_indoors =
            people.indoor_fraction + (1.0 - people.indoor_fraction) * shelter.compliance;
        let warned_beyond_m = shelter.after_s * self.wind_m_s;
        self.deaths_indoors(at, wind_to_rad, people, raster, |downwind_m| {
            if downwind_m > warned_beyond_m {
                warned_indoors
            } else {
                people.indoor_fraction
            }
        })
    }

    /// Expected deaths with the share of people indoors at each point given by its downwind distance.
    fn deaths_indoors(
        &self,
        (x_m, y_m): (f64, f64),
        wind_to_rad: f64,
        people: People,
        raster: &DensityRaster,
        indoors_at: impl Fn(f64) -> f64,
    ) -> f64 {
        let (ux, uy) = (wind_to_rad.sin(), wind_to_rad.cos());
        let (nx, ny) = (-uy, ux);
        // Straight into the raster's cell coordinates: the source's, plus each point's offset scaled
        // to cells (no divisions per point; the sum is the same up to rounding, which moves a point
        // across a cell edge only if it lies within about 1e-13 of a cell of it).
        let (i0, j0) = raster.cell_coordinates(x_m / 1000.0, y_m / 1000.0);
        let scale = raster.cells_per_m();
        let (ui, uj, ni, nj) = (ux * scale, uy * scale, nx * scale, ny * scale);
        self.points
            .iter()
            .map(|&(x, y, area_km2, l)| {
                let i = i0 + x * ui + y * ni;
                let j = j0 + x * uj + y * nj;
                let here = raster.density_in_cell(i, j, people.night) * area_km2;
                l.deaths(here, indoors_at(x))
            })
            .sum()
    }
}

/// Cloud fields already integrated, by cloud and weather: accidents of equal units (every full chlorine
/// tanker) release equal clouds, and their fields are computed once. Results do not depend on what is
/// cached (fields are pure functions of the cloud and the weather).
#[derive(Default)]
pub struct CloudFieldCache {
    fields: rustc_hash::FxHashMap<(Vec<u8>, [u64; 3]), std::sync::Arc<CloudField>>,
}

/// Entries kept before the cache starts afresh (bounds its memory).
const CACHE_ENTRIES: usize = 512;

impl CloudFieldCache {
    /// The field of `cloud` in `weather` with the air at `ambient_k`.
    pub fn field(
        &mut self,
        cloud: &super::cloud::Cloud,
        weather: &Weather,
        ambient_k: f64,
        v: &Vulnerability,
    ) -> std::sync::Arc<CloudField> {
        let key = (
            cloud.key(),
            [
                weather.stability as u64 * 2 + weather.terrain as u64,
                weather.wind_m_s.to_bits(),
                ambient_k.to_bits(),
            ],
        );
        if let Some(f) = self.fields.get(&key) {
            return f.clone();
        }
        if self.fields.len() >= CACHE_ENTRIES {
            self.fields.clear();
        }
        let profile = CloudProfile::new(cloud, weather, ambient_k, v);
        let field = std::sync::Arc::new(CloudField::new(&profile, weather.wind_m_s, v));
        self.fields.insert(key, field.clone());
        field
    }
}

/// Deaths of isotropic effects already integrated, by effects and people: the tankers of a saturated
/// lot stand at a few spots, and their fires repeat by the thousand. Results do not depend on what is
/// cached ([`radial_deaths`] is a pure function of its arguments, and one replication holds one
/// vulnerability, atmosphere and raster).
#[derive(Default)]
pub struct RadialDeathsCache {
    deaths: rustc_hash::FxHashMap<Vec<u8>, f64>,
}

impl RadialDeathsCache {
    /// [`radial_deaths`] of `effects`, computed once per distinct set of isotropic effects and people.
    pub fn deaths(
        &mut self,
        effects: &[Placed],
        people: People,
        v: &Vulnerability,
        air: &Atmosphere,
        raster: &DensityRaster,
    ) -> f64 {
        let mut key = Vec::with_capacity(256);
        key.push(u8::from(people.night));
        key.extend(people.indoor_fraction.to_bits().to_le_bytes());
        for p in effects.iter().filter(|p| !p.effect.is_directional()) {
            ciborium::into_writer(p, &mut key).expect("an effect serialises");
        }
        if let Some(&d) = self.deaths.get(&key) {
            return d;
        }
        if self.deaths.len() >= CACHE_ENTRIES {
            self.deaths.clear();
        }
        let d = radial_deaths(effects, people, v, air, raster);
        self.deaths.insert(key, d);
        d
    }
}

/// Expected deaths of a set of effects in one weather and wind: the isotropic effects combined point by
/// point, each cloud integrated on its own wind-aligned grid and added (overlap between a cloud and the
/// fires is not removed: slightly conservative).
pub fn deaths(effects: &[Placed], c: &Conditions, raster: &DensityRaster) -> f64 {
    let v = c.vulnerability;
    let mut total = radial_deaths(effects, c.people, v, &c.air, raster);
    for p in effects {
        if let Some(cloud) = p.effect.cloud() {
            let profile = CloudProfile::new(cloud, &c.weather, c.ambient_k, v);
            total += CloudField::new(&profile, c.weather.wind_m_s, v).deaths(
                p.x_m,
                p.y_m,
                c.wind_to_rad,
                c.people,
                raster,
            );
        }
    }
    total
}

#[cfg(test)]
#[path = "population_tests.rs"]
mod tests;
