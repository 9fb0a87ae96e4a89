//! Vapour-cloud explosions by TNT equivalence and the Kinney & Graham (1985) free-air blast curve.

/// Blast energy of TNT, kJ/kg (4 680 as in OpenSRANE; the literature spans 4 437-4 765).
pub const TNT_KJ_PER_KG: f64 = 4680.0;

/// Sea-level ambient pressure, kPa.
pub const AMBIENT_KPA: f64 = 101.325;

/// TNT-equivalent mass, kg: `eta M dHc / E_TNT`.
pub fn tnt_equivalent_kg(mass_kg: f64, hc_mj_per_kg: f64, efficiency: f64) -> f64 {
    efficiency * mass_kg.max(0.0) * hc_mj_per_kg * 1000.0 / TNT_KJ_PER_KG
}

/// Kinney & Graham scaled overpressure `Ps/Pa` at scaled distance `z` (m/kg^(1/3)).
pub fn kinney_graham_ratio(z: f64) -> f64 {
    let z = z.max(1e-6);
    808.0 * (1.0 + (z / 4.5).powi(2))
        / ((1.0 + (z / 0.048).powi(2)) * (1.0 + (z / 0.32).powi(2)) * (1.0 + (z / 1.35).powi(2)))
            .sqrt()
}

/// A TNT-equivalent explosion.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Explosion {
    /// TNT-equivalent mass, kg.
    pub tnt_kg: f64,
}

impl Explosion {
    /// Peak side-on overpressure at `distance_m` from the centre, kPa.
    pub fn overpressure_kpa(&self, distance_m: f64) -> f64 {
        if self.tnt_kg <= 0.0 {
            return 0.0;
        }
        kinney_graham_ratio(distance_m / self.tnt_kg.cbrt()) * AMBIENT_KPA
    }

    /// Distance at which the overpressure falls to `kpa` (the curve decreases monotonically), m.
    pub fn distance_for_overpressure_m(&self, kpa: f64) -> f64 {
        if self.tnt_kg <= 0.0 {
            return 0.0;
        }
        let ratio = kpa / AMBIENT_KPA;
        let (mut low, mut high) = (1e-4_f64, 1e4_f64);
        if kinney_graham_ratio(high) >= ratio {
            return high * self.tnt_kg.cbrt();
        }
        for _ in 0..200 {
            let mid = (low * high).sqrt();
            if kinney_graham_ratio(mid) > ratio {
                low = mid;
            } else {
                high = mid;
            }
            if high / low < 1.0 + 1e-12 {
                break;
            }
        }
        low * self.tnt_kg.cbrt()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinney_graham_check_values() {
        // risk-models.md 4.3: Z = 1 -> 9.9560; 5 -> 0.28856; 10 -> 0.09855; 30 -> 0.028170.
        for (z, ratio) in [
            (1.0, 9.9560),
            (5.0, 0.28856),
            (10.0, 0.09855),
            (30.0, 0.028170),
        ] {
            assert!((kinney_graham_ratio(z) / ratio - 1.0).abs() < 1e-4, "Z={z}");
        }
    }

    #[test]
    fn tnt_equivalence_and_inverse_distance() {
        // 1 000 kg of propane (46.35 MJ/kg) at 3 % efficiency: 297.1 kg TNT.
        let w = tnt_equivalent_kg(1000.0, 46.35, 0.03);
        assert!((w - 297.115).abs() < 0.001);
        let blast = Explosion { tnt_kg: w };
        let r = 5.0 * w.cbrt();
        assert!((blast.overpressure_kpa(r) - 0.28856 * AMBIENT_KPA).abs() < 0.01);
        let back = blast.distance_for_overpressure_m(30.0);
        assert!((blast.overpressure_kpa(back) - 30.0).abs() < 1e-6);
    }
}
