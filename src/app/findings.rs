//! `hazflow findings`: runs the shipped Liuzhou scenarios and a chemical-demand sweep of the plan (both
//! as resumable batches), compares every what-if with the plan pair by pair, and writes
//! `docs/liuzhou-findings.md` and its HTML twin.

use std::path::{Path, PathBuf};

use super::AppError;
use super::batch::{BatchOptions, BatchReport, Variant, batch_variants, run_batch, sweep_variants};
use super::case_study::{CaseStudy, Figure};
use super::compare::read_replications;
use super::sweep::SweepSetting;
use crate::experiment::paired::{MetricName, paired_comparison};
use crate::model::Mode;
use crate::report::{
    self, Row,
    findings::{
        DeadlyAccident, DemandLevel, Difference, Estimate, Findings, RecordCheck, WhatIfFinding,
    },
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

/// What the findings need from the case study's scenarios before they run.
struct ScenarioFacts {
    /// Each scenario's description, in the case study's order.
    descriptions: Vec<String>,
    /// The plan's hazardous commodities.
    hazmat_commodities: Vec<String>,
    /// The plan's criteria sets, the primary first.
    criteria_order: Vec<String>,
}

impl ScenarioFacts {
    /// Reads them from the loaded variants, the plan first.
    fn of(variants: &[Variant]) -> Self {
        let plan = &variants[0].prepared.loaded.scenario;
        ScenarioFacts {
            descriptions: variants
                .iter()
                .map(|v| v.prepared.loaded.scenario.scenario.description.clone())
                .collect(),
            hazmat_commodities: plan
                .commodity
                .iter()
                .filter(|c| c.kind != crate::scenario::CommodityKind::NonHazardous)
                .map(|c| c.id.clone())
                .collect(),
            criteria_order: plan
                .risk
                .as_ref()
                .map(|r| r.criteria.ids().into_iter().map(String::from).collect())
                .unwrap_or_default(),
        }
    }
}

/// Runs the chemical-demand sweep of the plan (`plan_path`) at the case study's demand factors.
fn run_demand_sweep(
    options: &FindingsOptions,
    study: &CaseStudy,
    plan_path: &Path,
) -> Result<BatchReport, AppError> {
    let factors: Vec<String> = study.demand_factors.iter().map(f64::to_string).collect();
    let setting = SweepSetting::parse(&format!("demand.chemical_factor={}", factors.join(",")))
        .map_err(AppError::Usage)?;
    let sweep_variants = sweep_variants(
        plan_path,
        std::slice::from_ref(&setting),
        &super::Limits::default(),
    )?;
    run_batch(
        "sweep",
        &sweep_variants,
        std::slice::from_ref(&setting.path),
        &batch_options(
            options,
            options.work.join("demand-sweep"),
            options.sweep_replications,
            false,
        ),
    )
}

/// Parses a number of a CSV field; an empty or malformed one is NaN.
fn number(text: &str) -> f64 {
    text.parse::<f64>().unwrap_or(f64::NAN)
}

/// The plan's exceeded criterion checks, its criteria sets in their order (a stable sort keeps the
/// file's order within a set): (criteria, scope, kind, ratio, at N).
fn plan_exceedances(
    plan_dir: &Path,
    criteria_order: &[String],
) -> Vec<(String, String, String, f64, f64)> {
    // criterion_check.csv: scenario, criteria, scope, kind, max_ratio, at_n, exceeded, region.
    let mut exceedances: Vec<(String, String, String, f64, f64)> =
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
    let rank = |id: &str| criteria_order.iter().position(|c| c == id);
    exceedances.sort_by_key(|e| rank(&e.0));
    exceedances
}

/// The plan's protected objects above their limit in the primary criteria set: (id, class, ratio).
fn plan_protected_exceeded(
    plan_dir: &Path,
    criteria_order: &[String],
) -> Vec<(String, String, f64)> {
    // protected_objects.csv: scenario, rank, id, name, class, criteria, ir, limit, ratio, exceeded, ...
    let protected = report::read_csv(&plan_dir.join("protected_objects.csv"));
    let primary = criteria_order.first();
    protected
        .iter()
        .filter(|r| primary.is_some_and(|p| &r[5] == p) && r.get(9) == Some("true"))
        .map(|r| (r[2].to_string(), r[4].to_string(), number(&r[8])))
        .collect()
}

/// The plan's top contributors: (source, facility, substance, PLL per year, share).
fn plan_contributors(plan_dir: &Path) -> Vec<(String, String, String, f64, f64)> {
    report::read_csv(&plan_dir.join("risk_contributors.csv"))
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
        .collect()
}

/// The plan's deadliest sampled accidents and their check against the worst recorded ones, with the
/// plan's road tonnes of hazardous goods and road release frequency as the scale.
fn plan_deadliest_and_record(
    plan: &[Row],
    plan_dir: &Path,
    hazmat_commodities: &[String],
) -> (Vec<DeadlyAccident>, RecordCheck) {
    let road_hazmat_t = hazmat_commodities
        .iter()
        .map(|c| estimate(plan, Metric::DeliveredT, c, Mode::Road.name()).mean)
        .filter(|t| t.is_finite())
        .sum();
    let road_releases = estimate(
        plan,
        Metric::AccidentFrequencyPerYear,
        SourceCategory::TransportRoad.name(),
        "source",
    )
    .mean;
    super::findings_record::deadliest_and_record(
        &plan_dir.join("accidents.csv"),
        10,
        road_hazmat_t,
        road_releases,
    )
}

/// The busiest facilities and the tonnes awaiting pickup at each demand level of the sweep.
fn demand_levels(sweep: &BatchReport) -> Result<Vec<DemandLevel>, AppError> {
    let mut levels = Vec::new();
    for (k, variant) in sweep.plan.variants.iter().enumerate() {
        let rows = report::read_summary(&run_dir(sweep, k).join("summary.csv"))?;
        let busiest = report::bottlenecks(&rows, 5)
            .into_iter()
            .map(|(u, w, _)| (u.subject.clone(), Estimate::of(Some(u)), Estimate::of(w)))
            .collect();
        let awaiting_pickup_t = estimate(&rows, Metric::AwaitingPickupT, "all", "end of run");
        levels.push(DemandLevel {
            factor: variant.parameters[0].parse().unwrap_or(f64::NAN),
            busiest,
            awaiting_pickup_t,
        });
    }
    Ok(levels)
}

/// Domino share of PLL over the replications, as a ratio of means (per-replication ratios are
/// undefined without deaths); NaN without deaths.
fn domino_share(values: &[(MetricName, Vec<f64>)]) -> f64 {
    let mean = |subject: &str, detail: &str| {
        values
            .iter()
            .find(|(k, _)| k[0] == Metric::PllPerYear.name() && k[1] == subject && k[2] == detail)
            .map(|(_, v)| v.iter().sum::<f64>() / v.len().max(1) as f64)
    };
    match (mean("domino", "beyond_primary"), mean("all", "")) {
        (Some(domino), Some(all)) if all > 0.0 => domino / all,
        _ => f64::NAN,
    }
}

/// The paired differences of one what-if from the plan for the case study's compared figures, and
/// the difference of the domino share of PLL.
fn what_if_differences(
    study: &CaseStudy,
    plan_values: &[(MetricName, Vec<f64>)],
    values: &[(MetricName, Vec<f64>)],
) -> Vec<Difference> {
    let paired = paired_comparison(plan_values, values);
    let mut differences: Vec<Difference> = study
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
    let (plan_share, what_if_share) = (domino_share(plan_values), domino_share(values));
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
    differences
}

/// Every what-if compared with the plan, and the case study's figures of every scenario side by side.
type WhatIfsAndAcross = (Vec<WhatIfFinding>, Vec<(String, Vec<Estimate>)>);

/// Compares every what-if of the scenario batch with the plan (its first scenario) and gathers the
/// figures compared across all scenarios.
fn what_ifs_and_across(
    study: &CaseStudy,
    scenarios: &BatchReport,
    descriptions: &[String],
) -> Result<WhatIfsAndAcross, AppError> {
    let reps = scenarios.plan.replications;
    let plan_values = read_replications(&run_dir(scenarios, 0).join("replications.csv"), reps)?;
    let mut what_ifs = Vec::new();
    let mut across = Vec::new();
    for (k, variant) in scenarios.plan.variants.iter().enumerate() {
        let rows = report::read_summary(&run_dir(scenarios, k).join("summary.csv"))?;
        across.push((
            variant.name.clone(),
            study.across.iter().map(|f| estimate_of(&rows, f)).collect(),
        ));
        if k == 0 {
            continue;
        }
        let values = read_replications(&run_dir(scenarios, k).join("replications.csv"), reps)?;
        what_ifs.push(WhatIfFinding {
            name: variant.name.clone(),
            description: descriptions[k].clone(),
            differences: what_if_differences(study, &plan_values, &values),
        });
    }
    Ok((what_ifs, across))
}

/// The plan's plots shown in the document: its F-N curves and its individual-risk map.
fn plan_plots(plan_dir: &Path, plan_label: &str) -> Vec<(PathBuf, String)> {
    let plots = plan_dir.join("plots");
    vec![
        (
            plots.join("fn_curves.svg"),
            format!(
                "{plan_label}: F-N curves (overall, worst route km, worst establishment) with replication \
                 bands and criterion lines"
            ),
        ),
        (
            plots.join("individual_risk_map.svg"),
            format!("{plan_label}: individual risk with contours 1e-5 … 1e-8 per year"),
        ),
    ]
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
    let facts = ScenarioFacts::of(&variants);
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
    let sweep = run_demand_sweep(options, &study, &paths[0])?;

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
    // Domino deaths over all deaths, as a ratio of means.
    let plan_domino_share = match (
        report::find(&plan, Metric::PllPerYear, "domino", "beyond_primary"),
        report::find(&plan, Metric::PllPerYear, "all", ""),
    ) {
        (Some(domino), Some(all)) if all.mean > 0.0 => Some(domino.mean / all.mean),
        _ => None,
    };
    let (plan_deadliest, plan_record) =
        plan_deadliest_and_record(&plan, &plan_dir, &facts.hazmat_commodities);
    let demand_levels = demand_levels(&sweep)?;
    let (what_ifs, across) = what_ifs_and_across(&study, &scenarios, &facts.descriptions)?;
    let findings = Findings {
        command: options.command.clone(),
        hazflow_version: env!("CARGO_PKG_VERSION").to_string(),
        seed: scenarios.plan.seed,
        replications: scenarios.plan.replications,
        sweep_replications: sweep.plan.replications,
        plan_delivered,
        plan_busiest,
        plan_risk,
        plan_exceedances: plan_exceedances(&plan_dir, &facts.criteria_order),
        plan_protected_exceeded: plan_protected_exceeded(&plan_dir, &facts.criteria_order),
        plan_deadliest,
        plan_record,
        plan_contributors: plan_contributors(&plan_dir),
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
        plan_plots: plan_plots(&plan_dir, &study.plan_label),
    };
    Ok(report::findings::write_findings(&options.docs, &findings)?)
}
