//! Physical-range checks over every number a file holds, whatever table it sits in: finite, with the
//! sign and order of magnitude its unit allows, and positions on the Earth near the rest of the network.
//!
//! Field names carry their units (`length_km`, `payload_t`, `time_between_h`), so one table of unit rules
//! covers every field, including fields added later. The semantic checks in `validate` still apply the
//! sharper rules a field needs (`> 0`, `min <= max`); these catch what no field-specific check thought
//! of: `nan`, `inf`, `1e308` km, a negative tonnage, a latitude of 24300.

use super::FieldPath;
use super::error::{Diagnostic, MAX_DIAGNOSTICS, readable, with_suppressed};
use super::load::{Document, Node, NodeValue, Segment};

/// Allowed values for fields whose (effective) name ends with `suffix`.
struct UnitRule {
    suffix: &'static str,
    min: f64,
    max: f64,
    what: &'static str,
}

const fn rule(suffix: &'static str, min: f64, max: f64, what: &'static str) -> UnitRule {
    UnitRule {
        suffix,
        min,
        max,
        what,
    }
}

/// First match wins, so longer suffixes come before the shorter ones they end with.
const UNIT_RULES: &[UnitRule] = &[
    rule("lat", -90.0, 90.0, "a WGS84 latitude in degrees"),
    rule("lon", -180.0, 180.0, "a WGS84 longitude in degrees"),
    rule("_c", -273.15, 5000.0, "a temperature in degrees C"),
    rule(
        "_k",
        0.0,
        10_000.0,
        "a value per kelvin or a temperature in K",
    ),
    rule(
        "_per_km2",
        0.0,
        1.0e6,
        "people per km2 (the densest city blocks hold about 1e5)",
    ),
    rule("_km_per_h", 0.0, 1000.0, "a speed in km/h"),
    rule(
        "_km",
        0.0,
        20_037.5,
        "a distance in km (half the Earth's circumference at most)",
    ),
    rule("_mm", 0.0, 10_000.0, "a size in mm"),
    rule("_m3", 0.0, 1.0e10, "a volume in m3"),
    rule("_m_s", 0.0, 200.0, "a speed in m/s"),
    rule(
        "_m",
        0.0,
        100_000.0,
        "a size or distance in m (100 km at most)",
    ),
    rule("_hours", 0.0, 24.0, "an hour of the day"),
    rule(
        "_h",
        0.0,
        1.0e6,
        "a duration in hours (about 114 years at most)",
    ),
    rule(
        "days",
        0.0,
        36_525.0,
        "a number of days (a century at most)",
    ),
    rule("_min", 0.0, 1.0e5, "a duration in minutes"),
    rule("_s", 0.0, 1.0e8, "a duration in seconds"),
    rule(
        "t_per_year",
        0.0,
        1.0e10,
        "tonnes per year (world chemical output is about 2.5e9)",
    ),
    rule("_t_per_m3", 0.0, 25.0, "a density in t/m3"),
    rule("_kg_m3", 0.0, 25_000.0, "a density in kg/m3"),
    rule("_t", 0.0, 1.0e8, "a mass in tonnes"),
    rule("_kpa", 0.0, 1.0e5, "a pressure in kPa"),
    rule("_bar", 0.0, 10_000.0, "a pressure in bar"),
    rule("_pa", 0.0, 1.0e9, "a pressure in Pa"),
    rule("_kw_m2", 0.0, 10_000.0, "a heat flux in kW/m2"),
    rule("_mj_per_kg", 0.0, 200.0, "a heat of combustion in MJ/kg"),
    rule("_g_mol", 0.0, 10_000.0, "a molar mass in g/mol"),
    rule("_factor", 0.0, 10_000.0, "a factor"),
    rule("_factors", 0.0, 10_000.0, "a factor"),
];

/// Names (or parts of names) that are probabilities or shares: between 0 and 1.
const FRACTION_PARTS: &[&str] = &[
    "share",
    "fraction",
    "given",
    "humidity",
    "lethality",
    "efficiency",
    "coefficient",
];

/// Fields that may be negative: probit and fit coefficients, layout coordinates, priorities.
const SIGNED: &[&str] = &[
    "a",
    "b",
    "c",
    "k0",
    "k1",
    "k2",
    "k3",
    "k_flux",
    "k_volume",
    "x_m",
    "y_m",
    "lock_priority",
    "handling_priority",
    "priority",
];

/// Keys whose numbers describe the field they sit in (`{ value = 3, source = ... }`, or a distribution's
/// `{ dist = "triangular", min = 0.5, ... }`): the unit is the enclosing field's.
fn is_inner_key(key: &str, siblings: &[(String, Node)]) -> bool {
    key == "value" || siblings.iter().any(|(k, _)| k == "dist")
}

/// How far a position may lie from the median of the file's positions. A province is about 700 km across;
/// a typo in the integer degrees (19.4 for 109.4) lands thousands of km away.
pub(crate) const MAX_KM_FROM_AREA: f64 = 1500.0;

/// Every problem with the numbers of `doc`, located.
pub(crate) fn check_ranges(doc: &Document) -> Vec<Diagnostic> {
    let mut walk = Walk {
        doc,
        out: Vec::new(),
        suppressed: 0,
        positions: Vec::new(),
    };
    walk.node(&doc.root, &mut Vec::new(), "");
    walk.check_area();
    with_suppressed(walk.out, walk.suppressed)
}

