//! Opening hours, yearly closures and random failures of sites, lock lines and links.
//!
//! Each thing that can close is a *target* with a count of active reasons to be down. The first reason
//! closes it (capacity 0, locks stop starting lockages, links hold vehicles); the last one to end reopens
//! it. Reasons overlap freely: a failure during a maintenance window keeps the target closed until both end.

use super::ids::Ix;
use super::{Event, Replication};
use crate::des::RngStream;
use crate::model::{Availability, HOURS_PER_YEAR, LinkId, LockId, SiteId};

/// Something that can be closed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Target {
    Site(SiteId),
    LockLine(LockId, usize),
    Link(LinkId),
}

/// Why a target is down.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Reason {
    /// Outside daily opening hours.
    Daily,
    /// A yearly window (index into the target's windows).
    Yearly(u16),
    /// A random failure.
    Failure,
    /// An accident (its end is scheduled when it happens).
    Accident,
}

pub(crate) struct TargetState {
    pub(crate) target: Target,
    /// Active reasons.
    pub(crate) down: u16,
    /// Active reasons other than opening hours (unplanned or seasonal: what mode choice avoids).
    pub(crate) disrupted: u16,
    pub(crate) failures: Option<RngStream>,
}

/// Next time after `now` at which the hour of day is `hour`.
fn next_hour(now: f64, hour: f64) -> f64 {
    let mut t = (now / 24.0).floor() * 24.0 + hour;
    if t <= now + 1e-9 {
        t += 24.0;
    }
    t
}

fn is_open_at(window: (f64, f64), time: f64) -> bool {
    let hour = crate::des::hour_of_day(time);
    let (open, close) = window;
    if open < close {
        hour >= open && hour < close
    } else {
        hour >= open || hour < close
    }
}

