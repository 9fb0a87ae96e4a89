//! The race between a target's time to failure under fire and the mitigation that saves it: passive and
//! active safety barriers and the fire brigade (Landucci et al. 2015, RESS 143:30-43; Khakzad, Landucci
//! and Reniers 2017, RESS 167:232-247).
//!
//! Each barrier works on demand with probability `(1 - PFD) * effectiveness`. A water deluge that works
//! lowers the heat load on its target to `(1 - eta)` of the incident flux (Landucci et al. 2015, as
//! restated by Zeng et al. 2020, PSEP 134:149-160: `Q' = (1 - eta) Q`); fireproofing that works insulates
//! the target for its rated time, which is added to the time to failure. The brigade saves a target when
//! its cooling starts before the target fails: it arrives `arrival_s` after the primary event, needs a
//! lognormal set-up time, and fails on demand with probability `team_pfd`.
//!
//! Without a simulated brigade the escalation probit of Landucci et al. (2009),
//! `Y = a + b ln(ttf / 60 s)`, stands for a generic one: it is exactly the probability that a lognormal
//! mitigation time of median `60 s * exp((a - 5) / -b)` and log standard deviation `1 / -b` is longer
//! than the time to failure (about 10 min and 0.54 for the published constants;
//! [`TtfProbit::as_mitigation_time`] and its test). A simulated brigade replaces that generic time by
//! its own arrival plus set-up, so the brigade is never counted twice.

use super::escalation::{EscalationModel, TtfProbit, VesselClass};
use super::probit::probability;

/// A barrier that works with probability `success` and then either delays failure or cuts the flux.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Barrier {
    /// `(1 - PFD) * effectiveness`.
    pub success: f64,
    /// What it does when it works.
    pub action: BarrierAction,
}

impl Barrier {
    /// A water deluge: works with probability `1 - pfd` and then removes `effectiveness` of the flux.
    pub fn deluge(pfd: f64, effectiveness: f64) -> Self {
        Self {
            success: 1.0 - pfd,
            action: BarrierAction::FluxKept {
                share: 1.0 - effectiveness,
            },
        }
    }

    /// Fireproofing: works with probability `(1 - pfd) * effectiveness` (the coating intact where the
    /// fire strikes) and then insulates for `protection_min`.
    pub fn fireproofing(pfd: f64, effectiveness: f64, protection_min: f64) -> Self {
        Self {
            success: (1.0 - pfd) * effectiveness,
            action: BarrierAction::Delay {
                seconds: protection_min * 60.0,
            },
        }
    }
}

/// What a working barrier does to its target.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum BarrierAction {
    /// Insulates the target for this long before its time to failure starts to run, s (fireproofing).
    Delay {
        /// Rated protection time, s.
        seconds: f64,
    },
    /// Multiplies the incident flux by this share (`1 - eta` of a water deluge).
    FluxKept {
        /// Share of the flux that still reaches the target.
        share: f64,
    },
}

/// Barriers of one unit.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Protection {
    /// Passive fire protection (coating, insulation).
    pub fireproofing: Option<Barrier>,
    /// Water deluge or fixed cooling.
    pub deluge: Option<Barrier>,
}

impl Protection {
    /// Whether the unit has no barrier at all.
    pub fn is_none(&self) -> bool {
        self.fireproofing.is_none() && self.deluge.is_none()
    }
}

/// The fire brigade as one target sees it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Brigade {
    /// When cooling crews are on scene, s after the primary event (infinite: nobody comes).
    pub arrival_s: f64,
    /// Probability that the crews fail to cool the target although they are there in time.
    pub team_pfd: f64,
    /// Median time from arrival to water on the target, s.
    pub setup_median_s: f64,
    /// Log standard deviation of the set-up time.
    pub setup_sigma_ln: f64,
}

impl Brigade {
    /// Probability that a target failing `fails_at_s` after the primary event is not cooled in time.
    pub fn too_late_probability(&self, fails_at_s: f64) -> f64 {
        if !fails_at_s.is_finite() {
            return 0.0;
        }
        let slack_s = fails_at_s - self.arrival_s;
        if slack_s <= 0.0 || !self.arrival_s.is_finite() {
            return 1.0;
        }
        let set_up_in_time = lognormal_cdf(slack_s, self.setup_median_s, self.setup_sigma_ln);
        self.team_pfd + (1.0 - self.team_pfd) * (1.0 - set_up_in_time)
    }
}

/// `P(T <= x)` for a lognormal `T` of median `median` and log standard deviation `sigma_ln`.
pub fn lognormal_cdf(x: f64, median: f64, sigma_ln: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if sigma_ln <= 0.0 {
        return if x >= median { 1.0 } else { 0.0 };
    }
    probability(5.0 + (x / median).ln() / sigma_ln)
}

