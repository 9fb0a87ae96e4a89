//! Ship locks: chambers (lines) that alternate direction, fill with waiting vessels in priority and
//! arrival order up to their tonnage and vessel limits, and turn round empty when vessels wait only on the
//! other side.

use super::ids::Ix;
use super::state::{ConvoyId, ConvoyStage};
use super::{Event, Replication};
use crate::des::{ClosedClock, RngStream, TimeWeighted, WaitTallies};
use crate::model::{Lock, LockCycle, NodeId};

/// Side of the lock a vessel waits on, or a chamber is open to.
const UPSTREAM: u8 = 0;

struct Line {
    side: u8,
    busy: bool,
    available: bool,
    aboard: Vec<ConvoyId>,
}

struct Waiter {
    convoy: ConvoyId,
    side: u8,
    priority: i32,
    sequence: u64,
    since: f64,
    closed_at_arrival: f64,
}

/// A lock's dynamic state and statistics.
pub(crate) struct LockState {
    lines: Vec<Line>,
    queue: Vec<Waiter>,
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
                })
                .collect(),
            queue: Vec::new(),
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

/// Duration of one lockage with `vessels` vessels: the whole-cycle distribution, or two door operations,
/// levelling, and an entry and an exit per vessel, each drawn from its own distribution.
fn lockage_hours(cycle: &LockCycle, vessels: usize, rng: &mut RngStream) -> f64 {
    let hours = match cycle {
        LockCycle::Whole(s) => s.sample(rng),
        LockCycle::Parts {
            doors_h,
            levelling_h,
            entry_h,
            exit_h,
        } => {
            let mut h = doors_h.sample(rng) + levelling_h.sample(rng) + doors_h.sample(rng);
            for _ in 0..vessels {
                h += entry_h.sample(rng) + exit_h.sample(rng);
            }
            h
        }
    };
    hours.max(0.0)
}

impl Replication<'_> {
    /// A vessel reaches the lock from the neighbouring node `came_from`.
    pub(crate) fn lock_arrival(&mut self, l: usize, v: ConvoyId, came_from: NodeId) {
        let now = self.sched.now();
        let lock = &self.m.locks[l];
        let side = if came_from == lock.upstream {
            UPSTREAM
        } else {
            1 - UPSTREAM
        };
        let priority = if lock.priority {
            self.convoys.get(v).priority
        } else {
            0
        };
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

    /// Starts a lockage on every idle, available line that has vessels on its side, and turns a line round
    /// empty when vessels wait only on the other side and no idle line there will take them.
    fn try_lockages(&mut self, l: usize) {
        let now = self.sched.now();
        let lock = &self.m.locks[l];
        for k in 0..lock.lines.len() {
            let state = &mut self.locks[l];
            let line = &state.lines[k];
            if !line.available || line.busy || state.queue.is_empty() {
                continue;
            }
            let side = line.side;
            let spec = &lock.lines[k];
            // Candidates on this side in priority, then arrival, order; fill up to both limits.
            let mut order: Vec<usize> = (0..state.queue.len())
                .filter(|&i| state.queue[i].side == side)
                .collect();
            order.sort_by_key(|&i| (state.queue[i].priority, state.queue[i].sequence));
            let mut chosen = Vec::new();
            let mut class_sum = 0.0;
            for i in order {
                if chosen.len() as u32 >= spec.max_vessels {
                    break;
                }
                let class = self.convoys.get(state.queue[i].convoy).class_t;
                if class_sum + class <= spec.chamber_capacity_t + 1e-9 {
                    class_sum += class;
                    chosen.push(i);
                }
            }
            if !chosen.is_empty() {
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
                    let convoy = self.convoys.get(v);
                    state.tonnes += convoy.tonnes;
                }
                let vessels = aboard.len();
                state.lines[k].busy = true;
                state.lines[k].aboard = aboard;
                state.set_busy(now);
                let hours =
                    lockage_hours(&spec.cycle, vessels, &mut self.streams.lock_cycles[l][k]);
                self.sched
                    .schedule_in(hours, Event::LockageDone(Ix::new(l), Ix::new(k)));
                for (v, since) in arrived {
                    self.risk_lock(v, l, since, now + hours - since);
                }
            } else {
                let other = 1 - side;
                let waiting_other = state.queue.iter().any(|w| w.side == other);
                let idle_there = state
                    .lines
                    .iter()
                    .enumerate()
                    .any(|(j, x)| j != k && x.available && !x.busy && x.side == other);
                if waiting_other && !idle_there {
                    state.lines[k].busy = true;
                    state.empty_lockages += 1;
                    state.set_busy(now);
                    let hours = spec
                        .empty_cycle_h
                        .sample(&mut self.streams.lock_cycles[l][k])
                        .max(0.0);
                    self.sched
                        .schedule_in(hours, Event::LockageDone(Ix::new(l), Ix::new(k)));
                }
            }
        }
    }

    pub(crate) fn on_lockage_done(&mut self, l: usize, k: usize) {
        let now = self.sched.now();
        let state = &mut self.locks[l];
        let line = &mut state.lines[k];
        line.side = 1 - line.side;
        line.busy = false;
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
