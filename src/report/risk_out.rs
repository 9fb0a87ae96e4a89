//! Risk outputs: `accidents.csv` (one row per sampled accident), `fn_curves.csv`, `criterion_check.csv`,
//! `protected_objects.csv`,
//! `risk_contributors.csv`, `individual_risk.csv`, `ir_transects.csv` and, with a simulated brigade,
//! `response_times.csv`.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use super::csv_out::{format_error, writer};
use super::{ReportError, format_number, io_error};
use crate::experiment::risk_analysis::RiskAnalysis;
use crate::model::{Model, RiskModel};
use crate::sim::{ANY_WEATHER, Accident, facility_of};

/// Cells below this individual risk (the lowest contour) are left out of `individual_risk.csv`.
pub const IR_CSV_FLOOR: f64 = 1e-8;

/// `accidents.csv`, written replication by replication as the run folds them.
pub struct AccidentsWriter {
    path: PathBuf,
    scenario: String,
    writer: csv::Writer<BufWriter<File>>,
    response: bool,
}

/// The columns a simulated brigade adds to `accidents.csv`.
const RESPONSE_COLUMNS: [&str; 5] = [
    "response_min",
    "first_engine_min",
    "engines_sent",
    "escalation_prevented",
    "deaths_avoided_mean",
];

impl AccidentsWriter {
    /// Creates the file and writes its header; `response`: the run simulates the brigade, whose
    /// columns come last.
    pub fn create(path: &Path, scenario: &str, response: bool) -> Result<Self, ReportError> {
        let mut writer = writer(path)?;
        let mut header = vec![
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
            "airborne_kg",
            "outcome",
            "weather",
            "wind_from_deg",
            "weight",
            "frequency_per_year",
            "deaths",
            "deaths_mean",
            "domino_deaths_mean",
            "deaths_max",
            "max_outcome",
            "max_weather",
            "max_wind_from_deg",
            "probability_n_ge_10",
            "cascade_depth",
            "units_involved",
            "units",
            "x_m",
            "y_m",
            "lon",
            "lat",
            "chainage_km",
            "closure_h",
        ];
        if response {
            header.extend(RESPONSE_COLUMNS);
        }
        writer.write_record(&header).map_err(format_error(path))?;
        Ok(Self {
            path: path.to_path_buf(),
            scenario: scenario.to_string(),
            writer,
            response,
        })
    }

    /// Appends the accidents of one replication; `years` is the run's simulated years (all
    /// replications), for `frequency_per_year`.
    pub fn write(
        &mut self,
        m: &Model,
        accidents: &[Accident],
        years: f64,
    ) -> Result<(), ReportError> {
        let r = m.risk.as_ref().expect("accidents only with a risk model");
        let e = format_error(&self.path);
        let weather = |w: u8| {
            if w == ANY_WEATHER {
                "any".to_string()
            } else {
                r.weather[w as usize].id.clone()
            }
        };
        let wind = |d: f32| {
            if d.is_nan() {
                String::new()
            } else {
                format!("{d:.1}")
            }
        };
        for a in accidents {
            let (lon, lat) = r.unproject(a.x_m, a.y_m);
            let (shown_branch, shown) = a.shown();
            let (worst_branch, worst) = a.worst();
            let mut row = vec![
                self.scenario.clone(),
                a.replication.to_string(),
                format_number(a.time_h),
                ((a.time_h / 24.0).floor() as i64 + 1).to_string(),
                format!("{:.2}", (a.time_h + m.warmup_h).rem_euclid(24.0)),
                a.night.to_string(),
                a.source.category(a.mode).name().to_string(),
                facility_of(m, a.source),
                a.mode.map_or(String::new(), |x| x.name().to_string()),
                m.commodities[a.commodity].id.clone(),
                r.substances[a.substance].id.clone(),
                a.release.name().to_string(),
                format_number(a.released_kg),
                format_number(a.airborne_kg),
                shown_branch.outcome.name().to_string(),
                weather(shown.weather),
                wind(shown.wind_from_deg),
                format_number(a.weight),
                format_number(a.weight / years),
                format_number(shown.deaths),
                format_number(a.expected_deaths()),
                format_number(a.expected_domino_deaths()),
                format_number(worst.deaths),
                worst_branch.outcome.name().to_string(),
                weather(worst.weather),
                wind(worst.wind_from_deg),
                format_number(a.probability_at_least(10.0)),
                shown_branch.depth.to_string(),
                shown_branch.units.len().to_string(),
                shown_branch.units.join(";"),
                format!("{:.1}", a.x_m),
                format!("{:.1}", a.y_m),
                format!("{lon:.5}"),
                format!("{lat:.5}"),
                a.chainage_km.map_or(String::new(), |c| format!("{c:.3}")),
                format_number(a.closure_h),
            ];
            if self.response {
                row.extend(response_fields(a));
            }
            self.writer.write_record(&row).map_err(&e)?;
        }
        Ok(())
    }

