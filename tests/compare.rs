//! `hazflow compare`: common random numbers make shared randomness cancel, and the output says by how
//! much against independent sampling.

mod common;

use common::{hazflow, scenario, scratch, stderr};

fn rows(path: &std::path::Path) -> Vec<csv::StringRecord> {
    csv::Reader::from_path(path)
        .unwrap()
        .records()
        .map(|r| r.unwrap())
        .collect()
}

#[test]
fn paired_differences_cancel_shared_randomness() {
    let dir = scratch("compare");
    let base = scenario("examples/risk-small.toml");
    // B: fewer parking slots. Arrivals of every flow are drawn from the same streams in A and B.
    let what_if = dir.join("fewer-slots.toml");
    std::fs::write(
        &what_if,
        format!(
            "[scenario]\nname = \"fewer-slots\"\nextends = \"{}\"\n\n[[parking]]\nid = \"park-gate-lot\"\nslots = {{ value = 2, source = \"assumption:illustrative\" }}\n",
            base.display()
        ),
    )
    .unwrap();
    let out = dir.join("out");
    let o = hazflow(&[
        "compare",
        base.to_str().unwrap(),
        what_if.to_str().unwrap(),
        "--reps",
        "12",
        "--no-plots",
        "--ir-cell-m",
        "400",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("variance reduction"), "{stdout}");
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("comparison.json")).unwrap())
            .unwrap();
    assert_eq!(summary["a"], "risk-small");
    assert_eq!(summary["b"], "fewer-slots");
    let median = summary["median_variance_reduction"].as_f64().unwrap();
    assert!(
        median > 1.0,
        "common random numbers should reduce variance, got {median}"
    );
    // The flows, the lock and the berths do not depend on the lot: their noise cancels completely.
    assert!(
        summary["metrics_identical"].as_u64().unwrap() > 50,
        "{summary}"
    );

    let table = rows(&out.join("comparison.csv"));
    let find = |metric: &str, subject: &str| {
        table
            .iter()
            .find(|r| &r[0] == metric && &r[1] == subject)
            .unwrap_or_else(|| panic!("{metric} {subject} missing"))
            .clone()
    };
    // Demand is drawn from the flows' own streams: identical in A and B, replication by replication.
    let demand = find("demand_t", "caustic-soda");
    assert_eq!(&demand[6], "0", "{demand:?}");
    // The lot with 2 instead of 8 slots fills: more unsafe waiting, and the interval says so.
    let unsafe_wait = find("unsafe_wait_vehicle_hours", "all");
    let difference: f64 = unsafe_wait[6].parse().unwrap();
    assert!(
        difference > 0.0 && &unsafe_wait[8] == "yes",
        "{unsafe_wait:?}"
    );
    // Its q-value (Benjamini-Hochberg over every metric) is at least its p-value and still below 5 %.
    let (p, q): (f64, f64) = (
        unsafe_wait[9].parse().unwrap(),
        unsafe_wait[10].parse().unwrap(),
    );
    assert!(
        p <= q && q <= 0.05 && &unsafe_wait[11] == "yes",
        "{unsafe_wait:?}"
    );
    let reduction: f64 = unsafe_wait[14].parse().unwrap();
    assert!(reduction > 1.0, "{unsafe_wait:?}");
    // A q-value is never below its p-value, so the false-discovery count is at most the per-metric one.
    assert!(
        summary["metrics_significant_fdr"].as_u64().unwrap()
            <= summary["metrics_significant"].as_u64().unwrap(),
        "{summary}"
    );

    // The paired interval matches one computed by hand from the two runs' replications.
    let replications = |run: &str| -> Vec<f64> {
        rows(&out.join("runs").join(run).join("replications.csv"))
            .into_iter()
            .filter(|r| &r[2] == "unsafe_wait_vehicle_hours" && &r[3] == "all")
            .map(|r| r[6].parse().unwrap())
            .collect()
    };
    let (a, b) = (replications("risk-small"), replications("fewer-slots"));
    let d: Vec<f64> = a.iter().zip(&b).map(|(x, y)| y - x).collect();
    let n = d.len() as f64;
    let mean = d.iter().sum::<f64>() / n;
    let sd = (d.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    let half: f64 = unsafe_wait[7].parse().unwrap();
    assert!((mean - difference).abs() < 1e-9 * mean.abs().max(1.0));
    assert!(
        (half - 2.200_985 * sd / n.sqrt()).abs() < 1e-4 * half,
        "t(0.975, 11) = 2.200985"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
