//! The dense-gas puff of an instantaneous release: the workbook curves while the cloud is dense, a
//! passive Gaussian puff from a virtual source beyond.

use super::*;

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
