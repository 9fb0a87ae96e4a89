//! Helpers shared by the command-line integration tests.
#![allow(dead_code)]

use hazflow::sim::Metric;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs the hazflow binary with `args`.
pub fn hazflow(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hazflow"))
        .args(args)
        .output()
        .expect("the binary runs")
}

/// Standard error as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A shipped scenario or example, by path relative to `scenarios/`.
pub fn scenario(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(relative)
}

/// A fresh scratch directory for one test.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hazflow-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Every file under `dir`, relative, sorted.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                out.push(path.strip_prefix(root).unwrap().to_path_buf());
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// Asserts that two result directories hold the same files with the same bytes, `except` the named ones.
pub fn assert_same_files(a: &Path, b: &Path, except: &[&str]) {
    let keep = |files: Vec<PathBuf>| -> Vec<PathBuf> {
        files
            .into_iter()
            .filter(|f| !except.iter().any(|e| f.ends_with(e)))
            .collect()
    };
    let (fa, fb) = (keep(files_under(a)), keep(files_under(b)));
    assert_eq!(
        fa,
        fb,
        "{} and {} hold different files",
        a.display(),
        b.display()
    );
    assert!(!fa.is_empty());
    for file in &fa {
        let (x, y) = (
            std::fs::read(a.join(file)).unwrap(),
            std::fs::read(b.join(file)).unwrap(),
        );
        assert!(
            x == y,
            "{} differs between {} and {}",
            file.display(),
            a.display(),
            b.display()
        );
    }
}

/// Loads, compiles and runs a scenario file in-process (two threads), panicking with the error.
pub fn run_scenario(file: &Path, seed: u64, replications: u64) -> hazflow::experiment::RunSummary {
    use hazflow::experiment::{RunSettings, Runner, run_model};
    let loaded = hazflow::scenario::load(file).unwrap_or_else(|e| panic!("{e}"));
    let model = hazflow::model::compile(&loaded).unwrap_or_else(|e| panic!("{e}"));
    let settings = RunSettings {
        max_in_system: hazflow::sim::DEFAULT_MAX_IN_SYSTEM,
        seed,
        first_replication: 0,
        replications,
        ir_cell_m: None,
        keep_accidents: true,
        stop: None,
    };
    run_model(
        &model,
        settings,
        &Runner::new(2).unwrap(),
        &|| {},
        None,
        |_, _| Ok(()),
    )
    .unwrap_or_else(|e| panic!("{}: {e}", file.display()))
}

/// The summary of a metric, or a panic naming it.
pub fn metric<'a>(
    summary: &'a hazflow::experiment::RunSummary,
    metric: Metric,
    subject: &str,
    detail: &str,
) -> &'a hazflow::experiment::ReplicationStats {
    summary
        .get(metric, subject, detail)
        .unwrap_or_else(|| panic!("no metric {metric}/{subject}/{detail}"))
}
