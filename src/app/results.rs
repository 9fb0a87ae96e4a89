//! A run's result directory: what is streamed while its replications fold ([`ResultSink`]) and
//! everything written from the folded values ([`write_results`]). `hazflow run` and `hazflow merge` both
//! end here, so a merged run and a single-machine run write their files with the same code.

use std::path::Path;

use serde::Serialize;

use super::run::{Job, Prepared};
use super::{AppError, sha256_hex};
use crate::experiment::{RunSettings, RunSummary, StopRule, risk_analysis};
use crate::model::Model;
use crate::report::{
    self, AccidentsWriter, Manifest, ReplicationsWriter, ReportError, ScenarioFileInfo,
};
use crate::scenario;
use crate::sim::{Metric, MetricKey, ReplicationOutput};

/// Writes `value` as pretty JSON, atomically.
pub(crate) fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<(), ReportError> {
    let json = serde_json::to_string_pretty(value).expect("plain data serialises");
    report::write_atomically(path, (json + "\n").as_bytes())
}

fn file_infos(files: &scenario::SourceFiles) -> Vec<ScenarioFileInfo> {
    files
        .iter()
        .map(|(path, text)| ScenarioFileInfo {
            path: path.display().to_string(),
            sha256: sha256_hex(text),
        })
        .collect()
}

/// Writes everything but `replications.csv` (streamed while folding) and `run-info.json` into `dir`;
/// returns the manifest and the seconds the risk analysis took.
pub(crate) fn write_results(
    dir: &Path,
    job: &Job,
    summary: &RunSummary,
) -> Result<(Manifest, f64), AppError> {
    let Job {
        prepared, settings, ..
    } = job;
    let model = &prepared.model;
    // A stopping rule may have ended the run early: the results are those of what was folded.
    let replications = summary.replications;
    let settings = &RunSettings {
        replications,
        ..*settings
    };
    let risk_started = std::time::Instant::now();
    let mut risk = summary
        .risk
        .as_ref()
        .and_then(|fold| risk_analysis::finish(model, fold));
    if let Some(analysis) = &mut risk {
        flag_imprecise(analysis, summary);
        if let Some(rule) = settings.stop {
            report_stop_rule(analysis, rule, summary, &model.name);
        }
        for (what, rse) in &analysis.imprecise {
            eprintln!(
                "warning: {}: {what} is imprecise (relative standard error {rse:.2} > {}); run more replications or use --target-rse",
                model.name,
                risk_analysis::IMPRECISE_RSE
            );
        }
    }
    report::write_summary(
        &dir.join("summary.csv"),
        &model.name,
        summary,
        risk.as_ref(),
        replications,
    )?;
    let risk_analysis_seconds = risk_started.elapsed().as_secs_f64();
    if let Some(analysis) = &risk {
        report::write_risk_files(dir, &model.name, model, analysis)?;
        if !job.no_plots {
            report::write_risk_plots(&dir.join("plots"), &model.name, model, analysis)?;
        }
    }
    report::write_timeseries(&dir.join("timeseries.csv"), &model.name, summary)?;
    if !job.no_plots {
        report::write_plots(
            &dir.join("plots"),
            &model.name,
            summary,
            model.warmup_h / 24.0,
        )?;
    }
    let risk_map_cells = risk.as_ref().map_or(0, |r| r.map.grid.nx * r.map.grid.ny);
    let manifest = manifest(prepared, *settings, summary, risk_map_cells);
    let resolved = dir.join("scenario.resolved.toml");
    std::fs::write(&resolved, prepared.loaded.resolved_text())
        .map_err(report::io_error(&resolved))?;
    write_json(&dir.join("manifest.json"), &manifest)?;
    report::write_run_report(dir, &manifest)?;
    Ok((manifest, risk_analysis_seconds))
}

/// Says on stderr whether the stopping rule was met, and records its precision on the analysis (for
/// the report and as pooled summary rows).
fn report_stop_rule(
    analysis: &mut risk_analysis::RiskAnalysis,
    rule: StopRule,
    summary: &RunSummary,
    model_name: &str,
) {
    let replications = summary.replications;
    let precision = rule.precision(summary);
    let met = rule.reached(summary);
    eprintln!(
        "{}: --target-rse {}: {} after {} replications (PLL RSE {:.3}, worst F(N >= n) RSE {:.3} at N = {:.3} above {:e}/yr)",
        model_name,
        rule.target_rse,
        if met {
            "reached"
        } else {
            "NOT reached at the cap"
        },
        replications,
        precision.pll_rse,
        precision.fn_rse,
        precision.fn_rse_at_n,
        rule.floor_per_year
    );
    analysis.stop = Some((rule, precision, met));
    analysis.pooled.push((
        MetricKey::new(Metric::RelativeStandardError, "all", "pll", "ratio"),
        precision.pll_rse,
    ));
    analysis.pooled.push((
        MetricKey::new(
            Metric::RelativeStandardError,
            "all",
            format!("worst F(N>=n) above {:e}/yr", rule.floor_per_year),
            "ratio",
        ),
        precision.fn_rse,
    ));
    analysis.pooled.push((
        MetricKey::new(
            Metric::TargetRseMet,
            "all",
            format!("{}", rule.target_rse),
            "bool",
        ),
        f64::from(u8::from(met)),
    ));
}

