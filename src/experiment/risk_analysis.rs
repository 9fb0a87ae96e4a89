//! Risk results of a run, from its [`RiskFold`]: exact F-N curves (overall, the worst 1 km of any route,
//! the worst establishment) with Monte-Carlo bands and an upper bound beyond the observed tail, the
//! criterion checks of every criteria set at every step of the curves, the top contributors, the
//! individual-risk map with its contours, risk at protected objects, and transects across the busiest
//! routes.
//!
//! F-N curves are built from the deaths of each sampled accident's consequence distribution (never
//! from averages), weighted by its importance-sampling weight; bands come from the spread of the
//! replications' own curves (replications are independent years).

use super::ReplicationStats;
use super::risk_fold::{RiskFold, WINDOW_KM};
pub use super::risk_fold::{climate_of, map_grid};
use super::student_t_quantile;
use crate::model::{Model, RiskModel};
use crate::risk::fn_curve::{FnAccumulator, FnStep, Line, frequency_at, worst_ratio};
use crate::risk::individual::{Grid, Segment, contour_segments};
use crate::scenario::{CriteriaData, CriterionLine};
use crate::sim::{FN_POINTS, Metric, MetricKey};

/// Contour levels of the individual-risk map, per year.
pub const IR_LEVELS: [f64; 4] = [1e-5, 1e-6, 1e-7, 1e-8];
/// Above this relative standard error a key figure is flagged as imprecise.
pub const IMPRECISE_RSE: f64 = 0.3;

/// One F-N curve with its band.
#[derive(Clone, Debug)]
pub struct FnCurve {
    /// `all`, the establishment id, or `link@km` of the worst window.
    pub scope: String,
    /// What the frequencies are: `per_year` or `per_km_year`.
    pub unit: &'static str,
    /// N values: every step of the exact curve, then the standard N beyond the observed tail.
    pub n: Vec<f64>,
    /// Mean frequency of accidents with at least N deaths.
    pub frequency: Vec<f64>,
    /// Lower end of the 95 % interval (not below 0).
    pub ci_low: Vec<f64>,
    /// Upper end.
    pub ci_high: Vec<f64>,
    /// Standard error over mean (NaN where the mean is 0).
    pub relative_standard_error: Vec<f64>,
    /// Criterion line of the primary criteria set at each N (infinite where it does not apply).
    pub limit: Vec<f64>,
    /// Beyond the observed tail: the 95 % upper bound of a frequency that no sampled accident showed
    /// (NaN on observed steps).
    pub upper95: Vec<f64>,
}

