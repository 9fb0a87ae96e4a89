//! `hazflow findings`: runs the shipped Liuzhou scenarios and a chemical-demand sweep of the plan (both
//! as resumable batches), compares every what-if with the plan pair by pair, and writes
//! `docs/liuzhou-findings.md` and its HTML twin.

use std::path::PathBuf;

use super::AppError;
use super::batch::{BatchOptions, BatchReport, batch_variants, run_batch, sweep_variants};
use super::case_study::{CaseStudy, Figure};
use super::compare::read_replications;
use super::sweep::SweepSetting;
use crate::experiment::paired::paired_comparison;
use crate::model::Mode;
use crate::report::{
    self, Row,
    findings::{DemandLevel, Difference, Estimate, Findings, WhatIfFinding},
};
use crate::sim::{Metric, SourceCategory};

/// Options of `hazflow findings`.
#[derive(Clone, Debug)]
pub struct FindingsOptions {
    /// The case-study file (its scenarios are relative to its folder).
    pub case_study: PathBuf,
    /// Replications per scenario.
    pub replications: u64,
    /// Replications per demand level of the sweep.
    pub sweep_replications: u64,
    /// Worker threads.
    pub threads: Option<usize>,
    /// Where the runs go (kept, and reused by a later invocation with the same settings).
    pub work: PathBuf,
    /// Where the documents go.
    pub docs: PathBuf,
    /// Progress bars.
    pub progress: bool,
    /// The command line, as printed in the document.
    pub command: String,
}

fn estimate(rows: &[Row], metric: Metric, subject: &str, detail: &str) -> Estimate {
    Estimate::of(report::find(rows, metric, subject, detail))
}

fn estimate_of(rows: &[Row], figure: &Figure) -> Estimate {
    estimate(rows, figure.metric, &figure.subject, &figure.detail)
}

fn run_dir(batch: &BatchReport, k: usize) -> PathBuf {
    batch.out.join("runs").join(&batch.plan.variants[k].dir)
}

fn batch_options(
    options: &FindingsOptions,
    out: PathBuf,
    reps: u64,
    risk_map: bool,
) -> BatchOptions {
    BatchOptions {
        replications: Some(reps),
        seed: None,
        threads: options.threads,
        resume: out.exists(),
        out: Some(out),
        progress: options.progress,
        // The sweep only needs the capacity figures; a coarse map keeps it quick.
        no_plots: !risk_map,
        ir_cell_m: if risk_map { None } else { Some(2000.0) },
        stop: None,
        limits: super::Limits::default(),
        command: vec![options.command.clone()],
    }
}

