//! The dispersion models against field measurements (data in tests/data, with their sources): the
//! passive Gaussian plume against Prairie Grass, the Britter-McQuaid dense plume (with its passive
//! hand-over) against LNG spills on water (Burro, Coyote, Maplin Sands). Statistics: FAC2, FB, NMSE
//! (Hanna et al. 1993), MG and VG. `cargo test --test risk_tools trials -- --nocapture` prints
//! the table that docs/risk.md quotes.

use std::path::Path;

use hazflow::risk::dense::{Air, DensePlume, DenseSource, gas_density_kg_m3};
use hazflow::risk::dispersion::{Plume, Terrain, Weather};
use hazflow::validation::dispersion::{Performance, performance, stability_from_obukhov, wind_at};

fn records(name: &str) -> Vec<csv::StringRecord> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name);
    csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .from_path(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .records()
        .map(|r| r.expect("a well-formed row"))
        .collect()
}

fn f(r: &csv::StringRecord, i: usize) -> f64 {
    r[i].parse()
        .unwrap_or_else(|_| panic!("column {i} of {r:?}"))
}

/// Prairie Grass roughness (SMEDIS) [S].
const PRAIRIE_GRASS_Z0_M: f64 = 0.006;

/// Observed and predicted arc maxima (mg/m3) of the Prairie Grass runs with met, arcs without flags.
fn prairie_grass() -> Vec<(f64, f64)> {
    records("prairie-grass.csv")
        .iter()
        .filter(|r| r[6].is_empty())
        .map(|r| {
            let weather = Weather {
                stability: stability_from_obukhov(f(r, 7), PRAIRIE_GRASS_Z0_M),
                wind_m_s: f(r, 8),
                terrain: Terrain::Rural,
            };
            let plume = Plume {
                rate_kg_s: f(r, 1) / 1000.0,
                source_height_m: f(r, 2),
                weather,
            };
            let predicted = plume.concentration_kg_m3(f(r, 4), 0.0, f(r, 3)) * 1e6;
            (f(r, 5), predicted)
        })
        .collect()
}

/// LNG vapour at its boiling point (111.7 K): 1.75 kg/m3.
fn lng() -> DenseSource {
    DenseSource {
        density_kg_m3: gas_density_kg_m3(16.04, 111.7),
        temperature_k: 111.7,
        molar_mass_g_mol: 16.04,
    }
}

/// Observed and predicted arc maxima (vol %) of the LNG spills; `isothermal` leaves out the workbook's
/// correction for the cold source (the cloud warmed by the water as it mixes), as the risk data do.
fn lng_spills(isothermal: bool) -> Vec<(String, f64, f64)> {
    let conditions = records("lng-dense-conditions.csv");
    records("lng-dense-trials.csv")
        .iter()
        .map(|r| {
            let c = conditions
                .iter()
                .find(|c| c[0] == r[0])
                .unwrap_or_else(|| panic!("no conditions for {}", &r[0]));
            let (z0, air_k) = (f(c, 5), f(c, 3) + 273.15);
            let air = Air {
                temperature_k: air_k,
                wind_10m_m_s: wind_at(f(c, 6), f(c, 7), 10.0, z0),
                stability: stability_from_obukhov(f(c, 4), z0),
                terrain: Terrain::Rural,
            };
            let mut source = lng();
            if isothermal {
                source.temperature_k = air_k;
            }
            let plume = DensePlume {
                rate_kg_s: f(c, 1) / f(c, 2),
                source,
                air,
            };
            let e = plume.at(f(r, 1));
            let percent = e.concentration_kg_m3 / gas_density_kg_m3(16.04, air_k) * 100.0;
            (r[0].to_string(), f(r, 2), percent)
        })
        .collect()
}

fn show(name: &str, p: &Performance) {
    println!(
        "{name}: n {} FAC2 {:.2} FB {:+.2} NMSE {:.2} MG {:.2} VG {:.2} (Hanna acceptance: {})",
        p.n,
        p.fac2,
        p.fb,
        p.nmse,
        p.mg,
        p.vg,
        if p.acceptable() { "met" } else { "not met" }
    );
}

#[test]
fn trials_passive_plume_against_prairie_grass() {
    let pairs = prairie_grass();
    assert!(pairs.len() > 200, "{} arcs", pairs.len());
    let p = performance(&pairs);
    show("Prairie Grass, Gaussian plume (Briggs rural)", &p);
    assert!(p.acceptable(), "{p:?}");
}

#[test]
fn trials_dense_plume_against_lng_spills() {
    let rows = lng_spills(true);
    for (trial, observed, predicted) in &rows {
        println!("  {trial}: observed {observed:.2} % predicted {predicted:.2} %");
    }
    let pairs: Vec<(f64, f64)> = rows.iter().map(|r| (r.1, r.2)).collect();
    assert!(pairs.len() >= 40, "{} arcs", pairs.len());
    let p = performance(&pairs);
    show(
        "LNG spills, Britter-McQuaid plume (no cold-source correction, as in the risk data)",
        &p,
    );
    assert!(p.acceptable(), "{p:?}");
    // With the workbook's correction for cold sources the model over-predicts (reported, not used).
    let cold: Vec<(f64, f64)> = lng_spills(false).iter().map(|r| (r.1, r.2)).collect();
    let c = performance(&cold);
    show(
        "LNG spills, Britter-McQuaid plume with the cold-source correction",
        &c,
    );
    assert!(
        c.fb < p.fb && c.mg < p.mg,
        "the correction raises concentrations"
    );
}
