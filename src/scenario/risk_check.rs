//! Loading and checking risk data files, and checking a scenario's `[risk]` table against them.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::check::Check;
use super::error::{Diagnostic, ScenarioError};
use super::load::{Document, SourceProvider};
use super::risk_data::*;
use super::types::{CommodityKind, Scenario};
use super::{FieldPath, SourceFiles, serde_path};
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
        for id in &ids {
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
    out.extend(c.finish());
    if out.is_empty() {
        Ok(Some(loaded))
    } else {
        Err(ScenarioError { diagnostics: out })
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
    let problems = check_data(&loaded);
    if problems.is_empty() {
        Ok(loaded)
    } else {
        Err(ScenarioError {
            diagnostics: problems,
        })
    }
}

/// Known `[[loc]]` ids and the fields each must have.
const LOC_FIELDS: &[(&str, &[&str])] = &[
    (
        "atmospheric_tank",
        &[
            "instantaneous_per_year",
            "ten_minutes_per_year",
            "hole_per_year",
        ],
    ),
    (
        "pressurised_tank",
        &[
            "instantaneous_per_year",
            "ten_minutes_per_year",
            "hole_per_year",
        ],
    ),
    (
        "parked_atmospheric_tanker",
        &[
            "instantaneous_per_year",
            "ten_minutes_per_year",
            "hole_per_year",
        ],
    ),
    (
        "parked_pressurised_tanker",
        &[
            "instantaneous_per_year",
            "ten_minutes_per_year",
            "hole_per_year",
        ],
    ),
    ("loading_hose", &["rupture_per_hour", "leak_per_hour"]),
    ("loading_arm", &["rupture_per_hour", "leak_per_hour"]),
    (
        "ship_at_berth",
        &[
            "collision_per_hour_per_passing_ship",
            "release_given_collision",
        ],
    ),
];

/// Road types that need a release rate.
const ROAD_TYPES: &[&str] = &["expressway", "trunk", "rural", "urban"];

fn probability(c: &mut Check, path: FieldPath, v: f64) {
    if !(0.0..=1.0).contains(&v) {
        c.error(path, format!("expected a probability in 0..=1, got {v}"));
    }
}

fn check_data(loaded: &LoadedRiskData) -> Vec<Diagnostic> {
    let d = &loaded.data;
    let mut c = Check::new(&loaded.document);
    let p = &d.people;
    for (name, v) in [
        ("lethal_flux_kw_m2", p.lethal_flux_kw_m2.value),
        ("fire_exposure_s", p.fire_exposure_s.value),
        ("lethal_overpressure_kpa", p.lethal_overpressure_kpa.value),
        ("toxic_exposure_cap_min", p.toxic_exposure_cap_min.value),
    ] {
        c.positive(field_path!["people", name], v);
    }
    probability(
        &mut c,
        field_path!["people", "societal_clothing_factor"],
        p.societal_clothing_factor.value,
    );
    probability(
        &mut c,
        field_path!["people", "indoor_blast_lethality"],
        p.indoor_blast_lethality.value,
    );
    c.positive(
        field_path!["people", "indoor_air_changes_per_h"],
        p.indoor_air_changes_per_h.value,
    );
    let mut probits = BTreeSet::new();
    for (i, t) in d.toxic_probit.iter().enumerate() {
        if !probits.insert(t.id.as_str()) {
            c.error(
                field_path!["toxic_probit", i, "id"],
                format!("duplicate id \"{}\"", t.id),
            );
        }
        c.positive(field_path!["toxic_probit", i, "b"], t.b);
        c.positive(field_path!["toxic_probit", i, "n"], t.n);
    }
    for (i, s) in d.substance.iter().enumerate() {
        use SubstanceState::*;
        let need = |c: &mut Check, name: &str, v: &Option<super::Sourced<f64>>| match v {
            None => c.error(
                field_path!["substance", i],
                format!("substance \"{}\" needs `{name}`", s.id),
            ),
            Some(x) => c.positive(field_path!["substance", i, name], x.value),
        };
        if let Some(id) = &s.toxic_probit {
            if !probits.contains(id.as_str()) {
                c.error(
                    field_path!["substance", i, "toxic_probit"],
                    format!("no [[toxic_probit]] \"{id}\""),
                );
            }
            need(&mut c, "molar_mass_g_mol", &s.molar_mass_g_mol);
            if s.state == Liquid {
                need(&mut c, "vapour_pressure_pa", &s.vapour_pressure_pa);
            }
        }
        let flammable = s.ignition != IgnitionCategory::None;
        if flammable {
            need(
                &mut c,
                "heat_of_combustion_mj_per_kg",
                &s.heat_of_combustion_mj_per_kg,
            );
            need(&mut c, "radiative_fraction", &s.radiative_fraction);
        }
        match s.state {
            Liquid => need(&mut c, "liquid_density_kg_m3", &s.liquid_density_kg_m3),
            LiquefiedPressurised => {
                need(&mut c, "liquid_density_kg_m3", &s.liquid_density_kg_m3);
                need(&mut c, "storage_pressure_bar", &s.storage_pressure_bar);
                need(&mut c, "molar_mass_g_mol", &s.molar_mass_g_mol);
                need(&mut c, "boiling_point_k", &s.boiling_point_k);
                need(&mut c, "liquid_cp_kj_kg_k", &s.liquid_cp_kj_kg_k);
                need(
                    &mut c,
                    "heat_of_vaporisation_kj_kg",
                    &s.heat_of_vaporisation_kj_kg,
                );
            }
            CompressedGas => {
                need(&mut c, "storage_pressure_bar", &s.storage_pressure_bar);
                need(&mut c, "molar_mass_g_mol", &s.molar_mass_g_mol);
                need(&mut c, "gamma", &s.gamma);
                if let Some(g) = &s.gamma
                    && g.value <= 1.0
                {
                    c.error(
                        field_path!["substance", i, "gamma"],
                        format!("expected a ratio of specific heats > 1, got {}", g.value),
                    );
                }
            }
            Inert => {}
        }
        if flammable && s.state == Liquid {
            need(&mut c, "burning_rate_kg_m2_s", &s.burning_rate_kg_m2_s);
            need(&mut c, "flame_flux_kw_m2", &s.flame_flux_kw_m2);
        }
        if let Some(f) = &s.fireball_radiative_fraction {
            probability(
                &mut c,
                field_path!["substance", i, "fireball_radiative_fraction"],
                f.value,
            );
        }
        if flammable && matches!(s.state, LiquefiedPressurised | CompressedGas) {
            need(
                &mut c,
                "lower_flammability_kg_m3",
                &s.lower_flammability_kg_m3,
            );
        }
        if s.state == LiquefiedPressurised && flammable {
            need(&mut c, "burning_rate_kg_m2_s", &s.burning_rate_kg_m2_s);
        }
    }
    let g = &d.ignition;
    for (name, band) in [
        ("gas_low", g.gas_low),
        ("gas_average", g.gas_average),
        ("gas_high", g.gas_high),
    ] {
        for (k, v) in band.iter().enumerate() {
            probability(&mut c, field_path!["ignition", name, k], *v);
        }
    }
    for (name, v) in [
        ("k1", g.k1),
        ("k2", g.k2),
        ("k3", g.k3),
        ("delayed_given_no_direct", g.delayed_given_no_direct.value),
        ("explosion_fraction", g.explosion_fraction.value),
        ("tnt_efficiency", g.tnt_efficiency.value),
        ("fireball_mass_fraction", g.fireball_mass_fraction.value),
    ] {
        probability(&mut c, field_path!["ignition", name], v);
    }
    c.positive(
        field_path!["ignition", "exploding_cloud_s"],
        g.exploding_cloud_s.value,
    );
    if !(g.aerosol_factor.value >= 1.0 && g.aerosol_factor.value.is_finite()) {
        c.error(
            field_path!["ignition", "aerosol_factor"],
            format!(
                "expected a factor >= 1 on the flash fraction (1: no aerosol), got {}",
                g.aerosol_factor.value
            ),
        );
    }
    let r = &d.release;
    for (name, v) in [
        ("ten_minute_s", r.ten_minute_s.value),
        ("max_duration_s", r.max_duration_s.value),
        ("transfer_isolation_s", r.transfer_isolation_s.value),
        ("hole_mm", r.hole_mm.value),
        ("discharge_coefficient", r.discharge_coefficient.value),
        ("liquid_head_m", r.liquid_head_m.value),
        ("vehicle_liquid_head_m", r.vehicle_liquid_head_m.value),
        ("min_pool_depth_m", r.min_pool_depth_m.value),
        ("bund_area_factor", r.bund_area_factor.value),
    ] {
        c.positive(field_path!["release", name], v);
    }
    c.positive(
        field_path!["release", "ground", "conductivity_w_m_k"],
        r.ground.conductivity_w_m_k,
    );
    c.positive(
        field_path!["release", "ground", "diffusivity_m2_s"],
        r.ground.diffusivity_m2_s,
    );
    check_containers(&mut c, d);
    for (name, v) in [
        ("road", r.max_pool_area_m2.road),
        ("rail", r.max_pool_area_m2.rail),
        ("water", r.max_pool_area_m2.water),
    ] {
        c.positive(field_path!["release", "max_pool_area_m2", name], v);
    }
    for (id, fields) in LOC_FIELDS {
        match d.loc.iter().position(|l| l.id == *id) {
            None => c.error(
                field_path!["loc"],
                format!("missing [[loc]] entry \"{id}\""),
            ),
            Some(i) => {
                let l = &d.loc[i];
                for f in *fields {
                    let v = match *f {
                        "instantaneous_per_year" => l.instantaneous_per_year,
                        "ten_minutes_per_year" => l.ten_minutes_per_year,
                        "hole_per_year" => l.hole_per_year,
                        "rupture_per_hour" => l.rupture_per_hour,
                        "leak_per_hour" => l.leak_per_hour,
                        "collision_per_hour_per_passing_ship" => {
                            l.collision_per_hour_per_passing_ship
                        }
                        _ => l.release_given_collision.as_ref().map(|x| x.value),
                    };
                    match v {
                        None => c.error(
                            field_path!["loc", i],
                            format!("[[loc]] \"{id}\" needs `{f}`"),
                        ),
                        Some(v) => c.non_negative(field_path!["loc", i, *f], v),
                    }
                }
            }
        }
    }
    for (i, l) in d.loc.iter().enumerate() {
        if matches!(l.id.as_str(), "loading_hose" | "loading_arm") {
            match &l.bore_mm {
                None => c.error(
                    field_path!["loc", i],
                    format!("[[loc]] \"{}\" needs `bore_mm`", l.id),
                ),
                Some(b) => c.positive(field_path!["loc", i, "bore_mm"], b.value),
            }
        }
        if !LOC_FIELDS.iter().any(|(id, _)| *id == l.id) {
            c.error(
                field_path!["loc", i, "id"],
                format!(
                    "unknown equipment \"{}\" (expected one of {})",
                    l.id,
                    LOC_FIELDS
                        .iter()
                        .map(|(id, _)| *id)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
        }
    }
    for road in ROAD_TYPES {
        match d.transport.road.get(*road) {
            None => c.error(
                field_path!["transport", "road"],
                format!("missing [transport.road.{road}]"),
            ),
            Some(rate) => {
                c.non_negative(
                    field_path!["transport", "road", *road, "accidents_per_million_veh_km"],
                    rate.accidents_per_million_veh_km,
                );
                probability(
                    &mut c,
                    field_path!["transport", "road", *road, "release_given_accident"],
                    rate.release_given_accident,
                );
            }
        }
    }
    c.non_negative(
        field_path!["transport", "rail", "release_per_wagon_km"],
        d.transport.rail.release_per_wagon_km,
    );
    c.non_negative(
        field_path!["transport", "water", "release_per_vessel_km"],
        d.transport.water.release_per_vessel_km,
    );
    if d.transport.lock.treat_as != "ship_at_berth" {
        c.error(
            field_path!["transport", "lock", "treat_as"],
            "expected \"ship_at_berth\" (the only lock convention so far)",
        );
    }
    if d.escalation.ttf_probit.unit_s <= 0.0 {
        c.error(
            field_path!["escalation", "ttf_probit", "unit_s"],
            "expected a time unit > 0 s",
        );
    }
    for (i, k) in d.criteria.iter().enumerate() {
        c.positive(
            field_path!["criteria", i, "individual_risk_per_year"],
            k.individual_risk_per_year,
        );
        let lines = [
            ("establishment", Some(k.establishment)),
            ("establishment_acceptable", k.establishment_acceptable),
            ("route_per_km", k.route_per_km),
        ];
        for (name, line) in lines {
            let Some(line) = line else { continue };
            c.positive(field_path!["criteria", i, name, "c"], line.c);
            c.positive(field_path!["criteria", i, name, "alpha"], line.alpha);
            if let Some(n_max) = line.n_max
                && n_max.partial_cmp(&line.n_min) != Some(std::cmp::Ordering::Greater)
            {
                c.error(
                    field_path!["criteria", i, name, "n_max"],
                    format!("expected n_max above n_min ({}), got {n_max}", line.n_min),
                );
            }
        }
        for (j, l) in k.protected.iter().enumerate() {
            c.positive(
                field_path!["criteria", i, "protected", j, "new_per_year"],
                l.new_per_year,
            );
            c.positive(
                field_path!["criteria", i, "protected", j, "existing_per_year"],
                l.existing_per_year,
            );
        }
    }
    // Every value has a source: each entry table carries `source` (checked non-empty here).
    for (path, source) in d
        .toxic_probit
        .iter()
        .enumerate()
        .map(|(i, t)| (field_path!["toxic_probit", i, "source"], &t.source))
        .chain(
            d.substance
                .iter()
                .enumerate()
                .map(|(i, t)| (field_path!["substance", i, "source"], &t.source)),
        )
        .chain(
            d.loc
                .iter()
                .enumerate()
                .map(|(i, t)| (field_path!["loc", i, "source"], &t.source)),
        )
        .chain(
            d.criteria
                .iter()
                .enumerate()
                .map(|(i, t)| (field_path!["criteria", i, "source"], &t.source)),
        )
        .chain(
            d.container
                .iter()
                .enumerate()
                .map(|(i, t)| (field_path!["container", i, "source"], &t.source)),
        )
    {
        if source.trim().is_empty() {
            c.error(
                path,
                "expected a source (a paper, a standard or [A] with the reason)",
            );
        }
    }
    if d.escalation
        .source
        .as_deref()
        .is_none_or(|s| s.trim().is_empty())
    {
        c.error(field_path!["escalation"], "expected `source`");
    }
    c.finish()
}

/// Containers every transport mode needs, and what their release sizes must satisfy.
pub const CONTAINERS: &[&str] = &[
    "road_tanker_pressurised",
    "road_tanker_atmospheric",
    "tube_trailer",
    "rail_tank_car_pressurised",
    "rail_tank_car_atmospheric",
    "tank_barge",
];

fn check_containers(c: &mut Check, d: &RiskData) {
    for id in CONTAINERS {
        if !d.container.iter().any(|k| k.id == *id) {
            c.error(
                field_path!["container"],
                format!("missing [[container]] \"{id}\""),
            );
        }
    }
    for (i, k) in d.container.iter().enumerate() {
        if !CONTAINERS.contains(&k.id.as_str()) {
            c.error(
                field_path!["container", i, "id"],
                format!(
                    "unknown container \"{}\" (expected one of {})",
                    k.id,
                    CONTAINERS.join(", ")
                ),
            );
        }
        if k.scenarios.is_empty() {
            c.error(
                field_path!["container", i, "scenarios"],
                "expected at least one release size",
            );
        }
        let mut total = 0.0;
        for (j, s) in k.scenarios.iter().enumerate() {
            probability(
                c,
                field_path!["container", i, "scenarios", j, "share"],
                s.share,
            );
            total += s.share;
            let leak = s.kind != super::risk_data::ContainerRelease::Rupture;
            match (leak, s.hole_mm) {
                (true, None) => c.error(
                    field_path!["container", i, "scenarios", j],
                    "a leak needs `hole_mm`",
                ),
                (true, Some(h)) => {
                    c.positive(field_path!["container", i, "scenarios", j, "hole_mm"], h)
                }
                _ => {}
            }
        }
        if !k.scenarios.is_empty() && (total - 1.0).abs() > 1e-3 {
            c.error(
                field_path!["container", i, "scenarios"],
                format!("shares sum to {total}, expected 1"),
            );
        }
        if let Some(r) = &k.released_share
            && !(r.value > 0.0 && r.value <= 1.0)
        {
            c.error(
                field_path!["container", i, "released_share"],
                format!("expected a share in (0, 1], got {}", r.value),
            );
        }
    }
}