/// Worst ratio of an F-N curve to a criterion line.
#[derive(Clone, Debug)]
pub struct CriterionCheck {
    /// Criteria set.
    pub criteria: String,
    /// Link or establishment id (links: the worst 1 km window, `link@start_km`).
    pub scope: String,
    /// `route_per_km` or `establishment`.
    pub kind: &'static str,
    /// Largest F(N) / limit(N) over every step the line covers.
    pub max_ratio: f64,
    /// N where it is largest.
    pub at_n: f64,
    /// Region of the set: `intolerable` above its upper line, `reduce` between the lines,
    /// `acceptable` below the lower one (or below the upper one when the set has no lower line).
    pub region: &'static str,
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

/// Individual risk at a protected object against its limit in each criteria set.
#[derive(Clone, Debug)]
pub struct ProtectedResult {
    /// Identifier.
    pub id: String,
    /// Name.
    pub name: String,
    /// Class.
    pub class: String,
    /// Individual risk, per year.
    pub individual_risk_per_year: f64,
    /// Per criteria set: its id and the object's limit (none: the set has no such class).
    pub limits: Vec<(String, Option<f64>)>,
    /// People present (for the ranking).
    pub people: Option<f64>,
    /// Fatal accident rate of its workers (deaths per 1e8 exposed hours), where workers are given.
    pub far: Option<f64>,
}

/// Everything the risk report shows.
#[derive(Clone, Debug)]
pub struct RiskAnalysis {
    /// Simulated years (all replications).
    pub years: f64,
    /// Criteria sets, the primary first.
    pub criteria: Vec<String>,
    /// F-N curves: overall, worst route km, worst establishment.
    pub curves: Vec<FnCurve>,
    /// Criterion checks of every set, worst first.
    pub checks: Vec<CriterionCheck>,
    /// Individual-risk limit of the primary set, per year.
    pub individual_risk_limit: f64,
    /// Contributors, largest PLL first.
    pub contributors: Vec<Contributor>,
    /// The map.
    pub map: IrMap,
    /// Transects across the busiest links.
    pub transects: Vec<Transect>,
    /// Protected objects, most exposed first.
    pub protected: Vec<ProtectedResult>,
    /// Key figures whose relative standard error exceeds [`IMPRECISE_RSE`]: what and how much.
    pub imprecise: Vec<(String, f64)>,
    /// With `--target-rse`: the rule, the precision reached and whether it met the target.
    pub stop: Option<(
        crate::experiment::StopRule,
        crate::experiment::Precision,
        bool,
    )>,
    /// Summary rows with a spread over replications.
    pub rows: Vec<(MetricKey, ReplicationStats)>,
    /// Summary rows computed from the pooled replications (no spread).
    pub pooled: Vec<(MetricKey, f64)>,
    /// Response times by area, `all` first (empty without a simulated brigade).
    pub response_times: Vec<super::response_times::AreaResponse>,
}

/// Standard N beyond a curve's last step get the 95 % bound of an unseen frequency.
const TAIL_POINTS: [f64; 9] = [1.0, 3.0, 10.0, 30.0, 100.0, 300.0, 1000.0, 3000.0, 10000.0];

/// The curve of `acc` with the primary line and, beyond its largest N, the upper bound `3 w_max / T`
/// (`per` km): were the frequency higher, the sampling (whose least-inflated source has weight `w_max`)
/// would have shown such an accident with probability above 95 %; at most the last observed step's
/// upper 95 % limit, since F(N) cannot rise with N.
fn curve(
    acc: &FnAccumulator,
    scope: String,
    per_km: bool,
    line: Option<&CriterionLine>,
    unseen_bound: f64,
) -> FnCurve {
    let steps = acc.steps();
    let r = acc.replications().max(1);
    let t = if r > 1 {
        student_t_quantile(0.975, (r - 1) as f64)
    } else {
        f64::NAN
    };
    let mut c = FnCurve {
        scope,
        unit: if per_km { "per_km_year" } else { "per_year" },
        n: Vec::new(),
        frequency: Vec::new(),
        ci_low: Vec::new(),
        ci_high: Vec::new(),
        relative_standard_error: Vec::new(),
        limit: Vec::new(),
        upper95: Vec::new(),
    };
    let limit = |n: f64| line.map_or(f64::INFINITY, |l| l.limit(n));
    for s in &steps {
        c.n.push(s.n);
        c.frequency.push(s.frequency);
        c.ci_low.push((s.frequency - t * s.standard_error).max(0.0));
        c.ci_high.push(s.frequency + t * s.standard_error);
        c.relative_standard_error.push(if s.frequency > 0.0 {
            s.standard_error / s.frequency
        } else {
            f64::NAN
        });
        c.limit.push(limit(s.n));
        c.upper95.push(f64::NAN);
    }
    let last = steps.last().map_or(0.0, |s| s.n_max_in_bin);
    // F never rises with N, so beyond the tail it is also below the last step's upper limit.
    let unseen_bound = c
        .ci_high
        .last()
        .map_or(unseen_bound, |&high| unseen_bound.min(high));
    for &n in TAIL_POINTS.iter().filter(|&&n| n > last) {
        c.n.push(n);
        c.frequency.push(0.0);
        c.ci_low.push(0.0);
        c.ci_high.push(0.0);
        c.relative_standard_error.push(f64::NAN);
        c.limit.push(limit(n));
        c.upper95.push(unseen_bound);
    }
    c
}

/// The region of a curve in a criteria set with an upper line and maybe a lower one.
fn region(steps: &[FnStep], upper: &Line, lower: Option<&Line>) -> (f64, f64, &'static str) {
    let worst = worst_ratio(steps, upper);
    let region = if worst.ratio > 1.0 {
        "intolerable"
    } else {
        match lower {
            Some(l) if worst_ratio(steps, l).ratio > 1.0 => "reduce",
            _ => "acceptable",
        }
    };
    (worst.ratio, worst.at_n, region)
}

/// The worst 1 km window of one link against `line`: (window index, ratio, at N), by the ratio and then
/// by the frequency of any death.
fn worst_window(curves: &[FnAccumulator], line: Option<&Line>) -> (usize, f64, f64) {
    let mut best = (0, -1.0, f64::NAN, -1.0);
    for (k, c) in curves.iter().enumerate() {
        let steps = c.steps();
        let (ratio, at) = line.map_or((0.0, f64::NAN), |l| {
            let w = worst_ratio(&steps, l);
            (w.ratio, w.at_n)
        });
        let any = frequency_at(&steps, f64::MIN_POSITIVE);
        if ratio > best.1 || (ratio == best.1 && any > best.3) {
            best = (k, ratio, at, any);
        }
    }
    (best.0, best.1.max(0.0), best.2)
}

/// The 95 % upper bound of F beyond the observed tail: three times the largest importance weight over
/// the observed years (the "rule of three"), per `per` units of exposure (1, or [`WINDOW_KM`] km).
fn unseen_bound_per_year(max_weight: f64, per: f64, years: f64) -> f64 {
    3.0 * max_weight / years / per
}

/// Whether a candidate (ratio, frequency of any death) is worse than the worst so far: by the ratio and
/// then by the frequency of any death, so curves all below their line still rank by their risk.
fn is_worse(ratio: f64, any_death_per_year: f64, worst: Option<(f64, f64)>) -> bool {
    worst.is_none_or(|(worst_ratio, worst_any)| {
        ratio > worst_ratio || (ratio == worst_ratio && any_death_per_year > worst_any)
    })
}

/// The worst 1 km window over all links against the primary criteria set.
struct WorstWindow {
    /// Its ratio to the route line (0 without one).
    ratio: f64,
    /// Its frequency of any death, per km and year (the tie-break).
    any_death_per_km_year: f64,
    /// `link@start_km`.
    scope: String,
    /// Index of the link in the model.
    link: usize,
    /// Index of the window on the link.
    window: usize,
}

/// The route checks (the worst window of each link for every criteria set with a route line) and the
/// worst window of all for the primary set.
fn route_checks(
    m: &Model,
    r: &RiskModel,
    fold: &RiskFold,
    checks: &mut Vec<CriterionCheck>,
) -> Option<WorstWindow> {
    let mut worst_route: Option<WorstWindow> = None;
    for w in &fold.windows {
        if w.max_weight <= 0.0 {
            continue;
        }
        let link = &m.links[w.link];
        for (set_index, set) in r.criteria.iter().enumerate() {
            let line = set.route_per_km.map(|l| l.line());
            let (k, ratio, at_n) = worst_window(&w.curves, line.as_ref());
            let scope = format!("{}@{:.1}km", link.id, w.starts_km[k]);
            if let Some(line) = line {
                let steps = w.curves[k].steps();
                let (_, _, region) = region(&steps, &line, None);
                checks.push(CriterionCheck {
                    criteria: set.id.clone(),
                    scope: scope.clone(),
                    kind: "route_per_km",
                    max_ratio: ratio,
                    at_n,
                    region,
                });
            }
            if set_index == 0 {
                let any = frequency_at(&w.curves[k].steps(), f64::MIN_POSITIVE);
                let so_far = worst_route
                    .as_ref()
                    .map(|b| (b.ratio, b.any_death_per_km_year));
                if is_worse(ratio, any, so_far) {
                    worst_route = Some(WorstWindow {
                        ratio,
                        any_death_per_km_year: any,
                        scope,
                        link: w.link,
                        window: k,
                    });
                }
            }
        }
    }
    worst_route
}

/// The establishment checks for every criteria set, and the id of the worst establishment for the
/// primary set.
fn establishment_checks<'f>(
    r: &RiskModel,
    fold: &'f RiskFold,
    checks: &mut Vec<CriterionCheck>,
) -> Option<&'f String> {
    let mut worst_establishment: Option<(f64, f64, &String)> = None;
    for (id, (acc, _)) in &fold.establishments {
        let steps = acc.steps();
        for (set_index, set) in r.criteria.iter().enumerate() {
            let lower = set.establishment_acceptable.map(|l| l.line());
            let (ratio, at_n, region) = region(&steps, &set.establishment.line(), lower.as_ref());
            checks.push(CriterionCheck {
                criteria: set.id.clone(),
                scope: id.clone(),
                kind: "establishment",
                max_ratio: ratio,
                at_n,
                region,
            });
            if set_index == 0 {
                let any = frequency_at(&steps, f64::MIN_POSITIVE);
                if is_worse(ratio, any, worst_establishment.map(|b| (b.0, b.1))) {
                    worst_establishment = Some((ratio, any, id));
                }
            }
        }
    }
    worst_establishment.map(|(_, _, id)| id)
}

