//! Toxic and flammable clouds: what a release puts into the air (a puff or a plume of the airborne part,
//! and the vapour of the pool it leaves), carried by the wind and diluted by the dense-gas and passive
//! models of [`super::dense`], and what it does to people at each point.
//!
//! A cloud is evaluated in one weather at a time: [`CloudProfile`] tabulates the centreline exposure of
//! each part every 5 % of distance out to where nobody dies, so that lethality anywhere costs an
//! interpolation. Toxic loads of the parts add (a person downwind breathes the puff and then the pool's
//! plume); a flash fire burns wherever any part is above the lower flammability limit.
//!
//! Toxic doses follow the cloud's real passage at each receptor: a dense puff's box passes in the time
//! its front and back take to cross the point, a passive puff as a Gaussian in time, a plume for as long
//! as the release (or the pool) lasts, all within the exposure cap. Indoors the same outdoor history
//! enters through the building's ventilation ([`Vulnerability`]).

use super::dense::{Air, CentrelineExposure, DensePlume, DensePuff, DenseSource, Spread};
use super::dispersion::Weather;
use super::floor_index;
use super::probit::ToxicProbit;
use super::source::{Ground, Pool, Thermo};
use super::vulnerability::{Lethality, Vulnerability};

/// One part of a cloud.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum CloudPart {
    /// Released at once, kg.
    Puff {
        /// Mass, kg.
        mass_kg: f64,
    },
    /// Released at a steady rate.
    Plume {
        /// Rate, kg/s.
        rate_kg_s: f64,
        /// Duration, s.
        duration_s: f64,
    },
    /// The vapour of a pool; its rate depends on the wind (ordinary liquids) or on the ground's heat
    /// (boiling liquefied gases).
    Pool {
        /// The pool.
        pool: Pool,
        /// Properties for its evaporation.
        thermo: Thermo,
        /// The ground under it.
        ground: Ground,
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
    },
}

/// A dispersing cloud: up to two parts of one substance.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Cloud {
    /// The airborne release.
    pub airborne: Option<CloudPart>,
    /// The pool's vapour.
    pub pool: Option<CloudPart>,
    /// The airborne gas as released (density and temperature decide whether it is dense).
    pub gas: DenseSource,
    /// The pool's vapour (at the boiling point for a boiling pool, at ambient temperature otherwise).
    pub pool_gas: DenseSource,
    /// Harm.
    pub harm: CloudHarm,
}

impl Cloud {
    /// A key that is equal for equal clouds (their serialised form), for caches of their profiles.
    pub fn key(&self) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(256);
        ciborium::into_writer(self, &mut bytes).expect("a cloud serialises");
        bytes
    }

    fn parts(&self) -> impl Iterator<Item = (CloudPart, DenseSource)> + '_ {
        self.airborne
            .map(|p| (p, self.gas))
            .into_iter()
            .chain(self.pool.map(|p| (p, self.pool_gas)))
    }
}

/// One part's exposure at one distance: centreline concentration (mg/m3), crosswind shape, and the time
/// weights `w_out`, `w_in` (min) with outdoor load `C^n w_out` and indoor load `C^n w_in` (toxic), or
/// the concentration alone (flammable).
#[derive(Clone, Copy, Debug, PartialEq)]
struct Node {
    c_mg_m3: f64,
    /// `c_mg_m3^n` (toxic clouds), so that lethality needs no power per point.
    c_n: f64,
    crosswind: Spread,
    w_out: f64,
    w_in: f64,
}

impl Node {
    /// `f(y)^n` of the crosswind shape.
    fn shape_n(&self, y_m: f64, n: f64) -> f64 {
        match self.crosswind {
            Spread::Uniform(half) => {
                if y_m.abs() <= half {
                    1.0
                } else {
                    0.0
                }
            }
            Spread::Gaussian(sigma) => (-n * y_m * y_m / (2.0 * sigma * sigma)).exp(),
        }
    }
}

