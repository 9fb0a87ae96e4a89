//! Random-number streams and distributions configurable from data.
//!
//! # Reproducibility guarantee
//!
//! Every stream is a [`Xoshiro256PlusPlus`] generator (a named, portable generator: rand promises its output
//! never changes between versions) seeded with the first 32 bytes of
//! `SHA-256("hazflow-stream-v1" || master_seed (u64 LE) || replication (u64 LE) || stream name (UTF-8))`.
//! Hence:
//!
//! * the same (master seed, replication, stream name) always yields the same numbers, on any thread, in
//!   any order of creation, whatever other streams exist: adding a flow or a facility shifts no other
//!   stream, which is what makes common random numbers work in layout comparisons;
//! * distributions are sampled by `rand_distr` 0.6 (pinned in `Cargo.lock`; rand treats changes of sampled
//!   values as breaking, so they only come with a new minor version) and by the code in this file.
//!
//! Results are byte-identical for the same hazflow build on the same platform. Across platforms they are
//! expected to match but not promised, because floating-point functions such as `ln` and `exp` come from
//! the platform's math library.

use rand::distr::{Distribution, Uniform};
use rand::rngs::Xoshiro256PlusPlus;
use rand::{Rng, RngExt, SeedableRng};
use rand_distr::{Exp, Gamma, LogNormal, Triangular, Weibull};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use statrs::distribution::{ContinuousCDF, Normal};

/// The generator behind every stream.
pub type RngStream = Xoshiro256PlusPlus;

/// Derives independent streams from a master seed (see the module docs for the guarantee).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StreamSeeder {
    master_seed: u64,
}

impl StreamSeeder {
    /// A seeder for one experiment.
    pub fn new(master_seed: u64) -> Self {
        Self { master_seed }
    }

    /// The master seed.
    pub fn master_seed(&self) -> u64 {
        self.master_seed
    }

    /// The stream `name` of replication `replication`.
    pub fn stream(&self, replication: u64, name: &str) -> RngStream {
        let mut hasher = Sha256::new();
        hasher.update(b"hazflow-stream-v1");
        hasher.update(self.master_seed.to_le_bytes());
        hasher.update(replication.to_le_bytes());
        hasher.update(name.as_bytes());
        let digest = hasher.finalize();
        let mut seed = [0u8; 32];
        seed.copy_from_slice(&digest[..32]);
        Xoshiro256PlusPlus::from_seed(seed)
    }
}

/// A distribution as written in a scenario file. A bare number means a deterministic value; a table
/// names the distribution in `dist` and gives its parameters in the unit of the field it belongs to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "dist", rename_all = "snake_case", deny_unknown_fields)]
pub enum DistSpec {
    /// Exponential with the given mean.
    Exponential {
        /// Mean (> 0).
        mean: f64,
    },
    /// Always `value`.
    Deterministic {
        /// The value (finite).
        value: f64,
    },
    /// Uniform on [min, max).
    Uniform {
        /// Lower bound.
        min: f64,
        /// Upper bound (> min).
        max: f64,
    },
    /// Triangular with lower bound, mode and upper bound.
    Triangular {
        /// Lower bound.
        min: f64,
        /// Most likely value (min <= mode <= max).
        mode: f64,
        /// Upper bound (> min).
        max: f64,
    },
    /// Normal(mean, sd) restricted to [min, max]; `min` defaults to 0 (durations and tonnages are never
    /// negative), `max` to +infinity.
    TruncatedNormal {
        /// Mean of the untruncated normal.
        mean: f64,
        /// Standard deviation of the untruncated normal (> 0).
        sd: f64,
        /// Lower bound (default 0).
        #[serde(default)]
        min: f64,
        /// Upper bound (default +infinity).
        #[serde(default = "infinity")]
        max: f64,
    },
    /// Lognormal given by the mean and standard deviation of the variable itself (not of its logarithm).
    Lognormal {
        /// Mean (> 0).
        mean: f64,
        /// Standard deviation (> 0).
        sd: f64,
    },
    /// Gamma with shape k and scale theta (mean k * theta).
    Gamma {
        /// Shape (> 0).
        shape: f64,
        /// Scale (> 0).
        scale: f64,
    },
    /// Weibull with shape k and scale lambda.
    Weibull {
        /// Shape (> 0).
        shape: f64,
        /// Scale (> 0).
        scale: f64,
    },
    /// One of `values`, with probabilities proportional to `weights` (equal weights when omitted).
    Empirical {
        /// Possible values.
        values: Vec<f64>,
        /// Relative weights (>= 0, not all zero), one per value.
        #[serde(default)]
        weights: Option<Vec<f64>>,
    },
    /// Piecewise-linear interpolation between sorted observations (each gap holds equal probability), the
    /// continuous empirical distribution of Law and Kelton.
    EmpiricalContinuous {
        /// At least two observations.
        values: Vec<f64>,
    },
}

