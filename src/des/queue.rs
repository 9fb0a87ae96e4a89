//! The pending-event set: a 4-ary min-heap ordered by (time, insertion sequence).
//!
//! Why a hand-written 4-ary heap rather than `std::collections::BinaryHeap`: a 4-ary heap halves the depth of
//! the tree, so a pop touches fewer cache lines when 100k and more events are pending (large fleets), and the
//! key is stored as two integers so a comparison is two integer compares, never a float comparison that could
//! meet a NaN.
//!
//! Cancellation is lazy: a cancelled event stays in the heap and is skipped when it reaches the top. This
//! keeps scheduling and popping free of any index bookkeeping (the common case) and makes a cancel O(1).

use rustc_hash::FxHashSet;

/// Simulation time in hours since the start of the run.
pub type Time = f64;

/// Handle of a scheduled event, used to cancel it. Keys are unique within one queue and never reused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EventKey(u64);

impl EventKey {
    /// The insertion sequence number: events scheduled for the same time run in this order.
    pub fn sequence(self) -> u64 {
        self.0
    }
}

struct Entry<E> {
    /// `Time::to_bits` of a non-negative finite time: the bit patterns of such floats order like the floats.
    time_bits: u64,
    sequence: u64,
    event: E,
}

impl<E> Entry<E> {
    #[inline(always)]
    fn before(&self, other: &Self) -> bool {
        (self.time_bits, self.sequence) < (other.time_bits, other.sequence)
    }
}

const ARITY: usize = 4;

/// A priority queue of events with a total, deterministic order: earlier time first, and among events at
/// the same time, the one scheduled first.
pub struct EventQueue<E> {
    heap: Vec<Entry<E>>,
    next_sequence: u64,
    cancelled: FxHashSet<u64>,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E> EventQueue<E> {
    /// An empty queue.
    pub fn new() -> Self {
        Self::with_capacity(0)
    }

    /// An empty queue with room for `capacity` pending events before it reallocates.
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            heap: Vec::with_capacity(capacity),
            next_sequence: 0,
            cancelled: FxHashSet::default(),
        }
    }

    /// Number of entries in the heap, including cancelled events not yet discarded.
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// True when no event (live or cancelled) is stored.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    /// Adds `event` at `time` (hours). `time` must be finite and non-negative; the scheduler checks it.
    #[inline]
    pub fn push(&mut self, time: Time, event: E) -> EventKey {
        debug_assert!(
            time.is_finite() && time >= 0.0,
            "event time {time} must be finite and >= 0"
        );
        // `+ 0.0` turns -0.0 into +0.0 so that its bit pattern sorts first.
        let time_bits = (time + 0.0).to_bits();
        let sequence = self.next_sequence;
        self.next_sequence += 1;
        self.heap.push(Entry {
            time_bits,
            sequence,
            event,
        });
        self.sift_up(self.heap.len() - 1);
        EventKey(sequence)
    }

    /// Marks a pending event as cancelled; it will never be returned by [`pop`](Self::pop).
    ///
    /// Cancelling an event that already fired (or was already cancelled) has no effect on the order of
    /// other events. Its key is remembered until the set is compacted, which happens when it holds more
    /// keys than the heap has entries.
    pub fn cancel(&mut self, key: EventKey) {
        if key.0 >= self.next_sequence {
            return;
        }
        self.cancelled.insert(key.0);
        if self.cancelled.len() > self.heap.len() + 64 {
            self.compact_cancelled();
        }
    }

    /// Drops remembered keys of events no longer in the heap (fired before they were cancelled).
    fn compact_cancelled(&mut self) {
        let pending: FxHashSet<u64> = self.heap.iter().map(|e| e.sequence).collect();
        self.cancelled.retain(|s| pending.contains(s));
    }

    /// Time of the earliest live event, discarding cancelled events on top of the heap.
    pub fn peek_time(&mut self) -> Option<Time> {
        self.discard_cancelled_top();
        self.heap.first().map(|e| f64::from_bits(e.time_bits))
    }

    fn discard_cancelled_top(&mut self) {
        while !self.cancelled.is_empty() {
            match self.heap.first() {
                Some(top) if self.cancelled.remove(&top.sequence) => {
                    self.remove_top();
                }
                _ => break,
            }
        }
    }

    /// Removes and returns the earliest live event with its time.
    #[inline]
    pub fn pop(&mut self) -> Option<(Time, E)> {
        loop {
            let entry = self.remove_top()?;
            if !self.cancelled.is_empty() && self.cancelled.remove(&entry.sequence) {
                continue;
            }
            return Some((f64::from_bits(entry.time_bits), entry.event));
        }
    }

    #[inline]
    fn remove_top(&mut self) -> Option<Entry<E>> {
        let last = self.heap.pop()?;
        if self.heap.is_empty() {
            return Some(last);
        }
        let top = std::mem::replace(&mut self.heap[0], last);
        self.sift_down(0);
        Some(top)
    }

    #[inline]
    fn sift_up(&mut self, mut index: usize) {
        let heap = &mut self.heap;
        while index > 0 {
            let parent = (index - 1) / ARITY;
            if heap[index].before(&heap[parent]) {
                heap.swap(index, parent);
                index = parent;
            } else {
                break;
            }
        }
    }

    #[inline]
    fn sift_down(&mut self, mut index: usize) {
        let heap = &mut self.heap;
        let len = heap.len();
        loop {
            let first_child = index * ARITY + 1;
            if first_child >= len {
                break;
            }
            let last_child = (first_child + ARITY).min(len);
            let mut best = first_child;
            for child in first_child + 1..last_child {
                if heap[child].before(&heap[best]) {
                    best = child;
                }
            }
            if heap[best].before(&heap[index]) {
                heap.swap(index, best);
                index = best;
            } else {
                break;
            }
        }
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
        q.push(5.0, 7);
        assert_eq!(q.pop(), Some((5.0, 7)));
        assert!(q.cancelled.len() <= 64 + 1, "stale keys are compacted away");
    }

    proptest! {
        /// Against a reference (stable sort by time): same events, same order, cancellations honoured.
        #[test]
        fn pops_in_time_then_insertion_order(
            times in proptest::collection::vec(0u32..50, 0..300),
            cancel_mask in proptest::collection::vec(any::<bool>(), 300),
        ) {
            let mut q = EventQueue::new();
            let keys: Vec<_> = times.iter().enumerate().map(|(i, &t)| q.push(t as f64 * 0.5, i)).collect();
            let mut expected: Vec<(f64, usize)> = Vec::new();
            for (i, &t) in times.iter().enumerate() {
                if cancel_mask[i] { q.cancel(keys[i]); } else { expected.push((t as f64 * 0.5, i)); }
            }
            expected.sort_by(|a, b| a.0.partial_cmp(&b.0).unwrap()); // stable: keeps insertion order
            let got: Vec<(f64, usize)> = std::iter::from_fn(|| q.pop()).collect();
            prop_assert_eq!(got, expected);
        }
    }
}
