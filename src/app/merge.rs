//! `hazflow merge`: shards of a run (`hazflow run --shard K/N`), possibly computed on many machines,
//! folded back into one result directory, byte-identical to a single-machine run.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::AppError;
use super::run::{
    Job, Prepared, ResultSink, RunReport, default_out, thread_count, write_json, write_results,
};
use crate::experiment::{RunError, RunSettings, Runner, fold_chunks, stored};
use crate::report::{RunInfo, StagedDir};
use crate::scenario::{self, MemoryFiles};

/// `shard.json`: everything `hazflow merge` needs besides the stored replications, including the text of
/// every scenario and risk-data file, so shards can be merged where the scenario files are not.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ShardRecord {
    /// hazflow version that ran the shard.
    pub hazflow_version: String,
    /// Scenario name.
    pub scenario: String,
    /// Path given on the command line (or `embedded:<name>`).
    pub scenario_path: String,
    /// The path the scenario was loaded from (the top of the `extends` chain).
    pub loaded_path: PathBuf,
    /// SHA-256 of the scenario and risk data (as in the manifest).
    pub scenario_sha256: String,
    /// Path and text of every scenario and risk-data file read.
    pub files: Vec<(PathBuf, String)>,
    /// Master seed.
    pub seed: u64,
    /// Replications of the whole run.
    pub replications_total: u64,
    /// This shard.
    pub shard_index: u64,
    /// Number of shards.
    pub shard_count: u64,
    /// First replication of this shard.
    pub first_replication: u64,
    /// Replications of this shard.
    pub replications: u64,
    /// Individual-risk map cell size given to the run, m.
    pub ir_cell_m: Option<f64>,
    /// Target relative standard error of `--target-rse` (the merge stops where a single run would).
    #[serde(default)]
    pub target_rse: Option<f64>,
    /// Its floor, per year.
    #[serde(default)]
    pub rse_floor: Option<f64>,
    /// How the shard ran.
    pub info: RunInfo,
}

/// Options of `hazflow merge`.
#[derive(Clone, Debug, Default)]
pub struct MergeOptions {
    /// Shard directories written by `hazflow run --shard K/N`, in any order.
    pub shards: Vec<PathBuf>,
    /// Output directory (default: `outputs/<scenario>-<UTC time>`).
    pub out: Option<PathBuf>,
    /// Worker threads for the risk map (default: all cores).
    pub threads: Option<usize>,
    /// Skip the plots.
    pub no_plots: bool,
    /// Budgets (the risk map's cells are checked again).
    pub limits: super::Limits,
    /// Command line, for `run-info.json`.
    pub command: Vec<String>,
}

fn read_shard(dir: &Path) -> Result<ShardRecord, AppError> {
    let path = dir.join("shard.json");
    let text = std::fs::read_to_string(&path).map_err(|e| {
        AppError::Usage(format!(
            "{} is not a shard directory (cannot read {}: {e}); shards are written by `hazflow run --shard K/N`",
            dir.display(),
            path.display()
        ))
    })?;
    serde_json::from_str(&text).map_err(|e| {
        AppError::Usage(format!(
            "{}: not a hazflow shard record: {e}",
            path.display()
        ))
    })
}

/// Checks that the shards are parts of one run and together cover every replication once; returns them
/// in replication order.
fn check_shards(
    mut shards: Vec<(PathBuf, ShardRecord)>,
) -> Result<Vec<(PathBuf, ShardRecord)>, AppError> {
    let Some((first_dir, first)) = shards.first().cloned() else {
        return Err(AppError::Usage(
            "merge needs at least one shard directory".into(),
        ));
    };
    for (dir, shard) in &shards {
        let differs = |what: &str, a: String, b: String| {
            AppError::Usage(format!(
                "{} and {} are not shards of the same run: {what} {a} vs {b}",
                first_dir.display(),
                dir.display()
            ))
        };
        if shard.scenario_sha256 != first.scenario_sha256 {
            return Err(differs(
                "scenario files",
                first.scenario_sha256.clone(),
                shard.scenario_sha256.clone(),
            ));
        }
        if shard.seed != first.seed {
            return Err(differs(
                "seed",
                first.seed.to_string(),
                shard.seed.to_string(),
            ));
        }
        if shard.replications_total != first.replications_total {
            return Err(differs(
                "replications",
                first.replications_total.to_string(),
                shard.replications_total.to_string(),
            ));
        }
        if shard.hazflow_version != first.hazflow_version {
            return Err(differs(
                "hazflow version",
                first.hazflow_version.clone(),
                shard.hazflow_version.clone(),
            ));
        }
        if shard.ir_cell_m != first.ir_cell_m {
            return Err(differs(
                "--ir-cell-m",
                format!("{:?}", first.ir_cell_m),
                format!("{:?}", shard.ir_cell_m),
            ));
        }
    }
    shards.sort_by_key(|(_, s)| s.first_replication);
    let mut next = 0;
    for (dir, shard) in &shards {
        if shard.first_replication != next {
            return Err(AppError::Usage(if shard.first_replication > next {
                format!(
                    "replications {next}..{} are missing: no shard covers them (next shard: {})",
                    shard.first_replication,
                    dir.display()
                )
            } else {
                format!(
                    "{} overlaps another shard at replication {}; give each shard once",
                    dir.display(),
                    shard.first_replication
                )
            }));
        }
        next = shard.first_replication + shard.replications;
    }
    if next != first.replications_total {
        return Err(AppError::Usage(format!(
            "replications {next}..{} are missing: no shard covers them ({} shards of {} given)",
            first.replications_total,
            shards.len(),
            first.shard_count
        )));
    }
    Ok(shards)
}

