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
    /// Release sizes given a transport accident, by container.
    #[serde(default)]
    pub container: Vec<ContainerData>,
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
    /// Normal boiling point, K (liquefied gases: for the flash and the boiling pool).
    #[serde(default)]
    pub boiling_point_k: Option<Sourced<f64>>,
    /// Liquid heat capacity between the boiling point and ambient, kJ/(kg K).
    #[serde(default)]
    pub liquid_cp_kj_kg_k: Option<Sourced<f64>>,
    /// Heat of vaporisation at the boiling point, kJ/kg.
    #[serde(default)]
    pub heat_of_vaporisation_kj_kg: Option<Sourced<f64>>,
    /// Vapour pressure of the hazardous component over the liquid at ambient temperature, Pa (liquids
    /// whose evaporating pool is the hazard).
    #[serde(default)]
    pub vapour_pressure_pa: Option<Sourced<f64>>,
    /// Ratio of specific heats of the gas (compressed gases: choked outflow).
    #[serde(default)]
    pub gamma: Option<Sourced<f64>>,
    /// Radiative fraction of a BLEVE fireball (default: Roberts' 0.27 P^0.32 of the burst pressure).
    #[serde(default)]
    pub fireball_radiative_fraction: Option<Sourced<f64>>,
    /// Flux on a target engulfed in a pool fire of it, kW/m2 (flammable liquids).
    #[serde(default)]
    pub flame_flux_kw_m2: Option<Sourced<f64>>,
    /// Bore of the hoses that transfer it at bays, mm (default: the `loading_hose` bore).
    #[serde(default)]
    pub transfer_bore_mm: Option<Sourced<f64>>,
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
    /// Explosion model: `bst` (Baker-Strehlow-Tang with the place's congestion) or `tnt`.
    #[serde(default)]
    pub blast_model: BlastModel,
    /// TNT efficiency of vapour-cloud explosions (with `blast_model = "tnt"`).
    pub tnt_efficiency: Sourced<f64>,
    /// Seconds of a continuous release that make up the exploding cloud.
    pub exploding_cloud_s: Sourced<f64>,
    /// Airborne share of a flashing release as a multiple of the flash fraction (at most 1).
    pub aerosol_factor: Sourced<f64>,
    /// Apply the Britter-McQuaid correction of cold sources (the cold vapour warming by mixing alone);
    /// off, a cold cloud is taken as warmed by the ground or water it crosses.
    pub cold_source_correction: Sourced<bool>,
    /// Share of the inventory in a fireball.
    pub fireball_mass_fraction: Sourced<f64>,
}

/// How vapour-cloud explosions are modelled.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BlastModel {
    /// Baker-Strehlow-Tang.
    #[default]
    Bst,
    /// TNT equivalence.
    Tnt,
}

/// Heat conduction from the ground into a boiling pool.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct GroundData {
    /// Thermal conductivity, W/(m K).
    pub conductivity_w_m_k: f64,
    /// Thermal diffusivity, m2/s.
    pub diffusivity_m2_s: f64,
    /// Where these come from.
    pub source: String,
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
    /// A release from a hose or arm during a transfer stops after this, s (emergency shut-off).
    pub transfer_isolation_s: Sourced<f64>,
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
    /// Liquid head over a hole in a tanker or tank wagon, m.
    pub vehicle_liquid_head_m: Sourced<f64>,
    /// The ground under pools.
    pub ground: GroundData,
}

/// Kind of release of a transport container.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ContainerRelease {
    /// A small leak through a hole.
    SmallLeak,
    /// A large leak through a hole.
    LargeLeak,
    /// Catastrophic rupture: the contents at once.
    Rupture,
}

/// One release size of a container: its share of the releases and its hole.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ContainerScenario {
    /// Kind.
    pub kind: ContainerRelease,
    /// Share of the container's releases.
    pub share: f64,
    /// Hole diameter, mm (leaks).
    #[serde(default)]
    pub hole_mm: Option<f64>,
}

/// `[[container]]`: release sizes given a transport accident or collision with release.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ContainerData {
    /// `road_tanker_pressurised`, `road_tanker_atmospheric`, `tube_trailer`,
    /// `rail_tank_car_pressurised`, `rail_tank_car_atmospheric`, `tank_barge`.
    pub id: String,
    /// The release sizes (shares sum to 1).
    pub scenarios: Vec<ContainerScenario>,
    /// Share of the unit's contents one breach can release (one tube of a trailer, one cargo tank of a
    /// barge).
    #[serde(default)]
    pub released_share: Option<Sourced<f64>>,
    /// Where the split comes from.
    pub source: String,
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
    /// Nominal bore of a hose or arm, mm: a rupture is full bore, a leak 10 % of it.
    #[serde(default)]
    pub bore_mm: Option<Sourced<f64>>,
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

/// An F-N criterion line `F(>= N) <= c / N^alpha` for `n_min <= N <= n_max`.
#[derive(Clone, Copy, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CriterionLine {
    /// Frequency coefficient, per year (per km-year for routes).
    pub c: f64,
    /// Slope.
    pub alpha: f64,
    /// Smallest N the line applies to.
    pub n_min: f64,
    /// Largest N the line applies to (none: no end).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub n_max: Option<f64>,
}

impl CriterionLine {
    /// The limit at `n` (infinite outside the line's range).
    pub fn limit(&self, n: f64) -> f64 {
        self.line().limit(n)
    }

    /// As a line of the exact F-N evaluation.
    pub fn line(&self) -> crate::risk::fn_curve::Line {
        crate::risk::fn_curve::Line {
            c: self.c,
            alpha: self.alpha,
            n_min: self.n_min,
            n_max: self.n_max.unwrap_or(f64::INFINITY),
        }
    }
}

/// Individual-risk limits for one class of protected object.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ProtectedLimit {
    /// Class id (`[[risk.protected]] class` names it).
    pub class: String,
    /// What the class covers.
    #[serde(default)]
    pub description: String,
    /// Limit near new installations, per year.
    pub new_per_year: f64,
    /// Limit near existing installations, per year.
    pub existing_per_year: f64,
}

/// `[[criteria]]`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CriteriaData {
    /// Identifier (`[risk] criteria` names it).
    pub id: String,
    /// Societal-risk line for establishments (parks, docks, lots): above it the risk is intolerable.
    pub establishment: CriterionLine,
    /// Below this line an establishment's societal risk is broadly acceptable (between the two it must
    /// be reduced as far as practicable).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub establishment_acceptable: Option<CriterionLine>,
    /// Societal-risk line per km of transport route (none: the set has no route criterion).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route_per_km: Option<CriterionLine>,
    /// Individual-risk limit of the map (contours and populated cells), per year.
    pub individual_risk_per_year: f64,
    /// Individual-risk limits by class of protected object.
    #[serde(default)]
    pub protected: Vec<ProtectedLimit>,
    /// Where it comes from.
    pub source: String,
}
