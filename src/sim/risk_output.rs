//! What a replication reports about risk: per-replication frequencies, F-N points and PLL breakdowns as
//! metrics (so that every one gets a Monte-Carlo confidence interval over the replications), and the
//! accident records themselves for the F-N curves per km and the individual-risk map.

use super::metric::{Metric, SourceCategory};
use super::output::MetricKey;
use super::risk::{Accident, AccidentSource, RiskState};
use crate::model::{HOURS_PER_YEAR, Model, ResponseModel};
use crate::risk::consequence::Outcome;

/// N values of the F-N points reported per replication.
pub const FN_POINTS: [f64; 16] = [
    1.0, 2.0, 3.0, 5.0, 10.0, 20.0, 30.0, 50.0, 100.0, 200.0, 300.0, 500.0, 1000.0, 2000.0, 5000.0,
    10000.0,
];

/// Deepest escalation depth reported separately (deeper ones are counted with it).
pub const MAX_DEPTH: usize = 4;

/// The facility an accident is attributed to (link, site, lock, lot or node id).
pub fn facility_of(m: &Model, source: AccidentSource) -> String {
    match source {
        AccidentSource::Transport(l) => m.links[l].id.clone(),
        AccidentSource::Tank(t) => m.sites[m.tanks[t].site].id.clone(),
        AccidentSource::Loading(s) | AccidentSource::Berth(s) => m.sites[s].id.clone(),
        AccidentSource::Lock(l) => m.locks[l].id.clone(),
        AccidentSource::Parking(p) => m.parkings[p].id.clone(),
        AccidentSource::Roadside(n) => m.nodes[n].id.clone(),
    }
}

/// Facilities that can have accidents, in model order.
pub fn facilities(m: &Model) -> Vec<String> {
    let mut out: Vec<String> = m.links.iter().map(|l| l.id.clone()).collect();
    out.extend(
        m.sites
            .iter()
            .filter(|s| !s.is_external())
            .map(|s| s.id.clone()),
    );
    out.extend(m.locks.iter().map(|l| l.id.clone()));
    out.extend(m.parkings.iter().map(|p| p.id.clone()));
    out
}

/// Whether an outcome can set off a domino cascade.
pub fn can_escalate(outcome: Outcome) -> bool {
    matches!(
        outcome,
        Outcome::PoolFire | Outcome::JetFire | Outcome::Explosion
    )
}

/// `f` summed over the accidents (weights included by `f`), per year.
fn annual(accidents: &[Accident], years: f64, f: impl Fn(&Accident) -> f64) -> f64 {
    accidents.iter().map(f).sum::<f64>() / years
}

/// Appends the risk metrics of one replication.
pub(crate) fn push_risk_metrics(
    m: &Model,
    risk: &RiskState,
    window_h: f64,
    out: &mut Vec<(MetricKey, f64)>,
) {
    let years = window_h / HOURS_PER_YEAR;
    push_frequencies(risk, years, out);
    push_breakdowns(m, risk, years, out);
    push_domino(risk, years, out);
    if let Some(response) = m.risk.as_ref().and_then(|r| r.response.as_ref()) {
        push_response(response, risk, years, out);
    }
    push_closures(risk, years, out);
}

/// What the fire brigade did: how fast it came, how often it met its standard, what it prevented.
fn push_response(
    response: &ResponseModel,
    risk: &RiskState,
    years: f64,
    out: &mut Vec<(MetricKey, f64)>,
) {
    let a = &risk.accidents[..];
    out.push((
        MetricKey::new(
            Metric::EscalationPreventedFrequencyPerYear,
            "all",
            "",
            "1/yr",
        ),
        annual(a, years, |x| x.weight * x.prevention_probability()),
    ));
    out.push((
        MetricKey::new(Metric::DeathsAvoidedPerYear, "all", "", "deaths/yr"),
        annual(a, years, |x| x.weight * x.expected_deaths_avoided()),
    ));
    let (mut weight, mut reached, mut minutes, mut within) = (0.0, 0.0, 0.0, 0.0);
    for x in a {
        let Some(d) = x.dispatch else { continue };
        weight += x.weight;
        if let Some(h) = d.on_scene_h {
            reached += x.weight;
            minutes += x.weight * h * 60.0;
        }
        if response.met_standard(d.first_engine_h) {
            within += x.weight;
        }
    }
    // A replication without an accident any engine reached reports 0 rather than no value: every
    // replication must report the same metrics.
    let ratio = |x: f64, of: f64| if of > 0.0 { x / of } else { 0.0 };
    out.push((
        MetricKey::new(
            Metric::ResponseMinutesMean,
            "all",
            "first_assignment",
            "min",
        ),
        ratio(minutes, reached),
    ));
    out.push((
        MetricKey::new(
            Metric::ResponseWithinStandardShare,
            "all",
            "first_engine",
            "share",
        ),
        ratio(within, weight),
    ));
}

