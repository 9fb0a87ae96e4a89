//! Scenario files: the serde types of the format, loading with `extends`, and validation with located
//! errors. Nothing here knows how the model runs; `model::compile` turns a loaded scenario into the
//! network the simulation uses.

mod check;
mod dist_field;
mod error;
mod exposure;
mod facilities;
mod flows;
mod load;
mod ranges;
mod response;
mod risk;
mod risk_check;
mod risk_data;
mod sourced;
mod types;
mod validate;

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

pub use check::parse_chain;
pub use dist_field::DistField;
pub(crate) use error::with_suppressed;
pub use error::{Diagnostic, MAX_DIAGNOSTICS, ScenarioError, readable};
pub use exposure::*;
pub use facilities::*;
pub use flows::*;
pub(crate) use load::line_column;
pub use load::{
    DiskFiles, FieldPath, IntoSegment, MAX_EXTENDS_DEPTH, MAX_INPUT_BYTES, Segment, SourceFiles,
    SourceProvider, read_input_file,
};
pub use response::*;
pub use risk::*;
pub use risk_check::{LoadedRiskData, load_layers as load_risk_data};
pub use risk_data::*;
pub use sourced::Sourced;
pub use types::*;

use load::{Document, Node, NodeValue, normalise};

/// A scenario read from its files, validated, with the means to locate any of its fields.
pub struct LoadedScenario {
    /// The typed scenario.
    pub scenario: Scenario,
    /// The file named by the user (the top of the `extends` chain).
    pub path: PathBuf,
    /// The risk data layers named in `[risk] data`, if the scenario has a `[risk]` table.
    pub risk_data: Option<LoadedRiskData>,
    document: Document,
}

/// Loads and validates the scenario at `path` from disk.
pub fn load(path: &Path) -> Result<LoadedScenario, ScenarioError> {
    load_with(path, &DiskFiles)
}

/// Loads and validates the scenario at `path`, reading files through `provider`.
pub fn load_with(
    path: &Path,
    provider: &dyn SourceProvider,
) -> Result<LoadedScenario, ScenarioError> {
    let document = Document::load(path, provider)?;
    let scenario: Scenario = match serde_path_to_error::deserialize(document.to_value()) {
        Ok(s) => s,
        Err(e) => {
            let field_path = serde_path(e.path());
            let message = e.inner().message().trim().to_string();
            return Err(ScenarioError::single(
                document.diagnostic(&field_path, explain(&message)),
            ));
        }
    };
    // Numbers out of physical range, then the semantic checks; a field already out of range is not
    // reported twice.
    let mut diagnostics = ranges::check_ranges(&document);
    let semantic = validate::validate(&scenario, &document);
    let out_of_range: std::collections::BTreeSet<String> =
        diagnostics.iter().map(|d| d.field.clone()).collect();
    diagnostics.extend(
        semantic
            .into_iter()
            .filter(|d| !out_of_range.contains(&d.field)),
    );
    diagnostics.truncate(MAX_DIAGNOSTICS + 1);
    if !diagnostics.is_empty() {
        return Err(ScenarioError { diagnostics });
    }
    let risk_data = risk_check::load_risk_data(&scenario, &document, provider)?;
    Ok(LoadedScenario {
        scenario,
        path: path.to_path_buf(),
        risk_data,
        document,
    })
}

/// Makes serde's wording a little more helpful where it is terse.
fn explain(message: &str) -> String {
    if message.starts_with("unknown field") {
        format!("{message} (check the spelling; docs/scenario-format.md lists every field)")
    } else {
        message.to_string()
    }
}

pub(crate) fn serde_path(path: &serde_path_to_error::Path) -> FieldPath {
    use serde_path_to_error::Segment as S;
    path.iter()
        .filter_map(|s| match s {
            S::Seq { index } => Some(Segment::Index(*index)),
            S::Map { key } => Some(Segment::Key(key.clone())),
            S::Enum { variant } => Some(Segment::Key(variant.clone())),
            S::Unknown => None,
        })
        .collect()
}

