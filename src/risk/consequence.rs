//! From a loss of containment to lethal effects: substances, the source term, the event tree (direct and
//! delayed ignition) and the physical effect of each outcome.
//!
//! Outcomes by substance state:
//!
//! | state | instantaneous | continuous |
//! |---|---|---|
//! | liquid, flammable | pool fire (direct ignition) | pool fire |
//! | liquid, toxic vapour | evaporating pool -> cloud | same |
//! | liquefied gas, flammable | BLEVE fireball (direct), explosion or flash fire (delayed) | jet fire (direct), explosion or flash fire (delayed) |
//! | compressed gas, flammable | flash fire (direct; no BLEVE without a superheated liquid), explosion or flash fire (delayed) | jet fire (direct), explosion or flash fire (delayed) |
//! | liquefied gas, toxic | cloud of the flashed vapour and aerosol, then the boiling pool's vapour | same |
//!
//! Clouds are dense or passive as their density says ([`super::dense`]); explosions follow
//! Baker-Strehlow-Tang with the congestion of the place, or TNT equivalence where the data ask for it.

use serde::{Deserialize, Serialize};

use super::blast::{Explosion, tnt_equivalent_kg};
use super::cloud::{Cloud, CloudHarm, CloudPart, flammable_length_m};
use super::dense::{Air, DenseSource, gas_density_kg_m3};
use super::dispersion::{Stability, Terrain};
use super::effects::{Blast, BurningPool, Effect};
use super::escalation::VesselClass;
use super::fire::{Fireball, JetFire, PoolFire};
use super::probit::ToxicProbit;
use super::source::{Ground, Outflow, Phase, Pool, SourceTerm, Spill, Thermo, source_term};
use super::vce::{Bst, Confinement, Congestion, Reactivity, flame_mach};

/// Wind of the reference weather (Purple Book D5) in which a plume's flammable mass is measured, m/s.
const REFERENCE_WIND_M_S: f64 = 5.0;

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
    /// Storage pressure, bar absolute (liquefied gases: the vapour pressure).
    pub pressure_bar: f64,
    /// Heat of combustion, MJ/kg (0: not flammable).
    pub hc_mj_per_kg: f64,
    /// Pool burning rate, kg/(m2 s).
    pub burning_rate_kg_m2_s: f64,
    /// Radiative fraction of pool and jet fires.
    pub radiative_fraction: f64,
    /// Radiative fraction of a fireball (`None`: Roberts' `0.27 P^0.32` of the burst pressure).
    pub fireball_radiative_fraction: Option<f64>,
    /// Flux on a target engulfed in a pool fire of it, kW/m2.
    pub flame_flux_kw_m2: f64,
    /// Bore of the hoses that transfer it, mm (none: the site's usual hose).
    pub transfer_bore_mm: Option<f64>,
    /// Lower flammability limit, kg/m3.
    pub lfl_kg_m3: f64,
    /// Toxic probit (mg/m3, min), if inhalation kills.
    pub toxic: Option<ToxicProbit>,
    /// Molar mass, g/mol.
    pub molar_mass_g_mol: f64,
    /// Ignition category.
    pub ignition: IgnitionCategory,
    /// Properties for the source term.
    pub thermo: Thermo,
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

    /// How it flows out of a breach.
    pub fn phase(&self) -> Phase {
        match self.state {
            SubstanceState::LiquefiedPressurised => Phase::LiquefiedGas,
            SubstanceState::CompressedGas => Phase::CompressedGas,
            SubstanceState::Liquid | SubstanceState::Inert => Phase::Liquid,
        }
    }

    /// BST reactivity of its vapour (from the Purple Book ignition category of gases; liquids' vapours
    /// count as medium).
    pub fn reactivity(&self) -> Reactivity {
        match self.ignition {
            IgnitionCategory::GasLow => Reactivity::Low,
            IgnitionCategory::GasHigh => Reactivity::High,
            _ => Reactivity::Medium,
        }
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

/// How explosions are modelled.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum BlastRule {
    /// Baker-Strehlow-Tang with the place's confinement and congestion.
    Bst,
    /// TNT equivalence at this efficiency.
    Tnt {
        /// Share of the combustion energy.
        efficiency: f64,
    },
}

/// What an explosion finds where the cloud ignites.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ExplosionSite {
    /// Confinement.
    pub confinement: Confinement,
    /// Congestion.
    pub congestion: Congestion,
    /// Congested volume that limits the exploding fuel, m3 (`None`: the whole cloud).
    pub congested_volume_m3: Option<f64>,
}

