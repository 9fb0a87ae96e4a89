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

impl DensePuff {
    fn volume_m3(&self) -> f64 {
        self.mass_kg / self.source.density_kg_m3
    }

    /// The workbook's alpha (NaN for a release lighter than air).
    pub fn alpha(&self) -> f64 {
        let g0 = reduced_gravity(&self.source, &self.air);
        if g0 <= 0.0 {
            return f64::NAN;
        }
        (0.5 * (g0 * self.volume_m3().cbrt() / self.air.wind_10m_m_s.powi(2)).log10()).min(10.0)
    }

    /// True when the density shapes the cloud (alpha above the flat part of the curves).
    pub fn is_dense(&self) -> bool {
        self.alpha() > PUFF_PASSIVE_ALPHA
    }

    fn length_scale(&self) -> f64 {
        self.volume_m3().cbrt()
    }

    /// Dense-phase ratio `Cm/C0` (isothermal-equivalent) at the cloud front at `x_m`, and whether the
    /// correlation still applies there (false beyond the last curve).
    fn ratio_at(&self, x_m: f64) -> (f64, bool) {
        let points = curve_points(&PUFF_CURVES, self.alpha());
        let x_rel = x_m / self.length_scale();
        let first = points[0];
        let near = 3.24 / (3.24 + x_rel * x_rel);
        if x_rel.log10() <= first.0 {
            return (near.max(10f64.powf(first.1)).min(1.0), true);
        }
        let last = points[points.len() - 1];
        if x_rel.log10() > last.0 {
            return (f64::NAN, false);
        }
        (10f64.powf(interpolate(&points, x_rel.log10())), true)
    }

    /// Distance where the dense phase ends (the last curve), m.
    pub fn handover_m(&self) -> f64 {
        let points = curve_points(&PUFF_CURVES, self.alpha());
        self.length_scale() * 10f64.powf(points[points.len() - 1].0)
    }

    fn radius_law(&self) -> (f64, f64, f64) {
        let v0 = self.volume_m3();
        let r0 = (3.0 * v0 / (4.0 * std::f64::consts::PI)).cbrt();
        let spread = 1.2 * (reduced_gravity(&self.source, &self.air).max(0.0) * v0).sqrt();
        (r0, spread, 0.4 * self.air.wind_10m_m_s)
    }

