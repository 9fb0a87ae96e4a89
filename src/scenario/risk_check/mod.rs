//! Loading and checking risk data files, and checking a scenario's `[risk]` table against them.
//!
//! This module checks the scenario's side (its `[risk]` table and its references into the data);
//! `data` checks the data files themselves.

mod data;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::check::Check;
use super::error::{Diagnostic, ScenarioError};
use super::load::{Document, SourceProvider};
use super::risk::RiskRules;
use super::risk_data::*;
use super::types::{CommodityKind, Scenario};
use super::{SourceFiles, serde_path};
use crate::field_path;

/// Risk data read from its files, with the means to locate any field.
pub struct LoadedRiskData {
    /// The typed, layered data.
    pub data: RiskData,
    pub(crate) document: Document,
}

impl LoadedRiskData {
    /// The data files, first layer first.
    pub fn files(&self) -> &SourceFiles {
        &self.document.files
    }

    /// A located diagnostic in the data files.
    pub fn diagnostic(&self, path: &[super::Segment], message: impl Into<String>) -> Diagnostic {
        self.document.diagnostic(path, message)
    }
}

/// Checks the scenario's own `[risk]` table (references into the data are checked after loading).
pub(crate) fn validate_rules(s: &Scenario, c: &mut Check) {
    let Some(r) = &s.risk else { return };
    if r.data.is_empty() {
        c.error(
            field_path!["risk", "data"],
            "expected at least one risk data file, e.g. [\"risk/purple-book.toml\"]",
        );
    }
    let commodities: BTreeSet<&str> = s.commodity.iter().map(|x| x.id.as_str()).collect();
    for id in r.substances.keys() {
        if !commodities.contains(id.as_str()) {
            c.error(
                field_path!["risk", "substances", id.clone()],
                format!("no [[commodity]] has id \"{id}\""),
            );
        }
    }
    let rh = r.relative_humidity.value;
    if !(0.0..=1.0).contains(&rh) {
        c.error(
            field_path!["risk", "relative_humidity"],
            format!("expected a fraction in 0..=1 (70 % is 0.7), got {rh}"),
        );
    }
    if !(-50.0..=60.0).contains(&r.ambient_c.value) {
        c.error(
            field_path!["risk", "ambient_c"],
            "expected an air temperature in -50..=60 C",
        );
    }
    c.non_negative(
        field_path!["risk", "release_height_m"],
        r.release_height_m.value,
    );
    check_weather(c, r);
    check_wind_rose(c, r);
    check_site_and_sampling(c, r);
}

/// Checks the weather classes: unique ids, winds, and day and night shares that each sum to 1.
fn check_weather(c: &mut Check, r: &RiskRules) {
    if r.weather.is_empty() {
        c.error(
            field_path!["risk", "weather"],
            "expected at least one weather class",
        );
    }
    let mut ids = BTreeSet::new();
    for (i, w) in r.weather.iter().enumerate() {
        if !ids.insert(w.id.as_str()) {
            c.error(
                field_path!["risk", "weather", i, "id"],
                format!("duplicate weather id \"{}\"", w.id),
            );
        }
        c.positive(
            field_path!["risk", "weather", i, "wind_m_s"],
            w.wind_m_s.value,
        );
        c.non_negative(
            field_path!["risk", "weather", i, "day_share"],
            w.day_share.value,
        );
        c.non_negative(
            field_path!["risk", "weather", i, "night_share"],
            w.night_share.value,
        );
    }
    for (name, total) in [
        (
            "day_share",
            r.weather.iter().map(|w| w.day_share.value).sum::<f64>(),
        ),
        (
            "night_share",
            r.weather.iter().map(|w| w.night_share.value).sum::<f64>(),
        ),
    ] {
        if !r.weather.is_empty() && (total - 1.0).abs() > 1e-6 {
            c.error(
                field_path!["risk", "weather"],
                format!("the weather classes' {name} values sum to {total}, expected 1"),
            );
        }
    }
}

/// Checks the wind rose: twelve non-negative sector shares summing to 1.
fn check_wind_rose(c: &mut Check, r: &RiskRules) {
    let rose = &r.wind_rose.from_sector_shares;
    if rose.len() != 12 {
        c.error(
            field_path!["risk", "wind_rose", "from_sector_shares"],
            format!(
                "expected 12 sector shares (N, 30, ... 330 degrees), got {}",
                rose.len()
            ),
        );
    } else if rose.iter().any(|x| !(x.is_finite() && *x >= 0.0))
        || (rose.iter().sum::<f64>() - 1.0).abs() > 1e-6
    {
        c.error(
            field_path!["risk", "wind_rose", "from_sector_shares"],
            format!(
                "expected non-negative shares summing to 1, got sum {}",
                rose.iter().sum::<f64>()
            ),
        );
    }
}

