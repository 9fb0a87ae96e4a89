//! Merging a what-if onto its base, node by node: tables key by key, arrays of tables with an `id`
//! element by element (`remove = true` deleting one), anything else replaced.

use std::path::Path;

use super::super::error::{Diagnostic, ScenarioError};
use super::{Node, NodeValue, line_column};

/// The `id` of an array element, if it is a table with one.
pub(super) fn id_of(node: &Node) -> Option<&str> {
    match &node.value {
        NodeValue::Table(entries) => {
            entries
                .iter()
                .find(|(k, _)| k == "id")
                .and_then(|(_, n)| match &n.value {
                    NodeValue::Leaf(toml::Value::String(s)) => Some(s.as_str()),
                    _ => None,
                })
        }
        _ => None,
    }
}

/// Whether a what-if element deletes its base element (`remove = true`).
fn removes(node: &Node) -> bool {
    matches!(&node.value, NodeValue::Table(entries)
        if entries.iter().any(|(k, n)| k == "remove" && matches!(n.value, NodeValue::Leaf(toml::Value::Boolean(true)))))
}

/// Tables a what-if replaces as a whole rather than key by key: the shares of a split only make sense
/// together.
const REPLACED_WHOLE: &[&str] = &["split"];

/// A table that is one value (a distribution, or `{ value, source }`): replaced as a whole.
fn is_value_table(node: &Node) -> bool {
    matches!(&node.value, NodeValue::Table(entries) if entries.iter().any(|(k, _)| k == "dist" || k == "value"))
}

/// Merges `over` (the what-if) onto `base`.
pub(super) fn merge(
    base: Node,
    over: Node,
    over_path: &Path,
    over_text: &str,
) -> Result<Node, ScenarioError> {
    match (base.value, over.value) {
        (NodeValue::Table(mut base_entries), NodeValue::Table(over_entries)) => {
            for (key, over_child) in over_entries {
                match base_entries.iter().position(|(k, _)| *k == key) {
                    Some(i)
                        if REPLACED_WHOLE.contains(&key.as_str())
                            || is_value_table(&over_child) =>
                    {
                        base_entries[i].1 = over_child;
                    }
                    Some(i) => {
                        let base_child = base_entries[i].1.clone();
                        base_entries[i].1 = merge(base_child, over_child, over_path, over_text)?;
                    }
                    None => base_entries.push((key, over_child)),
                }
            }
            // Point at the what-if, where the user edited this table.
            Ok(Node {
                value: NodeValue::Table(base_entries),
                at: over.at,
            })
        }
        (NodeValue::Array(mut base_items), NodeValue::Array(over_items))
            if base_items
                .iter()
                .chain(&over_items)
                .all(|n| id_of(n).is_some()) =>
        {
            for item in over_items {
                let id = id_of(&item).expect("checked above").to_string();
                let position = base_items
                    .iter()
                    .position(|b| id_of(b) == Some(id.as_str()));
                match (position, removes(&item)) {
                    (Some(i), true) => {
                        base_items.remove(i);
                    }
                    (Some(i), false) => {
                        let base_item = base_items[i].clone();
                        base_items[i] = merge(base_item, item, over_path, over_text)?;
                    }
                    (None, true) => {
                        let (line, column) = line_column(over_text, item.at.offset);
                        return Err(ScenarioError::single(Diagnostic {
                            file: over_path.to_path_buf(),
                            line: Some(line),
                            column: Some(column),
                            field: format!("[id = \"{id}\"].remove"),
                            message: format!(
                                "nothing to remove: the base scenario has no entry with id \"{id}\""
                            ),
                        }));
                    }
                    (None, false) => base_items.push(item),
                }
            }
            Ok(Node {
                value: NodeValue::Array(base_items),
                at: over.at,
            })
        }
        (_, value) => Ok(Node { value, at: over.at }),
    }
}
