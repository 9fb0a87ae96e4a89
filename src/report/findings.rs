//! The findings document (`docs/liuzhou-findings.md` for the shipped case study) and its HTML twin: the
//! figures of `hazflow findings`, written as Markdown (plots as SVG files beside it) and as one
//! self-contained HTML page (plots embedded).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

pub use super::findings_record::{DeadlyAccident, RecordCheck, SubstanceRecord};
use super::html::{bar_chart, embedded_image, escape, page, readable, table, with_interval};
use super::{ReportError, io_error, write_atomically};

/// A mean with its 95 % half-width.
#[derive(Clone, Copy, Debug)]
pub struct Estimate {
    /// Mean.
    pub mean: f64,
    /// 95 % half-width (NaN without).
    pub half_width: f64,
}

impl Estimate {
    /// The mean and interval of a summary row; NaN for a metric the run did not report.
    pub fn of(row: Option<&super::Row>) -> Self {
        row.map_or(
            Self {
                mean: f64::NAN,
                half_width: f64::NAN,
            },
            |r| Self {
                mean: r.mean,
                half_width: r.half_width,
            },
        )
    }

    fn text(&self) -> String {
        with_interval(self.mean, self.half_width)
    }
}

/// One paired difference of a what-if against the plan.
#[derive(Clone, Debug)]
pub struct Difference {
    /// What is compared.
    pub label: String,
    /// Unit.
    pub unit: String,
    /// Plan mean.
    pub plan: f64,
    /// What-if mean.
    pub what_if: f64,
    /// What-if minus plan, paired, with its interval.
    pub difference: Estimate,
    /// The interval excludes zero.
    pub significant: bool,
}

/// A what-if against the plan.
#[derive(Clone, Debug)]
pub struct WhatIfFinding {
    /// Scenario name.
    pub name: String,
    /// Its description.
    pub description: String,
    /// Paired differences.
    pub differences: Vec<Difference>,
}

/// One demand level of the saturation sweep.
#[derive(Clone, Debug)]
pub struct DemandLevel {
    /// Chemical demand factor on the plan.
    pub factor: f64,
    /// Busiest facilities: name, utilisation, mean wait h.
    pub busiest: Vec<(String, Estimate, Estimate)>,
    /// Tonnes released but still waiting for pickup at the end of the year (a growing backlog).
    pub awaiting_pickup_t: Estimate,
}

/// Everything the findings document states.
#[derive(Clone, Debug)]
pub struct Findings {
    /// The command that produced it.
    pub command: String,
    /// hazflow version.
    pub hazflow_version: String,
    /// Seed of every run.
    pub seed: u64,
    /// Replications per scenario.
    pub replications: u64,
    /// Replications per demand level of the sweep.
    pub sweep_replications: u64,
    /// Plan: delivered tonnes by mode (label, estimate), chemical shares, key figures.
    pub plan_delivered: Vec<(String, Estimate)>,
    /// Plan: busiest facilities: name, utilisation, mean wait h, 95th percentile wait h.
    pub plan_busiest: Vec<(String, Estimate, Estimate, f64)>,
    /// Plan: risk figures (label, estimate, unit).
    pub plan_risk: Vec<(String, Estimate, String)>,
    /// Plan: criterion exceedances (criteria, scope, kind, max ratio, at N), primary criteria first.
    pub plan_exceedances: Vec<(String, String, String, f64, f64)>,
    /// Plan: protected objects above their limit under the primary criteria (id, class, ratio).
    pub plan_protected_exceeded: Vec<(String, String, f64)>,
    /// Plan: its ten deadliest sampled accidents.
    pub plan_deadliest: Vec<DeadlyAccident>,
    /// Plan: against the historical record.
    pub plan_record: RecordCheck,
    /// Plan: top contributors (source, facility, substance, PLL, share).
    pub plan_contributors: Vec<(String, String, String, f64, f64)>,
    /// The saturation sweep.
    pub demand_levels: Vec<DemandLevel>,
    /// Utilisation above which a facility is called saturated.
    pub saturation_threshold: f64,
    /// The what-ifs.
    pub what_ifs: Vec<WhatIfFinding>,
    /// Per scenario (plan first): one estimate per chart of `across_charts`.
    pub across: Vec<(String, Vec<Estimate>)>,
    /// The charts across scenarios: file, title, unit.
    pub across_charts: Vec<(String, String, String)>,
    /// The documents' heading.
    pub title: String,
    /// File stem of the documents and of their chart folder.
    pub document: String,
    /// Title of the HTML page.
    pub html_title: String,
    /// What the documents call the plan (`2025 plan`).
    pub plan_label: String,
    /// Share of the plan's PLL added by domino escalation (ratio of means), when the plan kills at all.
    pub plan_domino_share: Option<f64>,
    /// The paragraph under the heading.
    pub intro: String,
    /// Plots of the plan's run to show (file, caption).
    pub plan_plots: Vec<(PathBuf, String)>,
}

