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
