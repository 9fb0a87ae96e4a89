//! `hazflow findings` end to end on the shipped scenarios (few replications): the document states what
//! the plan carries, where it saturates, and each what-if's effect; a second invocation reuses the runs
//! and writes the same bytes.

mod common;

use common::{hazflow, scratch, stderr};

#[test]
fn findings_document_is_complete_and_reproducible() {
    let dir = scratch("findings");
    let (work, docs) = (dir.join("work"), dir.join("docs"));
    std::fs::create_dir_all(&docs).unwrap();
    let scenarios = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let args = [
        "findings",
        "--scenarios",
        scenarios.to_str().unwrap(),
        "--reps",
        "3",
        "--sweep-reps",
        "2",
        "--work",
        work.to_str().unwrap(),
        "--docs",
        docs.to_str().unwrap(),
    ];
    let o = hazflow(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    let md = std::fs::read_to_string(docs.join("liuzhou-findings.md")).unwrap();
    for needle in [
        "## What the 2025 plan carries, and where it first saturates",
        "the first facility to pass 80 % utilisation is **",
        "## Accident risk of the plan",
        "## Effect of each what-if on capacity and on risk",
        // Domino deaths as a share of the plan's PLL (found by metric, not by a table label).
        "% of the plan's PLL.",
        "![saturation.svg](liuzhou-findings/saturation.svg)",
    ] {
        assert!(md.contains(needle), "findings lack `{needle}`");
    }
    let study =
        hazflow::app::CaseStudy::load(&scenarios.join(hazflow::app::CASE_STUDY_FILE)).unwrap();
    for what_if in study.scenarios.iter().skip(1) {
        let name = what_if.trim_end_matches(".toml");
        assert!(md.contains(&format!("**{name}**")), "no finding for {name}");
    }
    // The one certain effect: without the second lock line, the lock waits much longer, significantly.
    let single_line = md
        .lines()
        .find(|l| l.starts_with("**honghua-single-line**"))
        .unwrap();
    assert!(
        single_line.contains("Honghua lock mean wait +"),
        "{single_line}"
    );
    for asset in [
        "saturation.svg",
        "pll.svg",
        "plan-fn_curves.svg",
        "plan-individual_risk_map.svg",
    ] {
        assert!(
            docs.join("liuzhou-findings").join(asset).exists(),
            "{asset}"
        );
    }
    let html = std::fs::read_to_string(docs.join("liuzhou-findings.html")).unwrap();
    assert!(html.contains("data:image/svg+xml;base64,") && !html.contains("src=\"http"));

    // Again: every run is reused (nothing recomputed) and the documents are byte-identical.
    let o = hazflow(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        md,
        std::fs::read_to_string(docs.join("liuzhou-findings.md")).unwrap()
    );
    let info: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(work.join("scenarios/run-info.json")).unwrap(),
    )
    .unwrap();
    let runs = 3 * study.scenarios.len() as u64;
    assert_eq!(info["replications_reused"], runs, "{info}");
    std::fs::remove_dir_all(&dir).unwrap();
}
