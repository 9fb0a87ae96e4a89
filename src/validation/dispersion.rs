//! Evaluating dispersion models against field trials: the standard performance statistics of Hanna et
//! al. (1993) and Chang & Hanna (2004), and the meteorological conversions trial records need.

use crate::risk::dispersion::Stability;

/// How a model's predictions compare with observations.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Performance {
    /// Pairs compared.
    pub n: usize,
    /// Share of predictions within a factor of two of the observation.
    pub fac2: f64,
    /// Fractional bias `(mean Co - mean Cp) / (0.5 (mean Co + mean Cp))`: positive when the model
    /// predicts too little.
    pub fb: f64,
    /// Normalised mean square error `mean (Co - Cp)^2 / (mean Co mean Cp)`.
    pub nmse: f64,
    /// Geometric mean bias `exp(mean ln Co - mean ln Cp)`.
    pub mg: f64,
    /// Geometric variance `exp(mean (ln Co - ln Cp)^2)`.
    pub vg: f64,
}

impl Performance {
    /// Hanna et al.'s acceptance: FAC2 >= 0.5, |FB| <= 0.3, NMSE <= 4.
    pub fn acceptable(&self) -> bool {
        self.fac2 >= 0.5 && self.fb.abs() <= 0.3 && self.nmse <= 4.0
    }
}

/// The statistics of `(observed, predicted)` pairs (both positive).
pub fn performance(pairs: &[(f64, f64)]) -> Performance {
    let n = pairs.len();
    let count = n.max(1) as f64;
    let mean_o = pairs.iter().map(|p| p.0).sum::<f64>() / count;
    let mean_p = pairs.iter().map(|p| p.1).sum::<f64>() / count;
    let fac2 = pairs
        .iter()
        .filter(|(o, p)| *p >= 0.5 * o && *p <= 2.0 * o)
        .count() as f64
        / count;
    let nmse = pairs.iter().map(|(o, p)| (o - p).powi(2)).sum::<f64>() / count / (mean_o * mean_p);
    let log = |(o, p): &(f64, f64)| o.ln() - p.ln();
    let mg = (pairs.iter().map(log).sum::<f64>() / count).exp();
    let vg = (pairs.iter().map(|x| log(x).powi(2)).sum::<f64>() / count).exp();
    Performance {
        n,
        fac2,
        fb: (mean_o - mean_p) / (0.5 * (mean_o + mean_p)),
        nmse,
        mg,
        vg,
    }
}

/// Pasquill class of an Obukhov length `l_m` over roughness `z0_m`: the class whose `1/L` (Golder 1972,
/// as fitted by Seinfeld & Pandis 2006, eq. 16.83: `1/L = a + b log10 z0`) is nearest.
pub fn stability_from_obukhov(l_m: f64, z0_m: f64) -> Stability {
    const FIT: [(Stability, f64, f64); 6] = [
        (Stability::A, -0.096, 0.029),
        (Stability::B, -0.037, 0.029),
        (Stability::C, -0.002, 0.018),
        (Stability::D, 0.0, 0.0),
        (Stability::E, 0.004, -0.018),
        (Stability::F, 0.035, -0.036),
    ];
    let inverse = if l_m.is_finite() && l_m != 0.0 {
        1.0 / l_m
    } else {
        0.0
    };
    let lz = z0_m.max(1e-6).log10();
    FIT.iter()
        .min_by(|a, b| {
            let da = (a.1 + a.2 * lz - inverse).abs();
            let db = (b.1 + b.2 * lz - inverse).abs();
            da.total_cmp(&db)
        })
        .map(|f| f.0)
        .expect("six classes")
}

/// Wind at height `z_m` from a measurement `u_m_s` at `z_ref_m` over roughness `z0_m` (neutral
/// logarithmic profile).
pub fn wind_at(u_m_s: f64, z_ref_m: f64, z_m: f64, z0_m: f64) -> f64 {
    u_m_s * (z_m / z0_m).ln() / (z_ref_m / z0_m).ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statistics_of_hand_made_pairs() {
        // Predictions at half, equal, and three times the observations.
        let p = performance(&[(2.0, 1.0), (4.0, 4.0), (1.0, 3.0)]);
        assert_eq!(p.n, 3);
        assert!((p.fac2 - 2.0 / 3.0).abs() < 1e-12);
        // Means 7/3 and 8/3: FB = (7/3 - 8/3) / (0.5 * 5) = -2/15.
        assert!((p.fb + 2.0 / 15.0).abs() < 1e-12);
        let nmse = (1.0 + 0.0 + 4.0) / 3.0 / (7.0 / 3.0 * 8.0 / 3.0);
        assert!((p.nmse - nmse).abs() < 1e-12);
        let logs = [2f64.ln(), 0.0, -(3f64.ln())];
        assert!((p.mg - (logs.iter().sum::<f64>() / 3.0).exp()).abs() < 1e-12);
        assert!(!performance(&[(1.0, 10.0)]).acceptable());
        assert!(performance(&[(1.0, 1.1), (2.0, 1.9)]).acceptable());
    }

    #[test]
    fn stability_classes_from_obukhov_lengths() {
        // Over short grass (z0 = 0.01 m): very unstable, neutral, stable.
        assert_eq!(stability_from_obukhov(-6.0, 0.01), Stability::A);
        assert_eq!(stability_from_obukhov(f64::INFINITY, 0.01), Stability::D);
        assert_eq!(stability_from_obukhov(-1e5, 0.01), Stability::D);
        assert_eq!(stability_from_obukhov(10.0, 0.01), Stability::F);
        assert!((wind_at(5.0, 2.0, 10.0, 0.01) - 5.0 * (1000f64).ln() / 200f64.ln()).abs() < 1e-12);
    }
}
