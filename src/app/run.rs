//! `hazflow run` (whole, or one shard of a run split over machines): replications in, a complete result
//! directory out. Its results are written by results.rs, where `hazflow merge` (merge.rs) ends too, so a
//! merged run and a single-machine run write their files with the same code from the same folded values.

use std::path::{Path, PathBuf};

use super::merge::ShardRecord;
// Re-exported so the other commands keep reaching the result writers through `run`.
use super::progress::Progress;
use super::results::manifest;
pub(crate) use super::results::{ResultSink, write_json, write_results};
use super::{AppError, load_scenario};
use crate::experiment::{
    CHUNK_REPLICATIONS, Checkpoints, RunError, RunSettings, Runner, run_model, stored,
};
use crate::model::{Model, compile};
use crate::report::{self, Manifest, RunInfo, StagedDir};
use crate::scenario::LoadedScenario;

/// One block of a run split into `count` contiguous blocks of replications, `index` counted from 1 (as
/// Slurm's `SLURM_ARRAY_TASK_ID` with `--array=1-N`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// Which block, 1..=count.
    pub index: u64,
    /// How many blocks.
    pub count: u64,
}

impl Shard {
    /// Parses `K/N`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let bad = || format!("--shard expects K/N with 1 <= K <= N (e.g. 2/8), got `{text}`");
        let (k, n) = text.split_once('/').ok_or_else(bad)?;
        let index: u64 = k.trim().parse().map_err(|_| bad())?;
        let count: u64 = n.trim().parse().map_err(|_| bad())?;
        if index == 0 || count == 0 || index > count {
            return Err(bad());
        }
        Ok(Self { index, count })
    }

    /// First replication and number of replications of this block of `total` (blocks differ by at most
    /// one replication).
    pub fn range(&self, total: u64) -> (u64, u64) {
        // In 128 bits: `total * index` overflows 64 bits for totals above 2^63 / N.
        let at = |k: u64| (total as u128 * k as u128 / self.count as u128) as u64;
        let (start, end) = (at(self.index - 1), at(self.index));
        (start, end - start)
    }
}

/// Options of `hazflow run`.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// Scenario file (`None`: the built-in default).
    pub scenario: Option<PathBuf>,
    /// Replications (default: the scenario's).
    pub replications: Option<u64>,
    /// Master seed (default: the scenario's).
    pub seed: Option<u64>,
    /// Worker threads (default: all cores).
    pub threads: Option<usize>,
    /// Output directory (default: `outputs/<scenario>-<UTC time>`).
    pub out: Option<PathBuf>,
    /// Show a progress bar on stderr.
    pub progress: bool,
    /// Skip the plots.
    pub no_plots: bool,
    /// Cell size of the individual-risk map, m (default: the scenario's `[risk.grid] cell_m`).
    pub ir_cell_m: Option<f64>,
    /// Run only this block of the replications and store them for `hazflow merge`.
    pub shard: Option<Shard>,
    /// Stop once the risk figures reach this precision (`replications` is then the cap).
    pub stop: Option<crate::experiment::StopRule>,
    /// Budgets checked before running.
    pub limits: super::Limits,
    /// Command line, for `run-info.json`.
    pub command: Vec<String>,
}

/// Replications at most with `--target-rse` when `--reps` is not given.
pub const TARGET_RSE_CAP: u64 = 2000;

/// What a finished run produced.
#[derive(Debug)]
pub struct RunReport {
    /// Where the outputs are.
    pub out: PathBuf,
    /// The manifest written.
    pub manifest: Manifest,
    /// How it ran.
    pub info: RunInfo,
}

pub(crate) fn default_out(name: &str) -> PathBuf {
    let stamp: String = report::utc_timestamp()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    let base = PathBuf::from("outputs").join(super::batch::dir_name(&format!("{name}-{stamp}")));
    let mut candidate = base.clone();
    let mut k = 2;
    while candidate.exists() {
        candidate = PathBuf::from(format!("{}-{k}", base.display()));
        k += 1;
    }
    candidate
}

/// Most worker threads: more than any machine hazflow runs on has cores.
pub const MAX_THREADS: usize = 1024;

pub(crate) fn thread_count(threads: Option<usize>) -> Result<usize, AppError> {
    let threads =
        threads.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    if threads == 0 {
        return Err(AppError::Usage("--threads must be at least 1".into()));
    }
    // Each worker holds a replication and a risk fold; far more workers than cores only costs memory.
    if threads > MAX_THREADS {
        return Err(AppError::Usage(format!(
            "--threads {threads} is more than the {MAX_THREADS} workers a run may have"
        )));
    }
    Ok(threads)
}

