//! Multi-server resources with FIFO or priority queues and a capacity that changes over time.
//!
//! A resource does not schedule anything: `request` says whether the customer got a server, and
//! `release`/`set_capacity` hand back the customers that start service, so the model schedules their
//! service ends. This keeps the kernel free of callbacks and the hot loop free of dynamic dispatch.
//!
//! Waiting is split by cause. A clock integrates the time during which the resource was closed (capacity
//! 0); the part of a customer's wait during which that clock ran is "closed", the rest is "congestion".
//! A reduced but non-zero capacity (one of two lock lines out) counts as congestion: the customer waits
//! because the servers still open are busy.

use std::collections::{BinaryHeap, VecDeque};

use super::queue::Time;
use super::stats::TimeWeighted;
use super::waits::{ClosedClock, WaitTallies};

/// Order in which waiting customers get a server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Discipline {
    /// First come, first served.
    Fifo,
    /// Lowest priority number first (non-preemptive); FIFO within a priority.
    Priority,
}

/// Outcome of a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Request {
    /// A server was free: service starts now.
    Granted,
    /// The customer joined the queue; it will be returned by `release` or `set_capacity` when it starts.
    Queued,
}

/// A customer leaving the queue to start service, with its waiting time split by cause.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Started<C> {
    /// The customer token given to `request`.
    pub customer: C,
    /// Total hours spent in the queue.
    pub wait_hours: f64,
    /// Hours of that wait during which the resource was closed.
    pub closed_wait_hours: f64,
}

struct Waiting<C> {
    customer: C,
    arrived: Time,
    closed_clock_at_arrival: f64,
}

struct Prioritised<C> {
    priority: i32,
    sequence: u64,
    waiting: Waiting<C>,
}

impl<C> PartialEq for Prioritised<C> {
    fn eq(&self, other: &Self) -> bool {
        (self.priority, self.sequence) == (other.priority, other.sequence)
    }
}
impl<C> Eq for Prioritised<C> {}
impl<C> PartialOrd for Prioritised<C> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl<C> Ord for Prioritised<C> {
    /// Reversed so that `BinaryHeap` (a max-heap) pops the lowest (priority, sequence) first.
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (other.priority, other.sequence).cmp(&(self.priority, self.sequence))
    }
}

enum WaitQueue<C> {
    Fifo(VecDeque<Waiting<C>>),
    Priority {
        heap: BinaryHeap<Prioritised<C>>,
        next_sequence: u64,
    },
}

impl<C> WaitQueue<C> {
    #[inline]
    fn push(&mut self, waiting: Waiting<C>, priority: i32) {
        match self {
            WaitQueue::Fifo(q) => q.push_back(waiting),
            WaitQueue::Priority {
                heap,
                next_sequence,
            } => {
                heap.push(Prioritised {
                    priority,
                    sequence: *next_sequence,
                    waiting,
                });
                *next_sequence += 1;
            }
        }
    }

    #[inline]
    fn pop(&mut self) -> Option<Waiting<C>> {
        match self {
            WaitQueue::Fifo(q) => q.pop_front(),
            WaitQueue::Priority { heap, .. } => heap.pop().map(|p| p.waiting),
        }
    }

    #[inline]
    fn len(&self) -> usize {
        match self {
            WaitQueue::Fifo(q) => q.len(),
            WaitQueue::Priority { heap, .. } => heap.len(),
        }
    }
}

/// Statistics a resource keeps about itself (reset at the end of the warm-up).
#[derive(Clone, Debug)]
pub struct ResourceStats {
    /// Servers in service over time.
    pub busy: TimeWeighted,
    /// Servers available (capacity) over time.
    pub capacity: TimeWeighted,
    /// Servers available or still finishing a service begun before a reduction: `max(capacity, busy)`.
    /// Utilisation divides by this, so it never exceeds 1 however often the capacity drops mid-service.
    pub working: TimeWeighted,
    /// Customers waiting over time.
    pub queue_length: TimeWeighted,
    /// Waits of the customers that started service, by cause.
    pub waits: WaitTallies,
    /// Largest number of customers waiting at once.
    pub queue_max: usize,
    /// Value of the closed-hours clock at the last reset.
    closed_hours_at_reset: f64,
}

