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
    /// Stop early once the risk figures are this precise (`replications` is then the cap).
    pub stop: Option<StopRule>,
    /// The saturation guard: a replication holding more consignments and convoys at once fails the run.
    pub max_in_system: usize,
}

/// Run replications in blocks until the key risk figures reach a relative standard error.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StopRule {
    /// Target relative standard error of PLL and of F(N >= n) (e.g. 0.1).
    pub target_rse: f64,
    /// F(N >= n) counts only where F is at least this, per year (e.g. 1e-7).
    pub floor_per_year: f64,
}

/// The stopping rule is checked after every block of this many replications, counted from replication 0,
/// so a single run and any split into shards stop at the same replication.
pub const STOP_BLOCK: u64 = CHUNK_REPLICATIONS;

/// What a run's risk figures reached.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Precision {
    /// Relative standard error of PLL.
    pub pll_rse: f64,
    /// Largest relative standard error of F(N >= n) over every step with F at or above the floor.
    pub fn_rse: f64,
    /// The N where that is.
    pub fn_rse_at_n: f64,
}

impl StopRule {
    /// The precision of a summary so far.
    pub fn precision(&self, summary: &RunSummary) -> Precision {
        let pll = summary
            .get(crate::sim::Metric::PllPerYear, "all", "")
            .map_or(f64::INFINITY, |s| {
                if s.count() > 1 && s.mean() > 0.0 {
                    s.std_dev() / (s.count() as f64).sqrt() / s.mean()
                } else {
                    f64::INFINITY
                }
            });
        let (mut worst, mut at) = (0.0, f64::NAN);
        if let Some(fold) = &summary.risk {
            for step in fold.all.steps() {
                if step.frequency >= self.floor_per_year {
                    let rse = if step.frequency > 0.0 && step.standard_error.is_finite() {
                        step.standard_error / step.frequency
                    } else {
                        f64::INFINITY
                    };
                    if rse > worst {
                        worst = rse;
                        at = step.n;
                    }
                }
            }
        }
        Precision {
            pll_rse: pll,
            fn_rse: worst,
            fn_rse_at_n: at,
        }
    }

    /// True when both reach the target.
    pub fn reached(&self, summary: &RunSummary) -> bool {
        let p = self.precision(summary);
        p.pll_rse <= self.target_rse && p.fn_rse <= self.target_rse
    }
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
    /// The saturation guard stopped a replication: the input describes a system whose queues grow
    /// without bound.
    #[error("replication {replication} stopped: {saturation}")]
    Saturated {
        /// Replication index.
        replication: u64,
        /// Where and how much.
        saturation: Box<crate::sim::Saturation>,
    },
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
    /// Events scheduled at a bad time over all replications (a model bug when not 0).
    pub bad_event_times: u64,
    /// Replications folded (fewer than asked when a stopping rule held).
    pub replications: u64,
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
    pub fn get(
        &self,
        metric: crate::sim::Metric,
        subject: &str,
        detail: &str,
    ) -> Option<&ReplicationStats> {
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
    stop: Option<StopRule>,
    /// The stopping rule held after the last replication accepted: later ones are ignored.
    stopped: bool,
}

impl<S: FnMut(u64, &ReplicationOutput) -> Result<(), String>> Folder<'_, S> {
    fn accept(&mut self, replication: u64, out: ReplicationOutput) {
        if self.failure.is_some() || self.stopped {
            return;
        }
        if let Some(saturation) = out.saturation {
            self.failure = Some(RunError::Saturated {
                replication,
                saturation: Box::new(saturation),
            });
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
        if let Some(rule) = self.stop
            && (replication + 1).is_multiple_of(STOP_BLOCK)
            && rule.reached(&self.summary)
        {
            self.stopped = true;
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
        stop: settings.stop,
        stopped: false,
    };
    let end = settings.first_replication + settings.replications;
    let run_one = |replication| {
        let out = Replication::new(model, &seeder, replication)
            .with_max_in_system(settings.max_in_system)
            .run();
        progress();
        out
    };
    if checkpoints.is_none() && settings.stop.is_some() {
        // Block by block, so that no replication beyond the stopping point is computed.
        let mut start = settings.first_replication;
        while start < end && folder.failure.is_none() && !folder.stopped {
            let block_end = ((start / STOP_BLOCK + 1) * STOP_BLOCK).min(end);
            runner.run(start..block_end, run_one, |replication, out| {
                folder.accept(replication, out)
            });
            start = block_end;
        }
        return folder.finish(started);
    }
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
    while chunk_start < end && folder.failure.is_none() && !folder.stopped {
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
                // A replication cut short by the saturation guard is never stored: a resumed run
                // would take it for a whole one. The fold below fails the run on it.
                if outputs.iter().all(|(_, out)| out.saturation.is_none()) {
                    stored::write_chunk(&path, &outputs).map_err(|e| {
                        RunError::Sink(format!("cannot write {}: {e}", path.display()))
                    })?;
                }
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
        stop: settings.stop,
        stopped: false,
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
    summary.bad_event_times += out.bad_event_times;
    summary.replications += 1;
    summary.worst_mass_balance_error = summary
        .worst_mass_balance_error
        .max(out.mass_balance_relative_error);
    Ok(())
}
