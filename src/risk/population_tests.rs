//! Tests of `risk::population`.

use super::*;
use crate::risk::consequence::Outcome;
use crate::risk::consequence::tests::{chlorine, site, tree};
use crate::risk::dispersion::{Stability, Terrain};
use crate::risk::effects::BurningPool;
use crate::risk::fire::PoolFire;
use crate::risk::source::Outflow;
use crate::risk::vulnerability::tests::purple_book;

fn uniform(density: f64) -> DensityRaster {
    DensityRaster::build(&[], [density, density], [-50.0, 50.0, -50.0, 50.0], 0.1)
}

fn conditions(v: &Vulnerability) -> Conditions<'_> {
    Conditions {
        weather: Weather {
            stability: Stability::D,
            wind_m_s: 5.0,
            terrain: Terrain::Urban,
        },
        wind_to_rad: 0.3,
        people: People {
            night: false,
            indoor_fraction: 0.0,
        },
        vulnerability: v,
        air: Atmosphere {
            relative_humidity: 0.7,
            ambient_c: 20.0,
        },
        ambient_k: 293.15,
    }
}

/// The toxic cloud of an instantaneous 5 t chlorine release.
fn chlorine_puff() -> Effect {
    let t = tree();
    let out = Outflow {
        mass_kg: 5000.0,
        instantaneous: true,
        rate_kg_s: 0.0,
        duration_s: 0.0,
    };
    let st = t.source_term(&chlorine(), out, &site());
    t.effect(&chlorine(), &st, Outcome::Toxic, &site()).unwrap()
}

#[test]
fn raster_takes_the_densest_disc() {
    let discs = [
        Disc {
            x_km: 0.0,
            y_km: 0.0,
            radius_km: 2.0,
            day_per_km2: 1000.0,
            night_per_km2: 800.0,
        },
        Disc {
            x_km: 1.0,
            y_km: 0.0,
            radius_km: 0.5,
            day_per_km2: 5000.0,
            night_per_km2: 100.0,
        },
    ];
    let r = DensityRaster::build(&discs, [10.0, 5.0], [-5.0, 5.0, -5.0, 5.0], 0.1);
    assert_eq!(r.density(1.0, 0.05, false), 5000.0);
    assert_eq!(r.density(1.0, 0.05, true), 800.0);
    assert_eq!(r.density(-1.0, 0.0, false), 1000.0);
    assert_eq!(r.density(4.0, 4.0, true), 5.0);
    assert_eq!(r.density(40.0, 0.0, false), 10.0);
}

/// Uniform density D: deaths = D * integral of lethality over the plane; for a pool fire that is
/// D * 2 pi * integral r P(r) dr, computed here by a fine 1-D quadrature.
/// The cache gives exactly what it caches, keyed by the effects and by who is out of doors.
#[test]
fn cached_radial_deaths_are_the_computed_ones() {
    let v = purple_book();
    let c = conditions(&v);
    // A town east of the fires, so that where a fire stands matters.
    let town = Disc {
        x_km: 0.1,
        y_km: 0.0,
        radius_km: 0.05,
        day_per_km2: 20_000.0,
        night_per_km2: 8_000.0,
    };
    let raster = DensityRaster::build(&[town], [2000.0, 500.0], [-5.0, 5.0, -5.0, 5.0], 0.01);
    let fire = |x_m: f64, diameter_m: f64| Placed {
        effect: Effect::Pool(BurningPool {
            fire: PoolFire {
                diameter_m,
                burning_rate_kg_m2_s: 0.055,
                hc_mj_per_kg: 43.7,
                radiative_fraction: 0.3,
            },
            flame_flux_kw_m2: 140.0,
        }),
        x_m,
        y_m: 0.0,
    };
    let sets = [
        vec![fire(0.0, 30.0)],
        vec![fire(0.0, 30.0), fire(40.0, 20.0)],
        vec![fire(5.0, 30.0)],
    ];
    let people = [
        c.people,
        People {
            night: true,
            indoor_fraction: 0.9,
        },
    ];
    let mut cache = RadialDeathsCache::default();
    let mut seen = Vec::new();
    for _ in 0..2 {
        for effects in &sets {
            for &p in &people {
                let cached = cache.deaths(effects, p, &v, &c.air, &raster);
                let direct = radial_deaths(effects, p, &v, &c.air, &raster);
                assert_eq!(cached.to_bits(), direct.to_bits());
                seen.push(cached.to_bits());
            }
        }
    }
    // Six distinct inputs, six distinct answers (none taken for another's).
    let mut distinct = seen[..6].to_vec();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(distinct.len(), 6);
    assert_eq!(seen[..6], seen[6..]);
}

