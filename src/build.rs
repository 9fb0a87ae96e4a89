//! Build script: records the git commit the binary was built from (and whether tracked files differed
//! from it), so every run's `run-info.json` names the code that produced it.

use std::path::PathBuf;
use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let output = Command::new("git").args(args).output().ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_string())
}

fn main() {
    let commit = git(&["rev-parse", "HEAD"]).unwrap_or_default();
    let dirty = match git(&["status", "--porcelain", "--untracked-files=no"]) {
        Some(changes) if !commit.is_empty() => (!changes.is_empty()).to_string(),
        _ => String::new(),
    };
    println!("cargo:rustc-env=HAZFLOW_GIT_COMMIT={commit}");
    println!("cargo:rustc-env=HAZFLOW_GIT_DIRTY={dirty}");
    // Look again when the commit, the index or the sources change (git's own paths, so that a worktree,
    // whose .git is a file, works too).
    if let Some(git_dir) = git(&["rev-parse", "--absolute-git-dir"]) {
        let git_dir = PathBuf::from(git_dir);
        for file in ["HEAD", "index", "packed-refs"] {
            let path = git_dir.join(file);
            if path.exists() {
                println!("cargo:rerun-if-changed={}", path.display());
            }
        }
        if let Some(head_ref) = git(&["symbolic-ref", "-q", "HEAD"]) {
            let path = git_dir.join(head_ref);
            if path.exists() {
                println!("cargo:rerun-if-changed={}", path.display());
            }
        }
    }
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=Cargo.toml");
}
