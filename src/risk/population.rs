//! People around an accident: a density raster built from population discs, and the expected number of
//! deaths of a set of effects (a primary event and the cascade it set off) by numerical integration.
//!
//! Isotropic effects (fires, explosions) are combined point by point (`1 - prod(1 - P)`) on a polar grid
//! around the primary event. Each toxic or flammable cloud is integrated on its own wind-aligned grid and
//! added: overlap between a cloud and the fires is not removed (slightly conservative).

use super::consequence::Effect;
use super::dispersion::Weather;
use super::fire::Atmosphere;
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
        let i = ((x_km - self.x0_km) / self.cell_km).floor();
        let j = ((y_km - self.y0_km) / self.cell_km).floor();
        if i < 0.0 || j < 0.0 || i >= self.nx as f64 || j >= self.ny as f64 {
            return self.background[night as usize];
        }
        let k = j as usize * self.nx + i as usize;
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

/// Conditions of one accident for the death count.
#[derive(Clone, Copy, Debug)]
pub struct Conditions<'a> {
    /// Weather class.
    pub weather: Weather,
    /// Bearing the wind blows towards, radians clockwise from north.
    pub wind_to_rad: f64,
    /// Night (else day).
    pub night: bool,
    /// Share of people indoors.
    pub indoor_fraction: f64,
    /// Damage conventions.
    pub vulnerability: &'a Vulnerability,
    /// Air, for radiation.
    pub air: Atmosphere,
}

const RINGS: usize = 40;
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

/// Expected deaths of a set of effects.
pub fn deaths(effects: &[Placed], c: &Conditions, raster: &DensityRaster) -> f64 {
    let v = c.vulnerability;
    let mut total = 0.0;
    let radial: Vec<Placed> = effects
        .iter()
        .copied()
        .filter(|p| !p.effect.is_directional())
        .collect();
    if let Some(centre) = radial.first() {
        let reach = radial
            .iter()
            .map(|p| {
                (p.x_m - centre.x_m).hypot(p.y_m - centre.y_m)
                    + p.effect.reach_m(&c.weather, v, &c.air)
            })
            .fold(0.0, f64::max);
        if reach > 0.0 {
            let dr = reach / RINGS as f64;
            let dtheta = std::f64::consts::TAU / SPOKES as f64;
            for k in 0..RINGS {
                let r = (k as f64 + 0.5) * dr;
                let area_km2 = r * dr * dtheta / 1e6;
                for s in 0..SPOKES {
                    let theta = (s as f64 + 0.5) * dtheta;
                    let x = centre.x_m + r * theta.sin();
                    let y = centre.y_m + r * theta.cos();
                    let l = radial_lethality(&radial, x, y, v, &c.air);
                    if !l.is_zero() {
                        let people = raster.density(x / 1000.0, y / 1000.0, c.night) * area_km2;
                        total += l.deaths(people, c.indoor_fraction);
                    }
                }
            }
        }
    }
    for p in effects.iter().filter(|p| p.effect.is_directional()) {
        total += cloud_deaths(p, c, raster);
    }
    total
}