fn infinity() -> f64 {
    f64::INFINITY
}

/// Why a distribution's parameters were rejected.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct DistError(pub String);

fn require(ok: bool, message: impl FnOnce() -> String) -> Result<(), DistError> {
    if ok {
        Ok(())
    } else {
        Err(DistError(message()))
    }
}

fn finite(name: &str, v: f64) -> Result<(), DistError> {
    require(v.is_finite(), || {
        format!("{name} must be a finite number, got {v}")
    })
}

fn positive(name: &str, v: f64) -> Result<(), DistError> {
    require(v.is_finite() && v > 0.0, || {
        format!("{name} must be > 0, got {v}")
    })
}

/// A validated distribution, ready to sample.
#[derive(Clone, Debug)]
pub enum Sampler {
    /// Always the same value.
    Constant(f64),
    /// Exponential.
    Exponential(Exp<f64>, f64),
    /// Uniform.
    Uniform(Uniform<f64>, f64, f64),
    /// Triangular.
    Triangular(Triangular<f64>, f64),
    /// Truncated normal by inversion: the CDF bounds and the parent normal.
    TruncatedNormal {
        /// Parent normal.
        normal: Normal,
        /// Its mean and standard deviation.
        mean: f64,
        /// Standard deviation of the parent normal.
        sd: f64,
        /// CDF at the lower bound.
        cdf_min: f64,
        /// CDF at the upper bound.
        cdf_max: f64,
        /// Bounds, to clamp rounding at the edges.
        bounds: (f64, f64),
        /// Sample the mirror image about the mean, then mirror back: keeps the CDF values small (precise)
        /// when the interval lies in the upper tail.
        reflect: bool,
    },
    /// Lognormal.
    Lognormal(LogNormal<f64>, f64),
    /// Gamma.
    Gamma(Gamma<f64>, f64),
    /// Weibull.
    Weibull(Weibull<f64>, f64),
    /// Discrete empirical: values and cumulative probabilities.
    Empirical {
        /// Possible values.
        values: Box<[f64]>,
        /// Cumulative probabilities, last = 1.
        cumulative: Box<[f64]>,
    },
    /// Continuous empirical: sorted knots.
    EmpiricalContinuous(Box<[f64]>),
}

impl DistSpec {
    /// Checks the parameters and builds the sampler; the message names the offending parameter.
    pub fn compile(&self) -> Result<Sampler, DistError> {
        use DistSpec::*;
        Ok(match *self {
            Exponential { mean } => {
                positive("mean", mean)?;
                Sampler::Exponential(
                    Exp::new(1.0 / mean).map_err(|e| DistError(e.to_string()))?,
                    mean,
                )
            }
            Deterministic { value } => {
                finite("value", value)?;
                Sampler::Constant(value)
            }
            Uniform { min, max } => {
                finite("min", min)?;
                finite("max", max)?;
                require(max > min, || {
                    format!("max ({max}) must be greater than min ({min})")
                })?;
                let u =
                    rand::distr::Uniform::new(min, max).map_err(|e| DistError(e.to_string()))?;
                Sampler::Uniform(u, min, max)
            }
            Triangular { min, mode, max } => {
                finite("min", min)?;
                finite("mode", mode)?;
                finite("max", max)?;
                require(max > min, || {
                    format!("max ({max}) must be greater than min ({min})")
                })?;
                require(min <= mode && mode <= max, || {
                    format!("mode ({mode}) must lie between min ({min}) and max ({max})")
                })?;
                let t = rand_distr::Triangular::new(min, max, mode)
                    .map_err(|e| DistError(e.to_string()))?;
                Sampler::Triangular(t, (min + mode + max) / 3.0)
            }
            TruncatedNormal { mean, sd, min, max } => truncated_normal(mean, sd, min, max)?,
            Lognormal { mean, sd } => {
                positive("mean", mean)?;
                positive("sd", sd)?;
                let sigma2 = (1.0 + (sd / mean).powi(2)).ln();
                let mu = mean.ln() - sigma2 / 2.0;
                Sampler::Lognormal(
                    LogNormal::new(mu, sigma2.sqrt()).map_err(|e| DistError(e.to_string()))?,
                    mean,
                )
            }
            Gamma { shape, scale } => {
                positive("shape", shape)?;
                positive("scale", scale)?;
                Sampler::Gamma(
                    rand_distr::Gamma::new(shape, scale).map_err(|e| DistError(e.to_string()))?,
                    shape * scale,
                )
            }
            Weibull { shape, scale } => {
                positive("shape", shape)?;
                positive("scale", scale)?;
                let w =
                    rand_distr::Weibull::new(scale, shape).map_err(|e| DistError(e.to_string()))?;
                Sampler::Weibull(w, scale * statrs::function::gamma::gamma(1.0 + 1.0 / shape))
            }
            Empirical {
                ref values,
                ref weights,
            } => empirical(values, weights.as_deref())?,
            EmpiricalContinuous { ref values } => empirical_continuous(values)?,
        })
    }
}