/// A pool of identical servers (berths, lock lines, loading bays, parking slots).
pub struct Resource<C> {
    nominal_capacity: u32,
    capacity: u32,
    busy: u32,
    /// `max(capacity, busy)`, as last recorded in `stats.working`.
    working: u32,
    queue: WaitQueue<C>,
    /// Time spent with capacity 0.
    closed: ClosedClock,
    stats: ResourceStats,
}

impl<C> Resource<C> {
    /// A resource with `capacity` servers, open at time `now`.
    pub fn new(now: Time, capacity: u32, discipline: Discipline) -> Self {
        let queue = match discipline {
            Discipline::Fifo => WaitQueue::Fifo(VecDeque::new()),
            Discipline::Priority => WaitQueue::Priority {
                heap: BinaryHeap::new(),
                next_sequence: 0,
            },
        };
        Self {
            nominal_capacity: capacity,
            capacity,
            busy: 0,
            working: capacity,
            queue,
            closed: ClosedClock::new(now, capacity == 0),
            stats: ResourceStats {
                busy: TimeWeighted::new(now, 0.0),
                capacity: TimeWeighted::new(now, capacity as f64),
                working: TimeWeighted::new(now, capacity as f64),
                queue_length: TimeWeighted::new(now, 0.0),
                waits: WaitTallies::new(),
                queue_max: 0,
                closed_hours_at_reset: 0.0,
            },
        }
    }

    /// Capacity the resource was built with.
    pub fn nominal_capacity(&self) -> u32 {
        self.nominal_capacity
    }

    /// Servers currently available.
    pub fn capacity(&self) -> u32 {
        self.capacity
    }

    /// Servers currently in service (may exceed `capacity` right after a reduction: service in progress
    /// is never interrupted).
    pub fn busy(&self) -> u32 {
        self.busy
    }

    /// Customers waiting.
    pub fn queue_len(&self) -> usize {
        self.queue.len()
    }

    /// True when at least one server is available.
    pub fn is_open(&self) -> bool {
        self.capacity > 0
    }

    /// The statistics collected since the start or the last [`reset_stats`](Self::reset_stats).
    pub fn stats(&self) -> &ResourceStats {
        &self.stats
    }

    #[inline]
    fn closed_clock(&self, now: Time) -> f64 {
        self.closed.reading(now)
    }

    /// Hours the resource was closed since the start or the last reset, up to `now`.
    pub fn closed_hours(&self, now: Time) -> f64 {
        self.closed_clock(now) - self.stats.closed_hours_at_reset
    }

    /// Asks for a server for `customer`. `priority` matters only for [`Discipline::Priority`] (lower is
    /// served first). A customer is granted at once only if a server is free and nobody is waiting.
    #[inline]
    pub fn request(&mut self, now: Time, customer: C, priority: i32) -> Request {
        if self.busy < self.capacity && self.queue.len() == 0 {
            self.set_busy(now, self.busy + 1);
            self.record_wait(0.0, 0.0);
            Request::Granted
        } else {
            let closed_clock_at_arrival = self.closed_clock(now);
            self.queue.push(
                Waiting {
                    customer,
                    arrived: now,
                    closed_clock_at_arrival,
                },
                priority,
            );
            let length = self.queue.len();
            self.stats.queue_length.set(now, length as f64);
            if length > self.stats.queue_max {
                self.stats.queue_max = length;
            }
            Request::Queued
        }
    }

    #[inline]
    fn record_wait(&mut self, wait_hours: f64, closed_wait_hours: f64) {
        self.stats.waits.record(wait_hours, closed_wait_hours);
    }

