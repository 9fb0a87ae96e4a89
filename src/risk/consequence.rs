//! From a loss of containment to lethal effects: substances, the event tree (direct and delayed
//! ignition, instantaneous and continuous releases) and the physical effect of each outcome, with its
//! lethality around the source.
//!
//! Outcomes by substance state:
//!
//! | state | instantaneous | continuous |
//! |---|---|---|
//! | liquid, flammable | pool fire (direct ignition) | pool fire |
//! | liquid, toxic vapour | evaporating pool -> plume | same |
//! | liquefied / compressed, flammable | fireball (direct), explosion or flash fire (delayed) | jet fire (direct), explosion or flash fire (delayed) |
//! | liquefied, toxic | puff | plume |
//!
//! Dispersion is passive (neutral density) only: see `dispersion`.

use serde::{Deserialize, Serialize};

use super::blast::{Explosion, tnt_equivalent_kg};
use super::dispersion::{Plume, Puff, Weather, briggs_sigmas, puff_sigmas};
use super::escalation::VesselClass;
use super::fire::{Atmosphere, Fireball, JetFire, PoolFire};
use super::probit::ToxicProbit;
use super::vulnerability::{Lethality, Vulnerability};

/// Physical state of a substance as released.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SubstanceState {
    /// Gas liquefied under pressure (chlorine, ammonia, LPG).
    LiquefiedPressurised,
    /// Gas compressed (hydrogen tube trailers).
    CompressedGas,
    /// Liquid at ambient conditions (forms a pool).
    Liquid,
    /// No lethal effect off-site.
    Inert,
}

/// Ignition category (Purple Book).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IgnitionCategory {
    /// Gas of low reactivity.
    GasLow,
    /// Gas of average reactivity.
    GasAverage,
    /// Gas of high reactivity.
    GasHigh,
    /// Liquid, flash point below 21 C.
    K1,
    /// Liquid, flash point 21-55 C.
    K2,
    /// Liquid, flash point above 55 C.
    K3,
    /// Does not burn.
    None,
}

/// A substance, compiled from the risk data.
#[derive(Clone, Debug, PartialEq)]
pub struct Substance {
    /// Identifier.
    pub id: String,
    /// State as released.
    pub state: SubstanceState,
    /// Liquid density, kg/m3.
    pub liquid_density_kg_m3: f64,
    /// Storage pressure, bar absolute.
    pub pressure_bar: f64,
    /// Heat of combustion, MJ/kg (0: not flammable).
    pub hc_mj_per_kg: f64,
    /// Pool burning rate, kg/(m2 s).
    pub burning_rate_kg_m2_s: f64,
    /// Radiative fraction.
    pub radiative_fraction: f64,
    /// Lower flammability limit, kg/m3.
    pub lfl_kg_m3: f64,
    /// Toxic probit (mg/m3, min), if inhalation kills.
    pub toxic: Option<ToxicProbit>,
    /// Pool evaporation, kg/(m2 s).
    pub evaporation_kg_m2_s: f64,
    /// Molar mass, g/mol.
    pub molar_mass_g_mol: f64,
    /// Ignition category.
    pub ignition: IgnitionCategory,
}

impl Substance {
    /// No lethal effect at all.
    pub fn is_inert(&self) -> bool {
        self.state == SubstanceState::Inert
            || (self.ignition == IgnitionCategory::None && self.toxic.is_none())
    }

    /// Flammable.
    pub fn flammable(&self) -> bool {
        self.ignition != IgnitionCategory::None && self.hc_mj_per_kg > 0.0
    }

    /// Escalation class of a storage tank holding it.
    pub fn tank_class(&self) -> VesselClass {
        match self.state {
            SubstanceState::Liquid | SubstanceState::Inert => VesselClass::Atmospheric,
            _ => VesselClass::Pressurised,
        }
    }

    /// Escalation class of a tanker or tank wagon carrying it.
    pub fn vehicle_class(&self) -> VesselClass {
        match self.state {
            SubstanceState::Liquid | SubstanceState::Inert => VesselClass::Atmospheric,
            _ => VesselClass::Elongated,
        }
    }
}

