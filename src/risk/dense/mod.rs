//! Dense-gas dispersion by the Britter & McQuaid (1988) workbook correlations, with the hand-over to the
//! passive Gaussian models of [`super::dispersion`] once the cloud is no longer dense.
//!
//! The workbook gives the centreline concentration ratio `Cm/C0` (volume fraction over the source's) as
//! a function of a dimensionless distance, one curve per ratio, fitted to field trials (Thorney Island,
//! Maplin Sands, Burro, Desert Tortoise...). Instantaneous releases use
//! `alpha = 0.5 log10(g0 V0^(1/3) / u10^2)`, `beta = log10(x / V0^(1/3))`; continuous ones
//! `alpha = 0.2 log10(g0^2 q0 / u10^5)`, `beta = log10(x / D)` with `D = (q0/u10)^(1/2)`, where
//! `g0 = g (rho0 - rho_a)/rho_a` is the source's reduced gravity, `V0` its volume and `q0` its volume
//! rate. The curves as digitised in CCPS (1999), *Guidelines for Consequence Analysis of Chemical
//! Releases*, p. 118 (transcribed from `aefarrell/GasDispersion.jl`, whose breakpoints join up), with the
//! workbook's near-field closures and cloud dimensions:
//!
//! * plume: `Cm/C0 = 306/(306 + x'^2)` for `x' = x/D <= 30`, half-width
//!   `L_H = D + 8 l_b + 2.5 l_b^(1/3) x^(2/3)`, `l_b = g0 q0 / u10^3`;
//! * puff: `Cm/C0 = 3.24/(3.24 + x'^2)` up to the first curve, radius `R^2 = R0^2 + 1.2 (g0 V0)^(1/2) t`,
//!   centre at `0.4 u10 t`, the distance counted at the cloud front.
//!
//! Beyond the last curve (0.002 for plumes, 0.001 for puffs) the cloud is no longer dense: a passive
//! Gaussian with a virtual source takes over, placed so that its centreline concentration equals the
//! workbook's at the hand-over distance. Where the curves are flat (small `alpha`) the density does not
//! matter and the release is passive from the start, from a virtual source sized so that the concentration
//! at the release point equals that of the pure gas: no concentration ever exceeds the pure gas.
//!
//! Cold clouds: the non-isothermal correction of the workbook (`c -> c / (c + (1 - c) T0/Ta)`) turns the
//! isothermal-equivalent ratio into the real volume fraction.

use super::dispersion::{Stability, Terrain, briggs_sigmas, puff_sigmas};

/// Standard gravity, m/s2 (the value GasDispersion.jl uses).
const G: f64 = 9.806_16;
/// Molar gas constant, J/(mol K).
const R_GAS: f64 = 8.314_462;
/// Atmospheric pressure, Pa.
const P_ATM: f64 = 101_325.0;

/// Density of an ideal gas of `molar_mass_g_mol` at `temperature_k` and 1 atm, kg/m3.
pub fn gas_density_kg_m3(molar_mass_g_mol: f64, temperature_k: f64) -> f64 {
    P_ATM * molar_mass_g_mol / 1000.0 / (R_GAS * temperature_k)
}

/// Mass concentration (kg/m3) of a gas of `molar_mass_g_mol` at volume fraction `fraction` in air at
/// `temperature_k`.
pub fn kg_m3_of_fraction(fraction: f64, molar_mass_g_mol: f64, temperature_k: f64) -> f64 {
    fraction * gas_density_kg_m3(molar_mass_g_mol, temperature_k)
}

/// Parts per million by volume of a mass concentration at `temperature_k`.
pub fn ppm_of_kg_m3(c_kg_m3: f64, molar_mass_g_mol: f64, temperature_k: f64) -> f64 {
    c_kg_m3 / gas_density_kg_m3(molar_mass_g_mol, temperature_k) * 1e6
}

