//! The `hazflow` command line. It only parses arguments and calls the library (`hazflow::app`).
#![warn(clippy::too_many_lines)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use hazflow::app::{
    self, AppError, BatchOptions, BatchReport, Limits, MergeOptions, RunOptions, RunReport, Shard,
    SweepSetting,
};

mod cli_effect;

use cli_effect::EffectCommand;

/// `println!` that ends the program quietly when the reader has gone (`hazflow validate x | head -1`)
/// instead of panicking on the broken pipe. Results are committed before anything is printed, so an
/// exit here loses nothing.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let mut out = std::io::stdout().lock();
        if let Err(e) = writeln!(out, $($arg)*) {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                std::process::exit(0);
            }
            eprintln!("error: cannot write to stdout: {e}");
            std::process::exit(1);
        }
    }};
}

/// Discrete-event Monte-Carlo simulator of chemical-park logistics and hazardous-materials flows.
#[derive(Parser)]
#[command(version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Options of every command that runs replications.
#[derive(clap::Args)]
struct RunArgs {
    /// Replications (default: the scenario's `replications`; in a batch, the first scenario's).
    #[arg(long)]
    reps: Option<u64>,
    /// Master seed (default: the scenario's `seed`; in a batch, the first scenario's, for all).
    #[arg(long)]
    seed: Option<u64>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    threads: Option<usize>,
    /// Output directory; must not exist (default: outputs/<scenario or command>-<UTC time>).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Do not draw plots.
    #[arg(long)]
    no_plots: bool,
    /// Show no progress on stderr (a bar on a terminal, a line every 10 s elsewhere).
    #[arg(long)]
    quiet: bool,
    /// Cell size of the individual-risk map, m (default: the scenario's [risk.grid] cell_m).
    #[arg(long)]
    ir_cell_m: Option<f64>,
    #[command(flatten)]
    limits: LimitArgs,
}

/// Budgets checked before anything is allocated; the defaults sit far above the shipped scenarios.
#[derive(clap::Args)]
struct LimitArgs {
    /// Most cells of the individual-risk map.
    #[arg(long, default_value_t = Limits::default().max_grid_cells)]
    max_grid_cells: u64,
    /// Most consignments, plant batches, timetabled trains and failures one replication may start.
    #[arg(long, default_value_t = Limits::default().max_starts)]
    max_starts: f64,
    /// Most consignments and convoys in the system at once: a replication that passes it is saturated
    /// and stops with the facility whose queue grows.
    #[arg(long, default_value_t = Limits::default().max_in_system)]
    max_in_system: usize,
    /// Most variants of a sweep.
    #[arg(long, default_value_t = Limits::default().max_variants)]
    max_variants: u64,
    /// Most accidents sampled in one replication (each a consequence assessment).
    #[arg(long, default_value_t = Limits::default().max_accidents)]
    max_accidents: f64,
}

impl LimitArgs {
    fn limits(&self) -> Limits {
        Limits {
            max_grid_cells: self.max_grid_cells,
            max_starts: self.max_starts,
            max_in_system: self.max_in_system,
            max_variants: self.max_variants,
            max_accidents: self.max_accidents,
        }
    }
}

/// Replicate until the risk figures are precise (`run`, `batch`, `sweep`).
#[derive(clap::Args)]
struct PrecisionArgs {
    /// Run replications in blocks of 16 until PLL and F(N >= n) at every N where F is at or above
    /// --rse-floor reach this relative standard error (e.g. 0.1); --reps is then the cap (default 2000).
    #[arg(long)]
    target_rse: Option<f64>,
    /// The frequency below which F(N >= n) is not required to reach --target-rse, per year.
    #[arg(long, default_value_t = 1e-7)]
    rse_floor: f64,
}

/// Options shared by batch, sweep and compare.
#[derive(clap::Args)]
struct BatchArgs {
    #[command(flatten)]
    run: RunArgs,
    /// Continue an interrupted run of the same command in --out: finished scenarios and stored
    /// replications are reused, the rest is computed; the result is identical to an uninterrupted run.
    #[arg(long)]
    resume: bool,
    #[command(flatten)]
    precision: PrecisionArgs,
}

