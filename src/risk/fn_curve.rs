//! Exact F-N curves from weighted events, folded replication by replication in bounded memory.
//!
//! An F-N curve `F(n)` is the frequency of accidents with `n` or more deaths: a step function that steps
//! down at the death toll of every event. [`FnAccumulator`] keeps the events' weights in bins 1/1000 of a
//! decade wide (0.23 % of N) and, per bin, the smallest N that fell in it: `F` at that N is exact (every
//! event of the bin and above has at least that many deaths), so the curve is known exactly at one real
//! step per occupied bin and a criterion ratio is evaluated there, within 0.5 % of its maximum over every
//! step (`N_max/N_min` of a bin, to the power of the line's slope). Memory is bounded by the number of
//! occupied bins (at most 1000 per decade of N), not by the number of events or replications.
//!
//! The spread over replications is kept alongside: per replication the curve is a step function too, and
//! the sum of its squares over replications is kept as a difference array on the same bins, so the
//! standard error of `F` at every step comes out of one pass at the end. Exact values at a few chosen N
//! (`probes`) are kept as well, for tables at round numbers.

use std::collections::BTreeMap;

/// Bins per decade of N.
pub const BINS_PER_DECADE: f64 = 1000.0;
/// Events below this N share one bin (they never matter on an F-N chart starting at N = 1).
const FLOOR_N: f64 = 1e-3;

fn bin_of(n: f64) -> i32 {
    if n <= FLOOR_N {
        return (FLOOR_N.log10() * BINS_PER_DECADE).floor() as i32;
    }
    (n.log10() * BINS_PER_DECADE).floor() as i32
}

#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
struct Bin {
    value: f64,
    min_n: f64,
    max_n: f64,
}

/// Exact value at a chosen N: the sum over replications and the sum of squares.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
struct Probe {
    n: f64,
    sum: f64,
    sum_squares: f64,
    min: f64,
    max: f64,
    current: f64,
}

/// Weighted events of many replications, folded into an exact F-N curve with its spread.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FnAccumulator {
    bins: BTreeMap<i32, Bin>,
    /// Difference array of the sum over replications of `F_r(bin)^2`.
    squares: BTreeMap<i32, f64>,
    /// Events of the replication being folded.
    pending: Vec<(f64, f64)>,
    probes: Vec<Probe>,
    replications: u64,
}

/// One step of an F-N curve.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FnStep {
    /// Smallest N of the step's bin: `frequency` is exactly the frequency of N or more deaths.
    pub n: f64,
    /// Largest N in the bin (the step's other end is within 0.23 % of `n`).
    pub n_max_in_bin: f64,
    /// Mean over replications of the frequency of `n` or more deaths.
    pub frequency: f64,
    /// Standard error of the mean over replications (NaN with one replication).
    pub standard_error: f64,
}

/// A criterion line `F(N) <= c / N^alpha` for `n_min <= N <= n_max`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Line {
    /// Constant.
    pub c: f64,
    /// Slope.
    pub alpha: f64,
    /// Smallest N the line covers.
    pub n_min: f64,
    /// Largest N the line covers (infinite: no end).
    pub n_max: f64,
}

impl Line {
    /// The limit at `n` (infinite outside the line's range).
    pub fn limit(&self, n: f64) -> f64 {
        if n < self.n_min || n > self.n_max {
            f64::INFINITY
        } else {
            self.c / n.powf(self.alpha)
        }
    }
}

/// The worst ratio of a curve to a line, and where.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Exceedance {
    /// Largest `F(N) / limit(N)` over the steps the line covers (0 when the curve has none).
    pub ratio: f64,
    /// N where it is largest (NaN when none).
    pub at_n: f64,
    /// `F` there.
    pub frequency: f64,
}

impl FnAccumulator {
    /// An empty accumulator with exact values kept at `probes` (N values).
    pub fn with_probes(probes: &[f64]) -> Self {
        Self {
            probes: probes
                .iter()
                .map(|&n| Probe {
                    n,
                    sum: 0.0,
                    sum_squares: 0.0,
                    min: f64::INFINITY,
                    max: f64::NEG_INFINITY,
                    current: 0.0,
                })
                .collect(),
            ..Self::default()
        }
    }

    /// An event of the current replication with `n` deaths adding `value` to the frequency (per year,
    /// or per km-year: whatever the curve is in). Events with no deaths or no value are not on the curve.
    pub fn add(&mut self, n: f64, value: f64) {
        if !(n > 0.0 && value > 0.0 && n.is_finite() && value.is_finite()) {
            return;
        }
        self.pending.push((n, value));
        for p in &mut self.probes {
            if n >= p.n {
                p.current += value;
            }
        }
    }

