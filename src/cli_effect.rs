//! The command-line form of `hazflow effect`: clap-derived mirrors of the library's plain argument
//! types (`hazflow::assess::effect`, `hazflow::assess::release_effect`), converted field by field. The
//! library stays free of the argument parser; help texts and flag names are the same as before.

mod convert;

use clap::{Args, Subcommand, ValueEnum};
use hazflow::risk::dispersion::Stability;
use hazflow::risk::escalation::VesselClass;

/// One effect model and its inputs.
#[derive(Clone, Debug, Subcommand)]
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
    Flash(FlashArgs),
    /// Outflow of a container's release: rate, duration, airborne mass and pool.
    Release(ReleaseArgs),
    /// Dense-gas puff (Britter-McQuaid, passive beyond): concentration, width, arrival and passage.
    DensePuff(DensePuffArgs),
    /// Dense-gas plume (Britter-McQuaid, passive beyond).
    DensePlume(DensePlumeArgs),
    /// Jet fire of a gas release: flux and lethality at a distance.
    JetFire(JetFireArgs),
    /// Vapour-cloud explosion by Baker-Strehlow-Tang.
    Vce(VceArgs),
}

/// `fireball` inputs.
#[derive(Clone, Debug, Args)]
pub struct FireballArgs {
    /// Fuel mass, kg.
    #[arg(long)]
    pub mass_kg: f64,
    /// Heat of combustion, MJ/kg.
    #[arg(long)]
    pub heat_of_combustion_mj_per_kg: f64,
    /// Vessel pressure at burst, bar absolute.
    #[arg(long)]
    pub pressure_bar: f64,
    /// Ground distance from the point below the fireball centre, m.
    #[arg(long)]
    pub distance_m: f64,
    /// Relative humidity, 0-1.
    #[arg(long, default_value_t = 0.7)]
    pub relative_humidity: f64,
    /// Air temperature, C.
    #[arg(long, default_value_t = 20.0)]
    pub ambient_c: f64,
}

/// `pool-fire` inputs.
#[derive(Clone, Debug, Args)]
pub struct PoolFireArgs {
    /// Pool diameter, m.
    #[arg(long)]
    pub diameter_m: f64,
    /// Burning rate, kg/(m2 s).
    #[arg(long)]
    pub burning_rate_kg_m2_s: f64,
    /// Heat of combustion, MJ/kg.
    #[arg(long)]
    pub heat_of_combustion_mj_per_kg: f64,
    /// Radiative fraction.
    #[arg(long, default_value_t = 0.3)]
    pub radiative_fraction: f64,
    /// Distance from the pool centre, m.
    #[arg(long)]
    pub distance_m: f64,
    /// Relative humidity, 0-1.
    #[arg(long, default_value_t = 0.7)]
    pub relative_humidity: f64,
    /// Air temperature, C.
    #[arg(long, default_value_t = 20.0)]
    pub ambient_c: f64,
}

/// Terrain flag.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum TerrainArg {
    /// Open country.
    Rural,
    /// Built-up.
    Urban,
}

/// `plume` inputs.
#[derive(Clone, Debug, Args)]
pub struct PlumeArgs {
    /// Pasquill stability class A..F.
    #[arg(long)]
    pub stability: Stability,
    /// Terrain.
    #[arg(long, value_enum)]
    pub terrain: TerrainArg,
    /// Wind speed, m/s.
    #[arg(long)]
    pub wind_m_s: f64,
    /// Release rate, kg/s.
    #[arg(long)]
    pub release_kg_s: f64,
    /// Where the concentration is wanted.
    #[command(flatten)]
    pub at: Receptor,
}

/// A receptor relative to a dispersion source (shared by `plume` and `puff`).
#[derive(Clone, Debug, Args)]
pub struct Receptor {
    /// Downwind distance, m.
    #[arg(long)]
    pub x_m: f64,
    /// Crosswind distance, m.
    #[arg(long, default_value_t = 0.0)]
    pub y_m: f64,
    /// Height above ground, m.
    #[arg(long, default_value_t = 0.0)]
    pub z_m: f64,
    /// Release height, m.
    #[arg(long, default_value_t = 0.0)]
    pub source_height_m: f64,
}