/// Accidents sampled, their frequency, PLL and the F-N points.
fn push_frequencies(risk: &RiskState, years: f64, out: &mut Vec<(MetricKey, f64)>) {
    let a = &risk.accidents[..];
    out.push((
        MetricKey::new(Metric::AccidentsSampled, "all", "", "count"),
        a.len() as f64,
    ));
    out.push((
        MetricKey::new(Metric::AccidentFrequencyPerYear, "all", "", "1/yr"),
        annual(a, years, |x| x.weight),
    ));
    out.push((
        MetricKey::new(Metric::LethalAccidentFrequencyPerYear, "all", "N>0", "1/yr"),
        annual(a, years, |x| {
            x.weight * x.probability_at_least(f64::MIN_POSITIVE)
        }),
    ));
    out.push((
        MetricKey::new(Metric::PllPerYear, "all", "", "deaths/yr"),
        annual(a, years, |x| x.weight * x.expected_deaths()),
    ));
    for n in FN_POINTS {
        out.push((
            MetricKey::new(Metric::FnFrequencyPerYear, "all", format!("N>={n}"), "1/yr"),
            annual(a, years, |x| x.weight * x.probability_at_least(n)),
        ));
    }
}

/// PLL and frequency by source category, PLL by substance and by facility.
fn push_breakdowns(m: &Model, risk: &RiskState, years: f64, out: &mut Vec<(MetricKey, f64)>) {
    let r = m.risk.as_ref().expect("risk state only with a risk model");
    let a = &risk.accidents[..];
    for category in SourceCategory::ALL {
        out.push((
            MetricKey::new(Metric::PllPerYear, category.name(), "source", "deaths/yr"),
            annual(a, years, |x| {
                if x.source.category(x.mode) == category {
                    x.weight * x.expected_deaths()
                } else {
                    0.0
                }
            }),
        ));
        out.push((
            MetricKey::new(
                Metric::AccidentFrequencyPerYear,
                category.name(),
                "source",
                "1/yr",
            ),
            annual(a, years, |x| {
                if x.source.category(x.mode) == category {
                    x.weight
                } else {
                    0.0
                }
            }),
        ));
    }
    let mut used: Vec<usize> = r.substance_of_commodity.iter().flatten().copied().collect();
    used.sort_unstable();
    used.dedup();
    for s in used {
        out.push((
            MetricKey::new(
                Metric::PllPerYear,
                r.substances[s].id.clone(),
                "substance",
                "deaths/yr",
            ),
            annual(a, years, |x| {
                if x.substance == s {
                    x.weight * x.expected_deaths()
                } else {
                    0.0
                }
            }),
        ));
    }
    // Each accident's facility named once, not once per facility.
    let facility_of_accident: Vec<String> = a.iter().map(|x| facility_of(m, x.source)).collect();
    for facility in facilities(m) {
        out.push((
            MetricKey::new(
                Metric::PllPerYear,
                facility.clone(),
                "facility",
                "deaths/yr",
            ),
            a.iter()
                .zip(&facility_of_accident)
                .map(|(x, of)| {
                    if *of == facility {
                        x.weight * x.expected_deaths()
                    } else {
                        0.0
                    }
                })
                .sum::<f64>()
                / years,
        ));
    }
}

/// Deaths added by domino escalation and the frequency of cascades by depth.
fn push_domino(risk: &RiskState, years: f64, out: &mut Vec<(MetricKey, f64)>) {
    let a = &risk.accidents[..];
    // Domino deaths are those beyond the primary event's own.
    out.push((
        MetricKey::new(Metric::PllPerYear, "domino", "beyond_primary", "deaths/yr"),
        annual(a, years, |x| x.weight * x.expected_domino_deaths()),
    ));
    out.push((
        MetricKey::new(Metric::DominoFrequencyPerYear, "all", "depth>=1", "1/yr"),
        annual(a, years, |x| x.weight * x.escalation_probability()),
    ));
    for d in 0..=MAX_DEPTH {
        let label = if d == MAX_DEPTH {
            format!("depth>={d}")
        } else {
            format!("depth={d}")
        };
        out.push((
            MetricKey::new(
                Metric::EscalationDepthFrequencyPerYear,
                "fires_and_explosions",
                label,
                "1/yr",
            ),
            annual(a, years, |x| {
                x.branches
                    .iter()
                    .filter(|b| can_escalate(b.outcome) && (b.depth as usize).min(MAX_DEPTH) == d)
                    .map(|b| x.weight * b.probability)
                    .sum()
            }),
        ));
    }
}

/// Accident closures and the delay they cause.
fn push_closures(risk: &RiskState, years: f64, out: &mut Vec<(MetricKey, f64)>) {
    let per_year = |x: f64| x / years;
    out.push((
        MetricKey::new(Metric::AccidentClosuresPerYear, "all", "", "1/yr"),
        per_year(risk.closures as f64),
    ));
    out.push((
        MetricKey::new(Metric::AccidentClosureHoursPerYear, "all", "", "h/yr"),
        per_year(risk.closure_hours),
    ));
    out.push((
        MetricKey::new(
            Metric::AccidentDelayVehicleHoursPerYear,
            "all",
            "",
            "veh-h/yr",
        ),
        per_year(risk.delay_veh_h),
    ));
    out.push((
        MetricKey::new(
            Metric::AccidentDelayVehicleHoursPerYear,
            "hazmat",
            "",
            "veh-h/yr",
        ),
        per_year(risk.delay_hazmat_veh_h),
    ));
}
