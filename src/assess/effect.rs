//! `hazflow effect MODEL --flag value ...`: spot checks of one effect or damage model, printed as one
//! JSON object with SI-with-unit key names. The constants (probits, escalation) come from the risk
//! data (the built-in Purple Book set unless `--data` names other files).
//!
//! The argument types here are plain data; the binary parses the command line into its own mirrors of
//! them (`src/cli_effect.rs`), so the library does not depend on the argument parser.

use serde_json::{Value, json};

use crate::model::risk_tables::{toxic_probit, vulnerability};
use crate::risk::blast::{Explosion, kinney_graham_ratio, tnt_equivalent_kg};
use crate::risk::dispersion::{
    Plume, Puff, Stability, Terrain, Weather, briggs_sigmas, puff_sigmas,
};
use crate::risk::escalation::VesselClass;
use crate::risk::fire::{Atmosphere, Fireball, PoolFire};
use crate::risk::probit::thermal_dose;
use crate::risk::vulnerability::Vulnerability;
use crate::scenario::RiskData;

/// One effect model and its inputs.
#[derive(Clone, Debug)]
pub enum EffectCommand {
    /// BLEVE fireball (CCPS): size, duration, emissive power and the flux and lethality at a distance.
    Fireball(FireballArgs),
    /// Pool fire as a point source.
    PoolFire(PoolFireArgs),
    /// Passive Gaussian plume concentration (Briggs sigmas).
    Plume(PlumeArgs),
    /// Passive Gaussian puff: peak concentration and toxic dose as it passes (CCPS puff sigmas).
    Puff(PuffArgs),
    /// Vapour-cloud explosion by TNT equivalence (Kinney-Graham curve).
    Tnt(TntArgs),
    /// Escalation probability of equipment under fire or blast (Cozzani / Landucci).
    Escalation(EscalationArgs),
    /// A probit and its probability.
    Probit(ProbitArgs),
    /// Adiabatic flash of a liquefied gas: flashed, airborne and rained-out fractions.
    Flash(super::release_effect::FlashArgs),
    /// Outflow of a container's release: rate, duration, airborne mass and pool.
    Release(super::release_effect::ReleaseArgs),
    /// Dense-gas puff (Britter-McQuaid, passive beyond): concentration, width, arrival and passage.
    DensePuff(super::release_effect::DensePuffArgs),
    /// Dense-gas plume (Britter-McQuaid, passive beyond).
    DensePlume(super::release_effect::DensePlumeArgs),
    /// Jet fire of a gas release: flux and lethality at a distance.
    JetFire(super::release_effect::JetFireArgs),
    /// Vapour-cloud explosion by Baker-Strehlow-Tang.
    Vce(super::release_effect::VceArgs),
}

/// `fireball` inputs.
#[derive(Clone, Debug)]
pub struct FireballArgs {
    /// Fuel mass, kg.
    pub mass_kg: f64,
    /// Heat of combustion, MJ/kg.
    pub heat_of_combustion_mj_per_kg: f64,
    /// Vessel pressure at burst, bar absolute.
    pub pressure_bar: f64,
    /// Ground distance from the point below the fireball centre, m.
    pub distance_m: f64,
    /// Relative humidity, 0-1.
    pub relative_humidity: f64,
    /// Air temperature, C.
    pub ambient_c: f64,
}

/// `pool-fire` inputs.
#[derive(Clone, Debug)]
pub struct PoolFireArgs {
    /// Pool diameter, m.
    pub diameter_m: f64,
    /// Burning rate, kg/(m2 s).
    pub burning_rate_kg_m2_s: f64,
    /// Heat of combustion, MJ/kg.
    pub heat_of_combustion_mj_per_kg: f64,
    /// Radiative fraction.
    pub radiative_fraction: f64,
    /// Distance from the pool centre, m.
    pub distance_m: f64,
    /// Relative humidity, 0-1.
    pub relative_humidity: f64,
    /// Air temperature, C.
    pub ambient_c: f64,
}

