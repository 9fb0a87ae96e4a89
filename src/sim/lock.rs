//! Ship locks: chambers (lines) that alternate direction, fill with waiting vessels in priority and
//! arrival order up to their count, tonnage and size limits, and turn round empty when vessels wait only on
//! the other side. The lock's rules can let vessels join until levelling starts, hold a lockage for vessels
//! on their way (a clustering window) or for a minimum batch, and turn a chamber round ahead of a vessel
//! on its way.

use super::chamber::{ChamberLoad, VesselSize};
use super::ids::Ix;
use super::state::{ConvoyId, ConvoyStage};
use super::{Event, Replication};
use crate::des::{ClosedClock, EventKey, RngStream, TimeWeighted, WaitTallies};
use crate::model::{Lock, LockCycle, LockJoin, NodeId};

/// Side of the lock a vessel waits on, or a chamber is open to.
const UPSTREAM: u8 = 0;

struct Line {
    side: u8,
    busy: bool,
    available: bool,
    aboard: Vec<ConvoyId>,
    /// When each vessel aboard reached the lock (lockages that take vessels until levelling).
    aboard_since: Vec<f64>,
    /// A lockage still taking vessels (`join = until_levelling`), until its levelling starts.
    filling: Option<Filling>,
    /// When a held lockage is next looked at again (its window's end), if an event is pending for it.
    retry_at: Option<f64>,
}

/// A lockage whose vessels are entering and whose doors are closing: it takes a vessel arriving on its
/// side that fits, and levelling starts when the last one is in and the doors are shut.
struct Filling {
    load: ChamberLoad,
    /// When the last vessel called is in.
    entries_end: f64,
    /// The pending start of levelling.
    levelling: EventKey,
}

struct Waiter {
    convoy: ConvoyId,
    side: u8,
    priority: i32,
    sequence: u64,
    since: f64,
    closed_at_arrival: f64,
}

/// A vessel on the link into the lock, with the time it will arrive.
struct Approach {
    convoy: ConvoyId,
    side: u8,
    arrival_h: f64,
    size: VesselSize,
}

/// A lock's dynamic state and statistics.
pub(crate) struct LockState {
    lines: Vec<Line>,
    queue: Vec<Waiter>,
    /// Vessels on their way (kept only for locks whose rules look ahead).
    approaching: Vec<Approach>,
    sequence: u64,
    /// Runs while no line is available.
    closed: ClosedClock,
    pub(crate) waits: WaitTallies,
    pub(crate) queue_length: TimeWeighted,
    pub(crate) queue_max: usize,
    pub(crate) busy_lines: TimeWeighted,
    /// Lines available or finishing a lockage: the denominator of utilisation.
    pub(crate) available_lines: TimeWeighted,
    pub(crate) lockages: u64,
    pub(crate) empty_lockages: u64,
    pub(crate) vessels: u64,
    pub(crate) tonnes: f64,
    pub(crate) hazmat_vessel_hours: f64,
}

impl LockState {
    pub(crate) fn new(lock: &Lock) -> Self {
        Self {
            // Chambers start open alternately to each side.
            lines: (0..lock.lines.len())
                .map(|k| Line {
                    side: (k % 2) as u8,
                    busy: false,
                    available: true,
                    aboard: Vec::new(),
                    aboard_since: Vec::new(),
                    filling: None,
                    retry_at: None,
                })
                .collect(),
            queue: Vec::new(),
            approaching: Vec::new(),
            sequence: 0,
            closed: ClosedClock::new(0.0, false),
            waits: WaitTallies::new(),
            queue_length: TimeWeighted::new(0.0, 0.0),
            queue_max: 0,
            busy_lines: TimeWeighted::new(0.0, 0.0),
            available_lines: TimeWeighted::new(0.0, lock.lines.len() as f64),
            lockages: 0,
            empty_lockages: 0,
            vessels: 0,
            tonnes: 0.0,
            hazmat_vessel_hours: 0.0,
        }
    }

    /// Restarts the statistics at `now`.
    pub(crate) fn reset(&mut self, now: f64) {
        self.waits.reset();
        self.queue_length.reset(now);
        self.queue_max = self.queue.len();
        self.busy_lines.reset(now);
        self.available_lines.reset(now);
        self.lockages = 0;
        self.empty_lockages = 0;
        self.vessels = 0;
        self.tonnes = 0.0;
        self.hazmat_vessel_hours = 0.0;
    }

