//! What a long command shows while it works. On a terminal, an indicatif bar of replications, then a
//! spinner for the phase after them (the risk analysis and the reports, often most of a run), so the bar
//! never sits at "200/200, ETA 0s" while work goes on. Elsewhere (CI, a Slurm log, `2> file`), where the
//! bar draws nothing, plain lines at most every [`PLAIN_EVERY_S`] seconds. Nothing at all with `--quiet`.

use std::io::{IsTerminal, Write};
use std::sync::Mutex;
use std::time::Instant;

/// Seconds between two plain progress lines.
pub(crate) const PLAIN_EVERY_S: f64 = 10.0;

/// Progress of one command: replications done out of a total, and the phase after them.
pub(crate) struct Progress {
    bar: indicatif::ProgressBar,
    plain: Option<Mutex<Plain>>,
    /// Counts the replications of several runs at once (a batch's variants, side by side): no run's
    /// phase takes over the bar.
    many_runs: bool,
}

fn replication_style() -> indicatif::ProgressStyle {
    indicatif::ProgressStyle::with_template(
        "{spinner} {msg} [{bar:30}] {pos}/{len} replications, {elapsed} elapsed, ETA {eta}",
    )
    .expect("valid template")
    .progress_chars("=> ")
}

/// The state behind plain lines.
struct Plain {
    label: String,
    done: u64,
    total: u64,
    started: Instant,
    last_line: Option<Instant>,
}

impl Plain {
    /// A line if one is due (or `force`d): the count, elapsed time and an ETA from the rate so far.
    fn line(&mut self, force: bool) -> Option<String> {
        let now = Instant::now();
        let due = self
            .last_line
            .is_none_or(|t| now.duration_since(t).as_secs_f64() >= PLAIN_EVERY_S);
        if !(due || force) {
            return None;
        }
        self.last_line = Some(now);
        let elapsed_s = now.duration_since(self.started).as_secs_f64();
        let eta = if self.done > 0 && self.done < self.total {
            let left_s = elapsed_s / self.done as f64 * (self.total - self.done) as f64;
            format!(", ETA {left_s:.0} s")
        } else {
            String::new()
        };
        Some(format!(
            "{}: {}/{} replications, {elapsed_s:.0} s elapsed{eta}",
            self.label, self.done, self.total
        ))
    }
}

/// Writes one line to stderr; a closed stderr loses only the progress.
fn print(line: &str) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

impl Progress {
    /// Progress of `total` replications labelled `label`; `visible = false` (`--quiet`) shows nothing.
    pub(crate) fn new(total: u64, visible: bool, label: &str) -> Self {
        let terminal = std::io::stderr().is_terminal();
        let bar = if visible && terminal {
            indicatif::ProgressBar::new(total)
        } else {
            indicatif::ProgressBar::hidden()
        };
        bar.set_style(replication_style());
        bar.set_message(label.to_string());
        let plain = (visible && !terminal).then(|| {
            Mutex::new(Plain {
                label: label.to_string(),
                done: 0,
                total,
                started: Instant::now(),
                last_line: None,
            })
        });
        Self {
            bar,
            plain,
            many_runs: false,
        }
    }

    /// The same progress, shared by runs that go on side by side: their phases are not shown.
    pub(crate) fn for_many_runs(self) -> Self {
        Self {
            many_runs: true,
            ..self
        }
    }

    /// The plain-line state, if lines are shown (a panic elsewhere leaves it usable: it is only counts).
    fn plain(&self) -> Option<std::sync::MutexGuard<'_, Plain>> {
        let plain = self.plain.as_ref()?;
        Some(
            plain
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        )
    }

    /// Applies `change` and prints a line if one is due; the last replication's always is.
    fn with_plain(&self, change: impl FnOnce(&mut Plain)) {
        if let Some(mut p) = self.plain() {
            change(&mut p);
            let finished = p.done >= p.total;
            if let Some(line) = p.line(finished) {
                print(&line);
            }
        }
    }

    /// `n` more replications are done.
    pub(crate) fn inc(&self, n: u64) {
        self.bar.inc(n);
        self.with_plain(|p| p.done = (p.done + n).min(p.total));
    }

    /// The label changes (the next variant of a batch); a bar left showing a phase counts again.
    pub(crate) fn set_message(&self, label: &str) {
        self.bar.disable_steady_tick();
        self.bar.set_style(replication_style());
        self.bar.set_message(label.to_string());
        self.with_plain(|p| p.label = label.to_string());
    }

    /// The replications are over and `phase` begins (e.g. "risk analysis and reports"): a spinner
    /// with the elapsed time on a terminal, one line elsewhere.
    pub(crate) fn phase(&self, phase: &str) {
        if self.many_runs {
            return;
        }
        if !self.bar.is_hidden() {
            self.bar.set_style(
                indicatif::ProgressStyle::with_template("{spinner} {msg}, {elapsed} elapsed")
                    .expect("valid template"),
            );
            let label = self.bar.message();
            self.bar.set_message(format!("{label}: {phase}"));
            self.bar
                .enable_steady_tick(std::time::Duration::from_millis(200));
        }
        if let Some(p) = self.plain() {
            print(&format!("{}: {phase}", p.label));
        }
    }

    /// The bar is left as it stands (a failed variant).
    pub(crate) fn abandon(&self) {
        self.bar.abandon();
    }

    /// The work is over: the bar goes.
    pub(crate) fn finish_and_clear(&self) {
        self.bar.finish_and_clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_lines_are_spaced_and_give_an_honest_eta() {
        let mut p = Plain {
            label: "plan".into(),
            done: 0,
            total: 4,
            started: Instant::now() - std::time::Duration::from_secs(20),
            last_line: None,
        };
        p.done = 1;
        let first = p.line(false).expect("the first line is due at once");
        assert_eq!(first, "plan: 1/4 replications, 20 s elapsed, ETA 60 s");
        assert!(p.line(false).is_none(), "the next waits {PLAIN_EVERY_S} s");
        p.done = 4;
        let last = p.line(true).expect("a forced line comes at once");
        assert_eq!(last, "plan: 4/4 replications, 20 s elapsed");
    }
}
