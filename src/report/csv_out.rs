//! Tidy CSV files: one row per (metric, subject, detail), plus one per replication and one per day.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use super::{ReportError, io_error};
use crate::experiment::risk_analysis::RiskAnalysis;
use crate::experiment::{ReplicationStats, RunSummary};
use crate::sim::ReplicationOutput;

/// Numbers as the shortest decimal that reads back to the same value; NaN as an empty field; -0 as 0.
pub fn format_number(x: f64) -> String {
    if x.is_nan() {
        String::new()
    } else if x == 0.0 {
        "0".into()
    } else {
        format!("{x}")
    }
}

pub(super) fn writer(path: &Path) -> Result<csv::Writer<BufWriter<File>>, ReportError> {
    let file = File::create(path).map_err(io_error(path))?;
    Ok(csv::Writer::from_writer(BufWriter::new(file)))
}

pub(super) fn format_error(path: &Path) -> impl Fn(csv::Error) -> ReportError + '_ {
    move |e| ReportError::Format {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

fn stats_fields(s: &ReplicationStats) -> [String; 6] {
    [
        format_number(s.mean()),
        format_number(s.ci95_half_width()),
        format_number(s.std_dev()),
        format_number(s.min()),
        format_number(s.max()),
        s.count().to_string(),
    ]
}

/// `summary.csv`: one row per metric key with mean, 95 % half-width, standard deviation, min, max, reps;
/// then the rows of the risk analysis, if any (pooled rows have no spread: their `reps` is the number of
/// replications pooled).
pub fn write_summary(
    path: &Path,
    scenario: &str,
    summary: &RunSummary,
    risk: Option<&RiskAnalysis>,
    replications: u64,
) -> Result<(), ReportError> {
    let mut w = writer(path)?;
    let e = format_error(path);
    w.write_record([
        "scenario",
        "metric",
        "subject",
        "detail",
        "unit",
        "mean",
        "ci95_half_width",
        "std_dev",
        "min",
        "max",
        "reps",
    ])
    .map_err(&e)?;
    // Metrics of the replications, then the risk analysis' rows with a spread over replications.
    let risk_rows = risk
        .iter()
        .flat_map(|r| r.rows.iter().map(|(key, stats)| (key, stats)));
    for (key, stats) in summary.keys.iter().zip(&summary.stats).chain(risk_rows) {
        let [mean, half, sd, min, max, reps] = stats_fields(stats);
        w.write_record([
            scenario,
            key.metric.name(),
            &key.subject,
            &key.detail,
            key.unit,
            &mean,
            &half,
            &sd,
            &min,
            &max,
            &reps,
        ])
        .map_err(&e)?;
    }
    if let Some(risk) = risk {
        let reps = replications.to_string();
        for (key, value) in &risk.pooled {
            let v = format_number(*value);
            w.write_record([
                scenario,
                key.metric.name(),
                &key.subject,
                &key.detail,
                key.unit,
                &v,
                "",
                "",
                &v,
                &v,
                &reps,
            ])
            .map_err(&e)?;
        }
    }
    w.flush().map_err(io_error(path))
}

/// `timeseries.csv`: per day and series, the mean over replications with its interval.
pub fn write_timeseries(
    path: &Path,
    scenario: &str,
    summary: &RunSummary,
) -> Result<(), ReportError> {
    let mut w = writer(path)?;
    let e = format_error(path);
    w.write_record([
        "scenario",
        "day",
        "metric",
        "subject",
        "unit",
        "mean",
        "ci95_half_width",
        "std_dev",
        "min",
        "max",
        "reps",
    ])
    .map_err(&e)?;
    for (day, row) in summary.daily.iter().enumerate() {
        let day = (day + 1).to_string();
        for (key, stats) in summary.daily_keys.iter().zip(row) {
            let [mean, half, sd, min, max, reps] = stats_fields(stats);
            w.write_record([
                scenario,
                &day,
                key.metric.name(),
                &key.subject,
                key.unit,
                &mean,
                &half,
                &sd,
                &min,
                &max,
                &reps,
            ])
            .map_err(&e)?;
        }
    }
    w.flush().map_err(io_error(path))
}

/// `replications.csv`, written as replications arrive (in order).
pub struct ReplicationsWriter {
    path: PathBuf,
    scenario: String,
    writer: csv::Writer<BufWriter<File>>,
}

impl ReplicationsWriter {
    /// Creates the file and writes its header.
    pub fn create(path: &Path, scenario: &str) -> Result<Self, ReportError> {
        let mut writer = writer(path)?;
        writer
            .write_record([
                "scenario",
                "replication",
                "metric",
                "subject",
                "detail",
                "unit",
                "value",
            ])
            .map_err(format_error(path))?;
        Ok(Self {
            path: path.to_path_buf(),
            scenario: scenario.to_string(),
            writer,
        })
    }

    /// Appends one replication's metrics.
    pub fn write(&mut self, replication: u64, out: &ReplicationOutput) -> Result<(), ReportError> {
        let replication = replication.to_string();
        for (key, value) in &out.metrics {
            self.writer
                .write_record([
                    &self.scenario,
                    &replication,
                    key.metric.name(),
                    &key.subject,
                    &key.detail,
                    key.unit,
                    &format_number(*value),
                ])
                .map_err(format_error(&self.path))?;
        }
        Ok(())
    }

    /// Flushes the file.
    pub fn finish(mut self) -> Result<(), ReportError> {
        self.writer.flush().map_err(io_error(&self.path))
    }
}

#[cfg(test)]
mod tests {
    use super::format_number;

    #[test]
    fn numbers_round_trip_and_nan_is_empty() {
        assert_eq!(format_number(-0.0), "0");
        assert_eq!(format_number(f64::NAN), "");
        for x in [0.1, 1.0 / 3.0, 2.5e-12, 1.7e9] {
            assert_eq!(format_number(x).parse::<f64>().unwrap(), x);
        }
    }
}
