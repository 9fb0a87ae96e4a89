//! The commands behind the CLI, as library functions: load a scenario (from disk or the built-in copy),
//! run it (whole, as a shard, in batches and sweeps), merge shards, compare, write the outputs
//! atomically. `main.rs` only parses arguments and maps errors to exit codes.

use std::path::{Path, PathBuf};

mod batch;
mod case_study;
mod compare;
mod findings;
mod findings_record;
mod limits;
mod merge;
mod progress;
mod results;
mod run;
mod sweep;

pub use batch::{
    BatchOptions, BatchPlan, BatchReport, PlannedVariant, Variant, batch_variants, run_batch,
    sweep_variants,
};
pub use case_study::{CASE_STUDY_FILE, CaseStudy, Figure};
pub use compare::{CompareReport, ComparisonSummary, HeadlineRow, compare, read_replications};
pub use findings::{FindingsOptions, findings};
pub use limits::Limits;
pub use merge::{MergeOptions, ShardRecord, merge};
pub use run::{RunOptions, RunReport, Shard, run};
pub use sweep::SweepSetting;

use crate::experiment::RunError;
use crate::model::{Model, compile};
use crate::report::ReportError;
use crate::scenario::{self, EmbeddedFiles, LoadedScenario, ScenarioError};

/// Why a command failed; `exit_code` tells the shell.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The scenario is invalid (exit 2).
    #[error("{0}")]
    Scenario(#[from] ScenarioError),
    /// A bad option value (exit 2).
    #[error("{0}")]
    Usage(String),
    /// Outputs could not be written (exit 2 if the directory exists, else 1).
    #[error("{0}")]
    Report(#[from] ReportError),
    /// The run failed (exit 1).
    #[error("{0}")]
    Run(#[from] RunError),
}

impl AppError {
    /// 2 for bad input (the user must change something), 1 for failures while running.
    pub fn exit_code(&self) -> i32 {
        match self {
            AppError::Scenario(_)
            | AppError::Usage(_)
            | AppError::Report(ReportError::Exists(_) | ReportError::NotADirectoryName(_))
            // An input whose queues grow without bound: the user must change it.
            | AppError::Run(RunError::Saturated { .. }) => 2,
            AppError::Report(_) | AppError::Run(_) => 1,
        }
    }
}

/// Loads a scenario from `path`. Without one: the default scenario of the checkout the command runs in
/// (`scenarios/liuzhou-2025-plan.toml`, so edits to it count), or else the copy built into the binary;
/// stderr says which.
pub fn load_scenario(path: Option<&Path>) -> Result<(LoadedScenario, String), AppError> {
    let default_on_disk = Path::new("scenarios").join(EmbeddedFiles::default_scenario());
    match path {
        Some(p) => Ok((scenario::load(p)?, p.display().to_string())),
        None if default_on_disk.is_file() => {
            eprintln!(
                "no scenario given: running {} of this checkout",
                default_on_disk.display()
            );
            let loaded = scenario::load(&default_on_disk)?;
            Ok((loaded, default_on_disk.display().to_string()))
        }
        None => {
            eprintln!(
                "no scenario given and no {} here: running the copy built into hazflow",
                default_on_disk.display()
            );
            let default = EmbeddedFiles::default_scenario();
            let loaded = scenario::load_with(default, &EmbeddedFiles::shipped())?;
            Ok((loaded, format!("embedded:{}", default.display())))
        }
    }
}

/// Loads risk data layers from disk, or the built-in Purple Book set when `paths` is empty.
pub fn load_risk_data(paths: &[PathBuf]) -> Result<scenario::RiskData, AppError> {
    let loaded = if paths.is_empty() {
        scenario::load_risk_data(
            &[EmbeddedFiles::default_risk_data().to_path_buf()],
            &EmbeddedFiles::shipped(),
        )?
    } else {
        scenario::load_risk_data(paths, &scenario::DiskFiles)?
    };
    Ok(loaded.data)
}

/// `hazflow effect`: evaluates one effect model, returns the JSON object to print.
pub fn effect(
    command: &crate::assess::effect::EffectCommand,
    data_files: &[PathBuf],
) -> Result<serde_json::Value, AppError> {
    let data = load_risk_data(data_files)?;
    crate::assess::effect::evaluate(command, &data).map_err(AppError::Usage)
}

/// `hazflow cascade`: conditional domino analysis of a layout, returns the JSON object to print.
pub fn cascade(
    layout: &Path,
    options: &crate::assess::cascade::CascadeOptions,
    data_files: &[PathBuf],
) -> Result<serde_json::Value, AppError> {
    if !options.exact && options.trials == 0 {
        return Err(AppError::Usage("--trials must be at least 1".into()));
    }
    let data = load_risk_data(data_files)?;
    Ok(crate::assess::cascade::analyse(layout, options, &data)?)
}

/// What `hazflow validate` reports.
#[derive(Debug)]
pub struct ValidationReport {
    /// The compiled model.
    pub model: Model,
    /// Source counts.
    pub provenance: scenario::Provenance,
    /// Assumptions listed.
    pub assumptions: usize,
}

/// Loads and compiles a scenario without running it.
pub fn validate(path: &Path, limits: &Limits) -> Result<ValidationReport, AppError> {
    let (loaded, _) = load_scenario(Some(path))?;
    let model = compile(&loaded)?;
    limits.check_model(&loaded, &model, None)?;
    Ok(ValidationReport {
        provenance: loaded.provenance(),
        assumptions: loaded.scenario.assumption.len(),
        model,
    })
}

pub(crate) fn sha256_hex(text: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