/// `puff` inputs.
#[derive(Clone, Debug, Args)]
pub struct PuffArgs {
    /// Pasquill stability class A..F.
    #[arg(long)]
    pub stability: Stability,
    /// Wind speed, m/s.
    #[arg(long)]
    pub wind_m_s: f64,
    /// Mass released at once, kg.
    #[arg(long)]
    pub mass_kg: f64,
    /// Where the concentration is wanted.
    #[command(flatten)]
    pub at: Receptor,
    /// Toxic probit id (e.g. chlorine) for the dose and lethality as the puff passes.
    #[arg(long)]
    pub toxic: Option<String>,
}

/// `tnt` inputs.
#[derive(Clone, Debug, Args)]
pub struct TntArgs {
    /// Flammable mass in the cloud, kg.
    #[arg(long)]
    pub mass_kg: f64,
    /// Heat of combustion, MJ/kg.
    #[arg(long)]
    pub heat_of_combustion_mj_per_kg: f64,
    /// Explosion efficiency (0-1).
    #[arg(long)]
    pub efficiency: f64,
    /// Distance from the cloud centre, m.
    #[arg(long)]
    pub distance_m: f64,
}

/// `escalation` inputs.
#[derive(Clone, Debug, Args)]
pub struct EscalationArgs {
    /// Equipment class.
    #[arg(long)]
    pub vessel: VesselClass,
    /// Radiation received, kW/m2 (with --volume-m3).
    #[arg(long)]
    pub flux_kw_m2: Option<f64>,
    /// Vessel volume, m3.
    #[arg(long)]
    pub volume_m3: Option<f64>,
    /// Peak overpressure, kPa.
    #[arg(long)]
    pub overpressure_kpa: Option<f64>,
    /// Ignore the escalation thresholds (probit at any flux or overpressure).
    #[arg(long)]
    pub no_thresholds: bool,
}

/// Probit model flag.
#[derive(Clone, Copy, Debug, ValueEnum)]
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
#[derive(Clone, Debug, Args)]
pub struct ProbitArgs {
    /// Which probit.
    #[arg(long, value_enum)]
    pub model: ProbitModel,
    /// Heat flux, kW/m2.
    #[arg(long)]
    pub flux_kw_m2: Option<f64>,
    /// Exposure, s (thermal).
    #[arg(long)]
    pub duration_s: Option<f64>,
    /// Peak overpressure, kPa.
    #[arg(long)]
    pub overpressure_kpa: Option<f64>,
    /// Concentration, mg/m3.
    #[arg(long)]
    pub concentration_mg_m3: Option<f64>,
    /// Exposure, min (toxic).
    #[arg(long)]
    pub duration_min: Option<f64>,
}

/// `flash` inputs.
#[derive(Clone, Debug, Args)]
pub struct FlashArgs {
    /// Substance id of the risk data.
    #[arg(long)]
    pub substance: String,
    /// Temperature of the liquid before release, C.
    #[arg(long, default_value_t = 20.0)]
    pub temperature_c: f64,
}

/// Release sizes.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ScenarioArg {
    /// The container's small leak.
    SmallLeak,
    /// The container's large leak.
    LargeLeak,
    /// Catastrophic rupture.
    Rupture,
}

/// `release` inputs.
#[derive(Clone, Debug, Args)]
pub struct ReleaseArgs {
    /// Container kind (its release sizes and hole diameters come from the risk data).
    #[arg(long, value_enum)]
    pub container: ContainerArg,
    /// Substance id of the risk data.
    #[arg(long)]
    pub substance: String,
    /// Release size of the container.
    #[arg(long, value_enum, conflicts_with = "hole_mm")]
    pub scenario: Option<ScenarioArg>,
    /// A hole of this diameter instead of a release size, mm.
    #[arg(long)]
    pub hole_mm: Option<f64>,
    /// Contents, kg.
    #[arg(long, default_value_t = 30_000.0)]
    pub inventory_kg: f64,
    /// Pressure inside, bar absolute (default: the substance's storage pressure).
    #[arg(long)]
    pub pressure_bar: Option<f64>,
    /// Temperature, C.
    #[arg(long, default_value_t = 20.0)]
    pub temperature_c: f64,
}