    /// Closes the current replication (possibly without events).
    pub fn end_replication(&mut self) {
        self.replications += 1;
        for p in &mut self.probes {
            p.sum += p.current;
            p.sum_squares += p.current * p.current;
            p.min = p.min.min(p.current);
            p.max = p.max.max(p.current);
            p.current = 0.0;
        }
        if self.pending.is_empty() {
            return;
        }
        let mut events = std::mem::take(&mut self.pending);
        // Descending N, ties in insertion order: the same order whatever produced the events.
        events.sort_by(|a, b| b.0.total_cmp(&a.0));
        let mut running = 0.0;
        let mut k = 0;
        while k < events.len() {
            let key = bin_of(events[k].0);
            let mut value = 0.0;
            let max_n = events[k].0;
            let mut min_n = max_n;
            while k < events.len() && bin_of(events[k].0) == key {
                value += events[k].1;
                min_n = events[k].0;
                k += 1;
            }
            let bin = self.bins.entry(key).or_insert(Bin {
                value: 0.0,
                min_n,
                max_n,
            });
            bin.value += value;
            bin.min_n = bin.min_n.min(min_n);
            bin.max_n = bin.max_n.max(max_n);
            running += value;
            // F_r = running on (next lower key, key]: +F^2 here, -F^2 at the next lower key.
            let square = running * running;
            *self.squares.entry(key).or_insert(0.0) += square;
            if k < events.len() {
                let lower = bin_of(events[k].0);
                *self.squares.entry(lower).or_insert(0.0) -= square;
            }
        }
        self.pending = events;
        self.pending.clear();
    }

    /// Replications folded so far.
    pub fn replications(&self) -> u64 {
        self.replications
    }

    /// Largest N seen (0 with no events).
    pub fn max_n(&self) -> f64 {
        self.bins.values().next_back().map_or(0.0, |b| b.max_n)
    }

    /// The curve: one exact step per occupied bin, ascending in N.
    pub fn steps(&self) -> Vec<FnStep> {
        let r = self.replications.max(1) as f64;
        let mut out = Vec::with_capacity(self.bins.len());
        let mut sum = 0.0;
        let mut squares = 0.0;
        for (key, bin) in self.bins.iter().rev() {
            sum += bin.value;
            squares += self.squares.get(key).copied().unwrap_or(0.0);
            let mean = sum / r;
            let variance = (squares / r - mean * mean).max(0.0);
            let standard_error = if self.replications > 1 {
                (variance / (r - 1.0)).sqrt()
            } else {
                f64::NAN
            };
            out.push(FnStep {
                n: bin.min_n,
                n_max_in_bin: bin.max_n,
                frequency: mean,
                standard_error,
            });
        }
        out.reverse();
        out
    }

    /// Per probe N: the replications' sum, sum of squares, smallest and largest value.
    pub fn probe_moments(&self) -> Vec<(f64, f64, f64, f64, f64)> {
        self.probes
            .iter()
            .map(|p| (p.n, p.sum, p.sum_squares, p.min, p.max))
            .collect()
    }

    /// Exact mean and standard error at each probe N, in the order given.
    pub fn probes(&self) -> Vec<(f64, f64, f64)> {
        let r = self.replications.max(1) as f64;
        self.probes
            .iter()
            .map(|p| {
                let mean = p.sum / r;
                let variance = (p.sum_squares / r - mean * mean).max(0.0);
                let se = if self.replications > 1 {
                    (variance / (r - 1.0)).sqrt()
                } else {
                    f64::NAN
                };
                (p.n, mean, se)
            })
            .collect()
    }
}

/// Mean frequency of `n` or more deaths on a curve's steps (exact at a step's N and wherever no event
/// lies between `n` and the next step).
pub fn frequency_at(steps: &[FnStep], n: f64) -> f64 {
    let k = steps.partition_point(|s| s.n < n);
    steps.get(k).map_or(0.0, |s| s.frequency)
}

