//! Probit functions: dose-response relations `Y = a + b ln(dose)` and their conversion to probabilities.
//!
//! The constants are data (see `scenarios/risk/*.toml`), not code: a [`Probit`] only knows the form.
//! Three dose forms cover the published sets:
//!
//! * thermal radiation: dose = `scale * t * q^(4/3)`, q in W/m2, t in s (Purple Book / Tsao & Perry
//!   a = -36.38, b = 2.56, scale 1; Lees uses scale 0.5);
//! * overpressure: dose = Ps in Pa (`exponent` 1, `scale` 1);
//! * toxic: dose = toxic load `sum(C^n dt)`, C in mg/m3, t in min (Purple Book units).

use statrs::function::erf::erfc;

/// Probability for a probit value: `P = Phi(Y - 5)`.
///
/// ```
/// use hazflow::risk::probit::probability;
/// assert!((probability(2.67) - 0.00990).abs() < 5e-6);
/// assert_eq!(probability(5.0), 0.5);
/// ```
pub fn probability(probit: f64) -> f64 {
    if probit.is_nan() {
        return 0.0;
    }
    // Beyond 8.3 standard deviations the probability is within 1e-16 of 0 or 1: skip the error
    // function, which dominates the cost of integrating a far field.
    if probit < 5.0 - 8.3 {
        return 0.0;
    }
    if probit > 5.0 + 8.3 {
        return 1.0;
    }
    // Phi(x) = erfc(-x / sqrt 2) / 2: accurate in both tails.
    0.5 * erfc(-(probit - 5.0) / std::f64::consts::SQRT_2)
}

/// A probit `Y = a + b ln(scale * dose)`.
#[derive(Clone, Copy, Debug, PartialEq, serde::Deserialize, serde::Serialize)]
pub struct Probit {
    /// Constant term.
    pub a: f64,
    /// Slope on the log dose.
    pub b: f64,
    /// Multiplies the dose inside the logarithm (1 for most sets; 0.5 for Lees' thermal probit).
    #[serde(default = "one")]
    pub scale: f64,
}

fn one() -> f64 {
    1.0
}

impl Probit {
    /// A probit with `scale` 1.
    pub const fn new(a: f64, b: f64) -> Self {
        Self { a, b, scale: 1.0 }
    }

    /// Probit value at `dose` (minus infinity for a zero dose).
    pub fn value(&self, dose: f64) -> f64 {
        if dose <= 0.0 {
            return f64::NEG_INFINITY;
        }
        self.a + self.b * (self.scale * dose).ln()
    }

    /// Probability at `dose`.
    pub fn probability(&self, dose: f64) -> f64 {
        if dose <= 0.0 {
            return 0.0;
        }
        probability(self.value(dose))
    }

    /// The dose at which the probability is `p` (inverse of [`Probit::probability`]).
    pub fn dose_for_probability(&self, p: f64) -> f64 {
        let y = 5.0 + inverse_standard_normal(p);
        ((y - self.a) / self.b).exp() / self.scale
    }
}

/// Thermal dose `t * q^(4/3)` with q in W/m2 and t in s.
pub fn thermal_dose(flux_w_m2: f64, duration_s: f64) -> f64 {
    duration_s * flux_w_m2.max(0.0).powf(4.0 / 3.0)
}

/// A toxic probit in Purple Book form: `Y = a + b ln(sum C^n dt)`, C in mg/m3, t in minutes.
#[derive(Clone, Copy, Debug, PartialEq, serde::Deserialize, serde::Serialize)]
pub struct ToxicProbit {
    /// Constant term.
    pub a: f64,
    /// Slope.
    pub b: f64,
    /// Concentration exponent.
    pub n: f64,
}

impl ToxicProbit {
    /// Toxic load of a constant concentration held for `minutes`.
    pub fn load(&self, concentration_mg_m3: f64, minutes: f64) -> f64 {
        concentration_mg_m3.max(0.0).powf(self.n) * minutes.max(0.0)
    }

    /// Toxic load of a piecewise-constant exposure: `(concentration mg/m3, minutes)` steps.
    pub fn load_of_steps(&self, steps: &[(f64, f64)]) -> f64 {
        steps.iter().map(|&(c, t)| self.load(c, t)).sum()
    }

    /// Probit value for a toxic load.
    pub fn value(&self, load: f64) -> f64 {
        Probit::new(self.a, self.b).value(load)
    }

    /// Probability of death for a toxic load.
    pub fn probability(&self, load: f64) -> f64 {
        Probit::new(self.a, self.b).probability(load)
    }
}