/// Spacing of the profile's distances.
const STEP: f64 = 1.05;
/// Nothing is followed beyond 30 km.
const MAX_REACH_M: f64 = 30_000.0;
/// Lethality below this is taken as none.
const NEGLIGIBLE: f64 = 1e-6;

/// A cloud in one weather, tabulated along the wind.
#[derive(Clone, Debug)]
pub struct CloudProfile {
    harm: CloudHarm,
    /// Per distance node (1 m, 1.05 m, ...): one node per part.
    nodes: Vec<Vec<Node>>,
    reach_m: f64,
}

fn node_of(
    e: &CentrelineExposure,
    plume_s: Option<f64>,
    harm: &CloudHarm,
    v: &Vulnerability,
) -> Node {
    let (w_out, w_in) = match harm {
        CloudHarm::Flammable { .. } => (0.0, 0.0),
        CloudHarm::Toxic { probit } => {
            let n = probit.n;
            // A plume lasts as long as its release; a dense puff's box as long as it takes to pass.
            let lasting_min = match (plume_s, e.in_time) {
                (Some(seconds), _) => Some(seconds / 60.0),
                (None, Some(Spread::Uniform(half_s))) => Some(2.0 * half_s / 60.0),
                _ => None,
            };
            match (lasting_min, e.in_time) {
                (Some(minutes), _) => {
                    let m = minutes.min(v.toxic_exposure_cap_min);
                    (m, v.indoor_plume_factor(n, m))
                }
                (None, Some(Spread::Gaussian(sigma_s))) => {
                    let sigma_min = sigma_s / 60.0;
                    let w_out = sigma_min * (2.0 * std::f64::consts::PI / n).sqrt();
                    let dose_per_c = sigma_min * (2.0 * std::f64::consts::PI).sqrt();
                    (w_out, dose_per_c.powf(n) * v.indoor_passage_factor(n))
                }
                _ => (0.0, 0.0),
            }
        }
    };
    let c_mg_m3 = e.concentration_kg_m3 * 1e6;
    Node {
        c_mg_m3,
        c_n: match harm {
            CloudHarm::Toxic { probit } => c_mg_m3.powf(probit.n),
            CloudHarm::Flammable { .. } => 0.0,
        },
        crosswind: e.crosswind,
        w_out,
        w_in,
    }
}

impl CloudProfile {
    /// Tabulates `cloud` in `weather` with the air at `ambient_k`, out to where nobody dies.
    pub fn new(cloud: &Cloud, weather: &Weather, ambient_k: f64, v: &Vulnerability) -> Self {
        let air = Air {
            temperature_k: ambient_k,
            wind_10m_m_s: weather.wind_m_s,
            stability: weather.stability,
            terrain: weather.terrain,
        };
        let count = (MAX_REACH_M.ln() / STEP.ln()).ceil() as usize + 1;
        let xs: Vec<f64> = (0..count).map(|k| STEP.powi(k as i32)).collect();
        let mut columns: Vec<Vec<Node>> = Vec::new();
        for (part, gas) in cloud.parts() {
            let column = match part {
                CloudPart::Puff { mass_kg } => DensePuff {
                    mass_kg,
                    source: gas,
                    air,
                }
                .profile(&xs)
                .iter()
                .map(|e| node_of(e, None, &cloud.harm, v))
                .collect(),
                CloudPart::Plume {
                    rate_kg_s,
                    duration_s,
                } => plume_column(rate_kg_s, duration_s, gas, air, &xs, &cloud.harm, v),
                CloudPart::Pool {
                    pool,
                    thermo,
                    ground,
                } => {
                    let window = v.toxic_exposure_cap_min * 60.0;
                    let rate = pool.evaporation_kg_s(
                        &thermo,
                        gas.molar_mass_g_mol,
                        &ground,
                        weather.wind_m_s,
                        window,
                    );
                    let lasts = (pool.mass_kg / rate.max(1e-12)).min(window);
                    plume_column(rate, lasts, gas, air, &xs, &cloud.harm, v)
                }
            };
            columns.push(column);
        }
        let nodes: Vec<Vec<Node>> = (0..count)
            .map(|k| columns.iter().map(|c| c[k]).collect())
            .collect();
        let mut profile = Self {
            harm: cloud.harm,
            nodes,
            reach_m: 0.0,
        };
        let mut reach = 0.0;
        for (k, x) in xs.iter().enumerate() {
            if profile.node_lethality(k, 0.0, v, false).location > NEGLIGIBLE {
                reach = *x;
            }
        }
        profile.reach_m = if reach > 0.0 { reach * STEP } else { 0.0 };
        let keep = ((profile.reach_m.max(1.0).ln() / STEP.ln()).ceil() as usize + 2).min(count);
        profile.nodes.truncate(keep);
        profile
    }

