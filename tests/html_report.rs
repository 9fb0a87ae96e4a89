//! The HTML reports in a real headless browser (Debian's chromium, installed by `.ci/run`): every page
//! loads without script or resource errors, every embedded plot decodes, scenario text cannot inject
//! markup, and a screenshot is taken.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{hazflow, scenario, scratch, stderr};

const CHROMIUM: &str = "/usr/bin/chromium";

/// The browser, or `None` (the test is then skipped) unless `HAZFLOW_REQUIRE_EXTERNAL` is set, as in CI.
fn browser() -> Option<PathBuf> {
    let path = PathBuf::from(CHROMIUM);
    if path.exists() {
        return Some(path);
    }
    assert!(
        std::env::var_os("HAZFLOW_REQUIRE_EXTERNAL").is_none(),
        "{CHROMIUM} is missing but HAZFLOW_REQUIRE_EXTERNAL is set; .ci/run installs it"
    );
    eprintln!("skipped: {CHROMIUM} not installed (run .ci/run to install it)");
    None
}

fn chromium(browser: &Path, profile: &Path, extra: &[&str], page: &Path) -> std::process::Output {
    Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium starts")
}

/// Loads `page`, returns the DOM after load and checks the page's self-check; saves a screenshot.
fn load(browser: &Path, dir: &Path, page: &Path, shot: &str) -> String {
    let dom = chromium(
        browser,
        &dir.join(format!("profile-{shot}")),
        &["--virtual-time-budget=10000", "--dump-dom"],
        page,
    );
    assert!(dom.status.success(), "{}", stderr(&dom));
    let dom = String::from_utf8_lossy(&dom.stdout).into_owned();
    let body = dom
        .split("<body")
        .nth(1)
        .and_then(|b| b.split('>').next())
        .unwrap_or_else(|| panic!("no body in the DOM of {}", page.display()))
        .to_string();
    assert!(!body.contains("data-errors"), "{}: {body}", page.display());
    let images = body
        .split("data-images-ok=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap_or_else(|| panic!("the self-check did not run on {}: {body}", page.display()));
    let (ok, all) = images.split_once('/').unwrap();
    assert_eq!(ok, all, "{}: only {images} images decoded", page.display());
    assert!(all.parse::<u32>().unwrap() > 0);

    let png = dir.join(format!("{shot}.png"));
    let o = chromium(
        browser,
        &dir.join(format!("profile-{shot}-shot")),
        &[
            "--window-size=1280,2400",
            &format!("--screenshot={}", png.display()),
        ],
        page,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let bytes = std::fs::read(&png).expect("a screenshot was written");
    assert!(
        bytes.starts_with(b"\x89PNG") && bytes.len() > 20_000,
        "{} bytes",
        bytes.len()
    );
    dom
}

#[test]
fn reports_load_cleanly_in_a_headless_browser() {
    let Some(browser) = browser() else { return };
    let dir = scratch("html");
    let base = scenario("examples/risk-small.toml");
    // A scenario whose name tries to inject markup into every page that shows it.
    let hostile = dir.join("hostile.toml");
    std::fs::write(
        &hostile,
        format!(
            "[scenario]\nname = \"<img src=x onerror=alert(1)>&co\"\nextends = \"{}\"\n",
            base.display()
        ),
    )
    .unwrap();
    let run = dir.join("run");
    let o = hazflow(&[
        "run",
        hostile.to_str().unwrap(),
        "--reps",
        "6",
        "--out",
        run.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let dom = load(&browser, &dir, &run.join("report.html"), "run");
    assert!(
        dom.contains("&lt;img src=x onerror=alert(1)&gt;&amp;co"),
        "the name is shown as text"
    );
    assert!(
        !dom.contains("<img src=\"x\""),
        "the name must not become an element"
    );
    for section in [
        "Key figures",
        "Bottlenecks",
        "Societal risk",
        "Domino cascades",
        "Individual risk",
    ] {
        assert!(dom.contains(section), "run report lacks {section}");
    }

    let compared = dir.join("compare");
    let o = hazflow(&[
        "compare",
        base.to_str().unwrap(),
        hostile.to_str().unwrap(),
        "--reps",
        "6",
        "--out",
        compared.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let dom = load(&browser, &dir, &compared.join("report.html"), "compare");
    assert!(dom.contains("variance reduction") && dom.contains("Network totals"));
    assert!(!dom.contains("<img src=\"x\""));
    // The variant pages the batch report links to load too.
    for entry in std::fs::read_dir(compared.join("runs")).unwrap() {
        let page = entry.unwrap().path().join("report.html");
        load(&browser, &dir, &page, "variant");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
