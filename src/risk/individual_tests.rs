//! Tests of `risk::individual`.

use super::*;
use crate::risk::consequence::Outcome;
use crate::risk::consequence::tests::{chlorine, site, tree};
use crate::risk::dispersion::{Stability, Terrain};
use crate::risk::effects::{BurningPool, Effect};
use crate::risk::fire::PoolFire;
use crate::risk::source::Outflow;
use crate::risk::vulnerability::tests::purple_book;

fn climate() -> Climate {
    let w = |stability, wind_m_s| Weather {
        stability,
        wind_m_s,
        terrain: Terrain::Urban,
    };
    Climate {
        classes: vec![
            (w(Stability::D, 5.0), 0.7, 0.4),
            (w(Stability::F, 1.5), 0.3, 0.6),
        ],
        wind_rose_from: [1.0 / 12.0; 12],
        ambient_k: 293.15,
    }
}

const AIR: Atmosphere = Atmosphere {
    relative_humidity: 0.7,
    ambient_c: 20.0,
};

#[test]
fn radial_footprint_matches_direct_evaluation() {
    let v = purple_book();
    let fire = pool_fire();
    let f = Footprint::new(
        &[Placed {
            effect: fire,
            x_m: 100.0,
            y_m: 50.0,
        }],
        1e-4,
        false,
        &climate(),
        &v,
        &AIR,
    );
    for r in [5.0, 20.0, 33.3, 47.0] {
        let direct = fire.radial_lethality(r, &v, &AIR).location;
        let table = f.lethality_at(100.0 + r, 50.0, &climate().wind_rose_from);
        assert!((direct - table).abs() < 0.01, "r={r}: {direct} vs {table}");
    }
    assert_eq!(
        f.lethality_at(100.0 + f.reach_m + 1.0, 50.0, &climate().wind_rose_from),
        0.0
    );
}

/// The sector average of a cloud equals the brute-force average over wind directions and weather,
/// within 10 %: the map reads the crosswind integral at the point's radius (a small-angle
/// approximation), which the wide box of a dense 2 t chlorine puff stretches at 500 m.
#[test]
fn cloud_footprint_equals_average_over_wind_and_weather() {
    let v = purple_book();
    let t = tree();
    let out = Outflow {
        mass_kg: 2000.0,
        instantaneous: true,
        rate_kg_s: 0.0,
        duration_s: 0.0,
    };
    let st = t.source_term(&chlorine(), out, &site());
    let cloud = t.effect(&chlorine(), &st, Outcome::Toxic, &site()).unwrap();
    let c = climate();
    let f = Footprint::new(
        &[Placed {
            effect: cloud,
            x_m: 0.0,
            y_m: 0.0,
        }],
        1.0,
        true,
        &c,
        &v,
        &AIR,
    );
    for (x, y) in [(300.0, 400.0), (-800.0, 100.0), (0.0, -1500.0)] {
        let table = f.lethality_at(x, y, &c.wind_rose_from);
        let profiles: Vec<CloudProfile> = c
            .classes
            .iter()
            .map(|(w, _, _)| CloudProfile::new(cloud.cloud().unwrap(), w, c.ambient_k, &v))
            .collect();
        let mut brute = 0.0;
        let directions = 7200;
        for k in 0..directions {
            let to = (k as f64 + 0.5) / directions as f64 * std::f64::consts::TAU;
            let (ux, uy) = (to.sin(), to.cos());
            let down = x * ux + y * uy;
            let cross = -x * uy + y * ux;
            for ((_, _, night), profile) in c.classes.iter().zip(&profiles) {
                brute +=
                    night / directions as f64 * profile.lethality(down, cross, &v, false).location;
            }
        }
        assert!(
            (table - brute).abs() < 0.10 * brute.max(0.01),
            "({x},{y}): {table} vs {brute}"
        );
    }
}

/// 80 x 80 cells of 5 m around the origin.
fn grid_80() -> Grid {
    Grid {
        x0_m: -200.0,
        y0_m: -200.0,
        cell_m: 5.0,
        nx: 80,
        ny: 80,
    }
}

/// A 20 m gasoline-like pool fire.
fn pool_fire() -> Effect {
    Effect::Pool(BurningPool {
        fire: PoolFire {
            diameter_m: 20.0,
            burning_rate_kg_m2_s: 0.055,
            hc_mj_per_kg: 43.7,
            radiative_fraction: 0.3,
        },
        flame_flux_kw_m2: 140.0,
    })
}