impl<'m> Replication<'m> {
    /// The calendar of `target`: borrowed from the model, not from the replication, so event handlers
    /// read it while they change the replication's state (no clone per event).
    pub(crate) fn availability_of(&self, target: Target) -> &'m Availability {
        let m = self.m;
        match target {
            Target::Site(s) => &m.sites[s].availability,
            Target::LockLine(l, k) => &m.locks[l].lines[k].availability,
            Target::Link(l) => &m.links[l].availability,
        }
    }

    /// The index of `target`, created (always open, no calendar) if it has none yet.
    pub(crate) fn target_index(&mut self, target: Target) -> usize {
        let existing = match target {
            Target::Site(s) => self.target_of_site[s],
            Target::LockLine(l, k) => self.target_of_line[l][k],
            Target::Link(l) => self.target_of_link[l],
        };
        if let Some(index) = existing {
            return index;
        }
        let index = self.targets.len();
        self.targets.push(TargetState {
            target,
            down: 0,
            disrupted: 0,
            failures: None,
        });
        match target {
            Target::Site(s) => self.target_of_site[s] = Some(index),
            Target::LockLine(l, k) => self.target_of_line[l][k] = Some(index),
            Target::Link(l) => self.target_of_link[l] = Some(index),
        }
        index
    }

    /// Creates targets and schedules their first calendar events.
    pub(crate) fn init_availability(&mut self) {
        let m = self.m;
        let mut targets = Vec::new();
        targets.extend((0..m.sites.len()).map(Target::Site));
        for (l, lock) in m.locks.iter().enumerate() {
            targets.extend((0..lock.lines.len()).map(|k| Target::LockLine(l, k)));
        }
        targets.extend((0..m.links.len()).map(Target::Link));
        for target in targets {
            if self.availability_of(target).always_open() {
                continue;
            }
            let index = self.targets.len();
            let name = match target {
                Target::Site(s) => format!("site/{}/availability", m.sites[s].id),
                Target::LockLine(l, k) => format!(
                    "lock/{}/{}/availability",
                    m.locks[l].id, m.locks[l].lines[k].id
                ),
                Target::Link(l) => format!("link/{}/availability", m.links[l].id),
            };
            let failures = self
                .availability_of(target)
                .failures
                .is_some()
                .then(|| self.seeder.stream(self.replication, &name));
            self.targets.push(TargetState {
                target,
                down: 0,
                disrupted: 0,
                failures,
            });
            match target {
                Target::Site(s) => self.target_of_site[s] = Some(index),
                Target::LockLine(l, k) => self.target_of_line[l][k] = Some(index),
                Target::Link(l) => self.target_of_link[l] = Some(index),
            }
            let a = self.availability_of(target).clone();
            if let Some(window) = a.daily_window {
                if is_open_at(window, 0.0) {
                    self.sched.schedule_at(
                        next_hour(0.0, window.1),
                        Event::Down(Ix::new(index), Reason::Daily),
                    );
                } else {
                    self.go_down(index, Reason::Daily);
                    self.sched.schedule_at(
                        next_hour(0.0, window.0),
                        Event::Up(Ix::new(index), Reason::Daily),
                    );
                }
            }
            for (w, &(start, length)) in a.yearly_windows.iter().enumerate() {
                let previous_end = start - HOURS_PER_YEAR + length;
                if previous_end > 0.0 {
                    // Last year's occurrence is still running at time 0; its end schedules this year's.
                    self.go_down(index, Reason::Yearly(w as u16));
                    self.sched.schedule_at(
                        previous_end,
                        Event::Up(Ix::new(index), Reason::Yearly(w as u16)),
                    );
                } else {
                    self.sched
                        .schedule_at(start, Event::Down(Ix::new(index), Reason::Yearly(w as u16)));
                }
            }
            if let Some((up, _)) = &a.failures {
                let rng = self.targets[index]
                    .failures
                    .as_mut()
                    .expect("created above");
                let t = up.sample(rng).max(0.0);
                self.sched
                    .schedule_at(t, Event::Down(Ix::new(index), Reason::Failure));
            }
        }
    }

    /// A reason to be down begins: closes the target on the first one and schedules the reason's end.
    pub(crate) fn on_down(&mut self, index: usize, reason: Reason) {
        let now = self.sched.now();
        let a = self.availability_of(self.targets[index].target);
        match reason {
            Reason::Daily => {
                let window = a.daily_window.expect("daily events only for windows");
                self.sched
                    .schedule_at(next_hour(now, window.0), Event::Up(Ix::new(index), reason));
            }
            Reason::Yearly(w) => {
                let length = a.yearly_windows[w as usize].1;
                self.sched
                    .schedule_in(length, Event::Up(Ix::new(index), reason));
            }
            Reason::Failure => {
                let (_, duration) = a
                    .failures
                    .as_ref()
                    .expect("failure events only with failures");
                let rng = self.targets[index]
                    .failures
                    .as_mut()
                    .expect("stream exists");
                let d = duration.sample(rng).max(0.0);
                self.sched.schedule_in(d, Event::Up(Ix::new(index), reason));
            }
            Reason::Accident => unreachable!("accident closures go down directly"),
        }
        self.go_down(index, reason);
    }

    /// A reason to be down ends: reopens the target when none is left and schedules the next occurrence.
    pub(crate) fn on_up(&mut self, index: usize, reason: Reason) {
        let now = self.sched.now();
        let a = self.availability_of(self.targets[index].target);
        match reason {
            Reason::Daily => {
                let window = a.daily_window.expect("daily events only for windows");
                self.sched.schedule_at(
                    next_hour(now, window.1),
                    Event::Down(Ix::new(index), reason),
                );
            }
            Reason::Yearly(w) => {
                let length = a.yearly_windows[w as usize].1;
                // Next year's start: the end just reached, minus the length, plus a year.
                self.sched.schedule_at(
                    now - length + HOURS_PER_YEAR,
                    Event::Down(Ix::new(index), reason),
                );
            }
            Reason::Failure => {
                let (up, _) = a
                    .failures
                    .as_ref()
                    .expect("failure events only with failures");
                let rng = self.targets[index]
                    .failures
                    .as_mut()
                    .expect("stream exists");
                let t = up.sample(rng).max(0.0);
                self.sched
                    .schedule_in(t, Event::Down(Ix::new(index), reason));
            }
            Reason::Accident => self.accident_closure_ends(index),
        }
        let state = &mut self.targets[index];
        state.down -= 1;
        if reason != Reason::Daily {
            state.disrupted -= 1;
        }
        if state.down == 0 {
            let target = state.target;
            self.open_target(target);
        }
    }

    pub(crate) fn go_down(&mut self, index: usize, reason: Reason) {
        let state = &mut self.targets[index];
        state.down += 1;
        if reason != Reason::Daily {
            state.disrupted += 1;
        }
        if state.down == 1 {
            let target = state.target;
            self.close_target(target);
        }
    }

    /// True while a target is closed by something other than its opening hours.
    pub(crate) fn is_disrupted(&self, target: Option<usize>) -> bool {
        target.is_some_and(|t| self.targets[t].disrupted > 0)
    }

    fn close_target(&mut self, target: Target) {
        let now = self.sched.now();
        match target {
            Target::Site(s) => self.set_site_capacity(s, false),
            Target::LockLine(l, k) => self.set_line_available(l, k, false),
            Target::Link(l) => self.links[l].closed.close(now),
        }
    }

    fn open_target(&mut self, target: Target) {
        let now = self.sched.now();
        match target {
            Target::Site(s) => self.set_site_capacity(s, true),
            Target::LockLine(l, k) => self.set_line_available(l, k, true),
            Target::Link(l) => {
                self.links[l].closed.open(now);
                self.release_link(l);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn daily_windows_and_next_hours() {
        assert!(is_open_at((6.0, 22.0), 30.0)); // 06:00 on day 2
        assert!(!is_open_at((6.0, 22.0), 23.0));
        assert!(is_open_at((22.0, 6.0), 2.0)); // night shift wraps
        assert_eq!(next_hour(5.0, 6.0), 6.0);
        assert_eq!(next_hour(6.0, 6.0), 30.0);
        assert_eq!(next_hour(23.0, 22.0), 46.0);
    }
}