    /// Vessels waiting now.
    /// Vessels at the lock: waiting, then in the chambers.
    pub(crate) fn vessels(&self) -> impl Iterator<Item = ConvoyId> + '_ {
        self.queue
            .iter()
            .map(|w| w.convoy)
            .chain(self.lines.iter().flat_map(|l| l.aboard.iter().copied()))
    }

    pub(crate) fn waiting(&self) -> usize {
        self.queue.len()
    }

    /// Busy line-hours over available line-hours.
    pub(crate) fn utilisation(&self, now: f64) -> f64 {
        let available = self.available_lines.integral(now);
        if available > 0.0 {
            self.busy_lines.integral(now) / available
        } else {
            0.0
        }
    }

    /// Records busy lines and working lines (available, or busy finishing a lockage begun before the
    /// line went out of service), so utilisation never exceeds 1.
    fn set_busy(&mut self, now: f64) {
        let busy = self.lines.iter().filter(|l| l.busy).count();
        self.busy_lines.set(now, busy as f64);
        let working = self.lines.iter().filter(|l| l.busy || l.available).count();
        self.available_lines.set(now, working as f64);
    }
}

/// Duration of one lockage with `vessels` vessels leaving side `side`: the whole-cycle distribution, or
/// two door operations, levelling in that direction, and an entry and an exit per vessel, each drawn from
/// its own distribution.
fn lockage_hours(cycle: &LockCycle, side: u8, vessels: usize, rng: &mut RngStream) -> f64 {
    let hours = match cycle {
        LockCycle::Whole(s) => s.sample(rng),
        LockCycle::Parts {
            doors_h,
            levelling_h,
            entry_h,
            exit_h,
        } => {
            let mut h =
                doors_h.sample(rng) + levelling_h[side as usize].sample(rng) + doors_h.sample(rng);
            for _ in 0..vessels {
                h += entry_h.sample(rng) + exit_h.sample(rng);
            }
            h
        }
    };
    hours.max(0.0)
}

/// Side of lock `lock` a vessel coming from node `came_from` waits on.
fn side_from(lock: &Lock, came_from: NodeId) -> u8 {
    if came_from == lock.upstream {
        UPSTREAM
    } else {
        1 - UPSTREAM
    }
}