#[test]
fn grid_is_thread_independent_and_contours_close_around_the_source() {
    let v = purple_book();
    let fire = pool_fire();
    let c = climate();
    let footprints: Vec<Footprint> = (0..5)
        .map(|k| {
            Footprint::new(
                &[Placed {
                    effect: fire,
                    x_m: 10.0 * k as f64,
                    y_m: 0.0,
                }],
                1e-5,
                false,
                &c,
                &v,
                &AIR,
            )
        })
        .collect();
    let grid = grid_80();
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let a = one.install(|| individual_risk_grid(&footprints, &grid, &c.wind_rose_from));
    let b = individual_risk_grid(&footprints, &grid, &c.wind_rose_from);
    assert_eq!(a, b);
    let peak = a.iter().cloned().fold(0.0, f64::max);
    assert!(peak > 1e-5 * 0.99 && peak <= 5e-5 + 1e-12);
    let segments = contour_segments(&a, &grid, 1e-5);
    assert!(!segments.is_empty());
    for s in &segments {
        for p in s {
            assert!(p.0.abs() < 200.0 && p.1.abs() < 200.0);
        }
    }
    let points = individual_risk_at(&footprints, &[grid.centre(40, 40)], &c.wind_rose_from);
    assert!((points[0] - a[40 * 80 + 40]).abs() < 1e-15);
}

/// Footprints equal in everything but frequency share one class (a footprint elsewhere is one of a
/// kind), and the map they make together is, bit for bit, the sum in order of the maps each makes alone
/// (where nothing is shared).
/// Six fires: three equal at x = 0 and two at x = 10 m (frequencies differ), one alone at x = 33 m.
fn repeated_fires(c: &Climate) -> Vec<Footprint> {
    let v = purple_book();
    let fire = pool_fire();
    let at = |x_m: f64, frequency: f64| {
        Footprint::new(
            &[Placed {
                effect: fire,
                x_m,
                y_m: 0.0,
            }],
            frequency,
            false,
            c,
            &v,
            &AIR,
        )
    };
    vec![
        at(0.0, 1e-5),
        at(10.0, 2e-5),
        at(0.0, 3e-5),
        at(10.0, 1e-5),
        at(0.0, 7e-6),
        at(33.0, 1e-5),
    ]
}

#[test]
fn shared_footprints_give_the_map_bit_for_bit() {
    let c = climate();
    let footprints = repeated_fires(&c);
    let LethalityClasses { class_of, shared } = LethalityClasses::new(&footprints);
    assert_eq!(shared, 2);
    assert_eq!(class_of[0], class_of[2]);
    assert_eq!(class_of[0], class_of[4]);
    assert_eq!(class_of[1], class_of[3]);
    assert_ne!(class_of[0], class_of[1]);
    assert!(class_of[0].is_some() && class_of[5].is_none());
    let grid = grid_80();
    let together = individual_risk_grid(&footprints, &grid, &c.wind_rose_from);
    let mut alone = vec![0.0; grid.nx * grid.ny];
    for f in &footprints {
        let own = individual_risk_grid(std::slice::from_ref(f), &grid, &c.wind_rose_from);
        for (a, o) in alone.iter_mut().zip(&own) {
            *a += o;
        }
    }
    assert!(together.iter().any(|&x| x > 0.0));
    assert_eq!(
        together.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
        alone.iter().map(|x| x.to_bits()).collect::<Vec<_>>()
    );
}

/// Transects and protected objects share lethalities the same way: the risk at points along a line
/// (some beyond every reach) and at a single point is, bit for bit, the unshared sum in order.
#[test]
fn shared_footprints_give_points_bit_for_bit() {
    let c = climate();
    let footprints = repeated_fires(&c);
    let classes = LethalityClasses::new(&footprints);
    let line: Vec<(f64, f64)> = (-60..=60).map(|k| (k as f64 * 7.0, 5.0)).collect();
    let mut shared = vec![0.0; line.len()];
    add_point_risk(&footprints, &classes, &line, &c.wind_rose_from, &mut shared);
    // Unshared: each footprint's lethality computed at each point within its reach, added in order.
    let unshared = |points: &[(f64, f64)]| -> Vec<f64> {
        let mut values = vec![0.0; points.len()];
        for f in &footprints {
            for (v, &(x, y)) in values.iter_mut().zip(points) {
                if (x - f.centre.0).hypot(y - f.centre.1) <= f.reach_m {
                    *v += f.frequency_per_year * f.lethality_at(x, y, &c.wind_rose_from);
                }
            }
        }
        values
    };
    let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&shared), bits(&unshared(&line)));
    assert!(shared.iter().any(|&x| x > 0.0) && shared.contains(&0.0));
    let point = [(12.0, -4.0)];
    let mut one = 0.0;
    add_point_risk(
        &footprints,
        &classes,
        &point,
        &c.wind_rose_from,
        std::slice::from_mut(&mut one),
    );
    assert!(one > 0.0);
    assert_eq!(one.to_bits(), unshared(&point)[0].to_bits());
}
