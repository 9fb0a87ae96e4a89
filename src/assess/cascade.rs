//! `hazflow cascade LAYOUT.toml --initiator ID`: conditional domino analysis of a fixed layout given a
//! fire at one unit. The layout lists `[[unit]]` tables with positions and fire data, or gives the
//! received fluxes directly as `[[exposure]]` tables (from an external consequence tool).

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use serde_json::{Value, json};

use crate::des::StreamSeeder;
use crate::field_path;
use crate::risk::cascade::{CascadeDistribution, CascadeModel, CascadeUnit};
use crate::risk::escalation::VesselClass;
use crate::risk::fire::{Atmosphere, PoolFire};
use crate::risk::intervention::{Barrier, Brigade, Protection};
use crate::scenario::{Diagnostic, LoadedFile, RiskData, ScenarioError, load_file};

/// A layout file.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Layout {
    /// Probability 0 below the escalation thresholds (default true).
    #[serde(default = "yes")]
    pub escalation_thresholds: bool,
    /// Relative humidity for the transmissivity, 0-1.
    #[serde(default = "humidity")]
    pub relative_humidity: f64,
    /// Air temperature, C.
    #[serde(default = "twenty")]
    pub ambient_c: f64,
    /// Units.
    pub unit: Vec<LayoutUnit>,
    /// Received fluxes given directly (override computed ones for the same pair).
    #[serde(default)]
    pub exposure: Vec<LayoutExposure>,
    /// The fire brigade's crews, for `--response-min`.
    #[serde(default)]
    pub response: Option<LayoutResponse>,
}

/// `[response]`: how the crews cool a target once they are on scene.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LayoutResponse {
    /// Probability that crews on scene in time fail to cool a target.
    pub team_pfd: f64,
    /// Median minutes from arrival to water on the target.
    pub setup_median_min: f64,
    /// Log standard deviation of the set-up time.
    pub setup_sigma_ln: f64,
}

/// A unit's deluge or fireproofing.
#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LayoutBarrier {
    /// Probability of failure on demand.
    pub pfd: f64,
    /// Deluge: share of the flux removed; fireproofing: probability the coating is intact.
    pub effectiveness: f64,
    /// Fireproofing: minutes of insulation.
    pub protection_min: Option<f64>,
}

fn yes() -> bool {
    true
}
fn humidity() -> f64 {
    0.7
}
fn twenty() -> f64 {
    20.0
}

/// `[[unit]]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LayoutUnit {
    /// Identifier.
    pub id: String,
    /// Equipment class.
    pub vessel: VesselClass,
    /// Volume, m3.
    pub volume_m3: f64,
    /// Position east, m.
    pub x_m: Option<f64>,
    /// Position north, m.
    pub y_m: Option<f64>,
    /// Diameter of the fire when this unit burns, m (default: a tank as high as it is wide).
    pub fire_diameter_m: Option<f64>,
    /// Substance in the risk data, for the fire's burning rate, heat of combustion and radiative fraction.
    pub substance: Option<String>,
    /// Burning rate, kg/(m2 s) (instead of `substance`).
    pub burning_rate_kg_m2_s: Option<f64>,
    /// Heat of combustion, MJ/kg (instead of `substance`).
    pub heat_of_combustion_mj_per_kg: Option<f64>,
    /// Radiative fraction (instead of `substance`).
    pub radiative_fraction: Option<f64>,
    /// Water deluge on the unit.
    pub deluge: Option<LayoutBarrier>,
    /// Fireproofing of the unit.
    pub fireproofing: Option<LayoutBarrier>,
}

/// `[[exposure]]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LayoutExposure {
    /// Burning unit.
    pub from: String,
    /// Receiving unit.
    pub to: String,
    /// Radiation received, kW/m2.
    pub flux_kw_m2: f64,
}

