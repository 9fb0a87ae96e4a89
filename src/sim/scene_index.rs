//! Who stands where, kept up to date as units move, so that a domino scene reads the units near an
//! accident instead of walking every consignment and convoy alive. A saturated run holds 10^5 tankers
//! queued at one gate; walking them for every accident made the cost per event grow with the queue.
//!
//! Each set lists its units in arena-slot order, the order scenes have always placed them in, so the
//! index changes no position and no result. Builds with debug assertions check every scene's sets
//! against a full scan.

use std::collections::BTreeSet;

use super::Replication;
use super::state::{ConsId, ConvoyId, ConvoyStage, Stage};
use crate::model::SiteId;

/// Units by where they stand, each set in slot order.
pub(crate) struct SceneIndex {
    /// Trucks and wagons being loaded or unloaded on their own (not aboard a convoy), by site.
    handled: Vec<BTreeSet<ConsId>>,
    /// Trains and barges loading or unloading (waiting for a berth or track included), by site.
    convoys: Vec<BTreeSet<ConvoyId>>,
    /// Tankers waiting, by place (lots first, then the roadside places).
    waiting: Vec<BTreeSet<ConsId>>,
}

impl SceneIndex {
    pub(crate) fn new(sites: usize, places: usize) -> Self {
        Self {
            handled: vec![BTreeSet::new(); sites],
            convoys: vec![BTreeSet::new(); sites],
            waiting: vec![BTreeSet::new(); places],
        }
    }

    /// Trucks and wagons handled at site `s`, in slot order.
    pub(crate) fn handled(&self, s: SiteId) -> impl Iterator<Item = ConsId> + '_ {
        self.handled[s].iter().copied()
    }

    /// Convoys loading or unloading at site `s`, in slot order.
    pub(crate) fn convoys(&self, s: SiteId) -> impl Iterator<Item = ConvoyId> + '_ {
        self.convoys[s].iter().copied()
    }

    /// Tankers waiting at place `p`, in slot order.
    pub(crate) fn waiting(&self, p: usize) -> impl Iterator<Item = ConsId> + '_ {
        self.waiting[p].iter().copied()
    }
}

impl Replication<'_> {
    /// Sets a consignment's stage, keeping the index of handled units current.
    pub(crate) fn set_stage(&mut self, id: ConsId, stage: Stage) {
        let m = self.m;
        let c = self.cons.get_mut(id);
        c.stage = stage;
        let Some(index) = self.scene_index.as_mut() else {
            return;
        };
        // The site is kept with the consignment: its leg moves on before its stage leaves `Unloading`.
        if let Some(s) = c.handled_at.take() {
            index.handled[s as usize].remove(&id);
        }
        if c.convoy.is_none() && matches!(stage, Stage::Loading | Stage::Unloading) {
            let leg = &m.routes[c.route].legs[c.leg];
            let s = if stage == Stage::Loading {
                leg.from
            } else {
                leg.to
            };
            index.handled[s].insert(id);
            c.handled_at = Some(s as u32);
        }
    }

    /// Removes a consignment that has left the system from the arena and from the index.
    pub(crate) fn remove_cons(&mut self, id: ConsId) -> super::state::Consignment {
        let c = self.cons.remove(id);
        if let Some(index) = self.scene_index.as_mut() {
            if let Some(s) = c.handled_at {
                index.handled[s as usize].remove(&id);
            }
            if let Some(p) = c.place {
                index.waiting[p].remove(&id);
            }
        }
        c
    }

    /// A tanker starts (`true`) or stops waiting at place `p`.
    pub(crate) fn index_waiting(&mut self, id: ConsId, p: usize, waiting: bool) {
        if let Some(index) = self.scene_index.as_mut() {
            if waiting {
                index.waiting[p].insert(id);
            } else {
                index.waiting[p].remove(&id);
            }
        }
    }

    /// The site where a convoy in `stage` stands, if it loads or unloads at one.
    fn convoy_site(&self, v: ConvoyId, stage: ConvoyStage) -> Option<SiteId> {
        let pool = &self.pools[self.convoys.get(v).pool];
        let leg = &self.m.routes[pool.route].legs[pool.leg];
        match stage {
            ConvoyStage::Loading => Some(leg.from),
            ConvoyStage::Unloading => Some(leg.to),
            _ => None,
        }
    }

    /// Sets a convoy's stage, keeping the index of convoys at sites current (a convoy's leg never
    /// changes, so its stage alone says where it stands).
    pub(crate) fn set_convoy_stage(&mut self, v: ConvoyId, stage: ConvoyStage) {
        let before = self.convoys.get(v).stage;
        if before == stage {
            return;
        }
        self.index_convoy(v, false);
        self.convoys.get_mut(v).stage = stage;
        self.index_convoy(v, true);
    }

    /// A new convoy, created in its stage: indexed where it stands.
    pub(crate) fn index_new_convoy(&mut self, v: ConvoyId) {
        self.index_convoy(v, true);
    }

    /// Removes a convoy that has finished from the arena and from the index.
    pub(crate) fn remove_convoy(&mut self, v: ConvoyId) {
        self.index_convoy(v, false);
        self.convoys.remove(v);
    }

    /// Puts convoy `v` into (`true`) or takes it out of the set of the site its stage has it at, if any.
    fn index_convoy(&mut self, v: ConvoyId, present: bool) {
        if self.scene_index.is_none() {
            return;
        }
        let Some(s) = self.convoy_site(v, self.convoys.get(v).stage) else {
            return;
        };
        let set = &mut self.scene_index.as_mut().expect("checked above").convoys[s];
        if present {
            set.insert(v);
        } else {
            set.remove(&v);
        }
    }

    /// Checks the index of site `s` (handled units, convoys) against a scan of every unit alive (debug
    /// builds).
    #[cfg(debug_assertions)]
    pub(crate) fn check_scene_index(&self, s: SiteId) {
        let m = self.m;
        let index = self
            .scene_index
            .as_ref()
            .expect("scenes only with an index");
        let handled: Vec<ConsId> = self
            .cons
            .iter_live()
            .filter(|(_, c)| {
                let leg = &m.routes[c.route].legs[c.leg];
                let here = match c.stage {
                    Stage::Loading => leg.from == s,
                    Stage::Unloading => leg.to == s,
                    _ => false,
                };
                here && c.convoy.is_none()
            })
            .map(|(id, _)| id)
            .collect();
        assert_eq!(
            handled,
            index.handled(s).collect::<Vec<_>>(),
            "handled units at site {s}"
        );
        let convoys: Vec<ConvoyId> = self
            .convoys
            .iter_live()
            .filter(|&(v, c)| self.convoy_site(v, c.stage) == Some(s))
            .map(|(v, _)| v)
            .collect();
        assert_eq!(
            convoys,
            index.convoys(s).collect::<Vec<_>>(),
            "convoys at site {s}"
        );
    }

    /// Checks the index of place `p` against a scan of every consignment alive (debug builds).
    #[cfg(debug_assertions)]
    pub(crate) fn check_waiting_index(&self, p: usize) {
        let index = self
            .scene_index
            .as_ref()
            .expect("scenes only with an index");
        let waiting: Vec<ConsId> = self
            .cons
            .iter_live()
            .filter(|(_, c)| c.place == Some(p))
            .map(|(id, _)| id)
            .collect();
        assert_eq!(
            waiting,
            index.waiting(p).collect::<Vec<_>>(),
            "tankers waiting at place {p}"
        );
    }
}