/// Weather and place of a dense-gas calculation (shared by `dense-puff` and `dense-plume`).
#[derive(Clone, Debug, Args)]
pub struct DenseAir {
    /// Wind speed at 10 m, m/s.
    #[arg(long)]
    pub wind_m_s: f64,
    /// Pasquill stability class A..F (for the passive far field).
    #[arg(long)]
    pub stability: Stability,
    /// Surface roughness, m: at least 0.3 takes the urban Briggs sigmas, else the rural ones.
    #[arg(long, default_value_t = 0.1)]
    pub roughness_m: f64,
    /// Air temperature, C.
    #[arg(long, default_value_t = 20.0)]
    pub ambient_c: f64,
    /// Downwind distance, m.
    #[arg(long)]
    pub x_m: f64,
    /// Crosswind distance, m.
    #[arg(long, default_value_t = 0.0)]
    pub y_m: f64,
}

/// `dense-puff` inputs.
#[derive(Clone, Debug, Args)]
pub struct DensePuffArgs {
    /// Substance id of the risk data (molar mass; a liquefied gas is released as vapour at its boiling
    /// point).
    #[arg(long)]
    pub substance: String,
    /// Airborne mass, kg.
    #[arg(long)]
    pub mass_kg: f64,
    /// Weather and receptor.
    #[command(flatten)]
    pub air: DenseAir,
}

/// `dense-plume` inputs.
#[derive(Clone, Debug, Args)]
pub struct DensePlumeArgs {
    /// Substance id of the risk data.
    #[arg(long)]
    pub substance: String,
    /// Airborne rate, kg/s.
    #[arg(long)]
    pub release_kg_s: f64,
    /// Duration of the release, s (for the toxic load).
    #[arg(long, default_value_t = 600.0)]
    pub duration_s: f64,
    /// Weather and receptor.
    #[command(flatten)]
    pub air: DenseAir,
}

/// `jet-fire` inputs.
#[derive(Clone, Debug, Args)]
pub struct JetFireArgs {
    /// Release rate, kg/s.
    #[arg(long)]
    pub release_kg_s: f64,
    /// Substance id (heat of combustion and radiative fraction from the risk data).
    #[arg(long)]
    pub substance: String,
    /// Distance from the flame, m.
    #[arg(long)]
    pub distance_m: f64,
    /// Relative humidity, 0-1.
    #[arg(long, default_value_t = 0.7)]
    pub relative_humidity: f64,
    /// Air temperature, C.
    #[arg(long, default_value_t = 20.0)]
    pub ambient_c: f64,
}

/// Confinement flag.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ConfinementArg {
    /// Open.
    #[value(name = "3d")]
    ThreeD,
    /// Partly confined.
    #[value(name = "2.5d")]
    TwoAndHalfD,
    /// Between two planes.
    #[value(name = "2d")]
    TwoD,
}

/// Congestion flag.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum CongestionArg {
    /// Blockage below 10 %.
    Low,
    /// 10-40 %.
    Medium,
    /// Above 40 %.
    High,
}

/// `vce` inputs.
#[derive(Clone, Debug, Args)]
pub struct VceArgs {
    /// Fuel in the flammable cloud, kg.
    #[arg(long)]
    pub mass_kg: f64,
    /// Substance id (heat of combustion and reactivity from the risk data).
    #[arg(long)]
    pub substance: String,
    /// Confinement of the place.
    #[arg(long, value_enum, default_value = "3d")]
    pub confinement: ConfinementArg,
    /// Congestion of the place.
    #[arg(long, value_enum, default_value = "medium")]
    pub congestion: CongestionArg,
    /// Congested volume that limits the exploding fuel, m3.
    #[arg(long)]
    pub congested_volume_m3: Option<f64>,
    /// Distance from the cloud centre, m.
    #[arg(long)]
    pub distance_m: f64,
}

/// The kind of transport container a unit is (`--container`).
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ContainerArg {
    /// Road tanker of a liquefied gas.
    RoadTankerPressurised,
    /// Road tanker of a liquid.
    RoadTankerAtmospheric,
    /// Tube trailer of a compressed gas.
    TubeTrailer,
    /// Rail tank car of a liquefied or compressed gas.
    RailTankCarPressurised,
    /// Rail tank car of a liquid.
    RailTankCarAtmospheric,
    /// Inland tank barge.
    TankBarge,
}