/// Outflow through a hole of `area_m2` with discharge coefficient `cd`, kg/s: liquids and liquefied
/// gases by Bernoulli under their vapour pressure plus `head_m` of liquid; compressed gases by choked
/// flow (ratio of specific heats 1.4, 20 C).
pub fn hole_rate_kg_s(substance: &Substance, area_m2: f64, cd: f64, head_m: f64) -> f64 {
    const G: f64 = 9.81;
    match substance.state {
        SubstanceState::Liquid | SubstanceState::LiquefiedPressurised => {
            let rho = substance.liquid_density_kg_m3.max(1.0);
            let over_pa = (substance.pressure_bar - 1.01325).max(0.0) * 1e5 + rho * G * head_m;
            cd * area_m2 * (2.0 * rho * over_pa).sqrt()
        }
        SubstanceState::CompressedGas => {
            let gamma: f64 = 1.4;
            let molar_kg = substance.molar_mass_g_mol / 1000.0;
            let temperature_k = 293.15;
            let r = 8.314;
            let p = substance.pressure_bar * 1e5;
            let choke = (2.0 / (gamma + 1.0)).powf((gamma + 1.0) / (gamma - 1.0));
            cd * area_m2 * p * (gamma * molar_kg / (r * temperature_k) * choke).sqrt()
        }
        SubstanceState::Inert => 0.0,
    }
}

/// The event-tree probabilities (from the risk data's `[ignition]`).
#[derive(Clone, Debug, PartialEq)]
pub struct EventTree {
    /// Direct ignition of gases by reactivity (low, average, high) and size band.
    pub gas: [[f64; 3]; 3],
    /// Direct ignition of liquids K1, K2, K3.
    pub liquid: [f64; 3],
    /// Delayed ignition of a flammable gas cloud.
    pub delayed: f64,
    /// Share of delayed ignitions that explode.
    pub explosion_fraction: f64,
    /// TNT efficiency.
    pub tnt_efficiency: f64,
    /// Share of the inventory in a fireball.
    pub fireball_fraction: f64,
    /// Seconds of a continuous release that make up an exploding cloud.
    pub cloud_seconds: f64,
}

/// How much is released and how fast.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Release {
    /// All at once.
    Instantaneous {
        /// Mass, kg.
        mass_kg: f64,
    },
    /// At a constant rate.
    Continuous {
        /// Rate, kg/s.
        rate_kg_s: f64,
        /// Duration, s.
        duration_s: f64,
    },
}

impl Release {
    /// Total mass released, kg.
    pub fn mass_kg(&self) -> f64 {
        match *self {
            Release::Instantaneous { mass_kg } => mass_kg,
            Release::Continuous {
                rate_kg_s,
                duration_s,
            } => rate_kg_s * duration_s,
        }
    }
}

/// Where a release happens, as far as its effects are concerned.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ReleaseSite {
    /// Largest pool, m2 (bund or unconfined spill).
    pub max_pool_area_m2: f64,
    /// Depth at which a spill stops spreading, m.
    pub min_pool_depth_m: f64,
    /// Release height, m.
    pub height_m: f64,
    /// Longest continuous release, s.
    pub max_duration_s: f64,
}

/// Outcome of a release.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum Outcome {
    /// Nothing lethal (unignited flammable, inert).
    NoEffect,
    /// Pool fire.
    PoolFire,
    /// Jet fire.
    JetFire,
    /// BLEVE fireball.
    Fireball,
    /// Flash fire.
    FlashFire,
    /// Vapour-cloud explosion.
    Explosion,
    /// Toxic cloud.
    Toxic,
}

impl Outcome {
    /// Name in outputs.
    pub fn name(self) -> &'static str {
        match self {
            Outcome::NoEffect => "no_lethal_effect",
            Outcome::PoolFire => "pool_fire",
            Outcome::JetFire => "jet_fire",
            Outcome::Fireball => "fireball",
            Outcome::FlashFire => "flash_fire",
            Outcome::Explosion => "explosion",
            Outcome::Toxic => "toxic_cloud",
        }
    }
}

fn band(release: &Release) -> usize {
    match *release {
        Release::Instantaneous { mass_kg } => {
            if mass_kg < 1000.0 {
                0
            } else if mass_kg <= 10_000.0 {
                1
            } else {
                2
            }
        }
        Release::Continuous { rate_kg_s, .. } => {
            if rate_kg_s < 10.0 {
                0
            } else if rate_kg_s <= 100.0 {
                1
            } else {
                2
            }
        }
    }
}