    /// Flushes the file; `frequency_scale` != 1 rescales its `frequency_per_year` column (a run that
    /// stopped before the replications it was written for).
    pub fn finish(mut self, frequency_scale: f64) -> Result<(), ReportError> {
        self.writer.flush().map_err(io_error(&self.path))?;
        drop(self.writer);
        if frequency_scale == 1.0 {
            return Ok(());
        }
        let e = format_error(&self.path);
        let mut reader = csv::Reader::from_path(&self.path).map_err(&e)?;
        let headers = reader.headers().map_err(&e)?.clone();
        let column = headers
            .iter()
            .position(|h| h == "frequency_per_year")
            .expect("the writer's own header");
        let rescaled = self.path.with_extension("csv.rescaled");
        let mut w = writer(&rescaled)?;
        w.write_record(&headers).map_err(format_error(&rescaled))?;
        for record in reader.records() {
            let record = record.map_err(&e)?;
            let fields: Vec<String> = record
                .iter()
                .enumerate()
                .map(|(i, f)| match (i == column, f.parse::<f64>()) {
                    (true, Ok(v)) => format_number(v * frequency_scale),
                    _ => f.to_string(),
                })
                .collect();
            w.write_record(&fields).map_err(format_error(&rescaled))?;
        }
        w.flush().map_err(io_error(&rescaled))?;
        std::fs::rename(&rescaled, &self.path).map_err(io_error(&self.path))
    }
}

/// The brigade's columns of one accident: when the first assignment and the first engine were on scene
/// (minutes after the release; empty when no engine could come), engines sent, whether the listed branch
/// was stopped from escalating, and the expected deaths the brigade avoided.
fn response_fields(a: &Accident) -> [String; 5] {
    let minutes = |h: Option<f64>| h.map_or(String::new(), |h| format!("{:.1}", h * 60.0));
    let d = a.dispatch;
    let prevented = a.shown().0.escalation_prevented();
    [
        minutes(d.and_then(|d| d.on_scene_h)),
        minutes(d.and_then(|d| d.first_engine_h)),
        d.map_or(0, |d| d.engines).to_string(),
        prevented.to_string(),
        format_number(a.expected_deaths_avoided()),
    ]
}

/// Writes every risk file but `accidents.csv` into `dir`.
pub fn write_risk_files(
    dir: &Path,
    scenario: &str,
    m: &Model,
    analysis: &RiskAnalysis,
) -> Result<(), ReportError> {
    let r = m
        .risk
        .as_ref()
        .expect("risk analysis only with a risk model");
    write_fn_curves(&dir.join("fn_curves.csv"), scenario, analysis)?;
    write_criterion_checks(&dir.join("criterion_check.csv"), scenario, analysis)?;
    write_protected_objects(&dir.join("protected_objects.csv"), scenario, analysis)?;
    write_contributors(&dir.join("risk_contributors.csv"), scenario, analysis)?;
    write_individual_risk(&dir.join("individual_risk.csv"), scenario, r, analysis)?;
    if !analysis.response_times.is_empty() {
        write_response_times(&dir.join("response_times.csv"), scenario, analysis)?;
    }
    write_transects(&dir.join("ir_transects.csv"), scenario, analysis)
}

/// `response_times.csv`: the brigade's response by area.
fn write_response_times(
    path: &Path,
    scenario: &str,
    analysis: &RiskAnalysis,
) -> Result<(), ReportError> {
    let minutes = |x: f64| {
        if x.is_finite() {
            format!("{x:.2}")
        } else {
            String::new()
        }
    };
    let rows = analysis.response_times.iter().map(|a| {
        vec![
            scenario.to_string(),
            a.area.clone(),
            a.accidents.to_string(),
            format_number(a.frequency_per_year),
            format!("{:.4}", a.reached_share),
            minutes(a.mean_min),
            minutes(a.ci_low_min),
            minutes(a.ci_high_min),
            minutes(a.p50_min),
            minutes(a.p90_min),
            format!("{:.4}", a.within_standard_share),
        ]
    });
    write_table(
        path,
        &[
            "scenario",
            "area",
            "accidents_sampled",
            "frequency_per_year",
            "reached_share",
            "response_min_mean",
            "response_min_ci_low",
            "response_min_ci_high",
            "response_min_p50",
            "response_min_p90",
            "within_standard_share",
        ],
        rows,
    )
}

/// Writes a CSV file: its header, then its rows, each already formatted.
fn write_table(
    path: &Path,
    header: &[&str],
    rows: impl IntoIterator<Item = Vec<String>>,
) -> Result<(), ReportError> {
    let mut w = writer(path)?;
    let e = format_error(path);
    w.write_record(header).map_err(&e)?;
    for row in rows {
        w.write_record(&row).map_err(&e)?;
    }
    w.flush().map_err(io_error(path))
}