impl BatchArgs {
    fn options(self) -> BatchOptions {
        BatchOptions {
            replications: self.run.reps,
            seed: self.run.seed,
            threads: self.run.threads,
            out: self.run.out,
            resume: self.resume,
            progress: !self.run.quiet,
            no_plots: self.run.no_plots,
            ir_cell_m: self.run.ir_cell_m,
            stop: self.precision.stop_rule(),
            limits: self.run.limits.limits(),
            command: std::env::args().collect(),
        }
    }
}

impl PrecisionArgs {
    fn stop_rule(&self) -> Option<hazflow::experiment::StopRule> {
        self.target_rse
            .map(|target_rse| hazflow::experiment::StopRule {
                target_rse,
                floor_per_year: self.rse_floor,
            })
    }
}

#[derive(Subcommand)]
enum Command {
    /// Run a scenario's replications and write results (default: the Liuzhou 2025 plan).
    Run {
        /// Scenario file (TOML). Without it: scenarios/liuzhou-2025-plan.toml here, or the built-in copy.
        scenario: Option<PathBuf>,
        #[command(flatten)]
        run: RunArgs,
        /// Run only block K of N contiguous blocks of the replications (K from 1) and store them for
        /// `hazflow merge`; e.g. `--shard $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT`.
        #[arg(long, value_parser = Shard::parse)]
        shard: Option<Shard>,
        #[command(flatten)]
        precision: PrecisionArgs,
    },
    /// Run several scenarios with the same seed and replications; one tidy table over all of them.
    Batch {
        /// Scenario files (TOML).
        #[arg(required = true)]
        scenarios: Vec<PathBuf>,
        #[command(flatten)]
        batch: BatchArgs,
    },
    /// Run the full factorial of parameter settings on a scenario.
    Sweep {
        /// Base scenario file (TOML).
        scenario: PathBuf,
        /// PATH=VALUES, repeatable: e.g. --set demand.chemical_factor=1..2:0.25
        /// --set parking[liutang-hazmat-parking].slots=10,20. VALUES is a list or START..END[:STEP].
        #[arg(long = "set", required = true, value_parser = SweepSetting::parse)]
        settings: Vec<SweepSetting>,
        #[command(flatten)]
        batch: BatchArgs,
    },
    /// Compare two scenarios with common random numbers: paired differences with intervals for every
    /// shared metric, and the variance reduction against independent sampling.
    Compare {
        /// Reference scenario (A).
        a: PathBuf,
        /// Scenario compared with it (B); differences are B - A.
        b: PathBuf,
        #[command(flatten)]
        batch: BatchArgs,
    },
    /// Run a case study (by default the shipped Liuzhou one): its scenarios and a demand sweep of its plan,
    /// compare each what-if with the plan, and write the findings (docs/liuzhou-findings.md and .html).
    Findings {
        /// Directory of the shipped scenarios, holding the case study `findings.toml`.
        #[arg(long, default_value = "scenarios")]
        scenarios: PathBuf,
        /// The case-study file (default: `findings.toml` in --scenarios); its scenarios are relative to it.
        #[arg(long)]
        case_study: Option<PathBuf>,
        /// Replications per scenario.
        #[arg(long, default_value_t = 200)]
        reps: u64,
        /// Replications per demand level of the saturation sweep.
        #[arg(long, default_value_t = 100)]
        sweep_reps: u64,
        /// Worker threads (default: all cores).
        #[arg(long)]
        threads: Option<usize>,
        /// Where the runs are kept (an interrupted invocation resumes from them).
        #[arg(long, default_value = "outputs/findings")]
        work: PathBuf,
        /// Where the documents are written.
        #[arg(long, default_value = "docs")]
        docs: PathBuf,
    },
    /// Merge the shard directories of a run (`hazflow run --shard K/N`) into one result, identical to a
    /// single-machine run but for run-info.json.
    Merge {
        /// Shard directories, in any order.
        #[arg(required = true)]
        shards: Vec<PathBuf>,
        /// Output directory; must not exist (default: outputs/<scenario>-<UTC time>).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Worker threads for the risk analysis (default: all cores).
        #[arg(long)]
        threads: Option<usize>,
        /// Do not draw plots.
        #[arg(long)]
        no_plots: bool,
        #[command(flatten)]
        limits: LimitArgs,
    },
    /// Evaluate one effect or damage model (fireball, pool-fire, plume, puff, tnt, escalation, probit,
    /// flash, release, dense-puff, dense-plume, jet-fire, vce) and print the result as JSON.
    Effect {
        /// Risk data files (default: the built-in Purple Book set); later files override earlier ones.
        #[arg(long)]
        data: Vec<PathBuf>,
        #[command(subcommand)]
        model: EffectCommand,
    },
    /// Conditional domino analysis: the cascades a fire at one unit of a fixed layout sets off.
    Cascade {
        /// Layout file (TOML) with [[unit]] and optionally [[exposure]] tables.
        layout: PathBuf,
        /// Unit on fire at the start.
        #[arg(long)]
        initiator: String,
        /// Monte-Carlo trials.
        #[arg(long, default_value_t = 100_000)]
        trials: u64,
        /// Seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Enumerate every escalation path exactly instead of sampling (small layouts).
        #[arg(long)]
        exact: bool,
        /// Minutes after the first fire at which the fire brigade's cooling crews are on scene: each
        /// target races them (the layout's [response] table gives their set-up and failure on demand).
        /// Without it the escalation probit's generic response applies.
        #[arg(long)]
        response_min: Option<f64>,
        /// Risk data files (default: the built-in Purple Book set).
        #[arg(long)]
        data: Vec<PathBuf>,
    },
    /// Check a scenario: parse, validate, compile and route, without running it.
    Validate {
        /// Scenario file (TOML).
        scenario: PathBuf,
        #[command(flatten)]
        limits: LimitArgs,
    },
}

