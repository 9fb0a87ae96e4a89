//! The Slurm job-array example end to end on a one-node cluster started here (Debian's slurm-wlm and
//! munge, installed by `.ci/run`): shards as array tasks, a merge job after them, and a merged result
//! byte-identical to a single-machine run.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use common::{assert_same_files, hazflow, scenario, scratch, stderr};

fn example(script: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/slurm")
        .join(script)
}

/// Slurm's daemons need root and the packages; without them the test is skipped, unless
/// `HAZFLOW_REQUIRE_EXTERNAL` is set (CI), where that is an error.
fn slurm_available() -> bool {
    let root = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false);
    let installed =
        Path::new("/usr/sbin/slurmctld").exists() && Path::new("/usr/sbin/munged").exists();
    if root && installed {
        return true;
    }
    assert!(
        std::env::var_os("HAZFLOW_REQUIRE_EXTERNAL").is_none(),
        "Slurm test needs root and slurm-wlm + munge (root: {root}, installed: {installed}); .ci/run installs them"
    );
    eprintln!("skipped: Slurm needs root and slurm-wlm + munge (run .ci/run)");
    false
}

/// Stops the cluster when the test ends, whatever happens.
struct Cluster(PathBuf);

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = Command::new(example("local-cluster.sh"))
            .arg("stop")
            .arg(&self.0)
            .status();
    }
}

#[test]
fn slurm_job_array_shards_merge_to_the_single_machine_result() {
    if !slurm_available() {
        return;
    }
    let dir = scratch("slurm");
    let cluster_dir = dir.join("cluster");
    let o = Command::new(example("local-cluster.sh"))
        .arg("start")
        .arg(&cluster_dir)
        .output()
        .unwrap();
    let cluster = Cluster(cluster_dir.clone());
    assert!(
        o.status.success(),
        "the local cluster did not start: {}",
        stderr(&o)
    );

    let model = scenario("examples/risk-small.toml");
    let (work, result) = (dir.join("shards"), dir.join("result"));
    let o = Command::new(example("submit.sh"))
        .current_dir(&dir)
        .env("SLURM_CONF", cluster_dir.join("slurm.conf"))
        .env("HAZFLOW", env!("CARGO_BIN_EXE_hazflow"))
        .env("SCENARIO", &model)
        .env("REPS", "14")
        .env("SHARDS", "3")
        .env("WORK", &work)
        .env("RESULT", &result)
        .output()
        .unwrap();
    assert!(o.status.success(), "sbatch failed: {}", stderr(&o));
    let submitted = String::from_utf8_lossy(&o.stdout).into_owned();

    let started = Instant::now();
    while !result.join("manifest.json").exists() {
        assert!(
            started.elapsed() < Duration::from_secs(300),
            "no merged result after 5 minutes ({submitted}); logs in {}",
            dir.display()
        );
        std::thread::sleep(Duration::from_millis(500));
    }
    let shards: Vec<_> = std::fs::read_dir(&work).unwrap().flatten().collect();
    assert_eq!(shards.len(), 3, "one shard directory per array task");

    let single = dir.join("single");
    let o = hazflow(&[
        "run",
        model.to_str().unwrap(),
        "--reps",
        "14",
        "--out",
        single.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_same_files(&single, &result, &["run-info.json"]);
    drop(cluster); // stops the daemons while their pid files still exist
    std::fs::remove_dir_all(&dir).unwrap();
}
