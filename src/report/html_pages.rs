//! The HTML reports: one per run (`report.html` beside its CSV files), per batch or sweep, and per
//! comparison. Each is built from the files already written in its directory, so a merged run's report
//! is byte-identical to a single run's, and a report can be rebuilt from results alone.

use std::fmt::Write as _;
use std::path::Path;

use super::html::{bar_chart, embedded_image, escape, page, readable, table, with_interval};
use super::{Manifest, ReportError};
use crate::model::Mode;
use crate::sim::{Metric, WaitCause};

/// One row of a `summary.csv`.
#[derive(Clone, Debug)]
pub struct Row {
    /// Metric.
    pub metric: Metric,
    /// Subject.
    pub subject: String,
    /// Detail.
    pub detail: String,
    /// Unit.
    pub unit: String,
    /// Mean over replications.
    pub mean: f64,
    /// 95 % half-width (NaN without an interval).
    pub half_width: f64,
}

pub(crate) fn number(text: &str) -> f64 {
    if text.is_empty() {
        f64::NAN
    } else {
        text.parse().unwrap_or(f64::NAN)
    }
}

/// Reads a run's `summary.csv` (columns after `scenario`: metric, subject, detail, unit, mean, ci95).
pub fn read_summary(path: &Path) -> Result<Vec<Row>, ReportError> {
    let mut reader = csv::Reader::from_path(path).map_err(|e| ReportError::Format {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    let mut rows = Vec::new();
    for record in reader.records() {
        let r = record.map_err(|e| ReportError::Format {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        // A metric this build does not know (a file of another version) has no place in its report.
        let Some(metric) = Metric::from_name(&r[1]) else {
            continue;
        };
        rows.push(Row {
            metric,
            subject: r[2].to_string(),
            detail: r[3].to_string(),
            unit: r[4].to_string(),
            mean: number(&r[5]),
            half_width: number(&r[6]),
        });
    }
    Ok(rows)
}

/// The row of a metric, if present.
pub fn find<'a>(rows: &'a [Row], metric: Metric, subject: &str, detail: &str) -> Option<&'a Row> {
    rows.iter()
        .find(|r| r.metric == metric && r.subject == subject && r.detail == detail)
}

/// The records of a CSV file (empty if it is absent or unreadable: optional risk files).
pub fn read_csv(path: &Path) -> Vec<csv::StringRecord> {
    csv::Reader::from_path(path)
        .map(|mut r| r.records().filter_map(Result::ok).collect())
        .unwrap_or_default()
}

/// The network totals a planner reads first, as (label, row) pairs present in `rows`.
fn key_figures(rows: &[Row]) -> Vec<(String, &Row)> {
    let mut out = Vec::new();
    let mut push = |label: &str, metric: Metric, subject: &str, detail: &str| {
        if let Some(r) = find(rows, metric, subject, detail) {
            out.push((label.to_string(), r));
        }
    };
    for mode in Mode::ALL.map(Mode::name) {
        push(
            &format!("delivered by {mode}"),
            Metric::DeliveredT,
            "all flows",
            mode,
        );
    }
    for mode in Mode::ALL.map(Mode::name) {
        push(
            &format!("chemical mode share, {mode}"),
            Metric::ModeShare,
            mode,
            "chemical",
        );
    }
    push(
        "unsafe hazmat waiting (roadside and lots)",
        Metric::UnsafeWaitVehicleHours,
        "all",
        "",
    );
    push(
        "accident frequency",
        Metric::AccidentFrequencyPerYear,
        "all",
        "",
    );
    push(
        "potential loss of life (PLL)",
        Metric::PllPerYear,
        "all",
        "",
    );
    push("F(N ≥ 10)", Metric::FnFrequencyPerYear, "all", "N>=10");
    push("F(N ≥ 100)", Metric::FnFrequencyPerYear, "all", "N>=100");
    push(
        "domino (escalating) accidents",
        Metric::DominoFrequencyPerYear,
        "all",
        "depth>=1",
    );
    push(
        "domino PLL (deaths beyond the primary events')",
        Metric::PllPerYear,
        "domino",
        "beyond_primary",
    );
    push(
        "delay caused by accident closures",
        Metric::AccidentDelayVehicleHoursPerYear,
        "all",
        "",
    );
    out
}

fn key_table(rows: &[Row]) -> String {
    let body: Vec<Vec<String>> = key_figures(rows)
        .into_iter()
        .map(|(label, r)| vec![label, with_interval(r.mean, r.half_width), r.unit.clone()])
        .collect();
    table(&["figure", "mean ± 95 % CI", "unit"], &body)
}

/// Facilities by utilisation, busiest first, with their mean and 95th-percentile waits.
pub fn bottlenecks(rows: &[Row], top: usize) -> Vec<(&Row, Option<&Row>, Option<&Row>)> {
    let mut busy: Vec<&Row> = rows
        .iter()
        .filter(|r| r.metric == Metric::Utilisation)
        .collect();
    busy.sort_by(|a, b| b.mean.total_cmp(&a.mean));
    busy.into_iter()
        .take(top)
        .map(|u| {
            (
                u,
                find(
                    rows,
                    Metric::WaitHoursMean,
                    &u.subject,
                    WaitCause::Total.name(),
                ),
                find(
                    rows,
                    Metric::WaitHoursP95,
                    &u.subject,
                    WaitCause::Total.name(),
                ),
            )
        })
        .collect()
}

/// `report.html` of one run, from the files in `dir`.
pub fn write_run_report(dir: &Path, manifest: &Manifest) -> Result<(), ReportError> {
    let rows = read_summary(&dir.join("summary.csv"))?;
    let plots = dir.join("plots");
    let mut body = run_header(manifest);
    body.push_str("<h2>Key figures</h2>");
    body.push_str(&key_table(&rows));
    body.push_str(&mode_section(&rows, &plots));
    body.push_str(&bottleneck_section(&rows, &plots));
    if dir.join("fn_curves.csv").exists() {
        body.push_str(&risk_section(dir, &rows, &plots));
    }
    body.push_str(&all_figures_section(&rows));
    super::write_atomically(
        &dir.join("report.html"),
        page(&format!("hazflow: {}", manifest.scenario), &body).as_bytes(),
    )
}

/// The title of the run report and the line saying how the run was made.
fn run_header(manifest: &Manifest) -> String {
    let mut html = String::new();
    let _ = write!(
        html,
        "<h1>{}</h1><p class=\"meta\">hazflow {} · seed {} · {} replications · {} days observed after {} days of \
         warm-up · scenario SHA-256 {}</p>",
        escape(&manifest.scenario),
        escape(&manifest.hazflow_version),
        manifest.seed,
        manifest.replications,
        manifest.horizon_days,
        manifest.warmup_days,
        escape(&manifest.scenario_sha256[..16.min(manifest.scenario_sha256.len())])
    );
    html
}

/// The mode-split section of the run report: the chemical mode shares and the throughput plot.
fn mode_section(rows: &[Row], plots: &Path) -> String {
    let mut html = String::from("<h2>Mode split and throughput</h2>");
    let shares: Vec<(String, f64, f64)> = Mode::ALL
        .iter()
        .filter_map(|m| find(rows, Metric::ModeShare, m.name(), "chemical"))
        .map(|r| (r.subject.clone(), r.mean, r.half_width))
        .collect();
    if !shares.is_empty() {
        html.push_str(&bar_chart(
            "Chemical mode share",
            "fraction of tonnes",
            &shares,
        ));
    }
    html.push_str(&embedded_image(
        &plots.join("throughput_by_mode.svg"),
        "Throughput by mode",
    ));
    html
}

/// The bottleneck section of the run report: the busiest facilities with their waits, and the plots of
/// utilisation, waiting, queues and stocks.
fn bottleneck_section(rows: &[Row], plots: &Path) -> String {
    let mut html = String::from("<h2>Bottlenecks and waiting</h2>");
    let busy: Vec<Vec<String>> = bottlenecks(rows, 15)
        .into_iter()
        .map(|(u, mean, p95)| {
            vec![
                u.subject.clone(),
                with_interval(u.mean, u.half_width),
                mean.map_or("–".into(), |r| with_interval(r.mean, r.half_width)),
                p95.map_or("–".into(), |r| readable(r.mean)),
            ]
        })
        .collect();
    html.push_str(&table(
        &[
            "facility",
            "utilisation",
            "mean wait, h",
            "95th percentile wait, h",
        ],
        &busy,
    ));
    for (file, caption) in [
        ("utilisation.svg", "Utilisation by facility"),
        ("waiting_by_facility.svg", "Waiting by facility and cause"),
        ("queue_lengths.svg", "Queue lengths over the year"),
        ("stock_levels.svg", "Stock levels over the year"),
    ] {
        html.push_str(&embedded_image(&plots.join(file), caption));
    }
    html
}

/// The risk sections of the run report (runs with a risk model): societal risk with the criterion
/// check and the top contributors, domino cascades, and individual risk.
fn risk_section(dir: &Path, rows: &[Row], plots: &Path) -> String {
    let mut html = String::from("<h2>Societal risk</h2>");
    html.push_str(&embedded_image(
        &plots.join("fn_curves.svg"),
        "F-N curves with replication bands and criterion lines",
    ));
    let checks: Vec<Vec<String>> = read_csv(&dir.join("criterion_check.csv"))
        .iter()
        .map(|r| {
            vec![
                r[2].to_string(),
                r[3].to_string(),
                r[1].to_string(),
                readable(number(&r[4])),
                readable(number(&r[5])),
                r[6].to_string(),
            ]
        })
        .collect();
    html.push_str("<h3>Criterion check</h3>");
    html.push_str(&table(
        &[
            "scope",
            "kind",
            "criteria",
            "max F / criterion",
            "at N",
            "exceeded",
        ],
        &checks,
    ));
    let contributors: Vec<Vec<String>> = read_csv(&dir.join("risk_contributors.csv"))
        .iter()
        .take(10)
        .map(|r| {
            vec![
                r[1].to_string(),
                r[2].to_string(),
                r[3].to_string(),
                r[4].to_string(),
                readable(number(&r[5])),
                readable(number(&r[6])),
            ]
        })
        .collect();
    html.push_str("<h3>Top contributors to PLL</h3>");
    html.push_str(&table(
        &[
            "rank",
            "source",
            "facility",
            "substance",
            "PLL /yr",
            "share",
        ],
        &contributors,
    ));
    html.push_str("<h2>Domino cascades</h2>");
    let depths: Vec<(String, f64, f64)> = rows
        .iter()
        .filter(|r| r.metric == Metric::EscalationDepthFrequencyPerYear)
        .map(|r| (r.detail.clone(), r.mean, r.half_width))
        .collect();
    if !depths.is_empty() {
        html.push_str(&bar_chart(
            "Fires and explosions by escalation depth",
            "per year",
            &depths,
        ));
    }
    html.push_str("<h2>Individual risk</h2>");
    html.push_str(&embedded_image(
        &plots.join("individual_risk_map.svg"),
        "Individual risk with contours 1e-5 … 1e-8 per year",
    ));
    html.push_str(&embedded_image(
        &plots.join("ir_transects.svg"),
        "Individual risk against distance from routes",
    ));
    html
}

/// Every row of `summary.csv`, folded away at the end of the run report.
fn all_figures_section(rows: &[Row]) -> String {
    let mut html =
        String::from("<h2>All figures</h2><details><summary>summary.csv as a table</summary>");
    let all: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.metric.name().to_string(),
                r.subject.clone(),
                r.detail.clone(),
                r.unit.clone(),
                with_interval(r.mean, r.half_width),
            ]
        })
        .collect();
    html.push_str(&table(
        &["metric", "subject", "detail", "unit", "mean ± 95 % CI"],
        &all,
    ));
    html.push_str("</details>");
    html
}

