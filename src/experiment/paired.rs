//! Paired comparison of two scenarios run with the same seed and replication indices.
//!
//! Replication r of both scenarios draws every shared flow, facility and accident initiator from the
//! same streams (streams are named by what they drive, not by position), so the two results move
//! together and their difference is far less noisy than two independent runs' (common random numbers).
//! The variance reduction reported is Var_independent / Var_paired, where Var_independent = s_A^2 + s_B^2
//! is the variance the difference of two independently seeded runs would have had.

use statrs::distribution::{ContinuousCDF, StudentsT};

use super::ReplicationStats;

/// False-discovery rate at which [`PairedMetric`]s are called different after Benjamini-Hochberg.
pub const FALSE_DISCOVERY_RATE: f64 = 0.05;

/// Key of a metric as in `replications.csv`: metric, subject, detail, unit.
pub type MetricName = [String; 4];

/// The paired comparison of one metric.
#[derive(Clone, Debug)]
pub struct PairedMetric {
    /// Metric, subject, detail, unit.
    pub key: MetricName,
    /// Scenario A over the paired replications.
    pub a: ReplicationStats,
    /// Scenario B over the paired replications.
    pub b: ReplicationStats,
    /// B - A, replication by replication.
    pub difference: ReplicationStats,
}

impl PairedMetric {
    /// Variance of the difference had A and B been sampled independently.
    pub fn independent_variance(&self) -> f64 {
        self.a.std_dev().powi(2) + self.b.std_dev().powi(2)
    }

    /// Var_independent / Var_paired: how many times more replications independent sampling would need
    /// for the same precision. Infinite when the pairs differ by a constant; NaN when nothing varies.
    pub fn variance_reduction(&self) -> f64 {
        let paired = self.difference.std_dev().powi(2);
        let independent = self.independent_variance();
        if paired == 0.0 {
            if independent == 0.0 {
                f64::NAN
            } else {
                f64::INFINITY
            }
        } else {
            independent / paired
        }
    }

    /// True when the 95 % interval of the difference excludes zero (one metric on its own: across many
    /// metrics, read the q-value of [`benjamini_hochberg`]).
    pub fn significant(&self) -> bool {
        let half = self.difference.ci95_half_width();
        half.is_finite() && self.difference.mean().abs() > half
    }

    /// Two-sided p-value of the paired t-test that B - A has mean 0. A difference with no spread is 0 when
    /// its mean is not zero and 1 when it is; NaN with fewer than two pairs.
    pub fn p_value(&self) -> f64 {
        let n = self.difference.count();
        if n < 2 {
            return f64::NAN;
        }
        let (mean, sd) = (self.difference.mean(), self.difference.std_dev());
        if sd == 0.0 {
            return if mean == 0.0 { 1.0 } else { 0.0 };
        }
        let t = mean / (sd / (n as f64).sqrt());
        match StudentsT::new(0.0, 1.0, (n - 1) as f64) {
            Ok(dist) => (2.0 * dist.sf(t.abs())).min(1.0),
            Err(_) => f64::NAN,
        }
    }
}

/// Benjamini-Hochberg q-values of `p_values` (same order): the smallest false-discovery rate at which each
/// test would be called significant, `min over j >= rank of m p_(j) / j`, at most 1. NaN p-values are left
/// out of the count `m` and get a NaN q-value.
pub fn benjamini_hochberg(p_values: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..p_values.len())
        .filter(|&i| !p_values[i].is_nan())
        .collect();
    order.sort_by(|&i, &j| p_values[i].total_cmp(&p_values[j]));
    let m = order.len() as f64;
    let mut q = vec![f64::NAN; p_values.len()];
    let mut running_min = 1.0_f64;
    for (rank, &i) in order.iter().enumerate().rev() {
        running_min = running_min.min(m * p_values[i] / (rank + 1) as f64);
        q[i] = running_min;
    }
    q
}