/// One curve: `beta(alpha)` piecewise linear, as `(upper alpha bound, slope, intercept)` segments.
type Curve = (f64, &'static [(f64, f64, f64)]);

/// Continuous releases: `(Cm/C0, segments)`, each segment valid up to its alpha bound.
const PLUME_CURVES: [Curve; 6] = [
    (
        0.10,
        &[
            (-0.55, 0.0, 1.75),
            (-0.14, 0.24, 1.88),
            (f64::INFINITY, -0.50, 1.78),
        ],
    ),
    (
        0.05,
        &[
            (-0.68, 0.0, 1.92),
            (-0.29, 0.36, 2.16),
            (-0.18, 0.0, 2.06),
            (f64::INFINITY, -0.56, 1.96),
        ],
    ),
    (
        0.02,
        &[
            (-0.69, 0.0, 2.08),
            (-0.31, 0.45, 2.39),
            (-0.16, 0.0, 2.25),
            (f64::INFINITY, -0.54, 2.16),
        ],
    ),
    (
        0.01,
        &[
            (-0.70, 0.0, 2.25),
            (-0.29, 0.49, 2.59),
            (-0.20, 0.0, 2.45),
            (f64::INFINITY, -0.52, 2.35),
        ],
    ),
    (
        0.005,
        &[
            (-0.67, 0.0, 2.40),
            (-0.28, 0.59, 2.80),
            (-0.15, 0.0, 2.63),
            (f64::INFINITY, -0.48, 2.56),
        ],
    ),
    (
        0.002,
        &[
            (-0.69, 0.0, 2.60),
            (-0.25, 0.39, 2.87),
            (-0.13, 0.0, 2.77),
            (f64::INFINITY, -0.50, 2.71),
        ],
    ),
];

/// Instantaneous releases.
const PUFF_CURVES: [Curve; 7] = [
    (
        0.10,
        &[
            (-0.44, 0.0, 0.70),
            (0.43, 0.26, 0.81),
            (f64::INFINITY, 0.0, 0.93),
        ],
    ),
    (
        0.05,
        &[
            (-0.56, 0.0, 0.85),
            (0.31, 0.26, 1.00),
            (f64::INFINITY, -0.12, 1.12),
        ],
    ),
    (
        0.02,
        &[
            (-0.66, 0.0, 0.95),
            (0.32, 0.36, 1.19),
            (f64::INFINITY, -0.26, 1.38),
        ],
    ),
    (
        0.01,
        &[
            (-0.71, 0.0, 1.15),
            (0.37, 0.34, 1.39),
            (f64::INFINITY, -0.38, 1.66),
        ],
    ),
    (
        0.005,
        &[
            (-0.52, 0.0, 1.48),
            (0.24, 0.26, 1.62),
            (f64::INFINITY, -0.30, 1.75),
        ],
    ),
    (0.002, &[(0.27, 0.0, 1.83), (f64::INFINITY, -0.32, 1.92)]),
    (0.001, &[(-0.10, 0.0, 2.075), (f64::INFINITY, -0.27, 2.05)]),
];

/// Below this alpha every curve is flat: the density no longer shapes the cloud (the most negative
/// breakpoint of the puff and plume curves, respectively).
const PUFF_PASSIVE_ALPHA: f64 = -0.71;
const PLUME_PASSIVE_ALPHA: f64 = -0.70;

fn beta_of(curve: &Curve, alpha: f64) -> f64 {
    for &(upper, slope, intercept) in curve.1 {
        if alpha <= upper {
            return slope * alpha + intercept;
        }
    }
    unreachable!("the last segment has no upper bound")
}

/// The curves at one alpha: `(log10 x', log10 Cm/C0)` in increasing distance.
fn curve_points(curves: &[Curve], alpha: f64) -> Vec<(f64, f64)> {
    curves
        .iter()
        .map(|c| (beta_of(c, alpha), c.0.log10()))
        .collect()
}

/// Interpolates `log10 ratio` linearly in `log10 x'` between the curve points (x' beyond the points:
/// NaN; the caller hands over first).
fn interpolate(points: &[(f64, f64)], log_x: f64) -> f64 {
    for w in points.windows(2) {
        let ((b0, r0), (b1, r1)) = (w[0], w[1]);
        if log_x <= b1 {
            if b1 - b0 <= 1e-12 {
                return r1;
            }
            return r0 + (r1 - r0) * (log_x - b0) / (b1 - b0);
        }
    }
    f64::NAN
}

/// The released gas as the correlations see it.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DenseSource {
    /// Density of the source cloud (pure vapour at its release temperature), kg/m3.
    pub density_kg_m3: f64,
    /// Its temperature, K.
    pub temperature_k: f64,
    /// Molar mass of the released substance, g/mol.
    pub molar_mass_g_mol: f64,
}

/// Air around the release.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Air {
    /// Temperature, K.
    pub temperature_k: f64,
    /// Wind at 10 m, m/s.
    pub wind_10m_m_s: f64,
    /// Stability class (for the passive far field).
    pub stability: Stability,
    /// Terrain of the passive plume sigmas.
    pub terrain: Terrain,
}

impl Air {
    fn density_kg_m3(&self) -> f64 {
        gas_density_kg_m3(28.96, self.temperature_k)
    }
}

/// How concentration is spread across the cloud at a distance.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub enum Spread {
    /// Uniform over a half-width (the workbook's box), m.
    Uniform(f64),
    /// Gaussian with this standard deviation, m.
    Gaussian(f64),
}

impl Spread {
    /// Fraction of the peak at `offset` from the centre.
    pub fn factor(&self, offset: f64) -> f64 {
        match *self {
            Spread::Uniform(half) => {
                if offset.abs() <= half {
                    1.0
                } else {
                    0.0
                }
            }
            Spread::Gaussian(sigma) => (-offset * offset / (2.0 * sigma * sigma)).exp(),
        }
    }

