//! The lanes of a batch: which variant each lane takes next, and what became of each variant.

use super::super::AppError;
use super::super::progress::Progress;

/// How one variant of a batch ended.
pub(super) enum VariantOutcome {
    /// Its result directory was already complete (an earlier, interrupted invocation).
    Reused,
    /// It ran now.
    Ran,
}

/// The variants handed out to the lanes and what became of them.
pub(super) struct Lanes {
    variants: usize,
    next: std::sync::atomic::AtomicUsize,
    failed: std::sync::atomic::AtomicBool,
    outcomes: std::sync::Mutex<Vec<Option<Result<VariantOutcome, AppError>>>>,
    /// Why a lane could not start (its own thread pool), if one could not.
    lane_failure: std::sync::Mutex<Option<AppError>>,
}

impl Lanes {
    pub(super) fn new(variants: usize) -> Self {
        Self {
            variants,
            next: std::sync::atomic::AtomicUsize::new(0),
            failed: std::sync::atomic::AtomicBool::new(false),
            outcomes: std::sync::Mutex::new((0..variants).map(|_| None).collect()),
            lane_failure: std::sync::Mutex::new(None),
        }
    }

    /// A lane could not start: no more variants start, and the batch reports `error`.
    pub(super) fn fail(&self, error: AppError) {
        self.failed.store(true, std::sync::atomic::Ordering::SeqCst);
        self.lane_failure
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get_or_insert(error);
    }

    /// The next variant to start; none once all have started or one has failed (the lanes finish what
    /// they hold, so every finished variant stays for `--resume`).
    pub(super) fn next(&self) -> Option<usize> {
        use std::sync::atomic::Ordering;
        if self.failed.load(Ordering::SeqCst) {
            return None;
        }
        let k = self.next.fetch_add(1, Ordering::SeqCst);
        (k < self.variants).then_some(k)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Option<Result<VariantOutcome, AppError>>>> {
        // A lane that panicked leaves only finished outcomes behind, and the panic itself ends the batch.
        self.outcomes
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Records variant `k`'s outcome and moves the bar past replications it will never run.
    pub(super) fn finish(
        &self,
        k: usize,
        outcome: Result<VariantOutcome, AppError>,
        kind: &str,
        bar: &Progress,
    ) {
        use std::sync::atomic::Ordering;
        let mut outcomes = self.lock();
        if outcome.is_err() {
            self.failed.store(true, Ordering::SeqCst);
        }
        outcomes[k] = Some(outcome);
        let done = outcomes.iter().filter(|o| o.is_some()).count();
        bar.set_message(&format!("{kind}: {done}/{} variants done", outcomes.len()));
    }

    /// The number of reused variants, or the first failure in variant order.
    pub(super) fn outcomes(self) -> Result<usize, AppError> {
        let lane_failure = self
            .lane_failure
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(error) = lane_failure {
            return Err(error);
        }
        let outcomes = self
            .outcomes
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut reused = 0;
        for outcome in outcomes.into_iter().flatten() {
            if let VariantOutcome::Reused = outcome? {
                reused += 1;
            }
        }
        Ok(reused)
    }
}
