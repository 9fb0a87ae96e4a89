//! What the benchmarks share: reading back criterion's measurements to print ratios from them.

use std::path::PathBuf;

/// Mean time per iteration (ns) of a finished benchmark, from criterion's output directory.
pub fn mean_ns(id: &str) -> Option<f64> {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"));
    let text =
        std::fs::read_to_string(target.join("criterion").join(id).join("new/estimates.json"))
            .ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    json["mean"]["point_estimate"].as_f64()
}
