//! Escalation of fires and explosions to neighbouring equipment (domino effect): threshold screening,
//! time-to-failure correlations and escalation probits (Cozzani et al.; Landucci et al. 2009).
//!
//! The constants are data ([`EscalationModel`] is deserialised from the risk data file); this module
//! only knows the forms.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::probit::{Probit, probability};

/// Equipment category for escalation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VesselClass {
    /// Atmospheric storage tank.
    Atmospheric,
    /// Pressurised vessel (sphere, bullet).
    Pressurised,
    /// Elongated pressurised vessel (road tanker, rail tank wagon); pressurised time-to-failure under fire.
    Elongated,
    /// Small auxiliary equipment (pumps, heat exchangers); atmospheric time-to-failure under fire.
    Auxiliary,
}

impl VesselClass {
    /// The two vessel types of the time-to-failure correlations.
    pub fn fire_behaviour(self) -> VesselClass {
        match self {
            VesselClass::Atmospheric | VesselClass::Auxiliary => VesselClass::Atmospheric,
            VesselClass::Pressurised | VesselClass::Elongated => VesselClass::Pressurised,
        }
    }

    /// Name as written in files.
    pub fn name(self) -> &'static str {
        match self {
            VesselClass::Atmospheric => "atmospheric",
            VesselClass::Pressurised => "pressurised",
            VesselClass::Elongated => "elongated",
            VesselClass::Auxiliary => "auxiliary",
        }
    }
}

impl fmt::Display for VesselClass {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for VesselClass {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim() {
            "atmospheric" => Ok(VesselClass::Atmospheric),
            "pressurised" | "pressurized" => Ok(VesselClass::Pressurised),
            "elongated" => Ok(VesselClass::Elongated),
            "auxiliary" => Ok(VesselClass::Auxiliary),
            _ => Err(format!(
                "vessel `{s}`: expected atmospheric, pressurised, elongated or auxiliary"
            )),
        }
    }
}

/// Time to failure under fire, `ln ttf = k_flux ln I + k_volume f(V) + k0` with ttf in s, I in kW/m2,
/// V in m3: atmospheric `f(V) = V` (linear term), pressurised `f(V) = V^volume_exponent`.
#[derive(Clone, Copy, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TimeToFailure {
    /// Coefficient of `ln I`.
    pub k_flux: f64,
    /// Coefficient of the volume term.
    pub k_volume: f64,
    /// Exponent on V in the volume term (1 for the atmospheric form).
    pub volume_exponent: f64,
    /// Constant.
    pub k0: f64,
}

impl TimeToFailure {
    /// Time to failure, s, under `flux_kw_m2` for a vessel of `volume_m3`.
    pub fn seconds(&self, flux_kw_m2: f64, volume_m3: f64) -> f64 {
        if flux_kw_m2 <= 0.0 {
            return f64::INFINITY;
        }
        (self.k_flux * flux_kw_m2.ln()
            + self.k_volume * volume_m3.max(0.0).powf(self.volume_exponent)
            + self.k0)
            .exp()
    }
}

/// Probit on the time to failure: `Y = a + b ln(ttf / unit_s)`.
#[derive(Clone, Copy, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TtfProbit {
    /// Constant.
    pub a: f64,
    /// Slope on `ln(ttf / unit)`.
    pub b: f64,
    /// Time unit of the fit, s (60 for Landucci 2009, whose ttf is in minutes).
    pub unit_s: f64,
}

impl TtfProbit {
    /// Escalation probability for a time to failure in seconds.
    pub fn probability(&self, ttf_s: f64) -> f64 {
        if !ttf_s.is_finite() {
            return 0.0;
        }
        probability(self.a + self.b * (ttf_s / self.unit_s).ln())
    }
}

/// Per-class numbers: radiation threshold, overpressure threshold and probit.
#[derive(Clone, Copy, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ClassEscalation {
    /// Radiation below which escalation is not credible, kW/m2.
    pub flux_threshold_kw_m2: f64,
    /// Overpressure below which escalation is not credible, kPa.
    pub overpressure_threshold_kpa: f64,
    /// Damage probit on peak overpressure in Pa.
    pub overpressure_probit: Probit,
}

/// The escalation model: what the risk data file's `[escalation]` holds.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct EscalationModel {
    /// Where the model comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Time to failure of atmospheric vessels.
    pub ttf_atmospheric: TimeToFailure,
    /// Time to failure of pressurised vessels.
    pub ttf_pressurised: TimeToFailure,
    /// Probit on the time to failure.
    pub ttf_probit: TtfProbit,
    /// Atmospheric tanks.
    pub atmospheric: ClassEscalation,
    /// Pressurised vessels.
    pub pressurised: ClassEscalation,
    /// Elongated vessels (tankers, tank wagons).
    pub elongated: ClassEscalation,
    /// Auxiliary equipment.
    pub auxiliary: ClassEscalation,
}

impl EscalationModel {
    /// Numbers of a class.
    pub fn class(&self, vessel: VesselClass) -> &ClassEscalation {
        match vessel {
            VesselClass::Atmospheric => &self.atmospheric,
            VesselClass::Pressurised => &self.pressurised,
            VesselClass::Elongated => &self.elongated,
            VesselClass::Auxiliary => &self.auxiliary,
        }
    }

