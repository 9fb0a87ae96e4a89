//! Typed ids of a replication: entities (consignments, convoys) in arenas whose slots carry a generation,
//! and the model indices events carry. An event holds an id for hours of simulated time; a typed id
//! cannot be handed to the wrong table, and a generation-checked one cannot reach an entity that has
//! since taken over its slot.

use std::fmt;
use std::marker::PhantomData;

/// An entity's id: its arena slot and the slot's generation when the entity was inserted.
pub(crate) struct EntityId<T> {
    slot: u32,
    generation: u32,
    kind: PhantomData<fn() -> T>,
}

// Derives would demand the same traits of `T`; an id is a pair of integers whatever it names.
impl<T> Clone for EntityId<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for EntityId<T> {}
impl<T> PartialEq for EntityId<T> {
    fn eq(&self, other: &Self) -> bool {
        (self.slot, self.generation) == (other.slot, other.generation)
    }
}
impl<T> Eq for EntityId<T> {}
impl<T> PartialOrd for EntityId<T> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl<T> Ord for EntityId<T> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.slot, self.generation).cmp(&(other.slot, other.generation))
    }
}
impl<T> std::hash::Hash for EntityId<T> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        (self.slot, self.generation).hash(state);
    }
}
impl<T> fmt::Debug for EntityId<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}.{}", self.slot, self.generation)
    }
}

impl<T> EntityId<T> {
    /// The arena slot (stable while the entity lives; used to label units in accident records).
    pub(crate) fn slot(self) -> u32 {
        self.slot
    }
}

struct Slot<T> {
    generation: u32,
    item: Option<T>,
}

/// A vector of entities with slot reuse. A removed entity's slot gets a new generation when reused, so
/// an id kept past its entity's removal is refused instead of reaching the newcomer.
pub(crate) struct Arena<T> {
    slots: Vec<Slot<T>>,
    free: Vec<u32>,
}

impl<T> Arena<T> {
    pub(crate) fn new() -> Self {
        Self {
            slots: Vec::new(),
            free: Vec::new(),
        }
    }

    /// Entities alive now.
    pub(crate) fn len(&self) -> usize {
        self.slots.len() - self.free.len()
    }

    /// Stores `item` and returns its id.
    pub(crate) fn insert(&mut self, item: T) -> EntityId<T> {
        let slot = match self.free.pop() {
            Some(slot) => {
                let s = &mut self.slots[slot as usize];
                s.generation = s.generation.wrapping_add(1);
                s.item = Some(item);
                slot
            }
            None => {
                let slot = u32::try_from(self.slots.len()).expect(
                    "fewer than 2^32 entities alive at once (the saturation guard stops far below)",
                );
                self.slots.push(Slot {
                    generation: 0,
                    item: Some(item),
                });
                slot
            }
        };
        EntityId {
            slot,
            generation: self.slots[slot as usize].generation,
            kind: PhantomData,
        }
    }

    fn slot(&self, id: EntityId<T>) -> &Slot<T> {
        let s = &self.slots[id.slot as usize];
        assert_eq!(
            s.generation, id.generation,
            "stale id {id:?}: its entity was removed and the slot reused (a model bug)"
        );
        s
    }

    /// Removes the entity and returns it.
    pub(crate) fn remove(&mut self, id: EntityId<T>) -> T {
        self.slot(id);
        let item = self.slots[id.slot as usize]
            .item
            .take()
            .expect("removing a live entity");
        self.free.push(id.slot);
        item
    }

    /// The live entity of `id`.
    #[inline]
    pub(crate) fn get(&self, id: EntityId<T>) -> &T {
        self.slot(id).item.as_ref().expect("live entity")
    }

    /// The live entity of `id`, to change.
    #[inline]
    pub(crate) fn get_mut(&mut self, id: EntityId<T>) -> &mut T {
        self.slot(id);
        self.slots[id.slot as usize]
            .item
            .as_mut()
            .expect("live entity")
    }

    /// Live entities, in slot order.
    pub(crate) fn live(&self) -> impl Iterator<Item = &T> {
        self.slots.iter().filter_map(|s| s.item.as_ref())
    }

    /// Live entities with their ids, in slot order.
    pub(crate) fn iter_live(&self) -> impl Iterator<Item = (EntityId<T>, &T)> {
        self.slots.iter().enumerate().filter_map(|(i, s)| {
            s.item.as_ref().map(|x| {
                (
                    EntityId {
                        slot: i as u32,
                        generation: s.generation,
                        kind: PhantomData,
                    },
                    x,
                )
            })
        })
    }
}

/// An index into one of the model's tables, as an event carries it (4 bytes, so an event stays 12).
pub(crate) struct Ix<K> {
    index: u32,
    kind: PhantomData<fn() -> K>,
}

impl<K> Clone for Ix<K> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<K> Copy for Ix<K> {}
impl<K> fmt::Debug for Ix<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.index)
    }
}

impl<K> Ix<K> {
    /// The index `i` of its table.
    #[inline]
    pub(crate) fn new(i: usize) -> Self {
        Self {
            index: u32::try_from(i).expect("model tables hold fewer than 2^32 entries"),
            kind: PhantomData,
        }
    }

    /// The index.
    #[inline]
    pub(crate) fn get(self) -> usize {
        self.index as usize
    }
}

/// The tables events index, as marker types.
pub(crate) mod table {
    /// `Model::flows`.
    pub(crate) enum Flow {}
    /// `Model::sites`.
    pub(crate) enum Site {}
    /// `Model::producers`.
    pub(crate) enum Producer {}
    /// `Model::consumers`.
    pub(crate) enum Consumer {}
    /// `Model::processes`.
    pub(crate) enum Process {}
    /// The pools of a replication.
    pub(crate) enum Pool {}
    /// `Model::links`.
    pub(crate) enum Link {}
    /// `Model::locks`.
    pub(crate) enum Lock {}
    /// The chambers (lines) of a lock.
    pub(crate) enum Chamber {}
    /// Availability targets (facilities that open, close and fail).
    pub(crate) enum Target {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reused_slot_gets_a_new_generation() {
        let mut arena = Arena::new();
        let a = arena.insert("a");
        assert_eq!(arena.remove(a), "a");
        let b = arena.insert("b");
        assert_eq!(a.slot(), b.slot());
        assert_ne!(a, b);
        assert_eq!(*arena.get(b), "b");
        assert_eq!(arena.len(), 1);
        assert_eq!(
            arena.iter_live().map(|(id, _)| id).collect::<Vec<_>>(),
            vec![b]
        );
    }

    #[test]
    #[should_panic(expected = "stale id")]
    fn a_stale_id_cannot_reach_the_newcomer() {
        let mut arena = Arena::new();
        let a = arena.insert(1);
        arena.remove(a);
        let _b = arena.insert(2);
        let _ = arena.get(a);
    }

    #[test]
    fn events_stay_small() {
        assert_eq!(std::mem::size_of::<EntityId<u64>>(), 8);
        assert_eq!(std::mem::size_of::<Ix<table::Flow>>(), 4);
        // The pending-event set moves events around: typed ids must not make them bigger.
        assert_eq!(std::mem::size_of::<super::super::Event>(), 12);
    }
}
