//! The command line end to end: outputs, determinism across thread counts, and bad input.
//!
//! Every bad-input case must exit with code 2, name the file, line and field, never panic, and leave no
//! output directory behind.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod common;

fn hazflow(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hazflow"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/examples/one-of-each.toml")
}

/// A fresh scratch directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hazflow-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn run_writes_every_output_and_thread_count_changes_no_byte() {
    let dir = scratch("threads");
    let (one, two) = (dir.join("one"), dir.join("two"));
    let example = example();
    for (threads, out) in [("1", &one), ("2", &two)] {
        let o = hazflow(&[
            "run",
            example.to_str().unwrap(),
            "--reps",
            "6",
            "--threads",
            threads,
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    for file in ["summary.csv", "replications.csv", "timeseries.csv"] {
        let a = std::fs::read(one.join(file)).unwrap();
        let b = std::fs::read(two.join(file)).unwrap();
        assert!(a == b, "{file} differs between 1 and 2 threads");
    }
    // Every file but run-info.json (command, threads, timing) is identical, plots and manifest included.
    common::assert_same_files(&one, &two, &["run-info.json"]);
    let json = |file: &str| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(one.join(file)).unwrap()).unwrap()
    };
    let manifest = json("manifest.json");
    for key in [
        "scenario_path",
        "scenario_sha256",
        "seed",
        "replications",
        "hazflow_version",
    ] {
        assert!(!manifest[key].is_null(), "manifest lacks {key}");
    }
    let info = json("run-info.json");
    for key in ["threads", "wall_seconds", "command", "finished_utc"] {
        assert!(!info[key].is_null(), "run-info.json lacks {key}");
    }
    assert_eq!(info["threads"], 1);
    assert_eq!(manifest["replications"], 6);
    let summary = std::fs::read_to_string(one.join("summary.csv")).unwrap();
    assert!(summary.starts_with("scenario,metric,subject,detail,unit,mean,ci95_half_width,"));
    for metric in [
        "demand_t",
        "delivered_t",
        "mode_share",
        "throughput_t",
        "utilisation",
        "wait_hours_mean",
        "wait_hours_p95",
        "queue_max",
        "unsafe_wait_vehicle_hours",
        "hazmat_tkm",
        "mass_balance_error_t",
    ] {
        assert!(
            summary.contains(&format!(",{metric},")),
            "summary.csv lacks {metric}"
        );
    }
    for plot in [
        "throughput_by_mode",
        "waiting_by_facility",
        "utilisation",
        "queue_lengths",
        "stock_levels",
    ] {
        for ext in ["png", "svg"] {
            let path = one.join("plots").join(format!("{plot}.{ext}"));
            assert!(
                std::fs::metadata(&path)
                    .map(|m| m.len() > 1000)
                    .unwrap_or(false),
                "{} missing or empty",
                path.display()
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn run_without_a_scenario_uses_the_embedded_default_from_any_directory() {
    let dir = scratch("default");
    let out = dir.join("out");
    let o = Command::new(env!("CARGO_BIN_EXE_hazflow"))
        .current_dir(&dir)
        .args([
            "run",
            "--reps",
            "2",
            "--no-plots",
            "--out",
            out.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let manifest = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    assert!(manifest.contains("embedded:"), "{manifest}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Issue "Reports" (default scenario): in a checkout, `run` without a path ran the copy built into the
/// binary, so edits to `scenarios/liuzhou-2025-plan.toml` were silently ignored. It now runs the file.
#[test]
fn run_without_a_scenario_in_a_checkout_runs_its_default_file() {
    let dir = scratch("default-on-disk");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    std::fs::create_dir_all(dir.join("scenarios/risk")).unwrap();
    let plan = std::fs::read_to_string(root.join("liuzhou-2025-plan.toml")).unwrap();
    let edited = plan.replacen("name = \"liuzhou-2025-plan\"", "name = \"edited-plan\"", 1);
    assert_ne!(plan, edited, "the plan names itself");
    std::fs::write(dir.join("scenarios/liuzhou-2025-plan.toml"), edited).unwrap();
    std::fs::copy(
        root.join("risk/purple-book.toml"),
        dir.join("scenarios/risk/purple-book.toml"),
    )
    .unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_hazflow"))
        .current_dir(&dir)
        .args(["run", "--reps", "1", "--no-plots", "--out", "out"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("running scenarios/liuzhou-2025-plan.toml of this checkout"));
    let summary = std::fs::read_to_string(dir.join("out/summary.csv")).unwrap();
    assert!(
        summary.lines().nth(1).unwrap().starts_with("edited-plan,"),
        "the edit counts"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Writes a what-if of the example and checks that running it fails cleanly with a located message.
fn assert_rejected(name: &str, body: &str, expected: &[&str]) {
    let dir = scratch(name);
    let file = dir.join(format!("{name}.toml"));
    std::fs::write(
        &file,
        body.replace("EXAMPLE", &example().display().to_string()),
    )
    .unwrap();
    let out = dir.join("out");
    for args in [
        vec!["validate", file.to_str().unwrap()],
        vec![
            "run",
            file.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
    ] {
        let o = hazflow(&args);
        let err = stderr(&o);
        assert_eq!(
            o.status.code(),
            Some(2),
            "{name}: expected exit code 2, got {:?}; stderr: {err}",
            o.status.code()
        );
        assert!(!err.contains("panicked"), "{name}: {err}");
        for fragment in expected {
            assert!(
                err.contains(fragment),
                "{name}: expected {fragment:?} in:\n{err}"
            );
        }
    }
    assert!(!out.exists(), "{name}: an output directory was left behind");
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains("partial"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "{name}: staging directory left behind"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn malformed_toml_is_located() {
    assert_rejected(
        "malformed",
        "[scenario]\nname = \"x\"\nhorizon_days = = 3\n",
        &["malformed.toml:3:", "malformed TOML"],
    );
}

#[test]
fn unknown_reference_is_located() {
    let body = "[scenario]\nname = \"x\"\nextends = \"EXAMPLE\"\n\n[[flow]]\nid = \"caustic-inland\"\ncommodity = \"caustik\"\n";
    assert_rejected(
        "unknown",
        body,
        &[
            "unknown.toml:7:1",
            "flow[caustic-inland].commodity",
            "unknown commodity \"caustik\"",
        ],
    );
}

#[test]
fn duplicate_id_is_located() {
    let body = "[scenario]\nname = \"x\"\nextends = \"EXAMPLE\"\n\n[[junction]]\nid = \"riverside-park\"\n";
    assert_rejected(
        "duplicate",
        body,
        &[
            "duplicate.toml:6:1",
            "junction[riverside-park].id",
            "duplicate id",
        ],
    );
}

#[test]
fn unknown_field_is_located() {
    let body = "[scenario]\nname = \"x\"\nextends = \"EXAMPLE\"\n\n[[dock]]\nid = \"north-dock\"\nstorage_tonnes = 5\n";
    assert_rejected(
        "field",
        body,
        &["field.toml:7:1", "dock[north-dock]", "storage_tonnes"],
    );
}

#[test]
fn negative_and_zero_capacities_are_rejected() {
    let body = "[scenario]\nname = \"x\"\nextends = \"EXAMPLE\"\n\n[[dock]]\nid = \"north-dock\"\nstorage_t = -5\nberths = [{ count = 0, class_t = 1000 }]\n";
    assert_rejected(
        "capacity",
        body,
        &[
            "capacity.toml:7:1",
            "dock[north-dock].storage_t",
            "got -5",
            "capacity.toml:8:",
            "berths[0].count",
        ],
    );
}

#[test]
fn impossible_distribution_is_rejected() {
    let body = "[scenario]\nname = \"x\"\nextends = \"EXAMPLE\"\n\n[[park]]\nid = \"riverside-park\"\ntruck_handling_h = { dist = \"triangular\", min = 1, mode = 5, max = 2 }\n";
    assert_rejected(
        "distribution",
        body,
        &[
            "distribution.toml:7:1",
            "park[riverside-park].truck_handling_h",
            "mode (5) must lie between",
        ],
    );
}

#[test]
fn flow_without_a_feasible_route_is_rejected() {
    let body = "[scenario]\nname = \"x\"\nextends = \"EXAMPLE\"\n\n[[flow]]\nid = \"caustic-inland\"\nsplit = { water = 1.0 }\n";
    assert_rejected(
        "route",
        body,
        &[
            "route.toml:7:",
            "flow[caustic-inland].split.water",
            "no feasible route by water",
        ],
    );
}

#[test]
fn vessel_larger_than_the_waterway_is_rejected() {
    let body = "[scenario]\nname = \"x\"\nextends = \"EXAMPLE\"\n\n[[carrier]]\nid = \"barge-1000\"\nvessel_class_t = 3000\n\n[[dock]]\nid = \"north-dock\"\nberths = [{ count = 2, class_t = 3000 }]\n";
    assert_rejected(
        "vessel",
        body,
        &[
            "vessel class 3000 t",
            "too large",
            "waterway \"w-dock-lock\" admits at most 2000 t",
        ],
    );
}

/// Lock rules that cannot work are refused, located: a minimum batch without a window to bound its wait,
/// joining until levelling with a whole-cycle lockage, half a chamber size, and a chamber packed by size
/// for a vessel without one or too large for it.
#[test]
fn impossible_lock_rules_are_rejected() {
    let lock = |rules: &str, line: &str| {
        format!(
            "[scenario]\nname = \"x\"\nextends = \"EXAMPLE\"\n\n[[lock]]\nid = \"mid-lock\"\n{rules}\n\n[[lock.line]]\n{line}\n"
        )
    };
    assert_rejected(
        "lock-min",
        &lock(
            "clustering_window_min = 0",
            "id = \"line-1\"\nmin_vessels = 2",
        ),
        &[
            "lock[mid-lock].line[line-1].min_vessels",
            "clustering_window_min",
        ],
    );
    assert_rejected(
        "lock-join",
        &lock(
            "",
            "id = \"line-2\"\nchamber_capacity_t = 2000\nmax_vessels = 2\ncycle_h = 1.0",
        ),
        &[
            "lock[mid-lock].line[line-2].cycle_h",
            "needs the lockage in parts",
        ],
    );
    assert_rejected(
        "lock-half-size",
        &lock(
            "",
            "id = \"line-2\"\nchamber_length_m = 120\nmax_vessels = 2\nlevelling_h = 0.5",
        ),
        &["lock[mid-lock].line[line-2]", "chamber_width_m"],
    );
    let without_size = format!(
        "{}\n[[carrier]]\nid = \"small-barge\"\nmode = \"water\"\npayload_t = 500\nnamed_only = true\n",
        lock("", "id = \"line-1\"")
    );
    assert_rejected(
        "lock-no-vessel-size",
        &without_size,
        &["carrier[small-barge]", "packs vessels by size", "length_m"],
    );
    let too_large = format!(
        "{}\n[[carrier]]\nid = \"barge-1000\"\nlength_m = 190\n",
        lock("", "id = \"line-1\"")
    );
    assert_rejected(
        "lock-too-large",
        &too_large,
        &[
            "carrier[barge-1000]",
            "fits no chamber of lock \"mid-lock\"",
        ],
    );
}

#[test]
fn missing_files_are_reported() {
    assert_rejected(
        "missing-base",
        "[scenario]\nname = \"x\"\nextends = \"no-such-base.toml\"\n",
        &["no-such-base.toml", "cannot read the file"],
    );
    let o = hazflow(&[
        "run",
        "/nonexistent/scenario.toml",
        "--out",
        "/tmp/hazflow-never-written",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("/nonexistent/scenario.toml: cannot read the file"),
        "{}",
        stderr(&o)
    );
    assert!(!Path::new("/tmp/hazflow-never-written").exists());
}

#[test]
fn an_existing_output_directory_is_not_overwritten() {
    let dir = scratch("exists");
    let o = hazflow(&[
        "run",
        example().to_str().unwrap(),
        "--reps",
        "1",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("already exists"), "{}", stderr(&o));
    let _ = std::fs::remove_dir_all(&dir);
}

#[path = "cli/fuzz.rs"]
mod fuzz;
#[path = "cli/reliability.rs"]
mod reliability;

/// Issue "Reports" item 6: with stderr not a terminal (CI, Slurm logs) nothing was shown until the end.
/// Now plain lines come: the first replication at once, the last, and the phase after them; `--quiet`
/// shows none of them.
#[test]
fn progress_comes_as_plain_lines_when_stderr_is_not_a_terminal() {
    let dir = scratch("plain-progress");
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/examples/risk-small.toml");
    let run = |out: &str, quiet: bool| {
        let out = dir.join(out);
        let mut args = vec![
            "run",
            example.to_str().unwrap(),
            "--reps",
            "3",
            "--threads",
            "1",
            "--no-plots",
            "--out",
            out.to_str().unwrap(),
        ];
        if quiet {
            args.push("--quiet");
        }
        let o = hazflow(&args);
        assert!(o.status.success(), "{}", stderr(&o));
        (stderr(&o), String::from_utf8_lossy(&o.stdout).into_owned())
    };
    let (shown, stdout) = run("shown", false);
    for line in [
        ": 1/3 replications, ",
        ": 3/3 replications, ",
        ": risk analysis and reports",
    ] {
        assert!(shown.contains(line), "no {line:?} in:\n{shown}");
    }
    assert!(stdout.contains(" s in all; results in "), "{stdout}");
    let (quiet, _) = run("quiet", true);
    for line in ["/3 replications", "risk analysis and reports"] {
        assert!(!quiet.contains(line), "--quiet printed {line:?}:\n{quiet}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A run records the build that made it (version, and the git commit of a checkout) and the scenario text
/// it ran, every `extends` merged: running that text again gives the same results, byte for byte.
#[test]
fn a_run_records_its_build_and_the_scenario_text_it_ran() {
    let dir = scratch("resolved");
    let what_if = dir.join("what-if.toml");
    std::fs::write(
        &what_if,
        format!(
            "[scenario]\nname = \"more-bays\"\nextends = \"{}\"\n\n[[park]]\nid = \"riverside-park\"\nbays = {{ road = 5, rail = 2 }}\n",
            example().display()
        ),
    )
    .unwrap();
    let run = |scenario: &Path, out: &Path| {
        let o = hazflow(&[
            "run",
            scenario.to_str().unwrap(),
            "--reps",
            "3",
            "--no-plots",
            "--quiet",
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
    };
    let (first, again) = (dir.join("first"), dir.join("again"));
    run(&what_if, &first);
    let info: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(first.join("run-info.json")).unwrap())
            .unwrap();
    assert_eq!(info["build"]["version"], env!("CARGO_PKG_VERSION"));
    let in_checkout = Command::new("git")
        .args(["rev-parse", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .is_ok_and(|o| o.status.success());
    if in_checkout {
        let commit = info["build"]["git_commit"].as_str().unwrap_or("");
        assert!(
            commit.len() == 40 && commit.chars().all(|c| c.is_ascii_hexdigit()),
            "{info}"
        );
    }
    let resolved = std::fs::read_to_string(first.join("scenario.resolved.toml")).unwrap();
    assert!(!resolved.contains("extends"), "the chain is merged");
    assert!(
        resolved.contains("road = 5"),
        "the what-if's change is in it"
    );
    assert!(
        resolved.contains("id = \"north-dock\""),
        "and the base's elements"
    );
    let copy = dir.join("resolved.toml");
    std::fs::write(&copy, &resolved).unwrap();
    run(&copy, &again);
    for file in ["summary.csv", "replications.csv", "timeseries.csv"] {
        assert_eq!(
            std::fs::read(first.join(file)).unwrap(),
            std::fs::read(again.join(file)).unwrap(),
            "{file}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
