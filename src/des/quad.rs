//! A 4-ary min-heap of packed keys for mid-size pending-event sets (a few dozen to 16k events).
//!
//! A network model keeps a few hundred events pending and its handlers push the heap out of the
//! first-level cache between pops, so a pop costs about one cache line per level. Three choices cut that:
//!
//! * the heap orders bare 16-byte keys; the events sit still in a slab, and each key carries its event's
//!   slot in its low bits (below the insertion sequence, so the order is unchanged: sequences are unique);
//! * four children per node halve the depth, and the four compares of a level do not depend on each other;
//! * the children of a node share one 64-byte line ([`lane`]), so a level reads one line.
//!
//! Against `BinaryHeap<Entry<E>>`, and with the model's events given a 4-byte tag so their copies stay
//! aligned, the Liuzhou plan's event loop (no risk model, 6 replications, 8 paired whole-process runs) took
//! 0.93 of the time.

use super::queue::{Entry, KEY_SEQUENCE_LIMIT};

/// Bits of a packed key that hold the slab slot. The heap holds at most `queue::TO_RADIX + 1` entries.
const SLOT_BITS: u32 = 16;
const SLOT_MASK: u128 = (1 << SLOT_BITS) - 1;

/// `(time bits << 64) | (sequence << SLOT_BITS) | slot`, from a queue key `(time bits << 64) | sequence`.
#[inline(always)]
fn pack(key: u128, slot: u32) -> u128 {
    debug_assert!((key as u64) < KEY_SEQUENCE_LIMIT);
    let time = key >> 64 << 64;
    time | ((key as u64 as u128) << SLOT_BITS) | slot as u128
}

/// The queue key of a packed key.
#[inline(always)]
fn unpack(packed: u128) -> u128 {
    (packed >> 64 << 64) | ((packed as u64) >> SLOT_BITS) as u128
}

/// Four keys on one cache line: the children of one node.
#[derive(Clone, Copy)]
#[repr(C, align(64))]
struct Group([u128; 4]);

/// Position of heap node `i` in the groups: node 0 (the root) alone in the last lane of group 0, and the
/// children `4i + 1 ..= 4i + 4` of node `i` filling group `i + 1`, so a level's compares read one line.
#[inline(always)]
fn lane(i: usize) -> (usize, usize) {
    (i.div_ceil(4), (i + 3) % 4)
}

/// Packed keys in heap order (`key(i) <= key(4i + 1 ..= 4i + 4)`), laid out by [`lane`].
struct Keys {
    groups: Vec<Group>,
    len: usize,
}

impl Keys {
    fn with_capacity(capacity: usize) -> Self {
        Self {
            groups: Vec::with_capacity(capacity / 4 + 1),
            len: 0,
        }
    }

    #[inline(always)]
    fn get(&self, i: usize) -> u128 {
        let (g, l) = lane(i);
        self.groups[g].0[l]
    }

    #[inline(always)]
    fn set(&mut self, i: usize, key: u128) {
        let (g, l) = lane(i);
        self.groups[g].0[l] = key;
    }

    #[inline(always)]
    fn push(&mut self, key: u128) {
        let (g, _) = lane(self.len);
        if g == self.groups.len() {
            self.groups.push(Group([u128::MAX; 4]));
        }
        self.set(self.len, key);
        self.len += 1;
    }

    #[inline(always)]
    fn pop(&mut self) -> Option<u128> {
        self.len = self.len.checked_sub(1)?;
        let key = self.get(self.len);
        self.set(self.len, u128::MAX);
        Some(key)
    }

    /// The four children of node `i` (absent ones read as `u128::MAX`, larger than any key).
    #[inline(always)]
    fn children(&self, i: usize) -> &[u128; 4] {
        &self.groups[i + 1].0
    }

    fn iter(&self) -> impl Iterator<Item = u128> + '_ {
        (0..self.len).map(|i| self.get(i))
    }

    fn clear(&mut self) {
        self.groups.clear();
        self.len = 0;
    }
}

pub(super) struct QuadHeap<E> {
    keys: Keys,
    /// Events by slot; a free slot keeps its last event (a plain copy, overwritten on reuse).
    events: Vec<E>,
    free_slots: Vec<u32>,
}

impl<E: Copy> QuadHeap<E> {
    /// A heap with room for `capacity` events.
    pub(super) fn with_capacity(capacity: usize) -> Self {
        Self {
            keys: Keys::with_capacity(capacity),
            events: Vec::with_capacity(capacity),
            free_slots: Vec::new(),
        }
    }

    pub(super) fn len(&self) -> usize {
        self.keys.len
    }

    /// The queue keys held, in no particular order.
    pub(super) fn keys(&self) -> impl Iterator<Item = u128> + '_ {
        self.keys.iter().map(unpack)
    }

    /// Every entry, in no particular order; the heap is left empty.
    pub(super) fn drain(&mut self) -> Vec<Entry<E>> {
        self.free_slots.clear();
        let events = &mut self.events;
        let entries = self
            .keys
            .iter()
            .map(|packed| Entry {
                key: unpack(packed),
                event: events[(packed & SLOT_MASK) as usize],
            })
            .collect();
        self.keys.clear();
        events.clear();
        entries
    }

    #[inline]
    pub(super) fn push(&mut self, entry: Entry<E>) {
        let slot = match self.free_slots.pop() {
            Some(slot) => {
                self.events[slot as usize] = entry.event;
                slot
            }
            None => {
                self.events.push(entry.event);
                (self.events.len() - 1) as u32
            }
        };
        debug_assert!((slot as u128) <= SLOT_MASK, "slot {slot} fits its bits");
        let key = pack(entry.key, slot);
        let mut hole = self.keys.len;
        self.keys.push(key);
        while hole > 0 {
            let parent = (hole - 1) / 4;
            let parent_key = self.keys.get(parent);
            if parent_key <= key {
                break;
            }
            self.keys.set(hole, parent_key);
            hole = parent;
        }
        self.keys.set(hole, key);
    }

    /// The smallest queue key.
    #[inline(always)]
    pub(super) fn peek_key(&self) -> Option<u128> {
        (self.keys.len > 0).then(|| unpack(self.keys.get(0)))
    }

    #[inline]
    pub(super) fn pop(&mut self) -> Option<Entry<E>> {
        if self.keys.len == 0 {
            return None;
        }
        let top = self.keys.get(0);
        let last = self.keys.pop().expect("not empty");
        if self.keys.len > 0 {
            self.sift_down_from_root(last);
        }
        let slot = (top & SLOT_MASK) as u32;
        let event = self.events[slot as usize];
        self.free_slots.push(slot);
        Some(Entry {
            key: unpack(top),
            event,
        })
    }

    /// Places `key` (the former last leaf) by moving the smaller child up into the hole from the root.
    #[inline(always)]
    fn sift_down_from_root(&mut self, key: u128) {
        let len = self.keys.len;
        let mut hole = 0;
        while 4 * hole + 1 < len {
            let four = self.keys.children(hole);
            let (a, b) = if four[1] < four[0] {
                (1, four[1])
            } else {
                (0, four[0])
            };
            let (c, d) = if four[3] < four[2] {
                (3, four[3])
            } else {
                (2, four[2])
            };
            let (child, child_key) = if d < b {
                (4 * hole + 1 + c, d)
            } else {
                (4 * hole + 1 + a, b)
            };
            if key <= child_key {
                break;
            }
            self.keys.set(hole, child_key);
            hole = child;
        }
        self.keys.set(hole, key);
    }
}