/// The chunk files of a shard, checked to cover exactly its replications.
fn shard_chunks(dir: &Path, shard: &ShardRecord) -> Result<Vec<PathBuf>, AppError> {
    let chunks = stored::list_chunks(dir).map_err(AppError::Usage)?;
    let mut next = shard.first_replication;
    let mut paths = Vec::new();
    for (first, end, path) in chunks {
        if first != next {
            break;
        }
        next = end;
        paths.push(path);
    }
    if next != shard.first_replication + shard.replications {
        return Err(AppError::Usage(format!(
            "{} is incomplete: its stored replications end at {next}, the shard covers {}..{}",
            dir.display(),
            shard.first_replication,
            shard.first_replication + shard.replications
        )));
    }
    Ok(paths)
}

/// Merges shard directories into one result directory, byte-identical (but for `run-info.json`) to a
/// single-machine run of the same scenario, seed and replications.
pub fn merge(options: &MergeOptions) -> Result<RunReport, AppError> {
    let shards = options
        .shards
        .iter()
        .map(|dir| read_shard(dir).map(|record| (dir.clone(), record)))
        .collect::<Result<Vec<_>, _>>()?;
    let shards = check_shards(shards)?;
    let mut chunks = Vec::new();
    for (dir, shard) in &shards {
        chunks.extend(shard_chunks(dir, shard)?);
    }
    let record = &shards[0].1;
    let files = MemoryFiles::new(record.files.clone(), None);
    let loaded = scenario::load_with(&record.loaded_path, &files)?;
    if loaded.sha256() != record.scenario_sha256 {
        return Err(AppError::Usage(format!(
            "{}: the stored scenario files do not match their recorded checksum",
            shards[0].0.display()
        )));
    }
    let prepared = Prepared::from_loaded(loaded, record.scenario_path.clone())?;
    // The shards passed the same check when they ran; a hand-edited record must not slip past it.
    options
        .limits
        .check_model(&prepared.loaded, &prepared.model, record.ir_cell_m)?;
    let threads = thread_count(options.threads)?;
    let runner = Runner::new(threads).map_err(RunError::from)?;
    let out = options
        .out
        .clone()
        .unwrap_or_else(|| default_out(&prepared.model.name));
    let staged = StagedDir::create(&out)?;
    let settings = RunSettings {
        max_in_system: crate::sim::DEFAULT_MAX_IN_SYSTEM,
        seed: record.seed,
        first_replication: 0,
        replications: record.replications_total,
        ir_cell_m: record.ir_cell_m,
        keep_accidents: false,
        stop: record
            .target_rse
            .map(|target_rse| crate::experiment::StopRule {
                target_rse,
                floor_per_year: record.rse_floor.unwrap_or(1e-7),
            }),
    };
    let mut sink = ResultSink::create(staged.path(), &prepared.model, record.replications_total)?;
    let summary = runner.install(|| {
        fold_chunks(&prepared.model, &chunks, settings, |replication, output| {
            sink.write(replication, output)
        })
    })?;
    sink.finish(record.replications_total, summary.replications)?;
    let job = Job {
        prepared: &prepared,
        settings,
        no_plots: options.no_plots,
        command: &options.command,
    };
    let (manifest, risk_analysis_seconds) = write_results(staged.path(), &job, &summary)?;
    let wall_seconds: f64 = shards.iter().map(|(_, s)| s.info.wall_seconds).sum();
    let info = RunInfo::finished(
        &options.command,
        threads,
        wall_seconds,
        summary.events,
        risk_analysis_seconds,
        record.replications_total,
    );
    write_json(&staged.path().join("run-info.json"), &info)?;
    let out = staged.commit()?;
    Ok(RunReport {
        out,
        manifest,
        info,
    })
}
