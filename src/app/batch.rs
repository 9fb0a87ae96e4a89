//! `hazflow batch` and `hazflow sweep`: several variants run with the same seed and replications (common
//! random numbers), each into `runs/<variant>/` as a complete result, then one tidy table over all of them.
//! Variants run side by side on the worker threads (sharing one pool, or a thread each when there are
//! many), so sweeps of small variants use every core; each variant's result depends only on its own
//! scenario, seed and replications, never on the schedule.
//!
//! Resumable: `batch.json` records the plan; each variant keeps its replications in checkpoint chunks
//! under `.work/` until its result directory is renamed into place. Re-running the same command with
//! `--resume` skips finished variants, reads the finished chunks of the interrupted ones and computes only
//! the rest, so the result is byte-identical to an uninterrupted batch.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::progress::Progress;
use super::run::{
    Job, Prepared, check_ir_cell, check_stop_rule, run_into, thread_count, write_json,
};
use super::sweep::{SweepSetting, display_value, full_factorial, variant_file};
use super::{AppError, load_scenario};
use crate::experiment::{CHUNK_REPLICATIONS, Checkpoints, RunError, RunSettings, Runner, StopRule};
use crate::report::{self, ReportError, RunInfo, StagedDir, io_error};
use crate::scenario::{self, DiskFiles, MemoryFiles};

mod lanes;
use lanes::{Lanes, VariantOutcome};

/// One scenario of a batch, ready to run.
pub struct Variant {
    /// Unique name (the scenario's, or `base@key=value,...` in a sweep).
    pub name: String,
    /// Swept parameter values, in the order of the batch's parameters.
    pub parameters: Vec<String>,
    pub(crate) prepared: Prepared,
}

/// Options shared by `batch`, `sweep` and `compare`.
#[derive(Clone, Debug, Default)]
pub struct BatchOptions {
    /// Replications per variant (default: the first scenario's).
    pub replications: Option<u64>,
    /// Master seed, the same for every variant (default: the first scenario's).
    pub seed: Option<u64>,
    /// Worker threads (default: all cores).
    pub threads: Option<usize>,
    /// Output directory (default: `outputs/<kind>-<UTC time>`).
    pub out: Option<PathBuf>,
    /// Continue the batch already in `out`.
    pub resume: bool,
    /// Show a progress bar.
    pub progress: bool,
    /// Skip the plots.
    pub no_plots: bool,
    /// Individual-risk map cell size, m.
    pub ir_cell_m: Option<f64>,
    /// Replicate each variant until its risk figures reach a relative standard error (`replications`
    /// is then the cap); not for `compare`, whose pairs need equal counts.
    pub stop: Option<StopRule>,
    /// Budgets checked before running.
    pub limits: super::Limits,
    /// Command line.
    pub command: Vec<String>,
}

/// `batch.json`: the plan of a batch, compared on resume so that a different command cannot silently
/// mix its results with an older batch's.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BatchPlan {
    /// `batch`, `sweep` or `compare`.
    pub kind: String,
    /// hazflow version.
    pub hazflow_version: String,
    /// Seed of every variant.
    pub seed: u64,
    /// Replications of every variant.
    pub replications: u64,
    /// Individual-risk map cell size, m.
    pub ir_cell_m: Option<f64>,
    /// Plots drawn (`--no-plots` not given).
    pub plots: bool,
    /// Target relative standard error and its floor per year, with `--target-rse`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_rse: Option<(f64, f64)>,
    /// Swept parameter paths (empty for a batch).
    pub parameters: Vec<String>,
    /// The variants, in run order.
    pub variants: Vec<PlannedVariant>,
}

/// One variant of a [`BatchPlan`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlannedVariant {
    /// Name.
    pub name: String,
    /// Directory under `runs/`.
    pub dir: String,
    /// Values of the swept parameters.
    pub parameters: Vec<String>,
    /// SHA-256 of its scenario files.
    pub scenario_sha256: String,
}

/// What a finished batch produced.
#[derive(Debug)]
pub struct BatchReport {
    /// The batch directory.
    pub out: PathBuf,
    /// The plan.
    pub plan: BatchPlan,
    /// Variants skipped because a previous, interrupted invocation had finished them.
    pub variants_reused: usize,
    /// Wall-clock seconds of this invocation.
    pub wall_seconds: f64,
}