    /// Time to failure, s, of a `vessel` of `volume_m3` under `flux_kw_m2`.
    pub fn time_to_failure_s(&self, vessel: VesselClass, flux_kw_m2: f64, volume_m3: f64) -> f64 {
        let ttf = match vessel.fire_behaviour() {
            VesselClass::Atmospheric => &self.ttf_atmospheric,
            _ => &self.ttf_pressurised,
        };
        ttf.seconds(flux_kw_m2, volume_m3)
    }

    /// Escalation probability under radiation (0 below the threshold when `thresholds` is set).
    pub fn radiation_probability(
        &self,
        vessel: VesselClass,
        flux_kw_m2: f64,
        volume_m3: f64,
        thresholds: bool,
    ) -> f64 {
        if flux_kw_m2 <= 0.0 || (thresholds && flux_kw_m2 < self.class(vessel).flux_threshold_kw_m2)
        {
            return 0.0;
        }
        self.ttf_probit
            .probability(self.time_to_failure_s(vessel, flux_kw_m2, volume_m3))
    }

    /// Escalation probability under a blast of `overpressure_kpa`.
    pub fn overpressure_probability(
        &self,
        vessel: VesselClass,
        overpressure_kpa: f64,
        thresholds: bool,
    ) -> f64 {
        let class = self.class(vessel);
        if overpressure_kpa <= 0.0
            || (thresholds && overpressure_kpa < class.overpressure_threshold_kpa)
        {
            return 0.0;
        }
        class
            .overpressure_probit
            .probability(overpressure_kpa * 1000.0)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The shipped defaults, written out (the data-file test checks the file holds the same numbers).
    pub(crate) fn cozzani_landucci() -> EscalationModel {
        let class = |flux, kpa, a, b| ClassEscalation {
            flux_threshold_kw_m2: flux,
            overpressure_threshold_kpa: kpa,
            overpressure_probit: Probit::new(a, b),
        };
        EscalationModel {
            source: None,
            ttf_atmospheric: TimeToFailure {
                k_flux: -1.128,
                k_volume: -2.667e-5,
                volume_exponent: 1.0,
                k0: 9.877,
            },
            ttf_pressurised: TimeToFailure {
                k_flux: -0.947,
                k_volume: 8.835,
                volume_exponent: 0.032,
                k0: 0.0,
            },
            ttf_probit: TtfProbit {
                a: 9.25,
                b: -1.85,
                unit_s: 60.0,
            },
            atmospheric: class(15.0, 22.0, -18.96, 2.44),
            pressurised: class(45.0, 16.0, -42.44, 4.33),
            elongated: class(45.0, 31.0, -28.07, 3.16),
            auxiliary: class(15.0, 37.0, -17.79, 2.18),
        }
    }

    #[test]
    fn time_to_failure_check_values() {
        let m = cozzani_landucci();
        // risk-models.md 3.3: atmospheric 1 000 m3 at 15 kW/m2 -> 894 s; pressurised 50 m3 at 45 -> 607 s.
        let atm = m.time_to_failure_s(VesselClass::Atmospheric, 15.0, 1000.0);
        assert!((atm - 894.0).abs() < 1.0, "{atm}");
        let press = m.time_to_failure_s(VesselClass::Pressurised, 45.0, 50.0);
        assert!((press - 607.0).abs() < 1.0, "{press}");
    }

    #[test]
    fn landucci_probit_calibration() {
        let m = cozzani_landucci();
        // Y(5 min) = 6.27 -> 0.90; Y(20 min) = 3.71 -> 0.10; 50 % near 10 min.
        assert!((m.ttf_probit.probability(300.0) - 0.898).abs() < 0.002);
        assert!((m.ttf_probit.probability(1200.0) - 0.098).abs() < 0.002);
        let p10 = m.ttf_probit.probability(600.0);
        assert!((p10 - 0.5).abs() < 0.03, "{p10}");
    }

    #[test]
    fn thresholds_screen_then_probit() {
        let m = cozzani_landucci();
        assert_eq!(
            m.radiation_probability(VesselClass::Atmospheric, 14.9, 1000.0, true),
            0.0
        );
        assert!(m.radiation_probability(VesselClass::Atmospheric, 14.9, 1000.0, false) > 0.2);
        let p = m.radiation_probability(VesselClass::Atmospheric, 15.0, 1000.0, true);
        // ttf 894 s: Y = 9.25 - 1.85 ln(14.9) = 4.25 -> 0.227.
        assert!((p - 0.227).abs() < 0.003, "{p}");
        // Overpressure: 50 % points 18.4 / 57.3 / 35.1 / 34.7 kPa.
        for (vessel, kpa50) in [
            (VesselClass::Atmospheric, 18.4),
            (VesselClass::Pressurised, 57.3),
            (VesselClass::Elongated, 35.1),
            (VesselClass::Auxiliary, 34.7),
        ] {
            let p = m.overpressure_probability(vessel, kpa50, false);
            assert!((p - 0.5).abs() < 0.02, "{vessel}: {p}");
        }
        assert_eq!(
            m.overpressure_probability(VesselClass::Pressurised, 15.0, true),
            0.0
        );
        let p22 = m.overpressure_probability(VesselClass::Atmospheric, 22.0, true);
        assert!((p22 - 0.67).abs() < 0.01, "{p22}");
    }
}