/// The contributors, largest PLL first.
fn contributors(fold: &RiskFold, reps: f64) -> Vec<Contributor> {
    let mut contributors: Vec<Contributor> = fold
        .contributors
        .iter()
        .map(
            |((category, facility, substance), (pll, f10))| Contributor {
                category,
                facility: facility.clone(),
                substance: substance.clone(),
                pll_per_year: pll / reps,
                frequency_n10_per_year: f10 / reps,
            },
        )
        .collect();
    contributors.sort_by(|a, b| {
        b.pll_per_year
            .total_cmp(&a.pll_per_year)
            .then_with(|| a.facility.cmp(&b.facility))
    });
    contributors
}

/// The mean individual-risk map with its contours; its time includes the contouring.
fn ir_map(fold: &RiskFold, reps: f64) -> IrMap {
    let started = std::time::Instant::now();
    let values: Vec<f64> = fold.map.iter().map(|v| v / reps).collect();
    let contours = IR_LEVELS
        .iter()
        .map(|&level| (level, contour_segments(&values, &fold.grid, level)))
        .collect();
    IrMap {
        grid: fold.grid,
        values,
        contours,
        seconds: fold.map_seconds + started.elapsed().as_secs_f64(),
    }
}

/// The transects across the three links with the largest PLL.
fn transects(m: &Model, fold: &RiskFold, reps: f64) -> Vec<Transect> {
    let mut by_pll: Vec<usize> = (0..m.links.len())
        .filter(|&l| fold.link_pll[l] > 0.0)
        .collect();
    by_pll.sort_by(|&a, &b| {
        fold.link_pll[b]
            .total_cmp(&fold.link_pll[a])
            .then(a.cmp(&b))
    });
    by_pll
        .iter()
        .take(3)
        .filter_map(|&l| fold.transects.iter().find(|t| t.link == l))
        .map(|t| Transect {
            link: m.links[t.link].id.clone(),
            points: t
                .distances_m
                .iter()
                .zip(&t.values)
                .map(|(d, v)| (*d, v / reps))
                .collect(),
        })
        .collect()
}