impl EventTree {
    /// The outcomes of `release` of `substance` with their probabilities (summing to 1).
    pub fn outcomes(&self, substance: &Substance, release: &Release) -> Vec<(Outcome, f64)> {
        use SubstanceState::*;
        if substance.is_inert() || release.mass_kg() <= 0.0 {
            return vec![(Outcome::NoEffect, 1.0)];
        }
        let instantaneous = matches!(release, Release::Instantaneous { .. });
        let mut out = Vec::with_capacity(4);
        let mut unignited = 1.0;
        if substance.flammable() {
            match substance.state {
                Liquid => {
                    let direct = match substance.ignition {
                        IgnitionCategory::K1 => self.liquid[0],
                        IgnitionCategory::K2 => self.liquid[1],
                        IgnitionCategory::K3 => self.liquid[2],
                        _ => self.liquid[0],
                    };
                    out.push((Outcome::PoolFire, direct));
                    unignited = 1.0 - direct;
                }
                LiquefiedPressurised | CompressedGas => {
                    let reactivity = match substance.ignition {
                        IgnitionCategory::GasLow => 0,
                        IgnitionCategory::GasAverage => 1,
                        _ => 2,
                    };
                    let direct = self.gas[reactivity][band(release)];
                    out.push((
                        if instantaneous {
                            Outcome::Fireball
                        } else {
                            Outcome::JetFire
                        },
                        direct,
                    ));
                    let delayed = (1.0 - direct) * self.delayed;
                    out.push((Outcome::Explosion, delayed * self.explosion_fraction));
                    out.push((
                        Outcome::FlashFire,
                        delayed * (1.0 - self.explosion_fraction),
                    ));
                    unignited = (1.0 - direct) * (1.0 - self.delayed);
                }
                Inert => {}
            }
        }
        out.push((
            if substance.toxic.is_some() {
                Outcome::Toxic
            } else {
                Outcome::NoEffect
            },
            unignited,
        ));
        out.retain(|&(_, p)| p > 0.0);
        out
    }

    /// The physical effect of `outcome`, if it has one.
    pub fn effect(
        &self,
        substance: &Substance,
        release: &Release,
        outcome: Outcome,
        site: &ReleaseSite,
        v: &Vulnerability,
    ) -> Option<Effect> {
        let mass = release.mass_kg();
        let pool_area = || {
            let spread = mass / (substance.liquid_density_kg_m3.max(1.0) * site.min_pool_depth_m);
            spread.min(site.max_pool_area_m2).max(1.0)
        };
        let duration_s = match *release {
            Release::Instantaneous { .. } => 0.0,
            Release::Continuous { duration_s, .. } => duration_s.min(site.max_duration_s),
        };
        match outcome {
            Outcome::NoEffect => None,
            Outcome::PoolFire => Some(Effect::Pool(PoolFire {
                diameter_m: (4.0 * pool_area() / std::f64::consts::PI).sqrt(),
                burning_rate_kg_m2_s: substance.burning_rate_kg_m2_s,
                hc_mj_per_kg: substance.hc_mj_per_kg,
                radiative_fraction: substance.radiative_fraction,
            })),
            Outcome::JetFire => match *release {
                Release::Continuous { rate_kg_s, .. } => Some(Effect::Jet(JetFire {
                    rate_kg_s,
                    hc_mj_per_kg: substance.hc_mj_per_kg,
                    radiative_fraction: substance.radiative_fraction,
                })),
                Release::Instantaneous { .. } => None,
            },
            Outcome::Fireball => Some(Effect::Fireball(Fireball::ccps(
                mass * self.fireball_fraction,
                substance.hc_mj_per_kg,
                substance.pressure_bar,
            ))),
            Outcome::Explosion => {
                let cloud = match *release {
                    Release::Instantaneous { mass_kg } => mass_kg,
                    Release::Continuous { rate_kg_s, .. } => {
                        rate_kg_s * self.cloud_seconds.min(duration_s.max(1.0))
                    }
                };
                Some(Effect::Blast(Explosion {
                    tnt_kg: tnt_equivalent_kg(cloud, substance.hc_mj_per_kg, self.tnt_efficiency),
                }))
            }
            Outcome::FlashFire => Some(Effect::Cloud(Cloud {
                release: cloud_release(release, duration_s),
                height_m: site.height_m,
                harm: CloudHarm::Flammable {
                    lfl_kg_m3: substance.lfl_kg_m3,
                },
            })),
            Outcome::Toxic => {
                let probit = substance.toxic?;
                let cloud_release = if substance.state == SubstanceState::Liquid {
                    // The pool evaporates; the vapour leaves as a plume until the pool is gone.
                    let rate = substance.evaporation_kg_m2_s * pool_area();
                    let lasts = (mass / rate.max(1e-12)).min(site.max_duration_s);
                    CloudRelease::Plume {
                        rate_kg_s: rate,
                        duration_s: lasts,
                    }
                } else {
                    cloud_release(release, duration_s)
                };
                Some(Effect::Cloud(Cloud {
                    release: cloud_release,
                    height_m: site.height_m,
                    harm: CloudHarm::Toxic {
                        probit,
                        cap_min: v.toxic_exposure_cap_min,
                        indoor_factor: match cloud_release {
                            CloudRelease::Puff { .. } => v.indoor_passage_factor(probit.n),
                            CloudRelease::Plume { duration_s, .. } => v.indoor_plume_factor(
                                probit.n,
                                (duration_s / 60.0).min(v.toxic_exposure_cap_min),
                            ),
                        },
                    },
                }))
            }
        }
    }
}