/// Options of `hazflow cascade`.
#[derive(Clone, Debug)]
pub struct CascadeOptions {
    /// Unit on fire at the start.
    pub initiator: String,
    /// Monte-Carlo trials.
    pub trials: u64,
    /// Seed.
    pub seed: u64,
    /// Enumerate every path instead of sampling.
    pub exact: bool,
    /// Minutes after the first fire at which cooling crews are on scene (`None`: the probit's generic
    /// response).
    pub response_min: Option<f64>,
}

fn error(
    layout: &LoadedFile<Layout>,
    path: crate::scenario::FieldPath,
    message: String,
) -> Diagnostic {
    layout.diagnostic(&path, message)
}

/// The fire a unit makes when it burns, if it has fire data.
fn fire_of(
    layout: &LoadedFile<Layout>,
    index: usize,
    data: &RiskData,
    problems: &mut Vec<Diagnostic>,
) -> Option<PoolFire> {
    let u = &layout.value.unit[index];
    let from_substance = u.substance.as_ref().and_then(|id| {
        let s = data.substance.iter().find(|s| &s.id == id);
        if s.is_none() {
            problems.push(error(
                layout,
                field_path!["unit", index, "substance"],
                format!("no substance \"{id}\" in the risk data"),
            ));
        }
        s
    });
    let pick = |own: Option<f64>, from: Option<f64>| own.or(from);
    let burning = pick(
        u.burning_rate_kg_m2_s,
        from_substance.and_then(|s| s.burning_rate_kg_m2_s.as_ref().map(|x| x.value)),
    );
    let hc = pick(
        u.heat_of_combustion_mj_per_kg,
        from_substance.and_then(|s| s.heat_of_combustion_mj_per_kg.as_ref().map(|x| x.value)),
    );
    let chi = pick(
        u.radiative_fraction,
        from_substance.and_then(|s| s.radiative_fraction.as_ref().map(|x| x.value)),
    );
    let (burning, hc, chi) = (burning?, hc?, chi?);
    let diameter = u
        .fire_diameter_m
        .unwrap_or_else(|| (4.0 * u.volume_m3 / std::f64::consts::PI).cbrt());
    Some(PoolFire {
        diameter_m: diameter,
        burning_rate_kg_m2_s: burning,
        hc_mj_per_kg: hc,
        radiative_fraction: chi,
    })
}

/// Checks the units (unique ids, volumes, positions) and the humidity; returns each unit's index by id.
fn check_units(
    layout: &LoadedFile<Layout>,
    problems: &mut Vec<Diagnostic>,
) -> BTreeMap<String, usize> {
    let l = &layout.value;
    let mut index = BTreeMap::new();
    for (i, u) in l.unit.iter().enumerate() {
        if index.insert(u.id.clone(), i).is_some() {
            problems.push(error(
                layout,
                field_path!["unit", i, "id"],
                format!("duplicate unit id \"{}\"", u.id),
            ));
        }
        if !(u.volume_m3.is_finite() && u.volume_m3 > 0.0) {
            problems.push(error(
                layout,
                field_path!["unit", i, "volume_m3"],
                format!("expected a volume > 0, got {}", u.volume_m3),
            ));
        }
        if u.x_m.is_some() != u.y_m.is_some() {
            problems.push(error(
                layout,
                field_path!["unit", i],
                "give both x_m and y_m, or neither".into(),
            ));
        }
    }
    if !(0.0..=1.0).contains(&l.relative_humidity) {
        problems.push(error(
            layout,
            field_path!["relative_humidity"],
            format!("expected a fraction in 0..=1, got {}", l.relative_humidity),
        ));
    }
    index
}