    /// Nobody (outdoors or in) dies beyond this distance downwind, m.
    pub fn reach_m(&self) -> f64 {
        self.reach_m
    }

    /// Crosswind half-width holding the cloud at `x_m` downwind, m.
    pub fn half_width_m(&self, x_m: f64) -> f64 {
        let Some(k) = self.index(x_m) else { return 0.0 };
        self.nodes[k.0]
            .iter()
            .map(|n| n.crosswind.extent())
            .fold(0.0, f64::max)
    }

    fn index(&self, x_m: f64) -> Option<(usize, f64)> {
        if x_m < 1.0 || self.nodes.len() < 2 {
            return (x_m > 0.0 && !self.nodes.is_empty()).then_some((0, 0.0));
        }
        let pos = x_m.ln() / STEP.ln();
        let k = floor_index(pos);
        if k + 1 >= self.nodes.len() {
            return None;
        }
        Some((k, pos - k as f64))
    }

    fn node_lethality(&self, k: usize, y_m: f64, v: &Vulnerability, indoor: bool) -> Lethality {
        let parts = &self.nodes[k];
        match self.harm {
            CloudHarm::Flammable { lfl_kg_m3 } => {
                let lfl_mg = lfl_kg_m3 * 1e6;
                if parts
                    .iter()
                    .any(|n| n.c_mg_m3 * n.crosswind.factor(y_m) >= lfl_mg)
                {
                    v.flash_fire()
                } else {
                    Lethality::ZERO
                }
            }
            CloudHarm::Toxic { probit } => {
                let (mut outdoor, mut inside) = (0.0, 0.0);
                for n in parts {
                    if n.c_n <= 0.0 {
                        continue;
                    }
                    let cn = n.c_n * n.shape_n(y_m, probit.n);
                    outdoor += cn * n.w_out;
                    if indoor {
                        inside += cn * n.w_in;
                    }
                }
                if outdoor <= 0.0 {
                    return Lethality::ZERO;
                }
                v.toxic(&probit, outdoor, inside)
            }
        }
    }

    /// Lethality at `x_m` downwind and `y_m` crosswind (interpolated between the two nearest
    /// distances); `indoor` false skips the indoor load (location-based risk needs only the outdoor one).
    pub fn lethality(&self, x_m: f64, y_m: f64, v: &Vulnerability, indoor: bool) -> Lethality {
        let Some((k, f)) = self.index(x_m) else {
            return Lethality::ZERO;
        };
        let a = self.node_lethality(k, y_m, v, indoor);
        if f <= 0.0 || k + 1 >= self.nodes.len() {
            return a;
        }
        let b = self.node_lethality(k + 1, y_m, v, indoor);
        Lethality {
            location: a.location * (1.0 - f) + b.location * f,
            outdoor: a.outdoor * (1.0 - f) + b.outdoor * f,
            indoor: a.indoor * (1.0 - f) + b.indoor * f,
        }
    }