/// `fn_curves.csv`: every point of every F-N curve.
fn write_fn_curves(
    path: &Path,
    scenario: &str,
    analysis: &RiskAnalysis,
) -> Result<(), ReportError> {
    let rows = analysis.curves.iter().flat_map(|c| {
        (0..c.n.len()).map(move |k| {
            vec![
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
                format_number(c.upper95[k]),
            ]
        })
    });
    write_table(
        path,
        &[
            "scenario",
            "scope",
            "unit",
            "n",
            "frequency",
            "ci95_low",
            "ci95_high",
            "relative_standard_error",
            "criterion_limit",
            "upper95",
        ],
        rows,
    )
}

/// `criterion_check.csv`: every criterion check, worst first.
fn write_criterion_checks(
    path: &Path,
    scenario: &str,
    analysis: &RiskAnalysis,
) -> Result<(), ReportError> {
    let rows = analysis.checks.iter().map(|c| {
        vec![
            scenario.to_string(),
            c.criteria.clone(),
            c.scope.clone(),
            c.kind.to_string(),
            format_number(c.max_ratio),
            format_number(c.at_n),
            (c.max_ratio > 1.0).to_string(),
            c.region.to_string(),
        ]
    });
    write_table(
        path,
        &[
            "scenario",
            "criteria",
            "scope",
            "kind",
            "max_ratio",
            "at_n",
            "exceeded",
            "region",
        ],
        rows,
    )
}

/// `protected_objects.csv`: one row per protected object and criteria set.
fn write_protected_objects(
    path: &Path,
    scenario: &str,
    analysis: &RiskAnalysis,
) -> Result<(), ReportError> {
    let rows = analysis.protected.iter().enumerate().flat_map(|(rank, p)| {
        p.limits.iter().map(move |(criteria, limit)| {
            let ratio = limit.map_or(f64::NAN, |l| p.individual_risk_per_year / l);
            vec![
                scenario.to_string(),
                (rank + 1).to_string(),
                p.id.clone(),
                p.name.clone(),
                p.class.clone(),
                criteria.clone(),
                format_number(p.individual_risk_per_year),
                limit.map_or(String::new(), format_number),
                format_number(ratio),
                limit.map_or(String::new(), |_| (ratio > 1.0).to_string()),
                p.people.map_or(String::new(), format_number),
                p.far.map_or(String::new(), format_number),
            ]
        })
    });
    write_table(
        path,
        &[
            "scenario",
            "rank",
            "id",
            "name",
            "class",
            "criteria",
            "individual_risk_per_year",
            "limit_per_year",
            "ratio",
            "exceeded",
            "people",
            "fatal_accident_rate",
        ],
        rows,
    )
}

/// `risk_contributors.csv`: the contributors with their share of the PLL.
fn write_contributors(
    path: &Path,
    scenario: &str,
    analysis: &RiskAnalysis,
) -> Result<(), ReportError> {
    let total: f64 = analysis.contributors.iter().map(|c| c.pll_per_year).sum();
    let rows = analysis.contributors.iter().enumerate().map(|(i, c)| {
        vec![
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
        ]
    });
    write_table(
        path,
        &[
            "scenario",
            "rank",
            "source",
            "facility",
            "substance",
            "pll_per_year",
            "share_of_pll",
            "frequency_n10_per_year",
        ],
        rows,
    )
}

/// `individual_risk.csv`: the map's cells at or above [`IR_CSV_FLOOR`], with their coordinates.
fn write_individual_risk(
    path: &Path,
    scenario: &str,
    r: &RiskModel,
    analysis: &RiskAnalysis,
) -> Result<(), ReportError> {
    let g = analysis.map.grid;
    let rows = (0..g.ny)
        .flat_map(|j| (0..g.nx).map(move |i| (i, j)))
        .filter_map(|(i, j)| {
            let v = analysis.map.values[j * g.nx + i];
            if v < IR_CSV_FLOOR {
                return None;
            }
            let (x, y) = g.centre(i, j);
            let (lon, lat) = r.unproject(x, y);
            Some(vec![
                scenario.to_string(),
                format!("{x:.1}"),
                format!("{y:.1}"),
                format!("{lon:.5}"),
                format!("{lat:.5}"),
                format_number(v),
            ])
        });
    write_table(
        path,
        &[
            "scenario",
            "x_m",
            "y_m",
            "lon",
            "lat",
            "individual_risk_per_year",
        ],
        rows,
    )
}

/// `ir_transects.csv`: individual risk against distance across the busiest links.
fn write_transects(
    path: &Path,
    scenario: &str,
    analysis: &RiskAnalysis,
) -> Result<(), ReportError> {
    let rows = analysis.transects.iter().flat_map(|t| {
        t.points.iter().map(|&(d, v)| {
            vec![
                scenario.to_string(),
                t.link.clone(),
                format_number(d),
                format_number(v),
            ]
        })
    });
    write_table(
        path,
        &["scenario", "link", "distance_m", "individual_risk_per_year"],
        rows,
    )
}