fn first_saturation(f: &Findings) -> Option<(f64, &str, &Estimate, &Estimate)> {
    f.demand_levels.iter().find_map(|level| {
        level
            .busiest
            .iter()
            .find(|(_, u, _)| u.mean >= f.saturation_threshold)
            .map(|(name, u, w)| (level.factor, name.as_str(), u, w))
    })
}

/// The sections as (heading, Markdown paragraphs, table header, table rows, charts).
pub(super) struct Section {
    pub(super) heading: String,
    pub(super) text: Vec<String>,
    pub(super) tables: Vec<(Vec<String>, Vec<Vec<String>>)>,
    pub(super) charts: Vec<(String, String)>,
}

/// The sections of the findings, in their order.
fn sections(f: &Findings) -> Vec<Section> {
    vec![
        capacity_section(f),
        plan_risk_section(f),
        super::findings_record::record_section(f),
        what_if_section(f),
    ]
}

/// The paragraphs on what the plan delivers, its busiest facility, and where rising demand first
/// saturates it.
fn capacity_text(f: &Findings) -> Vec<String> {
    let mut text = Vec::new();
    let delivered: Vec<String> = f
        .plan_delivered
        .iter()
        .map(|(label, e)| format!("{label} {} t", e.text()))
        .collect();
    text.push(format!(
        "In the observed year the {} delivers {} (means over {} replications with 95 % intervals).",
        f.plan_label,
        delivered.join("; "),
        f.replications
    ));
    if let Some((name, u, w, _)) = f.plan_busiest.first() {
        let verdict = if u.mean < f.saturation_threshold {
            format!(
                "no facility reaches {:.0} % utilisation at plan demand",
                f.saturation_threshold * 100.0
            )
        } else {
            "it is saturated already at plan demand".to_string()
        };
        text.push(format!(
            "Its busiest facility is {name} at a utilisation of {} (mean wait {} h): {verdict}.",
            u.text(),
            w.text()
        ));
    }
    match first_saturation(f) {
        Some((factor, name, u, w)) => text.push(format!(
            "Raising chemical demand on the plan network (sweep of `demand.chemical_factor`, {} replications per \
             level), the first facility to pass {:.0} % utilisation is **{name}**, at {factor}× plan demand \
             (utilisation {}, mean wait {} h). That is where the plan first saturates.",
            f.sweep_replications,
            f.saturation_threshold * 100.0,
            u.text(),
            w.text()
        )),
        None => text.push(format!(
            "Up to {}× plan chemical demand no facility passes {:.0} % utilisation.",
            f.demand_levels.last().map_or(1.0, |l| l.factor),
            f.saturation_threshold * 100.0
        )),
    }
    text
}

/// Section 1: what the plan carries, and where it first saturates.
fn capacity_section(f: &Findings) -> Section {
    let text = capacity_text(f);
    let busiest = f
        .plan_busiest
        .iter()
        .map(|(n, u, w, p95)| vec![n.clone(), u.text(), w.text(), readable(*p95)])
        .collect();
    let levels = f
        .demand_levels
        .iter()
        .map(|l| {
            let top = l
                .busiest
                .iter()
                .take(3)
                .map(|(n, u, w)| format!("{n} {} ({} h)", readable(u.mean), readable(w.mean)))
                .collect::<Vec<_>>()
                .join("; ");
            vec![format!("{}×", l.factor), top, l.awaiting_pickup_t.text()]
        })
        .collect();
    let chart_bars: Vec<(String, f64, f64)> = f
        .demand_levels
        .iter()
        .filter_map(|l| {
            l.busiest
                .first()
                .map(|(n, u, _)| (format!("{}× · {n}", l.factor), u.mean, u.half_width))
        })
        .collect();
    Section {
        heading: format!(
            "What the {} carries, and where it first saturates",
            f.plan_label
        ),
        text,
        tables: vec![
            (
                [
                    "facility",
                    "utilisation",
                    "mean wait, h",
                    "95th percentile wait, h",
                ]
                .map(String::from)
                .to_vec(),
                busiest,
            ),
            (
                [
                    "chemical demand",
                    "three busiest facilities: utilisation (mean wait)",
                    "tonnes awaiting pickup at the end of the year",
                ]
                .map(String::from)
                .to_vec(),
                levels,
            ),
        ],
        charts: vec![(
            "saturation.svg".into(),
            bar_chart(
                "Busiest facility by chemical demand factor",
                "utilisation",
                &chart_bars,
            ),
        )],
    }
}