impl Replication<'_> {
    /// A vessel's size as lock `l`'s chambers see it.
    fn vessel_size(&self, v: ConvoyId) -> VesselSize {
        let convoy = self.convoys.get(v);
        let pool = &self.pools[convoy.pool];
        let carrier = &self.m.carriers[self.m.routes[pool.route].legs[pool.leg].carrier];
        VesselSize {
            class_t: convoy.class_t,
            length_beam_m: carrier.length_m.zip(carrier.beam_m),
        }
    }

    /// A vessel reaches the lock from the neighbouring node `came_from`.
    pub(crate) fn lock_arrival(&mut self, l: usize, v: ConvoyId, came_from: NodeId) {
        let now = self.sched.now();
        let lock = &self.m.locks[l];
        let side = side_from(lock, came_from);
        let priority = if lock.priority {
            self.convoys.get(v).priority
        } else {
            0
        };
        self.locks[l].approaching.retain(|a| a.convoy != v);
        if lock.join == LockJoin::UntilLevelling && self.join_filling_lockage(l, v, side) {
            return;
        }
        let state = &mut self.locks[l];
        state.sequence += 1;
        let closed_at_arrival = state.closed.reading(now);
        state.queue.push(Waiter {
            convoy: v,
            side,
            priority,
            sequence: state.sequence,
            since: now,
            closed_at_arrival,
        });
        state.queue_length.set(now, state.queue.len() as f64);
        state.queue_max = state.queue_max.max(state.queue.len());
        self.try_lockages(l);
    }

    /// A vessel sets off on link `link` into lock `l` and will arrive in `hours`: locks whose rules look
    /// ahead note it and reconsider their chambers.
    pub(crate) fn lock_approach(&mut self, l: usize, v: ConvoyId, came_from: NodeId, hours: f64) {
        let lock = &self.m.locks[l];
        if !lock.watches_approaches() {
            return;
        }
        let approach = Approach {
            convoy: v,
            side: side_from(lock, came_from),
            arrival_h: self.sched.now() + hours,
            size: self.vessel_size(v),
        };
        self.locks[l].approaching.push(approach);
        self.try_lockages(l);
    }

    /// Starts a lockage on every idle, available line that has vessels on its side (unless its rules hold
    /// it for more), and turns a line round empty when vessels wait, or are on their way, only on the other
    /// side and no idle line there will take them.
    fn try_lockages(&mut self, l: usize) {
        for k in 0..self.m.locks[l].lines.len() {
            let line = &self.locks[l].lines[k];
            if !line.available || line.busy {
                continue;
            }
            let (chosen, load) = self.choose_batch(l, k);
            if !chosen.is_empty() {
                if !self.hold_for_more(l, k, &chosen, &load) {
                    self.start_lockage(l, k, chosen, load);
                }
            } else if self.should_turn_round(l, k) {
                self.turn_round_empty(l, k);
            }
        }
    }

    /// The waiting vessels line `k` takes now: those on its side in priority, then arrival, order, each
    /// if it still fits (a vessel that does not fit waits for the next lockage); queue indices, and the
    /// chamber's load with them.
    fn choose_batch(&self, l: usize, k: usize) -> (Vec<usize>, ChamberLoad) {
        let state = &self.locks[l];
        let spec = &self.m.locks[l].lines[k];
        let side = state.lines[k].side;
        let mut order: Vec<usize> = (0..state.queue.len())
            .filter(|&i| state.queue[i].side == side)
            .collect();
        order.sort_by_key(|&i| (state.queue[i].priority, state.queue[i].sequence));
        let mut chosen = Vec::new();
        let mut load = ChamberLoad::default();
        for i in order {
            if load.vessels() >= spec.max_vessels {
                break;
            }
            if load.try_add(spec, self.vessel_size(state.queue[i].convoy)) {
                chosen.push(i);
            }
        }
        (chosen, load)
    }

    /// Whether line `k`'s lockage waits: within the clustering window from its first vessel's arrival, for
    /// `min_vessels`, or for a vessel on its way on this side that would fit and arrives within the window.
    /// A held lockage is looked at again when the window ends (and whenever a vessel arrives).
    fn hold_for_more(&mut self, l: usize, k: usize, chosen: &[usize], load: &ChamberLoad) -> bool {
        let lock = &self.m.locks[l];
        if lock.clustering_window_h <= 0.0 {
            return false;
        }
        let now = self.sched.now();
        let spec = &lock.lines[k];
        let state = &self.locks[l];
        let side = state.lines[k].side;
        let first_since = chosen
            .iter()
            .map(|&i| state.queue[i].since)
            .fold(f64::INFINITY, f64::min);
        let deadline = first_since + lock.clustering_window_h;
        if now >= deadline {
            return false;
        }
        let coming = state.approaching.iter().any(|a| {
            a.side == side && a.arrival_h <= deadline && load.clone().try_add(spec, a.size)
        });
        if load.vessels() >= spec.min_vessels && !coming {
            return false;
        }
        let line = &mut self.locks[l].lines[k];
        if line.retry_at != Some(deadline) {
            line.retry_at = Some(deadline);
            self.sched
                .schedule_at(deadline, Event::LockRetry(Ix::new(l)));
        }
        true
    }

    /// The end of a held lockage's window.
    pub(crate) fn on_lock_retry(&mut self, l: usize) {
        let now = self.sched.now();
        for line in &mut self.locks[l].lines {
            if line.retry_at.is_some_and(|t| t <= now) {
                line.retry_at = None;
            }
        }
        self.try_lockages(l);
    }

    /// Takes the `chosen` waiters (queue indices) into line `k` and starts its lockage: the whole of it
    /// drawn now, or, when vessels may join until levelling, their entries and the doors' closing.
    fn start_lockage(&mut self, l: usize, k: usize, mut chosen: Vec<usize>, load: ChamberLoad) {
        let now = self.sched.now();
        let lock = &self.m.locks[l];
        let state = &mut self.locks[l];
        chosen.sort_unstable_by(|a, b| b.cmp(a)); // remove from the back first
        let closed_now = state.closed.reading(now);
        let mut aboard = Vec::with_capacity(chosen.len());
        let mut arrived = Vec::with_capacity(chosen.len());
        for i in chosen {
            let w = state.queue.remove(i);
            arrived.push((w.convoy, w.since));
            let waited = now - w.since;
            state.waits.record(
                waited,
                (closed_now - w.closed_at_arrival).clamp(0.0, waited),
            );
            aboard.push(w.convoy);
        }
        aboard.reverse(); // arrival order
        state.queue_length.set(now, state.queue.len() as f64);
        state.lockages += 1;
        state.vessels += aboard.len() as u64;
        for &v in &aboard {
            state.tonnes += self.convoys.get(v).tonnes;
        }
        let vessels = aboard.len();
        let line = &mut state.lines[k];
        line.busy = true;
        line.retry_at = None;
        line.aboard = aboard;
        state.set_busy(now);
        let spec = &lock.lines[k];
        let rng = &mut self.streams.lock_cycles[l][k];
        if lock.join == LockJoin::UntilLevelling {
            let LockCycle::Parts { entry_h, .. } = &spec.cycle else {
                unreachable!("validation: joining until levelling needs the lockage in parts")
            };
            let entries_end = now
                + (0..vessels)
                    .map(|_| entry_h.sample(rng).max(0.0))
                    .sum::<f64>();
            let line = &mut self.locks[l].lines[k];
            line.aboard_since = arrived.iter().rev().map(|&(_, since)| since).collect();
            let levelling = self.schedule_levelling(l, k, entries_end);
            self.locks[l].lines[k].filling = Some(Filling {
                load,
                entries_end,
                levelling,
            });
            return;
        }
        let side = self.locks[l].lines[k].side;
        let hours = lockage_hours(&spec.cycle, side, vessels, rng);
        self.sched
            .schedule_in(hours, Event::LockageDone(Ix::new(l), Ix::new(k)));
        for (v, since) in arrived {
            self.risk_lock(v, l, since, now + hours - since);
        }
    }

    /// Schedules the start of line `k`'s levelling: the doors close once the last vessel is in, at
    /// `entries_end`.
    fn schedule_levelling(&mut self, l: usize, k: usize, entries_end: f64) -> EventKey {
        let LockCycle::Parts { doors_h, .. } = &self.m.locks[l].lines[k].cycle else {
            unreachable!("only lockages in parts take vessels until levelling")
        };
        let doors = doors_h.sample(&mut self.streams.lock_cycles[l][k]).max(0.0);
        self.sched.schedule_at(
            entries_end + doors,
            Event::LevellingStarts(Ix::new(l), Ix::new(k)),
        )
    }

    /// Under `join = until_levelling`, a vessel arriving on the side of a lockage still taking vessels
    /// joins it if it fits: it enters after those before it, and the doors close again after it. Returns
    /// whether it joined.
    fn join_filling_lockage(&mut self, l: usize, v: ConvoyId, side: u8) -> bool {
        let now = self.sched.now();
        let size = self.vessel_size(v);
        let lock = &self.m.locks[l];
        let Some(k) = (0..lock.lines.len()).find(|&k| {
            let line = &self.locks[l].lines[k];
            line.available
                && line.side == side
                && line
                    .filling
                    .as_ref()
                    .is_some_and(|f| f.load.clone().try_add(&lock.lines[k], size))
        }) else {
            return false;
        };
        let LockCycle::Parts { entry_h, .. } = &lock.lines[k].cycle else {
            unreachable!("a filling lockage is in parts")
        };
        let entry = entry_h.sample(&mut self.streams.lock_cycles[l][k]).max(0.0);
        let state = &mut self.locks[l];
        state.waits.record(0.0, 0.0);
        state.vessels += 1;
        state.tonnes += self.convoys.get(v).tonnes;
        let line = &mut state.lines[k];
        line.aboard.push(v);
        line.aboard_since.push(now);
        let filling = line.filling.as_mut().expect("found filling above");
        let fits = filling.load.try_add(&lock.lines[k], size);
        debug_assert!(fits, "the vessel was found to fit");
        filling.entries_end = filling.entries_end.max(now) + entry;
        let (entries_end, previous) = (filling.entries_end, filling.levelling);
        self.sched.cancel(previous);
        let levelling = self.schedule_levelling(l, k, entries_end);
        let filling = self.locks[l].lines[k]
            .filling
            .as_mut()
            .expect("still filling");
        filling.levelling = levelling;
        true
    }

    /// Levelling starts: the batch is closed, and the rest of the lockage (levelling in this direction, the
    /// doors opening, each vessel's exit) is drawn.
    pub(crate) fn on_levelling_starts(&mut self, l: usize, k: usize) {
        let now = self.sched.now();
        let line = &mut self.locks[l].lines[k];
        line.filling = None;
        let (side, vessels) = (line.side, line.aboard.len());
        let LockCycle::Parts {
            doors_h,
            levelling_h,
            exit_h,
            ..
        } = &self.m.locks[l].lines[k].cycle
        else {
            unreachable!("only lockages in parts take vessels until levelling")
        };
        let rng = &mut self.streams.lock_cycles[l][k];
        let mut hours =
            levelling_h[side as usize].sample(rng).max(0.0) + doors_h.sample(rng).max(0.0);
        for _ in 0..vessels {
            hours += exit_h.sample(rng).max(0.0);
        }
        self.sched
            .schedule_in(hours, Event::LockageDone(Ix::new(l), Ix::new(k)));
        let line = &self.locks[l].lines[k];
        let arrived: Vec<(ConvoyId, f64)> = line
            .aboard
            .iter()
            .copied()
            .zip(line.aboard_since.iter().copied())
            .collect();
        for (v, since) in arrived {
            self.risk_lock(v, l, since, now + hours - since);
        }
    }

    /// Whether idle line `k`, with nobody to take on its side, should turn round: vessels wait on the
    /// other side, or (turning round ahead) nobody waits and the next vessel on its way comes from there;
    /// and no idle line is already open to that side.
    fn should_turn_round(&self, l: usize, k: usize) -> bool {
        let state = &self.locks[l];
        if state.queue.is_empty() && !self.m.locks[l].turn_round_ahead {
            return false;
        }
        let other = 1 - state.lines[k].side;
        let waiting_other = state.queue.iter().any(|w| w.side == other);
        let coming_other = self.m.locks[l].turn_round_ahead
            && state.queue.is_empty()
            && state
                .approaching
                .iter()
                .min_by(|a, b| a.arrival_h.total_cmp(&b.arrival_h))
                .is_some_and(|a| a.side == other);
        let idle_there = state
            .lines
            .iter()
            .enumerate()
            .any(|(j, x)| j != k && x.available && !x.busy && x.side == other);
        (waiting_other || coming_other) && !idle_there
    }

    /// Turns line `k` round without vessels.
    fn turn_round_empty(&mut self, l: usize, k: usize) {
        let now = self.sched.now();
        let spec = &self.m.locks[l].lines[k];
        let state = &mut self.locks[l];
        let side = state.lines[k].side;
        state.lines[k].busy = true;
        state.empty_lockages += 1;
        state.set_busy(now);
        let hours = spec.empty_cycle_h[side as usize]
            .sample(&mut self.streams.lock_cycles[l][k])
            .max(0.0);
        self.sched
            .schedule_in(hours, Event::LockageDone(Ix::new(l), Ix::new(k)));
    }

    pub(crate) fn on_lockage_done(&mut self, l: usize, k: usize) {
        let now = self.sched.now();
        let state = &mut self.locks[l];
        let line = &mut state.lines[k];
        line.side = 1 - line.side;
        line.busy = false;
        line.aboard_since.clear();
        let aboard = std::mem::take(&mut line.aboard);
        state.set_busy(now);
        for v in aboard {
            self.set_convoy_stage(v, ConvoyStage::Travelling);
            self.convoy_move_on(v);
        }
        self.try_lockages(l);
    }

    /// A line goes out of service (finishing any lockage in progress) or comes back.
    pub(crate) fn set_line_available(&mut self, l: usize, k: usize, available: bool) {
        let now = self.sched.now();
        let state = &mut self.locks[l];
        state.lines[k].available = available;
        let available_count = state.lines.iter().filter(|x| x.available).count();
        state.set_busy(now);
        if available_count == 0 {
            state.closed.close(now);
            state.waits.split_causes();
        } else {
            state.closed.open(now);
        }
        if available {
            self.try_lockages(l);
        }
    }
}