/// Terrain flag.
#[derive(Clone, Copy, Debug)]
pub enum TerrainArg {
    /// Open country.
    Rural,
    /// Built-up.
    Urban,
}

/// `plume` inputs.
#[derive(Clone, Debug)]
pub struct PlumeArgs {
    /// Pasquill stability class A..F.
    pub stability: Stability,
    /// Terrain.
    pub terrain: TerrainArg,
    /// Wind speed, m/s.
    pub wind_m_s: f64,
    /// Release rate, kg/s.
    pub release_kg_s: f64,
    /// Where the concentration is wanted.
    pub at: Receptor,
}

/// A receptor relative to a dispersion source (shared by `plume` and `puff`).
#[derive(Clone, Debug)]
pub struct Receptor {
    /// Downwind distance, m.
    pub x_m: f64,
    /// Crosswind distance, m.
    pub y_m: f64,
    /// Height above ground, m.
    pub z_m: f64,
    /// Release height, m.
    pub source_height_m: f64,
}

/// `puff` inputs.
#[derive(Clone, Debug)]
pub struct PuffArgs {
    /// Pasquill stability class A..F.
    pub stability: Stability,
    /// Wind speed, m/s.
    pub wind_m_s: f64,
    /// Mass released at once, kg.
    pub mass_kg: f64,
    /// Where the concentration is wanted.
    pub at: Receptor,
    /// Toxic probit id (e.g. chlorine) for the dose and lethality as the puff passes.
    pub toxic: Option<String>,
}

/// `tnt` inputs.
#[derive(Clone, Debug)]
pub struct TntArgs {
    /// Flammable mass in the cloud, kg.
    pub mass_kg: f64,
    /// Heat of combustion, MJ/kg.
    pub heat_of_combustion_mj_per_kg: f64,
    /// Explosion efficiency (0-1).
    pub efficiency: f64,
    /// Distance from the cloud centre, m.
    pub distance_m: f64,
}

/// `escalation` inputs.
#[derive(Clone, Debug)]
pub struct EscalationArgs {
    /// Equipment class.
    pub vessel: VesselClass,
    /// Radiation received, kW/m2 (with --volume-m3).
    pub flux_kw_m2: Option<f64>,
    /// Vessel volume, m3.
    pub volume_m3: Option<f64>,
    /// Peak overpressure, kPa.
    pub overpressure_kpa: Option<f64>,
    /// Ignore the escalation thresholds (probit at any flux or overpressure).
    pub no_thresholds: bool,
}

/// Probit model flag.
#[derive(Clone, Copy, Debug)]
pub enum ProbitModel {
    /// Heat radiation (needs --flux-kw-m2 and --duration-s).
    Thermal,
    /// Lung haemorrhage (needs --overpressure-kpa).
    Lung,
    /// Chlorine (needs --concentration-mg-m3 and --duration-min).
    Chlorine,
    /// Ammonia.
    Ammonia,
    /// Hydrogen chloride.
    HydrogenChloride,
}

/// `probit` inputs.
#[derive(Clone, Debug)]
pub struct ProbitArgs {
    /// Which probit.
    pub model: ProbitModel,
    /// Heat flux, kW/m2.
    pub flux_kw_m2: Option<f64>,
    /// Exposure, s (thermal).
    pub duration_s: Option<f64>,
    /// Peak overpressure, kPa.
    pub overpressure_kpa: Option<f64>,
    /// Concentration, mg/m3.
    pub concentration_mg_m3: Option<f64>,
    /// Exposure, min (toxic).
    pub duration_min: Option<f64>,
}

fn non_negative(name: &str, v: f64) -> Result<f64, String> {
    if v.is_finite() && v >= 0.0 {
        Ok(v)
    } else {
        Err(format!("--{name}: expected a number >= 0, got {v}"))
    }
}

fn positive(name: &str, v: f64) -> Result<f64, String> {
    if v.is_finite() && v > 0.0 {
        Ok(v)
    } else {
        Err(format!("--{name}: expected a number > 0, got {v}"))
    }
}

