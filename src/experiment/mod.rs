//! Replications: run in parallel, aggregated in replication order, summarised with Student-t intervals.
//!
//! Determinism: each replication draws only from streams derived from (master seed, replication index,
//! stream name), and results are folded strictly in replication order, so every sum is computed in the same
//! order whatever the thread count. Memory: replications run in blocks of a few per thread; a block's
//! results are folded and dropped before the next block starts, so memory does not grow with the number of
//! replications.

pub mod paired;
pub mod response_times;
pub mod risk_analysis;
pub mod risk_fold;
mod risk_summary;
mod run;
pub mod stored;
mod summary;

use std::ops::Range;

pub use run::{
    CHUNK_REPLICATIONS, Checkpoints, MASS_BALANCE_TOLERANCE, Precision, RunError, RunSettings,
    RunSummary, STOP_BLOCK, StopRule, fold_chunks, run_model,
};
pub use summary::{ReplicationStats, student_t_quantile};

/// Why the replication runner could not start.
#[derive(Debug, thiserror::Error)]
pub enum RunnerError {
    /// `--threads 0` or a thread pool the OS refused.
    #[error("cannot start {threads} worker threads: {reason}")]
    ThreadPool {
        /// Requested threads.
        threads: usize,
        /// What went wrong.
        reason: String,
    },
}

/// Runs replications on a dedicated rayon pool of a fixed size.
pub struct Runner {
    pool: rayon::ThreadPool,
    threads: usize,
}

/// Replications per worker thread in one block: enough to keep threads busy despite uneven run lengths,
/// few enough to bound memory.
const BLOCK_PER_THREAD: usize = 8;

impl Runner {
    /// A runner with `threads` workers (at least 1).
    pub fn new(threads: usize) -> Result<Self, RunnerError> {
        if threads == 0 {
            return Err(RunnerError::ThreadPool {
                threads,
                reason: "at least one thread is needed".into(),
            });
        }
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(|i| format!("hazflow-worker-{i}"))
            .build()
            .map_err(|e| RunnerError::ThreadPool {
                threads,
                reason: e.to_string(),
            })?;
        Ok(Self { pool, threads })
    }

    /// Number of worker threads.
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// Runs `f` on the runner's pool (so that its parallel work uses the same threads).
    pub fn install<R: Send>(&self, f: impl FnOnce() -> R + Send) -> R {
        self.pool.install(f)
    }

    /// Runs `run_one(replication)` for every index in `replications` on the pool and hands each result to
    /// `consume(replication, result)` in increasing replication order, on the calling thread.
    pub fn run<T, F, C>(&self, replications: Range<u64>, run_one: F, mut consume: C)
    where
        T: Send,
        F: Fn(u64) -> T + Sync,
        C: FnMut(u64, T),
    {
        use rayon::prelude::*;
        let block = (self.threads * BLOCK_PER_THREAD) as u64;
        let mut start = replications.start;
        while start < replications.end {
            let end = (start + block).min(replications.end);
            let results: Vec<T> = self
                .pool
                .install(|| (start..end).into_par_iter().map(&run_one).collect());
            for (replication, result) in (start..end).zip(results) {
                consume(replication, result);
            }
            start = end;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_arrive_in_replication_order_for_any_thread_count() {
        for threads in [1, 2, 3] {
            let runner = Runner::new(threads).unwrap();
            let mut seen = Vec::new();
            runner.run(5..60, |r| r * r, |r, v| seen.push((r, v)));
            assert_eq!(seen, (5..60).map(|r| (r, r * r)).collect::<Vec<_>>());
        }
        assert!(Runner::new(0).is_err());
    }
}
