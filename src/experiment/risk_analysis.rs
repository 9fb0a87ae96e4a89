//! Risk results over all replications, from the sampled accidents: F-N curves (overall, per km of the
//! worst route link, per establishment) with Monte-Carlo confidence bands, the criterion check, the top
//! contributors, the individual-risk map with its contours, and individual risk across the busiest routes.
//!
//! F-N curves are built from the fatalities of each sampled accident (never from averages), weighted by
//! its importance-sampling weight. Confidence bands come from the spread of the replications' own curves
//! (replications are independent years), so they cover the sampling of accidents, weather and domino
//! paths together.

use std::collections::BTreeMap;

use super::{ReplicationStats, student_t_quantile};
use crate::model::{HOURS_PER_YEAR, Model};
use crate::risk::dispersion::Weather;
use crate::risk::individual::{
    Climate, Footprint, Grid, Segment, contour_segments, individual_risk_at, individual_risk_grid,
};
use crate::scenario::CriterionLine;
use crate::sim::{Accident, AccidentSource, MetricKey, facility_of};

/// Contour levels of the individual-risk map, per year.
pub const IR_LEVELS: [f64; 4] = [1e-5, 1e-6, 1e-7, 1e-8];

/// One F-N curve with its band.
#[derive(Clone, Debug)]
pub struct FnCurve {
    /// `all`, or the link or establishment id.
    pub scope: String,
    /// What the frequencies are: `per_year` or `per_km_year`.
    pub unit: &'static str,
    /// N values.
    pub n: Vec<f64>,
    /// Mean frequency of accidents with at least N deaths.
    pub frequency: Vec<f64>,
    /// Lower end of the 95 % interval (not below 0).
    pub ci_low: Vec<f64>,
    /// Upper end.
    pub ci_high: Vec<f64>,
    /// Standard error over mean (NaN where the mean is 0).
    pub relative_standard_error: Vec<f64>,
    /// Criterion line at each N (infinite where it does not apply).
    pub limit: Vec<f64>,
}

/// Worst ratio of an F-N curve to its criterion line.
#[derive(Clone, Debug)]
pub struct CriterionCheck {
    /// Link or establishment id.
    pub scope: String,
    /// `route_per_km` or `establishment`.
    pub kind: &'static str,
    /// Largest F(N) / limit(N) over the N where the line applies.
    pub max_ratio: f64,
    /// N where it is largest.
    pub at_n: f64,
}

/// A group of accidents and what it contributes.
#[derive(Clone, Debug)]
pub struct Contributor {
    /// Source category.
    pub category: &'static str,
    /// Facility.
    pub facility: String,
    /// Substance.
    pub substance: String,
    /// PLL, deaths per year.
    pub pll_per_year: f64,
    /// Frequency of accidents with 10 or more deaths, per year.
    pub frequency_n10_per_year: f64,
}

/// The individual-risk map.
#[derive(Clone, Debug)]
pub struct IrMap {
    /// Cells.
    pub grid: Grid,
    /// Risk per year, row-major from the south-west.
    pub values: Vec<f64>,
    /// Contour segments per level (m).
    pub contours: Vec<(f64, Vec<Segment>)>,
    /// Seconds to compute.
    pub seconds: f64,
}

/// Individual risk across a route link, through its midpoint.
#[derive(Clone, Debug)]
pub struct Transect {
    /// Link id.
    pub link: String,
    /// Signed distance from the link (m, positive to the left of travel) and risk per year.
    pub points: Vec<(f64, f64)>,
}

/// Everything the risk report shows.
#[derive(Clone, Debug)]
pub struct RiskAnalysis {
    /// Simulated years (all replications).
    pub years: f64,
    /// F-N curves: overall, worst route km, worst establishment.
    pub curves: Vec<FnCurve>,
    /// Criterion checks, worst first.
    pub checks: Vec<CriterionCheck>,
    /// Individual-risk limit, per year.
    pub individual_risk_limit: f64,
    /// Contributors, largest PLL first.
    pub contributors: Vec<Contributor>,
    /// The map.
    pub map: IrMap,
    /// Transects across the busiest links.
    pub transects: Vec<Transect>,
    /// Summary rows with a spread over replications.
    pub rows: Vec<(MetricKey, ReplicationStats)>,
    /// Summary rows computed from the pooled replications (no spread).
    pub pooled: Vec<(MetricKey, f64)>,
}