fn fraction(name: &str, v: f64) -> Result<f64, String> {
    if (0.0..=1.0).contains(&v) {
        Ok(v)
    } else {
        Err(format!(
            "--{name}: expected a fraction in 0..=1 (70 % is 0.7), got {v}"
        ))
    }
}

fn needed(name: &str, v: Option<f64>, model: &str) -> Result<f64, String> {
    v.ok_or_else(|| format!("{model} needs --{name}"))
}

fn terrain(t: TerrainArg) -> Terrain {
    match t {
        TerrainArg::Rural => Terrain::Rural,
        TerrainArg::Urban => Terrain::Urban,
    }
}

/// Evaluates one effect model; the JSON object to print, or a message for a bad input.
pub fn evaluate(command: &EffectCommand, data: &RiskData) -> Result<Value, String> {
    use super::release_effect as r;
    let people = vulnerability(data);
    match command {
        EffectCommand::Flash(a) => r::flash(a, data),
        EffectCommand::Release(a) => r::release(a, data),
        EffectCommand::DensePuff(a) => r::dense_puff(a, data),
        EffectCommand::DensePlume(a) => r::dense_plume(a, data),
        EffectCommand::JetFire(a) => r::jet_fire(a, data),
        EffectCommand::Vce(a) => r::vce(a, data),
        EffectCommand::Fireball(a) => fireball(a, &people),
        EffectCommand::PoolFire(a) => pool_fire(a, &people),
        EffectCommand::Plume(a) => plume(a),
        EffectCommand::Puff(a) => puff(a, data),
        EffectCommand::Tnt(a) => tnt(a),
        EffectCommand::Escalation(a) => escalation(a, data),
        EffectCommand::Probit(a) => probit(a, &people, data),
    }
}

/// Evaluates a BLEVE fireball: its size, duration and emissive power, and the flux and lethality at a distance.
fn fireball(a: &FireballArgs, people: &Vulnerability) -> Result<Value, String> {
    let mass = non_negative("mass-kg", a.mass_kg)?;
    let hc = positive(
        "heat-of-combustion-mj-per-kg",
        a.heat_of_combustion_mj_per_kg,
    )?;
    let pressure = positive("pressure-bar", a.pressure_bar)?;
    let distance = non_negative("distance-m", a.distance_m)?;
    let air = Atmosphere {
        relative_humidity: fraction("relative-humidity", a.relative_humidity)?,
        ambient_c: a.ambient_c,
    };
    let fb = Fireball::ccps(mass, hc, pressure);
    let flux = fb.flux_kw_m2(distance, &air);
    let lethality = people.heat(flux, fb.duration_s);
    Ok(json!({
        "model": "fireball (CCPS 1999)",
        "diameter_m": fb.diameter_m,
        "duration_s": fb.duration_s,
        "centre_height_m": fb.centre_height_m,
        "surface_emissive_power_kw_m2": fb.surface_emissive_power_kw_m2,
        "flux_kw_m2": flux,
        "thermal_dose_w43_s": thermal_dose(flux * 1000.0, fb.duration_s),
        "fatality_probability": lethality.location,
        "fatality_convention": "unprotected person outdoors: 1 at or above the lethal flux, else the thermal probit over the fireball duration",
    }))
}

/// Evaluates a pool fire as a point source: the flux and lethality at a distance.
fn pool_fire(a: &PoolFireArgs, people: &Vulnerability) -> Result<Value, String> {
    let air = Atmosphere {
        relative_humidity: fraction("relative-humidity", a.relative_humidity)?,
        ambient_c: a.ambient_c,
    };
    let fire = PoolFire {
        diameter_m: positive("diameter-m", a.diameter_m)?,
        burning_rate_kg_m2_s: positive("burning-rate-kg-m2-s", a.burning_rate_kg_m2_s)?,
        hc_mj_per_kg: positive(
            "heat-of-combustion-mj-per-kg",
            a.heat_of_combustion_mj_per_kg,
        )?,
        radiative_fraction: fraction("radiative-fraction", a.radiative_fraction)?,
    };
    let distance = non_negative("distance-m", a.distance_m)?;
    let flux = fire.flux_kw_m2(distance, &air);
    Ok(json!({
        "model": "pool fire, point source",
        "radiated_kw": fire.radiated_kw(),
        "flux_kw_m2": flux,
        "fatality_probability": people.heat(flux, people.fire_exposure_s).location,
        "exposure_s": people.fire_exposure_s,
    }))
}