fn cloud_release(release: &Release, duration_s: f64) -> CloudRelease {
    match *release {
        Release::Instantaneous { mass_kg } => CloudRelease::Puff { mass_kg },
        Release::Continuous { rate_kg_s, .. } => CloudRelease::Plume {
            rate_kg_s,
            duration_s,
        },
    }
}

/// A dispersing cloud's source.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum CloudRelease {
    /// Instantaneous.
    Puff {
        /// Mass, kg.
        mass_kg: f64,
    },
    /// Continuous.
    Plume {
        /// Rate, kg/s.
        rate_kg_s: f64,
        /// Duration, s.
        duration_s: f64,
    },
}

/// What a cloud does to people.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum CloudHarm {
    /// Burns inside the lower flammability limit (flash fire).
    Flammable {
        /// LFL, kg/m3.
        lfl_kg_m3: f64,
    },
    /// Poisons by its toxic load.
    Toxic {
        /// Probit, mg/m3 and min.
        probit: ToxicProbit,
        /// Longest exposure, min.
        cap_min: f64,
        /// Indoor load = (outdoor dose)^n x this (puffs) or (outdoor concentration)^n x this (plumes).
        indoor_factor: f64,
    },
}

/// A dispersing cloud.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Cloud {
    /// Source.
    pub release: CloudRelease,
    /// Release height, m.
    pub height_m: f64,
    /// Harm.
    pub harm: CloudHarm,
}

/// A physical effect at its source.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Effect {
    /// Pool fire.
    Pool(PoolFire),
    /// Jet fire.
    Jet(JetFire),
    /// Fireball.
    Fireball(Fireball),
    /// Explosion.
    Blast(Explosion),
    /// Flash fire or toxic cloud, carried by the wind.
    Cloud(Cloud),
}

/// Distances beyond which an effect is taken as harmless (lethality below 1e-6), m.
const MAX_REACH_M: f64 = 30_000.0;
const NEGLIGIBLE: f64 = 1e-6;

impl Effect {
    /// Depends on the wind direction.
    pub fn is_directional(&self) -> bool {
        matches!(self, Effect::Cloud(_))
    }

    /// Lethality at `r_m` from the source of an isotropic effect (zero for clouds).
    pub fn radial_lethality(&self, r_m: f64, v: &Vulnerability, air: &Atmosphere) -> Lethality {
        match self {
            Effect::Pool(f) => v.heat(f.flux_kw_m2(r_m, air), v.fire_exposure_s),
            Effect::Jet(f) => v.heat(f.flux_kw_m2(r_m, air), v.fire_exposure_s),
            Effect::Fireball(f) => v.heat(f.flux_kw_m2(r_m, air), f.duration_s),
            Effect::Blast(b) => v.blast(b.overpressure_kpa(r_m.max(1.0))),
            Effect::Cloud(_) => Lethality::ZERO,
        }
    }

    /// Lethality of a cloud at `x_m` downwind and `y_m` crosswind in `weather` (zero for other effects).
    pub fn cloud_lethality(
        &self,
        x_m: f64,
        y_m: f64,
        weather: &Weather,
        v: &Vulnerability,
    ) -> Lethality {
        self.cloud_lethality_with(x_m, y_m, weather, v, true)
    }

