//! Response times by area over a run: for every facility with accidents (and all of them together), how
//! often an engine could come, how long the first assignment took (mean with a 95 % interval over the
//! replications, median and 90th percentile), and how often the first engine met the arrival standard.
//!
//! Accidents count by their frequency (importance-sampling weight), so the figures describe real
//! accidents, not the sampled mix.

use std::collections::BTreeMap;

use super::ReplicationStats;
use crate::model::{Model, ResponseModel};
use crate::sim::{Accident, facility_of};

/// One accident as the response statistics see it.
#[derive(Clone, Copy, Debug)]
struct Sample {
    weight: f64,
    /// Minutes to the first assignment, NaN when no engine could come.
    minutes: f64,
    within_standard: bool,
}

/// Samples of one area.
#[derive(Clone, Debug, Default)]
struct Area {
    samples: Vec<Sample>,
    /// Per replication: weighted mean minutes of the reached accidents.
    per_replication: ReplicationStats,
    /// This replication's weighted sum of minutes and of weights (reached accidents).
    open: (f64, f64),
}

/// Response samples folded replication by replication.
#[derive(Clone, Debug, Default)]
pub struct ResponseFold {
    areas: BTreeMap<String, Area>,
}

/// The response statistics of one area.
#[derive(Clone, Debug, PartialEq)]
pub struct AreaResponse {
    /// `all` or a facility id.
    pub area: String,
    /// Accidents sampled there.
    pub accidents: usize,
    /// Their frequency, per year.
    pub frequency_per_year: f64,
    /// Share any engine could reach.
    pub reached_share: f64,
    /// Mean minutes from the release to the first assignment on scene.
    pub mean_min: f64,
    /// 95 % interval of the mean over the replications (NaN with fewer than two that had one).
    pub ci_low_min: f64,
    /// Upper end.
    pub ci_high_min: f64,
    /// Median.
    pub p50_min: f64,
    /// 90th percentile.
    pub p90_min: f64,
    /// Share whose first engine met the arrival standard.
    pub within_standard_share: f64,
}

impl ResponseFold {
    /// Adds one replication's accidents.
    pub fn fold(&mut self, m: &Model, response: &ResponseModel, accidents: &[Accident]) {
        for a in accidents {
            let Some(d) = a.dispatch else { continue };
            let sample = Sample {
                weight: a.weight,
                minutes: d.on_scene_h.map_or(f64::NAN, |h| h * 60.0),
                within_standard: response.met_standard(d.first_engine_h),
            };
            for area in ["all".to_string(), facility_of(m, a.source)] {
                let entry = self.areas.entry(area).or_default();
                entry.samples.push(sample);
                if !sample.minutes.is_nan() {
                    entry.open.0 += sample.weight * sample.minutes;
                    entry.open.1 += sample.weight;
                }
            }
        }
        for area in self.areas.values_mut() {
            let (sum, weight) = std::mem::take(&mut area.open);
            if weight > 0.0 {
                area.per_replication.record(sum / weight);
            }
        }
    }

    /// The statistics of every area, `all` first; `years` is the run's simulated years.
    pub fn finish(&self, years: f64) -> Vec<AreaResponse> {
        let mut out: Vec<AreaResponse> = self
            .areas
            .iter()
            .map(|(area, a)| summarise(area, a, years))
            .collect();
        out.sort_by_key(|r| r.area != "all");
        out
    }
}

fn summarise(area: &str, a: &Area, years: f64) -> AreaResponse {
    let total: f64 = a.samples.iter().map(|s| s.weight).sum();
    let mut reached: Vec<(f64, f64)> = a
        .samples
        .iter()
        .filter(|s| !s.minutes.is_nan())
        .map(|s| (s.minutes, s.weight))
        .collect();
    reached.sort_by(|x, y| x.0.total_cmp(&y.0));
    let reached_weight: f64 = reached.iter().map(|r| r.1).sum();
    // `+ 0.0`: an empty float sum is -0.0.
    let share = |w: f64| {
        if total > 0.0 {
            w / total + 0.0
        } else {
            f64::NAN
        }
    };
    let half = a.per_replication.ci95_half_width();
    let mean = if reached_weight > 0.0 {
        reached.iter().map(|r| r.0 * r.1).sum::<f64>() / reached_weight
    } else {
        f64::NAN
    };
    AreaResponse {
        area: area.to_string(),
        accidents: a.samples.len(),
        frequency_per_year: total / years,
        reached_share: share(reached_weight),
        mean_min: mean,
        ci_low_min: a.per_replication.mean() - half,
        ci_high_min: a.per_replication.mean() + half,
        p50_min: weighted_quantile(&reached, 0.5),
        p90_min: weighted_quantile(&reached, 0.9),
        within_standard_share: share(
            a.samples
                .iter()
                .filter(|s| s.within_standard)
                .map(|s| s.weight)
                .sum(),
        ),
    }
}

/// The smallest value whose cumulative weight reaches `q` of the total (`sorted` by value).
fn weighted_quantile(sorted: &[(f64, f64)], q: f64) -> f64 {
    let total: f64 = sorted.iter().map(|s| s.1).sum();
    if total <= 0.0 {
        return f64::NAN;
    }
    let mut cumulative = 0.0;
    for &(value, weight) in sorted {
        cumulative += weight;
        if cumulative >= q * total {
            return value;
        }
    }
    sorted.last().map_or(f64::NAN, |s| s.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weighted_quantiles_follow_the_weights() {
        let values = [(1.0, 1.0), (2.0, 1.0), (10.0, 8.0)];
        assert_eq!(weighted_quantile(&values, 0.1), 1.0);
        assert_eq!(weighted_quantile(&values, 0.2), 2.0);
        assert_eq!(weighted_quantile(&values, 0.5), 10.0);
        assert!(weighted_quantile(&[], 0.5).is_nan());
    }
}
