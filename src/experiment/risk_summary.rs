//! Pooled summary rows of a risk analysis: criterion ratios, the map's maximum, areas and people above
//! each contour, top contributors, transect points, protected objects.

use super::risk_analysis::{IR_LEVELS, RiskAnalysis};
use crate::model::Model;
use crate::sim::{Metric, MetricKey};

/// Appends the pooled rows of `a` (computed from the whole run, without a spread).
pub fn summary_rows(m: &Model, a: &mut RiskAnalysis) {
    let r = m.risk.as_ref().expect("risk model");
    for check in &a.checks {
        a.pooled.push((
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
        a.pooled.push((
            MetricKey::new(Metric::CriterionExceeded, id.clone(), "societal", "count"),
            a.checks
                .iter()
                .filter(|c| &c.criteria == id && c.max_ratio > 1.0)
                .count() as f64,
        ));
    }
    let grid = a.map.grid;
    let cell_km2 = (grid.cell_m / 1000.0).powi(2);
    let (mut max, mut at) = (0.0, (0.0, 0.0));
    let (mut max_populated, mut at_populated) = (0.0, (0.0, 0.0));
    let mut area = [0.0; IR_LEVELS.len()];
    let mut people = [0.0; IR_LEVELS.len()];
    for j in 0..grid.ny {
        for i in 0..grid.nx {
            let v = a.map.values[j * grid.nx + i];
            let (x, y) = grid.centre(i, j);
            let density = r
                .raster
                .density(x / 1000.0, y / 1000.0, true)
                .max(r.raster.density(x / 1000.0, y / 1000.0, false));
            if v > max {
                max = v;
                at = (x, y);
            }
            if density > 0.0 && v > max_populated {
                max_populated = v;
                at_populated = (x, y);
            }
            for (k, level) in IR_LEVELS.iter().enumerate() {
                if v >= *level {
                    area[k] += cell_km2;
                    people[k] += density * cell_km2;
                }
            }
        }
    }
    let place = |p: (f64, f64)| {
        let (lon, lat) = r.unproject(p.0, p.1);
        format!("lon {lon:.4} lat {lat:.4}")
    };
    a.pooled.push((
        MetricKey::new(Metric::IndividualRiskMaxPerYear, "map", place(at), "1/yr"),
        max,
    ));
    a.pooled.push((
        MetricKey::new(
            Metric::IndividualRiskMaxPerYear,
            "populated cells",
            place(at_populated),
            "1/yr",
        ),
        max_populated,
    ));
    a.pooled.push((
        MetricKey::new(
            Metric::CriterionRatioMax,
            "individual_risk",
            "populated cells",
            "ratio",
        ),
        max_populated / a.individual_risk_limit,
    ));
    for (k, level) in IR_LEVELS.iter().enumerate() {
        a.pooled.push((
            MetricKey::new(
                Metric::AreaWithIndividualRiskKm2,
                "map",
                format!(">={level:e}"),
                "km2",
            ),
            area[k],
        ));
        a.pooled.push((
            MetricKey::new(
                Metric::PeopleWithIndividualRisk,
                "map",
                format!(">={level:e}"),
                "people",
            ),
            people[k],
        ));
    }
    for c in a.contributors.iter().take(10) {
        a.pooled.push((
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
            .filter(|(d, _)| [0.0, 100.0, 200.0, 500.0, 1000.0, 2000.0].contains(&d.abs()))
        {
            a.pooled.push((
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
        a.pooled.push((
            MetricKey::new(
                Metric::ProtectedIndividualRiskPerYear,
                p.id.clone(),
                p.class.clone(),
                "1/yr",
            ),
            p.individual_risk_per_year,
        ));
        if let Some(far) = p.far {
            a.pooled.push((
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
}