/// A variant of a batch, as the batch report lists it.
#[derive(Clone, Debug)]
pub struct BatchEntry {
    /// Variant name.
    pub name: String,
    /// Directory under `runs/`.
    pub dir: String,
    /// Values of the swept parameters.
    pub parameters: Vec<String>,
}

/// `report.html` of a batch or sweep: one row per variant with the key figures, charts across variants,
/// links to each variant's own report.
pub fn write_batch_report(
    dir: &Path,
    kind: &str,
    seed: u64,
    replications: u64,
    parameters: &[String],
    entries: &[BatchEntry],
    extra: &str,
) -> Result<(), ReportError> {
    let mut summaries = Vec::new();
    for entry in entries {
        summaries.push(read_summary(
            &dir.join("runs").join(&entry.dir).join("summary.csv"),
        )?);
    }
    let mut body = format!(
        "<h1>hazflow {} of {} scenarios</h1><p class=\"meta\">seed {seed} for every scenario (common random \
         numbers) · {replications} replications each</p>",
        escape(kind),
        entries.len()
    );
    body.push_str(extra);
    let figures: [(&str, Metric, &str, &str); 6] = [
        (
            "unsafe waiting, veh-h",
            Metric::UnsafeWaitVehicleHours,
            "all",
            "",
        ),
        (
            "road delivered, t",
            Metric::DeliveredT,
            "all flows",
            Mode::Road.name(),
        ),
        (
            "rail delivered, t",
            Metric::DeliveredT,
            "all flows",
            Mode::Rail.name(),
        ),
        (
            "water delivered, t",
            Metric::DeliveredT,
            "all flows",
            Mode::Water.name(),
        ),
        ("PLL, deaths/yr", Metric::PllPerYear, "all", ""),
        ("F(N ≥ 10), /yr", Metric::FnFrequencyPerYear, "all", "N>=10"),
    ];
    let mut header: Vec<&str> = vec!["scenario"];
    header.extend(parameters.iter().map(String::as_str));
    header.push("busiest facility (utilisation)");
    header.extend(figures.iter().map(|f| f.0));
    let mut rows = Vec::new();
    for (entry, summary) in entries.iter().zip(&summaries) {
        let mut row = vec![entry.name.clone()];
        row.extend(entry.parameters.iter().cloned());
        row.push(
            bottlenecks(summary, 1)
                .first()
                .map_or("–".into(), |(u, _, _)| {
                    format!("{} ({})", u.subject, readable(u.mean))
                }),
        );
        for (_, metric, subject, detail) in figures {
            row.push(
                find(summary, metric, subject, detail)
                    .map_or("–".into(), |r| with_interval(r.mean, r.half_width)),
            );
        }
        rows.push(row);
    }
    body.push_str("<h2>Key figures by scenario</h2>");
    body.push_str(&table(&header, &rows));
    body.push_str("<h2>Across scenarios</h2>");
    for (label, metric, subject, detail) in [figures[0], figures[4], figures[5]] {
        let bars: Vec<(String, f64, f64)> = entries
            .iter()
            .zip(&summaries)
            .filter_map(|(e, s)| {
                find(s, metric, subject, detail).map(|r| (e.name.clone(), r.mean, r.half_width))
            })
            .collect();
        if !bars.is_empty() {
            body.push_str(&bar_chart(label, "mean, 95 % CI", &bars));
        }
    }
    let busiest: Vec<(String, f64, f64)> = entries
        .iter()
        .zip(&summaries)
        .filter_map(|(e, s)| {
            bottlenecks(s, 1)
                .first()
                .map(|(u, _, _)| (format!("{} · {}", e.name, u.subject), u.mean, u.half_width))
        })
        .collect();
    if !busiest.is_empty() {
        body.push_str(&bar_chart("Busiest facility", "utilisation", &busiest));
    }
    body.push_str("<h2>Scenario reports</h2><ul>");
    for entry in entries {
        let _ = write!(
            body,
            "<li><a href=\"runs/{d}/report.html\">{n}</a></li>",
            d = escape(&entry.dir),
            n = escape(&entry.name)
        );
    }
    body.push_str("</ul>");
    super::write_atomically(
        &dir.join("report.html"),
        page(&format!("hazflow {kind}"), &body).as_bytes(),
    )
}

