//! Parsing a file into a node tree: the values and their spans, zipped so that every value knows the
//! file and byte offset it was written at.

use std::path::Path;

use toml::de::{DeTable, DeValue};

use super::super::error::{Diagnostic, ScenarioError};
use super::{Node, NodeValue, Origin, line_column};

/// Parses one file into a node tree that knows where each value was written.
pub(super) fn parse_file(text: &str, path: &Path, file: usize) -> Result<Node, ScenarioError> {
    let toml_error = |e: toml::de::Error| {
        let (line, column) = e
            .span()
            .map(|s| line_column(text, s.start))
            .map_or((None, None), |(l, c)| (Some(l), Some(c)));
        ScenarioError::single(Diagnostic {
            file: path.to_path_buf(),
            line,
            column,
            field: String::new(),
            message: format!("malformed TOML: {}", e.message().trim()),
        })
    };
    let values: toml::Table = toml::from_str(text).map_err(toml_error)?;
    let spans = DeTable::parse(text).map_err(toml_error)?;
    let root_value = toml::Value::Table(values);
    Ok(zip(
        &root_value,
        spans.get_ref_value(),
        spans.span().start,
        file,
    ))
}

/// Lets the root table and nested values be zipped the same way.
trait SpannedRoot<'i> {
    fn get_ref_value(&self) -> DeRef<'_, 'i>;
}

/// A spanned table or value of the document.
enum DeRef<'a, 'i> {
    Table(&'a DeTable<'i>),
    Value(&'a DeValue<'i>),
}

impl<'i> SpannedRoot<'i> for toml::Spanned<DeTable<'i>> {
    fn get_ref_value(&self) -> DeRef<'_, 'i> {
        DeRef::Table(self.get_ref())
    }
}

/// Zips a parsed value with its spans into a node tree; values without a span take `offset`.
fn zip(value: &toml::Value, spanned: DeRef<'_, '_>, offset: usize, file: usize) -> Node {
    let at = Origin { file, offset };
    let table = match spanned {
        DeRef::Table(t) => Some(t),
        DeRef::Value(DeValue::Table(t)) => Some(t),
        _ => None,
    };
    match value {
        toml::Value::Table(entries) => {
            let children = entries
                .iter()
                .map(|(key, child)| {
                    let span = table.and_then(|t| t.get_key_value(key.as_str()));
                    let node = match span {
                        Some((k, v)) => {
                            // Point at the key (where a user looks), not at the value.
                            let mut n = zip(child, DeRef::Value(v.get_ref()), v.span().start, file);
                            n.at.offset = k.span().start;
                            n
                        }
                        None => zip(child, DeRef::Value(&DeValue::Boolean(false)), offset, file),
                    };
                    (key.clone(), node)
                })
                .collect();
            Node {
                value: NodeValue::Table(children),
                at,
            }
        }
        toml::Value::Array(items) => {
            let spans = match spanned {
                DeRef::Value(DeValue::Array(a)) => Some(a),
                _ => None,
            };
            let children = items
                .iter()
                .enumerate()
                .map(|(i, item)| match spans.and_then(|a| a.get(i)) {
                    Some(s) => zip(item, DeRef::Value(s.get_ref()), s.span().start, file),
                    None => zip(item, DeRef::Value(&DeValue::Boolean(false)), offset, file),
                })
                .collect();
            Node {
                value: NodeValue::Array(children),
                at,
            }
        }
        leaf => Node {
            value: NodeValue::Leaf(leaf.clone()),
            at,
        },
    }
}

/// The plain TOML value of a node tree.
pub(super) fn to_value(node: &Node) -> toml::Value {
    match &node.value {
        NodeValue::Table(entries) => toml::Value::Table(
            entries
                .iter()
                .map(|(k, v)| (k.clone(), to_value(v)))
                .collect(),
        ),
        NodeValue::Array(items) => toml::Value::Array(items.iter().map(to_value).collect()),
        NodeValue::Leaf(v) => v.clone(),
    }
}
