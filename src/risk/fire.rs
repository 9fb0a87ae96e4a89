//! Fire models: BLEVE fireball (CCPS), pool fire and jet fire (point source), atmospheric transmissivity.
//!
//! Units: masses kg, heats of combustion MJ/kg at the interface (kJ/kg inside), lengths m, fluxes kW/m2.

/// Water vapour partial pressure, Pa, at relative humidity `rh` (0-1) and `ambient_c` degrees Celsius
/// (the CCPS fit `101 325 RH exp(14.4114 - 5328/T)`).
pub fn water_vapour_pressure_pa(rh: f64, ambient_c: f64) -> f64 {
    101_325.0 * rh * (14.4114 - 5328.0 / (ambient_c + 273.15)).exp()
}

/// Atmospheric transmissivity over `path_m` (Pietersen & Huerta 1985: `2.02 (Pw x)^-0.09`), at most 1.
pub fn transmissivity(path_m: f64, rh: f64, ambient_c: f64) -> f64 {
    let pw_x = water_vapour_pressure_pa(rh, ambient_c) * path_m;
    if pw_x <= 0.0 {
        return 1.0;
    }
    (2.02 * pw_x.powf(-0.09)).min(1.0)
}

/// Air between a fire and a target: humidity and temperature set the transmissivity.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Atmosphere {
    /// Relative humidity, 0-1.
    pub relative_humidity: f64,
    /// Air temperature, degrees Celsius.
    pub ambient_c: f64,
}

impl Atmosphere {
    /// Transmissivity over a path of `path_m`.
    pub fn transmissivity(&self, path_m: f64) -> f64 {
        transmissivity(path_m, self.relative_humidity, self.ambient_c)
    }
}

/// A BLEVE fireball by the CCPS (1999) correlations.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Fireball {
    /// Maximum diameter, m (`5.8 M^(1/3)`).
    pub diameter_m: f64,
    /// Duration, s (`0.45 M^(1/3)` below 30 t, `2.6 M^(1/6)` above).
    pub duration_s: f64,
    /// Centre height, m (`0.75 D`).
    pub centre_height_m: f64,
    /// Surface emissive power, kW/m2 (`F_rad M dHc / (pi D^2 t)`, `F_rad = 0.27 P^0.32`, P in MPa).
    pub surface_emissive_power_kw_m2: f64,
}

impl Fireball {
    /// The fireball of `mass_kg` fuel with heat of combustion `hc_mj_per_kg`, from a vessel bursting at
    /// `pressure_bar` (absolute).
    pub fn ccps(mass_kg: f64, hc_mj_per_kg: f64, pressure_bar: f64) -> Self {
        Self::with_fraction(mass_kg, hc_mj_per_kg, pressure_bar, None)
    }

    /// As [`Fireball::ccps`], with the substance's own radiative fraction where it is known (`None`:
    /// Roberts' `0.27 P^0.32`, P in MPa, at most 0.4, fitted to propane and butane).
    pub fn with_fraction(
        mass_kg: f64,
        hc_mj_per_kg: f64,
        pressure_bar: f64,
        radiative_fraction: Option<f64>,
    ) -> Self {
        let m = mass_kg.max(0.0);
        let diameter_m = 5.8 * m.cbrt();
        let duration_s = if m < 30_000.0 {
            0.45 * m.cbrt()
        } else {
            2.6 * m.powf(1.0 / 6.0)
        };
        let radiative_fraction = radiative_fraction
            .unwrap_or_else(|| (0.27 * (pressure_bar / 10.0).powf(0.32)).min(0.4));
        let surface_emissive_power_kw_m2 = if m > 0.0 {
            radiative_fraction * m * hc_mj_per_kg * 1000.0
                / (std::f64::consts::PI * diameter_m * diameter_m * duration_s)
        } else {
            0.0
        };
        Self {
            diameter_m,
            duration_s,
            centre_height_m: 0.75 * diameter_m,
            surface_emissive_power_kw_m2,
        }
    }