fn fail(error: AppError) -> ExitCode {
    fail_with_hint(error, "docs/scenario-format.md describes every field")
}

fn fail_with_hint(error: AppError, hint: &str) -> ExitCode {
    eprintln!("{error}");
    if matches!(error, AppError::Scenario(_)) {
        eprintln!("({hint})");
    }
    ExitCode::from(error.exit_code() as u8)
}

fn print_run(report: &RunReport, what: &str) {
    let (m, info) = (&report.manifest, &report.info);
    say!(
        "{}: {} replications in {:.1} s ({:.1} M events/s on {} threads), risk analysis {:.1} s, \
         {:.1} s in all; {what} in {}",
        m.scenario,
        m.replications,
        info.wall_seconds,
        info.events_per_second / 1e6,
        info.threads,
        info.risk_analysis_seconds,
        STARTED.get().map_or(0.0, |t| t.elapsed().as_secs_f64()),
        report.out.display()
    );
}

/// Prints a JSON result on stdout. A reader that has gone (`| head`) is not an error: the program ends
/// quietly, as Unix tools do, instead of panicking on the broken pipe.
fn print_json(value: &serde_json::Value) -> ExitCode {
    use std::io::Write as _;
    let text = serde_json::to_string_pretty(value).expect("JSON value");
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{text}").and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            eprintln!("error: cannot write the result: {e}");
            ExitCode::from(1)
        }
        _ => ExitCode::SUCCESS,
    }
}

fn print_batch(report: &BatchReport) {
    say!(
        "{} {} scenarios x {} replications in {:.1} s ({} reused from an earlier invocation); results in {}",
        report.plan.kind,
        report.plan.variants.len(),
        report.plan.replications,
        report.wall_seconds,
        report.variants_reused,
        report.out.display()
    );
}