/// Checks the layout spacings, the surroundings, the explosion and closure settings, and the
/// sampling, domino and grid settings.
fn check_site_and_sampling(c: &mut Check, r: &RiskRules) {
    let l = &r.layout;
    for (name, v) in [
        ("tank_spacing_m", l.tank_spacing_m.value),
        ("tank_group_spacing_m", l.tank_group_spacing_m.value),
        ("tanker_spacing_m", l.tanker_spacing_m.value),
        ("wagon_spacing_m", l.wagon_spacing_m.value),
        ("vessel_spacing_m", l.vessel_spacing_m.value),
        ("handling_to_tanks_m", l.handling_to_tanks_m.value),
    ] {
        c.positive(field_path!["risk", "layout", name], v);
    }
    if let Some(s) = &l.segregation_m {
        c.non_negative(field_path!["risk", "layout", "segregation_m"], s.value);
    }
    if let Some(u) = &r.urban_density_per_km2 {
        c.non_negative(field_path!["risk", "urban_density_per_km2"], u.value);
    }
    for (name, p) in [
        ("transport", &r.explosion.transport),
        ("site", &r.explosion.site),
    ] {
        if let Some(v) = p.congested_volume_m3 {
            c.positive(
                field_path!["risk", "explosion", name, "congested_volume_m3"],
                v,
            );
        }
    }
    for (name, d) in [
        ("road_h", &r.closures.road_h),
        ("rail_h", &r.closures.rail_h),
        ("water_h", &r.closures.water_h),
        ("facility_h", &r.closures.facility_h),
    ] {
        c.dist(field_path!["risk", "closures", name], d, true);
    }
    let e = r.sampling.events_per_source_year;
    if !(e.is_finite() && e > 0.0) {
        c.error(
            field_path!["risk", "sampling", "events_per_source_year"],
            format!("expected a number > 0, got {e}"),
        );
    }
    c.positive(field_path!["risk", "domino", "radius_m"], r.domino.radius_m);
    c.positive(field_path!["risk", "grid", "cell_m"], r.grid.cell_m);
    c.non_negative(field_path!["risk", "grid", "margin_km"], r.grid.margin_km);
}

/// Loads the data files named in `[risk] data` (relative to the file that names them) and checks them
/// and the scenario's references into them.
pub(crate) fn load_risk_data(
    s: &Scenario,
    scenario_doc: &Document,
    provider: &dyn SourceProvider,
) -> Result<Option<LoadedRiskData>, ScenarioError> {
    let Some(r) = &s.risk else { return Ok(None) };
    let paths: Vec<PathBuf> = (0..r.data.len())
        .map(|i| {
            let named_in = scenario_doc.file_of(&field_path!["risk", "data", i]);
            named_in.parent().unwrap_or(Path::new("")).join(&r.data[i])
        })
        .collect();
    // A data file that cannot be read at all is reported at the `[risk] data` entry that names it.
    let loaded = load_layers(&paths, provider).map_err(|mut e| {
        for d in &mut e.diagnostics {
            if d.line.is_none()
                && let Some(i) = paths.iter().position(|p| *p == d.file)
            {
                let message = format!("the risk data file {}: {}", d.file.display(), d.message);
                *d = scenario_doc.diagnostic(&field_path!["risk", "data", i], message);
            }
        }
        e
    })?;
    let mut out = Vec::new();
    // References from the scenario into the data.
    let mut c = Check::new(scenario_doc);
    check_substance_map(&mut c, s, r, &loaded);
    let ids = check_criteria_refs(&mut c, r, &loaded);
    check_protected(&mut c, r, &loaded, &ids);
    out.extend(c.finish());
    if out.is_empty() {
        Ok(Some(loaded))
    } else {
        Err(ScenarioError { diagnostics: out })
    }
}