/// Risk at the protected objects, highest individual risk first.
fn protected_results(r: &RiskModel, fold: &RiskFold, reps: f64) -> Vec<ProtectedResult> {
    let mut protected: Vec<ProtectedResult> = r
        .protected
        .iter()
        .zip(&fold.protected)
        .map(|(p, ir)| {
            let ir = ir / reps;
            ProtectedResult {
                id: p.id.clone(),
                name: p.name.clone(),
                class: p.class.clone(),
                individual_risk_per_year: ir,
                limits: r
                    .criteria
                    .iter()
                    .zip(&p.limits)
                    .map(|(c, l)| (c.id.clone(), *l))
                    .collect(),
                people: p.people,
                // FAR: deaths per 1e8 exposed hours = IR x 1e8 / hours present a year.
                far: p.workers.map(|_| ir * 1e8 / p.hours_per_year),
            }
        })
        .collect();
    protected.sort_by(|a, b| {
        b.individual_risk_per_year
            .total_cmp(&a.individual_risk_per_year)
            .then_with(|| a.id.cmp(&b.id))
    });
    protected
}

/// Computes the risk results of a folded run.
pub fn finish(m: &Model, fold: &RiskFold) -> Option<RiskAnalysis> {
    let r = m.risk.as_ref()?;
    let reps = fold.replications.max(1) as f64;
    let years = fold.years_per_replication * reps;
    let primary: &CriteriaData = &r.criteria[0];
    let mut curves = vec![curve(
        &fold.all,
        "all".into(),
        false,
        None,
        unseen_bound_per_year(fold.max_weight, 1.0, years),
    )];
    let mut checks = Vec::new();

    let worst_route = route_checks(m, r, fold, &mut checks);
    if let Some(worst) = &worst_route {
        let w = fold
            .windows
            .iter()
            .find(|w| w.link == worst.link)
            .expect("known link");
        curves.push(curve(
            &w.curves[worst.window],
            worst.scope.clone(),
            true,
            primary.route_per_km.as_ref(),
            unseen_bound_per_year(w.max_weight, WINDOW_KM, years),
        ));
    }
    if let Some(id) = establishment_checks(r, fold, &mut checks) {
        let (acc, w_max) = &fold.establishments[id];
        curves.push(curve(
            acc,
            id.clone(),
            false,
            Some(&primary.establishment),
            unseen_bound_per_year(*w_max, 1.0, years),
        ));
    }
    checks.sort_by(|a, b| {
        b.max_ratio
            .total_cmp(&a.max_ratio)
            .then_with(|| a.criteria.cmp(&b.criteria))
            .then_with(|| a.scope.cmp(&b.scope))
    });

    let mut analysis = RiskAnalysis {
        years,
        criteria: r.criteria.iter().map(|c| c.id.clone()).collect(),
        curves,
        checks,
        individual_risk_limit: primary.individual_risk_per_year,
        contributors: contributors(fold, reps),
        map: ir_map(fold, reps),
        transects: transects(m, fold, reps),
        protected: protected_results(r, fold, reps),
        imprecise: Vec::new(),
        stop: None,
        rows: Vec::new(),
        pooled: Vec::new(),
        response_times: fold
            .response
            .as_ref()
            .map_or_else(Vec::new, |f| f.finish(years)),
    };
    if let Some(worst) = worst_route {
        for (n, stats) in fold.window_stats(worst.link, worst.window) {
            analysis.rows.push((
                MetricKey::new(
                    Metric::FnFrequencyPerKmYear,
                    worst.scope.clone(),
                    format!("worst km, N>={n}"),
                    "1/km/yr",
                ),
                stats,
            ));
        }
    }
    super::risk_summary::summary_rows(m, &mut analysis);
    Some(analysis)
}