/// Expected deaths of one cloud, integrated on a wind-aligned grid.
fn cloud_deaths(p: &Placed, c: &Conditions, raster: &DensityRaster) -> f64 {
    let v = c.vulnerability;
    let reach = p.effect.reach_m(&c.weather, v, &c.air);
    if reach <= 0.0 {
        return 0.0;
    }
    let (ux, uy) = (c.wind_to_rad.sin(), c.wind_to_rad.cos());
    let (nx, ny) = (-uy, ux);
    let log_start = 1.0f64.ln();
    let log_end = reach.max(2.0).ln();
    let step = (log_end - log_start) / CLOUD_STEPS as f64;
    let mut total = 0.0;
    for k in 0..CLOUD_STEPS {
        let a = (log_start + k as f64 * step).exp();
        let b = (log_start + (k + 1) as f64 * step).exp();
        let x = 0.5 * (a + b);
        let dx = b - a;
        let half = p.effect.cloud_half_width_m(x, &c.weather).max(1.0);
        let dy = 2.0 * half / CLOUD_SPAN as f64;
        for s in 0..CLOUD_SPAN {
            let y = -half + (s as f64 + 0.5) * dy;
            let l = p.effect.cloud_lethality(x, y, &c.weather, v);
            if l.is_zero() {
                continue;
            }
            let gx = p.x_m + x * ux + y * nx;
            let gy = p.y_m + x * uy + y * ny;
            let people = raster.density(gx / 1000.0, gy / 1000.0, c.night) * dx * dy / 1e6;
            total += l.deaths(people, c.indoor_fraction);
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::risk::consequence::tests::{chlorine, site, tree};
    use crate::risk::consequence::{Outcome, Release};
    use crate::risk::dispersion::{Stability, Terrain};
    use crate::risk::fire::PoolFire;
    use crate::risk::vulnerability::tests::purple_book;

    fn uniform(density: f64) -> DensityRaster {
        DensityRaster::build(&[], [density, density], [-50.0, 50.0, -50.0, 50.0], 0.1)
    }

    fn conditions(v: &Vulnerability) -> Conditions<'_> {
        Conditions {
            weather: Weather {
                stability: Stability::D,
                wind_m_s: 5.0,
                terrain: Terrain::Urban,
            },
            wind_to_rad: 0.3,
            night: false,
            indoor_fraction: 0.0,
            vulnerability: v,
            air: Atmosphere {
                relative_humidity: 0.7,
                ambient_c: 20.0,
            },
        }
    }

    #[test]
    fn raster_takes_the_densest_disc() {
        let discs = [
            Disc {
                x_km: 0.0,
                y_km: 0.0,
                radius_km: 2.0,
                day_per_km2: 1000.0,
                night_per_km2: 800.0,
            },
            Disc {
                x_km: 1.0,
                y_km: 0.0,
                radius_km: 0.5,
                day_per_km2: 5000.0,
                night_per_km2: 100.0,
            },
        ];
        let r = DensityRaster::build(&discs, [10.0, 5.0], [-5.0, 5.0, -5.0, 5.0], 0.1);
        assert_eq!(r.density(1.0, 0.05, false), 5000.0);
        assert_eq!(r.density(1.0, 0.05, true), 800.0);
        assert_eq!(r.density(-1.0, 0.0, false), 1000.0);
        assert_eq!(r.density(4.0, 4.0, true), 5.0);
        assert_eq!(r.density(40.0, 0.0, false), 10.0);
    }

    /// Uniform density D: deaths = D * integral of lethality over the plane; for a pool fire that is
    /// D * 2 pi * integral r P(r) dr, computed here by a fine 1-D quadrature.
    #[test]
    fn deaths_on_uniform_population_match_radial_quadrature() {
        let v = purple_book();
        let c = conditions(&v);
        let fire = Effect::Pool(PoolFire {
            diameter_m: 30.0,
            burning_rate_kg_m2_s: 0.055,
            hc_mj_per_kg: 43.7,
            radiative_fraction: 0.3,
        });
        let effects = [Placed {
            effect: fire,
            x_m: 0.0,
            y_m: 0.0,
        }];
        let density = 2000.0;
        let n = deaths(&effects, &c, &uniform(density));
        let mut expected = 0.0;
        let dr = 0.01;
        let mut r = dr / 2.0;
        while r < 2000.0 {
            expected +=
                2.0 * std::f64::consts::PI * r * dr * fire.radial_lethality(r, &v, &c.air).outdoor;
            r += dr;
        }
        expected *= density / 1e6;
        assert!((n / expected - 1.0).abs() < 0.03, "{n} vs {expected}");
        // Everyone indoors: only the 35 kW/m2 zone kills.
        let indoors = Conditions {
            indoor_fraction: 1.0,
            ..c
        };
        assert!(deaths(&effects, &indoors, &uniform(density)) < n);
    }

    #[test]
    fn cloud_deaths_match_crosswind_quadrature_and_follow_the_wind() {
        let v = purple_book();
        let c = conditions(&v);
        let cloud = tree()
            .effect(
                &chlorine(),
                &Release::Instantaneous { mass_kg: 5000.0 },
                Outcome::Toxic,
                &site(),
                &v,
            )
            .unwrap();
        let effects = [Placed {
            effect: cloud,
            x_m: 0.0,
            y_m: 0.0,
        }];
        let density = 1000.0;
        let n = deaths(&effects, &c, &uniform(density));
        let reach = cloud.reach_m(&c.weather, &v, &c.air);
        let mut expected = 0.0;
        let (dx, dy) = (2.0, 1.0);
        let mut x = dx / 2.0;
        while x < reach {
            let mut y = -600.0;
            while y < 600.0 {
                expected += cloud.cloud_lethality(x, y, &c.weather, &v).outdoor * dx * dy;
                y += dy;
            }
            x += dx;
        }
        expected *= density / 1e6;
        assert!(
            n > 0.0 && (n / expected - 1.0).abs() < 0.05,
            "{n} vs {expected}"
        );
        // Only the people downwind die: a town upwind is safe, one downwind is not.
        let town = |bearing: f64| {
            let d = Disc {
                x_km: 0.6 * bearing.sin(),
                y_km: 0.6 * bearing.cos(),
                radius_km: 0.3,
                day_per_km2: 10_000.0,
                night_per_km2: 10_000.0,
            };
            DensityRaster::build(&[d], [0.0, 0.0], [-5.0, 5.0, -5.0, 5.0], 0.02)
        };
        assert!(deaths(&effects, &c, &town(c.wind_to_rad)) > 1.0);
        assert_eq!(
            deaths(&effects, &c, &town(c.wind_to_rad + std::f64::consts::PI)),
            0.0
        );
    }
}
