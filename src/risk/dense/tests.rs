//! Tests of `risk::dense`.

use super::*;

fn air(wind: f64, stability: Stability, temperature_k: f64) -> Air {
    Air {
        temperature_k,
        wind_10m_m_s: wind,
        stability,
        terrain: Terrain::Rural,
    }
}

/// The curve values GasDispersion.jl tests against (CCPS 1999 digitisation).
#[test]
fn curves_reproduce_the_digitised_values() {
    let plume = |alpha: f64| -> Vec<f64> {
        PLUME_CURVES
            .iter()
            .map(|c| (beta_of(c, alpha) * 1000.0).round() / 1000.0)
            .collect()
    };
    assert_eq!(plume(-0.75), vec![1.75, 1.92, 2.08, 2.25, 2.40, 2.60]);
    assert_eq!(plume(-0.40), vec![1.784, 2.016, 2.21, 2.394, 2.564, 2.714]);
    assert_eq!(plume(0.0), vec![1.78, 1.96, 2.16, 2.35, 2.56, 2.71]);
    let puff = |alpha: f64| -> Vec<f64> {
        PUFF_CURVES
            .iter()
            .map(|c| (beta_of(c, alpha) * 10000.0).round() / 10000.0)
            .collect()
    };
    assert_eq!(puff(0.0), vec![0.81, 1.00, 1.19, 1.39, 1.62, 1.83, 2.05]);
    assert_eq!(
        puff(0.75),
        vec![0.93, 1.03, 1.185, 1.375, 1.525, 1.68, 1.8475]
    );
    // Every curve is continuous at its breakpoints.
    for curve in PLUME_CURVES.iter().chain(PUFF_CURVES.iter()) {
        for seg in curve.1.iter().filter(|s| s.0.is_finite()) {
            let a = seg.0;
            assert!(
                (beta_of(curve, a) - beta_of(curve, a + 1e-9)).abs() < 0.012,
                "{curve:?}"
            );
        }
    }
}

/// CCPS (1999) worked example (LNG spill of 0.23 m3/s, after Burro): the distance to the lower
/// flammability limit of 5 % is 367 m.
#[test]
fn lng_plume_reaches_five_percent_at_367_m() {
    let lng = DensePlume {
        rate_kg_s: 0.23 * 425.6,
        source: DenseSource {
            density_kg_m3: 1.76,
            temperature_k: 111.15,
            molar_mass_g_mol: 16.04,
        },
        air: air(10.9, Stability::D, 298.15),
    };
    assert!(lng.is_dense(), "{}", lng.alpha());
    let x = lng.distance_to_fraction(0.05);
    assert!((x / 367.0 - 1.0).abs() < 0.05, "{x}");
}

/// The concentration never exceeds the pure gas, falls with distance, and joins the passive
/// Gaussian without a jump at the hand-over.
#[test]
fn chlorine_puff_is_capped_monotone_and_continuous() {
    let chlorine = DenseSource {
        density_kg_m3: gas_density_kg_m3(70.9, 239.1),
        temperature_k: 239.1,
        molar_mass_g_mol: 70.9,
    };
    let puff = DensePuff {
        mass_kg: 30_000.0,
        source: chlorine,
        air: air(1.5, Stability::F, 293.15),
    };
    assert!(puff.is_dense());
    let pure = gas_density_kg_m3(70.9, 293.15);
    let mut last = f64::INFINITY;
    for k in 0..400 {
        let x = 10f64.powf(k as f64 / 80.0);
        let c = puff.at(x).concentration_kg_m3;
        assert!(c <= pure * (1.0 + 1e-12) && c > 0.0, "{x}: {c}");
        assert!(c <= last * (1.0 + 1e-9), "{x}: {c} after {last}");
        last = c;
    }
    let h = puff.handover_m();
    let before = puff.at(h * 0.999).concentration_kg_m3;
    let after = puff.at(h * 1.001).concentration_kg_m3;
    assert!((after / before - 1.0).abs() < 0.02, "{before} {after}");
    // 500 m in F1.5: about a thousand times less than the passive point source's 67.5 kg/m3.
    let c500 = puff.at(500.0).concentration_kg_m3;
    assert!(c500 < 0.3 && c500 > 1e-3, "{c500}");
}

#[test]
fn light_or_weak_releases_are_passive_from_a_pure_gas_source() {
    let hcl_vapour = DenseSource {
        density_kg_m3: gas_density_kg_m3(36.46, 293.15),
        temperature_k: 293.15,
        molar_mass_g_mol: 36.46,
    };
    let plume = DensePlume {
        rate_kg_s: 0.01,
        source: hcl_vapour,
        air: air(9.0, Stability::D, 293.15),
    };
    assert!(!plume.is_dense());
    let near = plume.at(0.0);
    assert!(!near.dense);
    assert!(
        (near.concentration_kg_m3 / gas_density_kg_m3(36.46, 293.15) - 1.0).abs() < 0.05,
        "{near:?}"
    );
    // Far away it is the passive plume itself, shifted by its small virtual source.
    let far = plume.at(2000.0).concentration_kg_m3;
    let passive = passive_plume_centre(0.01, &plume.air, 2000.0, Offsets { y_m: 0.0, z_m: 0.0 });
    assert!((far / passive - 1.0).abs() < 0.05, "{far} vs {passive}");
    // Hydrogen is lighter than air: passive.
    let h2 = DensePuff {
        mass_kg: 300.0,
        source: DenseSource {
            density_kg_m3: gas_density_kg_m3(2.016, 293.15),
            temperature_k: 293.15,
            molar_mass_g_mol: 2.016,
        },
        air: air(3.0, Stability::D, 293.15),
    };
    assert!(!h2.is_dense());
}

#[test]
fn units() {
    // Chlorine at 20 C: 2.95 kg/m3 as pure gas; 1 ppm = 2.95 mg/m3.
    let rho = gas_density_kg_m3(70.9, 293.15);
    assert!((rho - 2.948).abs() < 0.005, "{rho}");
    assert!((ppm_of_kg_m3(rho * 1e-6, 70.9, 293.15) - 1.0).abs() < 1e-9);
    assert_eq!(Spread::Uniform(3.0).factor(2.9), 1.0);
    assert!(
        (Spread::Gaussian(2.0).power_integral(1.0) - 2.0 * (2.0 * std::f64::consts::PI).sqrt())
            .abs()
            < 1e-12
    );
}
