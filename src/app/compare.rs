//! `hazflow compare A B`: both scenarios run as a two-variant batch (same seed, same replication indices,
//! so common random numbers by construction), then every metric they share is compared pair by pair.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::AppError;
use super::batch::{BatchOptions, BatchReport, batch_variants, run_batch};
use super::run::write_json;
use crate::experiment::paired::{
    FALSE_DISCOVERY_RATE, MetricName, PairedMetric, benjamini_hochberg, median_variance_reduction,
    paired_comparison,
};
use crate::report::{self, ReportError};
use crate::sim::Metric;

/// `comparison.json`: the headline of a comparison.
#[derive(Clone, Debug, Serialize)]
pub struct ComparisonSummary {
    /// Scenario A (the reference).
    pub a: String,
    /// Scenario B.
    pub b: String,
    /// Seed both ran with.
    pub seed: u64,
    /// Replications of each.
    pub replications: u64,
    /// Metrics present in both and compared.
    pub metrics_compared: usize,
    /// Of which the 95 % interval of B - A excludes zero (each metric on its own: about 5 % of the
    /// metrics that do not differ pass it by chance).
    pub metrics_significant: usize,
    /// Of which the Benjamini-Hochberg q-value is at most 0.05: different, with at most 5 % of these
    /// expected to be false discoveries.
    pub metrics_significant_fdr: usize,
    /// Of which A and B agree in every replication although they vary between replications: common
    /// random numbers removed all of their sampling noise from the difference.
    pub metrics_identical: usize,
    /// Median of Var_independent / Var_paired over the metrics that vary in both scenarios and differ.
    pub median_variance_reduction: Option<f64>,
    /// How the variance reduction is defined.
    pub variance_reduction_definition: String,
    /// Network totals: every metric whose subject is `all` or `all flows`.
    pub headline: Vec<HeadlineRow>,
}

/// One metric of the headline.
#[derive(Clone, Debug, Serialize)]
pub struct HeadlineRow {
    /// Metric.
    pub metric: String,
    /// Subject.
    pub subject: String,
    /// Detail.
    pub detail: String,
    /// Unit.
    pub unit: String,
    /// Mean of A.
    pub mean_a: f64,
    /// Mean of B.
    pub mean_b: f64,
    /// Mean of B - A.
    pub difference: f64,
    /// 95 % half-width of the paired difference.
    pub difference_ci95_half_width: f64,
    /// Var_independent / Var_paired.
    pub variance_reduction: f64,
}

/// What `hazflow compare` produced.
#[derive(Debug)]
pub struct CompareReport {
    /// The batch of the two runs (its directory holds the comparison files too).
    pub batch: BatchReport,
    /// The headline written to `comparison.json`.
    pub summary: ComparisonSummary,
    /// Every compared metric.
    pub metrics: Vec<PairedMetric>,
}

/// Reads a run's `replications.csv` into per-metric vectors indexed by replication.
pub fn read_replications(
    path: &Path,
    replications: u64,
) -> Result<Vec<(MetricName, Vec<f64>)>, ReportError> {
    let bad = |message: String| ReportError::Format {
        path: path.to_path_buf(),
        message,
    };
    let mut reader = csv::Reader::from_path(path).map_err(|e| bad(e.to_string()))?;
    let mut order: Vec<(MetricName, Vec<f64>)> = Vec::new();
    let mut index: std::collections::HashMap<MetricName, usize> = Default::default();
    let mut record = csv::StringRecord::new();
    while reader
        .read_record(&mut record)
        .map_err(|e| bad(e.to_string()))?
    {
        // scenario, replication, metric, subject, detail, unit, value
        let replication: usize = record[1]
            .parse()
            .map_err(|_| bad(format!("bad replication `{}`", &record[1])))?;
        if replication as u64 >= replications {
            return Err(bad(format!(
                "replication {replication} beyond {replications}"
            )));
        }
        let value = if record[6].is_empty() {
            f64::NAN
        } else {
            record[6]
                .parse()
                .map_err(|_| bad(format!("bad value `{}`", &record[6])))?
        };
        let key: MetricName = [
            record[2].to_string(),
            record[3].to_string(),
            record[4].to_string(),
            record[5].to_string(),
        ];
        let slot = *index.entry(key.clone()).or_insert_with(|| {
            order.push((key, vec![f64::NAN; replications as usize]));
            order.len() - 1
        });
        order[slot].1[replication] = value;
    }
    Ok(order)
}

/// The Benjamini-Hochberg q-values of the metrics' paired t-tests, over every metric compared.
fn q_values(metrics: &[PairedMetric]) -> Vec<f64> {
    benjamini_hochberg(
        &metrics
            .iter()
            .map(PairedMetric::p_value)
            .collect::<Vec<_>>(),
    )
}

