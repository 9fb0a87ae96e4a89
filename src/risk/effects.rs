//! The physical effects of an accident at their source, and what they do at a distance: radiation of
//! pool and jet fires and fireballs, blast, and (through [`super::cloud`]) toxic and flammable clouds.

use super::blast::Explosion;
use super::cloud::Cloud;
use super::fire::{Atmosphere, Fireball, JetFire, PoolFire};
use super::vce::Bst;
use super::vulnerability::{Lethality, Vulnerability};

/// An explosion: TNT equivalence or Baker-Strehlow-Tang.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Blast {
    /// TNT-equivalent mass with the Kinney-Graham curve.
    Tnt(Explosion),
    /// BST flame-speed curves.
    Bst(Bst),
}

impl Blast {
    /// Peak side-on overpressure at `distance_m`, kPa.
    pub fn overpressure_kpa(&self, distance_m: f64) -> f64 {
        match self {
            Blast::Tnt(e) => e.overpressure_kpa(distance_m.max(1.0)),
            Blast::Bst(b) => b.overpressure_kpa(distance_m),
        }
    }
}

/// A pool fire and the flux inside its flame.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct BurningPool {
    /// The fire.
    pub fire: PoolFire,
    /// Flux on a target engulfed in the flame, kW/m2.
    pub flame_flux_kw_m2: f64,
}

impl BurningPool {
    /// Flux at `distance_m` from the pool centre: the flame's own flux inside the pool, else the point
    /// source (capped at the surface emissive power).
    pub fn flux_kw_m2(&self, distance_m: f64, air: &Atmosphere) -> f64 {
        if distance_m <= self.fire.diameter_m / 2.0 {
            return self
                .flame_flux_kw_m2
                .max(self.fire.flux_kw_m2(distance_m, air));
        }
        self.fire.flux_kw_m2(distance_m, air)
    }
}

/// A physical effect at its source.
// Effects are small `Copy` values held by the thousand in accident records; boxing the large cloud
// variant would add an allocation per branch for a few bytes saved.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Effect {
    /// Pool fire.
    Pool(BurningPool),
    /// Jet fire.
    Jet(JetFire),
    /// Fireball.
    Fireball(Fireball),
    /// Explosion.
    Blast(Blast),
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

    /// The cloud, if this is one.
    pub fn cloud(&self) -> Option<&Cloud> {
        match self {
            Effect::Cloud(c) => Some(c),
            _ => None,
        }
    }

    /// Lethality at `r_m` from the source of an isotropic effect (zero for clouds).
    pub fn radial_lethality(&self, r_m: f64, v: &Vulnerability, air: &Atmosphere) -> Lethality {
        match self {
            Effect::Pool(f) => v.heat(f.flux_kw_m2(r_m, air), v.fire_exposure_s),
            Effect::Jet(f) => v.heat(f.flux_kw_m2(r_m, air), v.fire_exposure_s),
            Effect::Fireball(f) => v.heat(f.flux_kw_m2(r_m, air), f.duration_s),
            Effect::Blast(b) => v.blast(b.overpressure_kpa(r_m)),
            Effect::Cloud(_) => Lethality::ZERO,
        }
    }

    /// Distance beyond which nobody (outdoors or in) dies of an isotropic effect, m (0 for clouds: their
    /// reach depends on the weather, see [`super::cloud::CloudProfile`]).
    pub fn radial_reach_m(&self, v: &Vulnerability, air: &Atmosphere) -> f64 {
        if self.is_directional() {
            return 0.0;
        }
        // Blasts can kill indoors where they spare people outdoors, hence both.
        let lethal = |r: f64| {
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
            Effect::Blast(b) => b.overpressure_kpa(r_m),
            _ => 0.0,
        }
    }

    /// Can set off a domino cascade (lasting fires and blasts).
    pub fn escalates(&self) -> bool {
        matches!(self, Effect::Pool(_) | Effect::Jet(_) | Effect::Blast(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A pressurised tanker inside a burning 30 m pool sees the flame's flux, not the 23 kW/m2 of the
    /// averaged surface emissive power of a large smoky pool.
    #[test]
    fn engulfed_targets_receive_the_flame_flux() {
        let air = Atmosphere {
            relative_humidity: 0.7,
            ambient_c: 20.0,
        };
        let pool = BurningPool {
            fire: PoolFire {
                diameter_m: 30.0,
                burning_rate_kg_m2_s: 0.017,
                hc_mj_per_kg: 19.9,
                radiative_fraction: 0.21,
            },
            flame_flux_kw_m2: 100.0,
        };
        assert_eq!(Effect::Pool(pool).lasting_flux_kw_m2(10.0, &air), 100.0);
        let outside = Effect::Pool(pool).lasting_flux_kw_m2(40.0, &air);
        assert!(outside < 30.0 && outside > 0.0, "{outside}");
    }
}
