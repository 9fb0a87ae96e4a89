//! Mutation fuzzing of the shipped examples (issue "Reliability"). Proptest draws mutations of the
//! structure and the values of `one-of-each.toml` (whole) and `risk-small.toml` (its own tables, on top
//! of its base): extreme numbers, odd strings, deleted keys, duplicated elements, changed types. Each
//! mutant is validated and, when valid, run for one replication. Every case must
//!
//! - exit with 0 or 2 (never a panic, an abort or a signal);
//! - end within [`TIME_LIMIT`] and within [`MEMORY_LIMIT_KB`] of address space (`ulimit -v`);
//! - write nothing outside its `--out` folder;
//! - locate every scenario error by file and line.
//!
//! CI runs a short pass (`HAZFLOW_FUZZ_CASES`, default 40). A long pass, reported in the closing note of
//! the issue: `HAZFLOW_FUZZ_CASES=3000 cargo test --test cli fuzz -- --nocapture`; with
//! `HAZFLOW_FUZZ_PLAN=1` the Liuzhou plan is mutated too.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, RngSeed, TestCaseError, TestRunner};

use super::scratch;

/// A command taking longer than this counts as a hang.
const TIME_LIMIT: Duration = Duration::from_secs(60);
/// Address space a command may take (4 GB): a blow-up aborts the allocation and fails the case.
const MEMORY_LIMIT_KB: u64 = 4_000_000;