impl TtfProbit {
    /// The generic mitigation time this probit stands for: median, s, and log standard deviation.
    pub fn as_mitigation_time(&self) -> (f64, f64) {
        let sigma_ln = -1.0 / self.b;
        (self.unit_s * ((self.a - 5.0) * sigma_ln).exp(), sigma_ln)
    }
}

/// The fire escalation of one target, with its barriers and the brigade.
#[derive(Clone, Copy, Debug)]
pub struct FireExposure {
    /// Equipment class.
    pub vessel: VesselClass,
    /// Volume, m3.
    pub volume_m3: f64,
    /// Summed incident flux, kW/m2.
    pub flux_kw_m2: f64,
    /// When the heating started, s after the primary event.
    pub heat_start_s: f64,
}

/// Probability that a target escalates by fire, and when it fails if it does: the failure time of the
/// unprotected target (the earliest), from which the next level's race starts. Only a brigade races,
/// so without one the time is not computed (infinite).
///
/// With no barrier and no brigade the probability is [`EscalationModel::radiation_probability`], bit
/// for bit.
pub fn fire_escalation(
    model: &EscalationModel,
    target: &FireExposure,
    thresholds: bool,
    protection: &Protection,
    brigade: Option<&Brigade>,
) -> (f64, f64) {
    let fails_at_s = match brigade {
        Some(_) => {
            target.heat_start_s
                + model.time_to_failure_s(target.vessel, target.flux_kw_m2, target.volume_m3)
        }
        None => f64::INFINITY,
    };
    if protection.is_none() && brigade.is_none() {
        let p = model.radiation_probability(
            target.vessel,
            target.flux_kw_m2,
            target.volume_m3,
            thresholds,
        );
        return (p, fails_at_s);
    }
    // Every combination of working and failed barriers (at most four).
    let states = |b: Option<Barrier>| match b {
        Some(b) => [(Some(b.action), b.success), (None, 1.0 - b.success)],
        None => [(None, 1.0), (None, 0.0)],
    };
    let mut p = 0.0;
    for (deluge, p_deluge) in states(protection.deluge) {
        for (fireproofing, p_fire) in states(protection.fireproofing) {
            let weight = p_deluge * p_fire;
            if weight <= 0.0 {
                continue;
            }
            let mut flux = target.flux_kw_m2;
            if let Some(BarrierAction::FluxKept { share }) = deluge {
                flux *= share;
            }
            if flux <= 0.0 || (thresholds && flux < model.class(target.vessel).flux_threshold_kw_m2)
            {
                continue;
            }
            let mut ttf = model.time_to_failure_s(target.vessel, flux, target.volume_m3);
            if let Some(BarrierAction::Delay { seconds }) = fireproofing {
                ttf += seconds;
            }
            let fails = match brigade {
                Some(b) => b.too_late_probability(target.heat_start_s + ttf),
                None => model.ttf_probit.probability(ttf),
            };
            p += weight * fails;
        }
    }
    (p, fails_at_s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::risk::escalation::tests::cozzani_landucci;

    fn tank(flux: f64) -> FireExposure {
        FireExposure {
            vessel: VesselClass::Atmospheric,
            volume_m3: 1000.0,
            flux_kw_m2: flux,
            heat_start_s: 0.0,
        }
    }

    /// The Landucci 2009 probit is a lognormal race against a mitigation time of median 9.95 min and
    /// log standard deviation 0.54: a brigade with exactly that time (arriving at once, never failing)
    /// gives the probit's probabilities.
    #[test]
    fn the_probit_is_a_race_against_a_generic_brigade() {
        let m = cozzani_landucci();
        let (median_s, sigma) = m.ttf_probit.as_mitigation_time();
        assert!((median_s / 60.0 - 9.95).abs() < 0.01, "{median_s}");
        assert!((sigma - 0.5405).abs() < 1e-3);
        let generic = Brigade {
            arrival_s: 0.0,
            team_pfd: 0.0,
            setup_median_s: median_s,
            setup_sigma_ln: sigma,
        };
        for flux in [15.0, 20.0, 40.0, 80.0, 200.0] {
            let probit = m.radiation_probability(VesselClass::Atmospheric, flux, 1000.0, true);
            let (race, _) = fire_escalation(
                &m,
                &tank(flux),
                true,
                &Protection::default(),
                Some(&generic),
            );
            assert!((race - probit).abs() < 1e-12, "{flux}: {race} vs {probit}");
        }
    }

    #[test]
    fn nobody_coming_means_failure_and_an_instant_perfect_brigade_means_none() {
        let m = cozzani_landucci();
        let nobody = Brigade {
            arrival_s: f64::INFINITY,
            team_pfd: 0.0,
            setup_median_s: 60.0,
            setup_sigma_ln: 0.5,
        };
        let none = Protection::default();
        assert_eq!(
            fire_escalation(&m, &tank(20.0), true, &none, Some(&nobody)).0,
            1.0
        );
        // Below the threshold nothing escalates, whoever comes.
        assert_eq!(
            fire_escalation(&m, &tank(10.0), true, &none, Some(&nobody)).0,
            0.0
        );
        let perfect = Brigade {
            arrival_s: 0.0,
            team_pfd: 0.0,
            setup_median_s: 1e-6,
            setup_sigma_ln: 0.0,
        };
        assert_eq!(
            fire_escalation(&m, &tank(20.0), true, &none, Some(&perfect)).0,
            0.0
        );
        // A brigade that fails on demand saves nobody.
        let failing = Brigade {
            team_pfd: 1.0,
            ..perfect
        };
        assert_eq!(
            fire_escalation(&m, &tank(20.0), true, &none, Some(&failing)).0,
            1.0
        );
    }

    /// Arriving later never lowers the escalation probability, and the ttf sets the break-even time.
    #[test]
    fn later_arrival_raises_escalation() {
        let m = cozzani_landucci();
        let ttf = m.time_to_failure_s(VesselClass::Atmospheric, 30.0, 1000.0);
        let at = |arrival_s: f64| {
            let b = Brigade {
                arrival_s,
                team_pfd: 0.1,
                setup_median_s: 210.0,
                setup_sigma_ln: 0.5,
            };
            fire_escalation(&m, &tank(30.0), true, &Protection::default(), Some(&b)).0
        };
        let mut last = 0.0;
        for minutes in [0.0, 2.0, 5.0, 8.0, 12.0, 20.0] {
            let p = at(minutes * 60.0);
            assert!(p >= last, "{minutes}: {p} < {last}");
            last = p;
        }
        assert!(at(0.0) > 0.1 - 1e-12 && at(0.0) < 0.2);
        assert_eq!(at(ttf + 1.0), 1.0);
    }

    /// Barrier states combine exactly: a deluge that always works cuts the flux by eta; fireproofing
    /// that always works adds its rating to the time to failure; half-working barriers mix the two.
    #[test]
    fn barriers_cut_flux_or_delay_failure() {
        let m = cozzani_landucci();
        let deluge = Barrier {
            success: 1.0,
            action: BarrierAction::FluxKept { share: 0.6 },
        };
        let with_deluge = Protection {
            deluge: Some(deluge),
            fireproofing: None,
        };
        let (p, _) = fire_escalation(&m, &tank(40.0), true, &with_deluge, None);
        let expected = m.radiation_probability(VesselClass::Atmospheric, 24.0, 1000.0, true);
        assert!((p - expected).abs() < 1e-12);
        // 0.6 x 20 = 12 kW/m2 is below the threshold: a working deluge prevents escalation.
        assert_eq!(
            fire_escalation(&m, &tank(20.0), true, &with_deluge, None).0,
            0.0
        );
        let coating = Protection {
            deluge: None,
            fireproofing: Some(Barrier {
                success: 0.5,
                action: BarrierAction::Delay { seconds: 7200.0 },
            }),
        };
        let (p, fails_at) = fire_escalation(&m, &tank(40.0), true, &coating, None);
        let ttf = m.time_to_failure_s(VesselClass::Atmospheric, 40.0, 1000.0);
        let late = Brigade {
            arrival_s: f64::INFINITY,
            team_pfd: 0.0,
            setup_median_s: 60.0,
            setup_sigma_ln: 0.5,
        };
        let (_, raced) = fire_escalation(&m, &tank(40.0), true, &coating, Some(&late));
        assert_eq!(raced, ttf, "the unprotected failure time");
        let expected =
            0.5 * m.ttf_probit.probability(ttf + 7200.0) + 0.5 * m.ttf_probit.probability(ttf);
        assert!((p - expected).abs() < 1e-12);
        assert_eq!(fails_at, f64::INFINITY, "no brigade, no race");
        // With no barrier and no brigade the result is the escalation model's own.
        let (p, _) = fire_escalation(&m, &tank(40.0), true, &Protection::default(), None);
        assert_eq!(
            p,
            m.radiation_probability(VesselClass::Atmospheric, 40.0, 1000.0, true)
        );
    }
}
