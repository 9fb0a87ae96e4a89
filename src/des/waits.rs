//! Waits split by cause ("congestion" or "closed") for any facility: resources here, and custom
//! facilities of the model (locks, link gates).

use super::queue::Time;
use super::stats::Tally;

/// Integrates the time a facility spends closed, so that any wait can be split: the clock's advance
/// during a wait is the closed part, the rest is congestion.
#[derive(Clone, Debug, Default)]
pub struct ClosedClock {
    closed_hours: f64,
    closed_since: Option<Time>,
}

impl ClosedClock {
    /// A clock at `now`, starting closed or open.
    pub fn new(now: Time, closed: bool) -> Self {
        Self {
            closed_hours: 0.0,
            closed_since: closed.then_some(now),
        }
    }

    /// The facility closes at `now` (no effect if already closed).
    pub fn close(&mut self, now: Time) {
        if self.closed_since.is_none() {
            self.closed_since = Some(now);
        }
    }

    /// The facility opens at `now` (no effect if already open).
    pub fn open(&mut self, now: Time) {
        if let Some(since) = self.closed_since.take() {
            self.closed_hours += now - since;
        }
    }

    /// True while closed.
    pub fn is_closed(&self) -> bool {
        self.closed_since.is_some()
    }

    /// Hours closed since time 0, up to `now`.
    #[inline]
    pub fn reading(&self, now: Time) -> f64 {
        match self.closed_since {
            Some(since) => self.closed_hours + (now - since),
            None => self.closed_hours,
        }
    }
}

impl Default for WaitTallies {
    fn default() -> Self {
        Self::new()
    }
}

/// Waiting times split by cause: total, congestion and closed, each with quantiles.
///
/// Until the resource is first closed, every wait is pure congestion, so only the total is recorded and the
/// split is derived when asked for; the first closure materialises it exactly (congestion = total so far,
/// closed = zeros). This halves the cost of a wait on resources that never close.
#[derive(Clone, Debug)]
pub struct WaitTallies {
    total: Tally,
    split: Option<(Tally, Tally)>,
}

impl WaitTallies {
    /// Empty tallies.
    pub fn new() -> Self {
        Self {
            total: Tally::with_quantiles(),
            split: None,
        }
    }

    /// Records one wait and the part of it spent while closed.
    #[inline]
    pub fn record(&mut self, wait_hours: f64, closed_wait_hours: f64) {
        self.total.record(wait_hours);
        if let Some((congestion, closed)) = self.split.as_mut() {
            congestion.record(wait_hours - closed_wait_hours);
            closed.record(closed_wait_hours);
        }
    }

    /// Starts recording the split (call when the facility first closes).
    pub fn split_causes(&mut self) {
        if self.split.is_none() {
            let mut closed = Tally::with_quantiles();
            closed.record_repeated(0.0, self.total.count());
            self.split = Some((self.total.clone(), closed));
        }
    }

    /// Forgets every wait (end of warm-up).
    pub fn reset(&mut self) {
        self.total.reset();
        if let Some((congestion, closed)) = self.split.as_mut() {
            congestion.reset();
            closed.reset();
        }
    }

    /// Total wait per customer that started service (hours).
    pub fn total(&self) -> &Tally {
        &self.total
    }

    /// Part of each wait caused by busy servers (hours).
    pub fn congestion(&self) -> &Tally {
        match &self.split {
            Some((congestion, _)) => congestion,
            None => &self.total,
        }
    }

    /// Part of each wait spent while the resource was closed (hours).
    pub fn closed(&self) -> Tally {
        match &self.split {
            Some((_, closed)) => closed.clone(),
            None => {
                let mut zeros = Tally::with_quantiles();
                zeros.record_repeated(0.0, self.total.count());
                zeros
            }
        }
    }
}