    /// Integral of the location lethality across the cloud at `x_m` downwind, m.
    pub fn crosswind_integral(&self, x_m: f64, v: &Vulnerability) -> f64 {
        const SPAN: usize = 21;
        let half = self.half_width_m(x_m).max(1.0);
        let dy = 2.0 * half / SPAN as f64;
        (0..SPAN)
            .map(|s| {
                self.lethality(x_m, -half + (s as f64 + 0.5) * dy, v, false)
                    .location
                    * dy
            })
            .sum()
    }
}

/// Length of the plume of `rate_kg_s` of `gas` above the lower flammability limit `lfl_kg_m3` on its
/// centreline in `air` (0 if it never reaches it), m: with the plume's mass `rate x / u` per length,
/// its flammable mass is `rate L / u`.
pub fn flammable_length_m(rate_kg_s: f64, gas: DenseSource, air: Air, lfl_kg_m3: f64) -> f64 {
    if rate_kg_s <= 0.0 || lfl_kg_m3 <= 0.0 {
        return 0.0;
    }
    let count = (MAX_REACH_M.ln() / STEP.ln()).ceil() as usize + 1;
    let xs: Vec<f64> = (0..count).map(|k| STEP.powi(k as i32)).collect();
    let profile = DensePlume {
        rate_kg_s,
        source: gas,
        air,
    }
    .profile(&xs);
    xs.iter()
        .zip(&profile)
        .filter(|(_, e)| e.concentration_kg_m3 >= lfl_kg_m3)
        .map(|(x, _)| *x)
        .fold(0.0, f64::max)
}

