//! `--set PATH=VALUES` of `hazflow sweep`: parsing the settings, the full-factorial list of variants, and
//! the what-if file each variant is (generated in memory, `extends` the base scenario, so the variant is
//! validated, located and sourced exactly like a hand-written what-if).

use std::fmt::Write as _;

/// One step of a settings path: a table key, or the element of an array of tables with a given `id`.
#[derive(Clone, Debug, PartialEq)]
enum PathStep {
    Key(String),
    Select { array: String, id: String },
}

/// One `--set PATH=VALUES`.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepSetting {
    /// The path as written (`lock[honghua-lock].line[line-1].failures.duration_h.mean`).
    pub path: String,
    steps: Vec<PathStep>,
    /// The values, in the order given (ranges expanded).
    pub values: Vec<toml::Value>,
}

impl SweepSetting {
    /// Parses `PATH=VALUES`: VALUES is a comma-separated list (`2,3,4`, `true,false`, `"a","b"`) or an
    /// inclusive range `START..END` (step 1) or `START..END:STEP`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let (path, values) = text.split_once('=').ok_or_else(|| {
            format!("--set expects PATH=VALUES (e.g. demand.chemical_factor=1,1.5,2), got `{text}`")
        })?;
        let path = path.trim();
        let steps = parse_path(path)?;
        let values = parse_values(values.trim()).map_err(|e| format!("--set {path}: {e}"))?;
        Ok(Self {
            path: path.to_string(),
            steps,
            values,
        })
    }

    /// Short label for variant names: the last key of the path.
    pub fn label(&self) -> &str {
        match self.steps.last() {
            Some(PathStep::Key(k)) => k,
            _ => &self.path,
        }
    }
}

fn parse_path(path: &str) -> Result<Vec<PathStep>, String> {
    let bad = |why: &str| {
        format!(
            "--set path `{path}`: {why}; write table keys separated by dots and pick an element of an array of \
             tables by its id, e.g. dock[guantang].berths or demand.chemical_factor"
        )
    };
    let mut steps = Vec::new();
    for part in path.split('.') {
        let part = part.trim();
        if part.is_empty() {
            return Err(bad("empty key"));
        }
        match part.split_once('[') {
            None => steps.push(PathStep::Key(part.to_string())),
            Some((array, rest)) => {
                let id = rest.strip_suffix(']').ok_or_else(|| bad("unclosed ["))?;
                if array.is_empty() || id.is_empty() || id.contains(['[', ']']) {
                    return Err(bad("expected name[id]"));
                }
                steps.push(PathStep::Select {
                    array: array.to_string(),
                    id: id.to_string(),
                });
            }
        }
    }
    match steps.last() {
        Some(PathStep::Key(_)) => Ok(steps),
        _ => Err(bad("the path must end in a field name")),
    }
}

fn parse_value(text: &str) -> toml::Value {
    let text = text.trim();
    toml::from_str::<toml::Table>(&format!("v = {text}"))
        .ok()
        .and_then(|mut t| t.remove("v"))
        .unwrap_or_else(|| toml::Value::String(text.to_string()))
}

fn parse_values(text: &str) -> Result<Vec<toml::Value>, String> {
    if text.is_empty() {
        return Err("no values".into());
    }
    if let Some((start, rest)) = text.split_once("..") {
        let (end, step) = match rest.split_once(':') {
            Some((end, step)) => (end, Some(step)),
            None => (rest, None),
        };
        let integral = ![start, end, step.unwrap_or("1")]
            .iter()
            .any(|t| t.contains(['.', 'e', 'E']));
        let number = |t: &str| -> Result<f64, String> {
            t.trim()
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .ok_or_else(|| format!("range bound `{t}` is not a number"))
        };
        let (start, end, step) = (number(start)?, number(end)?, number(step.unwrap_or("1"))?);
        if step <= 0.0 || end < start {
            return Err(format!(
                "a range START..END:STEP needs START <= END and STEP > 0 (got {start}..{end}:{step})"
            ));
        }
        let count = ((end - start) / step + 1e-9).floor() as u64 + 1;
        if count > 10_000 {
            return Err(format!("the range has {count} values; at most 10000"));
        }
        return Ok((0..count)
            .map(|k| {
                let x = start + k as f64 * step;
                if integral {
                    toml::Value::Integer(x.round() as i64)
                } else {
                    // 0.1 + 2 x 0.1 is 0.30000000000000004; twelve significant digits are what was meant.
                    toml::Value::Float(format!("{x:.12e}").parse().unwrap_or(x))
                }
            })
            .collect());
    }
    Ok(text.split(',').map(parse_value).collect())
}

