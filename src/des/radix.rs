//! A monotone radix heap (Ahuja, Mehlhorn, Orlin and Tarjan 1990) for large pending-event sets.
//!
//! Entries sit in buckets by the highest bit in which their key differs from the last key taken out. A push
//! appends to a vector; taking the minimum scans one bucket sequentially and redistributes it into lower
//! buckets. No random walk through a tree: the rate barely drops as the set grows past the caches, where a
//! binary heap loses most of its speed on cache misses.

use super::queue::Entry;

/// Bucket 0 holds the key equal to the last key taken out; bucket b > 0 holds keys whose highest bit
/// differing from it is bit b - 1.
const BUCKETS: usize = 129;

#[inline(always)]
fn bucket_of(key: u128, last: u128) -> usize {
    (128 - (key ^ last).leading_zeros()) as usize
}

pub(super) struct RadixHeap<E> {
    buckets: Vec<Vec<Entry<E>>>,
    /// Bit b of word b / 64 is set when bucket b is not empty.
    occupied: [u64; 3],
    last_key: u128,
    len: usize,
}

impl<E> RadixHeap<E> {
    /// Builds a heap holding `entries`.
    pub(super) fn from_entries(entries: impl ExactSizeIterator<Item = Entry<E>>) -> Self {
        let mut heap = Self {
            buckets: (0..BUCKETS).map(|_| Vec::new()).collect(),
            occupied: [0; 3],
            last_key: 0,
            len: 0,
        };
        let all: Vec<Entry<E>> = entries.collect();
        heap.last_key = all.iter().map(|e| e.key).min().unwrap_or(0);
        for entry in all {
            heap.insert(entry);
        }
        heap
    }

    pub(super) fn len(&self) -> usize {
        self.len
    }

    pub(super) fn iter(&self) -> impl Iterator<Item = &Entry<E>> {
        self.buckets.iter().flatten()
    }

    pub(super) fn drain(&mut self) -> impl Iterator<Item = Entry<E>> + '_ {
        self.occupied = [0; 3];
        self.len = 0;
        self.buckets.iter_mut().flat_map(|b| b.drain(..))
    }

    #[inline(always)]
    fn insert(&mut self, entry: Entry<E>) {
        let bucket = bucket_of(entry.key, self.last_key);
        self.buckets[bucket].push(entry);
        self.occupied[bucket / 64] |= 1 << (bucket % 64);
        self.len += 1;
    }

    #[inline]
    pub(super) fn push(&mut self, entry: Entry<E>) {
        if entry.key < self.last_key {
            self.rebuild_below(entry.key);
        }
        self.insert(entry);
    }

    /// Lowers the last key to `key` and re-buckets every entry relative to it. Happens only when an event
    /// is scheduled before the last key taken out (after looking past a horizon, or after discarding
    /// cancelled events), so its O(pending) cost is rare.
    #[cold]
    fn rebuild_below(&mut self, key: u128) {
        let mut all = Vec::with_capacity(self.len);
        for bucket in &mut self.buckets {
            all.append(bucket);
        }
        self.occupied = [0; 3];
        self.len = 0;
        self.last_key = key;
        for entry in all {
            self.insert(entry);
        }
    }

    /// Makes bucket 0 hold the minimum (the only key equal to the new last key); false when empty.
    #[inline]
    fn settle_minimum(&mut self) -> bool {
        if self.occupied[0] & 1 != 0 {
            return true;
        }
        let bucket = match self.occupied.iter().position(|&word| word != 0) {
            Some(word) => word * 64 + self.occupied[word].trailing_zeros() as usize,
            None => return false,
        };
        let mut entries = std::mem::take(&mut self.buckets[bucket]);
        self.occupied[bucket / 64] &= !(1 << (bucket % 64));
        self.last_key = entries
            .iter()
            .map(|e| e.key)
            .min()
            .expect("occupied bucket is not empty");
        self.len -= entries.len();
        // Every entry lands in a lower bucket: it agrees with the new last key above bit `bucket - 1`.
        for entry in entries.drain(..) {
            self.insert(entry);
        }
        self.buckets[bucket] = entries; // keep the allocation
        true
    }

    pub(super) fn peek(&mut self) -> Option<&Entry<E>> {
        if self.settle_minimum() {
            self.buckets[0].first()
        } else {
            None
        }
    }

    #[inline]
    pub(super) fn pop(&mut self) -> Option<Entry<E>> {
        if !self.settle_minimum() {
            return None;
        }
        let entry = self.buckets[0]
            .pop()
            .expect("settled bucket 0 holds the minimum");
        self.occupied[0] &= !1;
        self.len -= 1;
        Some(entry)
    }
}
