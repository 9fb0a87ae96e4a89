//! The domino cascade engine: multi-level escalation with synergy.
//!
//! At each level, every intact unit receives the summed radiation of all units burning so far (synergy)
//! and the blast of the units that exploded at the previous level; it fails with the escalation
//! probability of that load (threshold screening, then probit), independently of the others. Every
//! intact unit is re-tested at each level, until a level adds no failure. The result is the final set of
//! failed units and the depth (number of levels with new failures).
//!
//! [`CascadeModel::sample`] draws one cascade (Monte Carlo); [`CascadeModel::exact`] enumerates every
//! path for small layouts. With `max_levels = 1` the exact result is the Cozzani et al. (2005)
//! single-level combination formula.
//!
//! Units may carry barriers and a fire brigade may be on its way ([`super::intervention`]): then each
//! unit that fails also has a failure time (the start of its heating plus its time to failure), and a
//! target heated by several fires races the brigade from the earliest of them.

use std::collections::BTreeMap;

use rand::{Rng, RngExt};

use super::escalation::{EscalationModel, VesselClass};
use super::intervention::{Brigade, FireExposure, Protection, fire_escalation};

/// A unit that can fail.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CascadeUnit {
    /// Equipment class.
    pub vessel: VesselClass,
    /// Volume, m3 (time to failure).
    pub volume_m3: f64,
    /// Its barriers.
    pub protection: Protection,
}

/// The layout as the engine sees it: units and what each does to the others when it fails.
#[derive(Clone, Debug)]
pub struct CascadeModel<'a> {
    /// Units.
    pub units: Vec<CascadeUnit>,
    /// `flux_kw_m2[i * n + j]`: radiation on `j` while `i` burns.
    pub flux_kw_m2: Vec<f64>,
    /// `blast_kpa[i * n + j]`: peak overpressure on `j` when `i` explodes (at the level after its failure).
    pub blast_kpa: Vec<f64>,
    /// Escalation model.
    pub escalation: &'a EscalationModel,
    /// Apply the escalation thresholds.
    pub thresholds: bool,
    /// Stop after this many levels (`usize::MAX`: until no new failure).
    pub max_levels: usize,
    /// The fire brigade, if one is simulated (`None`: the escalation probit's generic response).
    pub brigade: Option<Brigade>,
}

/// One sampled cascade.
#[derive(Clone, Debug, PartialEq)]
pub struct CascadeOutcome {
    /// Level at which each unit failed (0 for the initiators), `None` if intact.
    pub level: Vec<Option<u32>>,
    /// Levels with new failures.
    pub depth: u32,
}

impl CascadeOutcome {
    /// Failed units in index order (the initiators included).
    pub fn failed(&self) -> Vec<usize> {
        (0..self.level.len())
            .filter(|&i| self.level[i].is_some())
            .collect()
    }
}

/// Distribution of cascade results.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CascadeDistribution {
    /// Probability of each final set (unit indices sorted, initiators included).
    pub final_sets: BTreeMap<Vec<usize>, f64>,
    /// Probability by depth (index 0: no escalation).
    pub depth: Vec<f64>,
    /// Mean size of the final set.
    pub expected_units_involved: f64,
}

impl CascadeDistribution {
    fn add(&mut self, set: Vec<usize>, depth: usize, p: f64) {
        self.expected_units_involved += p * set.len() as f64;
        *self.final_sets.entry(set).or_insert(0.0) += p;
        if self.depth.len() <= depth {
            self.depth.resize(depth + 1, 0.0);
        }
        self.depth[depth] += p;
    }
}

/// Where one escalation path stands: who has failed, who failed at the last level, and when.
#[derive(Clone, Copy)]
struct PathState<'s> {
    failed: &'s [bool],
    last: &'s [bool],
    fails_at_s: &'s [f64],
}