    /// Location-based lethality only (an unprotected person outdoors): cheaper, no indoor load.
    pub fn cloud_location_lethality(
        &self,
        x_m: f64,
        y_m: f64,
        weather: &Weather,
        v: &Vulnerability,
    ) -> f64 {
        self.cloud_lethality_with(x_m, y_m, weather, v, false)
            .location
    }

    fn cloud_lethality_with(
        &self,
        x_m: f64,
        y_m: f64,
        weather: &Weather,
        v: &Vulnerability,
        indoor: bool,
    ) -> Lethality {
        let Effect::Cloud(cloud) = self else {
            return Lethality::ZERO;
        };
        if x_m <= 0.0 {
            return Lethality::ZERO;
        }
        match cloud.harm {
            CloudHarm::Flammable { lfl_kg_m3 } => {
                let c = match cloud.release {
                    CloudRelease::Puff { mass_kg } => Puff {
                        mass_kg,
                        source_height_m: cloud.height_m,
                        weather: *weather,
                    }
                    .peak_kg_m3(x_m, y_m, 0.0),
                    CloudRelease::Plume { rate_kg_s, .. } => Plume {
                        rate_kg_s,
                        source_height_m: cloud.height_m,
                        weather: *weather,
                    }
                    .concentration_kg_m3(x_m, y_m, 0.0),
                };
                if c >= lfl_kg_m3 {
                    v.flash_fire()
                } else {
                    Lethality::ZERO
                }
            }
            CloudHarm::Toxic {
                probit,
                cap_min,
                indoor_factor,
            } => {
                let (outdoor, indoor_base) = match cloud.release {
                    CloudRelease::Puff { mass_kg } => {
                        let (load, dose) = Puff {
                            mass_kg,
                            source_height_m: cloud.height_m,
                            weather: *weather,
                        }
                        .loads_mg_min(probit.n, x_m, y_m, 0.0);
                        (load, dose)
                    }
                    CloudRelease::Plume {
                        rate_kg_s,
                        duration_s,
                    } => {
                        let c_mg = Plume {
                            rate_kg_s,
                            source_height_m: cloud.height_m,
                            weather: *weather,
                        }
                        .concentration_kg_m3(x_m, y_m, 0.0)
                            * 1e6;
                        (probit.load(c_mg, (duration_s / 60.0).min(cap_min)), c_mg)
                    }
                };
                if outdoor <= 0.0 {
                    return Lethality::ZERO;
                }
                let indoor = if indoor {
                    indoor_base.powf(probit.n) * indoor_factor
                } else {
                    0.0
                };
                v.toxic(&probit, outdoor, indoor)
            }
        }
    }

    /// Crosswind half-width to integrate a cloud over at `x_m` (4 sigma), m.
    pub fn cloud_half_width_m(&self, x_m: f64, weather: &Weather) -> f64 {
        let Effect::Cloud(cloud) = self else {
            return 0.0;
        };
        let sigma_y = match cloud.release {
            CloudRelease::Puff { .. } => puff_sigmas(weather.stability, x_m).0,
            CloudRelease::Plume { .. } => briggs_sigmas(weather.stability, weather.terrain, x_m).0,
        };
        4.0 * sigma_y
    }

    /// Distance beyond which nobody (outdoors or in) dies, m: for clouds along the centreline in
    /// `weather`, for the rest in any direction.
    pub fn reach_m(&self, weather: &Weather, v: &Vulnerability, air: &Atmosphere) -> f64 {
        // Indoors never fares worse than outdoors in a cloud, so its centreline location lethality
        // bounds both; blasts can kill indoors where they spare people outdoors.
        let lethal = |r: f64| {
            if self.is_directional() {
                return self.cloud_location_lethality(r, 0.0, weather, v) > NEGLIGIBLE;
            }
            let l = self.radial_lethality(r, v, air);
            l.location.max(l.indoor) > NEGLIGIBLE
        };
        // Scan outwards in 5 % steps; effects fall off monotonically beyond their near field.
        let mut r = 1.0;
        let mut last_lethal = 0.0;
        while r < MAX_REACH_M {
            if lethal(r) {
                last_lethal = r;
            } else if r > 4.0 * last_lethal.max(25.0) {
                break;
            }
            r *= 1.05;
        }
        last_lethal * 1.05
    }