/// Inverse of the standard normal CDF (Acklam's rational approximation refined by one Halley step;
/// relative error below 1e-12 over (0, 1)).
pub fn inverse_standard_normal(p: f64) -> f64 {
    if p <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    const A: [f64; 6] = [
        -3.969683028665376e1,
        2.209460984245205e2,
        -2.759285104469687e2,
        1.383_577_518_672_69e2,
        -3.066479806614716e1,
        2.506628277459239,
    ];
    const B: [f64; 5] = [
        -5.447609879822406e1,
        1.615858368580409e2,
        -1.556989798598866e2,
        6.680131188771972e1,
        -1.328068155288572e1,
    ];
    const C: [f64; 6] = [
        -7.784894002430293e-3,
        -3.223964580411365e-1,
        -2.400758277161838,
        -2.549732539343734,
        4.374664141464968,
        2.938163982698783,
    ];
    const D: [f64; 4] = [
        7.784695709041462e-3,
        3.224671290700398e-1,
        2.445134137142996,
        3.754408661907416,
    ];
    let low = 0.02425;
    let x = if p < low {
        let q = (-2.0 * p.ln()).sqrt();
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    } else if p <= 1.0 - low {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    } else {
        let q = (-2.0 * (1.0 - p).ln()).sqrt();
        -(((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    // One Halley step on Phi(x) - p.
    let e = probability(x + 5.0) - p;
    let u = e * (2.0 * std::f64::consts::PI).sqrt() * (x * x / 2.0).exp();
    x - u / (1.0 + x * u / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Published check values: risk-models.md section 2 (HyRAM test_qra_probits.py and computed values).
    #[test]
    #[allow(clippy::approx_constant)] // 6.28 is a probit value, not 2 pi
    fn probit_to_probability_check_values() {
        for (y, p) in [
            (2.67, 0.00990),
            (3.72, 0.10027),
            (5.0, 0.5),
            (6.28, 0.89973),
            (7.33, 0.99010),
        ] {
            assert!((probability(y) - p).abs() < 5e-6, "Y={y}");
        }
        assert_eq!(probability(-100.0), 0.0);
        assert_eq!(probability(100.0), 1.0);
    }

    #[test]
    fn thermal_probits_match_hyram_vectors() {
        let dose = 1e7;
        let sets = [
            (Probit::new(-38.48, 2.56), 2.7823249),
            (Probit::new(-36.38, 2.56), 4.8823249),
            (Probit::new(-37.23, 2.56), 4.0323249),
            (
                Probit {
                    a: -29.02,
                    b: 1.99,
                    scale: 0.5,
                },
                1.6756475,
            ),
        ];
        for (probit, expected) in sets {
            assert!((probit.value(dose) - expected).abs() < 1e-6, "{probit:?}");
        }
        assert!((thermal_dose(5.0, 30.0) - 256.4963920).abs() < 1e-6);
        // Eisenberg: 50 % at 15 796.170691 W/m2 for 60 s.
        let p = Probit::new(-38.48, 2.56).probability(thermal_dose(15_796.170691, 60.0));
        assert!((p - 0.5).abs() < 1e-8);
    }

    #[test]
    fn purple_book_thermal_landmarks() {
        let pb = Probit::new(-36.38, 2.56);
        // 1 % at 4.2199e6, 50 % at 1.0470e7, 99 % at 2.5979e7 (W/m2)^(4/3) s.
        for (p, dose) in [(0.01, 4.2199e6), (0.5, 1.0470e7), (0.99, 2.5979e7)] {
            assert!(
                (pb.dose_for_probability(p) / dose - 1.0).abs() < 2e-4,
                "p={p}"
            );
        }
    }

    #[test]
    fn lung_haemorrhage_probit() {
        let lung = Probit::new(-77.1, 6.91);
        assert!((lung.value(1e5) - 2.4543150).abs() < 1e-6);
        assert!((lung.probability(144_542.87) - 0.5).abs() < 1e-6);
    }

    #[test]
    fn chlorine_time_varying_toxic_load() {
        let chlorine = ToxicProbit {
            a: -6.35,
            b: 0.5,
            n: 2.75,
        };
        let load = chlorine.load_of_steps(&[(500.0, 10.0), (250.0, 20.0)]);
        assert!((load / 3.4293e8 - 1.0).abs() < 1e-4);
        assert!((chlorine.value(load) - 3.4765).abs() < 1e-4);
        assert!((chlorine.probability(load) - 0.0638).abs() < 1e-4);
        // Implied 30-minute LC50s: chlorine 1 116, ammonia 5 428, HCl 3 172 mg/m3.
        for (probit, lc50) in [
            (chlorine, 1116.0),
            (
                ToxicProbit {
                    a: -15.6,
                    b: 1.0,
                    n: 2.0,
                },
                5428.0,
            ),
            (
                ToxicProbit {
                    a: -37.3,
                    b: 3.69,
                    n: 1.0,
                },
                3172.0,
            ),
        ] {
            let c = ((5.0 - probit.a) / probit.b).exp() / 30.0;
            assert!((c.powf(1.0 / probit.n) / lc50 - 1.0).abs() < 1e-3);
        }
    }

    #[test]
    fn inverse_normal_round_trips() {
        for p in [1e-10, 1e-4, 0.01, 0.3, 0.5, 0.77, 0.999, 1.0 - 1e-9] {
            let x = inverse_standard_normal(p);
            assert!((probability(x + 5.0) / p - 1.0).abs() < 1e-9, "p={p}");
        }
    }
}
