//! The pending-event set, ordered by (time, insertion sequence).
//!
//! Three stores behind one type, chosen by size, because no single structure is fastest everywhere
//! (hold-model rates measured here, pop + push per second, against `std::collections::BinaryHeap`):
//!
//! * up to 16 pending events (a queueing station, a lock with its few vessels), an unsorted vector with a
//!   branch-free minimum scan: 49 M/s at 10 pending against 39 M/s for the binary heap;
//! * up to 16k, a [4-ary heap of packed keys](super::quad) with the events in a slab: a network model keeps
//!   a few hundred events pending, and its handlers push the heap out of the first-level cache between
//!   pops, so each level costs a cache line; four children on one line halve the levels;
//! * past that, a monotone [radix heap](super::radix), which scans buckets sequentially instead of walking
//!   a tree that no longer fits in cache: 14 M/s at 100k pending against 7.6 M/s for the binary heap.
//!
//! Switches have hysteresis (small -> heap above 16, back below 6; heap -> radix above 16k, back below 4k)
//! so that a set hovering near one size does not flip back and forth; each switch moves every entry once,
//! O(pending), amortised over many operations.
//!
//! The key packs the time's bit pattern (which orders like the time for non-negative finite floats) above
//! the insertion sequence into one `u128`: keys are unique, ties in time go out in insertion order, and no
//! float comparison can meet a NaN.
//!
//! Cancellation is lazy: a cancelled event stays stored and is skipped when it comes out. This keeps
//! scheduling and popping free of index bookkeeping (the common case) and makes a cancel O(1).

use rustc_hash::FxHashSet;

use super::quad::QuadHeap;
use super::radix::RadixHeap;

/// Simulation time in hours since the start of the run.
pub type Time = f64;

/// The hour of the day at `time`, in [0, 24): exactly `time.rem_euclid(24.0)`, without its call to a
/// bit-by-bit `fmod` (the model asks for it at every gate, ban and shift check).
///
/// Exact: for 0 < time < 2^50 the product `24 q` of an integer `q` is exact (3 q needs at most 52 bits), and
/// `time - 24 q` is a multiple of `time`'s unit in the last place below 48 in magnitude, so representable
/// and returned exactly; a quotient rounded up to the next integer leaves a negative remainder, put back
/// by one exact addition of 24.
#[inline]
pub fn hour_of_day(time: Time) -> f64 {
    if !(time > 0.0 && time < (1u64 << 50) as f64) {
        return time.rem_euclid(24.0);
    }
    let whole_days = (time / 24.0).floor();
    let hour = time - whole_days * 24.0;
    if hour < 0.0 { hour + 24.0 } else { hour }
}

/// Handle of a scheduled event, used to cancel it. Keys are unique within one queue and never reused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EventKey(u64);

impl EventKey {
    /// The insertion sequence number: events scheduled for the same time run in this order.
    pub fn sequence(self) -> u64 {
        self.0
    }
}

pub(super) struct Entry<E> {
    /// `(time bits << 64) | sequence`.
    pub(super) key: u128,
    pub(super) event: E,
}

/// The time of a key `(time bits << 64) | sequence`.
#[inline(always)]
fn key_time(key: u128) -> Time {
    f64::from_bits((key >> 64) as u64)
}

impl<E> Entry<E> {
    #[inline(always)]
    fn time(&self) -> Time {
        key_time(self.key)
    }

    #[inline(always)]
    fn sequence(&self) -> u64 {
        self.key as u64
    }
}

/// Pending events above which the 4-ary heap takes over from the linear scan.
const SMALL_MAX: usize = 16;
/// Pending events below which the linear scan takes over again.
const SMALL_MIN: usize = 6;

/// Index of the smallest key (written as selects: which entry is smallest is a coin toss).
#[inline(always)]
fn min_index<E>(entries: &[Entry<E>]) -> Option<usize> {
    let first = entries.first()?;
    let (mut best, mut best_key) = (0, first.key);
    for (i, e) in entries.iter().enumerate().skip(1) {
        let smaller = e.key < best_key;
        best = if smaller { i } else { best };
        best_key = if smaller { e.key } else { best_key };
    }
    Some(best)
}

/// Pending events above which the radix heap takes over.
const TO_RADIX: usize = 16 * 1024;
/// Pending events below which the 4-ary heap takes over again.
const TO_HEAP: usize = 4 * 1024;

