//! Checks of the risk data files themselves: people, probits, substances, ignition, releases and
//! containers, loss-of-containment frequencies, transport rates, criteria, and sources.

use std::collections::BTreeSet;

use super::super::FieldPath;
use super::super::check::Check;
use super::super::error::Diagnostic;
use super::super::risk_data::*;
use super::LoadedRiskData;
use crate::field_path;

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
/// Checks the loaded data; returns every problem found.
pub(super) fn check_data(loaded: &LoadedRiskData) -> Vec<Diagnostic> {
    let d = &loaded.data;
    let mut c = Check::new(&loaded.document);
    let probits = check_people_and_probits(&mut c, d);
    check_substances(&mut c, d, &probits);
    check_ignition(&mut c, d);
    check_release(&mut c, d);
    check_loc(&mut c, d);
    check_transport(&mut c, d);
    check_criteria(&mut c, d);
    check_data_sources(&mut c, d);
    c.finish()
}

/// Checks the `[people]` vulnerability settings and the toxic probits; returns the probit ids.
fn check_people_and_probits<'d>(c: &mut Check, d: &'d RiskData) -> BTreeSet<&'d str> {
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
        c,
        field_path!["people", "societal_clothing_factor"],
        p.societal_clothing_factor.value,
    );
    probability(
        c,
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
    probits
}

/// Checks that every substance has the properties its state and hazards need, and that its toxic
/// probit is one of `probits`.
fn check_substances(c: &mut Check, d: &RiskData, probits: &BTreeSet<&str>) {
    for (i, s) in d.substance.iter().enumerate() {
        use SubstanceState::*;
        let need = |c: &mut Check, name: &str, v: &Option<super::super::Sourced<f64>>| match v {
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
            need(c, "molar_mass_g_mol", &s.molar_mass_g_mol);
            if s.state == Liquid {
                need(c, "vapour_pressure_pa", &s.vapour_pressure_pa);
            }
        }
        let flammable = s.ignition != IgnitionCategory::None;
        if flammable {
            need(
                c,
                "heat_of_combustion_mj_per_kg",
                &s.heat_of_combustion_mj_per_kg,
            );
            need(c, "radiative_fraction", &s.radiative_fraction);
        }
        match s.state {
            Liquid => need(c, "liquid_density_kg_m3", &s.liquid_density_kg_m3),
            LiquefiedPressurised => {
                need(c, "liquid_density_kg_m3", &s.liquid_density_kg_m3);
                need(c, "storage_pressure_bar", &s.storage_pressure_bar);
                need(c, "molar_mass_g_mol", &s.molar_mass_g_mol);
                need(c, "boiling_point_k", &s.boiling_point_k);
                need(c, "liquid_cp_kj_kg_k", &s.liquid_cp_kj_kg_k);
                need(
                    c,
                    "heat_of_vaporisation_kj_kg",
                    &s.heat_of_vaporisation_kj_kg,
                );
            }
            CompressedGas => {
                need(c, "storage_pressure_bar", &s.storage_pressure_bar);
                need(c, "molar_mass_g_mol", &s.molar_mass_g_mol);
                need(c, "gamma", &s.gamma);
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
            need(c, "burning_rate_kg_m2_s", &s.burning_rate_kg_m2_s);
            need(c, "flame_flux_kw_m2", &s.flame_flux_kw_m2);
        }
        if let Some(f) = &s.fireball_radiative_fraction {
            probability(
                c,
                field_path!["substance", i, "fireball_radiative_fraction"],
                f.value,
            );
        }
        if flammable && matches!(s.state, LiquefiedPressurised | CompressedGas) {
            need(c, "lower_flammability_kg_m3", &s.lower_flammability_kg_m3);
        }
        if s.state == LiquefiedPressurised && flammable {
            need(c, "burning_rate_kg_m2_s", &s.burning_rate_kg_m2_s);
        }
    }
}

/// Checks the ignition probabilities and the explosion and aerosol settings.
fn check_ignition(c: &mut Check, d: &RiskData) {
    let g = &d.ignition;
    for (name, band) in [
        ("gas_low", g.gas_low),
        ("gas_average", g.gas_average),
        ("gas_high", g.gas_high),
    ] {
        for (k, v) in band.iter().enumerate() {
            probability(c, field_path!["ignition", name, k], *v);
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
        probability(c, field_path!["ignition", name], v);
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
}

/// Checks the release settings, the containers, and the largest pool areas.
fn check_release(c: &mut Check, d: &RiskData) {
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
    check_containers(c, d);
    for (name, v) in [
        ("road", r.max_pool_area_m2.road),
        ("rail", r.max_pool_area_m2.rail),
        ("water", r.max_pool_area_m2.water),
    ] {
        c.positive(field_path!["release", "max_pool_area_m2", name], v);
    }
}

/// Checks the loss-of-containment entries: every known equipment present with its fields, and no
/// unknown one.
fn check_loc(c: &mut Check, d: &RiskData) {
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
}

/// Checks the transport release rates, the lock convention and the escalation probit's unit.
fn check_transport(c: &mut Check, d: &RiskData) {
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
                    c,
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
}

/// Checks the criteria sets: individual risk limits, FN lines and protected-place limits.
fn check_criteria(c: &mut Check, d: &RiskData) {
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
}

/// Checks that every entry table and the escalation model carry a source.
fn check_data_sources(c: &mut Check, d: &RiskData) {
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
            let leak = s.kind != ContainerRelease::Rupture;
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
