//! The assessor tools from the command line: `hazflow effect` against published values, and
//! `hazflow cascade` (Monte Carlo against exact enumeration, symmetry, bad input).

use std::process::{Command, Output};

use serde_json::Value;

#[path = "risk_tools/source_effects.rs"]
mod source_effects;
#[path = "risk_tools/trials.rs"]
mod trials;

fn hazflow(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hazflow"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("hazflow runs")
}

fn json(args: &[&str]) -> Value {
    let o = hazflow(args);
    assert!(
        o.status.success(),
        "hazflow {args:?} failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).expect("one JSON object on stdout")
}

fn num(v: &Value, key: &str) -> f64 {
    v[key]
        .as_f64()
        .unwrap_or_else(|| panic!("no number `{key}` in {v}"))
}

#[test]
fn effect_models_reproduce_published_values() {
    // Purple Book thermal probit: 1 % at 9.85 kW/m2 for 20 s (risk-models.md 2.2).
    let v = json(&[
        "effect",
        "probit",
        "--model",
        "thermal",
        "--flux-kw-m2",
        "9.85",
        "--duration-s",
        "20",
    ]);
    assert!((num(&v, "probability") - 0.01).abs() < 2e-4, "{v}");
    // Lung haemorrhage at 100 kPa: Y = 2.4543150 (HyRAM test).
    let v = json(&[
        "effect",
        "probit",
        "--model",
        "lung",
        "--overpressure-kpa",
        "100",
    ]);
    assert!((num(&v, "probit") - 2.4543150).abs() < 1e-6);
    // Chlorine, Purple Book: the 30-minute LC50 is 1 116 mg/m3.
    let v = json(&[
        "effect",
        "probit",
        "--model",
        "chlorine",
        "--concentration-mg-m3",
        "1116",
        "--duration-min",
        "30",
    ]);
    assert!((num(&v, "probability") - 0.5).abs() < 1e-3);
    // Kinney-Graham: Z = 5 gives Ps/Pa = 0.28856; 297.115 kg TNT at 5 W^(1/3).
    let w: f64 = 1000.0 * 46_350.0 * 0.03 / 4680.0;
    let distance = format!("{}", 5.0 * w.cbrt());
    let v = json(&[
        "effect",
        "tnt",
        "--mass-kg",
        "1000",
        "--heat-of-combustion-mj-per-kg",
        "46.35",
        "--efficiency",
        "0.03",
        "--distance-m",
        &distance,
    ]);
    assert!((num(&v, "tnt_equivalent_kg") / w - 1.0).abs() < 1e-12);
    assert!((num(&v, "overpressure_kpa") / (0.28856 * 101.325) - 1.0).abs() < 1e-4);
    // Fireball, 10 t at 20 bar: D = 124.96 m, t = 9.695 s, SEP 328.5 kW/m2 (CCPS correlations).
    let v = json(&[
        "effect",
        "fireball",
        "--mass-kg",
        "10000",
        "--heat-of-combustion-mj-per-kg",
        "46.35",
        "--pressure-bar",
        "20",
        "--distance-m",
        "200",
        "--relative-humidity",
        "0.7",
        "--ambient-c",
        "20",
    ]);
    assert!((num(&v, "diameter_m") - 124.957).abs() < 1e-2);
    assert!((num(&v, "duration_s") - 9.695).abs() < 1e-3);
    assert!((num(&v, "surface_emissive_power_kw_m2") - 328.49).abs() < 0.01);
    let flux = num(&v, "flux_kw_m2");
    assert!(flux > 10.0 && flux < 30.0, "{flux}");
    assert!(num(&v, "fatality_probability") > 0.0 && num(&v, "fatality_probability") < 1.0);
    // Plume: F class, 0.1 kg/s, 2 m/s, 500 m, ground level: Q / (pi u sy sz).
    let v = json(&[
        "effect",
        "plume",
        "--stability",
        "F",
        "--terrain",
        "rural",
        "--wind-m-s",
        "2",
        "--release-kg-s",
        "0.1",
        "--x-m",
        "500",
    ]);
    let expected = 0.1 / (std::f64::consts::PI * 2.0 * (20.0 / 1.05f64.sqrt()) * (8.0 / 1.15));
    assert!((num(&v, "concentration_kg_m3") / expected - 1.0).abs() < 1e-9);
    assert_eq!(v["passive_gas_only"], Value::Bool(true));
    // Escalation: atmospheric 1 000 m3 at 15 kW/m2 -> ttf 894 s, Landucci P = 0.227.
    let v = json(&[
        "effect",
        "escalation",
        "--vessel",
        "atmospheric",
        "--flux-kw-m2",
        "15",
        "--volume-m3",
        "1000",
    ]);
    assert!((num(&v, "time_to_failure_s") - 894.0).abs() < 1.0);
    assert!((num(&v, "probability") - 0.227).abs() < 0.003);
    let v = json(&[
        "effect",
        "escalation",
        "--vessel",
        "pressurised",
        "--overpressure-kpa",
        "15",
    ]);
    assert_eq!(num(&v, "probability"), 0.0);
}

#[test]
fn effect_data_override_swaps_the_probit_set() {
    let args = [
        "probit",
        "--model",
        "chlorine",
        "--concentration-mg-m3",
        "1116",
        "--duration-min",
        "30",
    ];
    let pb = json(&[&["effect"][..], &args].concat());
    let ccps = json(
        &[
            &[
                "effect",
                "--data",
                "scenarios/risk/purple-book.toml",
                "--data",
                "scenarios/risk/ccps-probits.toml",
            ][..],
            &args,
        ]
        .concat(),
    );
    // CCPS chlorine (ppm) is more severe: its 30-min LC50 is 250 ppm (725 mg/m3) against 1 116 mg/m3.
    assert!(num(&ccps, "probability") > num(&pb, "probability") + 0.2);
    // 725 mg/m3 = 250 ppm for 30 min is the CCPS 50 % point.
    let v = json(&[
        "effect",
        "--data",
        "scenarios/risk/purple-book.toml",
        "--data",
        "scenarios/risk/ccps-probits.toml",
        "probit",
        "--model",
        "chlorine",
        "--concentration-mg-m3",
        &format!("{}", 250.0 * 70.9 / 24.45),
        "--duration-min",
        "30",
    ]);
    assert!((num(&v, "probability") - 0.5).abs() < 0.02, "{v}");
}

#[test]
fn effect_bad_input_is_a_clear_error() {
    for args in [
        vec![
            "effect",
            "fireball",
            "--mass-kg",
            "10",
            "--heat-of-combustion-mj-per-kg",
            "46",
            "--pressure-bar",
            "20",
            "--distance-m",
            "10",
            "--relative-humidity",
            "70",
        ],
        vec![
            "effect",
            "probit",
            "--model",
            "thermal",
            "--flux-kw-m2",
            "10",
        ],
        vec!["effect", "escalation", "--vessel", "atmospheric"],
        vec![
            "effect",
            "plume",
            "--stability",
            "G",
            "--terrain",
            "rural",
            "--wind-m-s",
            "2",
            "--release-kg-s",
            "1",
            "--x-m",
            "100",
        ],
        vec![
            "effect",
            "--data",
            "no-such-file.toml",
            "probit",
            "--model",
            "lung",
            "--overpressure-kpa",
            "10",
        ],
    ] {
        let o = hazflow(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(o.stdout.is_empty());
        assert!(!o.stderr.is_empty());
    }
}

fn final_sets(v: &Value) -> Vec<(Vec<String>, f64)> {
    v["final_sets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let units = s["units"]
                .as_array()
                .unwrap()
                .iter()
                .map(|u| u.as_str().unwrap().to_string())
                .collect();
            (units, s["probability"].as_f64().unwrap())
        })
        .collect()
}

#[test]
fn cascade_monte_carlo_agrees_with_exact_enumeration() {
    let layout = "scenarios/examples/cascade-four-tanks.toml";
    let exact = json(&["cascade", layout, "--initiator", "T1", "--exact"]);
    let mc = json(&[
        "cascade",
        layout,
        "--initiator",
        "T1",
        "--trials",
        "200000",
        "--seed",
        "3",
    ]);
    assert_eq!(mc["trials"], 200000);
    let mc_sets = final_sets(&mc);
    let total: f64 = final_sets(&exact).iter().map(|s| s.1).sum();
    assert!((total - 1.0).abs() < 1e-9);
    for (units, p) in final_sets(&exact) {
        assert_eq!(units[0], "T1", "the initiator is in every final set");
        let got = mc_sets.iter().find(|s| s.0 == units).map_or(0.0, |s| s.1);
        let tolerance = 4.0 * (p * (1.0 - p) / 200_000.0).sqrt() + 1e-9;
        assert!((got - p).abs() < tolerance, "{units:?}: {got} vs {p}");
    }
    // Symmetry: T2 and T4 mirror each other about the diagonal T1-T3.
    let p = |units: &[&str]| {
        final_sets(&exact)
            .iter()
            .find(|s| s.0 == units)
            .map_or(0.0, |s| s.1)
    };
    assert!((p(&["T1", "T2"]) - p(&["T1", "T4"])).abs() < 1e-12);
    assert!(p(&["T1", "T2"]) > 0.0);
    let depth: f64 = exact["depth"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_f64().unwrap())
        .sum();
    assert!((depth - 1.0).abs() < 1e-9);
    // Determinism: the same seed gives the same bytes.
    let again = hazflow(&[
        "cascade",
        layout,
        "--initiator",
        "T1",
        "--trials",
        "1000",
        "--seed",
        "9",
    ]);
    let once = hazflow(&[
        "cascade",
        layout,
        "--initiator",
        "T1",
        "--trials",
        "1000",
        "--seed",
        "9",
    ]);
    assert_eq!(again.stdout, once.stdout);
}

/// `--response-min`: the four tanks race crews on scene after 8 minutes. Monte Carlo agrees with exact
/// enumeration (4 binomial standard errors per final set: a correct engine fails one of the eight sets
/// with probability below 1e-3); earlier crews mean fewer tanks involved, and crews later than every
/// time to failure (about 11 min at 20 kW/m2) save nobody: all four burn.
#[test]
fn cascade_racing_crews_matches_exact_enumeration() {
    let layout = "scenarios/examples/cascade-four-tanks.toml";
    let with = |minutes: &str, extra: &[&str]| {
        let mut args = vec![
            "cascade",
            layout,
            "--initiator",
            "T1",
            "--response-min",
            minutes,
        ];
        args.extend_from_slice(extra);
        json(&args)
    };
    let exact = with("8", &["--exact"]);
    assert_eq!(exact["response_min"], 8.0);
    let mc = with("8", &["--trials", "200000", "--seed", "5"]);
    let mc_sets = final_sets(&mc);
    for (units, p) in final_sets(&exact) {
        let got = mc_sets.iter().find(|s| s.0 == units).map_or(0.0, |s| s.1);
        let tolerance = 4.0 * (p * (1.0 - p) / 200_000.0).sqrt() + 1e-9;
        assert!((got - p).abs() < tolerance, "{units:?}: {got} vs {p}");
    }
    let involved = |v: &Value| v["expected_units_involved"].as_f64().unwrap();
    let early = involved(&with("3", &["--exact"]));
    let late = involved(&exact);
    let too_late = involved(&with("30", &["--exact"]));
    assert!(early < late && late < too_late, "{early} {late} {too_late}");
    assert!((too_late - 4.0).abs() < 1e-9, "{too_late}");
    // Without [response] the crews cannot be described: a located error, exit code 2.
    let out = hazflow(&[
        "cascade",
        "scenarios/examples/cascade-given-fluxes.toml",
        "--initiator",
        "A1",
        "--response-min",
        "5",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("[response]"));
}

#[test]
fn cascade_with_given_fluxes_and_thresholds() {
    let v = json(&[
        "cascade",
        "scenarios/examples/cascade-given-fluxes.toml",
        "--initiator",
        "A1",
        "--exact",
    ]);
    // A2 receives 12 kW/m2 from A1: below the 15 kW/m2 threshold, so it fails only after P1 does.
    assert_eq!(v["first_level"]["A2"]["escalation_probability"], 0.0);
    let sets = final_sets(&v);
    assert!(!sets.iter().any(|s| s.0 == ["A1", "A2"]));
    // P1 at 50 kW/m2, 100 m3: P = Phi(9.25 - 1.85 ln(ttf/60) - 5) with ln ttf = -0.947 ln 50 + 8.835 100^0.032.
    let ttf = (-0.947 * 50f64.ln() + 8.835 * 100f64.powf(0.032)).exp();
    let y = 9.25 - 1.85 * (ttf / 60.0).ln();
    let p1 = v["first_level"]["P1"]["escalation_probability"]
        .as_f64()
        .unwrap();
    let expected = 0.5 * (1.0 + erf((y - 5.0) / std::f64::consts::SQRT_2));
    assert!((p1 - expected).abs() < 1e-6, "{p1} vs {expected}");
    let expected_size: f64 = sets.iter().map(|s| s.0.len() as f64 * s.1).sum();
    assert!((v["expected_units_involved"].as_f64().unwrap() - expected_size).abs() < 1e-9);
}

/// erf by Abramowitz & Stegun 7.1.26 refined: enough for 1e-6 here.
fn erf(x: f64) -> f64 {
    // Series for small |x|, continued fraction otherwise, via the complementary function.
    let t = 1.0 / (1.0 + 0.5 * x.abs());
    let tau = t
        * (-x * x - 1.26551223
            + t * (1.00002368
                + t * (0.37409196
                    + t * (0.09678418
                        + t * (-0.18628806
                            + t * (0.27886807
                                + t * (-1.13520398
                                    + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))))
            .exp();
    if x >= 0.0 { 1.0 - tau } else { tau - 1.0 }
}

#[test]
fn cascade_bad_layouts_are_located_errors() {
    let dir = std::env::temp_dir().join(format!("hazflow-cascade-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cases = [
        (
            "[[unit]]\nid = \"A\"\nvessel = \"spherical\"\nvolume_m3 = 10\n",
            "vessel",
        ),
        (
            "[[unit]]\nid = \"A\"\nvessel = \"atmospheric\"\nvolume_m3 = -1\n",
            "volume_m3",
        ),
        (
            "[[unit]]\nid = \"A\"\nvessel = \"atmospheric\"\nvolume_m3 = 10\n[[exposure]]\nfrom = \"A\"\nto = \"B\"\nflux_kw_m2 = 20\n",
            "exposure",
        ),
    ];
    for (i, (text, field)) in cases.iter().enumerate() {
        let path = dir.join(format!("bad{i}.toml"));
        std::fs::write(&path, text).unwrap();
        let o = hazflow(&["cascade", path.to_str().unwrap(), "--initiator", "A"]);
        assert_eq!(o.status.code(), Some(2));
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains(&format!("bad{i}.toml:")) && err.contains(field),
            "{err}"
        );
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn bad_risk_tables_and_data_are_located_errors() {
    let dir = std::env::temp_dir().join(format!("hazflow-risk-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let example =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/examples/risk-small.toml");
    let data =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/risk/purple-book.toml");
    let head = format!(
        "[scenario]\nname = \"bad\"\nextends = \"{}\"\n",
        example.display()
    );
    let cases = [
        (
            format!("{head}[risk.substances]\nmethanol = \"methanool\"\n"),
            None,
            "risk.substances.methanol",
        ),
        (
            format!("{head}[risk]\nrelative_humidity = 76\n"),
            None,
            "risk.relative_humidity",
        ),
        (
            format!("{head}[[risk.weather]]\nid = \"D5\"\nday_share = 0.9\n"),
            None,
            "day_share values sum",
        ),
        (
            format!("{head}[risk]\ncriteria = \"mars\"\n"),
            None,
            "risk.criteria",
        ),
        (
            format!(
                "{head}[risk]\ndata = [\"{}\", \"over.toml\"]\n",
                data.display()
            ),
            Some("[escalation.ttf_probit]\nunit_s = \"minutes\"\n"),
            "over.toml:",
        ),
        (
            format!(
                "{head}[risk]\ndata = [\"{}\", \"over.toml\"]\n",
                data.display()
            ),
            Some("[[loc]]\nid = \"loading_hose\"\nremove = true\n"),
            "loading_hose",
        ),
    ];
    for (i, (text, over, expected)) in cases.iter().enumerate() {
        if let Some(o) = over {
            std::fs::write(dir.join("over.toml"), o).unwrap();
        }
        let path = dir.join(format!("bad{i}.toml"));
        std::fs::write(&path, text).unwrap();
        let o = hazflow(&["validate", path.to_str().unwrap()]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "case {i}: {err}");
        assert!(
            err.contains(expected),
            "case {i}: expected `{expected}` in {err}"
        );
        assert!(
            err.contains(".toml:"),
            "case {i}: no file and line in {err}"
        );
    }
    std::fs::remove_dir_all(&dir).ok();
}
