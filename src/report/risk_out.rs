//! Risk outputs: `accidents.csv` (one row per sampled accident), `fn_curves.csv`, `criterion_check.csv`,
//! `risk_contributors.csv`, `individual_risk.csv` and `ir_transects.csv`.

use std::path::Path;

use super::csv_out::{format_error, writer};
use super::{ReportError, format_number, io_error};
use crate::experiment::risk_analysis::RiskAnalysis;
use crate::model::Model;
use crate::sim::{Accident, facility_of};

/// Cells below this individual risk (the lowest contour) are left out of `individual_risk.csv`.
pub const IR_CSV_FLOOR: f64 = 1e-8;

/// Writes every risk file into `dir`.
pub fn write_risk_files(
    dir: &Path,
    scenario: &str,
    m: &Model,
    accidents: &[Accident],
    analysis: &RiskAnalysis,
) -> Result<(), ReportError> {
    let r = m
        .risk
        .as_ref()
        .expect("risk analysis only with a risk model");
    let years = analysis.years;

    let path = dir.join("accidents.csv");
    let mut w = writer(&path)?;
    let e = format_error(&path);
    w.write_record([
        "scenario",
        "replication",
        "time_h",
        "day",
        "hour",
        "night",
        "source",
        "facility",
        "mode",
        "commodity",
        "substance",
        "release",
        "released_kg",
        "outcome",
        "weather",
        "wind_from_deg",
        "weight",
        "frequency_per_year",
        "deaths",
        "cascade_depth",
        "units_involved",
        "units",
        "x_m",
        "y_m",
        "lon",
        "lat",
        "closure_h",
    ])
    .map_err(&e)?;
    for a in accidents {
        let (lon, lat) = r.unproject(a.x_m, a.y_m);
        w.write_record([
            scenario.to_string(),
            a.replication.to_string(),
            format_number(a.time_h),
            ((a.time_h / 24.0).floor() as i64 + 1).to_string(),
            format!("{:.2}", (a.time_h + m.warmup_h).rem_euclid(24.0)),
            a.night.to_string(),
            a.source.category(a.mode).to_string(),
            facility_of(m, a.source),
            a.mode.map_or(String::new(), |x| x.name().to_string()),
            m.commodities[a.commodity].id.clone(),
            r.substances[a.substance].id.clone(),
            a.release.name().to_string(),
            format_number(a.released_kg),
            a.outcome.name().to_string(),
            r.weather[a.weather].id.clone(),
            format!("{:.1}", a.wind_from_deg),
            format_number(a.weight),
            format_number(a.weight / years),
            format_number(a.deaths),
            a.depth.to_string(),
            a.units.len().to_string(),
            a.units.join(";"),
            format!("{:.1}", a.x_m),
            format!("{:.1}", a.y_m),
            format!("{lon:.5}"),
            format!("{lat:.5}"),
            format_number(a.closure_h),
        ])
        .map_err(&e)?;
    }
    w.flush().map_err(io_error(&path))?;

    let path = dir.join("fn_curves.csv");
    let mut w = writer(&path)?;
    let e = format_error(&path);
    w.write_record([
        "scenario",
        "scope",
        "unit",
        "n",
        "frequency",
        "ci95_low",
        "ci95_high",
        "relative_standard_error",
        "criterion_limit",
    ])
    .map_err(&e)?;
    for c in &analysis.curves {
        for k in 0..c.n.len() {
            w.write_record([
                scenario.to_string(),
                c.scope.clone(),
                c.unit.to_string(),
                format_number(c.n[k]),
                format_number(c.frequency[k]),
                format_number(c.ci_low[k]),
                format_number(c.ci_high[k]),
                format_number(c.relative_standard_error[k]),
                if c.limit[k].is_finite() {
                    format_number(c.limit[k])
                } else {
                    String::new()
                },
            ])
            .map_err(&e)?;
        }
    }
    w.flush().map_err(io_error(&path))?;

    let path = dir.join("criterion_check.csv");
    let mut w = writer(&path)?;
    let e = format_error(&path);
    w.write_record([
        "scenario",
        "criteria",
        "scope",
        "kind",
        "max_ratio",
        "at_n",
        "exceeded",
    ])
    .map_err(&e)?;
    for c in &analysis.checks {
        w.write_record([
            scenario.to_string(),
            r.criteria.id.clone(),
            c.scope.clone(),
            c.kind.to_string(),
            format_number(c.max_ratio),
            format_number(c.at_n),
            (c.max_ratio > 1.0).to_string(),
        ])
        .map_err(&e)?;
    }
    w.flush().map_err(io_error(&path))?;

    let path = dir.join("risk_contributors.csv");
    let mut w = writer(&path)?;
    let e = format_error(&path);
    w.write_record([
        "scenario",
        "rank",
        "source",
        "facility",
        "substance",
        "pll_per_year",
        "share_of_pll",
        "frequency_n10_per_year",
    ])
    .map_err(&e)?;
    let total: f64 = analysis.contributors.iter().map(|c| c.pll_per_year).sum();
    for (i, c) in analysis.contributors.iter().enumerate() {
        w.write_record([
            scenario.to_string(),
            (i + 1).to_string(),
            c.category.to_string(),
            c.facility.clone(),
            c.substance.clone(),
            format_number(c.pll_per_year),
            format_number(if total > 0.0 {
                c.pll_per_year / total
            } else {
                0.0
            }),
            format_number(c.frequency_n10_per_year),
        ])
        .map_err(&e)?;
    }
    w.flush().map_err(io_error(&path))?;

    let path = dir.join("individual_risk.csv");
    let mut w = writer(&path)?;
    let e = format_error(&path);
    w.write_record([
        "scenario",
        "x_m",
        "y_m",
        "lon",
        "lat",
        "individual_risk_per_year",
    ])
    .map_err(&e)?;
    let g = analysis.map.grid;
    for j in 0..g.ny {
        for i in 0..g.nx {
            let v = analysis.map.values[j * g.nx + i];
            if v < IR_CSV_FLOOR {
                continue;
            }
            let (x, y) = g.centre(i, j);
            let (lon, lat) = r.unproject(x, y);
            w.write_record([
                scenario.to_string(),
                format!("{x:.1}"),
                format!("{y:.1}"),
                format!("{lon:.5}"),
                format!("{lat:.5}"),
                format_number(v),
            ])
            .map_err(&e)?;
        }
    }
    w.flush().map_err(io_error(&path))?;

    let path = dir.join("ir_transects.csv");
    let mut w = writer(&path)?;
    let e = format_error(&path);
    w.write_record(["scenario", "link", "distance_m", "individual_risk_per_year"])
        .map_err(&e)?;
    for t in &analysis.transects {
        for &(d, v) in &t.points {
            w.write_record([
                scenario.to_string(),
                t.link.clone(),
                format_number(d),
                format_number(v),
            ])
            .map_err(&e)?;
        }
    }
    w.flush().map_err(io_error(&path))?;
    Ok(())
}