/// A normal of `mean` and `sd` truncated to [`min`, `max`], sampled by inversion of its CDF.
fn truncated_normal(mean: f64, sd: f64, min: f64, max: f64) -> Result<Sampler, DistError> {
    finite("mean", mean)?;
    positive("sd", sd)?;
    require(!min.is_nan() && !max.is_nan(), || {
        "min and max must be numbers".into()
    })?;
    require(max > min, || {
        format!("max ({max}) must be greater than min ({min})")
    })?;
    let normal = Normal::new(mean, sd).map_err(|e| DistError(e.to_string()))?;
    let reflect = min > mean;
    let (cdf_min, cdf_max) = if reflect {
        (normal.cdf(2.0 * mean - max), normal.cdf(2.0 * mean - min))
    } else {
        (normal.cdf(min), normal.cdf(max))
    };
    require(cdf_max - cdf_min > 1e-12, || {
        format!("[{min}, {max}] holds almost no probability of Normal(mean {mean}, sd {sd})")
    })?;
    Ok(Sampler::TruncatedNormal {
        normal,
        mean,
        sd,
        cdf_min,
        cdf_max,
        bounds: (min, max),
        reflect,
    })
}

/// A discrete empirical distribution of `values` with `weights` (equal weights when absent).
fn empirical(values: &[f64], weights: Option<&[f64]>) -> Result<Sampler, DistError> {
    require(!values.is_empty(), || "values must not be empty".into())?;
    for &v in values {
        finite("each value", v)?;
    }
    let weights = match weights {
        Some(w) => {
            require(w.len() == values.len(), || {
                format!(
                    "weights has {} entries but values has {}",
                    w.len(),
                    values.len()
                )
            })?;
            require(w.iter().all(|&x| x.is_finite() && x >= 0.0), || {
                "weights must be finite and >= 0".into()
            })?;
            w.to_vec()
        }
        None => vec![1.0; values.len()],
    };
    let total: f64 = weights.iter().sum();
    require(total > 0.0, || "weights must not all be zero".into())?;
    let mut acc = 0.0;
    let mut cumulative: Vec<f64> = weights
        .iter()
        .map(|w| {
            acc += w;
            acc / total
        })
        .collect();
    *cumulative.last_mut().expect("non-empty") = 1.0;
    Ok(Sampler::Empirical {
        values: values.to_vec().into(),
        cumulative: cumulative.into(),
    })
}

