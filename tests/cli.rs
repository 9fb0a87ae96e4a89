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
            "> 0",
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

/// Issue "Reliability" item 1: a demand factor of 0 ran for ever (a plant's next batch at 0/0 h repeated
/// at time 0). Now the chemical flows and plants simply stand still and the run ends (the watchdog fails
/// the test after 60 s).
#[test]
fn a_zero_demand_factor_runs_and_moves_no_chemicals() {
    let dir = scratch("zero-demand");
    let file = dir.join("zero.toml");
    std::fs::write(
        &file,
        format!(
            "[scenario]\nname = \"zero\"\nextends = \"{}\"\n\n[demand]\nchemical_factor = 0\n",
            example().display()
        ),
    )
    .unwrap();
    let out = dir.join("out");
    let mut child = Command::new(env!("CARGO_BIN_EXE_hazflow"))
        .args([
            "run",
            file.to_str().unwrap(),
            "--reps",
            "2",
            "--no-plots",
            "--out",
            out.to_str().unwrap(),
        ])
        .stderr(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed().as_secs() > 60 {
            let _ = child.kill();
            panic!("a run with chemical_factor = 0 did not end in 60 s");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert!(status.success());
    let summary = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    let delivered = summary
        .lines()
        .find(|l| l.contains(",delivered_t,chemical flows,road,"))
        .unwrap();
    let mean: f64 = delivered.split(',').nth(5).unwrap().parse().unwrap();
    assert_eq!(mean, 0.0, "{delivered}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Issue "Reliability" item 3: a scenario named `../../escaped` (or `/abs`, `..`, empty) wrote its
/// default output outside the project. The default folder now stays under `outputs/`.
#[test]
fn a_scenario_name_cannot_move_the_default_output_out_of_outputs() {
    let dir = scratch("escape");
    let work = dir.join("a").join("b");
    std::fs::create_dir_all(&work).unwrap();
    for (k, name) in ["../../escaped", "/tmp/absolute", "..", ""]
        .iter()
        .enumerate()
    {
        let file = work.join(format!("s{k}.toml"));
        std::fs::write(
            &file,
            format!(
                "[scenario]\nname = \"{name}\"\nextends = \"{}\"\n",
                example().display()
            ),
        )
        .unwrap();
        let o = Command::new(env!("CARGO_BIN_EXE_hazflow"))
            .current_dir(&work)
            .args(["run", file.to_str().unwrap(), "--reps", "1", "--no-plots"])
            .output()
            .unwrap();
        assert!(o.status.success(), "{name:?}: {}", stderr(&o));
    }
    let written: Vec<_> = std::fs::read_dir(work.join("outputs"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(written.len(), 4, "{written:?}");
    assert!(written.iter().all(|n| !n.starts_with('.')), "{written:?}");
    // Nothing beside the scenario files and outputs/, nothing above.
    let mut around: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    around.sort();
    assert_eq!(around, vec!["a".to_string()]);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Issue "Reliability" item 2: a road tanker of 0.1 t (0.2, 0.7, 0.9) panicked ("consignment woken in
/// stage Aboard for Get"): a storage's binary sum of such loads fell short of the last one. The run now
/// ends normally and delivers.
#[test]
fn loads_that_are_not_binary_fractions_run() {
    let dir = scratch("small-payload");
    for payload in ["0.1", "0.7"] {
        let file = dir.join(format!("p{payload}.toml"));
        std::fs::write(
            &file,
            format!(
                "[scenario]\nname = \"p\"\nextends = \"{}\"\n\n[[carrier]]\nid = \"road-tanker\"\nmode = \"road\"\npayload_t = {payload}\n",
                example().display()
            ),
        )
        .unwrap();
        let out = dir.join(format!("out-{payload}"));
        let o = hazflow(&[
            "run",
            file.to_str().unwrap(),
            "--reps",
            "1",
            "--no-plots",
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{payload} t: {}", stderr(&o));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Issue "Reliability" item 13: `hazflow cascade ... | head` panicked on the closed pipe. A reader that
/// has gone now ends the program quietly.
#[test]
fn a_closed_stdout_ends_quietly() {
    let layout =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/examples/cascade-four-tanks.toml");
    let mut child = Command::new(env!("CARGO_BIN_EXE_hazflow"))
        .args([
            "cascade",
            layout.to_str().unwrap(),
            "--initiator",
            "T1",
            "--trials",
            "20000",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let o = child.wait_with_output().unwrap();
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    assert!(o.status.success(), "{:?} {}", o.status, stderr(&o));
}