struct Walk<'a> {
    doc: &'a Document,
    out: Vec<Diagnostic>,
    suppressed: usize,
    /// (path of the table, lon, lat) of every table holding both.
    positions: Vec<(FieldPath, f64, f64)>,
}

impl Walk<'_> {
    fn node(&mut self, node: &Node, path: &mut FieldPath, unit_key: &str) {
        match &node.value {
            NodeValue::Table(entries) => {
                let (mut lon, mut lat) = (None, None);
                for (key, child) in entries {
                    let unit = if is_inner_key(key, entries) {
                        unit_key
                    } else {
                        key.as_str()
                    };
                    if let NodeValue::Leaf(v) = &child.value {
                        match key.as_str() {
                            "lon" => lon = number(v),
                            "lat" => lat = number(v),
                            _ => {}
                        }
                    }
                    path.push(Segment::Key(key.clone()));
                    self.node(child, path, unit);
                    path.pop();
                }
                // Positions off the globe are reported as such, not also as far from the others.
                if let (Some(lon), Some(lat)) = (lon, lat)
                    && (-180.0..=180.0).contains(&lon)
                    && (-90.0..=90.0).contains(&lat)
                {
                    self.positions.push((path.clone(), lon, lat));
                }
            }
            NodeValue::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    path.push(Segment::Index(i));
                    self.node(child, path, unit_key);
                    path.pop();
                }
            }
            NodeValue::Leaf(v) => {
                if let Some(x) = number(v)
                    && let Some(message) = out_of_range(unit_key, x)
                {
                    self.report(path, message);
                }
            }
        }
    }

    /// Positions far from the median position are typos (or a different project's coordinates).
    fn check_area(&mut self) {
        if self.positions.len() < 3 {
            return;
        }
        let median = |mut v: Vec<f64>| {
            v.sort_by(f64::total_cmp);
            v[v.len() / 2]
        };
        let lon0 = median(self.positions.iter().map(|p| p.1).collect());
        let lat0 = median(self.positions.iter().map(|p| p.2).collect());
        for (path, lon, lat) in std::mem::take(&mut self.positions) {
            let km = great_circle_km(lon0, lat0, lon, lat);
            if km > MAX_KM_FROM_AREA {
                self.report(
                    &path,
                    format!(
                        "({lon}, {lat}) lies {km:.0} km from the middle of the network ({lon0}, {lat0}); \
                         positions more than {MAX_KM_FROM_AREA} km away are taken for a typo (check the \
                         order of lon and lat, and the degrees)"
                    ),
                );
            }
        }
    }

    fn report(&mut self, path: &[Segment], message: String) {
        if self.out.len() < MAX_DIAGNOSTICS {
            self.out.push(self.doc.diagnostic(path, message));
        } else {
            self.suppressed += 1;
        }
    }
}

fn number(v: &toml::Value) -> Option<f64> {
    match v {
        toml::Value::Float(x) => Some(*x),
        toml::Value::Integer(i) => Some(*i as f64),
        _ => None,
    }
}

/// Why `x` cannot be the value of a field named `key`, if it cannot.
fn out_of_range(key: &str, x: f64) -> Option<String> {
    if !x.is_finite() {
        return Some(format!("expected a finite number, got {x}"));
    }
    if x.abs() > 1e300 {
        return Some(format!(
            "expected a number of physical size, got {}",
            readable(x)
        ));
    }
    if SIGNED.contains(&key) {
        return None;
    }
    if FRACTION_PARTS.iter().any(|part| key.contains(part)) {
        return (!(0.0..=1.0).contains(&x)).then(|| {
            format!(
                "expected a share or probability between 0 and 1, got {}",
                readable(x)
            )
        });
    }
    match UNIT_RULES
        .iter()
        .find(|r| key == r.suffix || key.ends_with(r.suffix))
    {
        Some(r) if !(r.min..=r.max).contains(&x) => Some(format!(
            "expected {} in [{}, {}], got {}",
            r.what,
            readable(r.min),
            readable(r.max),
            readable(x)
        )),
        Some(_) => None,
        None => (x < 0.0).then(|| format!("expected a number >= 0, got {}", readable(x))),
    }
}

/// Haversine distance on a sphere of 6371 km.
fn great_circle_km(lon0: f64, lat0: f64, lon1: f64, lat1: f64) -> f64 {
    let (p0, p1) = (lat0.to_radians(), lat1.to_radians());
    let dp = p1 - p0;
    let dl = (lon1 - lon0).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p0.cos() * p1.cos() * (dl / 2.0).sin().powi(2);
    2.0 * 6371.0 * a.sqrt().min(1.0).asin()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_follow_the_name() {
        assert!(out_of_range("length_km", 1e308).is_some());
        assert!(out_of_range("length_km", 12.0).is_none());
        assert!(out_of_range("design_capacity_t_per_year", -1.0).is_some());
        assert!(out_of_range("lat", 91.0).is_some());
        assert!(out_of_range("lon", 500.0).is_some());
        assert!(out_of_range("lon", 109.4).is_none());
        assert!(out_of_range("day_share", 1.2).is_some());
        assert!(out_of_range("b", -1.85).is_none());
        assert!(out_of_range("ambient_c", -40.0).is_none());
        assert!(out_of_range("anything", f64::NAN).is_some());
        assert!(out_of_range("b", f64::INFINITY).is_some());
        assert!(out_of_range("count", -1.0).is_some());
    }

    #[test]
    fn a_degree_is_111_km() {
        assert!((great_circle_km(109.0, 24.0, 109.0, 25.0) - 111.19).abs() < 0.01);
    }
}
