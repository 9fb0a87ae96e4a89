//! What a sampled accident leaves behind: its release, and the whole distribution of its consequences
//! (every branch of the event tree with its cascade, every weather class and wind sector with its
//! deaths), so that each accident adds a weighted distribution of N to the F-N curve rather than one
//! draw.

use super::AccidentSource;
use crate::model::Mode;
use crate::risk::consequence::Outcome;
use crate::risk::population::Placed;

/// Kind of loss of containment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ReleaseKind {
    /// The whole inventory at once (catastrophic rupture).
    Instantaneous,
    /// The whole inventory in ten minutes.
    TenMinutes,
    /// A leak through the small hole of a tank or parked tanker.
    Hole,
    /// A transport container's small leak.
    SmallLeak,
    /// A transport container's large leak.
    LargeLeak,
    /// A hose or arm ruptures (full bore).
    HoseRupture,
    /// A hose or arm leaks (a tenth of the bore).
    HoseLeak,
}

impl ReleaseKind {
    /// Name in outputs.
    pub fn name(self) -> &'static str {
        match self {
            ReleaseKind::Instantaneous => "instantaneous",
            ReleaseKind::TenMinutes => "ten_minutes",
            ReleaseKind::Hole => "hole",
            ReleaseKind::SmallLeak => "small_leak",
            ReleaseKind::LargeLeak => "large_leak",
            ReleaseKind::HoseRupture => "hose_rupture",
            ReleaseKind::HoseLeak => "hose_leak",
        }
    }
}

/// Weather index of a condition that does not depend on the weather (fires and blasts only).
pub const ANY_WEATHER: u8 = u8::MAX;

/// One weather class and wind direction, with its probability and deaths.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Condition {
    /// Weather class index ([`ANY_WEATHER`] when the deaths do not depend on it).
    pub weather: u8,
    /// Direction the wind blew from, degrees clockwise from north (NaN: any).
    pub wind_from_deg: f32,
    /// Probability of the condition given the branch.
    pub probability: f64,
    /// Expected deaths of the whole cascade.
    pub deaths: f64,
    /// Expected deaths of the primary event alone.
    pub primary_deaths: f64,
}

/// One branch of the event tree and the cascade it set off.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Branch {
    /// Outcome of the initiating release.
    pub outcome: Outcome,
    /// Probability of the branch.
    pub probability: f64,
    /// Domino levels with new failures.
    pub depth: u32,
    /// Units involved (the initiator first).
    pub units: Vec<String>,
    /// Effects of the primary event and the units that failed (for the individual-risk map).
    pub effects: Vec<Placed>,
    /// Deaths by weather and wind.
    pub conditions: Vec<Condition>,
    /// What the branch would have been had no brigade come, where that differs (same draws).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unmitigated: Option<Unmitigated>,
}

/// A branch as it would have gone without the brigade (barriers kept, the same random draws).
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Unmitigated {
    /// Domino levels with new failures.
    pub depth: u32,
    /// Units involved, the initiator included.
    pub units: u32,
    /// Expected deaths over the conditions.
    pub expected_deaths: f64,
}

impl Branch {
    /// Whether the brigade stopped an escalation: fewer units failed than would have without it.
    pub fn escalation_prevented(&self) -> bool {
        self.unmitigated
            .is_some_and(|u| u.units as usize > self.units.len())
    }

    /// Expected deaths over the conditions.
    pub fn expected_deaths(&self) -> f64 {
        self.conditions
            .iter()
            .map(|c| c.probability * c.deaths)
            .sum()
    }
}

/// One sampled accident.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Accident {
    /// Replication.
    pub replication: u64,
    /// Hours after the end of the warm-up.
    pub time_h: f64,
    /// Importance-sampling weight (1 / inflation): the accident stands for this many real ones.
    pub weight: f64,
    /// Source.
    pub source: AccidentSource,
    /// Mode of the vehicle involved, if any.
    pub mode: Option<Mode>,
    /// Commodity released.
    pub commodity: usize,
    /// Its substance in the risk data.
    pub substance: usize,
    /// Kind of release.
    pub release: ReleaseKind,
    /// Mass released by the initiating unit, kg.
    pub released_kg: f64,
    /// Of which airborne at once (vapour and aerosol), kg.
    pub airborne_kg: f64,
    /// At night.
    pub night: bool,
    /// Position, m.
    pub x_m: f64,
    /// Position, m.
    pub y_m: f64,
    /// Km along its link from the link's first node (transport accidents).
    pub chainage_km: Option<f64>,
    /// Hours the accident closed its link or facility (0: no closure).
    pub closure_h: f64,
    /// The branches of the event tree.
    pub branches: Vec<Branch>,
    /// One realisation drawn from the distribution, for listings: branch and condition.
    pub shown: (usize, usize),
    /// The brigade sent to it (`None`: no response simulated).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dispatch: Option<super::Dispatch>,
}