/// The comparison section of a `compare` batch report, from `comparison.csv` and `comparison.json`.
pub fn comparison_section(dir: &Path, entries: &[BatchEntry]) -> Result<String, ReportError> {
    let json_path = dir.join("comparison.json");
    let summary: serde_json::Value = std::fs::read_to_string(&json_path)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .ok_or_else(|| ReportError::Format {
            path: json_path.clone(),
            message: "missing or unreadable".into(),
        })?;
    let text = |k: &str| summary[k].as_str().unwrap_or("").to_string();
    let mut html = format!(
        "<h2>B − A: {} − {}</h2><p>{} metrics compared; {} differ at a 5 % false-discovery rate \
         (Benjamini–Hochberg q ≤ 0.05 on the paired t-tests; {} by each metric's own 95 % interval, of which \
         about 5 % of the unchanged metrics pass by chance); {} are identical in every replication. Median variance reduction from common random numbers on \
         the others: <b>{}×</b> (Var<sub>independent</sub> / Var<sub>paired</sub>, with Var<sub>independent</sub> \
         = s<sub>A</sub>² + s<sub>B</sub>²).</p>",
        escape(&text("b")),
        escape(&text("a")),
        summary["metrics_compared"],
        summary["metrics_significant_fdr"],
        summary["metrics_significant"],
        summary["metrics_identical"],
        summary["median_variance_reduction"]
            .as_f64()
            .map_or("–".into(), readable)
    );
    let f = |v: &serde_json::Value| v.as_f64().unwrap_or(f64::NAN);
    let headline: Vec<Vec<String>> = summary["headline"]
        .as_array()
        .map(|rows| {
            rows.iter()
                .map(|r| {
                    vec![
                        format!(
                            "{} {} {}",
                            r["metric"].as_str().unwrap_or(""),
                            r["subject"].as_str().unwrap_or(""),
                            r["detail"].as_str().unwrap_or("")
                        ),
                        readable(f(&r["mean_a"])),
                        readable(f(&r["mean_b"])),
                        with_interval(f(&r["difference"]), f(&r["difference_ci95_half_width"])),
                        readable(f(&r["variance_reduction"])),
                    ]
                })
                .collect()
        })
        .unwrap_or_default();
    html.push_str("<h3>Network totals</h3>");
    html.push_str(&table(
        &["figure", "A", "B", "B − A (95 % CI)", "variance reduction"],
        &headline,
    ));
    // The largest significant differences, by how many half-widths they are away from zero.
    let mut significant: Vec<(f64, Vec<String>)> = read_csv(&dir.join("comparison.csv"))
        .iter()
        .filter(|r| &r[8] == "yes")
        .map(|r| {
            let (d, h) = (number(&r[6]), number(&r[7]));
            let strength = if h > 0.0 { d.abs() / h } else { f64::INFINITY };
            (
                strength,
                vec![
                    format!("{} {} {}", &r[0], &r[1], &r[2]),
                    r[3].to_string(),
                    readable(number(&r[4])),
                    readable(number(&r[5])),
                    with_interval(d, h),
                ],
            )
        })
        .collect();
    significant.sort_by(|a, b| b.0.total_cmp(&a.0));
    let top: Vec<Vec<String>> = significant.into_iter().take(25).map(|(_, r)| r).collect();
    html.push_str("<h3>Clearest differences</h3>");
    html.push_str(&table(
        &["figure", "unit", "A", "B", "B − A (95 % CI)"],
        &top,
    ));
    for entry in entries {
        html.push_str(&embedded_image(
            &dir.join("runs")
                .join(&entry.dir)
                .join("plots/fn_curves.svg"),
            &format!("F-N curves: {}", entry.name),
        ));
    }
    Ok(html)
}
