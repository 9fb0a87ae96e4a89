//! Outputs of a run: tidy CSV files, the manifest, plots. Everything is written into a staging directory
//! next to the requested one and renamed into place only when complete, so an interrupted or failed run
//! never leaves a half-written output directory behind.

mod csv_out;
pub mod findings;
mod findings_record;
pub mod html;
mod html_pages;
mod manifest;
mod plots;
mod risk_out;
mod risk_plots;

use std::path::{Path, PathBuf};

pub use csv_out::{ReplicationsWriter, format_number, write_summary, write_timeseries};
pub use html_pages::{
    BatchEntry, Row, bottlenecks, comparison_section, find, read_csv, read_summary,
    write_batch_report, write_run_report,
};
pub use manifest::{BuildInfo, Manifest, RunInfo, ScenarioFileInfo, utc_timestamp};
pub use plots::write_plots;
pub use risk_out::{AccidentsWriter, IR_CSV_FLOOR, write_risk_files};
pub use risk_plots::write_risk_plots;

/// Why outputs could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The output directory already exists.
    #[error("the output directory {0} already exists; choose another --out or remove it")]
    Exists(PathBuf),
    /// The output path does not end in a directory name (`new/..`, `.`, `/`).
    #[error(
        "--out {0} does not name a new directory (its last part must be a name, not `..`, `.` or `/`)"
    )]
    NotADirectoryName(PathBuf),
    /// A file system operation failed.
    #[error("cannot write {path}: {source}")]
    Io {
        /// What was being written.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// A CSV record could not be written.
    #[error("cannot write {path}: {message}")]
    Format {
        /// What was being written.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
}

pub(crate) fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> ReportError + '_ {
    move |source| ReportError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Writes `bytes` to a temporary sibling of `path` and renames it into place, so readers (and a resumed
/// batch) see either the old file or the whole new one.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), ReportError> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temporary = path.with_file_name(format!(".{name}.tmp"));
    std::fs::write(&temporary, bytes).map_err(io_error(&temporary))?;
    std::fs::rename(&temporary, path).map_err(io_error(path))
}

/// A directory being filled: `path()` is a hidden sibling of the final directory; `commit` renames it into
/// place; dropping it without committing deletes it.
pub struct StagedDir {
    staging: PathBuf,
    target: PathBuf,
    committed: bool,
}

impl StagedDir {
    /// Prepares to write `target`, which must not exist yet. Stale staging directories of runs of this
    /// machine that were killed are removed on the way.
    pub fn create(target: &Path) -> Result<Self, ReportError> {
        check_out_name(target)?;
        if target.exists() {
            return Err(ReportError::Exists(target.to_path_buf()));
        }
        let parent = target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent).map_err(io_error(parent))?;
        remove_stale_staging(parent);
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "run".into());
        let staging = parent.join(staging_name(&name, std::process::id()));
        if staging.exists() {
            std::fs::remove_dir_all(&staging).map_err(io_error(&staging))?;
        }
        std::fs::create_dir_all(&staging).map_err(io_error(&staging))?;
        unfinished().push(staging.clone());
        Ok(Self {
            staging,
            target: target.to_path_buf(),
            committed: false,
        })
    }

    /// Where to write now.
    pub fn path(&self) -> &Path {
        &self.staging
    }

    /// Renames the staging directory to its final name.
    pub fn commit(mut self) -> Result<PathBuf, ReportError> {
        if self.target.exists() {
            return Err(ReportError::Exists(self.target.clone()));
        }
        std::fs::rename(&self.staging, &self.target).map_err(io_error(&self.target))?;
        self.committed = true;
        forget_unfinished(&self.staging);
        Ok(self.target.clone())
    }
}

/// Refuses an output path whose last component is not a name: `new/..` would be created as `new`, run,
/// and only fail at the final rename.
pub fn check_out_name(target: &Path) -> Result<(), ReportError> {
    match target.components().next_back() {
        Some(std::path::Component::Normal(_)) => Ok(()),
        _ => Err(ReportError::NotADirectoryName(target.to_path_buf())),
    }
}

/// `.NAME.partial-HOST-PID`: the host keeps a run on one node of a cluster from removing the staging
/// directory of a live run on another that shares the file system.
fn staging_name(name: &str, pid: u32) -> String {
    format!(".{name}.partial-{}-{pid}", host_name())
}

fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .ok()
        .filter(|h| !h.is_empty() && !h.contains('/'))
        .unwrap_or_else(|| "local".into())
}

/// Removes the staging directories in `parent` left by killed runs of this host: those whose process no
/// longer exists. Only where `/proc` tells which processes live; elsewhere nothing is removed.
fn remove_stale_staging(parent: &Path) {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    let marker = format!(".partial-{}-", host_name());
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name
            .starts_with('.')
            .then(|| name.rsplit_once(&marker))
            .flatten()
            .and_then(|(_, pid)| pid.parse::<u32>().ok())
        else {
            continue;
        };
        if pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

impl Drop for StagedDir {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.staging);
            forget_unfinished(&self.staging);
        }
    }
}

/// The staging directories this process is filling. A signal that ends the process runs no destructor, so
/// the binary's signal handler calls [`remove_unfinished`] to take them away.
static UNFINISHED: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());

fn unfinished() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    // A panic elsewhere while the list was held leaves it usable: it is only a list of paths.
    UNFINISHED
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn forget_unfinished(staging: &Path) {
    unfinished().retain(|p| p != staging);
}

/// Removes every staging directory still being filled (for a signal handler, before the process exits).
/// The list stays locked until the process ends, so that no new staging directory starts meanwhile, and
/// each removal is tried again if a writer recreated a subfolder in between. Returns how many are gone.
pub fn remove_unfinished() -> usize {
    let list = unfinished();
    let mut removed = 0;
    for staging in list.iter() {
        for _attempt in 0..5 {
            if !staging.exists() {
                break;
            }
            let _ = std::fs::remove_dir_all(staging);
        }
        removed += usize::from(!staging.exists());
    }
    // Keep the lock: the caller exits next.
    std::mem::forget(list);
    removed
}
