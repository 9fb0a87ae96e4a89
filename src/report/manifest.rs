//! `manifest.json`: what was run, with which inputs, by which build; `run-info.json`: how it was run here
//! (command, threads, wall time). The manifest holds only what determines the results, so two runs of the
//! same scenario and seed, on any thread count or split into merged shards, have identical manifests and
//! identical files everywhere but `run-info.json`.

use serde::{Deserialize, Serialize};

/// One file of the scenario's `extends` chain.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScenarioFileInfo {
    /// Path as read.
    pub path: String,
    /// SHA-256 of its text.
    pub sha256: String,
}

/// The run's record.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// hazflow version.
    pub hazflow_version: String,
    /// Scenario name.
    pub scenario: String,
    /// Path given (or `embedded:<name>` for the built-in default).
    pub scenario_path: String,
    /// SHA-256 over the whole `extends` chain.
    pub scenario_sha256: String,
    /// Each file of the chain, the named file first.
    pub scenario_files: Vec<ScenarioFileInfo>,
    /// Master seed.
    pub seed: u64,
    /// First replication index.
    pub first_replication: u64,
    /// Number of replications.
    pub replications: u64,
    /// Warm-up, days.
    pub warmup_days: f64,
    /// Observed horizon, days.
    pub horizon_days: f64,
    /// Events over all replications.
    pub events: u64,
    /// Largest relative mass-balance error seen.
    pub worst_mass_balance_relative_error: f64,
    /// Risk data files, first layer first (empty without `[risk]`).
    pub risk_data_files: Vec<ScenarioFileInfo>,
    /// Cells of the individual-risk map (0 without `[risk]`).
    pub risk_map_cells: usize,
}

/// How a result was produced on this machine: everything that may differ between two runs with identical
/// results.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RunInfo {
    /// The command line.
    pub command: Vec<String>,
    /// Worker threads.
    pub threads: usize,
    /// Wall-clock seconds of the replications (summed over shards for a merge).
    pub wall_seconds: f64,
    /// Events per second of the replications.
    pub events_per_second: f64,
    /// Seconds to compute the risk results after the replications (map, curves, transects).
    pub risk_analysis_seconds: f64,
    /// Replications read back from checkpoints or shards instead of being computed by this command.
    pub replications_reused: u64,
    /// When the command finished (UTC).
    pub finished_utc: String,
    /// The build that ran it.
    #[serde(default)]
    pub build: BuildInfo,
}

/// The binary that produced a result: its version, and the git commit it was built from when known.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct BuildInfo {
    /// Crate version.
    pub version: String,
    /// Commit of the source tree at build time; `None` when built outside a git checkout.
    pub git_commit: Option<String>,
    /// Whether tracked files differed from that commit at build time.
    pub git_dirty: Option<bool>,
    /// `release` or `debug` (debug assertions on).
    pub profile: String,
}

impl BuildInfo {
    /// This binary's build.
    pub fn current() -> Self {
        let commit = env!("HAZFLOW_GIT_COMMIT");
        Self {
            version: env!("CARGO_PKG_VERSION").to_string(),
            git_commit: (!commit.is_empty()).then(|| commit.to_string()),
            git_dirty: env!("HAZFLOW_GIT_DIRTY").parse().ok(),
            profile: if cfg!(debug_assertions) {
                "debug"
            } else {
                "release"
            }
            .to_string(),
        }
    }
}

impl RunInfo {
    /// The record of a command that finishes now, having run `events` in `wall_seconds`.
    pub fn finished(
        command: &[String],
        threads: usize,
        wall_seconds: f64,
        events: u64,
        risk_analysis_seconds: f64,
        replications_reused: u64,
    ) -> Self {
        Self {
            command: command.to_vec(),
            threads,
            wall_seconds,
            events_per_second: events as f64 / wall_seconds.max(1e-9),
            risk_analysis_seconds,
            replications_reused,
            finished_utc: utc_timestamp(),
            build: BuildInfo::current(),
        }
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ` for the current time.
pub fn utc_timestamp() -> String {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    format_utc(seconds)
}

fn format_utc(seconds: u64) -> String {
    let days = (seconds / 86_400) as i64;
    let rest = seconds % 86_400;
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + (month <= 2) as i64;
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn known_dates() {
        assert_eq!(super::format_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(super::format_utc(1_795_000_000), "2026-11-18T11:06:40Z");
        assert_eq!(super::format_utc(951_782_400), "2000-02-29T00:00:00Z");
    }
}