enum Store<E> {
    Small(Vec<Entry<E>>),
    Heap(QuadHeap<E>),
    Radix(RadixHeap<E>),
}

/// Insertion sequences stay below this, so that the heap can pack a slot below them (2^48 events is
/// months of computing at any speed this kernel reaches).
pub(super) const KEY_SEQUENCE_LIMIT: u64 = 1 << 48;

/// A priority queue of events with a total, deterministic order: earlier time first, and among events at
/// the same time, the one scheduled first.
pub struct EventQueue<E> {
    store: Store<E>,
    next_sequence: u64,
    cancelled: FxHashSet<u64>,
}

impl<E: Copy> Default for EventQueue<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E: Copy> EventQueue<E> {
    /// An empty queue.
    pub fn new() -> Self {
        Self::with_capacity(0)
    }

    /// An empty queue expecting about `capacity` pending events (it picks the store to start with).
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            store: if capacity > SMALL_MAX {
                Store::Heap(QuadHeap::with_capacity(capacity.min(TO_RADIX)))
            } else {
                Store::Small(Vec::with_capacity(SMALL_MAX + 1))
            },
            next_sequence: 0,
            cancelled: FxHashSet::default(),
        }
    }

    /// Number of stored events, including cancelled events not yet discarded.
    pub fn len(&self) -> usize {
        match &self.store {
            Store::Small(v) => v.len(),
            Store::Heap(h) => h.len(),
            Store::Radix(r) => r.len(),
        }
    }

    /// True when no event (live or cancelled) is stored.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Adds `event` at `time` (hours). `time` must be finite and non-negative; the scheduler checks it.
    #[inline(always)]
    pub fn push(&mut self, time: Time, event: E) -> EventKey {
        debug_assert!(
            time.is_finite() && time >= 0.0,
            "event time {time} must be finite and >= 0"
        );
        let sequence = self.next_sequence;
        assert!(
            sequence < KEY_SEQUENCE_LIMIT,
            "more than 2^48 events scheduled in one run"
        );
        self.next_sequence += 1;
        // `+ 0.0` turns -0.0 into +0.0 so that its bit pattern sorts first.
        let key = ((time + 0.0).to_bits() as u128) << 64 | sequence as u128;
        let entry = Entry { key, event };
        match &mut self.store {
            Store::Small(v) => {
                v.push(entry);
                if v.len() > SMALL_MAX {
                    self.switch_store();
                }
            }
            Store::Heap(h) => {
                h.push(entry);
                if h.len() > TO_RADIX {
                    self.switch_store();
                }
            }
            Store::Radix(r) => r.push(entry),
        }
        EventKey(sequence)
    }

    /// Moves every entry to the other store (see the module docs).
    #[cold]
    fn switch_store(&mut self) {
        self.store = match std::mem::replace(&mut self.store, Store::Small(Vec::new())) {
            Store::Small(v) => {
                let mut heap = QuadHeap::with_capacity(1024);
                v.into_iter().for_each(|entry| heap.push(entry));
                Store::Heap(heap)
            }
            Store::Heap(mut h) if h.len() > TO_RADIX => {
                Store::Radix(RadixHeap::from_entries(h.drain().into_iter()))
            }
            Store::Heap(mut h) => {
                let mut v = Vec::with_capacity(SMALL_MAX + 1);
                v.extend(h.drain());
                Store::Small(v)
            }
            Store::Radix(mut r) => {
                let mut heap = QuadHeap::with_capacity(TO_RADIX + 1);
                r.drain().for_each(|entry| heap.push(entry));
                Store::Heap(heap)
            }
        };
    }

    /// Marks a pending event as cancelled; it will never be returned by [`pop`](Self::pop).
    ///
    /// Cancelling an event that already fired (or was already cancelled) has no effect on the order of
    /// other events. Its key is remembered until the set is compacted, which happens when it holds more
    /// keys than the queue has entries.
    pub fn cancel(&mut self, key: EventKey) {
        if key.0 >= self.next_sequence {
            return;
        }
        self.cancelled.insert(key.0);
        if self.cancelled.len() > self.len() + 64 {
            let pending: FxHashSet<u64> = match &self.store {
                Store::Small(v) => v.iter().map(Entry::sequence).collect(),
                Store::Heap(h) => h.keys().map(|key| key as u64).collect(),
                Store::Radix(r) => r.iter().map(Entry::sequence).collect(),
            };
            self.cancelled.retain(|s| pending.contains(s));
        }
    }

    #[inline(always)]
    fn take_minimum(&mut self) -> Option<Entry<E>> {
        self.take_minimum_until(f64::INFINITY)
    }

    /// Removes the earliest entry if it is due no later than `horizon` (one look at the store, not a
    /// peek followed by a pop).
    #[inline(always)]
    fn take_minimum_until(&mut self, horizon: Time) -> Option<Entry<E>> {
        match &mut self.store {
            Store::Small(v) => {
                let index = min_index(v)?;
                if v[index].time() > horizon {
                    return None;
                }
                Some(v.swap_remove(index))
            }
            Store::Heap(h) => {
                if key_time(h.peek_key()?) > horizon {
                    return None;
                }
                let entry = h.pop();
                if h.len() < SMALL_MIN {
                    self.switch_store();
                }
                entry
            }
            Store::Radix(r) => {
                if r.peek()?.time() > horizon {
                    return None;
                }
                let entry = r.pop();
                if r.len() < TO_HEAP {
                    self.switch_store();
                }
                entry
            }
        }
    }

    /// Removes and returns the earliest live event if it is due no later than `horizon`.
    #[inline(always)]
    pub fn pop_until(&mut self, horizon: Time) -> Option<(Time, E)> {
        loop {
            let entry = self.take_minimum_until(horizon)?;
            if !self.cancelled.is_empty() && self.cancelled.remove(&entry.sequence()) {
                continue;
            }
            return Some((entry.time(), entry.event));
        }
    }

    /// Time of the earliest live event, discarding cancelled events at the front.
    pub fn peek_time(&mut self) -> Option<Time> {
        loop {
            let (time, sequence) = match &mut self.store {
                Store::Small(v) => min_index(v).map(|i| (v[i].time(), v[i].sequence()))?,
                Store::Heap(h) => h.peek_key().map(|k| (key_time(k), k as u64))?,
                Store::Radix(r) => r.peek().map(|e| (e.time(), e.sequence()))?,
            };
            if !self.cancelled.is_empty() && self.cancelled.remove(&sequence) {
                self.take_minimum();
                continue;
            }
            return Some(time);
        }
    }

    /// Removes and returns the earliest live event with its time.
    #[inline(always)]
    pub fn pop(&mut self) -> Option<(Time, E)> {
        self.pop_until(f64::INFINITY)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn same_time_events_pop_in_insertion_order() {
        let mut q = EventQueue::new();
        for i in 0..100 {
            q.push(1.0, i);
        }
        let order: Vec<i32> = std::iter::from_fn(|| q.pop().map(|(_, e)| e)).collect();
        assert_eq!(order, (0..100).collect::<Vec<_>>());
    }

    #[test]
    fn hour_of_day_is_exactly_rem_euclid() {
        use rand::{RngExt, SeedableRng};
        let mut rng = crate::des::RngStream::seed_from_u64(5);
        // Random times over ten years, and the floats either side of every whole day: where the quotient
        // rounds up to the next day.
        let mut times: Vec<f64> = (0..200_000)
            .map(|_| rng.random::<f64>() * 87_600.0)
            .collect();
        for day in 0..3_650 {
            let t = day as f64 * 24.0;
            times.extend([t, t.next_up(), t.next_down(), t.next_down().next_down()]);
        }
        times.extend([0.0, -0.0, 5.0e-324, 1.0e15, -3.0, f64::INFINITY]);
        for t in times {
            let (fast, exact) = (super::hour_of_day(t), t.rem_euclid(24.0));
            assert!(
                fast.to_bits() == exact.to_bits() || fast.is_nan() && exact.is_nan(),
                "{t}: {fast} vs {exact}"
            );
        }
    }

    #[test]
    fn cancelled_events_never_pop() {
        let mut q = EventQueue::new();
        let a = q.push(1.0, 'a');
        q.push(2.0, 'b');
        let c = q.push(0.5, 'c');
        q.cancel(a);
        q.cancel(c);
        assert_eq!(q.peek_time(), Some(2.0));
        assert_eq!(q.pop(), Some((2.0, 'b')));
        assert_eq!(q.pop(), None);
    }

    #[test]
    fn cancelling_a_fired_event_is_harmless_and_forgotten() {
        let mut q = EventQueue::new();
        let keys: Vec<_> = (0..1000).map(|i| q.push(i as f64, i)).collect();
        for _ in 0..1000 {
            q.pop();
        }
        for k in keys {
            q.cancel(k);
        }
        q.push(1000.0, 7);
        assert_eq!(q.pop(), Some((1000.0, 7)));
        assert!(q.cancelled.len() <= 64 + 1, "stale keys are compacted away");
    }

    #[test]
    fn a_push_before_the_last_key_still_pops_in_order() {
        let mut q = EventQueue::new();
        q.push(5.0, 'a');
        q.push(9.0, 'b');
        assert_eq!(q.peek_time(), Some(5.0)); // looks ahead: the last key moves to 5
        q.push(1.0, 'c');
        q.push(7.0, 'd');
        let order: Vec<_> = std::iter::from_fn(|| q.pop()).collect();
        assert_eq!(order, [(1.0, 'c'), (5.0, 'a'), (7.0, 'd'), (9.0, 'b')]);
    }

    /// Enough pending events to cross into the radix store and back, with cancellations, pushes before the
    /// last key (after a look-ahead) and churn: the order is right throughout.
    #[test]
    fn order_survives_switching_stores() {
        let mut q = EventQueue::new();
        let mut rng = crate::des::StreamSeeder::new(5).stream(0, "switch");
        let step = crate::des::DistSpec::Exponential { mean: 1.0 }
            .compile()
            .unwrap();
        let mut cancelled = std::collections::HashSet::new();
        for i in 0..(TO_RADIX + 1000) {
            let key = q.push(step.sample(&mut rng) * 100.0, i);
            if i % 7 == 0 {
                q.cancel(key);
                cancelled.insert(i);
            }
        }
        assert!(matches!(q.store, Store::Radix(_)));
        let mut now = 0.0;
        let mut popped = 0;
        let mut next_id = TO_RADIX + 1000;
        while let Some((time, event)) = q.pop() {
            assert!(time >= now, "time went backwards");
            assert!(
                !cancelled.contains(&event),
                "cancelled event {event} popped"
            );
            now = time;
            popped += 1;
            if popped % 3 == 0 && popped < 20_000 {
                q.push(now + step.sample(&mut rng), next_id); // keep churning while draining
                next_id += 1;
            }
            if popped == 500 {
                let ahead = q.peek_time().unwrap();
                q.push((now + ahead) / 2.0, next_id); // before the look-ahead's key: forces a rebuild
                next_id += 1;
            }
        }
        assert_eq!(popped + cancelled.len(), next_id);
        assert!(
            matches!(q.store, Store::Small(_)),
            "drained back to the smallest store"
        );
    }

    proptest! {
        /// Interleaved pushes and pops (pushes never before the last pop, as in a simulation) against a
        /// reference that sorts by (time, insertion order); cancellations honoured.
        #[test]
        fn pops_in_time_then_insertion_order(
            operations in proptest::collection::vec((0u32..50, 0u8..4, any::<bool>()), 0..400),
        ) {
            let mut q = EventQueue::new();
            let mut reference: Vec<(f64, usize)> = Vec::new();
            let mut now = 0.0;
            for (i, &(delay, pops, cancel)) in operations.iter().enumerate() {
                let time = now + delay as f64 * 0.25;
                let key = q.push(time, i);
                if cancel { q.cancel(key); } else { reference.push((time, i)); }
                for _ in 0..pops {
                    reference.sort_by(|a, b| b.0.partial_cmp(&a.0).unwrap().then(b.1.cmp(&a.1)));
                    let expected = reference.pop();
                    let got = q.pop();
                    prop_assert_eq!(got, expected);
                    if let Some((t, _)) = got { now = t; }
                }
            }
            reference.sort_by(|a, b| a.0.partial_cmp(&b.0).unwrap().then(a.1.cmp(&b.1)));
            let rest: Vec<(f64, usize)> = std::iter::from_fn(|| q.pop()).collect();
            prop_assert_eq!(rest, reference);
        }
    }
}