fn n_grid() -> Vec<f64> {
    (0..=50).map(|k| 10f64.powf(k as f64 / 10.0)).collect()
}

/// How the replications were run: what F-N curves need to turn weights into frequencies.
#[derive(Clone, Copy)]
struct Years {
    replications: u64,
    first: u64,
    per_replication: f64,
}

/// F-N curve of the accidents `include` selects, divided by `per` (km, or 1).
fn curve(
    accidents: &[Accident],
    years: Years,
    scope: String,
    per: f64,
    line: Option<&CriterionLine>,
    include: &dyn Fn(&Accident) -> bool,
) -> FnCurve {
    let n = n_grid();
    let Years {
        replications,
        first,
        per_replication: years_per_rep,
    } = years;
    let r = replications.max(1) as usize;
    let mut by_rep = vec![vec![0.0; n.len()]; r];
    for a in accidents.iter().filter(|a| include(a)) {
        let rep = (a.replication - first) as usize;
        for (k, &value) in n.iter().enumerate() {
            if a.deaths >= value {
                by_rep[rep][k] += a.weight / years_per_rep / per;
            } else {
                break;
            }
        }
    }
    let t = if r > 1 {
        student_t_quantile(0.975, (r - 1) as f64)
    } else {
        f64::NAN
    };
    let mut out = FnCurve {
        scope,
        unit: if per == 1.0 {
            "per_year"
        } else {
            "per_km_year"
        },
        n: n.clone(),
        frequency: Vec::new(),
        ci_low: Vec::new(),
        ci_high: Vec::new(),
        relative_standard_error: Vec::new(),
        limit: n
            .iter()
            .map(|&x| line.map_or(f64::INFINITY, |l| l.limit(x)))
            .collect(),
    };
    for k in 0..n.len() {
        let mut s = ReplicationStats::new();
        by_rep.iter().for_each(|rep| s.record(rep[k]));
        let mean = s.mean();
        let se = s.std_dev() / (r as f64).sqrt();
        out.frequency.push(mean);
        out.ci_low.push((mean - t * se).max(0.0));
        out.ci_high.push(mean + t * se);
        out.relative_standard_error
            .push(if mean > 0.0 { se / mean } else { f64::NAN });
    }
    out
}

fn worst_ratio(c: &FnCurve) -> (f64, f64) {
    c.n.iter()
        .zip(c.frequency.iter().zip(&c.limit))
        .filter(|(_, (_, l))| l.is_finite())
        .map(|(&n, (&f, &l))| (f / l, n))
        .fold(
            (0.0, f64::NAN),
            |best, x| if x.0 > best.0 { x } else { best },
        )
}

fn establishment_of(m: &Model, source: AccidentSource) -> Option<String> {
    match source {
        AccidentSource::Transport(_) | AccidentSource::Roadside(_) => None,
        other => Some(facility_of(m, other)),
    }
}

