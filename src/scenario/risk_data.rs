//! Risk data files (`scenarios/risk/*.toml`): probits, substances, loss-of-containment frequencies,
//! transport release rates, ignition, escalation and criteria, each entry with its source.
//!
//! A scenario lists one or more of these files in `[risk] data`; later files override earlier ones
//! (tables by key, arrays of tables by `id`, as `extends` does for scenarios).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::sourced::Sourced;
use crate::risk::escalation::EscalationModel;

/// A whole risk data file (after layering).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RiskData {
    /// Name and description of the set.
    pub meta: RiskMeta,
    /// How people die: probits and the Purple Book conventions.
    pub people: PeopleData,
    /// Toxic probits.
    #[serde(default)]
    pub toxic_probit: Vec<ToxicProbitData>,
    /// Substances.
    #[serde(default)]
    pub substance: Vec<SubstanceData>,
    /// Ignition and event-tree probabilities.
    pub ignition: IgnitionData,
    /// Release sizes, durations and pools.
    pub release: ReleaseData,
    /// Loss-of-containment frequencies of stationary equipment and transfers.
    #[serde(default)]
    pub loc: Vec<LocData>,
    /// Transport release rates.
    pub transport: TransportData,
    /// Domino escalation (its `source` field says where the model comes from).
    pub escalation: EscalationModel,
    /// Acceptance criteria sets.
    #[serde(default)]
    pub criteria: Vec<CriteriaData>,
}

/// `[meta]`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RiskMeta {
    /// Short name.
    pub name: String,
    /// What the set is.
    #[serde(default)]
    pub description: String,
}

/// A probit `a + b ln(scale dose)` with its source.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ProbitData {
    /// Constant.
    pub a: f64,
    /// Slope.
    pub b: f64,
    /// Dose multiplier inside the logarithm.
    #[serde(default = "one")]
    pub scale: f64,
    /// Where it comes from.
    pub source: String,
}

fn one() -> f64 {
    1.0
}

/// `[people]`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PeopleData {
    /// Where these conventions come from.
    pub source: String,
    /// Lethal flux outdoors and indoors, kW/m2.
    pub lethal_flux_kw_m2: Sourced<f64>,
    /// Clothing factor on the thermal probit for societal risk outdoors.
    pub societal_clothing_factor: Sourced<f64>,
    /// Exposure to pool and jet fires, s.
    pub fire_exposure_s: Sourced<f64>,
    /// Lethal overpressure, kPa.
    pub lethal_overpressure_kpa: Sourced<f64>,
    /// Lower bound of the indoor blast band, kPa.
    pub indoor_blast_min_kpa: Sourced<f64>,
    /// Indoor lethality in the blast band.
    pub indoor_blast_lethality: Sourced<f64>,
    /// Longest toxic exposure, min.
    pub toxic_exposure_cap_min: Sourced<f64>,
    /// Air changes per hour of buildings (indoor toxic exposure).
    pub indoor_air_changes_per_h: Sourced<f64>,
    /// Thermal lethality probit (q in W/m2, t in s).
    pub thermal_probit: ProbitData,
    /// Lung haemorrhage probit (Ps in Pa), reported by `hazflow effect`.
    pub lung_probit: ProbitData,
}

/// Concentration unit of a toxic probit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
pub enum ConcentrationUnit {
    /// Milligrams per cubic metre (Purple Book).
    #[serde(rename = "mg/m3")]
    MgPerM3,
    /// Parts per million by volume (CCPS); converted with the substance's molar mass at 25 C.
    #[serde(rename = "ppm")]
    Ppm,
}

/// `[[toxic_probit]]`: `Y = a + b ln(sum C^n t)`, t in minutes.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ToxicProbitData {
    /// Identifier (the substance's `toxic_probit` names it).
    pub id: String,
    /// Constant.
    pub a: f64,
    /// Slope.
    pub b: f64,
    /// Concentration exponent.
    pub n: f64,
    /// Concentration unit.
    pub unit: ConcentrationUnit,
    /// Where it comes from.
    pub source: String,
}

