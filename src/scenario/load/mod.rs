//! Reading scenario files: `extends` chains, merging, and mapping any field path back to the file, line
//! and column it came from.
//!
//! Each file is parsed twice from the same text: once into values, once into a span tree. The two are
//! zipped into a [`Node`] tree that remembers, for every value, the file and byte offset it was written at.
//! A what-if file is merged onto its base node by node (tables key by key; arrays of tables with an `id`
//! element by element, `remove = true` deleting one; anything else replaced), so after the merge every
//! value still knows where it came from, and an error found later (type errors from serde, semantic
//! errors from validation) can name the exact line a user has to edit.

mod merge;
mod spans;

use std::path::{Path, PathBuf};

use super::error::{Diagnostic, ScenarioError};
use merge::{id_of, merge};
use spans::{parse_file, to_value};

/// Where a value was written: file index and byte offset.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Origin {
    file: usize,
    offset: usize,
}

/// A merged value with its origin.
#[derive(Clone, Debug)]
pub(crate) struct Node {
    pub(crate) value: NodeValue,
    at: Origin,
}

#[derive(Clone, Debug)]
pub(crate) enum NodeValue {
    Table(Vec<(String, Node)>),
    Array(Vec<Node>),
    Leaf(toml::Value),
}

/// One segment of a field path.
#[derive(Clone, Debug, PartialEq)]
pub enum Segment {
    /// A table key.
    Key(String),
    /// An array index.
    Index(usize),
}

/// A field path such as `dock[2].berths[0].count`.
pub type FieldPath = Vec<Segment>;

/// Builds a field path from keys and indices: `path!["dock", 2, "berths"]`.
#[macro_export]
macro_rules! field_path {
    ($($segment:expr),* $(,)?) => {{
        let p: $crate::scenario::FieldPath = vec![$($crate::scenario::IntoSegment::into_segment($segment)),*];
        p
    }};
}

/// Conversion used by [`field_path!`].
pub trait IntoSegment {
    /// The segment.
    fn into_segment(self) -> Segment;
}
impl IntoSegment for &str {
    fn into_segment(self) -> Segment {
        Segment::Key(self.to_string())
    }
}
impl IntoSegment for String {
    fn into_segment(self) -> Segment {
        Segment::Key(self)
    }
}
impl IntoSegment for usize {
    fn into_segment(self) -> Segment {
        Segment::Index(self)
    }
}

/// Supplies the text of scenario files: from disk, or from copies embedded in the binary.
pub trait SourceProvider {
    /// The text of `path`, or a diagnostic saying why it cannot be read (located when the problem is
    /// inside the file, such as invalid UTF-8).
    fn read(&self, path: &Path) -> Result<String, Diagnostic>;

    /// The name two spellings of one file share (`a/../b.toml` and `b.toml`), for finding `extends`
    /// loops. Lexical by default; files on disk are canonicalised, so links are seen through too.
    fn identity(&self, path: &Path) -> PathBuf {
        normalise(path)
    }
}

/// Input files larger than this are refused: the largest shipped file is about 100 kB, and a limit keeps
/// `extends = "/dev/zero"`-like mistakes from reading until memory runs out.
pub const MAX_INPUT_BYTES: u64 = 16 * 1024 * 1024;

/// Reads files from disk: regular files only (a FIFO would block, a device never end), at most
/// [`MAX_INPUT_BYTES`], in UTF-8.
pub struct DiskFiles;

impl SourceProvider for DiskFiles {
    fn read(&self, path: &Path) -> Result<String, Diagnostic> {
        read_input_file(path)
    }

    fn identity(&self, path: &Path) -> PathBuf {
        std::fs::canonicalize(path).unwrap_or_else(|_| normalise(path))
    }
}