/// What is written while the replications fold: `replications.csv` and `accidents.csv`.
pub(crate) struct ResultSink<'a> {
    model: &'a Model,
    replications: ReplicationsWriter,
    accidents: Option<AccidentsWriter>,
    years: f64,
}

impl<'a> ResultSink<'a> {
    /// Creates both files in `dir` for a run of `replications`.
    pub(crate) fn create(
        dir: &Path,
        model: &'a Model,
        replications: u64,
    ) -> Result<Self, AppError> {
        Ok(Self {
            model,
            replications: ReplicationsWriter::create(&dir.join("replications.csv"), &model.name)?,
            accidents: match &model.risk {
                Some(r) => Some(AccidentsWriter::create(
                    &dir.join("accidents.csv"),
                    &model.name,
                    r.response.is_some(),
                )?),
                None => None,
            },
            years: model.horizon_h / crate::model::HOURS_PER_YEAR * replications as f64,
        })
    }

    /// Appends one replication.
    pub(crate) fn write(
        &mut self,
        replication: u64,
        output: &ReplicationOutput,
    ) -> Result<(), String> {
        self.replications
            .write(replication, output)
            .map_err(|e| e.to_string())?;
        if let Some(w) = &mut self.accidents {
            w.write(self.model, &output.accidents, self.years)
                .map_err(|e| e.to_string())?;
        }
        Ok(())
    }

    /// Flushes both files; a run that stopped after `done` of `planned` replications has its
    /// accidents' frequencies rescaled to the replications it has.
    pub(crate) fn finish(self, planned: u64, done: u64) -> Result<(), AppError> {
        self.replications.finish()?;
        if let Some(w) = self.accidents {
            w.finish(planned as f64 / done.max(1) as f64)?;
        }
        Ok(())
    }
}

/// Says on the analysis (and so on stderr and in the report) which key risk figures are imprecise.
pub(crate) fn flag_imprecise(analysis: &mut risk_analysis::RiskAnalysis, summary: &RunSummary) {
    let rse = |s: &crate::experiment::ReplicationStats| {
        if s.count() > 1 && s.mean() > 0.0 {
            s.std_dev() / (s.count() as f64).sqrt() / s.mean()
        } else {
            f64::NAN
        }
    };
    for (metric, subject, detail, label) in [
        (Metric::PllPerYear, "all", "", "PLL"),
        (Metric::FnFrequencyPerYear, "all", "N>=10", "F(N>=10)"),
        (Metric::FnFrequencyPerYear, "all", "N>=100", "F(N>=100)"),
    ] {
        if let Some(s) = summary.get(metric, subject, detail) {
            let e = rse(s);
            if e > risk_analysis::IMPRECISE_RSE {
                analysis.imprecise.push((label.to_string(), e));
            }
        }
    }
}

/// The manifest of `settings` of a prepared scenario, once its replications are folded.
pub(crate) fn manifest(
    prepared: &Prepared,
    settings: RunSettings,
    summary: &RunSummary,
    risk_map_cells: usize,
) -> Manifest {
    let loaded = &prepared.loaded;
    Manifest {
        hazflow_version: env!("CARGO_PKG_VERSION").to_string(),
        scenario: prepared.model.name.clone(),
        scenario_path: prepared.scenario_path.clone(),
        scenario_sha256: loaded.sha256(),
        scenario_files: file_infos(loaded.files()),
        seed: settings.seed,
        first_replication: settings.first_replication,
        replications: settings.replications,
        warmup_days: prepared.model.warmup_h / 24.0,
        horizon_days: prepared.model.horizon_h / 24.0,
        events: summary.events,
        worst_mass_balance_relative_error: summary.worst_mass_balance_error,
        risk_data_files: loaded
            .risk_data
            .iter()
            .flat_map(|r| file_infos(r.files()))
            .collect(),
        risk_map_cells,
    }
}
