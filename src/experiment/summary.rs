//! Across-replication statistics: one value per replication, mean and Student-t confidence interval.

use statrs::distribution::{ContinuousCDF, StudentsT};

/// Quantile `p` of Student's t distribution with `degrees_of_freedom` (> 0).
pub fn student_t_quantile(p: f64, degrees_of_freedom: f64) -> f64 {
    match StudentsT::new(0.0, 1.0, degrees_of_freedom) {
        Ok(t) => t.inverse_cdf(p),
        Err(_) => f64::NAN,
    }
}

/// Streaming summary of one metric over replications (Welford's algorithm, constant memory).
///
/// Values must be added in replication order for results to be byte-identical across thread counts;
/// [`Runner::run`](super::Runner::run) guarantees that order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ReplicationStats {
    count: u64,
    mean: f64,
    sum_sq_dev: f64,
    min: f64,
    max: f64,
}

impl ReplicationStats {
    /// Empty summary.
    pub fn new() -> Self {
        Self::default()
    }

    /// The summary of `count` values with this sum, sum of squares, smallest and largest value.
    pub fn from_moments(count: u64, sum: f64, sum_squares: f64, min: f64, max: f64) -> Self {
        if count == 0 {
            return Self::default();
        }
        let mean = sum / count as f64;
        Self {
            count,
            mean,
            sum_sq_dev: (sum_squares - count as f64 * mean * mean).max(0.0),
            min,
            max,
        }
    }

    /// Adds the value of the next replication.
    pub fn record(&mut self, value: f64) {
        if self.count == 0 {
            self.min = value;
            self.max = value;
        } else {
            self.min = self.min.min(value);
            self.max = self.max.max(value);
        }
        self.count += 1;
        let delta = value - self.mean;
        self.mean += delta / self.count as f64;
        self.sum_sq_dev += delta * (value - self.mean);
    }

    /// Number of replications.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Mean over replications.
    pub fn mean(&self) -> f64 {
        self.mean
    }

    /// Sample standard deviation over replications (0 for fewer than two).
    pub fn std_dev(&self) -> f64 {
        if self.count < 2 {
            0.0
        } else {
            (self.sum_sq_dev / (self.count - 1) as f64).sqrt()
        }
    }

    /// Smallest replication value.
    pub fn min(&self) -> f64 {
        self.min
    }

    /// Largest replication value.
    pub fn max(&self) -> f64 {
        self.max
    }

    /// Half-width of the two-sided confidence interval at `level` (e.g. 0.95), from Student's t with
    /// n - 1 degrees of freedom; NaN with fewer than two replications (no interval can be given).
    pub fn half_width(&self, level: f64) -> f64 {
        if self.count < 2 {
            return f64::NAN;
        }
        let n = self.count as f64;
        student_t_quantile(0.5 + level / 2.0, n - 1.0) * self.std_dev() / n.sqrt()
    }

    /// Half-width of the 95 % confidence interval of the mean.
    pub fn ci95_half_width(&self) -> f64 {
        self.half_width(0.95)
    }

    /// True when `value` lies inside the 95 % interval.
    pub fn ci95_contains(&self, value: f64) -> bool {
        (self.mean - value).abs() <= self.ci95_half_width()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_quantiles_match_tables() {
        // Standard table values (two-sided 95 %): df 1 -> 12.706, 4 -> 2.776, 9 -> 2.262, 30 -> 2.042.
        for (df, table) in [(1.0, 12.706), (4.0, 2.776), (9.0, 2.262), (30.0, 2.042)] {
            assert!(
                (student_t_quantile(0.975, df) - table).abs() < 1e-3,
                "df {df}"
            );
        }
    }

    #[test]
    fn interval_of_known_sample() {
        let mut s = ReplicationStats::new();
        for v in [1.0, 2.0, 3.0, 4.0, 5.0] {
            s.record(v);
        }
        // mean 3, sd sqrt(2.5), t(0.975, 4) = 2.7764
        let expected = 2.776_445 * 2.5f64.sqrt() / 5f64.sqrt();
        assert!((s.ci95_half_width() - expected).abs() < 1e-5);
        assert_eq!((s.min(), s.max(), s.count()), (1.0, 5.0, 5));
        assert!(ReplicationStats::new().ci95_half_width().is_nan());
    }
}