/// A signal (Ctrl-C, `kill`, a closed terminal, Slurm's cancel) ends the process without running its
/// destructors, which would leave the hidden staging folder of the output being written. The handler
/// removes it and exits with 130, as a shell reports an interrupted command. A complete result already
/// renamed into place stays; a batch's checkpoints stay, so `--resume` goes on from them.
fn remove_unfinished_outputs_on_signal() {
    // Installing fails only if another handler is set or the OS refuses a pipe; the run then goes on
    // unprotected, and the next run in the folder removes what a killed one left.
    let _ = ctrlc::set_handler(|| {
        let gone = hazflow::report::remove_unfinished();
        let _ = writeln!(
            std::io::stderr(),
            "interrupted: {gone} unfinished output folder(s) removed"
        );
        std::process::exit(130);
    });
}

/// When the command started: the run's last line reports the whole time, not only the replications'.
static STARTED: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();

fn main() -> ExitCode {
    STARTED.get_or_init(std::time::Instant::now);
    remove_unfinished_outputs_on_signal();
    match Cli::parse().command {
        Command::Run {
            scenario,
            run,
            shard,
            precision,
        } => run_scenario(scenario, run, shard, &precision),
        Command::Batch { scenarios, batch } => run_batch(&scenarios, batch),
        Command::Sweep {
            scenario,
            settings,
            batch,
        } => run_sweep(&scenario, &settings, batch),
        Command::Compare { a, b, batch } => run_compare(&a, &b, batch),
        Command::Findings {
            scenarios,
            case_study,
            reps,
            sweep_reps,
            threads,
            work,
            docs,
        } => run_findings(app::FindingsOptions {
            case_study: case_study.unwrap_or_else(|| scenarios.join(app::CASE_STUDY_FILE)),
            replications: reps,
            sweep_replications: sweep_reps,
            threads,
            work,
            docs,
            progress: true,
            command: std::env::args()
                .skip(1)
                .fold("hazflow".to_string(), |a, b| a + " " + &b),
        }),
        Command::Merge {
            shards,
            out,
            threads,
            no_plots,
            limits,
        } => run_merge(MergeOptions {
            shards,
            out,
            threads,
            no_plots,
            limits: limits.limits(),
            command: std::env::args().collect(),
        }),
        Command::Cascade {
            layout,
            initiator,
            trials,
            seed,
            exact,
            response_min,
            data,
        } => {
            let options = hazflow::assess::cascade::CascadeOptions {
                initiator,
                trials,
                seed,
                exact,
                response_min,
            };
            match app::cascade(&layout, &options, &data) {
                Ok(value) => print_json(&value),
                Err(e) => fail_with_hint(e, "docs/risk.md describes layouts and risk data"),
            }
        }
        Command::Effect { data, model } => match app::effect(&model.into(), &data) {
            Ok(value) => print_json(&value),
            Err(e) => fail_with_hint(e, "docs/risk.md describes the risk data"),
        },
        Command::Validate { scenario, limits } => run_validate(&scenario, &limits),
    }
}

/// `hazflow run`: one scenario's replications, or one shard of them.
fn run_scenario(
    scenario: Option<PathBuf>,
    run: RunArgs,
    shard: Option<Shard>,
    precision: &PrecisionArgs,
) -> ExitCode {
    let options = RunOptions {
        scenario,
        replications: run.reps,
        seed: run.seed,
        threads: run.threads,
        out: run.out,
        progress: !run.quiet,
        no_plots: run.no_plots,
        ir_cell_m: run.ir_cell_m,
        shard,
        stop: precision.stop_rule(),
        limits: run.limits.limits(),
        command: std::env::args().collect(),
    };
    match app::run(&options) {
        Ok(report) => {
            print_run(&report, if shard.is_some() { "shard" } else { "results" });
            ExitCode::SUCCESS
        }
        Err(e) => fail(e),
    }
}

