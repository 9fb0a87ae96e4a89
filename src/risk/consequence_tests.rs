//! Tests of `risk::consequence`.

use super::*;

pub(crate) fn tree() -> EventTree {
    EventTree {
        gas: [[0.02, 0.04, 0.09], [0.2, 0.5, 0.7], [0.2, 0.5, 0.7]],
        liquid: [0.065, 0.01, 0.0],
        delayed: 0.5,
        explosion_fraction: 0.4,
        fireball_fraction: 1.0,
        exploding_cloud_s: 180.0,
        aerosol_factor: 2.0,
        cold_source_correction: false,
        blast: BlastRule::Bst,
    }
}

pub(crate) fn chlorine() -> Substance {
    Substance {
        id: "chlorine".into(),
        state: SubstanceState::LiquefiedPressurised,
        liquid_density_kg_m3: 1409.0,
        pressure_bar: 6.8,
        hc_mj_per_kg: 0.0,
        burning_rate_kg_m2_s: 0.0,
        radiative_fraction: 0.0,
        fireball_radiative_fraction: None,
        flame_flux_kw_m2: 0.0,
        transfer_bore_mm: None,
        lfl_kg_m3: 0.0,
        toxic: Some(ToxicProbit {
            a: -6.35,
            b: 0.5,
            n: 2.75,
        }),
        molar_mass_g_mol: 70.9,
        ignition: IgnitionCategory::None,
        thermo: Thermo {
            boiling_point_k: 239.16,
            liquid_cp_kj_kg_k: 0.927,
            vaporisation_kj_kg: 287.8,
            vapour_pressure_pa: 6.8e5,
            gamma: 1.33,
        },
    }
}

pub(crate) fn lpg() -> Substance {
    Substance {
        id: "lpg".into(),
        state: SubstanceState::LiquefiedPressurised,
        liquid_density_kg_m3: 499.0,
        pressure_bar: 8.4,
        hc_mj_per_kg: 46.35,
        burning_rate_kg_m2_s: 0.099,
        radiative_fraction: 0.3,
        fireball_radiative_fraction: None,
        flame_flux_kw_m2: 140.0,
        transfer_bore_mm: None,
        lfl_kg_m3: 0.038,
        toxic: None,
        molar_mass_g_mol: 44.1,
        ignition: IgnitionCategory::GasAverage,
        thermo: Thermo {
            boiling_point_k: 231.08,
            liquid_cp_kj_kg_k: 2.46,
            vaporisation_kj_kg: 425.1,
            vapour_pressure_pa: 8.4e5,
            gamma: 1.13,
        },
    }
}

pub(crate) fn hydrogen() -> Substance {
    Substance {
        id: "hydrogen".into(),
        state: SubstanceState::CompressedGas,
        liquid_density_kg_m3: 0.0,
        pressure_bar: 200.0,
        hc_mj_per_kg: 120.0,
        burning_rate_kg_m2_s: 0.0,
        radiative_fraction: 0.15,
        fireball_radiative_fraction: None,
        flame_flux_kw_m2: 0.0,
        transfer_bore_mm: None,
        lfl_kg_m3: 3.3e-3,
        toxic: None,
        molar_mass_g_mol: 2.016,
        ignition: IgnitionCategory::GasHigh,
        thermo: Thermo {
            gamma: 1.41,
            ..Thermo::default()
        },
    }
}

pub(crate) fn site() -> ReleaseSite {
    ReleaseSite {
        max_pool_area_m2: 1200.0,
        min_pool_depth_m: 0.01,
        max_duration_s: 1800.0,
        ambient_k: 293.15,
        ground: Ground {
            conductivity_w_m_k: 1.28,
            diffusivity_m2_s: 6.6e-7,
            temperature_k: 293.15,
        },
        explosion: ExplosionSite {
            confinement: Confinement::ThreeD,
            congestion: Congestion::Low,
            congested_volume_m3: None,
        },
    }
}

fn instantaneous(mass_kg: f64) -> Outflow {
    Outflow {
        mass_kg,
        instantaneous: true,
        rate_kg_s: 0.0,
        duration_s: 0.0,
    }
}