/// The worst ratio of the curve to `line` over every step it covers, and at the line's upper end (where
/// the frequency is that of the first step beyond it).
pub fn worst_ratio(steps: &[FnStep], line: &Line) -> Exceedance {
    let mut best = Exceedance {
        ratio: 0.0,
        at_n: f64::NAN,
        frequency: 0.0,
    };
    let mut consider = |n: f64, frequency: f64| {
        let ratio = frequency / line.limit(n);
        if ratio > best.ratio {
            best = Exceedance {
                ratio,
                at_n: n,
                frequency,
            };
        }
    };
    for s in steps {
        if s.n >= line.n_min && s.n <= line.n_max {
            consider(s.n, s.frequency);
        }
    }
    // Between the last step at or below the line's start and the first step in range the curve is flat
    // at the first step's value, and the line is highest at its start.
    if let Some(first) = steps.iter().find(|s| s.n >= line.n_min)
        && first.n > line.n_min
    {
        consider(line.n_min, first.frequency);
    }
    if line.n_max.is_finite() {
        let beyond = frequency_at(steps, line.n_max);
        consider(line.n_max, beyond);
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn curve(events: &[(f64, f64)]) -> FnAccumulator {
        let mut a = FnAccumulator::with_probes(&[1.0, 10.0, 100.0]);
        for &(n, v) in events {
            a.add(n, v);
        }
        a.end_replication();
        a
    }

    /// F at each event's N is the sum of the weights of all events with at least that many deaths.
    #[test]
    fn steps_are_exact_on_a_hand_made_list() {
        let events = [
            (3.0, 1e-3),
            (12.0, 2e-5),
            (12.0, 1e-5),
            (150.0, 4e-7),
            (1.5, 5e-3),
        ];
        let steps = curve(&events).steps();
        let ns: Vec<f64> = steps.iter().map(|s| s.n).collect();
        assert_eq!(ns, vec![1.5, 3.0, 12.0, 150.0]);
        let f: Vec<f64> = steps.iter().map(|s| s.frequency).collect();
        let expected = [
            5e-3 + 1e-3 + 3e-5 + 4e-7,
            1e-3 + 3e-5 + 4e-7,
            3e-5 + 4e-7,
            4e-7,
        ];
        for (a, b) in f.iter().zip(expected) {
            assert!((a / b - 1.0).abs() < 1e-12, "{a} vs {b}");
        }
        assert_eq!(frequency_at(&steps, 100.0), steps[3].frequency);
        assert_eq!(frequency_at(&steps, 200.0), 0.0);
        let probes = curve(&events).probes();
        assert!((probes[1].1 - (3e-5 + 4e-7)).abs() < 1e-18);
    }

    /// The Dutch establishment line 1e-3/N^2 from N = 10: an exceedance at N = 12 that a grid of 10
    /// points per decade misses (at 10 the ratio is 1.2, at 12.59 the curve is already 0).
    #[test]
    fn exceedance_between_grid_points_is_found() {
        let line = Line {
            c: 1e-3,
            alpha: 2.0,
            n_min: 10.0,
            n_max: f64::INFINITY,
        };
        let steps = curve(&[(12.0, 1.2e-5), (2.0, 1e-2)]).steps();
        let e = worst_ratio(&steps, &line);
        assert_eq!(e.at_n, 12.0);
        assert!((e.ratio - 1.2e-5 / (1e-3 / 144.0)).abs() < 1e-9, "{e:?}");
        // On a grid of 10 points per decade the worst is at N = 10 and 0.69x too low.
        let grid_worst = (0..=20)
            .map(|k| 10f64.powf(1.0 + k as f64 / 10.0))
            .map(|n| frequency_at(&steps, n) / line.limit(n))
            .fold(0.0, f64::max);
        assert!((grid_worst - 1.2).abs() < 1e-9 && grid_worst < e.ratio / 1.4);
    }

    /// A line with an upper end: beyond it the curve is compared with the limit at the end.
    #[test]
    fn the_line_start_and_end_are_checked() {
        let line = Line {
            c: 1e-2,
            alpha: 1.0,
            n_min: 10.0,
            n_max: 100.0,
        };
        // Events at 5 and 500 deaths: inside the range the curve is flat at the 500's frequency.
        let steps = curve(&[(5.0, 1e-2), (500.0, 2e-4)]).steps();
        let e = worst_ratio(&steps, &line);
        assert_eq!(e.at_n, 100.0);
        assert!((e.ratio - 2e-4 / 1e-4).abs() < 1e-12);
        assert_eq!(worst_ratio(&[], &line).ratio, 0.0);
    }

    /// Replication spread: the standard error at each step equals the sample standard deviation of the
    /// replications' own values at that N over the square root of the count.
    #[test]
    fn standard_errors_match_per_replication_values() {
        let reps: [&[(f64, f64)]; 4] = [
            &[(2.0, 1.0), (20.0, 0.5)],
            &[(3.0, 2.0)],
            &[],
            &[(20.0, 1.0), (25.0, 0.25), (2.5, 0.5)],
        ];
        let mut a = FnAccumulator::with_probes(&[]);
        for rep in reps {
            for &(n, v) in rep {
                a.add(n, v);
            }
            a.end_replication();
        }
        for step in a.steps() {
            let values: Vec<f64> = reps
                .iter()
                .map(|rep| rep.iter().filter(|e| e.0 >= step.n).map(|e| e.1).sum())
                .collect();
            let mean = values.iter().sum::<f64>() / 4.0;
            let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / 3.0;
            assert!((step.frequency - mean).abs() < 1e-12, "{step:?}");
            assert!(
                (step.standard_error - (var / 4.0).sqrt()).abs() < 1e-12,
                "{step:?}"
            );
        }
        assert_eq!(a.replications(), 4);
        assert_eq!(a.max_n(), 25.0);
    }

    /// Memory does not grow with events: a million events in a few thousand bins.
    #[test]
    fn bins_bound_the_memory() {
        let mut a = FnAccumulator::default();
        for k in 0..1_000_000u64 {
            a.add(1.0 + (k % 997) as f64 * 0.01, 1e-9);
            if k % 10_000 == 9_999 {
                a.end_replication();
            }
        }
        assert!(
            a.bins.len() <= 1000 && a.squares.len() <= 1000,
            "{}",
            a.bins.len()
        );
        let steps = a.steps();
        // F(N >= 1) is every event: 10 000 per replication of 1e-9.
        assert!((steps[0].frequency - 1e-5).abs() < 1e-15);
    }
}