    /// Starts the head of the queue if a server is free.
    #[inline]
    fn start_next(&mut self, now: Time) -> Option<Started<C>> {
        if self.busy >= self.capacity {
            return None;
        }
        let waiting = self.queue.pop()?;
        self.set_busy(now, self.busy + 1);
        self.stats.queue_length.set(now, self.queue.len() as f64);
        let wait_hours = now - waiting.arrived;
        // Clamp: the closed part cannot exceed the wait (guards against rounding).
        let closed_wait_hours =
            (self.closed_clock(now) - waiting.closed_clock_at_arrival).clamp(0.0, wait_hours);
        self.record_wait(wait_hours, closed_wait_hours);
        Some(Started {
            customer: waiting.customer,
            wait_hours,
            closed_wait_hours,
        })
    }

    /// A customer finishes service and frees its server; returns the customer that starts next, if any.
    #[inline]
    pub fn release(&mut self, now: Time) -> Option<Started<C>> {
        debug_assert!(self.busy > 0, "release without a customer in service");
        self.set_busy(now, self.busy.saturating_sub(1));
        self.start_next(now)
    }

    #[inline]
    fn set_busy(&mut self, now: Time, busy: u32) {
        self.busy = busy;
        self.stats.busy.set(now, busy as f64);
        self.record_working(now);
    }

    /// Keeps `stats.working` at `max(capacity, busy)`; it differs from the capacity only while services
    /// begun before a reduction finish, so this rarely writes.
    #[inline]
    fn record_working(&mut self, now: Time) {
        let working = self.busy.max(self.capacity);
        if working != self.working {
            self.working = working;
            self.stats.working.set(now, working as f64);
        }
    }

    /// Changes the number of servers at `now` (closures, shifts, outages). Customers in service finish
    /// normally; when capacity rises, waiting customers start and are appended to `started`.
    pub fn set_capacity(&mut self, now: Time, capacity: u32, started: &mut Vec<Started<C>>) {
        match (self.capacity == 0, capacity == 0) {
            (false, true) => {
                self.closed.close(now);
                self.stats.waits.split_causes();
            }
            (true, false) => self.closed.open(now),
            _ => {}
        }
        self.capacity = capacity;
        self.stats.capacity.set(now, capacity as f64);
        self.record_working(now);
        while let Some(s) = self.start_next(now) {
            started.push(s);
        }
    }

    /// Restarts every statistic at `now` (end of warm-up), keeping the current state.
    pub fn reset_stats(&mut self, now: Time) {
        let closed_clock = self.closed_clock(now);
        let s = &mut self.stats;
        s.busy.reset(now);
        s.capacity.reset(now);
        s.working.reset(now);
        s.queue_length.reset(now);
        s.waits.reset();
        s.queue_max = self.queue.len();
        s.closed_hours_at_reset = closed_clock;
    }

    /// Busy server-hours over working server-hours since the last reset (0 if never available). A server
    /// that finishes its customer after a closure counts as working while it does, so the ratio is at
    /// most 1.
    pub fn utilisation(&self, now: Time) -> f64 {
        let available = self.stats.working.integral(now);
        if available > 0.0 {
            self.stats.busy.integral(now) / available
        } else {
            0.0
        }
    }

