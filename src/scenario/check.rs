//! The checker that collects located problems, its common checks, and checks over the raw document.

use std::collections::BTreeSet;

use super::FieldPath;
use super::error::{Diagnostic, MAX_DIAGNOSTICS, with_suppressed};
use super::facilities::{DailyWindow, Disruptions, Shift};
use super::load::{Document, Node, NodeValue, Segment};
use super::types::Mode;
use crate::field_path;
use crate::scenario::DistField;

pub(super) struct Check<'a> {
    pub(super) doc: &'a Document,
    out: Vec<Diagnostic>,
    /// Problems found beyond [`MAX_DIAGNOSTICS`], counted but not located (locating costs a scan of the
    /// file, so ten thousand bad entries would take quadratic time to report).
    suppressed: usize,
}

impl<'a> Check<'a> {
    pub(super) fn new(doc: &'a Document) -> Self {
        Self {
            doc,
            out: Vec::new(),
            suppressed: 0,
        }
    }

    /// The problems found, the last saying how many more were not listed.
    pub(super) fn finish(self) -> Vec<Diagnostic> {
        with_suppressed(self.out, self.suppressed)
    }

    pub(super) fn error(&mut self, path: FieldPath, message: impl Into<String>) {
        if self.out.len() < MAX_DIAGNOSTICS {
            self.out.push(self.doc.diagnostic(&path, message));
        } else {
            self.suppressed += 1;
        }
    }

    pub(super) fn positive(&mut self, path: FieldPath, value: f64) {
        if !(value.is_finite() && value > 0.0) {
            self.error(path, format!("expected a number > 0, got {value}"));
        }
    }

    pub(super) fn non_negative(&mut self, path: FieldPath, value: f64) {
        if !(value.is_finite() && value >= 0.0) {
            self.error(path, format!("expected a number >= 0, got {value}"));
        }
    }

    pub(super) fn dist(&mut self, path: FieldPath, field: &DistField, positive_mean: bool) {
        match field.spec.compile() {
            Err(e) => self.error(path, format!("impossible distribution: {}", e.0)),
            Ok(sampler) => {
                if positive_mean && (sampler.mean().is_nan() || sampler.mean() <= 0.0) {
                    self.error(
                        path,
                        format!(
                            "expected a duration with a mean > 0, got mean {}",
                            sampler.mean()
                        ),
                    );
                }
            }
        }
    }

    pub(super) fn daily_window(&mut self, path: FieldPath, window: &Option<DailyWindow>) {
        if let Some(w) = window {
            for (key, hour) in [("open_h", w.open_h), ("close_h", w.close_h)] {
                if !(0.0..=24.0).contains(&hour) {
                    let mut p = path.clone();
                    p.push(Segment::Key(key.into()));
                    self.error(p, format!("expected an hour between 0 and 24, got {hour}"));
                }
            }
            if w.open_h == w.close_h {
                self.error(path, "open_h equals close_h: the facility would never open (omit the window for 24 h)");
            }
        }
    }

    /// Checks a site's shift schedule: hours of the day, periods that do not overlap, and counts no larger
    /// than the site's (`berth_counts`: the dock's berth groups; empty elsewhere).
    pub(super) fn shifts(
        &mut self,
        path: FieldPath,
        shifts: &[Shift],
        road: u32,
        rail: u32,
        berth_counts: &[u32],
    ) {
        let at = |i: usize, key: &str| {
            let mut p = path.clone();
            p.push(Segment::Index(i));
            if !key.is_empty() {
                p.push(Segment::Key(key.into()));
            }
            p
        };
        for (i, shift) in shifts.iter().enumerate() {
            for (key, hour) in [("from_h", shift.from_h), ("to_h", shift.to_h)] {
                if !(0.0..=24.0).contains(&hour) {
                    self.error(
                        at(i, key),
                        format!("expected an hour between 0 and 24, got {hour}"),
                    );
                }
            }
            if shift.from_h == shift.to_h {
                self.error(
                    at(i, "to_h"),
                    "to_h equals from_h: an empty period (a whole day is from_h = 0, to_h = 24)",
                );
            }
            for (key, count, most) in [("road", shift.road, road), ("rail", shift.rail, rail)] {
                if let Some(count) = count.filter(|&c| c > most) {
                    self.error(
                        at(i, key),
                        format!("{count} at work, but the site has {most}"),
                    );
                }
            }
            if let Some(berths) = &shift.berths {
                if berths.len() != berth_counts.len() {
                    self.error(
                        at(i, "berths"),
                        format!(
                            "expected one count per berth group ({}), got {}",
                            berth_counts.len(),
                            berths.len()
                        ),
                    );
                } else if let Some(g) = (0..berths.len()).find(|&g| berths[g] > berth_counts[g]) {
                    self.error(
                        at(i, "berths"),
                        format!(
                            "{} berths at work in group {}, but it has {}",
                            berths[g],
                            g + 1,
                            berth_counts[g]
                        ),
                    );
                }
            }
            if let Some(j) = (0..i).find(|&j| periods_overlap(&shifts[j], shift)) {
                self.error(
                    at(i, ""),
                    format!(
                        "overlaps period {} ({}-{} h): each hour of the day belongs to one period at most",
                        j + 1,
                        shifts[j].from_h,
                        shifts[j].to_h
                    ),
                );
            }
        }
    }