fn write_comparison_csv(
    path: &Path,
    metrics: &[PairedMetric],
    q_values: &[f64],
) -> Result<(), ReportError> {
    let temporary = path.with_extension("csv.tmp");
    let format = |e: csv::Error| ReportError::Format {
        path: temporary.clone(),
        message: e.to_string(),
    };
    let mut w = csv::Writer::from_path(&temporary).map_err(format)?;
    w.write_record([
        "metric",
        "subject",
        "detail",
        "unit",
        "mean_a",
        "mean_b",
        "difference",
        "difference_ci95_half_width",
        "significant",
        "p_value",
        "q_value",
        "significant_fdr",
        "sd_paired_difference",
        "sd_independent_difference",
        "variance_reduction",
        "pairs",
    ])
    .map_err(format)?;
    let n = report::format_number;
    for (m, &q) in metrics.iter().zip(q_values) {
        w.write_record([
            m.key[0].as_str(),
            &m.key[1],
            &m.key[2],
            &m.key[3],
            &n(m.a.mean()),
            &n(m.b.mean()),
            &n(m.difference.mean()),
            &n(m.difference.ci95_half_width()),
            if m.significant() { "yes" } else { "no" },
            &n(m.p_value()),
            &n(q),
            if q <= FALSE_DISCOVERY_RATE {
                "yes"
            } else {
                "no"
            },
            &n(m.difference.std_dev()),
            &n(m.independent_variance().sqrt()),
            &n(m.variance_reduction()),
            &m.difference.count().to_string(),
        ])
        .map_err(format)?;
    }
    w.flush().map_err(report::io_error(&temporary))?;
    drop(w);
    std::fs::rename(&temporary, path).map_err(report::io_error(path))
}

/// Runs A and B into one batch directory and writes `comparison.csv` and `comparison.json` beside them.
pub fn compare(a: &Path, b: &Path, options: &BatchOptions) -> Result<CompareReport, AppError> {
    let scenarios: Vec<PathBuf> = vec![a.to_path_buf(), b.to_path_buf()];
    let variants = batch_variants(&scenarios)?;
    let batch = run_batch("compare", &variants, &[], options)?;
    let plan = &batch.plan;
    let run_dir = |k: usize| batch.out.join("runs").join(&plan.variants[k].dir);
    let values_a = read_replications(&run_dir(0).join("replications.csv"), plan.replications)?;
    let values_b = read_replications(&run_dir(1).join("replications.csv"), plan.replications)?;
    let metrics = paired_comparison(&values_a, &values_b);
    let q = q_values(&metrics);
    let headline = metrics
        .iter()
        .filter(|m| {
            (m.key[1] == "all" || m.key[1] == "all flows")
                && !matches!(
                    Metric::from_name(&m.key[0]),
                    Some(Metric::Events | Metric::MassBalanceErrorT)
                )
        })
        .map(|m| HeadlineRow {
            metric: m.key[0].clone(),
            subject: m.key[1].clone(),
            detail: m.key[2].clone(),
            unit: m.key[3].clone(),
            mean_a: m.a.mean(),
            mean_b: m.b.mean(),
            difference: m.difference.mean(),
            difference_ci95_half_width: m.difference.ci95_half_width(),
            variance_reduction: m.variance_reduction(),
        })
        .collect();
    let summary = ComparisonSummary {
        a: plan.variants[0].name.clone(),
        b: plan.variants[1].name.clone(),
        seed: plan.seed,
        replications: plan.replications,
        metrics_compared: metrics.len(),
        metrics_significant: metrics.iter().filter(|m| m.significant()).count(),
        metrics_significant_fdr: q.iter().filter(|&&q| q <= FALSE_DISCOVERY_RATE).count(),
        metrics_identical: metrics
            .iter()
            .filter(|m| m.a.std_dev() > 0.0 && m.difference.std_dev() == 0.0)
            .count(),
        median_variance_reduction: median_variance_reduction(&metrics),
        variance_reduction_definition:
            "Var_independent / Var_paired with Var_independent = s_A^2 + s_B^2: \
            how many times more replications two independently seeded runs would need for the same \
            precision of B - A"
                .into(),
        headline,
    };
    write_comparison_csv(&batch.out.join("comparison.csv"), &metrics, &q)?;
    write_json(&batch.out.join("comparison.json"), &summary)?;
    let section = report::comparison_section(&batch.out, &super::batch::batch_entries(plan))?;
    super::batch::write_batch_page(&batch.out, plan, &section)?;
    Ok(CompareReport {
        batch,
        summary,
        metrics,
    })
}