    /// Flux received at ground level `ground_distance_m` from the point below the centre, kW/m2:
    /// `tau SEP F` with the sphere view factor `F = D^2 / (4 r^2)` from the centre and the transmissivity
    /// over the path from the fireball surface (`r - D/2`).
    pub fn flux_kw_m2(&self, ground_distance_m: f64, air: &Atmosphere) -> f64 {
        let r = ground_distance_m.hypot(self.centre_height_m);
        let view = (self.diameter_m * self.diameter_m / (4.0 * r * r)).min(1.0);
        let path = (r - self.diameter_m / 2.0).max(0.0);
        air.transmissivity(path) * self.surface_emissive_power_kw_m2 * view
    }
}

/// Mudan & Croce surface emissive power of a hydrocarbon pool fire of diameter `d_m`, kW/m2
/// (`140 e^(-0.12 D) + 20 (1 - e^(-0.12 D))`): the most a target next to the flame receives.
pub fn mudan_surface_emissive_power(d_m: f64) -> f64 {
    let e = (-0.12 * d_m).exp();
    140.0 * e + 20.0 * (1.0 - e)
}

/// A pool fire as a point source at the pool centre.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PoolFire {
    /// Pool diameter, m.
    pub diameter_m: f64,
    /// Mass burning rate, kg/(m2 s).
    pub burning_rate_kg_m2_s: f64,
    /// Heat of combustion, MJ/kg.
    pub hc_mj_per_kg: f64,
    /// Share of the heat released as radiation.
    pub radiative_fraction: f64,
}

impl PoolFire {
    /// Radiated power, kW.
    pub fn radiated_kw(&self) -> f64 {
        let area = std::f64::consts::PI * self.diameter_m * self.diameter_m / 4.0;
        self.radiative_fraction * self.burning_rate_kg_m2_s * area * self.hc_mj_per_kg * 1000.0
    }

    /// Flux at `distance_m` from the pool centre, kW/m2: `tau chi m'' A dHc / (4 pi x^2)`, capped at the
    /// surface emissive power (which is also the flux on a target engulfed in the flame).
    pub fn flux_kw_m2(&self, distance_m: f64, air: &Atmosphere) -> f64 {
        let cap = mudan_surface_emissive_power(self.diameter_m);
        let radius = self.diameter_m / 2.0;
        if distance_m <= radius {
            return cap;
        }
        let path = distance_m - radius;
        let q = air.transmissivity(path) * self.radiated_kw()
            / (4.0 * std::f64::consts::PI * distance_m * distance_m);
        q.min(cap)
    }
}

/// A jet fire as a point source: `tau chi m_dot dHc / (4 pi x^2)`, with chi = 0.2 (API 521 practice).
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct JetFire {
    /// Release rate, kg/s.
    pub rate_kg_s: f64,
    /// Heat of combustion, MJ/kg.
    pub hc_mj_per_kg: f64,
    /// Share radiated.
    pub radiative_fraction: f64,
}