/// Checks the standard N of the F-N probes exist (used by the summary rows).
pub fn probe_points() -> &'static [f64] {
    &FN_POINTS
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two replications with accidents of 5 and 50 deaths: beyond N = 50 the curve is 0 and the bound
    /// is the smaller of `3 w_max / T` and the last step's upper limit.
    #[test]
    fn the_unseen_tail_is_bounded_by_the_sampling_and_by_the_last_step() {
        let mut acc = FnAccumulator::with_probes(&TAIL_POINTS);
        for _ in 0..2 {
            acc.add(5.0, 1e-2);
            acc.add(50.0, 1e-3);
            acc.end_replication();
        }
        let loose = curve(&acc, "all".into(), false, None, 1.0);
        let tail: Vec<usize> = (0..loose.n.len()).filter(|&k| loose.n[k] > 50.0).collect();
        assert_eq!(
            tail.iter().map(|&k| loose.n[k]).collect::<Vec<_>>(),
            vec![100.0, 300.0, 1000.0, 3000.0, 10000.0]
        );
        let last_step = tail[0] - 1;
        for &k in &tail {
            assert_eq!(loose.frequency[k], 0.0);
            assert_eq!(loose.upper95[k], loose.ci_high[last_step]);
        }
        assert!(
            loose.upper95[last_step].is_nan(),
            "observed steps carry no bound"
        );
        let tight = curve(&acc, "all".into(), false, None, 1e-4);
        assert!(tail.iter().all(|&k| tight.upper95[k] == 1e-4));
    }
}