    /// Fraction of the nominal capacity that was available since the last reset.
    pub fn availability(&self, now: Time) -> f64 {
        let span = self.stats.capacity.elapsed(now);
        if span > 0.0 && self.nominal_capacity > 0 {
            self.stats.capacity.integral(now) / (span * self.nominal_capacity as f64)
        } else {
            1.0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::des::Tally;

    #[test]
    fn priority_then_fifo_within_class() {
        let mut r = Resource::new(0.0, 1, Discipline::Priority);
        assert_eq!(r.request(0.0, "busy", 5), Request::Granted);
        r.request(1.0, "low-a", 2);
        r.request(2.0, "high", 1);
        r.request(3.0, "low-b", 2);
        let order: Vec<_> = (0..3)
            .map(|i| r.release(4.0 + i as f64).unwrap().customer)
            .collect();
        assert_eq!(order, ["high", "low-a", "low-b"]);
    }

    #[test]
    fn wait_during_closure_is_attributed_to_closed() {
        let mut r = Resource::new(0.0, 1, Discipline::Fifo);
        let mut started = Vec::new();
        r.request(0.0, 'a', 0); // in service until 3
        r.request(1.0, 'b', 0); // waits from 1
        r.set_capacity(2.0, 0, &mut started); // closed 2..5
        let none = r.release(3.0); // 'a' leaves, but closed
        assert!(none.is_none());
        r.set_capacity(5.0, 1, &mut started);
        assert_eq!(started.len(), 1);
        let s = started[0];
        assert_eq!(s.customer, 'b');
        assert_eq!(s.wait_hours, 4.0);
        assert_eq!(s.closed_wait_hours, 3.0); // 2..5 closed, 1..2 congestion
        assert_eq!(r.closed_hours(6.0), 3.0);
        assert!((r.availability(10.0) - 0.7).abs() < 1e-12);
    }

    /// Before the first closure only the total is recorded; the split derived then must equal the split a
    /// resource would have recorded all along.
    #[test]
    fn lazily_split_waits_equal_eager_recording() {
        let mut r = Resource::new(0.0, 1, Discipline::Fifo);
        let mut started = Vec::new();
        let mut eager_congestion = Tally::with_quantiles();
        let mut eager_closed = Tally::with_quantiles();
        r.request(0.0, 0, 0); // granted at once: a zero wait
        eager_congestion.record(0.0);
        eager_closed.record(0.0);
        for (i, t) in [0.5, 1.0, 1.5].into_iter().enumerate() {
            r.request(t, i + 1, 0);
        }
        for t in [2.0, 3.0] {
            let s = r.release(t).unwrap();
            eager_congestion.record(s.wait_hours - s.closed_wait_hours);
            eager_closed.record(s.closed_wait_hours);
        }
        assert_eq!(r.stats().waits.closed().count(), 3);
        r.set_capacity(3.5, 0, &mut started); // first closure: the split materialises
        assert!(r.release(4.0).is_none());
        r.set_capacity(6.0, 1, &mut started);
        for s in &started {
            eager_congestion.record(s.wait_hours - s.closed_wait_hours);
            eager_closed.record(s.closed_wait_hours);
        }
        let waits = &r.stats().waits;
        assert_eq!(waits.congestion().count(), 4); // the granted first customer plus three
        assert!((waits.congestion().sum() - eager_congestion.sum()).abs() < 1e-12);
        assert!((waits.closed().sum() - eager_closed.sum()).abs() < 1e-12);
        assert_eq!(waits.closed().max(), Some(2.5));
        assert_eq!(waits.closed().quantile(0.5), Some(0.0));
    }

    #[test]
    fn capacity_increase_starts_several() {
        let mut r = Resource::new(0.0, 0, Discipline::Fifo);
        let mut started = Vec::new();
        for c in 0..5 {
            assert_eq!(r.request(0.0, c, 0), Request::Queued);
        }
        r.set_capacity(1.0, 3, &mut started);
        assert_eq!(
            started.iter().map(|s| s.customer).collect::<Vec<_>>(),
            [0, 1, 2]
        );
        assert!(started.iter().all(|s| s.closed_wait_hours == 1.0));
        assert_eq!(r.queue_len(), 2);
        assert_eq!(r.stats().queue_max, 5);
    }

    /// A service that outlives a closure counts as working time: before, busy 3 h over 2 h of capacity
    /// gave a utilisation of 1.5 (a lock failing every 0.001 h reached 734).
    #[test]
    fn utilisation_never_exceeds_one_when_capacity_drops_mid_service() {
        let mut r = Resource::new(0.0, 1, Discipline::Fifo);
        let mut started = Vec::new();
        assert_eq!(r.request(0.0, 0, 0), Request::Granted);
        r.set_capacity(1.0, 0, &mut started); // closed while the customer is in service
        assert!(r.release(3.0).is_none());
        r.set_capacity(4.0, 1, &mut started);
        // busy 0..3 = 3 h; working 0..3 (capacity, then the finishing service) + 4..5 = 4 h.
        assert!((r.utilisation(5.0) - 0.75).abs() < 1e-12);
        assert!((r.availability(5.0) - 0.4).abs() < 1e-12);
    }
}