    /// Half-width that holds the cloud (4 sigma for a Gaussian), m.
    pub fn extent(&self) -> f64 {
        match *self {
            Spread::Uniform(half) => half,
            Spread::Gaussian(sigma) => 4.0 * sigma,
        }
    }

    /// Integral of the shape raised to the power `n` across the cloud (m or s), `integral f^n`.
    pub fn power_integral(&self, n: f64) -> f64 {
        match *self {
            Spread::Uniform(half) => 2.0 * half,
            Spread::Gaussian(sigma) => sigma * (2.0 * std::f64::consts::PI / n).sqrt(),
        }
    }
}

/// What a receptor on the centreline at a distance sees.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct CentrelineExposure {
    /// Peak ground-level concentration, kg/m3.
    pub concentration_kg_m3: f64,
    /// Crosswind spread.
    pub crosswind: Spread,
    /// Spread in time of a passing puff (s; `None` for a steady plume).
    pub in_time: Option<Spread>,
    /// Seconds after the release when the cloud arrives.
    pub arrival_s: f64,
    /// True while the workbook's dense-gas correlation applies, false in the passive regime.
    pub dense: bool,
}

/// An instantaneous release of dense (or passive) gas.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DensePuff {
    /// Mass released to the air, kg.
    pub mass_kg: f64,
    /// Source cloud.
    pub source: DenseSource,
    /// Air.
    pub air: Air,
}

/// A continuous release.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DensePlume {
    /// Rate to the air, kg/s.
    pub rate_kg_s: f64,
    /// Source cloud.
    pub source: DenseSource,
    /// Air.
    pub air: Air,
}

fn reduced_gravity(source: &DenseSource, air: &Air) -> f64 {
    let rho_a = air.density_kg_m3();
    G * (source.density_kg_m3 - rho_a) / rho_a
}

/// The workbook's correction of an isothermal-equivalent ratio for a cold (or hot) source.
fn non_isothermal(c: f64, source: &DenseSource, air: &Air) -> f64 {
    let ratio = source.temperature_k / air.temperature_k;
    c / (c + (1.0 - c) * ratio)
}

/// Pure-gas concentration of the released substance at air temperature, kg/m3: the ceiling.
fn pure_kg_m3(source: &DenseSource, air: &Air) -> f64 {
    gas_density_kg_m3(source.molar_mass_g_mol, air.temperature_k)
}

/// Smallest `s` at which the decreasing function `f(s)` falls to `target`, by bisection in log space
/// over [1 mm, 1000 km].
fn invert_decreasing(f: impl Fn(f64) -> f64, target: f64) -> f64 {
    let (mut lo, mut hi) = (1e-3f64, 1e6f64);
    if f(lo) <= target {
        return lo;
    }
    if f(hi) >= target {
        return hi;
    }
    for _ in 0..80 {
        let mid = (lo * hi).sqrt();
        if f(mid) > target {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    (lo * hi).sqrt()
}

/// Where a passive cloud's sigmas are read: the crosswind and vertical sigmas at `x + offset_y` and
/// `x + offset_z`. Two virtual sources let the passive cloud start with the width and the concentration
/// the dense phase ends with (or the pure gas at the release point).
#[derive(Clone, Copy, Debug, PartialEq)]
struct Offsets {
    y_m: f64,
    z_m: f64,
}

/// Passive ground-level centreline peak of a puff of `mass_kg` (CCPS puff sigmas, ground reflection).
fn passive_puff_peak(mass_kg: f64, stability: Stability, x_m: f64, off: Offsets) -> f64 {
    let (sxy, _) = puff_sigmas(stability, (x_m + off.y_m).max(1e-3));
    let (_, sz) = puff_sigmas(stability, (x_m + off.z_m).max(1e-3));
    2.0 * mass_kg / ((2.0 * std::f64::consts::PI).powf(1.5) * sxy * sxy * sz)
}

/// Passive ground-level centreline concentration of a plume of `rate_kg_s` (Briggs sigmas).
fn passive_plume_centre(rate_kg_s: f64, air: &Air, x_m: f64, off: Offsets) -> f64 {
    let (sy, _) = briggs_sigmas(air.stability, air.terrain, (x_m + off.y_m).max(1e-3));
    let (_, sz) = briggs_sigmas(air.stability, air.terrain, (x_m + off.z_m).max(1e-3));
    rate_kg_s / (std::f64::consts::PI * air.wind_10m_m_s * sy * sz)
}

/// The Gaussian sigma with the same crosswind integral as a uniform profile of half-width `half`.
fn equivalent_sigma(half: f64) -> f64 {
    2.0 * half / (2.0 * std::f64::consts::PI).sqrt()
}

mod plume;
mod puff;
#[cfg(test)]
mod tests;
