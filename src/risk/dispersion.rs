//! Passive (neutrally buoyant) Gaussian dispersion: a continuous plume and an instantaneous puff with
//! Briggs (1973) rural/urban plume sigmas and CCPS puff sigmas, Pasquill stability classes A-F.
//!
//! Passive gas only: dense releases (chlorine, LPG, HCl near the source) spread lower and wider than
//! these models say; the results are a screening level, as every report states.

use std::fmt;
use std::str::FromStr;

/// Pasquill stability class.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Deserialize, serde::Serialize,
)]
pub enum Stability {
    /// Very unstable.
    A,
    /// Unstable.
    B,
    /// Slightly unstable.
    C,
    /// Neutral.
    D,
    /// Slightly stable.
    E,
    /// Stable.
    F,
}

impl Stability {
    /// All classes, A to F.
    pub const ALL: [Stability; 6] = [
        Stability::A,
        Stability::B,
        Stability::C,
        Stability::D,
        Stability::E,
        Stability::F,
    ];

    fn index(self) -> usize {
        self as usize
    }
}

impl FromStr for Stability {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_uppercase().as_str() {
            "A" => Ok(Stability::A),
            "B" => Ok(Stability::B),
            "C" => Ok(Stability::C),
            "D" => Ok(Stability::D),
            "E" => Ok(Stability::E),
            "F" => Ok(Stability::F),
            _ => Err(format!(
                "stability class `{s}`: expected one of A, B, C, D, E, F"
            )),
        }
    }
}

impl fmt::Display for Stability {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{self:?}")
    }
}

/// Surface roughness class for the Briggs plume sigmas.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Terrain {
    /// Open country.
    Rural,
    /// Built-up areas.
    Urban,
}

impl FromStr for Terrain {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "rural" => Ok(Terrain::Rural),
            "urban" => Ok(Terrain::Urban),
            _ => Err(format!("terrain `{s}`: expected rural or urban")),
        }
    }
}

/// Briggs (1973) plume sigmas `(sigma_y, sigma_z)` in m at downwind distance `x_m` (fitted for
/// 100 m - 10 km; used outside that range as extrapolation).
pub fn briggs_sigmas(stability: Stability, terrain: Terrain, x_m: f64) -> (f64, f64) {
    let x = x_m.max(1e-3);
    let inv_sqrt = |c: f64| (1.0 + c * x).powf(-0.5);
    match terrain {
        Terrain::Rural => {
            let sigma_y =
                [0.22, 0.16, 0.11, 0.08, 0.06, 0.04][stability.index()] * x * inv_sqrt(1e-4);
            let sigma_z = match stability {
                Stability::A => 0.20 * x,
                Stability::B => 0.12 * x,
                Stability::C => 0.08 * x * inv_sqrt(2e-4),
                Stability::D => 0.06 * x * inv_sqrt(1.5e-3),
                Stability::E => 0.03 * x / (1.0 + 3e-4 * x),
                Stability::F => 0.016 * x / (1.0 + 3e-4 * x),
            };
            (sigma_y, sigma_z)
        }
        Terrain::Urban => match stability {
            Stability::A | Stability::B => (
                0.32 * x * inv_sqrt(4e-4),
                0.24 * x * (1.0 + 1e-3 * x).sqrt(),
            ),
            Stability::C => (0.22 * x * inv_sqrt(4e-4), 0.20 * x),
            // 0.0003 in sigma_z, not the 0.003 of some reproductions (Griffiths 1994).
            Stability::D => (0.16 * x * inv_sqrt(4e-4), 0.14 * x * inv_sqrt(3e-4)),
            Stability::E | Stability::F => (0.11 * x * inv_sqrt(4e-4), 0.08 * x * inv_sqrt(1.5e-3)),
        },
    }
}

/// CCPS puff sigmas `(sigma_x = sigma_y, sigma_z)` in m at downwind distance `x_m`.
pub fn puff_sigmas(stability: Stability, x_m: f64) -> (f64, f64) {
    let x = x_m.max(1e-3);
    let (ay, by, az, bz) = match stability {
        Stability::A => (0.18, 0.92, 0.60, 0.75),
        Stability::B => (0.14, 0.92, 0.53, 0.73),
        Stability::C => (0.10, 0.92, 0.34, 0.71),
        Stability::D => (0.06, 0.92, 0.15, 0.70),
        Stability::E => (0.04, 0.92, 0.10, 0.65),
        Stability::F => (0.02, 0.89, 0.05, 0.61),
    };
    (ay * x.powf(by), az * x.powf(bz))
}

/// Weather for a dispersion calculation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Weather {
    /// Stability class.
    pub stability: Stability,
    /// Wind speed, m/s.
    pub wind_m_s: f64,
    /// Terrain for the plume sigmas.
    pub terrain: Terrain,
}

/// Ground-reflected vertical factor `exp(-(z-H)^2/2s^2) + exp(-(z+H)^2/2s^2)`.
fn vertical(z: f64, h: f64, sigma_z: f64) -> f64 {
    let two_s2 = 2.0 * sigma_z * sigma_z;
    (-(z - h).powi(2) / two_s2).exp() + (-(z + h).powi(2) / two_s2).exp()
}