/// A continuous empirical distribution over the observed `values` (linear between sorted knots).
fn empirical_continuous(values: &[f64]) -> Result<Sampler, DistError> {
    require(values.len() >= 2, || {
        "values needs at least two observations".into()
    })?;
    for &v in values {
        finite("each value", v)?;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    require(sorted[0] < sorted[sorted.len() - 1], || {
        "values must not all be equal".into()
    })?;
    Ok(Sampler::EmpiricalContinuous(sorted.into()))
}

impl Sampler {
    /// Draws one value.
    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match self {
            Sampler::Constant(v) => *v,
            Sampler::Exponential(d, _) => d.sample(rng),
            Sampler::Uniform(d, _, _) => d.sample(rng),
            Sampler::Triangular(d, _) => d.sample(rng),
            Sampler::TruncatedNormal {
                normal,
                mean,
                cdf_min,
                cdf_max,
                bounds,
                reflect,
                ..
            } => {
                let u: f64 = rng.random();
                let x = normal.inverse_cdf(cdf_min + u * (cdf_max - cdf_min));
                let x = if *reflect { 2.0 * mean - x } else { x };
                x.clamp(bounds.0, bounds.1)
            }
            Sampler::Lognormal(d, _) => d.sample(rng),
            Sampler::Gamma(d, _) => d.sample(rng),
            Sampler::Weibull(d, _) => d.sample(rng),
            Sampler::Empirical { values, cumulative } => {
                let u: f64 = rng.random();
                let i = cumulative
                    .partition_point(|&c| c <= u)
                    .min(values.len() - 1);
                values[i]
            }
            Sampler::EmpiricalContinuous(knots) => {
                let u: f64 = rng.random();
                let position = u * (knots.len() - 1) as f64;
                let i = (position as usize).min(knots.len() - 2);
                let fraction = position - i as f64;
                knots[i] + fraction * (knots[i + 1] - knots[i])
            }
        }
    }

    /// The mean of the distribution (exact, from the parameters).
    pub fn mean(&self) -> f64 {
        match self {
            Sampler::Constant(v) => *v,
            Sampler::Exponential(_, m)
            | Sampler::Triangular(_, m)
            | Sampler::Lognormal(_, m)
            | Sampler::Gamma(_, m)
            | Sampler::Weibull(_, m) => *m,
            Sampler::Uniform(_, a, b) => (a + b) / 2.0,
            Sampler::TruncatedNormal {
                mean: mu,
                sd: sigma,
                cdf_min,
                cdf_max,
                bounds,
                ..
            } => {
                // E[X | a < X < b] = mu + sigma * (phi(alpha) - phi(beta)) / (Phi(beta) - Phi(alpha)).
                let (mu, sigma) = (*mu, *sigma);
                let phi = |x: f64| {
                    if x.is_infinite() {
                        0.0
                    } else {
                        (-0.5 * x * x).exp() / (2.0 * std::f64::consts::PI).sqrt()
                    }
                };
                let (alpha, beta) = ((bounds.0 - mu) / sigma, (bounds.1 - mu) / sigma);
                mu + sigma * (phi(alpha) - phi(beta)) / (cdf_max - cdf_min)
            }
            Sampler::Empirical { values, cumulative } => {
                let mut previous = 0.0;
                values
                    .iter()
                    .zip(cumulative.iter())
                    .map(|(v, c)| {
                        let p = c - previous;
                        previous = *c;
                        v * p
                    })
                    .sum()
            }
            Sampler::EmpiricalContinuous(knots) => {
                let gaps = (knots.len() - 1) as f64;
                knots.windows(2).map(|w| (w[0] + w[1]) / 2.0).sum::<f64>() / gaps
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn impossible_parameters_are_rejected_with_the_parameter_named() {
        let cases = [
            (DistSpec::Exponential { mean: -1.0 }, "mean"),
            (DistSpec::Uniform { min: 2.0, max: 1.0 }, "max"),
            (
                DistSpec::Triangular {
                    min: 0.0,
                    mode: 5.0,
                    max: 4.0,
                },
                "mode",
            ),
            (
                DistSpec::Gamma {
                    shape: 0.0,
                    scale: 1.0,
                },
                "shape",
            ),
            (
                DistSpec::Empirical {
                    values: vec![1.0, 2.0],
                    weights: Some(vec![1.0]),
                },
                "weights",
            ),
        ];
        for (spec, word) in cases {
            let err = spec.compile().unwrap_err().0;
            assert!(err.contains(word), "{spec:?}: {err}");
        }
    }

    #[test]
    fn streams_depend_only_on_seed_replication_and_name() {
        let s = StreamSeeder::new(7);
        let a: u64 = s.stream(3, "arrivals").random();
        let _other: u64 = s.stream(3, "service").random();
        assert_eq!(a, s.stream(3, "arrivals").random::<u64>());
        assert_ne!(a, s.stream(4, "arrivals").random::<u64>());
        assert_ne!(
            a,
            StreamSeeder::new(8).stream(3, "arrivals").random::<u64>()
        );
    }

    /// Sample means of every distribution agree with the analytic mean within 4 standard errors.
    #[test]
    fn sample_means_match_analytic_means() {
        let specs = [
            DistSpec::Exponential { mean: 2.0 },
            DistSpec::Uniform { min: 1.0, max: 3.0 },
            DistSpec::Triangular {
                min: 0.0,
                mode: 1.0,
                max: 5.0,
            },
            DistSpec::TruncatedNormal {
                mean: 1.0,
                sd: 2.0,
                min: 0.0,
                max: f64::INFINITY,
            },
            DistSpec::TruncatedNormal {
                mean: 0.0,
                sd: 1.0,
                min: 6.0,
                max: 7.0,
            },
            DistSpec::Lognormal { mean: 3.0, sd: 1.5 },
            DistSpec::Gamma {
                shape: 2.0,
                scale: 1.5,
            },
            DistSpec::Weibull {
                shape: 1.5,
                scale: 2.0,
            },
            DistSpec::Empirical {
                values: vec![1.0, 2.0, 10.0],
                weights: Some(vec![1.0, 2.0, 1.0]),
            },
            DistSpec::EmpiricalContinuous {
                values: vec![0.0, 1.0, 4.0],
            },
        ];
        for spec in specs {
            let sampler = spec.compile().unwrap();
            let mut rng = StreamSeeder::new(1).stream(0, "test");
            let mut tally = crate::des::Tally::new();
            for _ in 0..200_000 {
                tally.record(sampler.sample(&mut rng));
            }
            let standard_error = tally.std_dev() / (tally.count() as f64).sqrt();
            let gap = (tally.mean() - sampler.mean()).abs();
            assert!(
                gap < 4.0 * standard_error,
                "{spec:?}: sample {} vs analytic {}",
                tally.mean(),
                sampler.mean()
            );
        }
    }
}