#[test]
fn deaths_on_uniform_population_match_radial_quadrature() {
    let v = purple_book();
    let c = conditions(&v);
    let fire = Effect::Pool(BurningPool {
        fire: PoolFire {
            diameter_m: 30.0,
            burning_rate_kg_m2_s: 0.055,
            hc_mj_per_kg: 43.7,
            radiative_fraction: 0.3,
        },
        flame_flux_kw_m2: 140.0,
    });
    let effects = [Placed {
        effect: fire,
        x_m: 0.0,
        y_m: 0.0,
    }];
    let density = 2000.0;
    let n = deaths(&effects, &c, &uniform(density));
    let mut expected = 0.0;
    let dr = 0.01;
    let mut r = dr / 2.0;
    while r < 2000.0 {
        expected +=
            2.0 * std::f64::consts::PI * r * dr * fire.radial_lethality(r, &v, &c.air).outdoor;
        r += dr;
    }
    expected *= density / 1e6;
    assert!((n / expected - 1.0).abs() < 0.03, "{n} vs {expected}");
    // Everyone indoors: only the 35 kW/m2 zone kills.
    let indoors = Conditions {
        people: People {
            night: false,
            indoor_fraction: 1.0,
        },
        ..c
    };
    assert!(deaths(&effects, &indoors, &uniform(density)) < n);
}

#[test]
fn cloud_deaths_match_crosswind_quadrature_and_follow_the_wind() {
    let v = purple_book();
    let c = conditions(&v);
    let cloud = chlorine_puff();
    let effects = [Placed {
        effect: cloud,
        x_m: 0.0,
        y_m: 0.0,
    }];
    let density = 1000.0;
    let n = deaths(&effects, &c, &uniform(density));
    let profile = CloudProfile::new(cloud.cloud().unwrap(), &c.weather, c.ambient_k, &v);
    let reach = profile.reach_m();
    let mut expected = 0.0;
    let (dx, dy) = (2.0, 1.0);
    let mut x = dx / 2.0;
    while x < reach {
        let mut y = -1500.0;
        while y < 1500.0 {
            expected += profile.lethality(x, y, &v, true).outdoor * dx * dy;
            y += dy;
        }
        x += dx;
    }
    expected *= density / 1e6;
    assert!(
        n > 0.0 && (n / expected - 1.0).abs() < 0.05,
        "{n} vs {expected}"
    );
    // Only the people downwind die: a town upwind is safe, one downwind is not.
    let town = |bearing: f64| {
        let d = Disc {
            x_km: 0.6 * bearing.sin(),
            y_km: 0.6 * bearing.cos(),
            radius_km: 0.3,
            day_per_km2: 10_000.0,
            night_per_km2: 10_000.0,
        };
        DensityRaster::build(&[d], [0.0, 0.0], [-5.0, 5.0, -5.0, 5.0], 0.02)
    };
    assert!(deaths(&effects, &c, &town(c.wind_to_rad)) > 1.0);
    assert_eq!(
        deaths(&effects, &c, &town(c.wind_to_rad + std::f64::consts::PI)),
        0.0
    );
}

/// A warning nobody heeds, or one that comes after the cloud has passed every point, changes nothing;
/// a warning at once that everyone heeds puts everyone indoors; between the two, only the points the
/// cloud reaches after the warning are protected, so a later warning saves fewer.
#[test]
fn sheltering_after_a_warning_protects_only_where_the_cloud_comes_later() {
    let v = purple_book();
    let c = conditions(&v);
    let cloud = chlorine_puff();
    let profile = CloudProfile::new(cloud.cloud().unwrap(), &c.weather, c.ambient_k, &v);
    let field = CloudField::new(&profile, c.weather.wind_m_s, &v);
    let raster = uniform(1000.0);
    let plain = field.deaths(0.0, 0.0, c.wind_to_rad, c.people, &raster);
    let warned = |after_s: f64, compliance: f64| {
        let shelter = Shelter {
            after_s,
            compliance,
        };
        field.deaths_sheltering((0.0, 0.0), c.wind_to_rad, c.people, &raster, shelter)
    };
    assert!(plain > 0.0);
    assert_eq!(warned(0.0, 0.0).to_bits(), plain.to_bits());
    let passed_s = profile.reach_m() / c.weather.wind_m_s + 1.0;
    assert_eq!(warned(passed_s, 1.0).to_bits(), plain.to_bits());
    let indoors = People {
        indoor_fraction: 1.0,
        ..c.people
    };
    let all_in = field.deaths(0.0, 0.0, c.wind_to_rad, indoors, &raster);
    assert!((warned(0.0, 1.0) - all_in).abs() <= 1e-12 * plain);
    assert!(all_in < plain);
    let (early, late) = (warned(60.0, 0.8), warned(300.0, 0.8));
    assert!(
        warned(0.0, 0.8) < early && early < late && late < plain,
        "{early} {late}"
    );
}