/// `hazflow batch`: several scenarios with the same seed and replications.
fn run_batch(scenarios: &[PathBuf], batch: BatchArgs) -> ExitCode {
    let options = batch.options();
    let done = app::batch_variants(scenarios)
        .and_then(|variants| app::run_batch("batch", &variants, &[], &options));
    match done {
        Ok(report) => {
            print_batch(&report);
            ExitCode::SUCCESS
        }
        Err(e) => fail(e),
    }
}

/// `hazflow sweep`: the full factorial of the `--set` settings on one scenario.
fn run_sweep(scenario: &Path, settings: &[SweepSetting], batch: BatchArgs) -> ExitCode {
    let options = batch.options();
    let parameters: Vec<String> = settings.iter().map(|s| s.path.clone()).collect();
    let done = app::sweep_variants(scenario, settings, &options.limits)
        .and_then(|variants| app::run_batch("sweep", &variants, &parameters, &options));
    match done {
        Ok(report) => {
            print_batch(&report);
            ExitCode::SUCCESS
        }
        Err(e) => fail_with_hint(
            e,
            "a file named *.sweep-NNN.toml is the variant generated from your --set options: fix the \
             --set whose path is named; docs/scenario-format.md describes every field",
        ),
    }
}

/// `hazflow compare`: two scenarios with common random numbers.
fn run_compare(a: &Path, b: &Path, batch: BatchArgs) -> ExitCode {
    match app::compare(a, b, &batch.options()) {
        Ok(report) => {
            let s = &report.summary;
            say!(
                "{} vs {}: {} metrics compared, {} differ at a 5 % false-discovery rate \
                 (Benjamini-Hochberg; {} by each metric's own 95 % interval), {} identical in every \
                 replication; median variance reduction from common random numbers on the others {}x; \
                 results in {}",
                s.a,
                s.b,
                s.metrics_compared,
                s.metrics_significant_fdr,
                s.metrics_significant,
                s.metrics_identical,
                s.median_variance_reduction
                    .map_or("n/a".into(), |r| format!("{r:.1}")),
                report.batch.out.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => fail(e),
    }
}

/// `hazflow findings`: the case study's runs and its findings documents.
fn run_findings(options: app::FindingsOptions) -> ExitCode {
    match app::findings(&options) {
        Ok((md, html)) => {
            say!(
                "findings written to {} and {}",
                md.display(),
                html.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => fail(e),
    }
}

/// `hazflow merge`: the shards of a run into one result.
fn run_merge(options: MergeOptions) -> ExitCode {
    match app::merge(&options) {
        Ok(report) => {
            print_run(&report, "merged results");
            ExitCode::SUCCESS
        }
        Err(e) => fail(e),
    }
}

/// `hazflow validate`: the scenario's size, the sources of its numbers and its warnings.
fn run_validate(scenario: &Path, limits: &LimitArgs) -> ExitCode {
    /// More unsourced fields than this are counted rather than listed, so the summary stays a screen.
    const UNSOURCED_LISTED: usize = 20;
    match app::validate(scenario, &limits.limits()) {
        Ok(report) => {
            let m = &report.model;
            let p = &report.provenance;
            say!(
                "{}: valid. {} nodes, {} links, {} flows on {} routes.",
                m.name,
                m.nodes.len(),
                m.links.len(),
                m.flows.len(),
                m.routes.len()
            );
            say!(
                "numbers by source: {} from the seed documents, {} from other references, {} assumptions ({} [[assumption]] entries), {} without a source",
                p.seed,
                p.literature,
                p.assumption,
                report.assumptions,
                p.unsourced.len()
            );
            for warning in &m.warnings {
                say!("warning: {warning}");
            }
            for field in p.unsourced.iter().take(UNSOURCED_LISTED) {
                say!("  no source: {field}");
            }
            if p.unsourced.len() > UNSOURCED_LISTED {
                say!("  ... and {} more", p.unsourced.len() - UNSOURCED_LISTED);
            }
            ExitCode::SUCCESS
        }
        Err(e) => fail(e),
    }
}