/// A stopping rule must have a target between 0 and 1, a positive floor, and a scenario with risk.
pub(crate) fn check_stop_rule(
    stop: Option<crate::experiment::StopRule>,
    model: &Model,
) -> Result<(), AppError> {
    let Some(rule) = stop else {
        return Ok(());
    };
    if !(rule.target_rse > 0.0 && rule.target_rse < 1.0) {
        return Err(AppError::Usage(format!(
            "--target-rse expects a relative standard error between 0 and 1 (e.g. 0.1), got {}",
            rule.target_rse
        )));
    }
    if !(rule.floor_per_year > 0.0 && rule.floor_per_year.is_finite()) {
        return Err(AppError::Usage(format!(
            "--rse-floor expects a frequency per year > 0 (e.g. 1e-7), got {}",
            rule.floor_per_year
        )));
    }
    if model.risk.is_none() {
        return Err(AppError::Usage(format!(
            "--target-rse needs a scenario with a [risk] table ({} has none)",
            model.name
        )));
    }
    Ok(())
}

/// Most replications one command may ask for: a billion is weeks of computing even for a tiny model,
/// and beyond it replication indices and shard arithmetic stop meaning anything.
pub const MAX_REPLICATIONS: u64 = 1_000_000_000;

pub(crate) fn check_replications(replications: u64) -> Result<(), AppError> {
    if replications == 0 {
        return Err(AppError::Usage("--reps must be at least 1".into()));
    }
    if replications > MAX_REPLICATIONS {
        return Err(AppError::Usage(format!(
            "--reps {replications} is more than the {MAX_REPLICATIONS} replications a run may have"
        )));
    }
    Ok(())
}

pub(crate) fn check_ir_cell(ir_cell_m: Option<f64>) -> Result<(), AppError> {
    match ir_cell_m {
        Some(cell) if !(cell.is_finite() && cell > 0.0) => Err(AppError::Usage(format!(
            "--ir-cell-m must be a size > 0 m, got {cell}"
        ))),
        _ => Ok(()),
    }
}

/// Path and text of every file the scenario was read from (scenario chain, then risk data).
fn stored_files(loaded: &LoadedScenario) -> Vec<(PathBuf, String)> {
    let risk = loaded.risk_data.iter().flat_map(|r| r.files().iter());
    loaded
        .files()
        .iter()
        .chain(risk)
        .map(|(p, t)| (p.to_path_buf(), t.to_string()))
        .collect()
}

/// A scenario ready to run, with what its manifest records about where it came from.
pub(crate) struct Prepared {
    pub loaded: LoadedScenario,
    pub scenario_path: String,
    pub model: Model,
}

impl Prepared {
    pub(crate) fn from_loaded(
        loaded: LoadedScenario,
        scenario_path: String,
    ) -> Result<Self, AppError> {
        let model = compile(&loaded)?;
        Ok(Self {
            loaded,
            scenario_path,
            model,
        })
    }
}

/// One run to do or to finish: a prepared scenario, which replications, and how to report them.
pub(crate) struct Job<'a> {
    pub prepared: &'a Prepared,
    pub settings: RunSettings,
    pub no_plots: bool,
    pub command: &'a [String],
}

/// Runs `settings` of a prepared scenario into `dir` (which must exist and be empty of results): every
/// output file, `run-info.json` included. With `checkpoints`, replications are kept on disk in chunks and
/// chunks already there are reused (a resumed batch).
pub(crate) fn run_into(
    dir: &Path,
    job: &Job,
    runner: &Runner,
    progress: &Progress,
    checkpoints: Option<&Checkpoints>,
) -> Result<(Manifest, RunInfo), AppError> {
    // On the runner's pool, so that the risk fold and analysis use its threads (`--threads`) too.
    runner.install(|| run_on_pool(dir, job, runner, progress, checkpoints))
}

fn run_on_pool(
    dir: &Path,
    job: &Job,
    runner: &Runner,
    progress: &Progress,
    checkpoints: Option<&Checkpoints>,
) -> Result<(Manifest, RunInfo), AppError> {
    let model = &job.prepared.model;
    let mut sink = ResultSink::create(dir, model, job.settings.replications)?;
    let planned = job.settings.replications;
    let reused = checkpoints.map_or(0, |c| count_stored(&c.dir));
    let summary = run_model(
        model,
        job.settings,
        runner,
        &|| progress.inc(1),
        checkpoints,
        |replication, output| sink.write(replication, output),
    )?;
    sink.finish(planned, summary.replications)?;
    if summary.bad_event_times > 0 {
        eprintln!(
            "warning: {} events were scheduled with a negative or non-finite delay and ran at once: a bug \
             in the model, please report it with the scenario",
            summary.bad_event_times
        );
    }
    progress.phase(if model.risk.is_some() {
        "risk analysis and reports"
    } else {
        "reports"
    });
    let (manifest, risk_analysis_seconds) = write_results(dir, job, &summary)?;
    let info = RunInfo::finished(
        job.command,
        runner.threads(),
        summary.wall_seconds,
        summary.events,
        risk_analysis_seconds,
        reused,
    );
    write_json(&dir.join("run-info.json"), &info)?;
    Ok((manifest, info))
}