    /// Time (s) when the cloud edge `side` (+1 front, -1 back) passes `x_m`, and the radius then, from
    /// `x = 0.4 u t +- R(t)`, `R^2 = R0^2 + 1.2 (g0 V0)^(1/2) t`.
    fn edge_passes(&self, x_m: f64, side: f64) -> (f64, f64) {
        let (r0, spread, u) = self.radius_law();
        let radius = |t: f64| (r0 * r0 + spread * t).sqrt();
        let position = |t: f64| u * t + side * radius(t);
        if position(0.0) >= x_m {
            return (0.0, r0);
        }
        let (mut lo, mut hi) = (0.0f64, 1.0f64);
        while position(hi) < x_m {
            hi *= 2.0;
            if hi > 1e8 {
                return (hi, radius(hi));
            }
        }
        for _ in 0..60 {
            let mid = 0.5 * (lo + hi);
            if position(mid) < x_m {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        (hi, radius(hi))
    }

    /// The passive puff's virtual sources: from the pure gas at the release point, or continuing the
    /// dense cloud (its width and concentration) at the hand-over.
    fn offsets(&self) -> Offsets {
        let stability = self.air.stability;
        let pure = pure_kg_m3(&self.source, &self.air);
        if !self.is_dense() {
            let s = invert_decreasing(
                |s| passive_puff_peak(self.mass_kg, stability, s, Offsets { y_m: 0.0, z_m: 0.0 }),
                pure,
            );
            return Offsets { y_m: s, z_m: s };
        }
        let h = self.handover_m();
        let end = self.dense_at(h);
        let sigma = equivalent_sigma(end.crosswind.extent());
        let s_y = invert_decreasing(|s| -puff_sigmas(stability, s).0, -sigma);
        let y_m = s_y - h;
        let s_z = invert_decreasing(
            |s| passive_puff_peak(self.mass_kg, stability, h, Offsets { y_m, z_m: s - h }),
            end.concentration_kg_m3,
        );
        Offsets { y_m, z_m: s_z - h }
    }

    fn dense_at(&self, x: f64) -> CentrelineExposure {
        let (ratio, _) = self.ratio_at(x.min(self.handover_m()));
        let fraction = non_isothermal(ratio, &self.source, &self.air);
        let (t_front, radius) = self.edge_passes(x, 1.0);
        let (t_back, _) = self.edge_passes(x, -1.0);
        CentrelineExposure {
            concentration_kg_m3: kg_m3_of_fraction(
                fraction,
                self.source.molar_mass_g_mol,
                self.air.temperature_k,
            )
            .min(pure_kg_m3(&self.source, &self.air)),
            crosswind: Spread::Uniform(radius),
            in_time: Some(Spread::Uniform(0.5 * (t_back - t_front).max(1.0))),
            arrival_s: t_front,
            dense: true,
        }
    }

    /// What a receptor on the centreline `x_m` downwind sees.
    pub fn at(&self, x_m: f64) -> CentrelineExposure {
        self.at_with(x_m, &self.offsets())
    }

    fn at_with(&self, x_m: f64, off: &Offsets) -> CentrelineExposure {
        let x = x_m.max(1e-3);
        if self.is_dense() && x <= self.handover_m() {
            return self.dense_at(x);
        }
        let stability = self.air.stability;
        let (sxy, _) = puff_sigmas(stability, (x + off.y_m).max(1e-3));
        let u = self.air.wind_10m_m_s;
        CentrelineExposure {
            concentration_kg_m3: passive_puff_peak(self.mass_kg, stability, x, *off)
                .min(pure_kg_m3(&self.source, &self.air)),
            crosswind: Spread::Gaussian(sxy),
            in_time: Some(Spread::Gaussian(sxy / u)),
            arrival_s: x / u,
            dense: false,
        }
    }

    /// The exposure along the centreline at many distances (the virtual sources computed once).
    pub fn profile(&self, xs: &[f64]) -> Vec<CentrelineExposure> {
        let off = self.offsets();
        xs.iter().map(|&x| self.at_with(x, &off)).collect()
    }
}

impl DensePlume {
    fn volume_rate_m3_s(&self) -> f64 {
        self.rate_kg_s / self.source.density_kg_m3
    }

    fn length_scale(&self) -> f64 {
        (self.volume_rate_m3_s() / self.air.wind_10m_m_s).sqrt()
    }

    /// The workbook's alpha (NaN for a release lighter than air).
    pub fn alpha(&self) -> f64 {
        let g0 = reduced_gravity(&self.source, &self.air);
        if g0 <= 0.0 {
            return f64::NAN;
        }
        (0.2 * (g0 * g0 * self.volume_rate_m3_s() / self.air.wind_10m_m_s.powi(5)).log10())
            .min(10.0)
    }

    /// True when the density shapes the plume.
    pub fn is_dense(&self) -> bool {
        self.alpha() > PLUME_PASSIVE_ALPHA
    }

    fn ratio_at(&self, x_m: f64) -> (f64, bool) {
        let points = curve_points(&PLUME_CURVES, self.alpha());
        let x_rel = x_m / self.length_scale();
        let first = points[0];
        // Near field up to x' = 30 (or the first curve if that comes earlier), joined in log-log to
        // the first curve.
        let near_end = 30f64.min(10f64.powf(first.0));
        if x_rel <= near_end {
            return ((306.0 / (306.0 + x_rel * x_rel)).min(1.0), true);
        }
        let last = points[points.len() - 1];
        if x_rel.log10() > last.0 {
            return (f64::NAN, false);
        }
        let mut joined = vec![(
            near_end.log10(),
            (306.0 / (306.0 + near_end * near_end)).log10(),
        )];
        joined.extend(points.iter().copied().filter(|p| p.0 > near_end.log10()));
        (10f64.powf(interpolate(&joined, x_rel.log10())), true)
    }

    /// Distance where the dense phase ends (the last curve), m.
    pub fn handover_m(&self) -> f64 {
        let points = curve_points(&PLUME_CURVES, self.alpha());
        self.length_scale() * 10f64.powf(points[points.len() - 1].0)
    }

    fn offsets(&self) -> Offsets {
        let pure = pure_kg_m3(&self.source, &self.air);
        let air = self.air;
        if !self.is_dense() {
            let s = invert_decreasing(
                |s| passive_plume_centre(self.rate_kg_s, &air, s, Offsets { y_m: 0.0, z_m: 0.0 }),
                pure,
            );
            return Offsets { y_m: s, z_m: s };
        }
        let h = self.handover_m();
        let end = self.dense_at(h);
        let sigma = equivalent_sigma(end.crosswind.extent());
        let s_y = invert_decreasing(|s| -briggs_sigmas(air.stability, air.terrain, s).0, -sigma);
        let y_m = s_y - h;
        let s_z = invert_decreasing(
            |s| passive_plume_centre(self.rate_kg_s, &air, h, Offsets { y_m, z_m: s - h }),
            end.concentration_kg_m3,
        );
        Offsets { y_m, z_m: s_z - h }
    }

    fn dense_at(&self, x: f64) -> CentrelineExposure {
        let (ratio, _) = self.ratio_at(x.min(self.handover_m()));
        let g0 = reduced_gravity(&self.source, &self.air);
        let lb = g0 * self.volume_rate_m3_s() / self.air.wind_10m_m_s.powi(3);
        let half_width = self.length_scale() + 8.0 * lb + 2.5 * (lb * x * x).cbrt();
        let fraction = non_isothermal(ratio, &self.source, &self.air);
        CentrelineExposure {
            concentration_kg_m3: kg_m3_of_fraction(
                fraction,
                self.source.molar_mass_g_mol,
                self.air.temperature_k,
            )
            .min(pure_kg_m3(&self.source, &self.air)),
            crosswind: Spread::Uniform(half_width),
            in_time: None,
            // The plume front travels with the wind near the ground.
            arrival_s: x / self.air.wind_10m_m_s,
            dense: true,
        }
    }

    /// What a receptor on the centreline `x_m` downwind sees.
    pub fn at(&self, x_m: f64) -> CentrelineExposure {
        self.at_with(x_m, &self.offsets())
    }

    fn at_with(&self, x_m: f64, off: &Offsets) -> CentrelineExposure {
        let x = x_m.max(1e-3);
        if self.is_dense() && x <= self.handover_m() {
            return self.dense_at(x);
        }
        let (sy, _) = briggs_sigmas(
            self.air.stability,
            self.air.terrain,
            (x + off.y_m).max(1e-3),
        );
        CentrelineExposure {
            concentration_kg_m3: passive_plume_centre(self.rate_kg_s, &self.air, x, *off)
                .min(pure_kg_m3(&self.source, &self.air)),
            crosswind: Spread::Gaussian(sy),
            in_time: None,
            arrival_s: x / self.air.wind_10m_m_s,
            dense: false,
        }
    }

    /// The exposure along the centreline at many distances (the virtual sources computed once).
    pub fn profile(&self, xs: &[f64]) -> Vec<CentrelineExposure> {
        let off = self.offsets();
        xs.iter().map(|&x| self.at_with(x, &off)).collect()
    }

    /// Distance to a volume fraction `fraction` of the released gas on the centreline in the dense phase
    /// (the workbook's reading of its curves: the isothermal-equivalent ratio for that fraction), m.
    pub fn distance_to_fraction(&self, fraction: f64) -> f64 {
        let ratio = self.source.temperature_k / self.air.temperature_k;
        // Invert c_real = c / (c + (1 - c) ratio).
        let c = fraction * ratio / (1.0 - fraction + fraction * ratio);
        invert_decreasing(
            |x| {
                let (r, dense) = self.ratio_at(x);
                if dense { r } else { 0.0 }
            },
            c,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn air(wind: f64, stability: Stability, temperature_k: f64) -> Air {
        Air {
            temperature_k,
            wind_10m_m_s: wind,
            stability,
            terrain: Terrain::Rural,
        }
    }

    /// The curve values GasDispersion.jl tests against (CCPS 1999 digitisation).
    #[test]
    fn curves_reproduce_the_digitised_values() {
        let plume = |alpha: f64| -> Vec<f64> {
            PLUME_CURVES
                .iter()
                .map(|c| (beta_of(c, alpha) * 1000.0).round() / 1000.0)
                .collect()
        };
        assert_eq!(plume(-0.75), vec![1.75, 1.92, 2.08, 2.25, 2.40, 2.60]);
        assert_eq!(plume(-0.40), vec![1.784, 2.016, 2.21, 2.394, 2.564, 2.714]);
        assert_eq!(plume(0.0), vec![1.78, 1.96, 2.16, 2.35, 2.56, 2.71]);
        let puff = |alpha: f64| -> Vec<f64> {
            PUFF_CURVES
                .iter()
                .map(|c| (beta_of(c, alpha) * 10000.0).round() / 10000.0)
                .collect()
        };
        assert_eq!(puff(0.0), vec![0.81, 1.00, 1.19, 1.39, 1.62, 1.83, 2.05]);
        assert_eq!(
            puff(0.75),
            vec![0.93, 1.03, 1.185, 1.375, 1.525, 1.68, 1.8475]
        );
        // Every curve is continuous at its breakpoints.
        for curve in PLUME_CURVES.iter().chain(PUFF_CURVES.iter()) {
            for seg in curve.1.iter().filter(|s| s.0.is_finite()) {
                let a = seg.0;
                assert!(
                    (beta_of(curve, a) - beta_of(curve, a + 1e-9)).abs() < 0.012,
                    "{curve:?}"
                );
            }
        }
    }

    /// CCPS (1999) worked example (LNG spill of 0.23 m3/s, after Burro): the distance to the lower
    /// flammability limit of 5 % is 367 m.
    #[test]
    fn lng_plume_reaches_five_percent_at_367_m() {
        let lng = DensePlume {
            rate_kg_s: 0.23 * 425.6,
            source: DenseSource {
                density_kg_m3: 1.76,
                temperature_k: 111.15,
                molar_mass_g_mol: 16.04,
            },
            air: air(10.9, Stability::D, 298.15),
        };
        assert!(lng.is_dense(), "{}", lng.alpha());
        let x = lng.distance_to_fraction(0.05);
        assert!((x / 367.0 - 1.0).abs() < 0.05, "{x}");
    }

    /// The concentration never exceeds the pure gas, falls with distance, and joins the passive
    /// Gaussian without a jump at the hand-over.
    #[test]
    fn chlorine_puff_is_capped_monotone_and_continuous() {
        let chlorine = DenseSource {
            density_kg_m3: gas_density_kg_m3(70.9, 239.1),
            temperature_k: 239.1,
            molar_mass_g_mol: 70.9,
        };
        let puff = DensePuff {
            mass_kg: 30_000.0,
            source: chlorine,
            air: air(1.5, Stability::F, 293.15),
        };
        assert!(puff.is_dense());
        let pure = gas_density_kg_m3(70.9, 293.15);
        let mut last = f64::INFINITY;
        for k in 0..400 {
            let x = 10f64.powf(k as f64 / 80.0);
            let c = puff.at(x).concentration_kg_m3;
            assert!(c <= pure * (1.0 + 1e-12) && c > 0.0, "{x}: {c}");
            assert!(c <= last * (1.0 + 1e-9), "{x}: {c} after {last}");
            last = c;
        }
        let h = puff.handover_m();
        let before = puff.at(h * 0.999).concentration_kg_m3;
        let after = puff.at(h * 1.001).concentration_kg_m3;
        assert!((after / before - 1.0).abs() < 0.02, "{before} {after}");
        // 500 m in F1.5: about a thousand times less than the passive point source's 67.5 kg/m3.
        let c500 = puff.at(500.0).concentration_kg_m3;
        assert!(c500 < 0.3 && c500 > 1e-3, "{c500}");
    }

    #[test]
    fn light_or_weak_releases_are_passive_from_a_pure_gas_source() {
        let hcl_vapour = DenseSource {
            density_kg_m3: gas_density_kg_m3(36.46, 293.15),
            temperature_k: 293.15,
            molar_mass_g_mol: 36.46,
        };
        let plume = DensePlume {
            rate_kg_s: 0.01,
            source: hcl_vapour,
            air: air(9.0, Stability::D, 293.15),
        };
        assert!(!plume.is_dense());
        let near = plume.at(0.0);
        assert!(!near.dense);
        assert!(
            (near.concentration_kg_m3 / gas_density_kg_m3(36.46, 293.15) - 1.0).abs() < 0.05,
            "{near:?}"
        );
        // Far away it is the passive plume itself, shifted by its small virtual source.
        let far = plume.at(2000.0).concentration_kg_m3;
        let passive =
            passive_plume_centre(0.01, &plume.air, 2000.0, Offsets { y_m: 0.0, z_m: 0.0 });
        assert!((far / passive - 1.0).abs() < 0.05, "{far} vs {passive}");
        // Hydrogen is lighter than air: passive.
        let h2 = DensePuff {
            mass_kg: 300.0,
            source: DenseSource {
                density_kg_m3: gas_density_kg_m3(2.016, 293.15),
                temperature_k: 293.15,
                molar_mass_g_mol: 2.016,
            },
            air: air(3.0, Stability::D, 293.15),
        };
        assert!(!h2.is_dense());
    }

    #[test]
    fn units() {
        // Chlorine at 20 C: 2.95 kg/m3 as pure gas; 1 ppm = 2.95 mg/m3.
        let rho = gas_density_kg_m3(70.9, 293.15);
        assert!((rho - 2.948).abs() < 0.005, "{rho}");
        assert!((ppm_of_kg_m3(rho * 1e-6, 70.9, 293.15) - 1.0).abs() < 1e-9);
        assert_eq!(Spread::Uniform(3.0).factor(2.9), 1.0);
        assert!(
            (Spread::Gaussian(2.0).power_integral(1.0) - 2.0 * (2.0 * std::f64::consts::PI).sqrt())
                .abs()
                < 1e-12
        );
    }
}