/// A continuous release as a steady Gaussian plume.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Plume {
    /// Release rate, kg/s.
    pub rate_kg_s: f64,
    /// Source height, m.
    pub source_height_m: f64,
    /// Weather.
    pub weather: Weather,
}

impl Plume {
    /// Concentration, kg/m3, at `x_m` downwind, `y_m` crosswind, `z_m` above ground (0 upwind).
    pub fn concentration_kg_m3(&self, x_m: f64, y_m: f64, z_m: f64) -> f64 {
        if x_m <= 0.0 {
            return 0.0;
        }
        let w = &self.weather;
        let (sy, sz) = briggs_sigmas(w.stability, w.terrain, x_m);
        self.rate_kg_s / (2.0 * std::f64::consts::PI * w.wind_m_s * sy * sz)
            * (-y_m * y_m / (2.0 * sy * sy)).exp()
            * vertical(z_m, self.source_height_m, sz)
    }
}

/// An instantaneous release as a Gaussian puff drifting with the wind.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Puff {
    /// Mass released, kg.
    pub mass_kg: f64,
    /// Source height, m.
    pub source_height_m: f64,
    /// Weather (the terrain does not enter the CCPS puff sigmas).
    pub weather: Weather,
}

impl Puff {
    /// Concentration, kg/m3, at time `t_s` after release, at `(x, y, z)`; the sigmas are those at the
    /// puff centre's travel distance `u t`.
    pub fn concentration_kg_m3(&self, t_s: f64, x_m: f64, y_m: f64, z_m: f64) -> f64 {
        let w = &self.weather;
        let travel = w.wind_m_s * t_s;
        if travel <= 0.0 {
            return 0.0;
        }
        let (sxy, sz) = puff_sigmas(w.stability, travel);
        self.mass_kg / ((2.0 * std::f64::consts::PI).powf(1.5) * sxy * sxy * sz)
            * (-(x_m - travel).powi(2) / (2.0 * sxy * sxy)).exp()
            * (-y_m * y_m / (2.0 * sxy * sxy)).exp()
            * vertical(z_m, self.source_height_m, sz)
    }

    /// Peak concentration as the puff centre passes `x_m` downwind, kg/m3.
    pub fn peak_kg_m3(&self, x_m: f64, y_m: f64, z_m: f64) -> f64 {
        if x_m <= 0.0 {
            return 0.0;
        }
        self.concentration_kg_m3(x_m / self.weather.wind_m_s, x_m, y_m, z_m)
    }

    /// Toxic dose `integral C^n dt` at `(x, y, z)` with C in mg/m3 and t in minutes, for sigmas frozen at
    /// `x`: `C_peak^n sigma_x sqrt(2 pi / n) / u` (closed form of the passing Gaussian).
    pub fn toxic_load_mg_min(&self, n: f64, x_m: f64, y_m: f64, z_m: f64) -> f64 {
        self.loads_mg_min(n, x_m, y_m, z_m).0
    }

