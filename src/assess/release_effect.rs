//! `hazflow effect flash | release | dense-puff | dense-plume | jet-fire | vce`: the source term and
//! dense-gas models and the fires and explosions of gases, one JSON object each.

use serde_json::{Value, json};

use crate::model::ContainerKind;
use crate::model::risk_tables::{substance_named, vulnerability};
use crate::risk::consequence::{Substance, SubstanceState};
use crate::risk::dense::{
    Air, CentrelineExposure, DensePlume, DensePuff, DenseSource, Spread, gas_density_kg_m3,
    ppm_of_kg_m3,
};
use crate::risk::dispersion::{Stability, Terrain};
use crate::risk::fire::{Atmosphere, JetFire};
use crate::risk::source::{
    Breach, Containment, P_ATM_PA, Spill, airborne_fraction, flash_fraction, outflow, source_term,
};
use crate::risk::vce::{Bst, Confinement, Congestion, Reactivity, flame_mach};
use crate::scenario::{ContainerRelease, RiskData};

/// Surface roughness at which the urban Briggs sigmas replace the rural ones, m: the rural curves come
/// from open country (z0 about 0.01-0.1 m), the urban ones from a city (St. Louis, z0 about 1 m).
pub const URBAN_ROUGHNESS_M: f64 = 0.3;