/// Section 2: the accident risk of the plan and its top contributors.
fn plan_risk_section(f: &Findings) -> Section {
    let mut text = vec![format!(
        "Accident risk of the plan's flows (importance-sampled accidents, {} replications): {}.",
        f.replications,
        f.plan_risk
            .iter()
            .map(|(l, e, u)| format!("{l} {} {u}", e.text()))
            .collect::<Vec<_>>()
            .join("; ")
    )];
    if let Some(share) = f.plan_domino_share {
        text.push(format!(
            "Domino cascades (escalation to tanks, parked tankers, wagons or barges present at that moment) \
             account for {:.1} % of the plan's PLL.",
            100.0 * share
        ));
    }
    text.extend(exceedance_text(f));
    let contributors = f
        .plan_contributors
        .iter()
        .map(|(s, fac, sub, pll, share)| {
            vec![
                s.clone(),
                fac.clone(),
                sub.clone(),
                readable(*pll),
                readable(*share),
            ]
        })
        .collect();
    Section {
        heading: "Accident risk of the plan".into(),
        text,
        tables: vec![(
            [
                "source",
                "facility or route",
                "substance",
                "PLL, deaths/yr",
                "share of PLL",
            ]
            .map(String::from)
            .to_vec(),
            contributors,
        )],
        charts: Vec::new(),
    }
}

/// The last section: the paired effect of each what-if on capacity and on risk, and the charts across
/// all scenarios.
fn what_if_section(f: &Findings) -> Section {
    let mut text = vec![format!(
        "Each what-if runs with the plan's seed, so replication r of both shares every flow's, facility's and \
         accident initiator's random numbers; differences are paired (what-if − plan) with 95 % intervals, \
         and marked * when the interval excludes zero."
    )];
    let mut tables = Vec::new();
    for w in &f.what_ifs {
        let changed: Vec<String> = w
            .differences
            .iter()
            .filter(|d| d.significant)
            .map(|d| format!("{} {} {}", d.label, signed(&d.difference), d.unit))
            .collect();
        text.push(format!(
            "**{}** ({}): {}.",
            w.name,
            w.description,
            if changed.is_empty() {
                "no significant change in the figures below".to_string()
            } else {
                changed.join("; ")
            }
        ));
        let rows = w
            .differences
            .iter()
            .map(|d| {
                vec![
                    d.label.clone(),
                    d.unit.clone(),
                    readable(d.plan),
                    readable(d.what_if),
                    format!(
                        "{}{}",
                        signed(&d.difference),
                        if d.significant { " *" } else { "" }
                    ),
                ]
            })
            .collect();
        tables.push((
            vec![
                w.name.clone(),
                "unit".into(),
                "plan".into(),
                "what-if".into(),
                "what-if − plan".into(),
            ],
            rows,
        ));
    }
    let mut charts = Vec::new();
    for (k, (file, title, unit)) in f.across_charts.iter().enumerate() {
        let bars: Vec<(String, f64, f64)> = f
            .across
            .iter()
            .map(|(name, e)| (name.clone(), e[k].mean, e[k].half_width))
            .collect();
        charts.push((file.clone(), bar_chart(title, unit, &bars)));
    }
    Section {
        heading: "Effect of each what-if on capacity and on risk".into(),
        text,
        tables,
        charts,
    }
}

/// The criterion exceedances, counted per criteria set (primary first), and the protected objects
/// above their limit.
fn exceedance_text(f: &Findings) -> Vec<String> {
    let mut text = Vec::new();
    if f.plan_exceedances.is_empty() {
        text.push("No F-N criterion line is exceeded.".into());
    }
    let mut sets: Vec<&str> = Vec::new();
    for e in &f.plan_exceedances {
        if !sets.contains(&e.0.as_str()) {
            sets.push(&e.0);
        }
    }
    for set in sets {
        let rows: Vec<_> = f.plan_exceedances.iter().filter(|e| e.0 == set).collect();
        let worst = rows
            .iter()
            .max_by(|a, b| a.3.total_cmp(&b.3))
            .expect("one row per listed set");
        text.push(format!(
            "Criteria `{set}`: {} F-N checks exceeded; the worst is {} ({}) at {}× the line, at N = {}.",
            rows.len(),
            worst.1,
            worst.2,
            readable(worst.3),
            readable(worst.4)
        ));
    }
    if !f.plan_protected_exceeded.is_empty() {
        text.push(format!(
            "Protected objects above their individual-risk limit (primary criteria): {}.",
            f.plan_protected_exceeded
                .iter()
                .map(|(id, class, ratio)| format!("{id} ({class}) {}×", readable(*ratio)))
                .collect::<Vec<_>>()
                .join("; ")
        ));
    }
    text
}