pub use crate::risk::consequence::{IgnitionCategory, SubstanceState};

/// `[[substance]]`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SubstanceData {
    /// Identifier.
    pub id: String,
    /// State as released.
    pub state: SubstanceState,
    /// Molar mass, g/mol.
    #[serde(default)]
    pub molar_mass_g_mol: Option<Sourced<f64>>,
    /// Liquid density, kg/m3.
    #[serde(default)]
    pub liquid_density_kg_m3: Option<Sourced<f64>>,
    /// Storage (vapour) pressure, bar absolute.
    #[serde(default)]
    pub storage_pressure_bar: Option<Sourced<f64>>,
    /// Heat of combustion, MJ/kg (flammables).
    #[serde(default)]
    pub heat_of_combustion_mj_per_kg: Option<Sourced<f64>>,
    /// Pool burning rate, kg/(m2 s).
    #[serde(default)]
    pub burning_rate_kg_m2_s: Option<Sourced<f64>>,
    /// Radiative fraction of pool and jet fires.
    #[serde(default)]
    pub radiative_fraction: Option<Sourced<f64>>,
    /// Lower flammability limit, kg/m3 (flash-fire extent).
    #[serde(default)]
    pub lower_flammability_kg_m3: Option<Sourced<f64>>,
    /// Toxic probit id, if inhalation is lethal.
    #[serde(default)]
    pub toxic_probit: Option<String>,
    /// Evaporation of a pool, kg/(m2 s) (toxic liquids whose vapour is the hazard).
    #[serde(default)]
    pub evaporation_kg_m2_s: Option<Sourced<f64>>,
    /// Ignition category.
    pub ignition: IgnitionCategory,
    /// Where the properties come from.
    pub source: String,
}

/// `[ignition]`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct IgnitionData {
    /// Where these numbers come from.
    pub source: String,
    /// Direct ignition of low-reactivity gases by size band (small, medium, large).
    pub gas_low: [f64; 3],
    /// Average reactivity.
    pub gas_average: [f64; 3],
    /// High reactivity.
    pub gas_high: [f64; 3],
    /// Liquids K1.
    pub k1: f64,
    /// Liquids K2.
    pub k2: f64,
    /// Liquids K3.
    pub k3: f64,
    /// Delayed ignition of a flammable cloud without direct ignition.
    pub delayed_given_no_direct: Sourced<f64>,
    /// Share of delayed ignitions that explode.
    pub explosion_fraction: Sourced<f64>,
    /// TNT efficiency of vapour-cloud explosions.
    pub tnt_efficiency: Sourced<f64>,
    /// Share of the inventory in a fireball.
    pub fireball_mass_fraction: Sourced<f64>,
}

/// Largest unconfined pool by mode, m2.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PoolAreas {
    /// Road spills.
    pub road: f64,
    /// Rail spills.
    pub rail: f64,
    /// Spills on water.
    pub water: f64,
    /// Where these come from.
    pub source: String,
}

/// `[release]`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ReleaseData {
    /// Where these conventions come from.
    pub source: String,
    /// Length of a '10-minute' release, s.
    pub ten_minute_s: Sourced<f64>,
    /// Longest continuous release, s.
    pub max_duration_s: Sourced<f64>,
    /// Leak hole diameter, mm.
    pub hole_mm: Sourced<f64>,
    /// Orifice discharge coefficient.
    pub discharge_coefficient: Sourced<f64>,
    /// Liquid head over the hole of an atmospheric tank, m.
    pub liquid_head_m: Sourced<f64>,
    /// Depth at which a spill stops spreading, m.
    pub min_pool_depth_m: Sourced<f64>,
    /// Largest unconfined transport pools.
    pub max_pool_area_m2: PoolAreas,
    /// Bund area over one tank footprint.
    pub bund_area_factor: Sourced<f64>,
    /// Share of a vessel's cargo in the breached tank.
    pub vessel_tank_share: Sourced<f64>,
    /// Share of transport releases that are instantaneous.
    pub transport_instantaneous_share: Sourced<f64>,
}