fn plume_column(
    rate_kg_s: f64,
    duration_s: f64,
    gas: DenseSource,
    air: Air,
    xs: &[f64],
    harm: &CloudHarm,
    v: &Vulnerability,
) -> Vec<Node> {
    if rate_kg_s <= 0.0 || duration_s <= 0.0 {
        return xs
            .iter()
            .map(|_| Node {
                c_mg_m3: 0.0,
                c_n: 0.0,
                crosswind: Spread::Uniform(0.0),
                w_out: 0.0,
                w_in: 0.0,
            })
            .collect();
    }
    let profile = DensePlume {
        rate_kg_s,
        source: gas,
        air,
    }
    .profile(xs);
    // A plume lasts as long at every distance: one set of time weights for the whole column.
    let Some(first) = profile.first() else {
        return Vec::new();
    };
    let template = node_of(first, Some(duration_s), harm, v);
    profile
        .iter()
        .map(|e| {
            let c_mg_m3 = e.concentration_kg_m3 * 1e6;
            Node {
                c_mg_m3,
                c_n: match harm {
                    CloudHarm::Toxic { probit } => c_mg_m3.powf(probit.n),
                    CloudHarm::Flammable { .. } => 0.0,
                },
                crosswind: e.crosswind,
                ..template
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::risk::dense::gas_density_kg_m3;
    use crate::risk::dispersion::{Stability, Terrain};
    use crate::risk::vulnerability::tests::purple_book;

    fn chlorine_gas() -> DenseSource {
        DenseSource {
            density_kg_m3: gas_density_kg_m3(70.9, 239.16),
            temperature_k: 239.16,
            molar_mass_g_mol: 70.9,
        }
    }

    fn toxic(airborne: CloudPart) -> Cloud {
        Cloud {
            airborne: Some(airborne),
            pool: None,
            gas: chlorine_gas(),
            pool_gas: chlorine_gas(),
            harm: CloudHarm::Toxic {
                probit: ToxicProbit {
                    a: -6.35,
                    b: 0.5,
                    n: 2.75,
                },
            },
        }
    }

    fn weather(stability: Stability, wind_m_s: f64) -> Weather {
        Weather {
            stability,
            wind_m_s,
            terrain: Terrain::Urban,
        }
    }

    /// The check: 9 t of chlorine in stable weather no longer kills half the people outdoors at
    /// 20 km (passive point source); the dense puff's 50 % distance is a few km, and stable weather
    /// carries it further than neutral.
    #[test]
    fn chlorine_puff_lethal_distances() {
        let v = purple_book();
        let cloud = toxic(CloudPart::Puff { mass_kg: 9000.0 });
        let stable = CloudProfile::new(&cloud, &weather(Stability::F, 1.5), 293.15, &v);
        let neutral = CloudProfile::new(&cloud, &weather(Stability::D, 5.0), 293.15, &v);
        let half = |p: &CloudProfile| {
            (0..4000)
                .map(|k| k as f64 * 10.0)
                .find(|&x| x > 10.0 && p.lethality(x, 0.0, &v, false).location < 0.5)
                .unwrap()
        };
        let (s, n) = (half(&stable), half(&neutral));
        assert!(s > n, "{s} vs {n}");
        assert!(s > 500.0 && s < 6000.0, "{s}");
        assert!(stable.reach_m() > neutral.reach_m());
        // Indoors is safer; off the centreline is safer.
        let l = stable.lethality(s, 0.0, &v, true);
        assert!(l.indoor < l.outdoor);
        assert!(
            stable
                .lethality(s, stable.half_width_m(s) * 1.5, &v, false)
                .location
                < 0.5
        );
    }

    /// A pool's vapour adds to the airborne puff: more lethal downwind than the puff alone.
    #[test]
    fn pool_vapour_adds_its_load() {
        let v = purple_book();
        let mut cloud = toxic(CloudPart::Puff { mass_kg: 100.0 });
        let alone = CloudProfile::new(&cloud, &weather(Stability::D, 5.0), 293.15, &v);
        cloud.pool = Some(CloudPart::Pool {
            pool: Pool {
                mass_kg: 6000.0,
                area_m2: 600.0,
                boiling: true,
            },
            thermo: Thermo {
                boiling_point_k: 239.16,
                liquid_cp_kj_kg_k: 0.927,
                vaporisation_kj_kg: 287.8,
                vapour_pressure_pa: 6.8e5,
                gamma: 1.33,
            },
            ground: Ground {
                conductivity_w_m_k: 1.28,
                diffusivity_m2_s: 6.6e-7,
                temperature_k: 293.15,
            },
        });
        let both = CloudProfile::new(&cloud, &weather(Stability::D, 5.0), 293.15, &v);
        assert!(both.reach_m() >= alone.reach_m());
        let x = (1..3000)
            .map(|k| k as f64 * 5.0)
            .find(|&x| alone.lethality(x, 0.0, &v, false).location < 0.5)
            .unwrap();
        let (a, b) = (
            alone.lethality(x, 0.0, &v, false).location,
            both.lethality(x, 0.0, &v, false).location,
        );
        assert!(b > a * 1.01, "{a} {b} at {x}");
    }

    /// A flash fire: lethal outdoors inside the LFL, nowhere indoors, nothing beyond.
    #[test]
    fn flash_fire_follows_the_lfl() {
        let v = purple_book();
        let lpg = DenseSource {
            density_kg_m3: gas_density_kg_m3(44.1, 231.0),
            temperature_k: 231.0,
            molar_mass_g_mol: 44.1,
        };
        let cloud = Cloud {
            airborne: Some(CloudPart::Plume {
                rate_kg_s: 20.0,
                duration_s: 600.0,
            }),
            pool: None,
            gas: lpg,
            pool_gas: lpg,
            harm: CloudHarm::Flammable { lfl_kg_m3: 0.038 },
        };
        let p = CloudProfile::new(&cloud, &weather(Stability::D, 5.0), 293.15, &v);
        let r = p.reach_m();
        assert!(r > 20.0 && r < 2000.0, "{r}");
        assert_eq!(p.lethality(r * 0.5, 0.0, &v, true).outdoor, 1.0);
        assert_eq!(p.lethality(r * 0.5, 0.0, &v, true).indoor, 0.0);
        assert_eq!(p.lethality(r * 1.2, 0.0, &v, true).outdoor, 0.0);
    }
}