/// A value as it appears in names and tables: numbers and booleans plainly, strings without quotes.
pub fn display_value(value: &toml::Value) -> String {
    match value {
        toml::Value::String(s) => s.clone(),
        toml::Value::Float(x) => format!("{x}"),
        other => other.to_string(),
    }
}

/// Every combination of the settings' values, the first setting varying slowest: one list of value
/// indices per variant.
pub fn full_factorial(settings: &[SweepSetting]) -> Vec<Vec<usize>> {
    let mut combinations: Vec<Vec<usize>> = vec![Vec::new()];
    for setting in settings {
        combinations = combinations
            .into_iter()
            .flat_map(|prefix| {
                (0..setting.values.len()).map(move |v| {
                    let mut next = prefix.clone();
                    next.push(v);
                    next
                })
            })
            .collect();
    }
    combinations
}

/// The what-if file of one variant: it extends `base_file` (a path relative to the what-if's own
/// directory), names the variant, records the settings as the assumption `sweep`, and sets each value,
/// numbers with `source = "assumption:sweep"`.
pub fn variant_file(
    base_file: &str,
    name: &str,
    settings: &[SweepSetting],
    choice: &[usize],
) -> Result<String, String> {
    let mut described = String::new();
    for (setting, &v) in settings.iter().zip(choice) {
        if !described.is_empty() {
            described.push_str("; ");
        }
        let _ = write!(
            described,
            "{} = {}",
            setting.path,
            display_value(&setting.values[v])
        );
    }
    let mut root = toml::Table::new();
    let mut header = toml::Table::new();
    header.insert("name".into(), toml::Value::String(name.to_string()));
    header.insert(
        "description".into(),
        toml::Value::String(format!("Sweep variant: {described}")),
    );
    header.insert("extends".into(), toml::Value::String(base_file.to_string()));
    root.insert("scenario".into(), toml::Value::Table(header));
    let mut assumption = toml::Table::new();
    assumption.insert("id".into(), toml::Value::String("sweep".into()));
    assumption.insert("value".into(), toml::Value::String(described.clone()));
    assumption.insert(
        "reason".into(),
        toml::Value::String("set on the command line by `hazflow sweep --set`".into()),
    );
    assumption.insert(
        "sensitivity".into(),
        toml::Value::String("what the sweep measures".into()),
    );
    root.insert(
        "assumption".into(),
        toml::Value::Array(vec![toml::Value::Table(assumption)]),
    );
    for (setting, &v) in settings.iter().zip(choice) {
        set(&mut root, setting, sourced(setting.values[v].clone()))?;
    }
    toml::to_string(&root).map_err(|e| format!("cannot write the variant file: {e}"))
}

fn sourced(value: toml::Value) -> toml::Value {
    match value {
        toml::Value::Integer(_) | toml::Value::Float(_) => {
            let mut t = toml::Table::new();
            t.insert("value".into(), value);
            t.insert(
                "source".into(),
                toml::Value::String("assumption:sweep".into()),
            );
            toml::Value::Table(t)
        }
        toml::Value::Table(mut t) => {
            t.entry("source")
                .or_insert_with(|| toml::Value::String("assumption:sweep".into()));
            toml::Value::Table(t)
        }
        other => other,
    }
}