impl JetFire {
    /// Flux at `distance_m`, kW/m2 (capped at 300 kW/m2, the order of jet-fire impingement fluxes).
    pub fn flux_kw_m2(&self, distance_m: f64, air: &Atmosphere) -> f64 {
        let x = distance_m.max(1.0);
        let q = air.transmissivity(x)
            * self.radiative_fraction
            * self.rate_kg_s
            * self.hc_mj_per_kg
            * 1000.0
            / (4.0 * std::f64::consts::PI * x * x);
        q.min(300.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const AIR: Atmosphere = Atmosphere {
        relative_humidity: 0.7,
        ambient_c: 20.0,
    };

    #[test]
    fn vapour_pressure_near_tabulated_value() {
        // Saturation pressure of water at 20 C is 2.34 kPa; the CCPS fit gives it within 2 %.
        let p = water_vapour_pressure_pa(1.0, 20.0);
        assert!((p / 2339.0 - 1.0).abs() < 0.02, "{p}");
    }

    #[test]
    fn transmissivity_falls_with_distance_and_humidity() {
        let near = transmissivity(50.0, 0.7, 20.0);
        let far = transmissivity(500.0, 0.7, 20.0);
        assert!(far < near && near < 1.0);
        // Pw x = 1645.5 Pa * 100 m: tau = 2.02 * (164 550)^-0.09 = 0.685.
        let t = transmissivity(100.0, 0.7, 20.0);
        let expected = 2.02 * (water_vapour_pressure_pa(0.7, 20.0) * 100.0).powf(-0.09);
        assert!(
            (t - expected).abs() < 1e-12 && (t - 0.684).abs() < 0.005,
            "{t}"
        );
        assert!(transmissivity(50.0, 0.3, 20.0) > near);
        assert_eq!(transmissivity(0.0, 0.7, 20.0), 1.0);
    }

    #[test]
    fn fireball_correlations() {
        // 10 t of propane (46.35 MJ/kg) at 20 bar.
        let fb = Fireball::ccps(10_000.0, 46.35, 20.0);
        assert!((fb.diameter_m - 5.8 * 10_000f64.cbrt()).abs() < 1e-9);
        assert!((fb.diameter_m - 124.96).abs() < 0.01);
        assert!((fb.duration_s - 9.695).abs() < 0.001);
        assert!((fb.centre_height_m - 93.72).abs() < 0.01);
        // F_rad = 0.27 * 2^0.32 = 0.3370; SEP = 0.3370 * 1e4 * 46 350 / (pi 124.96^2 9.695) = 328.5 kW/m2.
        assert!(
            (fb.surface_emissive_power_kw_m2 - 328.49).abs() < 0.01,
            "{fb:?}"
        );
        // Above 30 t the duration law changes to 2.6 M^(1/6).
        let big = Fireball::ccps(64_000.0, 46.35, 20.0);
        assert!((big.duration_s - 2.6 * 64_000f64.powf(1.0 / 6.0)).abs() < 1e-9);
        // Flux: view factor from the centre, transmissivity over the path from the surface.
        let d = 200.0;
        let r = (d * d + fb.centre_height_m * fb.centre_height_m).sqrt();
        let expected = transmissivity(r - fb.diameter_m / 2.0, 0.7, 20.0)
            * fb.surface_emissive_power_kw_m2
            * fb.diameter_m.powi(2)
            / (4.0 * r * r);
        assert!((fb.flux_kw_m2(d, &AIR) - expected).abs() < 1e-9);
        assert!(fb.flux_kw_m2(100.0, &AIR) > fb.flux_kw_m2(300.0, &AIR));
    }

    #[test]
    fn pool_fire_point_source_and_cap() {
        let fire = PoolFire {
            diameter_m: 20.0,
            burning_rate_kg_m2_s: 0.055,
            hc_mj_per_kg: 43.7,
            radiative_fraction: 0.3,
        };
        // 0.3 * 0.055 * 314.16 m2 * 43 700 kJ/kg = 226.5 MW radiated.
        assert!((fire.radiated_kw() - 226_524.5).abs() < 1.0);
        let x = 60.0;
        let expected = transmissivity(50.0, 0.7, 20.0) * fire.radiated_kw()
            / (4.0 * std::f64::consts::PI * x * x);
        assert!((fire.flux_kw_m2(x, &AIR) - expected).abs() < 1e-9);
        // Inside the pool the flux is the Mudan surface emissive power.
        let sep = mudan_surface_emissive_power(20.0);
        assert!((sep - (140.0 * (-2.4f64).exp() + 20.0 * (1.0 - (-2.4f64).exp()))).abs() < 1e-12);
        assert_eq!(fire.flux_kw_m2(5.0, &AIR), sep);
        assert!(fire.flux_kw_m2(12.0, &AIR) <= sep);
    }
}
