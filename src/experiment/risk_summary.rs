//! Pooled summary rows of a risk analysis: criterion ratios, the map's maximum, areas and people above
//! each contour, top contributors, transect points, protected objects.

use super::risk_analysis::{IR_LEVELS, RiskAnalysis};
use crate::model::{Model, RiskModel};
use crate::sim::{Metric, MetricKey};

/// One pooled row: the metric and its value over the whole run.
type PooledRow = (MetricKey, f64);

/// Appends the pooled rows of `a` (computed from the whole run, without a spread).
pub fn summary_rows(m: &Model, a: &mut RiskAnalysis) {
    let r = m.risk.as_ref().expect("risk model");
    let rows = [criterion_rows(a), map_rows(r, a), detail_rows(a)].concat();
    a.pooled.extend(rows);
}

/// The ratio of every criterion check, and how many checks of each criteria set exceed their line.
fn criterion_rows(a: &RiskAnalysis) -> Vec<PooledRow> {
    let mut rows = Vec::new();
    for check in &a.checks {
        rows.push((
            MetricKey::new(
                Metric::CriterionRatioMax,
                check.scope.clone(),
                format!("{}/{}", check.criteria, check.kind),
                "ratio",
            ),
            check.max_ratio,
        ));
    }
    for id in &a.criteria {
        rows.push((
            MetricKey::new(Metric::CriterionExceeded, id.clone(), "societal", "count"),
            a.checks
                .iter()
                .filter(|c| &c.criteria == id && c.max_ratio > 1.0)
                .count() as f64,
        ));
    }
    rows
}

/// What one pass over the individual-risk map finds.
struct MapScan {
    /// Largest individual risk of any cell, per year.
    max_per_year: f64,
    /// Centre of that cell (projected, m).
    max_at_m: (f64, f64),
    /// Largest individual risk of a cell where anyone lives or works, per year.
    max_populated_per_year: f64,
    /// Centre of that cell (projected, m).
    max_populated_at_m: (f64, f64),
    /// Area at or above each of [`IR_LEVELS`], km2.
    area_km2: [f64; IR_LEVELS.len()],
    /// People at or above each of [`IR_LEVELS`].
    people: [f64; IR_LEVELS.len()],
}

/// Scans the map cell by cell against the population raster.
fn scan_map(r: &RiskModel, a: &RiskAnalysis) -> MapScan {
    let grid = a.map.grid;
    let cell_km2 = (grid.cell_m / 1000.0).powi(2);
    let mut scan = MapScan {
        max_per_year: 0.0,
        max_at_m: (0.0, 0.0),
        max_populated_per_year: 0.0,
        max_populated_at_m: (0.0, 0.0),
        area_km2: [0.0; IR_LEVELS.len()],
        people: [0.0; IR_LEVELS.len()],
    };
    for j in 0..grid.ny {
        for i in 0..grid.nx {
            let v = a.map.values[j * grid.nx + i];
            let (x, y) = grid.centre(i, j);
            let density = r
                .raster
                .density(x / 1000.0, y / 1000.0, true)
                .max(r.raster.density(x / 1000.0, y / 1000.0, false));
            if v > scan.max_per_year {
                scan.max_per_year = v;
                scan.max_at_m = (x, y);
            }
            if density > 0.0 && v > scan.max_populated_per_year {
                scan.max_populated_per_year = v;
                scan.max_populated_at_m = (x, y);
            }
            for (k, level) in IR_LEVELS.iter().enumerate() {
                if v >= *level {
                    scan.area_km2[k] += cell_km2;
                    scan.people[k] += density * cell_km2;
                }
            }
        }
    }
    scan
}

/// The map's maxima (anywhere and where people are), its criterion ratio, and the area and people
/// above each contour level.
fn map_rows(r: &RiskModel, a: &RiskAnalysis) -> Vec<PooledRow> {
    let scan = scan_map(r, a);
    let place = |p: (f64, f64)| {
        let (lon, lat) = r.unproject(p.0, p.1);
        format!("lon {lon:.4} lat {lat:.4}")
    };
    let mut rows = vec![
        (
            MetricKey::new(
                Metric::IndividualRiskMaxPerYear,
                "map",
                place(scan.max_at_m),
                "1/yr",
            ),
            scan.max_per_year,
        ),
        (
            MetricKey::new(
                Metric::IndividualRiskMaxPerYear,
                "populated cells",
                place(scan.max_populated_at_m),
                "1/yr",
            ),
            scan.max_populated_per_year,
        ),
        (
            MetricKey::new(
                Metric::CriterionRatioMax,
                "individual_risk",
                "populated cells",
                "ratio",
            ),
            scan.max_populated_per_year / a.individual_risk_limit,
        ),
    ];
    for (k, level) in IR_LEVELS.iter().enumerate() {
        rows.push((
            MetricKey::new(
                Metric::AreaWithIndividualRiskKm2,
                "map",
                format!(">={level:e}"),
                "km2",
            ),
            scan.area_km2[k],
        ));
        rows.push((
            MetricKey::new(
                Metric::PeopleWithIndividualRisk,
                "map",
                format!(">={level:e}"),
                "people",
            ),
            scan.people[k],
        ));
    }
    rows
}

/// The top ten contributors, the transects at standard distances, and the protected objects.
fn detail_rows(a: &RiskAnalysis) -> Vec<PooledRow> {
    /// Distances from the road axis reported in the summary, m.
    const TRANSECT_DISTANCES_M: [f64; 6] = [0.0, 100.0, 200.0, 500.0, 1000.0, 2000.0];
    let mut rows = Vec::new();
    for c in a.contributors.iter().take(10) {
        rows.push((
            MetricKey::new(
                Metric::TopContributorPllPerYear,
                c.facility.clone(),
                format!("{}/{}", c.category, c.substance),
                "deaths/yr",
            ),
            c.pll_per_year,
        ));
    }
    for t in &a.transects {
        for &(d, v) in t
            .points
            .iter()
            .filter(|(d, _)| TRANSECT_DISTANCES_M.contains(&d.abs()))
        {
            rows.push((
                MetricKey::new(
                    Metric::IndividualRiskTransectPerYear,
                    t.link.clone(),
                    format!("d={d}m"),
                    "1/yr",
                ),
                v,
            ));
        }
    }
    for p in &a.protected {
        rows.push((
            MetricKey::new(
                Metric::ProtectedIndividualRiskPerYear,
                p.id.clone(),
                p.class.clone(),
                "1/yr",
            ),
            p.individual_risk_per_year,
        ));
        if let Some(far) = p.far {
            rows.push((
                MetricKey::new(
                    Metric::FatalAccidentRate,
                    p.id.clone(),
                    "workers",
                    "per 1e8 h",
                ),
                far,
            ));
        }
    }
    rows
}