fn signed(e: &Estimate) -> String {
    let sign = if e.mean > 0.0 { "+" } else { "" };
    format!("{sign}{}", e.text())
}

fn markdown_table(header: &[String], rows: &[Vec<String>]) -> String {
    let clean = |s: &str| s.replace('|', "\\|").replace('\n', " ");
    let mut md = format!(
        "| {} |\n|{}\n",
        header
            .iter()
            .map(|h| clean(h))
            .collect::<Vec<_>>()
            .join(" | "),
        " --- |".repeat(header.len())
    );
    for row in rows {
        let _ = writeln!(
            md,
            "| {} |",
            row.iter().map(|c| clean(c)).collect::<Vec<_>>().join(" | ")
        );
    }
    md
}

/// Writes `<docs>/<document>.md`, `<docs>/<document>/*.svg` and `<docs>/<document>.html` (each file
/// written to a temporary name and renamed).
pub fn write_findings(docs: &Path, f: &Findings) -> Result<(PathBuf, PathBuf), ReportError> {
    let assets_name = f.document.as_str();
    let assets = docs.join(assets_name);
    std::fs::create_dir_all(&assets).map_err(io_error(&assets))?;
    let sections = sections(f);
    let mut md = format!(
        "# {}\n\n{}\n\nRegenerate with `{}` (hazflow {}, seed {}, {} replications per scenario).\n",
        f.title, f.intro, f.command, f.hazflow_version, f.seed, f.replications
    );
    let mut html = format!(
        "<h1>{}</h1><p>{}</p><p class=\"meta\">Regenerate with <code>{}</code> (hazflow {}, seed {}, {} \
         replications per scenario).</p>",
        escape(&f.title),
        escape(&f.intro.replace('`', "")),
        escape(&f.command),
        escape(&f.hazflow_version),
        f.seed,
        f.replications
    );
    for (k, section) in sections.iter().enumerate() {
        let _ = write!(md, "\n## {}\n\n", section.heading);
        let _ = write!(html, "<h2>{}</h2>", escape(&section.heading));
        for paragraph in &section.text {
            let _ = write!(md, "{paragraph}\n\n");
            let _ = write!(html, "<p>{}</p>", markdown_bold_to_html(&escape(paragraph)));
        }
        for (header, rows) in &section.tables {
            md.push_str(&markdown_table(header, rows));
            md.push('\n');
            let header: Vec<&str> = header.iter().map(String::as_str).collect();
            html.push_str(&table(&header, rows));
        }
        for (file, svg) in &section.charts {
            let path = assets.join(file);
            write_atomically(&path, svg.as_bytes())?;
            let _ = write!(md, "![{file}]({assets_name}/{file})\n\n");
            html.push_str(svg);
        }
        if k == 1 {
            for (source, caption) in &f.plan_plots {
                let Some(name) = source.file_name().map(|n| n.to_string_lossy().into_owned())
                else {
                    continue;
                };
                let Ok(bytes) = std::fs::read(source) else {
                    continue;
                };
                let path = assets.join(format!("plan-{name}"));
                write_atomically(&path, &bytes)?;
                let _ = write!(
                    md,
                    "![{caption}]({assets_name}/plan-{name})\n\n*{caption}*\n\n"
                );
                html.push_str(&embedded_image(&path, caption));
            }
        }
    }
    let md_path = docs.join(format!("{assets_name}.md"));
    write_atomically(&md_path, md.as_bytes())?;
    let html_path = docs.join(format!("{assets_name}.html"));
    let html = page(&f.html_title, &html);
    write_atomically(&html_path, html.as_bytes())?;
    Ok((md_path, html_path))
}

/// `**bold**` of the generated paragraphs as `<b>` (the text is escaped first; `*` is not special in HTML).
fn markdown_bold_to_html(text: &str) -> String {
    let mut out = String::new();
    for (k, part) in text.split("**").enumerate() {
        if k % 2 == 1 {
            let _ = write!(out, "<b>{part}</b>");
        } else {
            out.push_str(&part.replace('`', ""));
        }
    }
    out
}