fn count_stored(dir: &Path) -> u64 {
    stored::list_chunks(dir)
        .map(|chunks| chunks.iter().map(|(first, end, _)| end - first).sum())
        .unwrap_or(0)
}

/// Runs a scenario's replications and writes `manifest.json`, `run-info.json`, `summary.csv`,
/// `replications.csv`, `timeseries.csv`, the risk files and `plots/` into a fresh directory; with a shard,
/// writes only that block's stored replications and `shard.json`, for `hazflow merge`.
pub fn run(options: &RunOptions) -> Result<RunReport, AppError> {
    let (loaded, scenario_path) = load_scenario(options.scenario.as_deref())?;
    let prepared = Prepared::from_loaded(loaded, scenario_path)?;
    for warning in &prepared.model.warnings {
        eprintln!("warning: {warning}");
    }
    let header = &prepared.loaded.scenario.scenario;
    check_stop_rule(options.stop, &prepared.model)?;
    let default_reps = if options.stop.is_some() {
        TARGET_RSE_CAP
    } else {
        header.replications
    };
    let replications = options.replications.unwrap_or(default_reps);
    check_replications(replications)?;
    let threads = thread_count(options.threads)?;
    check_ir_cell(options.ir_cell_m)?;
    options
        .limits
        .check_model(&prepared.loaded, &prepared.model, options.ir_cell_m)?;
    let seed = options.seed.unwrap_or(header.seed);
    let out = options
        .out
        .clone()
        .unwrap_or_else(|| default_out(&prepared.model.name));
    let staged = StagedDir::create(&out)?;
    let runner = Runner::new(threads).map_err(RunError::from)?;
    let (first_replication, block) = match options.shard {
        Some(shard) => shard.range(replications),
        None => (0, replications),
    };
    let settings = RunSettings {
        max_in_system: options.limits.max_in_system,
        seed,
        first_replication,
        replications: block,
        ir_cell_m: options.ir_cell_m,
        keep_accidents: false,
        // A shard runs its whole block: only the merge sees the sequence the rule is checked on.
        stop: if options.shard.is_some() {
            None
        } else {
            options.stop
        },
    };
    let bar = Progress::new(block, options.progress, &prepared.model.name);
    let (manifest, info) = match options.shard {
        None => {
            let job = Job {
                prepared: &prepared,
                settings,
                no_plots: options.no_plots,
                command: &options.command,
            };
            let done = run_into(staged.path(), &job, &runner, &bar, None);
            bar.finish_and_clear();
            done?
        }
        Some(shard) => {
            let checkpoints = Checkpoints {
                dir: staged.path().to_path_buf(),
                chunk_replications: CHUNK_REPLICATIONS,
            };
            let summary = runner.install(|| {
                run_model(
                    &prepared.model,
                    settings,
                    &runner,
                    &|| bar.inc(1),
                    Some(&checkpoints),
                    |_, _| Ok(()),
                )
            });
            bar.finish_and_clear();
            let summary = summary?;
            let info = RunInfo::finished(
                &options.command,
                threads,
                summary.wall_seconds,
                summary.events,
                0.0,
                0,
            );
            let record = ShardRecord {
                hazflow_version: env!("CARGO_PKG_VERSION").to_string(),
                scenario: prepared.model.name.clone(),
                scenario_path: prepared.scenario_path.clone(),
                loaded_path: prepared.loaded.path.clone(),
                scenario_sha256: prepared.loaded.sha256(),
                files: stored_files(&prepared.loaded),
                seed,
                replications_total: replications,
                shard_index: shard.index,
                shard_count: shard.count,
                first_replication,
                replications: block,
                ir_cell_m: options.ir_cell_m,
                target_rse: options.stop.map(|r| r.target_rse),
                rse_floor: options.stop.map(|r| r.floor_per_year),
                info: info.clone(),
            };
            write_json(&staged.path().join("shard.json"), &record)?;
            // The shard's own block as a run (returned to the CLI, not written; no map is drawn).
            let manifest = manifest(&prepared, settings, &summary, 0);
            (manifest, info)
        }
    };
    let out = staged.commit()?;
    Ok(RunReport {
        out,
        manifest,
        info,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_partition_the_replications() {
        // Issue "Reliability" item 12: 2^63 replications in 2 shards overflowed `total * index`.
        for total in [1, 7, 200, 1 << 63, u64::MAX] {
            for count in 1..=9 {
                let mut next = 0;
                for index in 1..=count {
                    let (first, n) = Shard { index, count }.range(total);
                    assert_eq!(first, next);
                    assert!(n.abs_diff(total / count) <= 1);
                    next = first + n;
                }
                assert_eq!(next, total);
            }
        }
        let huge = Shard {
            index: u64::MAX,
            count: u64::MAX,
        };
        assert_eq!(huge.range(u64::MAX), (u64::MAX - 1, 1));
        assert_eq!(Shard::parse("2/8"), Ok(Shard { index: 2, count: 8 }));
        for bad in ["0/3", "4/3", "x/2", "3", "1/0"] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
    }
}
