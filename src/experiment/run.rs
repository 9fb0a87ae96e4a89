//! Replications of a compiled model, folded into summaries in replication order.

use std::time::Instant;

use super::{ReplicationStats, Runner, RunnerError, stored};
use crate::des::StreamSeeder;
use crate::model::Model;
use crate::sim::{MetricKey, Replication, ReplicationOutput};

/// Largest relative mass-balance error a replication may show before the run is declared broken.
pub const MASS_BALANCE_TOLERANCE: f64 = 1e-6;

/// What to run.
#[derive(Clone, Copy, Debug)]
pub struct RunSettings {
    /// Master seed.
    pub seed: u64,
    /// Index of the first replication (a shard starts later than 0).
    pub first_replication: u64,
    /// Number of replications.
    pub replications: u64,
    /// Cell size of the individual-risk map folded with the replications, m (default: the scenario's).
    pub ir_cell_m: Option<f64>,
    /// Keep every accident record in the summary (tests and small studies; memory grows with them).
    pub keep_accidents: bool,
}

/// Why a run failed.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The thread pool could not start.
    #[error(transparent)]
    Runner(#[from] RunnerError),
    /// Cargo was lost or created: a model bug that would make every figure wrong.
    #[error(
        "mass balance violated in replication {replication}: demand and delivered + in transit + in stock differ by \
         {relative_error:.3e} of the demand (tolerance {MASS_BALANCE_TOLERANCE:e}); the results are not trustworthy, \
         please report this with the scenario"
    )]
    MassBalance {
        /// Replication index.
        replication: u64,
        /// Relative error.
        relative_error: f64,
    },
    /// The model produced different metric keys in two replications (a model bug).
    #[error("replication {replication} reported different metrics than replication {first}")]
    InconsistentMetrics {
        /// First replication.
        first: u64,
        /// The differing one.
        replication: u64,
    },
    /// The consumer of replication results failed (writing a file).
    #[error("{0}")]
    Sink(String),
}

/// Summaries of every metric and daily series over the replications.
#[derive(Clone, Debug, Default)]
pub struct RunSummary {
    /// Metric keys, in model order.
    pub keys: Vec<MetricKey>,
    /// One summary per key.
    pub stats: Vec<ReplicationStats>,
    /// Daily series keys.
    pub daily_keys: Vec<MetricKey>,
    /// Per day, one summary per daily key.
    pub daily: Vec<Vec<ReplicationStats>>,
    /// Events over all replications.
    pub events: u64,
    /// Largest relative mass-balance error seen.
    pub worst_mass_balance_error: f64,
    /// Wall-clock seconds.
    pub wall_seconds: f64,
    /// The risk analysis folded over the replications (with a risk model).
    pub risk: Option<super::risk_fold::RiskFold>,
    /// Sampled accidents of every replication, in replication order (only with `keep_accidents`).
    pub accidents: Vec<crate::sim::Accident>,
}

impl RunSummary {
    /// The summary of one metric, if the run reported it.
    pub fn get(&self, metric: &str, subject: &str, detail: &str) -> Option<&ReplicationStats> {
        self.keys
            .iter()
            .position(|k| k.metric == metric && k.subject == subject && k.detail == detail)
            .map(|i| &self.stats[i])
    }
}

/// Where a run keeps its replication outputs on disk: in chunks of `chunk_replications`, each written
/// atomically once computed. A run pointed at a directory that already holds some chunks reads them instead
/// of computing them again (resume after a kill), and a shard's chunks are what `hazflow merge` folds.
#[derive(Clone, Debug)]
pub struct Checkpoints {
    /// Directory of the chunk files (created if missing).
    pub dir: std::path::PathBuf,
    /// Replications per chunk.
    pub chunk_replications: u64,
}

/// Replications per checkpoint chunk: small enough that a kill loses little work, large enough that the
/// files stay few. Fixed, not tied to the thread count, so a run resumed with other threads reuses them.
pub const CHUNK_REPLICATIONS: u64 = 16;

/// Folds replication outputs, in replication order, into a [`RunSummary`], stopping at the first failure.
struct Folder<'a, S: FnMut(u64, &ReplicationOutput) -> Result<(), String>> {
    summary: RunSummary,
    first: u64,
    failure: Option<RunError>,
    sink: &'a mut S,
    model: &'a Model,
    keep_accidents: bool,
}

impl<S: FnMut(u64, &ReplicationOutput) -> Result<(), String>> Folder<'_, S> {
    fn accept(&mut self, replication: u64, out: ReplicationOutput) {
        if self.failure.is_some() {
            return;
        }
        if let Err(e) = fold(&mut self.summary, self.first, replication, &out) {
            self.failure = Some(e);
            return;
        }
        if let Err(e) = (self.sink)(replication, &out) {
            self.failure = Some(RunError::Sink(e));
            return;
        }
        if let Some(fold) = &mut self.summary.risk {
            fold.fold(self.model, &out.accidents);
        }
        if self.keep_accidents {
            self.summary.accidents.extend(out.accidents);
        }
    }

    fn finish(self, started: Instant) -> Result<RunSummary, RunError> {
        if let Some(e) = self.failure {
            return Err(e);
        }
        let mut summary = self.summary;
        summary.wall_seconds = started.elapsed().as_secs_f64();
        Ok(summary)
    }
}