/// Any TOML input file (a cascade layout, say) parsed into `T`, able to locate its fields for errors.
pub struct LoadedFile<T> {
    /// The typed content.
    pub value: T,
    document: Document,
}

impl<T> LoadedFile<T> {
    /// A located diagnostic for a field of the file.
    pub fn diagnostic(&self, path: &[Segment], message: impl Into<String>) -> Diagnostic {
        self.document.diagnostic(path, message)
    }
}

/// Reads one TOML file from disk into `T`, with located errors.
pub fn load_file<T: serde::de::DeserializeOwned>(
    path: &Path,
) -> Result<LoadedFile<T>, ScenarioError> {
    let document = Document::load_layers(&[path.to_path_buf()], &DiskFiles)?;
    match serde_path_to_error::deserialize(document.to_value()) {
        Ok(value) => {
            let diagnostics = ranges::check_ranges(&document);
            if diagnostics.is_empty() {
                Ok(LoadedFile { value, document })
            } else {
                Err(ScenarioError { diagnostics })
            }
        }
        Err(e) => {
            let field_path = serde_path(e.path());
            let message = e.inner().message().trim().to_string();
            Err(ScenarioError::single(
                document.diagnostic(&field_path, explain(&message)),
            ))
        }
    }
}

/// Where the numbers of a scenario come from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Provenance {
    /// Numbers citing a seed document (`file:line`).
    pub seed: usize,
    /// Numbers citing an `[[assumption]]`.
    pub assumption: usize,
    /// Numbers citing another source (a paper, a standard).
    pub literature: usize,
    /// Numbers with no source: field paths.
    pub unsourced: Vec<String>,
}

impl LoadedScenario {
    /// A located diagnostic for a field of this scenario (used by later compilation steps).
    pub fn diagnostic(&self, path: &[Segment], message: impl Into<String>) -> Diagnostic {
        self.document.diagnostic(path, message)
    }

    /// The scenario as run, as TOML: every file of the `extends` chain merged, with a header naming the
    /// chain. Comments are not kept, and paths in it (`[risk] data`) stay relative to the named file's
    /// folder.
    pub fn resolved_text(&self) -> String {
        let mut value = self.document.to_value();
        if let Some(scenario) = value.get_mut("scenario").and_then(|s| s.as_table_mut()) {
            scenario.remove("extends");
        }
        let chain: Vec<String> = self
            .document
            .files
            .iter()
            .map(|(path, _)| path.display().to_string())
            .collect();
        let body =
            toml::to_string(&value).unwrap_or_else(|e| format!("# not representable: {e}\n"));
        format!(
            "# The scenario as run: {} merged (sha256 {}).\n# Paths inside are relative to {}.\n\n{body}",
            chain.join(", "),
            self.sha256(),
            self.path
                .parent()
                .map_or_else(|| ".".into(), |p| p.display().to_string())
        )
    }

    /// The files of the `extends` chain, base first.
    pub fn files(&self) -> &SourceFiles {
        &self.document.files
    }