/// `[[loc]]`: frequencies of one kind of equipment.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LocData {
    /// Equipment id: atmospheric_tank, pressurised_tank, parked_atmospheric_tanker,
    /// parked_pressurised_tanker, loading_hose, loading_arm, ship_at_berth.
    pub id: String,
    /// Instantaneous release of the whole inventory, per unit-year.
    #[serde(default)]
    pub instantaneous_per_year: Option<f64>,
    /// Whole inventory in 10 minutes, per unit-year.
    #[serde(default)]
    pub ten_minutes_per_year: Option<f64>,
    /// Leak through the small hole, per unit-year.
    #[serde(default)]
    pub hole_per_year: Option<f64>,
    /// Full-bore rupture per hour of use (hoses, arms).
    #[serde(default)]
    pub rupture_per_hour: Option<f64>,
    /// Leak per hour of use.
    #[serde(default)]
    pub leak_per_hour: Option<f64>,
    /// Collision of a moored ship, per hour alongside and per passing ship per year.
    #[serde(default)]
    pub collision_per_hour_per_passing_ship: Option<f64>,
    /// Share of collisions that release cargo.
    #[serde(default)]
    pub release_given_collision: Option<Sourced<f64>>,
    /// Where the frequencies come from.
    pub source: String,
}

/// Road release rate of one road type.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RoadRate {
    /// Truck accidents per million vehicle-km.
    pub accidents_per_million_veh_km: f64,
    /// Probability of a release given an accident.
    pub release_given_accident: f64,
    /// Where they come from.
    pub source: String,
}

/// `[transport.rail]`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RailRate {
    /// Releases per loaded tank-wagon-km.
    pub release_per_wagon_km: f64,
    /// Where it comes from.
    pub source: String,
}

/// `[transport.water]`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct WaterRate {
    /// Releases per loaded vessel-km.
    pub release_per_vessel_km: f64,
    /// Where it comes from.
    pub source: String,
}

/// `[transport.lock]`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LockRate {
    /// The `[[loc]]` entry whose moored-ship rate applies to vessels at locks.
    pub treat_as: String,
    /// Where the convention comes from.
    pub source: String,
}

/// `[transport]`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TransportData {
    /// Road rates by road type (`expressway`, `trunk`, `rural`, `urban`).
    pub road: BTreeMap<String, RoadRate>,
    /// Rail.
    pub rail: RailRate,
    /// Waterway.
    pub water: WaterRate,
    /// Locks.
    pub lock: LockRate,
}

/// An F-N criterion line `F(>= N) <= c / N^alpha` for `N >= n_min`.
#[derive(Clone, Copy, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CriterionLine {
    /// Frequency coefficient, per year (per km-year for routes).
    pub c: f64,
    /// Slope.
    pub alpha: f64,
    /// Smallest N the line applies to.
    pub n_min: f64,
}

impl CriterionLine {
    /// The limit at `n` (infinite below `n_min`).
    pub fn limit(&self, n: f64) -> f64 {
        if n < self.n_min {
            f64::INFINITY
        } else {
            self.c / n.powf(self.alpha)
        }
    }
}

/// `[[criteria]]`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CriteriaData {
    /// Identifier (`[risk] criteria` names it).
    pub id: String,
    /// Societal-risk line for establishments (parks, docks, lots).
    pub establishment: CriterionLine,
    /// Societal-risk line per km of transport route.
    pub route_per_km: CriterionLine,
    /// Individual-risk limit, per year.
    pub individual_risk_per_year: f64,
    /// Where it comes from.
    pub source: String,
}