/// The event-tree probabilities and conventions (from the risk data's `[ignition]`).
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
    /// Share of the inventory in a fireball.
    pub fireball_fraction: f64,
    /// Seconds of a continuous release that make up an exploding cloud.
    pub exploding_cloud_s: f64,
    /// Airborne share of a flashing release as a multiple of the flash fraction.
    pub aerosol_factor: f64,
    /// Apply the Britter-McQuaid correction of cold sources in clouds.
    pub cold_source_correction: bool,
    /// Explosion model.
    pub blast: BlastRule,
}

/// Where a release happens, as far as its effects are concerned.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ReleaseSite {
    /// Largest pool, m2 (bund or unconfined spill).
    pub max_pool_area_m2: f64,
    /// Depth at which a spill stops spreading, m.
    pub min_pool_depth_m: f64,
    /// Longest continuous release, s (isolation or intervention).
    pub max_duration_s: f64,
    /// Air temperature, K.
    pub ambient_k: f64,
    /// The ground under a pool.
    pub ground: Ground,
    /// Confinement and congestion for explosions.
    pub explosion: ExplosionSite,
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

/// Purple Book size band of an outflow: continuous < 10 / 10-100 / > 100 kg/s, instantaneous < 1 / 1-10
/// / > 10 t.
fn band(out: &Outflow) -> usize {
    let (value, small, large) = if out.instantaneous {
        (out.mass_kg, 1000.0, 10_000.0)
    } else {
        (out.rate_kg_s, 10.0, 100.0)
    };
    if value < small {
        0
    } else if value <= large {
        1
    } else {
        2
    }
}

impl EventTree {
    /// The source term of `out` of substance `s` at `site`.
    pub fn source_term(&self, s: &Substance, out: Outflow, site: &ReleaseSite) -> SourceTerm {
        let mut st = source_term(
            out,
            s.phase(),
            &s.thermo,
            s.molar_mass_g_mol,
            s.liquid_density_kg_m3,
            site.ambient_k,
            self.aerosol_factor,
            &Spill {
                min_depth_m: site.min_pool_depth_m,
                max_area_m2: site.max_pool_area_m2,
            },
        );
        if !self.cold_source_correction {
            // The cloud keeps its density (how it slumps) but mixes as if warmed as it goes.
            st.gas.temperature_k = site.ambient_k;
        }
        st
    }

