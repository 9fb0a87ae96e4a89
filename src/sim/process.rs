//! Park processes that couple tanks: each batch takes its inputs from their tanks, runs for the batch's
//! time at the process's rate, and puts its product in the product tank. A process starved of an input,
//! or held by a full product tank, stands still, and restarts only once every short input tank has
//! refilled to its restart mark, or the product tank has drained to its mark (hysteresis: a process on a
//! thin supply does not stop and start with every truck). Downtime, stops and output are reported.

use super::ids::Ix;
use super::state::Requester;
use super::{Event, Replication};
use crate::des::{LevelMark, Side, Transfer};

/// Where a process is in its cycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Phase {
    /// Taking its inputs, from input `k` on (the earlier ones are in hand), or waiting for input `k`.
    Taking(usize),
    /// Running a batch.
    Running,
    /// Waiting for room for its batch in the product tank.
    Putting,
    /// Waiting for the product tank to drain to the restart mark.
    Draining,
}

/// A process's state and statistics in a replication.
pub(crate) struct ProcessState {
    pub(crate) phase: Phase,
    /// Since when it has stood still, if it does.
    pub(crate) down_since: Option<f64>,
    pub(crate) downtime_hours: f64,
    pub(crate) stops: u64,
    pub(crate) produced_t: f64,
}

impl ProcessState {
    pub(crate) fn new() -> Self {
        Self {
            phase: Phase::Taking(0),
            down_since: None,
            downtime_hours: 0.0,
            stops: 0,
            produced_t: 0.0,
        }
    }

    /// Downtime up to `now`, including a stop still running.
    pub(crate) fn downtime_until(&self, now: f64) -> f64 {
        self.downtime_hours + self.down_since.map_or(0.0, |since| now - since)
    }

    /// Restarts the statistics at `now` (end of warm-up); a stop in progress counts from now.
    pub(crate) fn reset(&mut self, now: f64) {
        self.downtime_hours = 0.0;
        self.stops = 0;
        self.produced_t = 0.0;
        if self.down_since.is_some() {
            self.down_since = Some(now);
        }
    }
}

impl Replication<'_> {
    /// Marks process `i` as standing still from now (once per stop).
    fn process_stops(&mut self, i: usize) {
        let state = &mut self.processes[i];
        if state.down_since.is_none() {
            state.down_since = Some(self.sched.now());
            state.stops += 1;
        }
    }

    /// Takes process `i`'s inputs from input `k` on; starts the batch once all are in hand. A short input
    /// stops it until that tank reaches its restart mark.
    pub(crate) fn process_take_inputs(&mut self, i: usize, mut k: usize) {
        let now = self.sched.now();
        let p = &self.m.processes[i];
        while k < p.inputs.len() {
            let (tank, per_t) = p.inputs[k];
            let need_t = p.batch_t * per_t;
            self.processes[i].phase = Phase::Taking(k);
            if !self.tanks[tank].can_get(need_t) {
                self.process_stops(i);
                let mark = LevelMark::AtLeast(p.restart_input_level_t(k, &self.m.tanks));
                if self.tanks[tank].watch(now, Requester::Process(i), mark) == Transfer::Waiting {
                    return;
                }
                // The mark is reached but others queue ahead for the stock: queue behind them.
            }
            let mut woken = std::mem::take(&mut self.woken);
            let got = self.tanks[tank].get(now, Requester::Process(i), need_t, &mut woken);
            match got {
                Transfer::Done => self.tally.consumed(tank, need_t),
                Transfer::Waiting => self.process_stops(i),
                Transfer::Impossible => unreachable!("batches are clamped to the input tanks"),
            }
            self.handle_woken(&mut woken);
            self.woken = woken;
            if got == Transfer::Waiting {
                return;
            }
            k += 1;
        }
        let state = &mut self.processes[i];
        if let Some(since) = state.down_since.take() {
            state.downtime_hours += now - since;
        }
        state.phase = Phase::Running;
        self.sched.schedule_in(
            p.batch_t / p.rate_t_per_h,
            Event::ProcessBatchDone(Ix::new(i)),
        );
    }

    /// Process `i`'s batch is made: into the product tank (or held until it fits), then the next batch.
    pub(crate) fn on_process_batch_done(&mut self, i: usize) {
        let now = self.sched.now();
        let p = &self.m.processes[i];
        let Some(tank) = p.output else {
            self.processes[i].produced_t += p.batch_t;
            self.process_take_inputs(i, 0);
            return;
        };
        self.processes[i].phase = Phase::Putting;
        let mut woken = std::mem::take(&mut self.woken);
        let put = self.tanks[tank].put(now, Requester::Process(i), p.batch_t, &mut woken);
        self.handle_woken(&mut woken);
        self.woken = woken;
        match put {
            Transfer::Done => self.process_put_done(i, false),
            Transfer::Waiting => self.process_stops(i),
            Transfer::Impossible => unreachable!("batches are clamped to the product tank"),
        }
    }

    /// The batch is in the product tank. After a stop for room, wait for the tank to drain to the mark.
    fn process_put_done(&mut self, i: usize, waited: bool) {
        let now = self.sched.now();
        let p = &self.m.processes[i];
        let tank = p.output.expect("only processes with a product put");
        self.tally.produced(tank, p.batch_t);
        self.processes[i].produced_t += p.batch_t;
        if waited {
            self.processes[i].phase = Phase::Draining;
            let mark = LevelMark::AtMost(p.restart_output_level_t(&self.m.tanks));
            if self.tanks[tank].watch(now, Requester::Process(i), mark) == Transfer::Waiting {
                return;
            }
        }
        self.process_take_inputs(i, 0);
    }

    /// A tank request or level watch of process `i` completed.
    pub(crate) fn process_woken(&mut self, i: usize, side: Side) {
        match (self.processes[i].phase, side) {
            (Phase::Taking(k), Side::Level) => self.process_take_inputs(i, k),
            (Phase::Taking(k), Side::Get) => {
                let p = &self.m.processes[i];
                let (tank, per_t) = p.inputs[k];
                self.tally.consumed(tank, p.batch_t * per_t);
                self.process_take_inputs(i, k + 1);
            }
            (Phase::Putting, Side::Put) => self.process_put_done(i, true),
            (Phase::Draining, Side::Level) => self.process_take_inputs(i, 0),
            (phase, side) => unreachable!("process woken in phase {phase:?} for {side:?}"),
        }
    }
}