/// Computes the risk results of a run.
pub fn analyse(
    m: &Model,
    accidents: &[Accident],
    first_replication: u64,
    replications: u64,
    cell_m: Option<f64>,
) -> Option<RiskAnalysis> {
    let r = m.risk.as_ref()?;
    let years_per_rep = m.horizon_h / HOURS_PER_YEAR;
    let years = years_per_rep * replications as f64;
    let span = Years {
        replications,
        first: first_replication,
        per_replication: years_per_rep,
    };
    let criteria = &r.criteria;
    let mut curves = vec![curve(accidents, span, "all".into(), 1.0, None, &|_| true)];

    // Route links: F-N per km and the criterion per km.
    let mut checks = Vec::new();
    let mut route_curves = Vec::new();
    for (l, link) in m.links.iter().enumerate() {
        if !accidents
            .iter()
            .any(|a| a.source == AccidentSource::Transport(l))
            || link.in_area_km <= 0.0
        {
            continue;
        }
        let c = curve(
            accidents,
            span,
            link.id.clone(),
            link.in_area_km,
            Some(&criteria.route_per_km),
            &|a| a.source == AccidentSource::Transport(l),
        );
        let (ratio, at_n) = worst_ratio(&c);
        checks.push(CriterionCheck {
            scope: link.id.clone(),
            kind: "route_per_km",
            max_ratio: ratio,
            at_n,
        });
        route_curves.push(c);
    }
    let mut establishments: BTreeMap<String, ()> = BTreeMap::new();
    for a in accidents {
        if let Some(e) = establishment_of(m, a.source) {
            establishments.insert(e, ());
        }
    }
    let mut establishment_curves = Vec::new();
    for e in establishments.keys() {
        let c = curve(
            accidents,
            span,
            e.clone(),
            1.0,
            Some(&criteria.establishment),
            &|a| establishment_of(m, a.source).as_deref() == Some(e.as_str()),
        );
        let (ratio, at_n) = worst_ratio(&c);
        checks.push(CriterionCheck {
            scope: e.clone(),
            kind: "establishment",
            max_ratio: ratio,
            at_n,
        });
        establishment_curves.push(c);
    }
    checks.sort_by(|a, b| {
        b.max_ratio
            .total_cmp(&a.max_ratio)
            .then_with(|| a.scope.cmp(&b.scope))
    });
    // The worst km: highest ratio to the route line, else the highest frequency of any death per km.
    let pick = |list: &[FnCurve]| {
        list.iter()
            .max_by(|a, b| {
                let (ra, rb) = (worst_ratio(a).0, worst_ratio(b).0);
                ra.total_cmp(&rb)
                    .then_with(|| a.frequency[0].total_cmp(&b.frequency[0]))
                    .then_with(|| b.scope.cmp(&a.scope))
            })
            .cloned()
    };
    if let Some(c) = pick(&route_curves) {
        curves.push(c);
    }
    if let Some(c) = pick(&establishment_curves) {
        curves.push(c);
    }

    // Contributors.
    let mut groups: BTreeMap<(&'static str, String, String), (f64, f64)> = BTreeMap::new();
    for a in accidents {
        let key = (
            a.source.category(a.mode),
            facility_of(m, a.source),
            r.substances[a.substance].id.clone(),
        );
        let g = groups.entry(key).or_insert((0.0, 0.0));
        g.0 += a.weight * a.deaths / years;
        if a.deaths >= 10.0 {
            g.1 += a.weight / years;
        }
    }
    let mut contributors: Vec<Contributor> = groups
        .into_iter()
        .map(
            |((category, facility, substance), (pll, f10))| Contributor {
                category,
                facility,
                substance,
                pll_per_year: pll,
                frequency_n10_per_year: f10,
            },
        )
        .collect();
    contributors.sort_by(|a, b| {
        b.pll_per_year
            .total_cmp(&a.pll_per_year)
            .then_with(|| a.facility.cmp(&b.facility))
    });

    // Individual risk.
    let climate = Climate {
        classes: r
            .weather
            .iter()
            .map(|w| {
                (
                    Weather {
                        stability: w.stability,
                        wind_m_s: w.wind_m_s,
                        terrain: r.terrain,
                    },
                    w.day_share,
                    w.night_share,
                )
            })
            .collect(),
        wind_rose_from: r.wind_rose_from,
    };
    let started = std::time::Instant::now();
    let footprints: Vec<Footprint> = {
        use rayon::prelude::*;
        let lethal = accidents
            .iter()
            .filter(|a| !a.effects.is_empty())
            .count()
            .max(1);
        let floor = IR_LEVELS[IR_LEVELS.len() - 1] / 10.0 / lethal as f64;
        accidents
            .par_iter()
            .filter(|a| !a.effects.is_empty())
            .map(|a| {
                let mut f = Footprint::new(
                    &a.effects,
                    a.weight / years,
                    a.night,
                    &climate,
                    &r.vulnerability,
                    &r.air,
                );
                f.prune(floor, &climate.wind_rose_from);
                f
            })
            .collect()
    };
    let cell = cell_m.unwrap_or(r.grid.cell_m);
    let [x0, x1, y0, y1] = r.bounds_km;
    let grid = Grid {
        x0_m: x0 * 1000.0,
        y0_m: y0 * 1000.0,
        cell_m: cell,
        nx: (((x1 - x0) * 1000.0) / cell).ceil().max(1.0) as usize,
        ny: (((y1 - y0) * 1000.0) / cell).ceil().max(1.0) as usize,
    };
    let values = individual_risk_grid(&footprints, &grid, &climate.wind_rose_from);
    let contours = IR_LEVELS
        .iter()
        .map(|&level| (level, contour_segments(&values, &grid, level)))
        .collect();
    let map = IrMap {
        grid,
        values,
        contours,
        seconds: started.elapsed().as_secs_f64(),
    };

    // Transects across the three links with the highest PLL.
    let mut link_pll: Vec<(usize, f64)> = (0..m.links.len())
        .map(|l| {
            let pll = accidents
                .iter()
                .filter(|a| a.source == AccidentSource::Transport(l))
                .map(|a| a.weight * a.deaths)
                .sum::<f64>();
            (l, pll)
        })
        .filter(|x| x.1 > 0.0)
        .collect();
    link_pll.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let transects = link_pll
        .iter()
        .take(3)
        .map(|&(l, _)| {
            let link = &m.links[l];
            let (a, b) = (r.node_xy_m[link.from], r.node_xy_m[link.to]);
            let mid = ((a.0 + b.0) / 2.0, (a.1 + b.1) / 2.0);
            let len = (b.0 - a.0).hypot(b.1 - a.1).max(1e-9);
            let normal = (-(b.1 - a.1) / len, (b.0 - a.0) / len);
            let distances: Vec<f64> = (-100..=100).map(|k| k as f64 * 20.0).collect();
            let points: Vec<(f64, f64)> = distances
                .iter()
                .map(|d| (mid.0 + d * normal.0, mid.1 + d * normal.1))
                .collect();
            let ir = individual_risk_at(&footprints, &points, &climate.wind_rose_from);
            Transect {
                link: link.id.clone(),
                points: distances.into_iter().zip(ir).collect(),
            }
        })
        .collect();

    let mut analysis = RiskAnalysis {
        years,
        curves,
        checks,
        individual_risk_limit: criteria.individual_risk_per_year,
        contributors,
        map,
        transects,
        rows: Vec::new(),
        pooled: Vec::new(),
    };
    summary_rows(
        m,
        &mut analysis,
        accidents,
        first_replication,
        replications,
        years_per_rep,
    );
    Some(analysis)
}

fn summary_rows(
    m: &Model,
    a: &mut RiskAnalysis,
    accidents: &[Accident],
    first: u64,
    replications: u64,
    years_per_rep: f64,
) {
    let r = m.risk.as_ref().expect("risk model");
    // F-N per km of the worst link, per replication.
    if let Some(c) = a.curves.iter().find(|c| c.unit == "per_km_year") {
        let link = m
            .links
            .iter()
            .position(|l| l.id == c.scope)
            .expect("a link");
        let km = m.links[link].in_area_km;
        for n in crate::sim::FN_POINTS {
            let mut s = ReplicationStats::new();
            for rep in first..first + replications {
                s.record(
                    accidents
                        .iter()
                        .filter(|x| {
                            x.replication == rep
                                && x.source == AccidentSource::Transport(link)
                                && x.deaths >= n
                        })
                        .map(|x| x.weight)
                        .sum::<f64>()
                        / years_per_rep
                        / km,
                );
            }
            a.rows.push((
                MetricKey::new(
                    "fn_frequency_per_km_year",
                    c.scope.clone(),
                    format!("worst km, N>={n}"),
                    "1/km/yr",
                ),
                s,
            ));
        }
    }
    for check in &a.checks {
        a.pooled.push((
            MetricKey::new(
                "criterion_ratio_max",
                check.scope.clone(),
                check.kind,
                "ratio",
            ),
            check.max_ratio,
        ));
    }
    a.pooled.push((
        MetricKey::new("criterion_exceeded", "all", "societal", "count"),
        a.checks.iter().filter(|c| c.max_ratio > 1.0).count() as f64,
    ));
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
        MetricKey::new("individual_risk_max_per_year", "map", place(at), "1/yr"),
        max,
    ));
    a.pooled.push((
        MetricKey::new(
            "individual_risk_max_per_year",
            "populated cells",
            place(at_populated),
            "1/yr",
        ),
        max_populated,
    ));
    a.pooled.push((
        MetricKey::new(
            "criterion_ratio_max",
            "individual_risk",
            "populated cells",
            "ratio",
        ),
        max_populated / a.individual_risk_limit,
    ));
    for (k, level) in IR_LEVELS.iter().enumerate() {
        a.pooled.push((
            MetricKey::new(
                "area_with_individual_risk_km2",
                "map",
                format!(">={level:e}"),
                "km2",
            ),
            area[k],
        ));
        a.pooled.push((
            MetricKey::new(
                "people_with_individual_risk",
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
                "top_contributor_pll_per_year",
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
                    "individual_risk_transect_per_year",
                    t.link.clone(),
                    format!("d={d}m"),
                    "1/yr",
                ),
                v,
            ));
        }
    }
}
