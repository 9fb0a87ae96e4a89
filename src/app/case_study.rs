//! The case study `hazflow findings` works through, read from a file (`scenarios/findings.toml`): which
//! scenarios it runs, the demand sweep, and which figures it reports and compares. The tool itself names
//! no scenario or facility.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::scenario::{Diagnostic, ScenarioError, read_input_file};
use crate::sim::Metric;

/// The file `hazflow findings` reads from its scenarios folder unless told otherwise.
pub const CASE_STUDY_FILE: &str = "findings.toml";

/// One figure of a run: a row of summary.csv, with how the documents label it.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Figure {
    /// The label in the documents.
    pub label: String,
    /// The metric.
    #[serde(deserialize_with = "metric_by_name")]
    pub metric: Metric,
    /// Of what.
    pub subject: String,
    /// The breakdown, empty for none.
    #[serde(default)]
    pub detail: String,
    /// The unit as printed (only where the documents print one).
    #[serde(default)]
    pub unit: String,
    /// The chart's file name (only for the charts across scenarios).
    #[serde(default)]
    pub chart: String,
}

/// A case study: the scenarios, the sweep and the figures.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseStudy {
    /// The documents' heading.
    pub title: String,
    /// File stem of the documents and of their chart folder.
    pub document: String,
    /// Title of the HTML page.
    pub html_title: String,
    /// The paragraph under the heading.
    pub intro: String,
    /// What the documents call the plan, the first scenario (`2025 plan`).
    pub plan_label: String,
    /// Scenario files relative to the case study's folder, the plan first.
    pub scenarios: Vec<String>,
    /// Chemical demand factors of the plan's saturation sweep.
    pub demand_factors: Vec<f64>,
    /// Utilisation from which a facility counts as saturated.
    pub saturation_utilisation: f64,
    /// What the plan delivers.
    pub plan_delivered: Vec<Figure>,
    /// The plan's risk figures.
    pub plan_risk: Vec<Figure>,
    /// Figures compared pair by pair, each what-if against the plan.
    pub compared: Vec<Figure>,
    /// Figures charted across every scenario.
    pub across: Vec<Figure>,
}

fn metric_by_name<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Metric, D::Error> {
    let name = String::deserialize(d)?;
    Metric::from_name(&name).ok_or_else(|| {
        serde::de::Error::custom(format!(
            "`{name}` is not a metric of hazflow's outputs (the `metric` column of summary.csv; \
             docs/outputs.md lists them)"
        ))
    })
}

impl CaseStudy {
    /// Reads and checks a case-study file; errors name the file, line and field.
    pub fn load(path: &Path) -> Result<CaseStudy, ScenarioError> {
        let text = read_input_file(path).map_err(ScenarioError::single)?;
        let study: CaseStudy = toml::from_str(&text).map_err(|e| {
            let (line, column) = e
                .span()
                .map(|span| crate::scenario::line_column(&text, span.start))
                .unzip();
            ScenarioError::single(Diagnostic {
                file: path.to_path_buf(),
                line,
                column,
                field: String::new(),
                message: e.message().to_string(),
            })
        })?;
        study.check().map_err(|(field, message)| {
            ScenarioError::single(Diagnostic::file_level(path, field, message))
        })?;
        Ok(study)
    }

    /// The scenario files, resolved against the folder of the case-study file.
    pub fn scenario_paths(&self, folder: &Path) -> Vec<PathBuf> {
        self.scenarios.iter().map(|f| folder.join(f)).collect()
    }

    /// The checks serde cannot make: what the documents need to be written at all.
    fn check(&self) -> Result<(), (&'static str, String)> {
        if self.scenarios.is_empty() {
            return Err((
                "scenarios",
                "lists no scenario; the plan comes first".into(),
            ));
        }
        if self.demand_factors.is_empty()
            || self
                .demand_factors
                .iter()
                .any(|f| !f.is_finite() || *f < 0.0)
        {
            return Err((
                "demand_factors",
                "must list at least one finite, non-negative factor".into(),
            ));
        }
        if !(self.saturation_utilisation > 0.0 && self.saturation_utilisation <= 1.0) {
            return Err((
                "saturation_utilisation",
                format!(
                    "is {}, expected a fraction in (0, 1]",
                    self.saturation_utilisation
                ),
            ));
        }
        let safe = |name: &str| {
            !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
                && !name.starts_with('.')
        };
        if !safe(&self.document) {
            return Err((
                "document",
                format!(
                    "`{}` is not a plain file name (letters, digits, `-`, `_`, `.`)",
                    self.document
                ),
            ));
        }
        if let Some(f) = self
            .across
            .iter()
            .find(|f| !safe(&f.chart) || !f.chart.ends_with(".svg"))
        {
            return Err((
                "across.chart",
                format!(
                    "`{}` of `{}` is not a plain `.svg` file name",
                    f.chart, f.label
                ),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(name: &str, text: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("hazflow-case-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("findings.toml");
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn the_shipped_case_study_loads_and_names_existing_scenarios() {
        let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
        let study = CaseStudy::load(&folder.join(CASE_STUDY_FILE)).unwrap();
        assert!(study.scenarios[0].contains("plan"));
        for path in study.scenario_paths(&folder) {
            assert!(path.is_file(), "{}", path.display());
        }
        assert!(!study.compared.is_empty() && !study.across.is_empty());
    }

    #[test]
    fn a_misspelt_metric_is_located() {
        let shipped = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("scenarios")
                .join(CASE_STUDY_FILE),
        )
        .unwrap();
        let text = shipped.replacen("metric = \"pll_per_year\"", "metric = \"pll_per_yaer\"", 1);
        let line = text
            .lines()
            .position(|l| l.contains("pll_per_yaer"))
            .unwrap()
            + 1;
        let error = CaseStudy::load(&write("misspelt", &text)).unwrap_err();
        let d = &error.diagnostics[0];
        assert_eq!(d.line, Some(line), "{d}");
        assert!(d.message.contains("`pll_per_yaer` is not a metric"), "{d}");
    }

    #[test]
    fn a_document_name_cannot_leave_the_docs_folder() {
        let shipped = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("scenarios")
                .join(CASE_STUDY_FILE),
        )
        .unwrap();
        let text = shipped.replace("document = \"liuzhou-findings\"", "document = \"../x\"");
        let error = CaseStudy::load(&write("escape", &text)).unwrap_err();
        assert_eq!(error.diagnostics[0].field, "document");
    }
}