/// The flux each unit receives when another burns, kW/m2 (`[i * n + j]`: unit `j` from unit `i`):
/// computed from the positions and fires, then overridden by the `[[exposure]]` tables.
fn received_fluxes(
    layout: &LoadedFile<Layout>,
    data: &RiskData,
    index: &BTreeMap<String, usize>,
    problems: &mut Vec<Diagnostic>,
) -> Vec<f64> {
    let l = &layout.value;
    let n = l.unit.len();
    let air = Atmosphere {
        relative_humidity: l.relative_humidity,
        ambient_c: l.ambient_c,
    };
    let fires: Vec<Option<PoolFire>> = (0..n).map(|i| fire_of(layout, i, data, problems)).collect();
    let mut flux = vec![0.0; n * n];
    for i in 0..n {
        let (Some(fire), Some(xi), Some(yi)) = (fires[i], l.unit[i].x_m, l.unit[i].y_m) else {
            continue;
        };
        for j in 0..n {
            if let (true, Some(xj), Some(yj)) = (i != j, l.unit[j].x_m, l.unit[j].y_m) {
                flux[i * n + j] = fire.flux_kw_m2((xi - xj).hypot(yi - yj), &air);
            }
        }
    }
    for (k, e) in l.exposure.iter().enumerate() {
        match (index.get(&e.from), index.get(&e.to)) {
            (Some(&i), Some(&j)) if i != j && e.flux_kw_m2.is_finite() && e.flux_kw_m2 >= 0.0 => {
                flux[i * n + j] = e.flux_kw_m2
            }
            (Some(_), Some(_)) => problems.push(error(
                layout,
                field_path!["exposure", k],
                "expected two different units and a flux >= 0".into(),
            )),
            (None, _) => problems.push(error(
                layout,
                field_path!["exposure", k, "from"],
                format!("no unit \"{}\"", e.from),
            )),
            (_, None) => problems.push(error(
                layout,
                field_path!["exposure", k, "to"],
                format!("no unit \"{}\"", e.to),
            )),
        }
    }
    flux
}

/// A unit's barriers.
fn protection(u: &LayoutUnit) -> Protection {
    Protection {
        deluge: u.deluge.map(|b| Barrier::deluge(b.pfd, b.effectiveness)),
        fireproofing: u.fireproofing.map(|b| {
            Barrier::fireproofing(b.pfd, b.effectiveness, b.protection_min.unwrap_or(0.0))
        }),
    }
}

/// The brigade of `--response-min`, with the layout's `[response]`; checks the barriers' numbers.
fn brigade(
    layout: &LoadedFile<Layout>,
    path: &Path,
    response_min: Option<f64>,
    problems: &mut Vec<Diagnostic>,
) -> Option<Brigade> {
    let l = &layout.value;
    let probability = |x: f64| (0.0..=1.0).contains(&x);
    for (i, u) in l.unit.iter().enumerate() {
        for (key, b) in [("deluge", u.deluge), ("fireproofing", u.fireproofing)] {
            let Some(b) = b else { continue };
            if !probability(b.pfd) || !probability(b.effectiveness) {
                problems.push(error(
                    layout,
                    field_path!["unit", i, key],
                    "expected pfd and effectiveness in 0..=1".into(),
                ));
            }
            let rated = b.protection_min.is_some_and(|m| m.is_finite() && m > 0.0);
            if (key == "fireproofing") != rated {
                problems.push(error(
                    layout,
                    field_path!["unit", i, key, "protection_min"],
                    "fireproofing needs protection_min > 0 (minutes); a deluge has none".into(),
                ));
            }
        }
    }
    let minutes = response_min?;
    if !(minutes.is_finite() && minutes >= 0.0) {
        problems.push(Diagnostic::file_level(
            path,
            "--response-min",
            format!("expected minutes >= 0, got {minutes}"),
        ));
        return None;
    }
    let Some(r) = &l.response else {
        problems.push(Diagnostic::file_level(
            path,
            "--response-min",
            "the layout needs a [response] table (team_pfd, setup_median_min, setup_sigma_ln)",
        ));
        return None;
    };
    let valid = probability(r.team_pfd) && r.setup_median_min > 0.0 && r.setup_sigma_ln >= 0.0;
    if !valid {
        problems.push(error(
            layout,
            field_path!["response"],
            "expected team_pfd in 0..=1, setup_median_min > 0 and setup_sigma_ln >= 0".into(),
        ));
    }
    Some(Brigade {
        arrival_s: minutes * 60.0,
        team_pfd: r.team_pfd,
        setup_median_s: r.setup_median_min * 60.0,
        setup_sigma_ln: r.setup_sigma_ln,
    })
}