    /// The outcomes of a release of `substance` with their probabilities (summing to 1).
    pub fn outcomes(&self, substance: &Substance, st: &SourceTerm) -> Vec<(Outcome, f64)> {
        use SubstanceState::*;
        if substance.is_inert() || st.outflow.mass_kg <= 0.0 {
            return vec![(Outcome::NoEffect, 1.0)];
        }
        let instantaneous = st.outflow.instantaneous;
        let mut out = Vec::with_capacity(4);
        let mut unignited = 1.0;
        if substance.flammable() {
            match substance.state {
                Liquid => {
                    let direct = match substance.ignition {
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
                    let direct = self.gas[reactivity][band(&st.outflow)];
                    let immediate = match (instantaneous, substance.state) {
                        (false, _) => Outcome::JetFire,
                        (true, LiquefiedPressurised) => Outcome::Fireball,
                        // A compressed gas has no superheated liquid to BLEVE: its cloud burns.
                        (true, _) => Outcome::FlashFire,
                    };
                    out.push((immediate, direct));
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
        // Merge repeated outcomes (a compressed gas's direct and delayed flash fires).
        let mut merged: Vec<(Outcome, f64)> = Vec::with_capacity(out.len());
        for (o, p) in out {
            match merged.iter_mut().find(|m| m.0 == o) {
                Some(m) => m.1 += p,
                None => merged.push((o, p)),
            }
        }
        merged.retain(|&(_, p)| p > 0.0);
        merged
    }

    /// The cloud of a source term, harming as `harm`.
    fn cloud(&self, s: &Substance, st: &SourceTerm, site: &ReleaseSite, harm: CloudHarm) -> Cloud {
        let airborne = (st.airborne_fraction > 0.0).then(|| {
            if st.outflow.instantaneous {
                CloudPart::Puff {
                    mass_kg: st.airborne_kg(),
                }
            } else {
                CloudPart::Plume {
                    rate_kg_s: st.airborne_kg_s(),
                    duration_s: st.outflow.duration_s,
                }
            }
        });
        let pool = st.pool.map(|pool| CloudPart::Pool {
            pool,
            thermo: s.thermo,
            ground: site.ground,
        });
        let pool_gas = match st.pool {
            Some(p) if p.boiling => st.gas,
            _ => DenseSource {
                density_kg_m3: gas_density_kg_m3(s.molar_mass_g_mol, site.ambient_k),
                temperature_k: site.ambient_k,
                molar_mass_g_mol: s.molar_mass_g_mol,
            },
        };
        Cloud {
            airborne,
            pool,
            gas: st.gas,
            pool_gas,
            harm,
        }
    }

    fn pool_fire(s: &Substance, pool: &Pool) -> Effect {
        Effect::Pool(BurningPool {
            fire: PoolFire {
                diameter_m: pool.diameter_m(),
                burning_rate_kg_m2_s: s.burning_rate_kg_m2_s,
                hc_mj_per_kg: s.hc_mj_per_kg,
                radiative_fraction: s.radiative_fraction,
            },
            flame_flux_kw_m2: s.flame_flux_kw_m2,
        })
    }

    /// The physical effect of `outcome`, if it has one.
    pub fn effect(
        &self,
        s: &Substance,
        st: &SourceTerm,
        outcome: Outcome,
        site: &ReleaseSite,
    ) -> Option<Effect> {
        let out = &st.outflow;
        match outcome {
            Outcome::NoEffect => None,
            Outcome::PoolFire => {
                let pool = st.pool.unwrap_or_else(|| {
                    Pool::spread(
                        out.mass_kg,
                        s.liquid_density_kg_m3,
                        site.min_pool_depth_m,
                        site.max_pool_area_m2,
                    )
                });
                Some(Self::pool_fire(s, &pool))
            }
            Outcome::JetFire => (!out.instantaneous).then_some(Effect::Jet(JetFire {
                rate_kg_s: out.rate_kg_s,
                hc_mj_per_kg: s.hc_mj_per_kg,
                radiative_fraction: s.radiative_fraction,
            })),
            Outcome::Fireball => Some(Effect::Fireball(Fireball::with_fraction(
                out.mass_kg * self.fireball_fraction,
                s.hc_mj_per_kg,
                s.pressure_bar,
                s.fireball_radiative_fraction,
            ))),
            Outcome::Explosion => {
                let fuel = if out.instantaneous {
                    st.airborne_kg()
                } else {
                    // The cloud that explodes: what has flowed before the ignition, at most the part of
                    // the plume above the lower flammability limit (`rate L / u`) in the reference
                    // weather (Purple Book D5).
                    let rate = st.airborne_kg_s();
                    let air = Air {
                        temperature_k: site.ambient_k,
                        wind_10m_m_s: REFERENCE_WIND_M_S,
                        stability: Stability::D,
                        terrain: Terrain::Rural,
                    };
                    let flammable = flammable_length_m(rate, st.gas, air, s.lfl_kg_m3);
                    (rate * self.exploding_cloud_s.min(out.duration_s.max(1.0)))
                        .min(rate * flammable / REFERENCE_WIND_M_S)
                };
                Some(Effect::Blast(match self.blast {
                    BlastRule::Tnt { efficiency } => Blast::Tnt(Explosion {
                        tnt_kg: tnt_equivalent_kg(fuel, s.hc_mj_per_kg, efficiency),
                    }),
                    BlastRule::Bst => {
                        let e = site.explosion;
                        let mach = flame_mach(e.confinement, s.reactivity(), e.congestion);
                        Blast::Bst(Bst::new(fuel, s.hc_mj_per_kg, e.congested_volume_m3, mach))
                    }
                }))
            }
            Outcome::FlashFire => Some(Effect::Cloud(self.cloud(
                s,
                st,
                site,
                CloudHarm::Flammable {
                    lfl_kg_m3: s.lfl_kg_m3,
                },
            ))),
            Outcome::Toxic => {
                let probit = s.toxic?;
                Some(Effect::Cloud(self.cloud(
                    s,
                    st,
                    site,
                    CloudHarm::Toxic { probit },
                )))
            }
        }
    }

    /// What a unit holding `inventory_kg` of `s` does when it fails in a fire: a liquid burns as a pool
    /// fire, a liquefied flammable gas makes a BLEVE fireball, a compressed one a flash fire, a toxic
    /// one escapes as a cloud.
    pub fn failure_effect(
        &self,
        s: &Substance,
        inventory_kg: f64,
        site: &ReleaseSite,
    ) -> Option<Effect> {
        let out = Outflow {
            mass_kg: inventory_kg.max(0.0),
            instantaneous: true,
            rate_kg_s: 0.0,
            duration_s: 0.0,
        };
        let st = self.source_term(s, out, site);
        let outcome = if s.flammable() {
            match s.state {
                SubstanceState::Liquid => Outcome::PoolFire,
                SubstanceState::LiquefiedPressurised => Outcome::Fireball,
                _ => Outcome::FlashFire,
            }
        } else if s.toxic.is_some() {
            Outcome::Toxic
        } else {
            return None;
        };
        self.effect(s, &st, outcome, site)
    }
}

#[cfg(test)]
#[path = "consequence_tests.rs"]
pub(crate) mod tests;