/// Evaluates a passive Gaussian plume: the concentration at a receptor.
fn plume(a: &PlumeArgs) -> Result<Value, String> {
    let plume = Plume {
        rate_kg_s: non_negative("release-kg-s", a.release_kg_s)?,
        source_height_m: non_negative("source-height-m", a.at.source_height_m)?,
        weather: Weather {
            stability: a.stability,
            wind_m_s: positive("wind-m-s", a.wind_m_s)?,
            terrain: terrain(a.terrain),
        },
    };
    let x = positive("x-m", a.at.x_m)?;
    let (sy, sz) = briggs_sigmas(a.stability, terrain(a.terrain), x);
    Ok(json!({
        "model": "Gaussian plume, Briggs sigmas (passive gas only)",
        "concentration_kg_m3": plume.concentration_kg_m3(x, a.at.y_m, non_negative("z-m", a.at.z_m)?),
        "sigma_y_m": sy,
        "sigma_z_m": sz,
        "passive_gas_only": true,
    }))
}

/// Evaluates a passive Gaussian puff: the peak concentration at a receptor and, for a toxic gas, the dose.
fn puff(a: &PuffArgs, data: &RiskData) -> Result<Value, String> {
    let puff = Puff {
        mass_kg: non_negative("mass-kg", a.mass_kg)?,
        source_height_m: non_negative("source-height-m", a.at.source_height_m)?,
        weather: Weather {
            stability: a.stability,
            wind_m_s: positive("wind-m-s", a.wind_m_s)?,
            terrain: Terrain::Rural,
        },
    };
    let x = positive("x-m", a.at.x_m)?;
    let z = non_negative("z-m", a.at.z_m)?;
    let (sxy, sz) = puff_sigmas(a.stability, x);
    let mut out = json!({
        "model": "Gaussian puff, CCPS sigmas (passive gas only)",
        "peak_concentration_kg_m3": puff.peak_kg_m3(x, a.at.y_m, z),
        "sigma_x_m": sxy,
        "sigma_y_m": sxy,
        "sigma_z_m": sz,
        "arrival_s": x / a.wind_m_s,
        "passive_gas_only": true,
    });
    if let Some(id) = &a.toxic {
        let probit = toxic_probit(data, id)
            .ok_or_else(|| format!("--toxic: no toxic probit \"{id}\" in the risk data"))?;
        let load = puff.toxic_load_mg_min(probit.n, x, a.at.y_m, z);
        out["toxic_load_mg_m3_n_min"] = json!(load);
        out["probit"] = json!(probit.value(load));
        out["fatality_probability"] = json!(probit.probability(load));
    }
    Ok(out)
}

/// Evaluates a vapour-cloud explosion by TNT equivalence: the overpressure at a distance.
fn tnt(a: &TntArgs) -> Result<Value, String> {
    let w = tnt_equivalent_kg(
        non_negative("mass-kg", a.mass_kg)?,
        positive(
            "heat-of-combustion-mj-per-kg",
            a.heat_of_combustion_mj_per_kg,
        )?,
        fraction("efficiency", a.efficiency)?,
    );
    let r = positive("distance-m", a.distance_m)?;
    let blast = Explosion { tnt_kg: w };
    let z = if w > 0.0 { r / w.cbrt() } else { f64::INFINITY };
    Ok(json!({
        "model": "TNT equivalence, Kinney-Graham free-air curve (E_TNT 4680 kJ/kg)",
        "tnt_equivalent_kg": w,
        "scaled_distance_m_kg13": z,
        "overpressure_ratio": if w > 0.0 { kinney_graham_ratio(z) } else { 0.0 },
        "overpressure_kpa": blast.overpressure_kpa(r),
    }))
}