fn substance(data: &RiskData, id: &str) -> Result<Substance, String> {
    substance_named(data, id).ok_or_else(|| {
        format!(
            "--substance: no substance \"{id}\" in the risk data (known: {})",
            data.substance
                .iter()
                .map(|s| s.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )
    })
}

fn finite(name: &str, v: f64, positive: bool) -> Result<f64, String> {
    if v.is_finite() && (v > 0.0 || (!positive && v >= 0.0)) {
        Ok(v)
    } else {
        Err(format!(
            "--{name}: expected a number {} 0, got {v}",
            if positive { ">" } else { ">=" }
        ))
    }
}

/// `flash` inputs.
#[derive(Clone, Debug)]
pub struct FlashArgs {
    /// Substance id of the risk data.
    pub substance: String,
    /// Temperature of the liquid before release, C.
    pub temperature_c: f64,
}

/// Release sizes.
#[derive(Clone, Copy, Debug)]
pub enum ScenarioArg {
    /// The container's small leak.
    SmallLeak,
    /// The container's large leak.
    LargeLeak,
    /// Catastrophic rupture.
    Rupture,
}

/// `release` inputs.
#[derive(Clone, Debug)]
pub struct ReleaseArgs {
    /// Container kind (its release sizes and hole diameters come from the risk data).
    pub container: ContainerKind,
    /// Substance id of the risk data.
    pub substance: String,
    /// Release size of the container.
    pub scenario: Option<ScenarioArg>,
    /// A hole of this diameter instead of a release size, mm.
    pub hole_mm: Option<f64>,
    /// Contents, kg.
    pub inventory_kg: f64,
    /// Pressure inside, bar absolute (default: the substance's storage pressure).
    pub pressure_bar: Option<f64>,
    /// Temperature, C.
    pub temperature_c: f64,
}

/// Weather and place of a dense-gas calculation (shared by `dense-puff` and `dense-plume`).
#[derive(Clone, Debug)]
pub struct DenseAir {
    /// Wind speed at 10 m, m/s.
    pub wind_m_s: f64,
    /// Pasquill stability class A..F (for the passive far field).
    pub stability: Stability,
    /// Surface roughness, m: at least 0.3 takes the urban Briggs sigmas, else the rural ones.
    pub roughness_m: f64,
    /// Air temperature, C.
    pub ambient_c: f64,
    /// Downwind distance, m.
    pub x_m: f64,
    /// Crosswind distance, m.
    pub y_m: f64,
}

/// `dense-puff` inputs.
#[derive(Clone, Debug)]
pub struct DensePuffArgs {
    /// Substance id of the risk data (molar mass; a liquefied gas is released as vapour at its boiling
    /// point).
    pub substance: String,
    /// Airborne mass, kg.
    pub mass_kg: f64,
    /// Weather and receptor.
    pub air: DenseAir,
}

/// `dense-plume` inputs.
#[derive(Clone, Debug)]
pub struct DensePlumeArgs {
    /// Substance id of the risk data.
    pub substance: String,
    /// Airborne rate, kg/s.
    pub release_kg_s: f64,
    /// Duration of the release, s (for the toxic load).
    pub duration_s: f64,
    /// Weather and receptor.
    pub air: DenseAir,
}

/// `jet-fire` inputs.
#[derive(Clone, Debug)]
pub struct JetFireArgs {
    /// Release rate, kg/s.
    pub release_kg_s: f64,
    /// Substance id (heat of combustion and radiative fraction from the risk data).
    pub substance: String,
    /// Distance from the flame, m.
    pub distance_m: f64,
    /// Relative humidity, 0-1.
    pub relative_humidity: f64,
    /// Air temperature, C.
    pub ambient_c: f64,
}

/// Confinement flag.
#[derive(Clone, Copy, Debug)]
pub enum ConfinementArg {
    /// Open.
    ThreeD,
    /// Partly confined.
    TwoAndHalfD,
    /// Between two planes.
    TwoD,
}

/// Congestion flag.
#[derive(Clone, Copy, Debug)]
pub enum CongestionArg {
    /// Blockage below 10 %.
    Low,
    /// 10-40 %.
    Medium,
    /// Above 40 %.
    High,
}

/// `vce` inputs.
#[derive(Clone, Debug)]
pub struct VceArgs {
    /// Fuel in the flammable cloud, kg.
    pub mass_kg: f64,
    /// Substance id (heat of combustion and reactivity from the risk data).
    pub substance: String,
    /// Confinement of the place.
    pub confinement: ConfinementArg,
    /// Congestion of the place.
    pub congestion: CongestionArg,
    /// Congested volume that limits the exploding fuel, m3.
    pub congested_volume_m3: Option<f64>,
    /// Distance from the cloud centre, m.
    pub distance_m: f64,
}

/// The airborne gas of `s` as the simulation releases it: a liquefied gas as vapour at its boiling
/// point (mixing as if warmed as it goes unless the data ask for the cold-source correction).
fn gas_of(s: &Substance, ambient_k: f64, data: &RiskData) -> DenseSource {
    let cold = s.state == SubstanceState::LiquefiedPressurised && s.thermo.boiling_point_k > 0.0;
    let release_k = if cold {
        s.thermo.boiling_point_k
    } else {
        ambient_k
    };
    DenseSource {
        density_kg_m3: gas_density_kg_m3(s.molar_mass_g_mol, release_k),
        temperature_k: if data.ignition.cold_source_correction.value {
            release_k
        } else {
            ambient_k
        },
        molar_mass_g_mol: s.molar_mass_g_mol,
    }
}

fn air_of(a: &DenseAir) -> Result<Air, String> {
    Ok(Air {
        temperature_k: a.ambient_c + 273.15,
        wind_10m_m_s: finite("wind-m-s", a.wind_m_s, true)?,
        stability: a.stability,
        terrain: if finite("roughness-m", a.roughness_m, true)? >= URBAN_ROUGHNESS_M {
            Terrain::Urban
        } else {
            Terrain::Rural
        },
    })
}

/// The JSON of a centreline exposure at `(x, y)`, with the toxic load over its passage.
fn exposure_json(
    e: &CentrelineExposure,
    s: &Substance,
    air: &Air,
    y_m: f64,
    plume_s: Option<f64>,
    data: &RiskData,
) -> Value {
    let c = e.concentration_kg_m3 * e.crosswind.factor(y_m);
    let (half_width, shape) = match e.crosswind {
        Spread::Uniform(h) => (h, "uniform"),
        Spread::Gaussian(sigma) => (2.0 * sigma, "gaussian (half-width = 2 sigma)"),
    };
    let passage_s = match (plume_s, e.in_time) {
        (Some(d), _) => d,
        (None, Some(t)) => t.power_integral(1.0),
        _ => 0.0,
    };
    let mut out = json!({
        "concentration_kg_m3": c,
        "concentration_ppm": ppm_of_kg_m3(c, s.molar_mass_g_mol, air.temperature_k),
        "centreline_concentration_kg_m3": e.concentration_kg_m3,
        "half_width_m": half_width,
        "crosswind_profile": shape,
        "arrival_s": e.arrival_s,
        "passage_s": passage_s,
        "regime": if e.dense { "dense (Britter-McQuaid)" } else { "passive (Gaussian, virtual source)" },
    });
    if let Some(probit) = s.toxic {
        let v = vulnerability(data);
        let c_mg = c * 1e6;
        let minutes = (passage_s / 60.0).min(v.toxic_exposure_cap_min);
        // A passive puff passes as a Gaussian in time; a dense box and a plume hold steady.
        let load = match (plume_s, e.in_time) {
            (None, Some(Spread::Gaussian(sigma))) => {
                c_mg.powf(probit.n) * sigma / 60.0 * (2.0 * std::f64::consts::PI / probit.n).sqrt()
            }
            _ => probit.load(c_mg, minutes),
        };
        out["toxic_load_mg_m3_n_min"] = json!(load);
        out["fatality_probability"] = json!(probit.probability(load));
        out["exposure_cap_min"] = json!(v.toxic_exposure_cap_min);
    }
    out
}

/// `flash`.
pub fn flash(a: &FlashArgs, data: &RiskData) -> Result<Value, String> {
    let s = substance(data, &a.substance)?;
    if s.state != SubstanceState::LiquefiedPressurised {
        return Err(format!(
            "--substance: \"{}\" is not a liquefied gas; only those flash",
            s.id
        ));
    }
    let t = a.temperature_c + 273.15;
    let f = flash_fraction(&s.thermo, t);
    let factor = data.ignition.aerosol_factor.value;
    Ok(json!({
        "model": "adiabatic flash cp (T - Tb) / hv; airborne = min(1, aerosol factor x flash)",
        "substance": s.id,
        "boiling_point_k": s.thermo.boiling_point_k,
        "flash_fraction": f,
        "aerosol_factor": factor,
        "airborne_fraction": airborne_fraction(f, factor),
        "rainout_fraction": 1.0 - airborne_fraction(f, factor),
        "vapour_density_kg_m3": gas_density_kg_m3(s.molar_mass_g_mol, s.thermo.boiling_point_k),
    }))
}

/// `release`.
pub fn release(a: &ReleaseArgs, data: &RiskData) -> Result<Value, String> {
    let s = substance(data, &a.substance)?;
    let container = data
        .container
        .iter()
        .find(|c| c.id == a.container.id())
        .ok_or_else(|| format!("no [[container]] \"{}\" in the risk data", a.container.id()))?;
    let breach = match (a.scenario, a.hole_mm) {
        (_, Some(d)) => Breach::Hole {
            diameter_mm: finite("hole-mm", d, true)?,
        },
        (Some(ScenarioArg::Rupture), None) => Breach::Rupture,
        (Some(kind), None) => {
            let wanted = match kind {
                ScenarioArg::SmallLeak => ContainerRelease::SmallLeak,
                _ => ContainerRelease::LargeLeak,
            };
            let hole = container
                .scenarios
                .iter()
                .find(|c| c.kind == wanted)
                .and_then(|c| c.hole_mm)
                .ok_or_else(|| format!("container \"{}\" has no such leak", container.id))?;
            Breach::Hole { diameter_mm: hole }
        }
        (None, None) => return Err("release needs --scenario or --hole-mm".into()),
    };
    let rel = &data.release;
    let share = container.released_share.as_ref().map_or(1.0, |x| x.value);
    let t = a.temperature_c + 273.15;
    let pressure_pa = match a.pressure_bar {
        Some(p) => finite("pressure-bar", p, true)? * 1e5,
        None => match s.state {
            SubstanceState::Liquid | SubstanceState::Inert => P_ATM_PA,
            _ => s.pressure_bar * 1e5,
        },
    };
    let containment = Containment {
        phase: s.phase(),
        inventory_kg: finite("inventory-kg", a.inventory_kg, true)? * share,
        pressure_pa,
        head_m: rel.vehicle_liquid_head_m.value,
        liquid_density_kg_m3: s.liquid_density_kg_m3,
        molar_mass_g_mol: s.molar_mass_g_mol,
        gamma: s.thermo.gamma,
        temperature_k: t,
    };
    let out = outflow(
        &containment,
        breach,
        rel.discharge_coefficient.value,
        rel.max_duration_s.value,
    );
    let area = match container.id.as_str() {
        "tank_barge" => rel.max_pool_area_m2.water,
        id if id.starts_with("rail") => rel.max_pool_area_m2.rail,
        _ => rel.max_pool_area_m2.road,
    };
    let st = source_term(
        out,
        s.phase(),
        &s.thermo,
        s.molar_mass_g_mol,
        s.liquid_density_kg_m3,
        t,
        data.ignition.aerosol_factor.value,
        &Spill {
            min_depth_m: rel.min_pool_depth_m.value,
            max_area_m2: area,
        },
    );
    Ok(json!({
        "model": "Bernoulli liquid / choked gas with isothermal blowdown; flash, aerosol and rainout",
        "container": container.id,
        "released_share_of_contents": share,
        "instantaneous": out.instantaneous,
        "rate_kg_s": out.rate_kg_s,
        "duration_s": out.duration_s,
        "released_kg": out.mass_kg,
        "flash_fraction": st.flash_fraction,
        "airborne_fraction": st.airborne_fraction,
        "airborne_kg": st.outflow.mass_kg * st.airborne_fraction,
        "airborne_kg_s": st.airborne_kg_s(),
        "pool_kg": st.pool.map_or(0.0, |p| p.mass_kg),
        "pool_area_m2": st.pool.map_or(0.0, |p| p.area_m2),
        "pool_boils": st.pool.is_some_and(|p| p.boiling),
    }))
}

/// `dense-puff`.
pub fn dense_puff(a: &DensePuffArgs, data: &RiskData) -> Result<Value, String> {
    let s = substance(data, &a.substance)?;
    let air = air_of(&a.air)?;
    let puff = DensePuff {
        mass_kg: finite("mass-kg", a.mass_kg, true)?,
        source: gas_of(&s, air.temperature_k, data),
        air,
    };
    let x = finite("x-m", a.air.x_m, true)?;
    let mut out = exposure_json(&puff.at(x), &s, &air, a.air.y_m, None, data);
    out["model"] =
        json!("Britter-McQuaid instantaneous release, passive Gaussian puff beyond the last curve");
    out["alpha"] = json!(puff.alpha());
    out["dense_release"] = json!(puff.is_dense());
    out["handover_m"] = json!(if puff.is_dense() {
        puff.handover_m()
    } else {
        0.0
    });
    Ok(out)
}

/// `dense-plume`.
pub fn dense_plume(a: &DensePlumeArgs, data: &RiskData) -> Result<Value, String> {
    let s = substance(data, &a.substance)?;
    let air = air_of(&a.air)?;
    let plume = DensePlume {
        rate_kg_s: finite("release-kg-s", a.release_kg_s, true)?,
        source: gas_of(&s, air.temperature_k, data),
        air,
    };
    let x = finite("x-m", a.air.x_m, true)?;
    let duration = finite("duration-s", a.duration_s, true)?;
    let mut out = exposure_json(&plume.at(x), &s, &air, a.air.y_m, Some(duration), data);
    out["model"] =
        json!("Britter-McQuaid continuous release, passive Gaussian plume beyond the last curve");
    out["alpha"] = json!(plume.alpha());
    out["dense_release"] = json!(plume.is_dense());
    out["handover_m"] = json!(if plume.is_dense() {
        plume.handover_m()
    } else {
        0.0
    });
    Ok(out)
}

/// `jet-fire`.
pub fn jet_fire(a: &JetFireArgs, data: &RiskData) -> Result<Value, String> {
    let s = substance(data, &a.substance)?;
    if !s.flammable() {
        return Err(format!("--substance: \"{}\" does not burn", s.id));
    }
    let air = Atmosphere {
        relative_humidity: a.relative_humidity.clamp(0.0, 1.0),
        ambient_c: a.ambient_c,
    };
    let jet = JetFire {
        rate_kg_s: finite("release-kg-s", a.release_kg_s, true)?,
        hc_mj_per_kg: s.hc_mj_per_kg,
        radiative_fraction: s.radiative_fraction,
    };
    let d = finite("distance-m", a.distance_m, false)?;
    let flux = jet.flux_kw_m2(d, &air);
    let v = vulnerability(data);
    Ok(json!({
        "model": "jet fire, point source with the substance's radiative fraction",
        "radiative_fraction": s.radiative_fraction,
        "radiated_kw": s.radiative_fraction * jet.rate_kg_s * s.hc_mj_per_kg * 1000.0,
        "flux_kw_m2": flux,
        "fatality_probability": v.heat(flux, v.fire_exposure_s).location,
        "exposure_s": v.fire_exposure_s,
    }))
}

/// `vce`.
pub fn vce(a: &VceArgs, data: &RiskData) -> Result<Value, String> {
    let s = substance(data, &a.substance)?;
    if !s.flammable() {
        return Err(format!("--substance: \"{}\" does not burn", s.id));
    }
    let confinement = match a.confinement {
        ConfinementArg::ThreeD => Confinement::ThreeD,
        ConfinementArg::TwoAndHalfD => Confinement::TwoAndHalfD,
        ConfinementArg::TwoD => Confinement::TwoD,
    };
    let congestion = match a.congestion {
        CongestionArg::Low => Congestion::Low,
        CongestionArg::Medium => Congestion::Medium,
        CongestionArg::High => Congestion::High,
    };
    let reactivity: Reactivity = s.reactivity();
    let mach = flame_mach(confinement, reactivity, congestion);
    let volume = a
        .congested_volume_m3
        .map(|v| finite("congested-volume-m3", v, true))
        .transpose()?;
    let blast = Bst::new(
        finite("mass-kg", a.mass_kg, true)?,
        s.hc_mj_per_kg,
        volume,
        mach,
    );
    let d = finite("distance-m", a.distance_m, false)?;
    let kpa = blast.overpressure_kpa(d);
    let v = vulnerability(data);
    let l = v.blast(kpa);
    Ok(json!({
        "model": "Baker-Strehlow-Tang (CCPS 2010 curves and flame-speed table)",
        "reactivity": format!("{reactivity:?}").to_ascii_lowercase(),
        "flame_mach": mach,
        "energy_j": blast.energy_j,
        "scaled_distance": d / (blast.energy_j / P_ATM_PA).cbrt(),
        "overpressure_kpa": kpa,
        "fatality_outdoors": l.outdoor,
        "fatality_indoors": l.indoor,
    }))
}