/// Runs the analysis; the JSON object to print.
pub fn analyse(
    path: &Path,
    options: &CascadeOptions,
    data: &RiskData,
) -> Result<Value, ScenarioError> {
    let layout: LoadedFile<Layout> = load_file(path)?;
    let l = &layout.value;
    let n = l.unit.len();
    let mut problems = Vec::new();
    let index = check_units(&layout, &mut problems);
    let flux = received_fluxes(&layout, data, &index, &mut problems);
    let Some(&initiator) = index.get(&options.initiator) else {
        problems.push(Diagnostic::file_level(
            path,
            "--initiator",
            format!(
                "no unit \"{}\" (units: {})",
                options.initiator,
                l.unit
                    .iter()
                    .map(|u| u.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
        return Err(ScenarioError {
            diagnostics: problems,
        });
    };
    if !problems.is_empty() {
        return Err(ScenarioError {
            diagnostics: problems,
        });
    }
    let brigade = brigade(&layout, path, options.response_min, &mut problems);
    if !problems.is_empty() {
        return Err(ScenarioError {
            diagnostics: problems,
        });
    }
    let model = CascadeModel {
        units: l
            .unit
            .iter()
            .map(|u| CascadeUnit {
                vessel: u.vessel,
                volume_m3: u.volume_m3,
                protection: protection(u),
            })
            .collect(),
        flux_kw_m2: flux.clone(),
        blast_kpa: vec![0.0; n * n],
        escalation: &data.escalation,
        thresholds: l.escalation_thresholds,
        max_levels: usize::MAX,
        brigade,
    };
    let distribution: CascadeDistribution = if options.exact {
        model
            .exact(&[initiator], 20_000_000)
            .map_err(|m| ScenarioError::single(Diagnostic::file_level(path, "--exact", m)))?
    } else {
        let mut rng = StreamSeeder::new(options.seed).stream(0, "cascade");
        model.monte_carlo(&[initiator], options.trials, &mut rng)
    };
    let mut first_level = Vec::new();
    let mut failed = vec![false; n];
    failed[initiator] = true;
    model.level_probabilities(&failed, &failed.clone(), &mut first_level);
    let mut sets: Vec<(Vec<String>, f64)> = distribution
        .final_sets
        .iter()
        .map(|(set, &p)| {
            let mut ids: Vec<String> = set.iter().map(|&i| l.unit[i].id.clone()).collect();
            ids.sort();
            (ids, p)
        })
        .collect();
    sets.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let trials = (!options.exact).then_some(options.trials);
    let se = |p: f64| trials.map(|t| (p * (1.0 - p) / t as f64).sqrt());
    Ok(json!({
        "initiator": options.initiator,
        "method": if options.exact { "exact" } else { "monte_carlo" },
        "trials": trials,
        "seed": trials.map(|_| options.seed),
        "escalation_thresholds": l.escalation_thresholds,
        "response_min": options.response_min,
        "final_sets": sets.iter().map(|(ids, p)| json!({"units": ids, "probability": p, "standard_error": se(*p)})).collect::<Vec<_>>(),
        "depth": distribution.depth,
        "expected_units_involved": distribution.expected_units_involved,
        "first_level": l.unit.iter().enumerate().filter(|&(j, _)| j != initiator).map(|(j, u)| {
            (u.id.clone(), json!({"flux_kw_m2": flux[initiator * n + j], "escalation_probability": first_level[j]}))
        }).collect::<serde_json::Map<String, Value>>(),
    }))
}