impl CascadeModel<'_> {
    fn n(&self) -> usize {
        self.units.len()
    }

    /// Escalation probability of each unit at the next level, given who has failed and who failed at
    /// the last level (0 for failed units), all failures at the primary event's time.
    pub fn level_probabilities(&self, failed: &[bool], last: &[bool], out: &mut Vec<f64>) {
        let fails_at = vec![0.0; self.n()];
        let mut times = Vec::new();
        self.level_probabilities_timed(failed, last, &fails_at, out, &mut times);
    }

    /// [`Self::level_probabilities`] with the failure time of each failed unit (s after the primary
    /// event); `out_times` gets the time at which each intact unit would fail at this level.
    fn level_probabilities_timed(
        &self,
        failed: &[bool],
        last: &[bool],
        fails_at_s: &[f64],
        out: &mut Vec<f64>,
        out_times: &mut Vec<f64>,
    ) {
        let n = self.n();
        out.clear();
        out.resize(n, 0.0);
        out_times.clear();
        out_times.resize(n, f64::INFINITY);
        for j in 0..n {
            if failed[j] {
                continue;
            }
            let mut flux = 0.0;
            let mut heat_start_s = f64::INFINITY;
            let mut kpa: f64 = 0.0;
            let mut blast_at_s = f64::INFINITY;
            for i in 0..n {
                if failed[i] {
                    let f = self.flux_kw_m2[i * n + j];
                    flux += f;
                    if f > 0.0 {
                        heat_start_s = heat_start_s.min(fails_at_s[i]);
                    }
                    if last[i] && self.blast_kpa[i * n + j] > kpa {
                        kpa = self.blast_kpa[i * n + j];
                        blast_at_s = fails_at_s[i];
                    }
                }
            }
            let u = self.units[j];
            let target = FireExposure {
                vessel: u.vessel,
                volume_m3: u.volume_m3,
                flux_kw_m2: flux,
                heat_start_s: heat_start_s.min(f64::MAX),
            };
            let (p_fire, fire_at_s) = fire_escalation(
                self.escalation,
                &target,
                self.thresholds,
                &u.protection,
                self.brigade.as_ref(),
            );
            let p_blast = self
                .escalation
                .overpressure_probability(u.vessel, kpa, self.thresholds);
            out[j] = 1.0 - (1.0 - p_fire) * (1.0 - p_blast);
            // A blast fails its target at once; a fire at the end of its time to failure.
            out_times[j] = if p_blast > 0.0 { blast_at_s } else { fire_at_s };
        }
    }

    /// Draws one cascade started by `initiators`.
    pub fn sample<R: Rng + ?Sized>(&self, initiators: &[usize], rng: &mut R) -> CascadeOutcome {
        let n = self.n();
        let mut level = vec![None; n];
        let mut failed = vec![false; n];
        let mut last = vec![false; n];
        let mut fails_at_s = vec![f64::INFINITY; n];
        for &i in initiators {
            failed[i] = true;
            last[i] = true;
            level[i] = Some(0);
            fails_at_s[i] = 0.0;
        }
        let mut p = Vec::with_capacity(n);
        let mut times = Vec::with_capacity(n);
        let mut depth = 0u32;
        while (depth as usize) < self.max_levels {
            self.level_probabilities_timed(&failed, &last, &fails_at_s, &mut p, &mut times);
            let mut any = false;
            last.iter_mut().for_each(|x| *x = false);
            for j in 0..n {
                if p[j] > 0.0 && rng.random::<f64>() < p[j] {
                    last[j] = true;
                    any = true;
                }
            }
            if !any {
                break;
            }
            depth += 1;
            for j in 0..n {
                if last[j] {
                    failed[j] = true;
                    level[j] = Some(depth);
                    fails_at_s[j] = times[j];
                }
            }
        }
        CascadeOutcome { level, depth }
    }

    /// Monte-Carlo distribution over `trials` cascades.
    pub fn monte_carlo<R: Rng + ?Sized>(
        &self,
        initiators: &[usize],
        trials: u64,
        rng: &mut R,
    ) -> CascadeDistribution {
        let mut out = CascadeDistribution::default();
        let w = 1.0 / trials as f64;
        for _ in 0..trials {
            let c = self.sample(initiators, rng);
            out.add(c.failed(), c.depth as usize, w);
        }
        out
    }

    /// Exact distribution by enumerating every escalation path. Fails for layouts whose path tree has
    /// more than `max_paths` branches.
    pub fn exact(
        &self,
        initiators: &[usize],
        max_paths: u64,
    ) -> Result<CascadeDistribution, String> {
        let n = self.n();
        let mut failed = vec![false; n];
        let mut last = vec![false; n];
        let mut fails_at_s = vec![f64::INFINITY; n];
        for &i in initiators {
            failed[i] = true;
            last[i] = true;
            fails_at_s[i] = 0.0;
        }
        let mut out = CascadeDistribution::default();
        let mut budget = max_paths;
        let state = PathState {
            failed: &failed,
            last: &last,
            fails_at_s: &fails_at_s,
        };
        self.explore(state, 0, 1.0, &mut out, &mut budget)?;
        Ok(out)
    }

    fn explore(
        &self,
        state: PathState,
        depth: usize,
        prob: f64,
        out: &mut CascadeDistribution,
        budget: &mut u64,
    ) -> Result<(), String> {
        let n = self.n();
        let PathState {
            failed,
            last,
            fails_at_s,
        } = state;
        let finish = |out: &mut CascadeDistribution| {
            let set: Vec<usize> = (0..n).filter(|&i| failed[i]).collect();
            out.add(set, depth, prob);
        };
        if depth >= self.max_levels {
            finish(out);
            return Ok(());
        }
        let (mut p, mut times) = (Vec::new(), Vec::new());
        self.level_probabilities_timed(failed, last, fails_at_s, &mut p, &mut times);
        let certain: Vec<usize> = (0..n).filter(|&j| p[j] >= 1.0).collect();
        let uncertain: Vec<usize> = (0..n).filter(|&j| p[j] > 0.0 && p[j] < 1.0).collect();
        if uncertain.len() > 30 {
            return Err(format!(
                "{} units could escalate at one level: too many for exact enumeration (use Monte Carlo)",
                uncertain.len()
            ));
        }
        for mask in 0u64..(1u64 << uncertain.len()) {
            let mut q = prob;
            for (k, &j) in uncertain.iter().enumerate() {
                q *= if mask >> k & 1 == 1 { p[j] } else { 1.0 - p[j] };
            }
            if q == 0.0 {
                continue;
            }
            if *budget == 0 {
                return Err(
                    "too many escalation paths for exact enumeration (use Monte Carlo)".into(),
                );
            }
            *budget -= 1;
            let mut new_last = vec![false; n];
            for &j in &certain {
                new_last[j] = true;
            }
            for (k, &j) in uncertain.iter().enumerate() {
                if mask >> k & 1 == 1 {
                    new_last[j] = true;
                }
            }
            if !new_last.iter().any(|&x| x) {
                let set: Vec<usize> = (0..n).filter(|&i| failed[i]).collect();
                out.add(set, depth, q);
                continue;
            }
            let new_failed: Vec<bool> = (0..n).map(|i| failed[i] || new_last[i]).collect();
            let new_times: Vec<f64> = (0..n)
                .map(|i| if new_last[i] { times[i] } else { fails_at_s[i] })
                .collect();
            let next = PathState {
                failed: &new_failed,
                last: &new_last,
                fails_at_s: &new_times,
            };
            self.explore(next, depth + 1, q, out, budget)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::des::StreamSeeder;
    use crate::risk::escalation::tests::cozzani_landucci;

    fn model<'a>(
        m: &'a EscalationModel,
        flux: Vec<f64>,
        n: usize,
        max_levels: usize,
    ) -> CascadeModel<'a> {
        CascadeModel {
            units: vec![
                CascadeUnit {
                    vessel: VesselClass::Atmospheric,
                    volume_m3: 1000.0,
                    protection: Protection::default(),
                };
                n
            ],
            flux_kw_m2: flux,
            blast_kpa: vec![0.0; n * n],
            escalation: m,
            thresholds: true,
            max_levels,
            brigade: None,
        }
    }

    /// Four tanks on a square, 20 kW/m2 from each to its two neighbours, 12 kW/m2 across the diagonal:
    /// below threshold alone, above it when summed with a neighbour's fire (synergy).
    fn square_flux() -> Vec<f64> {
        let mut f = vec![0.0; 16];
        for i in 0..4 {
            for j in 0..4 {
                if i != j {
                    f[i * 4 + j] = if (i + j) % 2 == 1 { 20.0 } else { 12.0 };
                }
            }
        }
        f
    }

    /// Draws `trials` cascades from tank 0 and checks every exact final set within 4 binomial
    /// standard errors (a correct engine fails one of the few sets with probability below 1e-3).
    fn assert_monte_carlo_matches(
        cascade: &CascadeModel,
        exact: &CascadeDistribution,
        stream: &str,
        trials: u64,
    ) -> CascadeDistribution {
        let mut rng = StreamSeeder::new(7).stream(0, stream);
        let mc = cascade.monte_carlo(&[0], trials, &mut rng);
        for (set, &p) in &exact.final_sets {
            let got = mc.final_sets.get(set).copied().unwrap_or(0.0);
            let tolerance = 4.0 * (p * (1.0 - p) / trials as f64).sqrt() + 1e-9;
            assert!(
                (got - p).abs() < tolerance,
                "{set:?}: MC {got} vs exact {p}"
            );
        }
        mc
    }

    #[test]
    fn single_level_equals_cozzani_combination_formula() {
        let m = cozzani_landucci();
        let cascade = model(&m, square_flux(), 4, 1);
        let exact = cascade.exact(&[0], 1_000_000).unwrap();
        let mut p = Vec::new();
        let mut failed = vec![true, false, false, false];
        let last = failed.clone();
        cascade.level_probabilities(&failed, &last, &mut p);
        failed[0] = true;
        // P(J) = prod_i [1 - P_i + delta(i, J)(2 P_i - 1)] over the three targets.
        for mask in 0u32..8 {
            let mut expected = 1.0;
            let mut set = vec![0usize];
            for (k, target) in [1usize, 2, 3].into_iter().enumerate() {
                let inside = mask >> k & 1 == 1;
                expected *= 1.0 - p[target] + if inside { 2.0 * p[target] - 1.0 } else { 0.0 };
                if inside {
                    set.push(target);
                }
            }
            let got = exact.final_sets.get(&set).copied().unwrap_or(0.0);
            assert!(
                (got - expected).abs() < 1e-12,
                "{set:?}: {got} vs {expected}"
            );
        }
        // The diagonal is below the 15 kW/m2 threshold, so tank 2 never fails at level 1.
        assert_eq!(p[2], 0.0);
    }

    #[test]
    fn multi_level_monte_carlo_matches_exact_enumeration() {
        let m = cozzani_landucci();
        let cascade = model(&m, square_flux(), 4, usize::MAX);
        let exact = cascade.exact(&[0], 10_000_000).unwrap();
        let total: f64 = exact.final_sets.values().sum();
        assert!((total - 1.0).abs() < 1e-12);
        // Synergy lets the diagonal tank fail once a neighbour burns.
        assert!(exact.final_sets.keys().any(|s| s.contains(&2)));
        let trials = 200_000;
        let mc = assert_monte_carlo_matches(&cascade, &exact, "cascade-test", trials);
        for (d, &p) in exact.depth.iter().enumerate() {
            let got = mc.depth.get(d).copied().unwrap_or(0.0);
            assert!(
                (got - p).abs() < 4.0 * (p * (1.0 - p) / trials as f64).sqrt() + 1e-9,
                "depth {d}"
            );
        }
        let se = 3.0 / (trials as f64).sqrt();
        assert!((mc.expected_units_involved - exact.expected_units_involved).abs() < 4.0 * se);
    }

    #[test]
    fn symmetric_layout_gives_symmetric_results() {
        let m = cozzani_landucci();
        let cascade = model(&m, square_flux(), 4, usize::MAX);
        let exact = cascade.exact(&[0], 10_000_000).unwrap();
        // Tanks 1 and 3 are mirror images about the diagonal through 0 and 2.
        let p = |s: &[usize]| exact.final_sets.get(s).copied().unwrap_or(0.0);
        assert!((p(&[0, 1]) - p(&[0, 3])).abs() < 1e-12);
        assert!((p(&[0, 1, 2]) - p(&[0, 2, 3])).abs() < 1e-12);
        assert!(p(&[0, 1]) > 0.0);
        // Starting from any corner gives the same distribution of sizes.
        let sizes = |start: usize| {
            let d = cascade.exact(&[start], 10_000_000).unwrap();
            let mut by_size = [0.0; 5];
            for (s, q) in d.final_sets {
                by_size[s.len()] += q;
            }
            by_size
        };
        let a = sizes(0);
        for start in 1..4 {
            let b = sizes(start);
            for k in 0..5 {
                assert!((a[k] - b[k]).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn blast_acts_once_and_thresholds_screen() {
        let m = cozzani_landucci();
        let mut cascade = model(&m, vec![0.0; 4], 2, usize::MAX);
        // 20 kPa on an atmospheric tank: above the 22 kPa threshold? No: screened out.
        cascade.blast_kpa = vec![0.0, 20.0, 0.0, 0.0];
        let exact = cascade.exact(&[0], 1000).unwrap();
        assert_eq!(exact.final_sets.get(&vec![0]).copied(), Some(1.0));
        cascade.thresholds = false;
        let exact = cascade.exact(&[0], 1000).unwrap();
        let p = m.overpressure_probability(VesselClass::Atmospheric, 20.0, false);
        assert!((exact.final_sets[&vec![0, 1]] - p).abs() < 1e-12);
    }

    fn brigade(arrival_min: f64) -> Brigade {
        Brigade {
            arrival_s: arrival_min * 60.0,
            team_pfd: 0.1,
            setup_median_s: 210.0,
            setup_sigma_ln: 0.5,
        }
    }

    /// With a brigade racing the fires, the failure times along each path matter: Monte Carlo still
    /// agrees with exact enumeration (4 binomial standard errors per final set; a correct engine fails
    /// one of the few sets with probability below 1e-3), and a later brigade lets more units fail.
    #[test]
    fn cascade_racing_a_brigade_matches_exact_enumeration() {
        let m = cozzani_landucci();
        let mut cascade = model(&m, square_flux(), 4, usize::MAX);
        cascade.brigade = Some(brigade(8.0));
        let exact = cascade.exact(&[0], 10_000_000).unwrap();
        assert!((exact.final_sets.values().sum::<f64>() - 1.0).abs() < 1e-12);
        assert_monte_carlo_matches(&cascade, &exact, "cascade-brigade", 200_000);
        let involved = |arrival_min: f64| {
            let mut c = cascade.clone();
            c.brigade = Some(brigade(arrival_min));
            c.exact(&[0], 10_000_000).unwrap().expected_units_involved
        };
        let (early, late, never) = (involved(3.0), involved(9.0), involved(f64::INFINITY));
        assert!(early < late && late < never, "{early} {late} {never}");
        // Nobody comes: every target above its threshold fails, level by level (the diagonal tank
        // once a neighbour burns), so all four burn.
        assert!((never - 4.0).abs() < 1e-12);
    }

    /// An instant brigade that never fails and barriers that always work: nothing escalates.
    #[test]
    fn instant_response_and_perfect_barriers_stop_every_escalation() {
        use crate::risk::intervention::{Barrier, BarrierAction};
        let m = cozzani_landucci();
        let mut cascade = model(&m, square_flux(), 4, usize::MAX);
        cascade.brigade = Some(Brigade {
            arrival_s: 0.0,
            team_pfd: 0.0,
            setup_median_s: 1.0,
            setup_sigma_ln: 0.0,
        });
        let exact = cascade.exact(&[0], 1000).unwrap();
        assert_eq!(exact.final_sets.get(&vec![0]).copied(), Some(1.0));
        // The same with barriers alone and no brigade.
        cascade.brigade = None;
        for u in &mut cascade.units {
            u.protection.deluge = Some(Barrier {
                success: 1.0,
                action: BarrierAction::FluxKept { share: 0.0 },
            });
        }
        let exact = cascade.exact(&[0], 1000).unwrap();
        assert_eq!(exact.final_sets.get(&vec![0]).copied(), Some(1.0));
    }
}