impl Accident {
    /// Every (deaths, probability) of the accident's consequence distribution.
    pub fn outcomes(&self) -> impl Iterator<Item = (f64, f64)> + '_ {
        self.branches.iter().flat_map(|b| {
            b.conditions
                .iter()
                .map(move |c| (c.deaths, b.probability * c.probability))
        })
    }

    /// Expected deaths.
    pub fn expected_deaths(&self) -> f64 {
        self.outcomes().map(|(n, p)| n * p).sum()
    }

    /// Expected deaths beyond those of the primary event alone (domino).
    pub fn expected_domino_deaths(&self) -> f64 {
        self.branches
            .iter()
            .flat_map(|b| {
                b.conditions.iter().map(move |c| {
                    b.probability * c.probability * (c.deaths - c.primary_deaths).max(0.0)
                })
            })
            .sum()
    }

    /// Probability of `n` or more deaths.
    pub fn probability_at_least(&self, n: f64) -> f64 {
        self.outcomes()
            .filter(|(d, _)| *d >= n)
            .map(|(_, p)| p)
            .sum()
    }

    /// Expected deaths the brigade avoided: over the branches, those had nobody come less those
    /// with the brigade (the same draws).
    pub fn expected_deaths_avoided(&self) -> f64 {
        self.branches
            .iter()
            .filter_map(|b| {
                b.unmitigated
                    .map(|u| b.probability * (u.expected_deaths - b.expected_deaths()))
            })
            .sum()
    }

    /// Probability that the brigade prevented an escalation: fewer units failed than would have without
    /// it.
    pub fn prevention_probability(&self) -> f64 {
        self.branches
            .iter()
            .filter(|b| b.escalation_prevented())
            .map(|b| b.probability)
            .sum()
    }

    /// Probability that the accident escalated (at least one domino level).
    pub fn escalation_probability(&self) -> f64 {
        self.branches
            .iter()
            .filter(|b| b.depth >= 1)
            .map(|b| b.probability)
            .sum()
    }

    /// The branch and condition listed for this accident.
    pub fn shown(&self) -> (&Branch, &Condition) {
        let b = &self.branches[self.shown.0];
        (b, &b.conditions[self.shown.1])
    }

    /// The deadliest branch and condition.
    pub fn worst(&self) -> (&Branch, &Condition) {
        self.branches
            .iter()
            .flat_map(|b| b.conditions.iter().map(move |c| (b, c)))
            .max_by(|a, b| a.1.deaths.total_cmp(&b.1.deaths))
            .expect("every accident has a branch with a condition")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn condition(deaths: f64, primary: f64, probability: f64) -> Condition {
        Condition {
            weather: 0,
            wind_from_deg: 0.0,
            probability,
            deaths,
            primary_deaths: primary,
        }
    }

    #[test]
    fn distribution_summaries() {
        let a = Accident {
            replication: 0,
            time_h: 1.0,
            weight: 0.5,
            source: AccidentSource::Tank(0),
            mode: None,
            commodity: 0,
            substance: 0,
            release: ReleaseKind::Instantaneous,
            released_kg: 1.0,
            airborne_kg: 0.0,
            night: false,
            x_m: 0.0,
            y_m: 0.0,
            chainage_km: None,
            closure_h: 0.0,
            branches: vec![
                Branch {
                    outcome: Outcome::PoolFire,
                    probability: 0.25,
                    depth: 1,
                    units: vec!["a".into(), "b".into()],
                    effects: vec![],
                    conditions: vec![condition(12.0, 2.0, 1.0)],
                    unmitigated: Some(Unmitigated {
                        depth: 2,
                        units: 3,
                        expected_deaths: 20.0,
                    }),
                },
                Branch {
                    outcome: Outcome::Toxic,
                    probability: 0.75,
                    depth: 0,
                    units: vec![],
                    effects: vec![],
                    conditions: vec![condition(0.0, 0.0, 0.5), condition(4.0, 4.0, 0.5)],
                    unmitigated: None,
                },
            ],
            shown: (1, 1),
            dispatch: None,
        };
        assert!((a.expected_deaths() - (0.25 * 12.0 + 0.375 * 4.0)).abs() < 1e-12);
        assert!((a.expected_domino_deaths() - 0.25 * 10.0).abs() < 1e-12);
        assert!((a.probability_at_least(4.0) - 0.625).abs() < 1e-12);
        assert!((a.escalation_probability() - 0.25).abs() < 1e-12);
        assert_eq!(a.worst().1.deaths, 12.0);
        assert_eq!(a.shown().1.deaths, 4.0);
        assert!((a.outcomes().map(|o| o.1).sum::<f64>() - 1.0).abs() < 1e-12);
        // Without the brigade the first branch would have killed 20 instead of 12.
        assert!((a.expected_deaths_avoided() - 0.25 * 8.0).abs() < 1e-12);
        assert!((a.prevention_probability() - 0.25).abs() < 1e-12);
    }
}
