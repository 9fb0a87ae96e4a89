//! The dense-gas plume of a continuous release: the workbook curves while the cloud is dense, a
//! passive Gaussian plume from a virtual source beyond.

use super::*;

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