/// One change to a document.
#[derive(Clone, Debug)]
enum Mutation {
    /// Replace the `at`-th number (modulo their count) with an extreme.
    Number { at: usize, value: Extreme },
    /// Replace the `at`-th string with an odd one.
    Text { at: usize, value: &'static str },
    /// Delete the `at`-th key of any table.
    Delete { at: usize },
    /// Duplicate the `at`-th element of any array.
    Duplicate { at: usize },
    /// Put a string where the `at`-th number was, or a number where a string was.
    Retype { at: usize },
}

#[derive(Clone, Copy, Debug)]
enum Extreme {
    Fixed(f64),
    Scale(f64),
}

const FIXED: &[f64] = &[
    0.0,
    -1.0,
    1e-300,
    1e300,
    f64::NAN,
    f64::INFINITY,
    f64::NEG_INFINITY,
    1e-6,
    0.1,
    1e9,
    24300.0,
    -0.0,
];
const SCALES: &[f64] = &[1000.0, 0.001, -1.0, 1e6, 2.0, 0.5, 10.0, 0.1];
const TEXTS: &[&str] = &[
    "",
    "..",
    ".",
    "/abs/path",
    "../../escaped",
    "nowhere",
    "road+rail+water+road",
    "caf\u{e9} \u{1F600}",
    "a\nb",
];

fn mutation() -> impl Strategy<Value = Mutation> {
    let at = 0..100_000usize;
    prop_oneof![
        4 => (at.clone(), 0..FIXED.len()).prop_map(|(at, k)| Mutation::Number { at, value: Extreme::Fixed(FIXED[k]) }),
        4 => (at.clone(), 0..SCALES.len()).prop_map(|(at, k)| Mutation::Number { at, value: Extreme::Scale(SCALES[k]) }),
        2 => (at.clone(), 0..TEXTS.len()).prop_map(|(at, k)| Mutation::Text { at, value: TEXTS[k] }),
        1 => at.clone().prop_map(|at| Mutation::Delete { at }),
        1 => at.clone().prop_map(|at| Mutation::Duplicate { at }),
        1 => at.prop_map(|at| Mutation::Retype { at }),
    ]
}

/// What a node of the document is, for choosing targets.
#[derive(PartialEq)]
enum Kind {
    Number,
    Text,
    Key,
    Array,
}

/// Applies `f` to the `at`-th (modulo the count) value of `kind` in document order; false if none.
fn visit(
    root: &mut toml::Value,
    kind: Kind,
    at: usize,
    f: &mut dyn FnMut(&mut toml::Value, Option<&str>),
) {
    fn count(v: &toml::Value, kind: &Kind) -> usize {
        let own = match (v, kind) {
            (toml::Value::Float(_) | toml::Value::Integer(_), Kind::Number) => 1,
            (toml::Value::String(_), Kind::Text) => 1,
            (toml::Value::Array(a), Kind::Array) if !a.is_empty() => 1,
            (toml::Value::Table(t), Kind::Key) => t.len(),
            _ => 0,
        };
        own + match v {
            toml::Value::Table(t) => t.values().map(|c| count(c, kind)).sum(),
            toml::Value::Array(a) => a.iter().map(|c| count(c, kind)).sum(),
            _ => 0,
        }
    }
    let total = count(root, &kind);
    if total == 0 {
        return;
    }
    let mut target = at % total;
    fn walk(
        v: &mut toml::Value,
        kind: &Kind,
        target: &mut usize,
        f: &mut dyn FnMut(&mut toml::Value, Option<&str>),
    ) -> bool {
        let own = matches!(
            (&*v, kind),
            (
                toml::Value::Float(_) | toml::Value::Integer(_),
                Kind::Number
            ) | (toml::Value::String(_), Kind::Text)
        ) || matches!((&*v, kind), (toml::Value::Array(a), Kind::Array) if !a.is_empty());
        if own {
            if *target == 0 {
                f(v, None);
                return true;
            }
            *target -= 1;
        }
        if let (toml::Value::Table(t), Kind::Key) = (&*v, kind) {
            if *target < t.len() {
                let key = t.keys().nth(*target).cloned();
                f(v, key.as_deref());
                return true;
            }
            *target -= t.len();
        }
        match v {
            toml::Value::Table(t) => t.iter_mut().any(|(_, c)| walk(c, kind, target, f)),
            toml::Value::Array(a) => a.iter_mut().any(|c| walk(c, kind, target, f)),
            _ => false,
        }
    }
    walk(root, &kind, &mut target, f);
}

fn apply(doc: &mut toml::Value, m: &Mutation) {
    match m {
        Mutation::Number { at, value } => visit(doc, Kind::Number, *at, &mut |v, _| {
            let x = match v {
                toml::Value::Float(x) => *x,
                toml::Value::Integer(i) => *i as f64,
                _ => return,
            };
            *v = match value {
                Extreme::Fixed(y) => toml::Value::Float(*y),
                Extreme::Scale(s) => toml::Value::Float(x * s),
            };
        }),
        Mutation::Text { at, value } => visit(doc, Kind::Text, *at, &mut |v, _| {
            *v = toml::Value::String(value.to_string());
        }),
        Mutation::Delete { at } => visit(doc, Kind::Key, *at, &mut |v, key| {
            if let (toml::Value::Table(t), Some(key)) = (v, key) {
                t.remove(key);
            }
        }),
        Mutation::Duplicate { at } => visit(doc, Kind::Array, *at, &mut |v, _| {
            if let toml::Value::Array(a) = v
                && let Some(first) = a.first().cloned()
            {
                a.push(first);
            }
        }),
        Mutation::Retype { at } => visit(doc, Kind::Number, *at, &mut |v, _| {
            *v = toml::Value::String(v.to_string());
        }),
    }
}

/// The documents mutated: one-of-each whole; risk-small with its base and data made absolute, so the
/// mutant runs from any folder.
fn bases() -> Vec<(String, toml::Value)> {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/examples");
    let read = |name: &str| -> toml::Value {
        toml::from_str(&std::fs::read_to_string(examples.join(name)).unwrap()).unwrap()
    };
    let mut risk = read("risk-small.toml");
    risk["scenario"]["extends"] =
        toml::Value::String(examples.join("one-of-each.toml").display().to_string());
    if let Some(toml::Value::Array(data)) = risk.get_mut("risk").and_then(|r| r.get_mut("data")) {
        for d in data.iter_mut() {
            if let toml::Value::String(p) = d {
                *p = examples.join(&*p).display().to_string();
            }
        }
    }
    let mut bases = vec![
        ("one-of-each".into(), read("one-of-each.toml")),
        ("risk-small".into(), risk),
    ];
    // The Liuzhou plan (2,300 lines, a second a run): in long passes only.
    if std::env::var_os("HAZFLOW_FUZZ_PLAN").is_some() {
        let scenarios = examples.parent().unwrap();
        let mut plan: toml::Value = toml::from_str(
            &std::fs::read_to_string(scenarios.join("liuzhou-2025-plan.toml")).unwrap(),
        )
        .unwrap();
        if let Some(toml::Value::Array(data)) = plan.get_mut("risk").and_then(|r| r.get_mut("data"))
        {
            for d in data.iter_mut() {
                if let toml::Value::String(p) = d {
                    *p = scenarios.join(&*p).display().to_string();
                }
            }
        }
        bases.push(("liuzhou-2025-plan".into(), plan));
    }
    bases
}

/// How one command ended.
#[derive(Debug, PartialEq)]
enum Ending {
    Exit(i32),
    Signal,
    Hang,
}

/// Runs hazflow under the memory limit and the time limit, in `dir`.
fn bounded(dir: &Path, args: &[&str]) -> (Ending, String) {
    let mut child = Command::new("sh")
        .current_dir(dir)
        .arg("-c")
        .arg(format!("ulimit -v {MEMORY_LIMIT_KB}; exec \"$0\" \"$@\""))
        .arg(env!("CARGO_BIN_EXE_hazflow"))
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sh runs");
    let mut stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = std::io::Read::read_to_string(&mut stderr, &mut text);
        text
    });
    let started = Instant::now();
    let ending = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status.code().map_or(Ending::Signal, Ending::Exit);
        }
        if started.elapsed() > TIME_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            break Ending::Hang;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    (ending, reader.join().unwrap_or_default())
}

