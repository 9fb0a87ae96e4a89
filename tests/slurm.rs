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

/// How to run the cluster script: directly as root, or through passwordless `sudo`.
#[derive(Clone, Copy)]
enum Privilege {
    Root,
    Sudo,
}

/// Slurm's daemons need root (or passwordless sudo) and the packages; without them the test is skipped,
/// unless `HAZFLOW_REQUIRE_EXTERNAL` is set (CI), where that is an error.
fn slurm_available() -> Option<Privilege> {
    let root = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false);
    let sudo = !root
        && Command::new("sudo")
            .args(["-n", "true"])
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
    let installed =
        Path::new("/usr/sbin/slurmctld").exists() && Path::new("/usr/sbin/munged").exists();
    match (installed, root, sudo) {
        (true, true, _) => return Some(Privilege::Root),
        (true, false, true) => return Some(Privilege::Sudo),
        _ => {}
    }
    assert!(
        std::env::var_os("HAZFLOW_REQUIRE_EXTERNAL").is_none(),
        "Slurm test needs root or sudo and slurm-wlm + munge (root: {root}, sudo: {sudo}, installed: {installed}); \
         .ci/run installs them"
    );
    eprintln!("skipped: Slurm needs root or sudo and slurm-wlm + munge (run .ci/run)");
    None
}

fn cluster_script(privilege: Privilege, action: &str, dir: &Path) -> Command {
    let mut command = match privilege {
        Privilege::Root => Command::new(example("local-cluster.sh")),
        Privilege::Sudo => {
            let mut c = Command::new("sudo");
            c.arg("-n").arg(example("local-cluster.sh"));
            c
        }
    };
    command.arg(action).arg(dir);
    command
}

/// Stops the cluster when the test ends, whatever happens.
struct Cluster(PathBuf, Privilege);

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = cluster_script(self.1, "stop", &self.0).status();
    }
}

#[test]
fn slurm_job_array_shards_merge_to_the_single_machine_result() {
    let Some(privilege) = slurm_available() else {
        return;
    };
    let dir = scratch("slurm");
    let cluster_dir = dir.join("cluster");
    let o = cluster_script(privilege, "start", &cluster_dir)
        .output()
        .unwrap();
    let cluster = Cluster(cluster_dir.clone(), privilege);
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
    // The daemons' state may belong to root when started through sudo.
    let _ = std::fs::remove_dir_all(&dir);
}
