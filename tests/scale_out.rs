//! Cluster scale-out and resumption: shards merged into one result, byte-identical to a single run.

mod common;

use common::{assert_same_files, hazflow, scenario, scratch, stderr};

#[test]
fn merged_shards_are_byte_identical_to_a_single_run() {
    let dir = scratch("shards");
    let example = scenario("examples/risk-small.toml");
    let example = example.to_str().unwrap();
    let single = dir.join("single");
    let o = hazflow(&[
        "run",
        example,
        "--reps",
        "23",
        "--threads",
        "2",
        "--out",
        single.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    // Uneven shards on one thread each, given to merge out of order.
    let mut shards = Vec::new();
    for k in 1..=3 {
        let out = dir.join(format!("shard-{k}"));
        let shard = format!("{k}/3");
        let o = hazflow(&[
            "run",
            example,
            "--reps",
            "23",
            "--threads",
            "1",
            "--shard",
            &shard,
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        shards.push(out.to_str().unwrap().to_string());
    }
    let merged = dir.join("merged");
    let o = hazflow(&[
        "merge",
        &shards[2],
        &shards[0],
        &shards[1],
        "--out",
        merged.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_same_files(&single, &merged, &["run-info.json"]);
    // The comparison covered the risk outputs and the plots, not only the tables.
    for file in [
        "accidents.csv",
        "fn_curves.csv",
        "plots/individual_risk_map.png",
        "manifest.json",
    ] {
        assert!(merged.join(file).exists(), "{file}");
    }

    // A missing shard, a shard given twice and a directory that is no shard are clear errors.
    let cases: [(&[&str], &str); 3] = [
        (&[&shards[0], &shards[2]], "are missing"),
        (
            &[&shards[0], &shards[1], &shards[1], &shards[2]],
            "overlaps",
        ),
        (
            &[&shards[0], single.to_str().unwrap()],
            "not a shard directory",
        ),
    ];
    for (k, (given, expected)) in cases.iter().enumerate() {
        let out = dir.join(format!("bad-{k}"));
        let mut args = vec!["merge"];
        args.extend_from_slice(given);
        args.extend_from_slice(&["--out", out.to_str().unwrap()]);
        let o = hazflow(&args);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(stderr(&o).contains(expected), "{expected}: {}", stderr(&o));
        assert!(!out.exists());
    }
    let o = hazflow(&[
        "run",
        example,
        "--shard",
        "4/3",
        "--out",
        dir.join("x").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("K/N"), "{}", stderr(&o));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Variants run side by side; which lane runs which variant, and in what order they finish, must not
/// reach any output file (plots included). Nine variants run on a thread each on 1 and 2 threads (at
/// least four per thread) and share one pool on 3: both ways give the same files.
#[test]
fn a_sweep_is_byte_identical_on_one_two_and_three_threads() {
    let dir = scratch("sweep-threads");
    let base = scenario("examples/one-of-each.toml");
    let run = |threads: &str| {
        let out = dir.join(format!("threads-{threads}"));
        let o = hazflow(&[
            "sweep",
            base.to_str().unwrap(),
            "--set",
            "demand.chemical_factor=1,1.3,1.6",
            "--set",
            "demand.background_factor=1,1.5,2",
            "--reps",
            "6",
            "--threads",
            threads,
            "--quiet",
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        out
    };
    let one = run("1");
    let runs = std::fs::read_dir(one.join("runs")).unwrap().count();
    assert_eq!(runs, 9, "one result directory per variant");
    for threads in ["2", "3"] {
        assert_same_files(&one, &run(threads), &["run-info.json"]);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `--target-rse` stops at the same replication whether the run is whole or split into shards: the
/// shards run their blocks of the cap, and the merge applies the rule where the single run did.
#[test]
fn target_rse_stops_at_the_same_replication_in_shards() {
    let dir = scratch("target-rse");
    let example = scenario("examples/risk-small.toml");
    let example = example.to_str().unwrap();
    let rule = [
        "--target-rse",
        "0.25",
        "--rse-floor",
        "1e-3",
        "--reps",
        "96",
    ];
    let single = dir.join("single");
    let mut args = vec![
        "run",
        example,
        "--no-plots",
        "--out",
        single.to_str().unwrap(),
    ];
    args.extend_from_slice(&rule);
    let o = hazflow(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("--target-rse 0.25"), "{}", stderr(&o));
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(single.join("manifest.json")).unwrap()).unwrap();
    let done = manifest["replications"].as_u64().unwrap();
    assert!(done.is_multiple_of(16) && done <= 96, "{done}");
    let mut shards = Vec::new();
    for k in 1..=2 {
        let out = dir.join(format!("shard-{k}"));
        let shard = format!("{k}/2");
        let mut args = vec![
            "run",
            example,
            "--shard",
            &shard,
            "--out",
            out.to_str().unwrap(),
        ];
        args.extend_from_slice(&rule);
        let o = hazflow(&args);
        assert!(o.status.success(), "{}", stderr(&o));
        shards.push(out.to_str().unwrap().to_string());
    }
    let merged = dir.join("merged");
    let o = hazflow(&[
        "merge",
        &shards[0],
        &shards[1],
        "--no-plots",
        "--out",
        merged.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_same_files(&single, &merged, &["run-info.json"]);
    // A batch applies the same rule to each variant: the same summary as the single run.
    let batch = dir.join("batch");
    let mut args = vec![
        "batch",
        example,
        "--no-plots",
        "--out",
        batch.to_str().unwrap(),
    ];
    args.extend_from_slice(&rule);
    let o = hazflow(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    let name = std::fs::read_dir(batch.join("runs"))
        .unwrap()
        .flatten()
        .next()
        .unwrap()
        .path();
    assert_eq!(
        std::fs::read(single.join("summary.csv")).unwrap(),
        std::fs::read(name.join("summary.csv")).unwrap()
    );
    // compare pairs replications, so it refuses a stopping rule.
    let compare = dir.join("compare");
    let mut args = vec![
        "compare",
        example,
        example,
        "--out",
        compare.to_str().unwrap(),
    ];
    args.extend_from_slice(&rule);
    assert_eq!(hazflow(&args).status.code(), Some(2));
    // A target outside (0, 1) is refused.
    let o = hazflow(&[
        "run",
        example,
        "--target-rse",
        "1.5",
        "--out",
        dir.join("bad").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
}

/// True once the batch in `out` has finished a variant and stored part of another.
fn midway(out: &std::path::Path) -> bool {
    let finished = std::fs::read_dir(out.join("runs"))
        .map(|d| {
            d.flatten()
                .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
                .count()
        })
        .unwrap_or(0);
    let stored = std::fs::read_dir(out.join(".work"))
        .map(|d| {
            d.flatten()
                .map(|e| std::fs::read_dir(e.path()).map(|c| c.count()).unwrap_or(0))
                .sum::<usize>()
        })
        .unwrap_or(0);
    finished >= 1 && stored >= 1
}

#[test]
fn a_killed_sweep_resumes_to_the_identical_result() {
    let dir = scratch("resume");
    let base = scenario("examples/risk-small.toml");
    let killed = dir.join("killed");
    let clean = dir.join("clean");
    let args = |out: &std::path::Path| -> Vec<String> {
        [
            "sweep",
            base.to_str().unwrap(),
            "--set",
            "parking[park-gate-lot].slots=2,5,8",
            "--reps",
            "96",
            "--threads",
            "1",
            "--ir-cell-m",
            "400",
            "--out",
            out.to_str().unwrap(),
        ]
        .map(String::from)
        .to_vec()
    };
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_hazflow"))
        .args(args(&killed))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    loop {
        if midway(&killed) {
            break;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the sweep finished before it could be killed midway; make it longer"
        );
        assert!(
            started.elapsed().as_secs() < 120,
            "the sweep never got midway"
        );
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    child.kill().unwrap(); // SIGKILL: no chance to clean up
    child.wait().unwrap();
    assert!(
        !killed.join("summary.csv").exists(),
        "killed before the end"
    );

    // Without --resume the directory is refused; with it, the batch completes.
    let as_str = |v: &[String]| v.to_vec();
    let mut again: Vec<String> = as_str(&args(&killed));
    let refused = hazflow(&again.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        stderr(&refused).contains("--resume"),
        "{}",
        stderr(&refused)
    );
    again.push("--resume".into());
    let o = hazflow(&again.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(o.status.success(), "{}", stderr(&o));
    let info: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(killed.join("run-info.json")).unwrap())
            .unwrap();
    assert!(
        info["replications_reused"].as_u64().unwrap() >= 96,
        "{info}"
    );

    let fresh: Vec<String> = args(&clean);
    let o = hazflow(&fresh.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(o.status.success(), "{}", stderr(&o));
    assert_same_files(&clean, &killed, &["run-info.json"]);
    assert!(
        !killed.join(".work").exists(),
        "checkpoints are removed once used"
    );

    // A different plan in the same directory is refused, not mixed in.
    let mut other = args(&killed);
    other[3] = "parking[park-gate-lot].slots=3".into();
    other.push("--resume".into());
    let o = hazflow(&other.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("different plan"), "{}", stderr(&o));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn sweep_settings_are_checked_like_scenario_fields() {
    let dir = scratch("sweep-errors");
    let base = scenario("examples/risk-small.toml");
    for (k, (setting, expected)) in [
        ("parking[park-gate-lot].slotz=2", "unknown field `slotz`"),
        (
            "parking[park-gate-lot].slots=-2",
            "parking[park-gate-lot].slots",
        ),
        ("parking[park-gate-lot]=2", "must end in a field name"),
    ]
    .into_iter()
    .enumerate()
    {
        let out = dir.join(format!("out-{k}"));
        let o = hazflow(&[
            "sweep",
            base.to_str().unwrap(),
            "--set",
            setting,
            "--reps",
            "2",
            "--out",
            out.to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(2), "{setting}: {}", stderr(&o));
        assert!(stderr(&o).contains(expected), "{setting}: {}", stderr(&o));
        assert!(
            !out.exists(),
            "{setting}: no output directory after an error"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