/// Tallies of the pass, printed at the end.
#[derive(Default, Debug)]
struct Figures {
    cases: usize,
    rejected: usize,
    ran: usize,
    refused_at_run: usize,
    unlocated: usize,
}

/// Whether a diagnostic `FILE:LINE:COLUMN: ...` (or `FILE:LINE: ...`) names its line.
fn has_line(diagnostic: &str) -> bool {
    let location = diagnostic.split(": ").next().unwrap_or("");
    let mut parts = location.rsplit(':');
    let last = parts.next().unwrap_or("");
    let before = parts.next().unwrap_or("");
    let number = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    number(last) && (number(before) || !before.is_empty())
}

/// Checks one mutant; `Err` names the broken promise.
fn check_case(dir: &Path, text: &str, figures: &Mutex<Figures>) -> Result<(), String> {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).unwrap();
    let file = dir.join("mutant.toml");
    std::fs::write(&file, text).unwrap();
    let clean = |ending: &Ending, stderr: &str, what: &str| -> Result<(), String> {
        match ending {
            Ending::Exit(0 | 2) if !stderr.contains("panicked") => Ok(()),
            other => Err(format!("{what}: {other:?}\n{stderr}")),
        }
    };
    let (ending, stderr) = bounded(dir, &["validate", "mutant.toml"]);
    clean(&ending, &stderr, "validate")?;
    let mut f = figures.lock().unwrap();
    f.cases += 1;
    if ending == Ending::Exit(2) {
        f.rejected += 1;
        // A scenario error reads `error: FILE:LINE:COLUMN: ...`; one without a line is a miss.
        let unlocated = stderr
            .lines()
            .filter_map(|l| l.strip_prefix("error: "))
            .filter(|l| !l.contains("more problems like these"))
            .filter(|l| !has_line(l))
            .count();
        if unlocated > 0 {
            f.unlocated += 1;
            return Err(format!("an error without a line:\n{stderr}"));
        }
        return Ok(());
    }
    drop(f);
    let (ending, stderr) = bounded(
        dir,
        &[
            "run",
            "mutant.toml",
            "--reps",
            "1",
            "--threads",
            "1",
            "--no-plots",
            "--out",
            "out",
        ],
    );
    clean(&ending, &stderr, "run")?;
    let mut f = figures.lock().unwrap();
    if ending == Ending::Exit(0) {
        f.ran += 1;
    } else {
        f.refused_at_run += 1;
    }
    let mut left: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| PathBuf::from(e.file_name()))
        .collect();
    left.sort();
    let expected: Vec<PathBuf> = if ending == Ending::Exit(0) {
        vec!["mutant.toml".into(), "out".into()]
    } else {
        vec!["mutant.toml".into()]
    };
    if left != expected {
        return Err(format!("files outside --out: {left:?}"));
    }
    Ok(())
}

#[test]
fn mutants_of_the_examples_exit_cleanly_in_bounded_time_and_space() {
    let cases: u32 = std::env::var("HAZFLOW_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(40);
    let config = Config {
        cases,
        failure_persistence: None,
        rng_algorithm: RngAlgorithm::ChaCha,
        rng_seed: RngSeed::Fixed(20261202),
        max_shrink_iters: 64,
        ..Config::default()
    };
    let bases = bases();
    let dir = scratch("fuzz");
    let figures = Mutex::new(Figures::default());
    let strategy = (0..bases.len(), prop::collection::vec(mutation(), 1..4));
    let result = TestRunner::new(config).run(&strategy, |(base, mutations)| {
        let mut doc = bases[base].1.clone();
        for m in &mutations {
            apply(&mut doc, m);
        }
        let Ok(text) = toml::to_string(&doc) else {
            return Ok(()); // not expressible in TOML (a key deleted from under a dotted path, say)
        };
        check_case(&dir.join("case"), &text, &figures)
            .map_err(|e| TestCaseError::fail(format!("{} {mutations:?}: {e}", bases[base].0)))
    });
    let f = figures.into_inner().unwrap();
    eprintln!(
        "fuzz: {} cases; {} rejected by validate, {} ran, {} refused at run (budgets, saturation); {} errors without a line",
        f.cases, f.rejected, f.ran, f.refused_at_run, f.unlocated
    );
    match result {
        Ok(()) => {
            let _ = std::fs::remove_dir_all(&dir);
        }
        // The last case checked is the shrunk one: its mutant stays for a look.
        Err(e) => panic!(
            "{e}\nthe mutant: {}",
            dir.join("case/mutant.toml").display()
        ),
    }
}
