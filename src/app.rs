//! The commands behind the CLI, as library functions: load a scenario (from disk or the built-in copy),
//! run it, write the outputs atomically. `main.rs` only parses arguments and maps errors to exit codes.

use std::path::{Path, PathBuf};

use crate::experiment::{RunError, RunSettings, Runner, run_model};
use crate::model::{Model, compile};
use crate::report::{self, Manifest, ReplicationsWriter, ReportError, ScenarioFileInfo, StagedDir};
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
            | AppError::Report(ReportError::Exists(_)) => 2,
            AppError::Report(_) | AppError::Run(_) => 1,
        }
    }
}

/// Loads a scenario from `path`, or the built-in default when `path` is `None`.
pub fn load_scenario(path: Option<&Path>) -> Result<(LoadedScenario, String), AppError> {
    match path {
        Some(p) => Ok((scenario::load(p)?, p.display().to_string())),
        None => {
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
pub fn validate(path: &Path) -> Result<ValidationReport, AppError> {
    let (loaded, _) = load_scenario(Some(path))?;
    let model = compile(&loaded)?;
    Ok(ValidationReport {
        provenance: loaded.provenance(),
        assumptions: loaded.scenario.assumption.len(),
        model,
    })
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
    /// Command line, for the manifest.
    pub command: Vec<String>,
}

/// What a finished run produced.
#[derive(Debug)]
pub struct RunReport {
    /// Where the outputs are.
    pub out: PathBuf,
    /// The manifest written.
    pub manifest: Manifest,
}

fn default_out(name: &str) -> PathBuf {
    let stamp: String = report::utc_timestamp()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    let base = PathBuf::from("outputs").join(format!("{name}-{stamp}"));
    let mut candidate = base.clone();
    let mut k = 2;
    while candidate.exists() {
        candidate = PathBuf::from(format!("{}-{k}", base.display()));
        k += 1;
    }
    candidate
}

/// Runs a scenario's replications and writes `manifest.json`, `summary.csv`, `replications.csv`,
/// `timeseries.csv` and `plots/` into a fresh directory.
pub fn run(options: &RunOptions) -> Result<RunReport, AppError> {
    let (loaded, scenario_path) = load_scenario(options.scenario.as_deref())?;
    let model = compile(&loaded)?;
    for warning in &model.warnings {
        eprintln!("warning: {warning}");
    }
    let header = &loaded.scenario.scenario;
    let replications = options.replications.unwrap_or(header.replications);
    if replications == 0 {
        return Err(AppError::Usage("--reps must be at least 1".into()));
    }
    let threads = options
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    if threads == 0 {
        return Err(AppError::Usage("--threads must be at least 1".into()));
    }
    if let Some(cell) = options.ir_cell_m
        && !(cell.is_finite() && cell > 0.0)
    {
        return Err(AppError::Usage(format!(
            "--ir-cell-m must be a size > 0 m, got {cell}"
        )));
    }
    let settings = RunSettings {
        seed: options.seed.unwrap_or(header.seed),
        first_replication: 0,
        replications,
    };
    let out = options
        .out
        .clone()
        .unwrap_or_else(|| default_out(&model.name));
    let staged = StagedDir::create(&out)?;
    let runner = Runner::new(threads).map_err(RunError::from)?;

    let bar = if options.progress {
        indicatif::ProgressBar::new(replications)
    } else {
        indicatif::ProgressBar::hidden()
    };
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} {msg} [{bar:30}] {pos}/{len} replications, {elapsed} elapsed, ETA {eta}",
        )
        .expect("valid template")
        .progress_chars("=> "),
    );
    bar.set_message(model.name.clone());
    let mut writer =
        ReplicationsWriter::create(&staged.path().join("replications.csv"), &model.name)?;
    let summary = run_model(
        &model,
        settings,
        &runner,
        &|| bar.inc(1),
        |replication, output| writer.write(replication, output).map_err(|e| e.to_string()),
    );
    bar.finish_and_clear();
    let summary = summary?;
    writer.finish()?;
    let risk_started = std::time::Instant::now();
    let risk = runner.install(|| {
        crate::experiment::risk_analysis::analyse(
            &model,
            &summary.accidents,
            settings.first_replication,
            replications,
            options.ir_cell_m,
        )
    });
    report::write_summary(
        &staged.path().join("summary.csv"),
        &model.name,
        &summary,
        risk.as_ref(),
        replications,
    )?;
    let risk_analysis_seconds = risk_started.elapsed().as_secs_f64();
    if let Some(analysis) = &risk {
        report::write_risk_files(
            staged.path(),
            &model.name,
            &model,
            &summary.accidents,
            analysis,
        )?;
        if !options.no_plots {
            report::write_risk_plots(&staged.path().join("plots"), &model.name, &model, analysis)?;
        }
    }
    report::write_timeseries(&staged.path().join("timeseries.csv"), &model.name, &summary)?;
    if !options.no_plots {
        report::write_plots(
            &staged.path().join("plots"),
            &model.name,
            &summary,
            model.warmup_h / 24.0,
        )?;
    }
    let manifest = Manifest {
        hazflow_version: env!("CARGO_PKG_VERSION").to_string(),
        scenario: model.name.clone(),
        scenario_path,
        scenario_sha256: loaded.sha256(),
        scenario_files: loaded
            .files()
            .iter()
            .map(|(path, text)| ScenarioFileInfo {
                path: path.display().to_string(),
                sha256: sha256_hex(text),
            })
            .collect(),
        seed: settings.seed,
        first_replication: settings.first_replication,
        replications,
        threads,
        warmup_days: model.warmup_h / 24.0,
        horizon_days: model.horizon_h / 24.0,
        events: summary.events,
        wall_seconds: summary.wall_seconds,
        events_per_second: summary.events as f64 / summary.wall_seconds.max(1e-9),
        worst_mass_balance_relative_error: summary.worst_mass_balance_error,
        finished_utc: report::utc_timestamp(),
        command: options.command.clone(),
        risk_data_files: loaded
            .risk_data
            .iter()
            .flat_map(|r| r.files().iter())
            .map(|(path, text)| ScenarioFileInfo {
                path: path.display().to_string(),
                sha256: sha256_hex(text),
            })
            .collect(),
        risk_map_cells: risk.as_ref().map_or(0, |r| r.map.grid.nx * r.map.grid.ny),
        risk_analysis_seconds,
    };
    let manifest_path = staged.path().join("manifest.json");
    let json = serde_json::to_string_pretty(&manifest).expect("the manifest serialises");
    std::fs::write(&manifest_path, json + "\n").map_err(|source| ReportError::Io {
        path: manifest_path.clone(),
        source,
    })?;
    let out = staged.commit()?;
    Ok(RunReport { out, manifest })
}

fn sha256_hex(text: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