    /// SHA-256 over every file of the chain (path and text), hex.
    pub fn sha256(&self) -> String {
        let mut hasher = Sha256::new();
        let risk_files = self.risk_data.iter().flat_map(|r| r.files().iter());
        for (path, text) in self.document.files.iter().chain(risk_files) {
            hasher.update(
                path.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default()
                    .as_bytes(),
            );
            hasher.update([0]);
            hasher.update(text.as_bytes());
            hasher.update([0]);
        }
        hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// Counts the numbers by kind of source. A number is sourced when it or a table around it has a
    /// `source` (the nearest one counts); run settings, identifiers and `[[assumption]]` entries are not
    /// counted.
    pub fn provenance(&self) -> Provenance {
        let mut p = Provenance::default();
        let root = &self.document.root;
        if let NodeValue::Table(entries) = &root.value {
            for (key, child) in entries {
                if key == "assumption" {
                    continue;
                }
                count_numbers(child, key.clone(), None, &mut p);
            }
        }
        p
    }
}

/// Keys whose numbers are run settings or identifiers, not data that needs a source.
const NOT_DATA: &[&str] = &[
    "un_number",
    "lock_priority",
    "handling_priority",
    "events_per_source_year",
    "radius_m",
    "cell_m",
    "margin_km",
];

/// Whether a source cites a seed document: a `NNN_<16 hex digits>.txt:LINE` citation (the seed files'
/// names) anywhere in it, or an explicit `seed:` prefix. Any other `.txt:` (a note, a data file) is an
/// ordinary reference.
pub(crate) fn is_seed_citation(source: &str) -> bool {
    if source.starts_with("seed:") {
        return true;
    }
    source.match_indices(".txt:").any(|(at, _)| {
        let name = source[..at].rsplit(|c: char| !c.is_ascii_alphanumeric() && c != '_');
        let line = source[at + 5..]
            .bytes()
            .take_while(u8::is_ascii_digit)
            .count();
        let is_seed_name = |n: &str| {
            let b = n.as_bytes();
            b.len() == 20
                && b[..3].iter().all(u8::is_ascii_digit)
                && b[3] == b'_'
                && b[4..].iter().all(|c| c.is_ascii_hexdigit())
        };
        line > 0 && name.into_iter().next().is_some_and(is_seed_name)
    })
}

fn count_numbers(node: &Node, path: String, inherited: Option<&str>, p: &mut Provenance) {
    match &node.value {
        NodeValue::Table(entries) => {
            // A table's `source` covers its numbers and those below it, unless they give their own.
            let own = entries
                .iter()
                .find(|(k, _)| k == "source")
                .and_then(|(_, n)| match &n.value {
                    NodeValue::Leaf(toml::Value::String(s)) => Some(s.as_str()),
                    _ => None,
                });
            let source = own.or(inherited);
            for (key, child) in entries {
                if path == "scenario" || NOT_DATA.contains(&key.as_str()) {
                    continue;
                }
                count_numbers(child, format!("{path}.{key}"), source, p);
            }
        }
        NodeValue::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                count_numbers(child, format!("{path}[{i}]"), inherited, p);
            }
        }
        NodeValue::Leaf(toml::Value::Integer(_) | toml::Value::Float(_)) => match inherited {
            Some(s) if s.starts_with("assumption:") => p.assumption += 1,
            Some(s) if is_seed_citation(s) => p.seed += 1,
            Some(_) => p.literature += 1,
            None => p.unsourced.push(path),
        },
        NodeValue::Leaf(_) => {}
    }
}

/// Scenario files compiled into the binary, so `hazflow run` works from any directory.
pub struct EmbeddedFiles {
    files: &'static [(&'static str, &'static str)],
}

impl EmbeddedFiles {
    /// The shipped scenarios.
    pub fn shipped() -> Self {
        Self { files: SHIPPED }
    }

    /// The path (relative to `scenarios/`) of the default risk data file.
    pub fn default_risk_data() -> &'static Path {
        Path::new("risk/purple-book.toml")
    }

    /// The path (relative to `scenarios/`) of the default scenario.
    pub fn default_scenario() -> &'static Path {
        Path::new(DEFAULT_SCENARIO)
    }
}

impl SourceProvider for EmbeddedFiles {
    fn read(&self, path: &Path) -> Result<String, Diagnostic> {
        let wanted = normalise(path);
        self.files
            .iter()
            .find(|(name, _)| normalise(Path::new(name)) == wanted)
            .map(|(_, text)| text.to_string())
            .ok_or_else(|| {
                Diagnostic::file_level(
                    path,
                    "",
                    format!("no embedded scenario file named {}", path.display()),
                )
            })
    }
}

/// Files held in memory, looked up by normalised path, with an optional fallback for the rest: the stored
/// copy of a shard's scenario (so `hazflow merge` rebuilds exactly the model the shards ran, on any
/// machine), or a generated sweep variant that `extends` a file on disk.
pub struct MemoryFiles<'a> {
    files: Vec<(PathBuf, String)>,
    fallback: Option<&'a dyn SourceProvider>,
}