/// Directory name for a variant or a run: its name with anything outside `[A-Za-z0-9._@=,+-]` replaced,
/// and a leading dot too, so that no name (`..`, `.`, `/etc`, an empty one) can leave the folder it is
/// written in or hide in it.
pub(crate) fn dir_name(name: &str) -> String {
    let safe: String = name
        .chars()
        .enumerate()
        .map(|(i, c)| {
            if (c.is_ascii_alphanumeric() || "._@=,+-".contains(c)) && !(i == 0 && c == '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if safe.is_empty() { "_".into() } else { safe }
}

/// Loads the scenario files of `hazflow batch`; repeated names get `-2`, `-3`, ...
pub fn batch_variants(scenarios: &[PathBuf]) -> Result<Vec<Variant>, AppError> {
    let mut variants: Vec<Variant> = Vec::new();
    for path in scenarios {
        let (loaded, scenario_path) = load_scenario(Some(path))?;
        let prepared = Prepared::from_loaded(loaded, scenario_path)?;
        let mut name = prepared.model.name.clone();
        let mut k = 2;
        while variants.iter().any(|v| v.name == name) {
            name = format!("{}-{k}", prepared.model.name);
            k += 1;
        }
        variants.push(Variant {
            name,
            parameters: Vec::new(),
            prepared,
        });
    }
    Ok(variants)
}

/// Builds the variants of `hazflow sweep`: the full factorial of the settings' values on `base`.
pub fn sweep_variants(
    base: &Path,
    settings: &[SweepSetting],
    limits: &super::Limits,
) -> Result<Vec<Variant>, AppError> {
    if settings.is_empty() {
        return Err(AppError::Usage(
            "sweep needs at least one --set PATH=VALUES".into(),
        ));
    }
    let counts: Vec<usize> = settings.iter().map(|s| s.values.len()).collect();
    limits.check_variants(&counts)?;
    let (base_loaded, _) = load_scenario(Some(base))?;
    let base_name = base_loaded.scenario.scenario.name.clone();
    let base_file = base
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| AppError::Usage(format!("{} is not a file", base.display())))?;
    let stem = base_file.trim_end_matches(".toml").to_string();
    let directory = base.parent().unwrap_or(Path::new(""));
    let mut variants = Vec::new();
    for (k, choice) in full_factorial(settings).iter().enumerate() {
        let values: Vec<String> = settings
            .iter()
            .zip(choice)
            .map(|(s, &v)| display_value(&s.values[v]))
            .collect();
        let label: Vec<String> = settings
            .iter()
            .zip(&values)
            .map(|(s, v)| format!("{}={v}", s.label()))
            .collect();
        let name = format!("{base_name}@{}", label.join(","));
        let text = variant_file(&base_file, &name, settings, choice).map_err(AppError::Usage)?;
        // The variant lives beside its base, so that `extends` and the risk data resolve as for a
        // hand-written what-if; it exists only in memory (and in the batch's variants/ folder).
        let path = directory.join(format!("{stem}.sweep-{:03}.toml", k + 1));
        let files = MemoryFiles::new(vec![(path.clone(), text)], Some(&DiskFiles));
        let loaded = scenario::load_with(&path, &files)?;
        let prepared = Prepared::from_loaded(loaded, path.display().to_string())?;
        variants.push(Variant {
            name,
            parameters: values,
            prepared,
        });
    }
    Ok(variants)
}

fn plan(
    kind: &str,
    variants: &[Variant],
    parameters: &[String],
    options: &BatchOptions,
) -> Result<BatchPlan, AppError> {
    let first = &variants
        .first()
        .ok_or_else(|| AppError::Usage(format!("{kind} needs at least one scenario")))?
        .prepared
        .loaded
        .scenario
        .scenario;
    let replications = options.replications.unwrap_or(first.replications);
    super::run::check_replications(replications)?;
    check_ir_cell(options.ir_cell_m)?;
    if options.stop.is_some() && kind == "compare" {
        return Err(AppError::Usage(
            "compare pairs replication r of both scenarios, so both need the same count: use --reps, not \
             --target-rse"
                .into(),
        ));
    }
    for v in variants {
        check_stop_rule(options.stop, &v.prepared.model)?;
        options
            .limits
            .check_model(&v.prepared.loaded, &v.prepared.model, options.ir_cell_m)?;
    }
    // Distinct names can share a folder name (`.` and `""` are both `_`): number the later ones.
    let mut dirs: Vec<String> = Vec::new();
    for v in variants {
        let base = dir_name(&v.name);
        let mut dir = base.clone();
        let mut k = 2;
        while dirs.contains(&dir) {
            dir = format!("{base}-{k}");
            k += 1;
        }
        dirs.push(dir);
    }
    Ok(BatchPlan {
        kind: kind.to_string(),
        hazflow_version: env!("CARGO_PKG_VERSION").to_string(),
        seed: options.seed.unwrap_or(first.seed),
        replications,
        ir_cell_m: options.ir_cell_m,
        plots: !options.no_plots,
        target_rse: options.stop.map(|r| (r.target_rse, r.floor_per_year)),
        parameters: parameters.to_vec(),
        variants: variants
            .iter()
            .zip(dirs)
            .map(|(v, dir)| PlannedVariant {
                name: v.name.clone(),
                dir,
                parameters: v.parameters.clone(),
                scenario_sha256: v.prepared.loaded.sha256(),
            })
            .collect(),
    })
}

fn default_batch_out(kind: &str) -> PathBuf {
    super::run::default_out(kind)
}

/// Creates the batch directory, or checks on `--resume` that the one there has the same plan.
fn open_batch_dir(out: &Path, plan: &BatchPlan, resume: bool) -> Result<(), AppError> {
    crate::report::check_out_name(out)?;
    let plan_path = out.join("batch.json");
    if out.exists() {
        if !resume {
            return Err(AppError::Usage(format!(
                "the output directory {} already exists; add --resume to continue the batch in it, or \
                 choose another --out",
                out.display()
            )));
        }
        let text = std::fs::read_to_string(&plan_path).map_err(|e| {
            AppError::Usage(format!(
                "cannot resume in {}: {} is unreadable ({e}); it is not a hazflow batch directory",
                out.display(),
                plan_path.display()
            ))
        })?;
        let existing: BatchPlan = serde_json::from_str(&text).map_err(|e| {
            AppError::Usage(format!(
                "cannot resume: {} is damaged: {e}",
                plan_path.display()
            ))
        })?;
        if existing != *plan {
            return Err(AppError::Usage(format!(
                "cannot resume in {}: it holds a batch with a different plan (scenarios, settings, seed, \
                 replications, plots, map cell or version); use a new --out",
                out.display()
            )));
        }
        // Staging directories of variants that were being written when the batch was killed.
        if let Ok(entries) = std::fs::read_dir(out.join("runs")) {
            for entry in entries.flatten() {
                if entry.file_name().to_string_lossy().contains(".partial-") {
                    let _ = std::fs::remove_dir_all(entry.path());
                }
            }
        }
        return Ok(());
    }
    std::fs::create_dir_all(out.join("runs")).map_err(|e| ReportError::Io {
        path: out.to_path_buf(),
        source: e,
    })?;
    write_json(&plan_path, plan)?;
    Ok(())
}

/// Runs every variant into `out/runs/<variant>/` (skipping those finished by an interrupted invocation),
/// then writes the batch's tidy tables.
pub fn run_batch(
    kind: &str,
    variants: &[Variant],
    parameters: &[String],
    options: &BatchOptions,
) -> Result<BatchReport, AppError> {
    let started = std::time::Instant::now();
    let plan = plan(kind, variants, parameters, options)?;
    let threads = thread_count(options.threads)?;
    let out = options
        .out
        .clone()
        .unwrap_or_else(|| default_batch_out(kind));
    let fresh = !out.exists();
    open_batch_dir(&out, &plan, options.resume)?;
    let result = run_opened(variants, options, plan, &out, threads, started);
    // A new batch that failed before anything could be reused leaves nothing behind; one with finished
    // variants or stored replications stays for --resume.
    if result.is_err() && fresh && !holds_results(&out) {
        let _ = std::fs::remove_dir_all(&out);
    }
    result
}

/// Whether a batch directory holds a finished variant or stored replications: any file under `runs/` or
/// `.work/` (empty folders are only scaffolding).
fn holds_results(out: &Path) -> bool {
    fn any_file(dir: &Path) -> bool {
        std::fs::read_dir(dir).is_ok_and(|entries| {
            entries.flatten().any(|e| {
                let path = e.path();
                if path.is_dir() { any_file(&path) } else { true }
            })
        })
    }
    any_file(&out.join("runs")) || any_file(&out.join(".work"))
}

/// Variants in progress at once, per worker thread, when they share the pool. A worker that waits for a
/// stolen replication of its variant, or whose variant is between blocks, starts on another variant
/// meanwhile; two lanes per thread ran the 24-variant sweep of `benches/scaling.rs` about 5 % faster
/// than one. More lanes hold more variants' files and memory for no measurable gain.
const LANES_PER_THREAD: usize = 2;

/// From this many variants per thread on, each thread runs whole variants on its own, one after another:
/// no variant's serial work (its fold, analysis and files) then waits behind another's on a shared
/// worker, and the last variant to finish is one of many, so little of the machine idles at the end.
const OWN_THREAD_VARIANTS_PER_THREAD: usize = 4;

/// Runs the variants of a batch whose directory is open.
///
/// Variants run side by side: each of [`LANES_PER_THREAD`] lanes per thread takes the next variant not
/// yet started and runs all of it (replications, fold, risk analysis, writing) on the one pool of
/// `threads` workers, so small variants keep every worker busy. With many variants
/// ([`OWN_THREAD_VARIANTS_PER_THREAD`] per thread or more) each of `threads` lanes instead runs its
/// variants on a pool of its own, one thread. Each variant's outputs depend only on its scenario, seed
/// and replications, so the batch is byte-identical for any thread count; the first failure in variant
/// order is reported, and variants already started are finished for `--resume`.
fn run_opened(
    variants: &[Variant],
    options: &BatchOptions,
    plan: BatchPlan,
    out: &Path,
    threads: usize,
    started: std::time::Instant,
) -> Result<BatchReport, AppError> {
    let kind = plan.kind.as_str();
    let own_threads = variants.len() >= OWN_THREAD_VARIANTS_PER_THREAD * threads;
    // The pool the lanes share, unless each lane has its own.
    let shared = if own_threads {
        None
    } else {
        Some(Runner::new(threads).map_err(RunError::from)?)
    };
    let total = plan.replications * variants.len() as u64;
    let bar = Progress::new(total, options.progress, kind).for_many_runs();
    if kind == "sweep" {
        write_variant_files(out, variants, &plan)?;
    }
    let lanes = Lanes::new(variants.len());
    let lane_count = if own_threads {
        threads
    } else {
        threads * LANES_PER_THREAD
    };
    std::thread::scope(|scope| {
        for _ in 0..lane_count.min(variants.len()) {
            scope.spawn(|| {
                let own;
                let runner = match &shared {
                    Some(shared) => shared,
                    None => match Runner::new(1) {
                        Ok(runner) => {
                            own = runner;
                            &own
                        }
                        Err(e) => return lanes.fail(RunError::from(e).into()),
                    },
                };
                while let Some(k) = lanes.next() {
                    let outcome = run_variant(
                        &variants[k],
                        &plan.variants[k],
                        options,
                        &plan,
                        out,
                        runner,
                        &bar,
                    );
                    lanes.finish(k, outcome, kind, &bar);
                }
            });
        }
    });
    let reused = match lanes.outcomes() {
        Ok(reused) => reused,
        Err(e) => {
            bar.abandon();
            return Err(e);
        }
    };
    bar.finish_and_clear();
    let _ = std::fs::remove_dir_all(out.join(".work"));
    write_tables(out, &plan)?;
    write_batch_page(out, &plan, "")?;
    let info = RunInfo::finished(
        &options.command,
        threads,
        started.elapsed().as_secs_f64(),
        0,
        0.0,
        reused as u64 * plan.replications,
    );
    write_json(&out.join("run-info.json"), &info)?;
    Ok(BatchReport {
        out: out.to_path_buf(),
        plan,
        variants_reused: reused,
        wall_seconds: started.elapsed().as_secs_f64(),
    })
}

/// Runs one variant into `out/runs/<dir>/` through a staging directory, unless it is already there.
fn run_variant(
    variant: &Variant,
    planned: &PlannedVariant,
    options: &BatchOptions,
    plan: &BatchPlan,
    out: &Path,
    runner: &Runner,
    bar: &Progress,
) -> Result<VariantOutcome, AppError> {
    let target = out.join("runs").join(&planned.dir);
    if target.join("manifest.json").exists() {
        bar.inc(plan.replications);
        return Ok(VariantOutcome::Reused);
    }
    let checkpoints = Checkpoints {
        dir: out.join(".work").join(&planned.dir),
        chunk_replications: CHUNK_REPLICATIONS,
    };
    let staged = StagedDir::create(&target)?;
    let job = Job {
        prepared: &variant.prepared,
        settings: RunSettings {
            max_in_system: options.limits.max_in_system,
            seed: plan.seed,
            first_replication: 0,
            replications: plan.replications,
            ir_cell_m: plan.ir_cell_m,
            keep_accidents: false,
            stop: options.stop,
        },
        no_plots: !plan.plots,
        command: &options.command,
    };
    let (manifest, _) = run_into(staged.path(), &job, runner, bar, Some(&checkpoints))?;
    staged.commit()?;
    let _ = std::fs::remove_dir_all(&checkpoints.dir);
    // A stopping rule may have ended the variant before its cap.
    bar.inc(plan.replications.saturating_sub(manifest.replications));
    Ok(VariantOutcome::Ran)
}

/// Keeps each generated sweep variant as a file, so that it can be read, and run on its own after copying
/// it beside its base scenario.
fn write_variant_files(
    out: &Path,
    variants: &[Variant],
    plan: &BatchPlan,
) -> Result<(), ReportError> {
    let dir = out.join("variants");
    std::fs::create_dir_all(&dir).map_err(io_error(&dir))?;
    for (variant, planned) in variants.iter().zip(&plan.variants) {
        if let Some((_, text)) = variant.prepared.loaded.files().iter().next() {
            let path = dir.join(format!("{}.toml", planned.dir));
            std::fs::write(&path, text).map_err(io_error(&path))?;
        }
    }
    Ok(())
}

/// The variants as the reports list them.
pub(crate) fn batch_entries(plan: &BatchPlan) -> Vec<report::BatchEntry> {
    plan.variants
        .iter()
        .map(|v| report::BatchEntry {
            name: v.name.clone(),
            dir: v.dir.clone(),
            parameters: v.parameters.clone(),
        })
        .collect()
}

/// The batch's `report.html`; `extra` is trusted markup placed after the heading (a comparison).
pub(crate) fn write_batch_page(
    out: &Path,
    plan: &BatchPlan,
    extra: &str,
) -> Result<(), ReportError> {
    let entries: Vec<report::BatchEntry> = plan
        .variants
        .iter()
        .map(|v| report::BatchEntry {
            name: v.name.clone(),
            dir: v.dir.clone(),
            parameters: v.parameters.clone(),
        })
        .collect();
    report::write_batch_report(
        out,
        &plan.kind,
        plan.seed,
        plan.replications,
        &plan.parameters,
        &entries,
        extra,
    )
}

/// Rewrites a variant's CSV with the batch's parameter columns after `scenario`, into `writer`.
fn append_with_parameters(
    source: &Path,
    parameters: &[String],
    header_written: &mut bool,
    parameter_names: &[String],
    writer: &mut csv::Writer<std::io::BufWriter<std::fs::File>>,
    target: &Path,
) -> Result<(), ReportError> {
    let format = |e: csv::Error| ReportError::Format {
        path: target.to_path_buf(),
        message: e.to_string(),
    };
    let mut reader = csv::Reader::from_path(source).map_err(|e| ReportError::Format {
        path: source.to_path_buf(),
        message: e.to_string(),
    })?;
    let headers = reader.headers().map_err(format)?.clone();
    if !*header_written {
        let mut row: Vec<&str> = vec![&headers[0]];
        row.extend(parameter_names.iter().map(String::as_str));
        row.extend(headers.iter().skip(1));
        writer.write_record(&row).map_err(format)?;
        *header_written = true;
    }
    let mut record = csv::StringRecord::new();
    while reader.read_record(&mut record).map_err(format)? {
        let mut row: Vec<&str> = vec![&record[0]];
        row.extend(parameters.iter().map(String::as_str));
        row.extend(record.iter().skip(1));
        writer.write_record(&row).map_err(format)?;
    }
    Ok(())
}

/// `replications.csv` and `summary.csv` over every variant (scenario, parameters..., then the columns of
/// a run's file), each written to a temporary name and renamed.
fn write_tables(out: &Path, plan: &BatchPlan) -> Result<(), ReportError> {
    for file in ["replications.csv", "summary.csv"] {
        let target = out.join(file);
        let temporary = out.join(format!(".{file}.tmp"));
        let handle = std::fs::File::create(&temporary).map_err(io_error(&temporary))?;
        let mut writer = csv::Writer::from_writer(std::io::BufWriter::new(handle));
        let mut header_written = false;
        for variant in &plan.variants {
            append_with_parameters(
                &out.join("runs").join(&variant.dir).join(file),
                &variant.parameters,
                &mut header_written,
                &plan.parameters,
                &mut writer,
                &temporary,
            )?;
        }
        let mut inner = writer.into_inner().map_err(|e| ReportError::Format {
            path: temporary.clone(),
            message: e.to_string(),
        })?;
        inner.flush().map_err(io_error(&temporary))?;
        drop(inner);
        std::fs::rename(&temporary, &target).map_err(io_error(&target))?;
    }
    Ok(())
}