#[test]
fn event_tree_branches_sum_to_one_and_follow_the_purple_book() {
    let t = tree();
    let st = t.source_term(&lpg(), instantaneous(20_000.0), &site());
    let branches = t.outcomes(&lpg(), &st);
    let p = |o: Outcome| branches.iter().find(|x| x.0 == o).map_or(0.0, |x| x.1);
    assert!((branches.iter().map(|x| x.1).sum::<f64>() - 1.0).abs() < 1e-12);
    // > 10 t, average reactivity: direct ignition 0.7 -> fireball.
    assert!((p(Outcome::Fireball) - 0.7).abs() < 1e-12);
    assert!((p(Outcome::Explosion) - 0.3 * 0.5 * 0.4).abs() < 1e-12);
    assert!((p(Outcome::FlashFire) - 0.3 * 0.5 * 0.6).abs() < 1e-12);
    let cont = Outflow {
        mass_kg: 3000.0,
        instantaneous: false,
        rate_kg_s: 5.0,
        duration_s: 600.0,
    };
    let st = t.source_term(&lpg(), cont, &site());
    assert_eq!(t.outcomes(&lpg(), &st)[0], (Outcome::JetFire, 0.2));
    let st = t.source_term(&chlorine(), instantaneous(20_000.0), &site());
    assert_eq!(t.outcomes(&chlorine(), &st), vec![(Outcome::Toxic, 1.0)]);
}

/// Compressed hydrogen never makes a BLEVE fireball: an instantaneous release that ignites at once
/// burns as a flash fire.
#[test]
fn compressed_gas_has_no_fireball() {
    let t = tree();
    let h2 = hydrogen();
    let st = t.source_term(&h2, instantaneous(300.0), &site());
    let branches = t.outcomes(&h2, &st);
    assert!(
        branches.iter().all(|b| b.0 != Outcome::Fireball),
        "{branches:?}"
    );
    let flash: f64 = branches
        .iter()
        .filter(|b| b.0 == Outcome::FlashFire)
        .map(|b| b.1)
        .sum();
    // Direct 0.2 (< 1 t, high reactivity) plus delayed 0.8 x 0.5 x 0.6.
    assert!(
        (flash - (0.2 + 0.8 * 0.5 * 0.6)).abs() < 1e-12,
        "{branches:?}"
    );
    assert!(matches!(
        t.failure_effect(&h2, 300.0, &site()),
        Some(Effect::Cloud(_))
    ));
    // A hydrogen explosion in an open, uncongested place is a slow deflagration (BST Mach 0.36).
    let Some(Effect::Blast(Blast::Bst(b))) = t.effect(&h2, &st, Outcome::Explosion, &site()) else {
        panic!()
    };
    assert_eq!(b.mach, 0.36);
}

/// A flashing chlorine release: about a third airborne as a dense puff, the rest a boiling pool
/// whose vapour joins the cloud.
#[test]
fn chlorine_cloud_has_a_puff_and_a_pool() {
    let t = tree();
    let st = t.source_term(&chlorine(), instantaneous(30_000.0), &site());
    let Some(Effect::Cloud(c)) = t.effect(&chlorine(), &st, Outcome::Toxic, &site()) else {
        panic!()
    };
    let Some(CloudPart::Puff { mass_kg }) = c.airborne else {
        panic!()
    };
    assert!((mass_kg / 30_000.0 - 0.348).abs() < 0.01);
    assert!(matches!(c.pool, Some(CloudPart::Pool { pool, .. }) if pool.boiling));
    assert!(c.gas.density_kg_m3 > 3.0);
}

#[test]
fn pool_fire_spreads_to_the_bund_or_the_largest_spill() {
    let t = tree();
    let methanol = Substance {
        id: "methanol".into(),
        state: SubstanceState::Liquid,
        liquid_density_kg_m3: 791.0,
        pressure_bar: 1.0,
        hc_mj_per_kg: 19.9,
        burning_rate_kg_m2_s: 0.017,
        radiative_fraction: 0.21,
        fireball_radiative_fraction: None,
        flame_flux_kw_m2: 70.0,
        transfer_bore_mm: None,
        lfl_kg_m3: 0.0,
        toxic: None,
        molar_mass_g_mol: 32.04,
        ignition: IgnitionCategory::K1,
        thermo: Thermo::default(),
    };
    let st = t.source_term(&methanol, instantaneous(30_000.0), &site());
    assert_eq!(t.outcomes(&methanol, &st)[0], (Outcome::PoolFire, 0.065));
    let Some(Effect::Pool(p)) = t.effect(&methanol, &st, Outcome::PoolFire, &site()) else {
        panic!()
    };
    // 30 t spreads to 3 793 m2 at 1 cm, capped at 1 200 m2: D = 39.1 m.
    assert!((p.fire.diameter_m - (4.0 * 1200.0 / std::f64::consts::PI).sqrt()).abs() < 1e-9);
    assert_eq!(p.flame_flux_kw_m2, 70.0);
}