impl<'a> MemoryFiles<'a> {
    /// `files` (path, text), then `fallback` for paths not among them.
    pub fn new(files: Vec<(PathBuf, String)>, fallback: Option<&'a dyn SourceProvider>) -> Self {
        let files = files.into_iter().map(|(p, t)| (normalise(&p), t)).collect();
        Self { files, fallback }
    }
}

impl SourceProvider for MemoryFiles<'_> {
    fn read(&self, path: &Path) -> Result<String, Diagnostic> {
        let wanted = normalise(path);
        match self.files.iter().find(|(p, _)| *p == wanted) {
            Some((_, text)) => Ok(text.clone()),
            None => match self.fallback {
                Some(fallback) => fallback.read(path),
                None => Err(Diagnostic::file_level(
                    path,
                    "",
                    format!("{} is not among the stored files", path.display()),
                )),
            },
        }
    }

    fn identity(&self, path: &Path) -> PathBuf {
        let wanted = normalise(path);
        match self.fallback {
            Some(fallback) if !self.files.iter().any(|(p, _)| *p == wanted) => {
                fallback.identity(path)
            }
            _ => wanted,
        }
    }
}

const DEFAULT_SCENARIO: &str = "liuzhou-2025-plan.toml";

const SHIPPED: &[(&str, &str)] = &[
    (
        "demand-2024-actual.toml",
        include_str!("../../scenarios/demand-2024-actual.toml"),
    ),
    (
        "demand-2025-target.toml",
        include_str!("../../scenarios/demand-2025-target.toml"),
    ),
    (
        "flood-season.toml",
        include_str!("../../scenarios/flood-season.toml"),
    ),
    (
        "hazmat-parking-not-built.toml",
        include_str!("../../scenarios/hazmat-parking-not-built.toml"),
    ),
    (
        "honghua-single-line.toml",
        include_str!("../../scenarios/honghua-single-line.toml"),
    ),
    (
        "liuzhou-2020-baseline.toml",
        include_str!("../../scenarios/liuzhou-2020-baseline.toml"),
    ),
    (
        "liuzhou-2025-plan.toml",
        include_str!("../../scenarios/liuzhou-2025-plan.toml"),
    ),
    (
        "road-to-rail-water.toml",
        include_str!("../../scenarios/road-to-rail-water.toml"),
    ),
    (
        "water-freight-15mt.toml",
        include_str!("../../scenarios/water-freight-15mt.toml"),
    ),
    (
        "xiangsi-dock-delayed.toml",
        include_str!("../../scenarios/xiangsi-dock-delayed.toml"),
    ),
    (
        "risk/purple-book.toml",
        include_str!("../../scenarios/risk/purple-book.toml"),
    ),
    (
        "risk/ccps-probits.toml",
        include_str!("../../scenarios/risk/ccps-probits.toml"),
    ),
    (
        "examples/risk-small.toml",
        include_str!("../../scenarios/examples/risk-small.toml"),
    ),
    (
        "examples/one-of-each.toml",
        include_str!("../../scenarios/examples/one-of-each.toml"),
    ),
];

#[cfg(test)]
mod tests {
    use super::is_seed_citation;

    #[test]
    fn only_seed_document_citations_count_as_seed_facts() {
        assert!(is_seed_citation("000_69054961ed18131b.txt:66"));
        assert!(is_seed_citation(
            "plan, 003_cea03bdf2b5fe175.txt:106 and :107"
        ));
        assert!(is_seed_citation("seed: the 2025 plan's table 3"));
        for other in [
            "notes.txt:5",
            "my-measurements.txt:12",
            "000_69054961ed18131b.txt:",
            "seedling survey 2019",
            "Purple Book, table 3.1",
        ] {
            assert!(!is_seed_citation(other), "{other}");
        }
    }
}