    pub(super) fn disruptions(&mut self, path: FieldPath, d: &Disruptions) {
        for (i, w) in d.windows.iter().enumerate() {
            let mut p = path.clone();
            p.extend([Segment::Key("windows".into()), Segment::Index(i)]);
            if !(1.0..367.0).contains(&w.start_day_of_year) {
                let mut q = p.clone();
                q.push(Segment::Key("start_day_of_year".into()));
                self.error(
                    q,
                    format!(
                        "expected a day of the year in 1..=366, got {}",
                        w.start_day_of_year
                    ),
                );
            }
            if !(w.days > 0.0 && w.days < 365.0) {
                p.push(Segment::Key("days".into()));
                self.error(
                    p,
                    format!(
                        "expected a closure length in days > 0 and < 365, got {}",
                        w.days
                    ),
                );
            }
        }
        if let Some(f) = &d.failures {
            let mut p = path.clone();
            p.push(Segment::Key("failures".into()));
            let mut up = p.clone();
            up.push(Segment::Key("time_between_h".into()));
            self.dist(up, &f.time_between_h, true);
            p.push(Segment::Key("duration_h".into()));
            self.dist(p, &f.duration_h, true);
        }
    }

    /// Records ids; reports the second and later occurrences of an id.
    pub(super) fn unique<'s>(
        &mut self,
        namespace: &mut BTreeSet<&'s str>,
        table: &str,
        ids: impl Iterator<Item = &'s str>,
    ) {
        for (i, id) in ids.enumerate() {
            if id.is_empty() {
                self.error(field_path![table, i, "id"], "id must not be empty");
            } else if !namespace.insert(id) {
                self.error(
                    field_path![table, i, "id"],
                    format!("duplicate id \"{id}\""),
                );
            }
        }
    }
}

/// Parses a chain such as `rail+water` into modes.
pub fn parse_chain(chain: &str) -> Result<Vec<Mode>, String> {
    chain
        .split('+')
        .map(|part| match part.trim() {
            "road" => Ok(Mode::Road),
            "rail" => Ok(Mode::Rail),
            "water" => Ok(Mode::Water),
            other => Err(format!("unknown mode \"{other}\" in chain \"{chain}\" (expected road, rail or water joined by +)")),
        })
        .collect()
}

/// Every `source = "assumption:<id>"` must name an `[[assumption]]`.
pub(super) fn check_sources(
    c: &mut Check,
    node: &Node,
    path: &mut FieldPath,
    assumptions: &BTreeSet<&str>,
) {
    match &node.value {
        NodeValue::Table(entries) => {
            for (key, child) in entries {
                path.push(Segment::Key(key.clone()));
                if key == "source"
                    && let NodeValue::Leaf(toml::Value::String(text)) = &child.value
                    && let Some(id) = text.strip_prefix("assumption:")
                    && !assumptions.contains(id.trim())
                {
                    c.error(
                        path.clone(),
                        format!(
                            "names assumption \"{}\", but no [[assumption]] has that id",
                            id.trim()
                        ),
                    );
                }
                check_sources(c, child, path, assumptions);
                path.pop();
            }
        }
        NodeValue::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                path.push(Segment::Index(i));
                check_sources(c, child, path, assumptions);
                path.pop();
            }
        }
        NodeValue::Leaf(_) => {}
    }
}

/// The hours of the day a shift period covers, as one or two intervals (a period past midnight splits).
fn period_intervals(shift: &Shift) -> Vec<(f64, f64)> {
    if shift.from_h < shift.to_h {
        vec![(shift.from_h, shift.to_h)]
    } else {
        vec![(shift.from_h, 24.0), (0.0, shift.to_h)]
    }
}

fn periods_overlap(a: &Shift, b: &Shift) -> bool {
    period_intervals(a).iter().any(|&(a0, a1)| {
        period_intervals(b)
            .iter()
            .any(|&(b0, b1)| a0 < b1 && b0 < a1)
    })
}
