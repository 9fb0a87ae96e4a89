//! `hazflow effect flash | release | dense-puff | dense-plume | jet-fire | vce` from the command line.

use super::{hazflow, json, num};

#[test]
fn flash_and_release_of_a_chlorine_tanker() {
    let v = json(&["effect", "flash", "--substance", "chlorine"]);
    // cp (T - Tb) / hv = 0.927 x 54 / 287.8 = 0.174 (a real-fluid EOS gives 0.181, qra-data.md 3).
    assert!((num(&v, "flash_fraction") - 0.174).abs() < 0.002, "{v}");
    assert!((num(&v, "airborne_fraction") - 2.0 * num(&v, "flash_fraction")).abs() < 1e-12);
    let v = json(&[
        "effect",
        "release",
        "--container",
        "road-tanker-pressurised",
        "--substance",
        "chlorine",
        "--scenario",
        "large-leak",
    ]);
    // A 2-inch hole under 6.8 bar and 2 m of liquid: 0.62 A sqrt(2 rho dP) = 51.9 kg/s, 30 t gone in
    // 578 s.
    let area = std::f64::consts::PI * 0.0254f64.powi(2);
    let dp: f64 = 6.8e5 - 101_325.0 + 1409.0 * 9.81 * 2.0;
    let rate = 0.62 * area * (2.0 * 1409.0 * dp).sqrt();
    assert!((num(&v, "rate_kg_s") / rate - 1.0).abs() < 1e-9, "{v}");
    assert!((num(&v, "released_kg") - 30_000.0).abs() < 1e-6);
    assert!((num(&v, "airborne_kg") + num(&v, "pool_kg") - 30_000.0).abs() < 1e-6);
    assert_eq!(v["pool_boils"], true);
    // One tube of a hydrogen trailer ruptures: an eighth of 300 kg, all of it airborne.
    let v = json(&[
        "effect",
        "release",
        "--container",
        "tube-trailer",
        "--substance",
        "hydrogen",
        "--scenario",
        "rupture",
        "--inventory-kg",
        "300",
    ]);
    assert_eq!(v["instantaneous"], true);
    assert!((num(&v, "airborne_kg") - 37.5).abs() < 1e-9, "{v}");
}

#[test]
fn dense_clouds_are_capped_and_hand_over() {
    let pure = 101_325.0 * 0.070906 / (8.314_462 * 293.15);
    let at = |x: &str| {
        json(&[
            "effect",
            "dense-puff",
            "--substance",
            "chlorine",
            "--mass-kg",
            "9000",
            "--wind-m-s",
            "1.5",
            "--stability",
            "F",
            "--x-m",
            x,
        ])
    };
    let near = at("5");
    assert!(num(&near, "concentration_kg_m3") <= pure * 1.0001, "{near}");
    let mid = at("500");
    assert_eq!(mid["regime"], "dense (Britter-McQuaid)");
    let c = num(&mid, "concentration_kg_m3");
    assert!((num(&mid, "concentration_ppm") - c / pure * 1e6).abs() < 1e-6 * c / pure * 1e6);
    // The case: a passive point source gave 67.5 kg/m3 at 500 m for 30 t in F1.5.
    assert!(c < 0.1 && num(&mid, "arrival_s") > 0.0 && num(&mid, "passage_s") > 0.0);
    let far = at("5000");
    assert_eq!(far["regime"], "passive (Gaussian, virtual source)");
    assert!(num(&far, "concentration_kg_m3") < c);
    // A light gas is passive from the start.
    let h2 = json(&[
        "effect",
        "dense-plume",
        "--substance",
        "hydrogen",
        "--release-kg-s",
        "1",
        "--wind-m-s",
        "3",
        "--stability",
        "D",
        "--x-m",
        "50",
    ]);
    assert_eq!(h2["dense_release"], false);
}

#[test]
fn jet_fires_and_explosions_of_gases() {
    // 100 kg of propane, open and medium congestion (Mach 0.44): at R' = 1 (45.05 m) about 15 kPa.
    let v = json(&[
        "effect",
        "vce",
        "--mass-kg",
        "100",
        "--substance",
        "lpg",
        "--distance-m",
        "45.05",
    ]);
    assert_eq!(num(&v, "flame_mach"), 0.44);
    assert!((num(&v, "overpressure_kpa") - 14.94).abs() < 0.1, "{v}");
    // Hydrogen in a congested park detonates (BST table: DDT).
    let v = json(&[
        "effect",
        "vce",
        "--mass-kg",
        "10",
        "--substance",
        "hydrogen",
        "--congestion",
        "high",
        "--distance-m",
        "20",
    ]);
    assert_eq!(num(&v, "flame_mach"), 5.2);
    // A 1 kg/s hydrogen jet: tau 0.15 x 120 MJ / (4 pi x^2), so four times less at twice the distance.
    let at = |d: &str| {
        num(
            &json(&[
                "effect",
                "jet-fire",
                "--release-kg-s",
                "1",
                "--substance",
                "hydrogen",
                "--distance-m",
                d,
            ]),
            "flux_kw_m2",
        )
    };
    let (near, far) = (at("10"), at("20"));
    assert!(
        near / far > 3.5
            && near / far < 4.5
            && near < 18_000.0 / (4.0 * std::f64::consts::PI * 100.0)
    );
}

#[test]
fn new_effect_models_reject_bad_input() {
    for args in [
        &["effect", "flash", "--substance", "unobtainium"][..],
        &["effect", "flash", "--substance", "methanol"][..],
        &[
            "effect",
            "release",
            "--container",
            "tank-barge",
            "--substance",
            "chlorine",
        ][..],
        &[
            "effect",
            "dense-puff",
            "--substance",
            "chlorine",
            "--mass-kg",
            "0",
            "--wind-m-s",
            "2",
            "--stability",
            "D",
            "--x-m",
            "100",
        ][..],
        &[
            "effect",
            "vce",
            "--mass-kg",
            "10",
            "--substance",
            "chlorine",
            "--distance-m",
            "5",
        ][..],
    ] {
        let o = hazflow(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(!String::from_utf8_lossy(&o.stderr).trim().is_empty());
    }
}
