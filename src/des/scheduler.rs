//! The simulation clock and the event loop's driver.

use super::queue::{EventKey, EventQueue, Time};

/// Owns the clock and the pending events of one replication.
///
/// A model is a plain struct that owns a `Scheduler<MyEvent>` next to its state and runs
/// `while let Some(event) = scheduler.next_event_until(horizon) { match event { ... } }`. Events are a
/// plain enum: no boxing, no dynamic dispatch in the hot loop.
///
/// ```
/// use hazflow::des::Scheduler;
/// #[derive(Clone, Copy, Debug, PartialEq)]
/// enum Event { Arrive(u32), Leave(u32) }
///
/// let mut scheduler = Scheduler::new();
/// scheduler.schedule_in(2.0, Event::Leave(1));
/// scheduler.schedule_in(1.0, Event::Arrive(1));
/// scheduler.schedule_in(2.0, Event::Arrive(2)); // same time as Leave(1): runs after it
/// assert_eq!(scheduler.next_event(), Some(Event::Arrive(1)));
/// assert_eq!(scheduler.now(), 1.0);
/// assert_eq!(scheduler.next_event(), Some(Event::Leave(1)));
/// assert_eq!(scheduler.next_event(), Some(Event::Arrive(2)));
/// assert_eq!(scheduler.now(), 2.0);
/// assert_eq!(scheduler.events_processed(), 3);
/// ```
pub struct Scheduler<E> {
    now: Time,
    queue: EventQueue<E>,
    events_processed: u64,
    /// Events given a negative or non-finite delay, or a non-finite time, and run at once instead.
    bad_times: u64,
}

impl<E: Copy> Default for Scheduler<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E: Copy> Scheduler<E> {
    /// A scheduler at time 0 with no pending events.
    pub fn new() -> Self {
        Self {
            now: 0.0,
            queue: EventQueue::new(),
            events_processed: 0,
            bad_times: 0,
        }
    }

    /// A scheduler whose queue has room for `pending_events` before it reallocates.
    pub fn with_capacity(pending_events: usize) -> Self {
        Self {
            now: 0.0,
            queue: EventQueue::with_capacity(pending_events),
            events_processed: 0,
            bad_times: 0,
        }
    }

    /// Current simulation time in hours.
    #[inline(always)]
    pub fn now(&self) -> Time {
        self.now
    }

    /// Number of events returned so far (the "events" of events-per-second figures).
    pub fn events_processed(&self) -> u64 {
        self.events_processed
    }

    /// Events scheduled with a negative or non-finite delay, or at a non-finite time, and run at once: each
    /// is a bug in the model (a debug build panics on it), counted so that a release run can report it.
    pub fn bad_times(&self) -> u64 {
        self.bad_times
    }

    /// Number of stored events, including cancelled ones not yet discarded.
    pub fn pending(&self) -> usize {
        self.queue.len()
    }

    /// Schedules `event` after `delay_hours` (>= 0, finite).
    ///
    /// A negative or non-finite delay is a bug in the calling model (distributions are validated when a
    /// scenario is compiled); it panics in debug builds and is clamped to "now" in release builds so that
    /// time never runs backwards, and counted ([`Scheduler::bad_times`]).
    #[inline]
    pub fn schedule_in(&mut self, delay_hours: f64, event: E) -> EventKey {
        debug_assert!(
            delay_hours >= 0.0 && delay_hours.is_finite(),
            "bad delay {delay_hours}"
        );
        let delay = if delay_hours >= 0.0 && delay_hours.is_finite() {
            delay_hours
        } else {
            self.bad_times += 1;
            0.0
        };
        self.queue.push(self.now + delay, event)
    }

    /// Schedules `event` at absolute time `time_hours`; times in the past are clamped to now (a model may
    /// compute a time that rounding puts a hair before now). A non-finite time is a bug: it panics in
    /// debug builds, and runs now and is counted ([`Scheduler::bad_times`]) in release builds.
    #[inline]
    pub fn schedule_at(&mut self, time_hours: Time, event: E) -> EventKey {
        debug_assert!(time_hours.is_finite(), "bad time {time_hours}");
        let time = if time_hours >= self.now {
            time_hours
        } else {
            if !time_hours.is_finite() {
                self.bad_times += 1;
            }
            self.now
        };
        self.queue.push(time, event)
    }

    /// Cancels a pending event (see [`EventQueue::cancel`]).
    pub fn cancel(&mut self, key: EventKey) {
        self.queue.cancel(key);
    }

    /// Advances the clock to the next event and returns it; `None` when no event is pending.
    #[inline]
    pub fn next_event(&mut self) -> Option<E> {
        let (time, event) = self.queue.pop()?;
        self.now = time;
        self.events_processed += 1;
        Some(event)
    }

    /// Like [`next_event`](Self::next_event), but stops at `horizon_hours`: an event later than the
    /// horizon stays pending, and the clock is set to the horizon so time-weighted statistics can be
    /// closed at the end of the run.
    #[inline]
    pub fn next_event_until(&mut self, horizon_hours: Time) -> Option<E> {
        match self.queue.pop_until(horizon_hours) {
            Some((time, event)) => {
                self.now = time;
                self.events_processed += 1;
                Some(event)
            }
            None => {
                if horizon_hours > self.now {
                    self.now = horizon_hours;
                }
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A bad delay is a model bug: a debug build panics, a release build runs the event now and counts it.
    #[test]
    fn a_bad_delay_panics_in_debug_and_is_counted_in_release() {
        let result = std::panic::catch_unwind(|| {
            let mut s = Scheduler::<u8>::new();
            s.schedule_in(1.0, 0);
            s.schedule_in(-1.0, 1);
            s.schedule_in(f64::NAN, 2);
            (s.bad_times(), s.pending())
        });
        if cfg!(debug_assertions) {
            assert!(result.is_err());
        } else {
            assert_eq!(result.unwrap(), (2, 3));
        }
    }
}