/// Runs the replications of `settings` on `runner`, calling `on_replication` with every replication's
/// output in replication order (to stream `replications.csv`), and returns the summaries. With
/// `checkpoints`, outputs are kept on disk in chunks and chunks already there are read, not recomputed.
pub fn run_model(
    model: &Model,
    settings: RunSettings,
    runner: &Runner,
    progress: &(dyn Fn() + Sync),
    checkpoints: Option<&Checkpoints>,
    mut on_replication: impl FnMut(u64, &ReplicationOutput) -> Result<(), String>,
) -> Result<RunSummary, RunError> {
    let started = Instant::now();
    let seeder = StreamSeeder::new(settings.seed);
    let mut folder = Folder {
        summary: RunSummary {
            risk: super::risk_fold::RiskFold::new(model, settings.ir_cell_m),
            ..RunSummary::default()
        },
        first: settings.first_replication,
        failure: None,
        sink: &mut on_replication,
        model,
        keep_accidents: settings.keep_accidents,
    };
    let end = settings.first_replication + settings.replications;
    let run_one = |replication| {
        let out = Replication::new(model, &seeder, replication).run();
        progress();
        out
    };
    let Some(checkpoints) = checkpoints else {
        runner.run(
            settings.first_replication..end,
            run_one,
            |replication, out| folder.accept(replication, out),
        );
        return folder.finish(started);
    };
    std::fs::create_dir_all(&checkpoints.dir)
        .map_err(|e| RunError::Sink(format!("cannot create {}: {e}", checkpoints.dir.display())))?;
    let mut chunk_start = settings.first_replication;
    while chunk_start < end && folder.failure.is_none() {
        let chunk_end = (chunk_start + checkpoints.chunk_replications.max(1)).min(end);
        let path = checkpoints
            .dir
            .join(stored::chunk_file_name(chunk_start, chunk_end));
        let reusable = path
            .exists()
            .then(|| stored::read_chunk(&path).ok())
            .flatten()
            .filter(|outputs| outputs.iter().map(|(r, _)| *r).eq(chunk_start..chunk_end));
        let outputs = match reusable {
            Some(outputs) => {
                (chunk_start..chunk_end).for_each(|_| progress());
                outputs
            }
            None => {
                let mut outputs = Vec::new();
                runner.run(chunk_start..chunk_end, run_one, |replication, out| {
                    outputs.push((replication, out))
                });
                stored::write_chunk(&path, &outputs)
                    .map_err(|e| RunError::Sink(format!("cannot write {}: {e}", path.display())))?;
                outputs
            }
        };
        for (replication, out) in outputs {
            folder.accept(replication, out);
        }
        chunk_start = chunk_end;
    }
    folder.finish(started)
}

/// Folds stored chunk files (in the order given, which must be replication order) as [`run_model`] folds
/// fresh replications: the summary of merged shards is bit-identical to a single run's.
pub fn fold_chunks(
    model: &Model,
    chunks: &[std::path::PathBuf],
    settings: RunSettings,
    mut on_replication: impl FnMut(u64, &ReplicationOutput) -> Result<(), String>,
) -> Result<RunSummary, RunError> {
    let started = Instant::now();
    let mut folder = Folder {
        summary: RunSummary {
            risk: super::risk_fold::RiskFold::new(model, settings.ir_cell_m),
            ..RunSummary::default()
        },
        first: settings.first_replication,
        failure: None,
        sink: &mut on_replication,
        model,
        keep_accidents: settings.keep_accidents,
    };
    for path in chunks {
        for (replication, out) in stored::read_chunk(path).map_err(RunError::Sink)? {
            folder.accept(replication, out);
        }
    }
    folder.finish(started)
}

fn fold(
    summary: &mut RunSummary,
    first: u64,
    replication: u64,
    out: &ReplicationOutput,
) -> Result<(), RunError> {
    // NaN must fail too, hence not `>`.
    if out.mass_balance_relative_error.is_nan()
        || out.mass_balance_relative_error > MASS_BALANCE_TOLERANCE
    {
        return Err(RunError::MassBalance {
            replication,
            relative_error: out.mass_balance_relative_error,
        });
    }
    if summary.keys.is_empty() {
        summary.keys = out.metrics.iter().map(|(k, _)| k.clone()).collect();
        summary.stats = vec![ReplicationStats::new(); summary.keys.len()];
        summary.daily_keys = out.daily.keys.clone();
    }
    if out.metrics.len() != summary.keys.len()
        || out
            .metrics
            .iter()
            .zip(&summary.keys)
            .any(|((k, _), s)| k != s)
    {
        return Err(RunError::InconsistentMetrics { first, replication });
    }
    for (stats, (_, value)) in summary.stats.iter_mut().zip(&out.metrics) {
        stats.record(*value);
    }
    // Days beyond those seen so far get fresh summaries (all replications have the same horizon).
    for (d, day) in out.daily.days.iter().enumerate() {
        if summary.daily.len() <= d {
            summary
                .daily
                .push(vec![ReplicationStats::new(); summary.daily_keys.len()]);
        }
        for (stats, value) in summary.daily[d].iter_mut().zip(day) {
            stats.record(*value);
        }
    }
    summary.events += out.events;
    summary.worst_mass_balance_error = summary
        .worst_mass_balance_error
        .max(out.mass_balance_relative_error);
    Ok(())
}