/// Pairs the replications of two scenarios metric by metric. `a` and `b` map each metric to its values by
/// replication index (NaN where a replication had no value); metrics present in only one scenario are
/// skipped, and so are replications where either value is NaN. Output follows the order of `a`.
pub fn paired_comparison(
    a: &[(MetricName, Vec<f64>)],
    b: &[(MetricName, Vec<f64>)],
) -> Vec<PairedMetric> {
    let index: std::collections::HashMap<&MetricName, &Vec<f64>> =
        b.iter().map(|(k, v)| (k, v)).collect();
    a.iter()
        .filter_map(|(key, values_a)| {
            let values_b = index.get(key)?;
            let mut paired = PairedMetric {
                key: key.clone(),
                a: ReplicationStats::new(),
                b: ReplicationStats::new(),
                difference: ReplicationStats::new(),
            };
            for (&x, &y) in values_a.iter().zip(values_b.iter()) {
                if x.is_nan() || y.is_nan() {
                    continue;
                }
                paired.a.record(x);
                paired.b.record(y);
                paired.difference.record(y - x);
            }
            (paired.difference.count() > 0).then_some(paired)
        })
        .collect()
}

/// Median of the finite variance reductions over metrics where both scenarios vary (the headline).
pub fn median_variance_reduction(metrics: &[PairedMetric]) -> Option<f64> {
    let mut ratios: Vec<f64> = metrics
        .iter()
        .filter(|m| m.a.std_dev() > 0.0 && m.b.std_dev() > 0.0)
        .map(PairedMetric::variance_reduction)
        .filter(|r| r.is_finite())
        .collect();
    if ratios.is_empty() {
        return None;
    }
    ratios.sort_by(f64::total_cmp);
    let n = ratios.len();
    Some(if n % 2 == 1 {
        ratios[n / 2]
    } else {
        (ratios[n / 2 - 1] + ratios[n / 2]) / 2.0
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(m: &str) -> MetricName {
        [m.into(), "all".into(), String::new(), "h".into()]
    }

    #[test]
    fn shared_noise_cancels_in_the_difference() {
        // B = A + 1 + small noise: the paired difference is nearly constant, independent sampling is not.
        let a: Vec<f64> = (0..50).map(|i| ((i * 37 % 17) as f64) * 3.0).collect();
        let b: Vec<f64> = a
            .iter()
            .enumerate()
            .map(|(i, x)| x + 1.0 + 0.01 * ((i % 3) as f64 - 1.0))
            .collect();
        let compared = paired_comparison(&[(name("w"), a.clone())], &[(name("w"), b)]);
        let m = &compared[0];
        assert!((m.difference.mean() - 1.0).abs() < 0.01);
        assert!(m.significant());
        assert!(m.variance_reduction() > 1e4, "{}", m.variance_reduction());
        // Identical inputs: nothing to compare, no reduction to speak of.
        let same = paired_comparison(&[(name("w"), a.clone())], &[(name("w"), a)]);
        assert_eq!(same[0].difference.mean(), 0.0);
        assert!(same[0].variance_reduction().is_infinite());
    }

    #[test]
    fn missing_values_and_metrics_are_skipped() {
        let a = [
            (name("x"), vec![1.0, f64::NAN, 3.0]),
            (name("only-a"), vec![1.0, 2.0, 3.0]),
        ];
        let b = [(name("x"), vec![2.0, 5.0, 5.0])];
        let compared = paired_comparison(&a, &b);
        assert_eq!(compared.len(), 1);
        assert_eq!(compared[0].difference.count(), 2);
        assert_eq!(compared[0].difference.mean(), 1.5);
    }

    #[test]
    fn benjamini_hochberg_matches_the_textbook_adjustment() {
        // R: p.adjust(c(0.01, 0.04, 0.03, 0.005), "BH") = 0.02 0.04 0.04 0.02.
        let q = benjamini_hochberg(&[0.01, 0.04, 0.03, 0.005, f64::NAN]);
        for (got, want) in q.iter().zip([0.02, 0.04, 0.04, 0.02]) {
            assert!((got - want).abs() < 1e-12, "{q:?}");
        }
        assert!(q[4].is_nan());
        assert_eq!(benjamini_hochberg(&[0.9, 0.8]), vec![0.9, 0.9]);
    }

    #[test]
    fn the_p_value_is_the_t_tests() {
        // Ten differences with mean 1 and standard deviation sqrt(10) / 2.262: t = 2.262, the 97.5 % point
        // of Student's t with 9 degrees of freedom, so p = 0.05.
        let sd = 10f64.sqrt() / 2.262_157;
        let spread = sd * (9.0f64 / 10.0).sqrt();
        let b: Vec<f64> = (0..10)
            .map(|i| 1.0 + if i % 2 == 0 { spread } else { -spread })
            .collect();
        let compared = paired_comparison(&[(name("w"), vec![0.0; 10])], &[(name("w"), b)]);
        let p = compared[0].p_value();
        assert!((p - 0.05).abs() < 1e-4, "{p}");
    }
}