    /// The toxic load `integral C^n dt` and the dose `integral C dt` (mg/m3 min) as the puff passes,
    /// from one evaluation of the peak.
    pub fn loads_mg_min(&self, n: f64, x_m: f64, y_m: f64, z_m: f64) -> (f64, f64) {
        if x_m <= 0.0 {
            return (0.0, 0.0);
        }
        let (sxy, sz) = puff_sigmas(self.weather.stability, x_m);
        let peak_mg = self.mass_kg / ((2.0 * std::f64::consts::PI).powf(1.5) * sxy * sxy * sz)
            * (-y_m * y_m / (2.0 * sxy * sxy)).exp()
            * vertical(z_m, self.source_height_m, sz)
            * 1e6;
        if peak_mg <= 0.0 {
            return (0.0, 0.0);
        }
        let minutes = sxy / self.weather.wind_m_s / 60.0;
        let two_pi = 2.0 * std::f64::consts::PI;
        (
            peak_mg.powf(n) * minutes * (two_pi / n).sqrt(),
            peak_mg * minutes * two_pi.sqrt(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Published values at x = 1.2 m from GasDispersion.jl's CCPS equation-set tests (risk-models.md 4.4).
    #[test]
    fn briggs_and_puff_sigmas_match_published_vectors() {
        use Stability::*;
        let rural = [
            (A, 0.2639841614254575, 0.24),
            (B, 0.19198848103669636, 0.144),
            (C, 0.13199208071272875, 0.09598848207318536),
            (D, 0.09599424051834818, 0.07193528734898633),
            (E, 0.07199568038876113, 0.03598704466392099),
            (F, 0.04799712025917409, 0.019193090487424527),
        ];
        let urban = [
            (A, 0.38390787316433456, 0.2881727481910807),
            (B, 0.38390787316433456, 0.2881727481910807),
            (C, 0.26393666280048, 0.24),
            (D, 0.19195393658216728, 0.16796976816235135),
            (E, 0.13196833140024, 0.09591371646531512),
            (F, 0.13196833140024, 0.09591371646531512),
        ];
        for (terrain, table) in [(Terrain::Rural, rural), (Terrain::Urban, urban)] {
            for (class, sy, sz) in table {
                let (y, z) = briggs_sigmas(class, terrain, 1.2);
                assert!(
                    (y / sy - 1.0).abs() < 1e-12 && (z / sz - 1.0).abs() < 1e-12,
                    "{terrain:?} {class}"
                );
            }
        }
        let puff = [
            (A, 0.21287234847910436, 0.6879188103871441),
            (B, 0.16556738215041453, 0.6054498545741843),
            (C, 0.11826241582172466, 0.3869880921561032),
            (D, 0.07095744949303479, 0.17041904657983328),
            (E, 0.047304966328689864, 0.11258170198247626),
            (F, 0.023523465599668385, 0.05588182287353654),
        ];
        for (class, sxy, sz) in puff {
            let (y, z) = puff_sigmas(class, 1.2);
            assert!(
                (y / sxy - 1.0).abs() < 1e-12 && (z / sz - 1.0).abs() < 1e-12,
                "{class}"
            );
        }
    }

    fn weather(stability: Stability) -> Weather {
        Weather {
            stability,
            wind_m_s: 3.0,
            terrain: Terrain::Rural,
        }
    }

    /// Mass conservation: the flux through any crosswind plane equals the release rate.
    #[test]
    fn plume_conserves_mass_flux() {
        for class in Stability::ALL {
            let plume = Plume {
                rate_kg_s: 2.0,
                source_height_m: 5.0,
                weather: weather(class),
            };
            let x = 800.0;
            let (sy, sz) = briggs_sigmas(class, Terrain::Rural, x);
            let (dy, dz) = (sy / 40.0, sz / 40.0);
            let mut flux = 0.0;
            for i in -400..=400 {
                for k in 0..=600 {
                    let w = if k == 0 { 0.5 } else { 1.0 };
                    flux +=
                        w * plume.concentration_kg_m3(x, i as f64 * dy, k as f64 * dz) * dy * dz;
                }
            }
            flux *= plume.weather.wind_m_s;
            assert!((flux / 2.0 - 1.0).abs() < 1e-3, "{class}: {flux}");
        }
    }

    /// Closed-form F-class ground-level centreline value: C = Q / (pi u sy sz).
    #[test]
    fn plume_ground_centreline() {
        let plume = Plume {
            rate_kg_s: 0.1,
            source_height_m: 0.0,
            weather: Weather {
                stability: Stability::F,
                wind_m_s: 2.0,
                terrain: Terrain::Rural,
            },
        };
        let sy = 0.04 * 500.0 / 1.05f64.sqrt();
        let sz = 0.016 * 500.0 / 1.15;
        let expected = 0.1 / (std::f64::consts::PI * 2.0 * sy * sz);
        assert!((plume.concentration_kg_m3(500.0, 0.0, 0.0) / expected - 1.0).abs() < 1e-12);
        assert_eq!(plume.concentration_kg_m3(-10.0, 0.0, 0.0), 0.0);
    }

    /// The closed-form puff dose equals the numerical time integral (frozen sigmas are the only approximation).
    #[test]
    fn puff_dose_matches_numerical_integral() {
        let puff = Puff {
            mass_kg: 1000.0,
            source_height_m: 0.0,
            weather: weather(Stability::D),
        };
        let (x, n) = (1500.0, 2.75);
        let closed = puff.toxic_load_mg_min(n, x, 20.0, 0.0);
        let (sxy, sz) = puff_sigmas(Stability::D, x);
        let peak = puff.peak_kg_m3(x, 20.0, 0.0);
        let u = 3.0;
        let mut numeric = 0.0;
        let dt = 0.05;
        let mut t = x / u - 20.0 * sxy / u;
        while t < x / u + 20.0 * sxy / u {
            let c = peak * (-(x - u * t).powi(2) / (2.0 * sxy * sxy)).exp() * 1e6;
            numeric += c.powf(n) * dt / 60.0;
            t += dt;
        }
        assert!(
            (closed / numeric - 1.0).abs() < 1e-3,
            "{closed} vs {numeric}"
        );
        assert!(sz > 0.0);
        // Mass: the puff integrates to M over space at a fixed time.
        let t = 400.0;
        let centre = 3.0 * t;
        let (s, sz) = puff_sigmas(Stability::D, centre);
        let h = s / 10.0;
        let hz = sz / 10.0;
        let mut mass = 0.0;
        for i in -80..=80 {
            for j in -80..=80 {
                for k in 0..=80 {
                    let w = if k == 0 { 0.5 } else { 1.0 };
                    mass += w * puff.concentration_kg_m3(
                        t,
                        centre + i as f64 * h,
                        j as f64 * h,
                        k as f64 * hz,
                    );
                }
            }
        }
        mass *= h * h * hz;
        assert!((mass / 1000.0 - 1.0).abs() < 1e-3, "{mass}");
    }
}