/// Checks that every commodity the `[risk]` table maps names a known substance, and that every
/// hazardous commodity is mapped.
fn check_substance_map(c: &mut Check, s: &Scenario, r: &RiskRules, loaded: &LoadedRiskData) {
    let substances: BTreeSet<&str> = loaded
        .data
        .substance
        .iter()
        .map(|x| x.id.as_str())
        .collect();
    for (commodity, substance) in &r.substances {
        if !substances.contains(substance.as_str()) {
            c.error(
                field_path!["risk", "substances", commodity.clone()],
                format!(
                    "no [[substance]] \"{substance}\" in the risk data (known: {})",
                    substances.iter().copied().collect::<Vec<_>>().join(", ")
                ),
            );
        }
    }
    for x in &s.commodity {
        if x.kind != CommodityKind::NonHazardous && !r.substances.contains_key(&x.id) {
            c.error(
                field_path!["risk", "substances"],
                format!(
                    "hazardous commodity \"{}\" has no substance; map it (use \"inert\" for goods without off-site lethal effects)",
                    x.id
                ),
            );
        }
    }
}

/// Checks that the `[risk] criteria` sets exist in the data; returns their ids.
fn check_criteria_refs<'r>(
    c: &mut Check,
    r: &'r RiskRules,
    loaded: &LoadedRiskData,
) -> Vec<&'r str> {
    let known = || {
        loaded
            .data
            .criteria
            .iter()
            .map(|x| x.id.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let ids = r.criteria.ids();
    if ids.is_empty() {
        c.error(
            field_path!["risk", "criteria"],
            format!("expected at least one criteria set (known: {})", known()),
        );
    }
    for id in &ids {
        if !loaded.data.criteria.iter().any(|x| x.id == *id) {
            c.error(
                field_path!["risk", "criteria"],
                format!(
                    "no [[criteria]] \"{id}\" in the risk data (known: {})",
                    known()
                ),
            );
        }
    }
    ids
}

/// Checks the protected places: unique ids, positions, classes known to every criteria set in
/// `ids`, occupants and hours.
fn check_protected(c: &mut Check, r: &RiskRules, loaded: &LoadedRiskData, ids: &[&str]) {
    let mut seen = BTreeSet::new();
    for (i, p) in r.protected.iter().enumerate() {
        if !seen.insert(p.id.as_str()) {
            c.error(
                field_path!["risk", "protected", i, "id"],
                format!("duplicate id \"{}\"", p.id),
            );
        }
        if !((-180.0..=180.0).contains(&p.lon) && (-90.0..=90.0).contains(&p.lat)) {
            c.error(
                field_path!["risk", "protected", i, "lon"],
                format!(
                    "expected longitude and latitude in degrees, got ({}, {})",
                    p.lon, p.lat
                ),
            );
        }
        for id in ids {
            if let Some(set) = loaded.data.criteria.iter().find(|x| x.id == *id)
                && !set.protected.is_empty()
                && !set.protected.iter().any(|l| l.class == p.class)
            {
                c.error(
                    field_path!["risk", "protected", i, "class"],
                    format!(
                        "criteria \"{id}\" has no class \"{}\" (known: {})",
                        p.class,
                        set.protected
                            .iter()
                            .map(|l| l.class.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                );
            }
        }
        for (name, v) in [("people", &p.people), ("workers", &p.workers)] {
            if let Some(v) = v {
                c.non_negative(field_path!["risk", "protected", i, name], v.value);
            }
        }
        if let Some(h) = p.hours_per_year
            && !(h > 0.0 && h <= 8760.0)
        {
            c.error(
                field_path!["risk", "protected", i, "hours_per_year"],
                format!("expected hours in a year, 0 < h <= 8760, got {h}"),
            );
        }
    }
}

/// Loads risk data layers (first file first, later files override), parses and checks them.
pub fn load_layers(
    paths: &[PathBuf],
    provider: &dyn SourceProvider,
) -> Result<LoadedRiskData, ScenarioError> {
    let document = Document::load_layers(paths, provider)?;
    let data: RiskData = match serde_path_to_error::deserialize(document.to_value()) {
        Ok(d) => d,
        Err(e) => {
            let path = serde_path(e.path());
            let message = e.inner().message().trim().to_string();
            return Err(ScenarioError::single(document.diagnostic(&path, message)));
        }
    };
    let ranges = super::ranges::check_ranges(&document);
    if !ranges.is_empty() {
        return Err(ScenarioError {
            diagnostics: ranges,
        });
    }
    let loaded = LoadedRiskData { data, document };
    let problems = data::check_data(&loaded);
    if problems.is_empty() {
        Ok(loaded)
    } else {
        Err(ScenarioError {
            diagnostics: problems,
        })
    }
}