/// Reads a user's input file safely: a regular file, at most [`MAX_INPUT_BYTES`], valid UTF-8 (an invalid
/// byte is reported at its line and column).
pub fn read_input_file(path: &Path) -> Result<String, Diagnostic> {
    use std::io::Read;
    let refuse = |message: String| Diagnostic::file_level(path, "", message);
    let meta = std::fs::metadata(path).map_err(|e| refuse(format!("cannot read the file: {e}")))?;
    if !meta.is_file() {
        return Err(refuse(
            "cannot read the file: not a regular file (a directory, device or pipe cannot be an input)"
                .into(),
        ));
    }
    let too_large = |bytes: u64| {
        refuse(format!(
            "cannot read the file: it holds {bytes} bytes, more than the {MAX_INPUT_BYTES} an input file may hold"
        ))
    };
    if meta.len() > MAX_INPUT_BYTES {
        return Err(too_large(meta.len()));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_INPUT_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|e| refuse(format!("cannot read the file: {e}")))?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(too_large(bytes.len() as u64));
    }
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let prefix = std::str::from_utf8(&e.as_bytes()[..valid]).unwrap_or("");
        let (line, column) = line_column(prefix, valid);
        Diagnostic {
            file: path.to_path_buf(),
            line: Some(line),
            column: Some(column),
            field: String::new(),
            message: format!(
                "the file is not valid UTF-8 (byte 0x{:02x}); save it as UTF-8",
                e.as_bytes()[valid]
            ),
        }
    })
}

/// Removes `.` and resolves `..` lexically, so `examples/../x.toml` and `x.toml` match.
pub(crate) fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// The longest `extends` chain read: deeper chains are mistakes, not designs.
pub const MAX_EXTENDS_DEPTH: usize = 32;

/// The loaded text of every file of an `extends` chain: the file named first, then the files it extends.
#[derive(Clone, Debug, Default)]
pub struct SourceFiles {
    files: Vec<(PathBuf, String)>,
}

impl SourceFiles {
    /// Paths, the file named first, then its bases.
    pub fn paths(&self) -> impl Iterator<Item = &Path> {
        self.files.iter().map(|(p, _)| p.as_path())
    }

    /// Path and text of each file.
    pub fn iter(&self) -> impl Iterator<Item = (&Path, &str)> {
        self.files.iter().map(|(p, t)| (p.as_path(), t.as_str()))
    }

    fn line_column(&self, origin: Origin) -> (usize, usize) {
        line_column(&self.files[origin.file].1, origin.offset)
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub(crate) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before
        .rsplit('\n')
        .next()
        .map(|l| l.chars().count())
        .unwrap_or(0)
        + 1;
    (line, column)
}

/// The merged scenario document and where each of its values came from.
pub(crate) struct Document {
    pub(crate) root: Node,
    pub(crate) files: SourceFiles,
}

impl Document {
    /// Reads `path` and, recursively, the files it extends.
    pub(crate) fn load(path: &Path, provider: &dyn SourceProvider) -> Result<Self, ScenarioError> {
        let mut files = SourceFiles::default();
        let root = load_chain(path, provider, &mut files, &mut Vec::new())?;
        Ok(Document { root, files })
    }

    /// The merged document as a plain TOML value (input to serde).
    pub(crate) fn to_value(&self) -> toml::Value {
        to_value(&self.root)
    }

    /// A diagnostic at the deepest existing node along `path`.
    pub(crate) fn diagnostic(&self, path: &[Segment], message: impl Into<String>) -> Diagnostic {
        let origin = self.locate(path);
        let (line, column) = self.files.line_column(origin);
        Diagnostic {
            file: self.files.files[origin.file].0.clone(),
            line: Some(line),
            column: Some(column),
            field: render_path(&self.root, path),
            message: message.into(),
        }
    }

    /// Reads `paths` in order, each merged onto the ones before it (risk data layers).
    pub(crate) fn load_layers(
        paths: &[PathBuf],
        provider: &dyn SourceProvider,
    ) -> Result<Self, ScenarioError> {
        let mut files = SourceFiles::default();
        let mut root: Option<Node> = None;
        for path in paths {
            let text = provider.read(path).map_err(ScenarioError::single)?;
            let file = files.files.len();
            files.files.push((path.clone(), text));
            let text = &files.files[file].1;
            let node = parse_file(text, path, file)?;
            root = Some(match root {
                None => node,
                Some(base) => merge(base, node, path, text)?,
            });
        }
        let root = root.ok_or_else(|| {
            ScenarioError::single(Diagnostic::file_level(
                Path::new(""),
                "risk.data",
                "no risk data file listed",
            ))
        })?;
        Ok(Document { root, files })
    }

    /// The file the value at `path` (or its deepest existing parent) was written in.
    pub(crate) fn file_of(&self, path: &[Segment]) -> &Path {
        &self.files.files[self.locate(path).file].0
    }