fn set(root: &mut toml::Table, setting: &SweepSetting, value: toml::Value) -> Result<(), String> {
    let conflict = || {
        format!(
            "--set {}: the path crosses a value set by another --set",
            setting.path
        )
    };
    let mut table = root;
    let (last, walk) = setting.steps.split_last().expect("paths end in a key");
    for step in walk {
        table = match step {
            PathStep::Key(key) => table
                .entry(key.clone())
                .or_insert_with(|| toml::Value::Table(toml::Table::new()))
                .as_table_mut()
                .ok_or_else(conflict)?,
            PathStep::Select { array, id } => {
                let elements = table
                    .entry(array.clone())
                    .or_insert_with(|| toml::Value::Array(Vec::new()))
                    .as_array_mut()
                    .ok_or_else(conflict)?;
                let position = elements
                    .iter()
                    .position(|e| e.get("id").and_then(|i| i.as_str()) == Some(id));
                let position = match position {
                    Some(p) => p,
                    None => {
                        let mut element = toml::Table::new();
                        element.insert("id".into(), toml::Value::String(id.clone()));
                        elements.push(toml::Value::Table(element));
                        elements.len() - 1
                    }
                };
                elements[position].as_table_mut().ok_or_else(conflict)?
            }
        };
    }
    let PathStep::Key(key) = last else {
        unreachable!("parse_path ends every path in a key")
    };
    if table.insert(key.clone(), value).is_some() {
        return Err(conflict());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_lists_and_ranges() {
        let v = |t: &str| SweepSetting::parse(t).unwrap().values;
        assert_eq!(v("a.b=1,2,3"), [1, 2, 3].map(toml::Value::Integer).to_vec());
        assert_eq!(v("a=1..4"), [1, 2, 3, 4].map(toml::Value::Integer).to_vec());
        assert_eq!(
            v("a=0.1..0.5:0.1"),
            [0.1, 0.2, 0.3, 0.4, 0.5].map(toml::Value::Float).to_vec()
        );
        assert_eq!(v("a=true,false")[1], toml::Value::Boolean(false));
        assert_eq!(v("a=road, rail")[1], toml::Value::String("rail".into()));
        for bad in [
            "a", "=1", "a..b=1", "a[x=1", "a[x]=1", "a=3..1", "a=1..2:0", "a=x..2",
        ] {
            assert!(SweepSetting::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn factorial_varies_the_last_setting_fastest() {
        let settings = [
            SweepSetting::parse("a=1,2").unwrap(),
            SweepSetting::parse("b=1..3").unwrap(),
        ];
        let all = full_factorial(&settings);
        assert_eq!(all.len(), 6);
        assert_eq!(all[0], [0, 0]);
        assert_eq!(all[1], [0, 1]);
        assert_eq!(all[5], [1, 2]);
    }

    #[test]
    fn variant_file_selects_array_elements_by_id() {
        let settings = [
            SweepSetting::parse("lock[honghua].line[line-1].lockage_h=2").unwrap(),
            SweepSetting::parse("demand.chemical_factor=1.5").unwrap(),
        ];
        let text = variant_file("base.toml", "base@x", &settings, &[0, 0]).unwrap();
        let parsed: toml::Table = toml::from_str(&text).unwrap();
        assert_eq!(parsed["scenario"]["extends"].as_str(), Some("base.toml"));
        let line = &parsed["lock"][0]["line"][0];
        assert_eq!(line["id"].as_str(), Some("line-1"));
        assert_eq!(line["lockage_h"]["value"].as_integer(), Some(2));
        assert_eq!(
            line["lockage_h"]["source"].as_str(),
            Some("assumption:sweep")
        );
        assert_eq!(
            parsed["demand"]["chemical_factor"]["value"].as_float(),
            Some(1.5)
        );
        let twice = [
            SweepSetting::parse("a.b=1").unwrap(),
            SweepSetting::parse("a.b=2").unwrap(),
        ];
        assert!(variant_file("b.toml", "n", &twice, &[0, 0]).is_err());
    }
}