/// Evaluates the escalation probability of equipment under fire or blast.
fn escalation(a: &EscalationArgs, data: &RiskData) -> Result<Value, String> {
    let model = &data.escalation;
    let thresholds = !a.no_thresholds;
    match (a.flux_kw_m2, a.overpressure_kpa) {
        (Some(flux), None) => {
            let flux = non_negative("flux-kw-m2", flux)?;
            let volume = non_negative(
                "volume-m3",
                needed("volume-m3", a.volume_m3, "escalation by radiation")?,
            )?;
            let ttf = model.time_to_failure_s(a.vessel, flux, volume);
            Ok(json!({
                "model": "Cozzani time to failure, ttf probit from the risk data",
                "vessel": a.vessel.name(),
                "time_to_failure_s": if ttf.is_finite() { json!(ttf) } else { Value::Null },
                "threshold_kw_m2": model.class(a.vessel).flux_threshold_kw_m2,
                "thresholds_applied": thresholds,
                "probability": model.radiation_probability(a.vessel, flux, volume, thresholds),
            }))
        }
        (None, Some(kpa)) => {
            let kpa = non_negative("overpressure-kpa", kpa)?;
            Ok(json!({
                "model": "Cozzani & Salzano 2004 overpressure probit",
                "vessel": a.vessel.name(),
                "threshold_kpa": model.class(a.vessel).overpressure_threshold_kpa,
                "thresholds_applied": thresholds,
                "probability": model.overpressure_probability(a.vessel, kpa, thresholds),
            }))
        }
        _ => Err(
            "escalation needs either --flux-kw-m2 with --volume-m3, or --overpressure-kpa".into(),
        ),
    }
}

/// Evaluates a probit of the risk data and its probability.
fn probit(a: &ProbitArgs, people: &Vulnerability, data: &RiskData) -> Result<Value, String> {
    let (y, p) = match a.model {
        ProbitModel::Thermal => {
            let flux = non_negative(
                "flux-kw-m2",
                needed("flux-kw-m2", a.flux_kw_m2, "the thermal probit")?,
            )?;
            let t = non_negative(
                "duration-s",
                needed("duration-s", a.duration_s, "the thermal probit")?,
            )?;
            let dose = thermal_dose(flux * 1000.0, t);
            (people.thermal.value(dose), people.thermal.probability(dose))
        }
        ProbitModel::Lung => {
            let kpa = non_negative(
                "overpressure-kpa",
                needed("overpressure-kpa", a.overpressure_kpa, "the lung probit")?,
            )?;
            (
                people.lung.value(kpa * 1000.0),
                people.lung.probability(kpa * 1000.0),
            )
        }
        ProbitModel::Chlorine | ProbitModel::Ammonia | ProbitModel::HydrogenChloride => {
            let id = match a.model {
                ProbitModel::Chlorine => "chlorine",
                ProbitModel::Ammonia => "ammonia",
                _ => "hydrogen-chloride",
            };
            let probit = toxic_probit(data, id)
                .ok_or_else(|| format!("no toxic probit \"{id}\" in the risk data"))?;
            let c = non_negative(
                "concentration-mg-m3",
                needed(
                    "concentration-mg-m3",
                    a.concentration_mg_m3,
                    "a toxic probit",
                )?,
            )?;
            let t = non_negative(
                "duration-min",
                needed("duration-min", a.duration_min, "a toxic probit")?,
            )?;
            let load = probit.load(c, t);
            (probit.value(load), probit.probability(load))
        }
    };
    Ok(json!({
        "probit": if y.is_finite() { json!(y) } else { Value::Null },
        "probability": p,
    }))
}