    fn locate(&self, path: &[Segment]) -> Origin {
        let mut node = &self.root;
        for segment in path {
            let next = match (&node.value, segment) {
                (NodeValue::Table(entries), Segment::Key(k)) => {
                    entries.iter().find(|(key, _)| key == k).map(|(_, n)| n)
                }
                (NodeValue::Array(items), Segment::Index(i)) => items.get(*i),
                _ => None,
            };
            match next {
                Some(n) => node = n,
                None => break,
            }
        }
        node.at
    }
}

fn load_chain(
    path: &Path,
    provider: &dyn SourceProvider,
    files: &mut SourceFiles,
    visiting: &mut Vec<PathBuf>,
) -> Result<Node, ScenarioError> {
    let text = provider.read(path).map_err(ScenarioError::single)?;
    let file = files.files.len();
    files.files.push((path.to_path_buf(), text));
    let text = &files.files[file].1;
    let node = parse_file(text, path, file)?;
    let Some(extends) = extends_of(&node) else {
        return Ok(node);
    };
    // Problems with the base are reported at the `extends` key that named it.
    let (line, column) = line_column(text, extends.at.offset);
    let at_key = |message: String| {
        ScenarioError::single(Diagnostic {
            file: path.to_path_buf(),
            line: Some(line),
            column: Some(column),
            field: "scenario.extends".into(),
            message,
        })
    };
    let NodeValue::Leaf(toml::Value::String(base_name)) = &extends.value else {
        return Err(at_key(
            "expected the path of the base scenario file, as a string".into(),
        ));
    };
    let base_path = path.parent().unwrap_or(Path::new("")).join(base_name);
    visiting.push(provider.identity(path));
    let base_identity = provider.identity(&base_path);
    if visiting.contains(&base_identity) {
        return Err(at_key(format!(
            "`extends` loops back to {} (each file may appear once in a chain)",
            base_path.display()
        )));
    }
    if visiting.len() >= MAX_EXTENDS_DEPTH {
        return Err(at_key(format!(
            "the `extends` chain is more than {MAX_EXTENDS_DEPTH} files deep"
        )));
    }
    let base = match load_chain(&base_path, provider, files, visiting) {
        Ok(base) => base,
        Err(e) => {
            // A base that cannot be read at all is this file's problem: name the line of the key.
            if let [only] = e.diagnostics.as_slice()
                && only.line.is_none()
                && only.file == base_path
            {
                return Err(at_key(format!(
                    "the base scenario {}: {}",
                    base_path.display(),
                    only.message
                )));
            }
            return Err(e);
        }
    };
    visiting.pop();
    let mut merged = merge(base, node, path, &files.files[file].1)?;
    // The merged document is complete: `extends` has done its job.
    if let NodeValue::Table(entries) = &mut merged.value
        && let Some((_, scenario)) = entries.iter_mut().find(|(k, _)| k == "scenario")
        && let NodeValue::Table(fields) = &mut scenario.value
    {
        fields.retain(|(k, _)| k != "extends");
    }
    Ok(merged)
}

/// The `scenario.extends` node of a parsed file, if it has one.
fn extends_of(node: &Node) -> Option<Node> {
    let NodeValue::Table(entries) = &node.value else {
        return None;
    };
    let (_, scenario) = entries.iter().find(|(k, _)| k == "scenario")?;
    let NodeValue::Table(fields) = &scenario.value else {
        return None;
    };
    fields
        .iter()
        .find(|(k, _)| k == "extends")
        .map(|(_, n)| n.clone())
}

/// Renders a path for messages, naming array elements by their `id` when they have one.
pub(crate) fn render_path(root: &Node, path: &[Segment]) -> String {
    let mut out = String::new();
    let mut node = Some(root);
    for segment in path {
        match segment {
            Segment::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
                node = node.and_then(|n| match &n.value {
                    NodeValue::Table(entries) => {
                        entries.iter().find(|(key, _)| key == k).map(|(_, c)| c)
                    }
                    _ => None,
                });
            }
            Segment::Index(i) => {
                let item = node.and_then(|n| match &n.value {
                    NodeValue::Array(items) => items.get(*i),
                    _ => None,
                });
                match item.and_then(id_of) {
                    Some(id) => out.push_str(&format!("[{id}]")),
                    None => out.push_str(&format!("[{i}]")),
                }
                node = item;
            }
        }
    }
    out
}