    /// Radiation this effect keeps on a unit at `r_m` while it lasts (pool and jet fires), kW/m2.
    /// Fireballs are too short to escalate (Cozzani et al. 2006) and are not counted.
    pub fn lasting_flux_kw_m2(&self, r_m: f64, air: &Atmosphere) -> f64 {
        match self {
            Effect::Pool(f) => f.flux_kw_m2(r_m, air),
            Effect::Jet(f) => f.flux_kw_m2(r_m, air),
            _ => 0.0,
        }
    }

    /// Peak overpressure on a unit at `r_m`, kPa (explosions).
    pub fn blast_kpa(&self, r_m: f64) -> f64 {
        match self {
            Effect::Blast(b) => b.overpressure_kpa(r_m.max(1.0)),
            _ => 0.0,
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::risk::dispersion::{Stability, Terrain};
    use crate::risk::vulnerability::tests::purple_book;

    pub(crate) fn tree() -> EventTree {
        EventTree {
            gas: [[0.02, 0.04, 0.09], [0.2, 0.5, 0.7], [0.2, 0.5, 0.7]],
            liquid: [0.065, 0.01, 0.0],
            delayed: 0.5,
            explosion_fraction: 0.4,
            tnt_efficiency: 0.03,
            fireball_fraction: 1.0,
            cloud_seconds: 180.0,
        }
    }

    pub(crate) fn chlorine() -> Substance {
        Substance {
            id: "chlorine".into(),
            state: SubstanceState::LiquefiedPressurised,
            liquid_density_kg_m3: 1470.0,
            pressure_bar: 7.8,
            hc_mj_per_kg: 0.0,
            burning_rate_kg_m2_s: 0.0,
            radiative_fraction: 0.0,
            lfl_kg_m3: 0.0,
            toxic: Some(ToxicProbit {
                a: -6.35,
                b: 0.5,
                n: 2.75,
            }),
            evaporation_kg_m2_s: 0.0,
            molar_mass_g_mol: 70.9,
            ignition: IgnitionCategory::None,
        }
    }

    pub(crate) fn lpg() -> Substance {
        Substance {
            id: "lpg".into(),
            state: SubstanceState::LiquefiedPressurised,
            liquid_density_kg_m3: 500.0,
            pressure_bar: 8.5,
            hc_mj_per_kg: 46.35,
            burning_rate_kg_m2_s: 0.099,
            radiative_fraction: 0.3,
            lfl_kg_m3: 0.038,
            toxic: None,
            evaporation_kg_m2_s: 0.0,
            molar_mass_g_mol: 44.1,
            ignition: IgnitionCategory::GasAverage,
        }
    }

    pub(crate) fn site() -> ReleaseSite {
        ReleaseSite {
            max_pool_area_m2: 1200.0,
            min_pool_depth_m: 0.01,
            height_m: 1.0,
            max_duration_s: 1800.0,
        }
    }

    #[test]
    fn hole_outflow_rates() {
        let area = std::f64::consts::PI * 0.005f64.powi(2);
        // Chlorine liquid at 7.8 bar through 10 mm: 0.62 A sqrt(2 rho dP) with dP = 6.79 bar.
        let rate = hole_rate_kg_s(&chlorine(), area, 0.62, 0.0);
        let expected = 0.62 * area * (2.0 * 1470.0 * 6.78675e5f64).sqrt();
        assert!(
            (rate - expected).abs() < 1e-9 && (rate - 2.17).abs() < 0.01,
            "{rate}"
        );
        // Hydrogen at 200 bar: choked flow, about 0.61 kg/s through 10 mm.
        let mut h2 = lpg();
        h2.state = SubstanceState::CompressedGas;
        h2.pressure_bar = 200.0;
        h2.molar_mass_g_mol = 2.016;
        let rate = hole_rate_kg_s(&h2, area, 0.62, 0.0);
        assert!((rate - 0.606).abs() < 0.005, "{rate}");
    }

    #[test]
    fn event_tree_branches_sum_to_one_and_follow_the_purple_book() {
        let t = tree();
        let inst = Release::Instantaneous { mass_kg: 20_000.0 };
        let branches = t.outcomes(&lpg(), &inst);
        let p = |o: Outcome| branches.iter().find(|x| x.0 == o).map_or(0.0, |x| x.1);
        assert!((branches.iter().map(|x| x.1).sum::<f64>() - 1.0).abs() < 1e-12);
        // > 10 t, average reactivity: direct ignition 0.7 -> fireball.
        assert!((p(Outcome::Fireball) - 0.7).abs() < 1e-12);
        assert!((p(Outcome::Explosion) - 0.3 * 0.5 * 0.4).abs() < 1e-12);
        assert!((p(Outcome::FlashFire) - 0.3 * 0.5 * 0.6).abs() < 1e-12);
        let cont = t.outcomes(
            &lpg(),
            &Release::Continuous {
                rate_kg_s: 5.0,
                duration_s: 600.0,
            },
        );
        assert_eq!(cont[0], (Outcome::JetFire, 0.2));
        assert_eq!(t.outcomes(&chlorine(), &inst), vec![(Outcome::Toxic, 1.0)]);
    }

    #[test]
    fn chlorine_puff_is_lethal_kilometres_downwind_in_stable_weather() {
        let t = tree();
        let v = purple_book();
        let inst = Release::Instantaneous { mass_kg: 20_000.0 };
        let effect = t
            .effect(&chlorine(), &inst, Outcome::Toxic, &site(), &v)
            .unwrap();
        assert!(effect.is_directional());
        let stable = Weather {
            stability: Stability::F,
            wind_m_s: 1.5,
            terrain: Terrain::Urban,
        };
        let neutral = Weather {
            stability: Stability::D,
            wind_m_s: 5.0,
            terrain: Terrain::Urban,
        };
        let air = Atmosphere {
            relative_humidity: 0.7,
            ambient_c: 20.0,
        };
        let far_stable = effect.reach_m(&stable, &v, &air);
        let far_neutral = effect.reach_m(&neutral, &v, &air);
        assert!(far_stable > far_neutral, "{far_stable} vs {far_neutral}");
        assert!(far_stable > 1000.0);
        // Lethality falls off crosswind and downwind.
        let centre = effect.cloud_lethality(500.0, 0.0, &stable, &v).location;
        let side = effect.cloud_lethality(500.0, 100.0, &stable, &v).location;
        assert!(centre > side && centre > 0.5);
        // Indoors is safer.
        let l = effect.cloud_lethality(far_stable * 0.7, 0.0, &stable, &v);
        assert!(l.indoor < l.outdoor);
    }

    #[test]
    fn pool_fire_reach_is_where_the_probit_fades() {
        let t = tree();
        let v = purple_book();
        let methanol = Substance {
            id: "methanol".into(),
            state: SubstanceState::Liquid,
            liquid_density_kg_m3: 791.0,
            pressure_bar: 1.0,
            hc_mj_per_kg: 19.9,
            burning_rate_kg_m2_s: 0.017,
            radiative_fraction: 0.21,
            lfl_kg_m3: 0.0,
            toxic: None,
            evaporation_kg_m2_s: 0.0,
            molar_mass_g_mol: 32.04,
            ignition: IgnitionCategory::K1,
        };
        let release = Release::Instantaneous { mass_kg: 30_000.0 };
        assert_eq!(
            t.outcomes(&methanol, &release)[0],
            (Outcome::PoolFire, 0.065)
        );
        let fire = t
            .effect(&methanol, &release, Outcome::PoolFire, &site(), &v)
            .unwrap();
        let Effect::Pool(p) = fire else { panic!() };
        // 30 t spreads to 3 793 m2 at 1 cm, capped at 1 200 m2: D = 39.1 m.
        assert!((p.diameter_m - (4.0 * 1200.0 / std::f64::consts::PI).sqrt()).abs() < 1e-9);
        let air = Atmosphere {
            relative_humidity: 0.7,
            ambient_c: 20.0,
        };
        let weather = Weather {
            stability: Stability::D,
            wind_m_s: 5.0,
            terrain: Terrain::Urban,
        };
        let reach = fire.reach_m(&weather, &v, &air);
        assert!(fire.radial_lethality(reach * 1.01, &v, &air).location <= 1e-6);
        assert!(fire.radial_lethality(reach * 0.9, &v, &air).location > 1e-6);
        assert!(fire.lasting_flux_kw_m2(30.0, &air) > fire.lasting_flux_kw_m2(60.0, &air));
    }
}