/// Runs everything and writes the two documents; returns their paths.
pub fn findings(options: &FindingsOptions) -> Result<(PathBuf, PathBuf), AppError> {
    let study = CaseStudy::load(&options.case_study)?;
    let folder = options
        .case_study
        .parent()
        .map_or_else(|| PathBuf::from("."), PathBuf::from);
    let paths = study.scenario_paths(&folder);
    let variants = batch_variants(&paths)?;
    let descriptions: Vec<String> = variants
        .iter()
        .map(|v| v.prepared.loaded.scenario.scenario.description.clone())
        .collect();
    let hazmat_commodities: Vec<String> = variants[0]
        .prepared
        .loaded
        .scenario
        .commodity
        .iter()
        .filter(|c| c.kind != crate::scenario::CommodityKind::NonHazardous)
        .map(|c| c.id.clone())
        .collect();
    let criteria_order: Vec<String> = variants[0]
        .prepared
        .loaded
        .scenario
        .risk
        .as_ref()
        .map(|r| r.criteria.ids().into_iter().map(String::from).collect())
        .unwrap_or_default();
    let scenarios = run_batch(
        "batch",
        &variants,
        &[],
        &batch_options(
            options,
            options.work.join("scenarios"),
            options.replications,
            true,
        ),
    )?;
    drop(variants);
    let factors: Vec<String> = study.demand_factors.iter().map(f64::to_string).collect();
    let setting = SweepSetting::parse(&format!("demand.chemical_factor={}", factors.join(",")))
        .map_err(AppError::Usage)?;
    let sweep_variants = sweep_variants(
        &paths[0],
        std::slice::from_ref(&setting),
        &super::Limits::default(),
    )?;
    let sweep = run_batch(
        "sweep",
        &sweep_variants,
        std::slice::from_ref(&setting.path),
        &batch_options(
            options,
            options.work.join("demand-sweep"),
            options.sweep_replications,
            false,
        ),
    )?;
    drop(sweep_variants);

    let plan_dir = run_dir(&scenarios, 0);
    let plan = report::read_summary(&plan_dir.join("summary.csv"))?;
    let plan_delivered = study
        .plan_delivered
        .iter()
        .map(|f| (f.label.clone(), estimate_of(&plan, f)))
        .collect();
    let plan_busiest = report::bottlenecks(&plan, 8)
        .into_iter()
        .map(|(u, w, p95)| {
            (
                u.subject.clone(),
                Estimate::of(Some(u)),
                Estimate::of(w),
                p95.map_or(f64::NAN, |p| p.mean),
            )
        })
        .collect();
    let plan_risk = study
        .plan_risk
        .iter()
        .map(|f| (f.label.clone(), estimate_of(&plan, f), f.unit.clone()))
        .collect();
    let number = |t: &str| t.parse::<f64>().unwrap_or(f64::NAN);
    // criterion_check.csv: scenario, criteria, scope, kind, max_ratio, at_n, exceeded, region.
    let mut plan_exceedances: Vec<(String, String, String, f64, f64)> =
        report::read_csv(&plan_dir.join("criterion_check.csv"))
            .into_iter()
            .filter(|r| r.get(6) == Some("true"))
            .map(|r| {
                (
                    r[1].to_string(),
                    r[2].to_string(),
                    r[3].to_string(),
                    number(&r[4]),
                    number(&r[5]),
                )
            })
            .collect();
    // The scenario's criteria sets in its order, the primary first (a stable sort keeps the file's order
    // within a set).
    let rank = |id: &str| criteria_order.iter().position(|c| c == id);
    plan_exceedances.sort_by_key(|e| rank(&e.0));
    // protected_objects.csv: scenario, rank, id, name, class, criteria, ir, limit, ratio, exceeded, ...
    let protected = report::read_csv(&plan_dir.join("protected_objects.csv"));
    let primary = criteria_order.first();
    let plan_protected_exceeded = protected
        .iter()
        .filter(|r| primary.is_some_and(|p| &r[5] == p) && r.get(9) == Some("true"))
        .map(|r| (r[2].to_string(), r[4].to_string(), number(&r[8])))
        .collect();
    // Domino deaths over all deaths, as a ratio of means.
    let plan_domino_share = match (
        report::find(&plan, Metric::PllPerYear, "domino", "beyond_primary"),
        report::find(&plan, Metric::PllPerYear, "all", ""),
    ) {
        (Some(domino), Some(all)) if all.mean > 0.0 => Some(domino.mean / all.mean),
        _ => None,
    };
    let road_hazmat_t = hazmat_commodities
        .iter()
        .map(|c| estimate(&plan, Metric::DeliveredT, c, Mode::Road.name()).mean)
        .filter(|t| t.is_finite())
        .sum();
    let road_releases = estimate(
        &plan,
        Metric::AccidentFrequencyPerYear,
        SourceCategory::TransportRoad.name(),
        "source",
    )
    .mean;
    let (plan_deadliest, plan_record) = super::findings_record::deadliest_and_record(
        &plan_dir.join("accidents.csv"),
        10,
        road_hazmat_t,
        road_releases,
    );
    let plan_contributors = report::read_csv(&plan_dir.join("risk_contributors.csv"))
        .into_iter()
        .take(8)
        .map(|r| {
            (
                r[2].to_string(),
                r[3].to_string(),
                r[4].to_string(),
                number(&r[5]),
                number(&r[6]),
            )
        })
        .collect();

    let mut demand_levels = Vec::new();
    for (k, variant) in sweep.plan.variants.iter().enumerate() {
        let rows = report::read_summary(&run_dir(&sweep, k).join("summary.csv"))?;
        let busiest = report::bottlenecks(&rows, 5)
            .into_iter()
            .map(|(u, w, _)| (u.subject.clone(), Estimate::of(Some(u)), Estimate::of(w)))
            .collect();
        let awaiting_pickup_t = estimate(&rows, Metric::AwaitingPickupT, "all", "end of run");
        demand_levels.push(DemandLevel {
            factor: variant.parameters[0].parse().unwrap_or(f64::NAN),
            busiest,
            awaiting_pickup_t,
        });
    }

    let reps = scenarios.plan.replications;
    let plan_values = read_replications(&plan_dir.join("replications.csv"), reps)?;
    let mut what_ifs = Vec::new();
    let mut across = Vec::new();
    for (k, variant) in scenarios.plan.variants.iter().enumerate() {
        let rows = report::read_summary(&run_dir(&scenarios, k).join("summary.csv"))?;
        across.push((
            variant.name.clone(),
            study.across.iter().map(|f| estimate_of(&rows, f)).collect(),
        ));
        if k == 0 {
            continue;
        }
        let values = read_replications(&run_dir(&scenarios, k).join("replications.csv"), reps)?;
        let paired = paired_comparison(&plan_values, &values);
        let differences = study
            .compared
            .iter()
            .filter_map(|f| {
                let m = paired.iter().find(|m| {
                    m.key[0] == f.metric.name() && m.key[1] == f.subject && m.key[2] == f.detail
                })?;
                Some(Difference {
                    label: f.label.clone(),
                    unit: m.key[3].clone(),
                    plan: m.a.mean(),
                    what_if: m.b.mean(),
                    difference: Estimate {
                        mean: m.difference.mean(),
                        half_width: m.difference.ci95_half_width(),
                    },
                    significant: m.significant(),
                })
            })
            .collect();
        // Domino share of PLL as a ratio of means (per-replication ratios are undefined without deaths).
        let share = |values: &[(crate::experiment::paired::MetricName, Vec<f64>)]| {
            let mean = |subject: &str, detail: &str| {
                values
                    .iter()
                    .find(|(k, _)| {
                        k[0] == Metric::PllPerYear.name() && k[1] == subject && k[2] == detail
                    })
                    .map(|(_, v)| v.iter().sum::<f64>() / v.len().max(1) as f64)
            };
            match (mean("domino", "beyond_primary"), mean("all", "")) {
                (Some(domino), Some(all)) if all > 0.0 => domino / all,
                _ => f64::NAN,
            }
        };
        let (plan_share, what_if_share) = (share(&plan_values), share(&values));
        let mut differences: Vec<Difference> = differences;
        differences.push(Difference {
            label: "domino share of PLL (ratio of means)".into(),
            unit: "fraction".into(),
            plan: plan_share,
            what_if: what_if_share,
            difference: Estimate {
                mean: what_if_share - plan_share,
                half_width: f64::NAN,
            },
            significant: false,
        });
        what_ifs.push(WhatIfFinding {
            name: variant.name.clone(),
            description: descriptions[k].clone(),
            differences,
        });
    }
    let plots = plan_dir.join("plots");
    let findings = Findings {
        command: options.command.clone(),
        hazflow_version: env!("CARGO_PKG_VERSION").to_string(),
        seed: scenarios.plan.seed,
        replications: reps,
        sweep_replications: sweep.plan.replications,
        plan_delivered,
        plan_busiest,
        plan_risk,
        plan_exceedances,
        plan_protected_exceeded,
        plan_deadliest,
        plan_record,
        plan_contributors,
        demand_levels,
        saturation_threshold: study.saturation_utilisation,
        what_ifs,
        across,
        across_charts: study
            .across
            .iter()
            .map(|f| (f.chart.clone(), f.label.clone(), f.unit.clone()))
            .collect(),
        title: study.title.clone(),
        document: study.document.clone(),
        html_title: study.html_title.clone(),
        intro: study.intro.clone(),
        plan_label: study.plan_label.clone(),
        plan_domino_share,
        plan_plots: vec![
            (
                plots.join("fn_curves.svg"),
                format!(
                    "{}: F-N curves (overall, worst route km, worst establishment) with replication \
                     bands and criterion lines",
                    study.plan_label
                ),
            ),
            (
                plots.join("individual_risk_map.svg"),
                format!(
                    "{}: individual risk with contours 1e-5 … 1e-8 per year",
                    study.plan_label
                ),
            ),
        ],
    };
    Ok(report::findings::write_findings(&options.docs, &findings)?)
}
