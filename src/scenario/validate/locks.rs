//! Checks of the locks: their nodes, their lines' chambers and lockage cycles, and the operating rules
//! (joining, clustering, minimum batches) with what each needs.

use std::collections::BTreeSet;

use super::super::check::Check;
use super::super::facilities::{Lock, LockJoin, LockLine};
use super::super::types::{Mode, Scenario};
use crate::field_path;

/// Checks every lock: its upstream node, its lines, its hours and its operating rules.
pub(super) fn check_locks(c: &mut Check, s: &Scenario, nodes: &BTreeSet<&str>) {
    for (i, l) in s.lock.iter().enumerate() {
        if !nodes.contains(l.upstream.as_str()) {
            c.error(
                field_path!["lock", i, "upstream"],
                format!("unknown node \"{}\"", l.upstream),
            );
        }
        if l.line.is_empty() {
            c.error(
                field_path!["lock", i, "line"],
                "a lock needs at least one [[lock.line]]",
            );
        }
        let mut line_ids = BTreeSet::new();
        for (j, line) in l.line.iter().enumerate() {
            if !line_ids.insert(line.id.as_str()) {
                c.error(
                    field_path!["lock", i, "line", j, "id"],
                    format!("duplicate line id \"{}\"", line.id),
                );
            }
            check_lock_line(c, i, j, line);
        }
        c.daily_window(
            field_path!["lock", i, "operating_hours"],
            &l.operating_hours,
        );
        check_lock_rules(c, i, l);
    }
    check_vessel_sizes(c, s);
}

/// Checks the rules of lock `i`: a window of zero or more minutes, a window wherever a line waits for
/// more than one vessel, and lockages in parts wherever vessels join until levelling.
fn check_lock_rules(c: &mut Check, i: usize, l: &Lock) {
    let window_min = l.clustering_window_min.as_ref().map_or(0.0, |w| w.value);
    c.non_negative(field_path!["lock", i, "clustering_window_min"], window_min);
    for (j, line) in l.line.iter().enumerate() {
        let min_vessels = line.min_vessels.as_ref().map_or(1, |m| m.value);
        if min_vessels > 1 && window_min <= 0.0 {
            c.error(
                field_path!["lock", i, "line", j, "min_vessels"],
                "waiting for more than one vessel needs the lock's `clustering_window_min` > 0, the longest a \
                 lockage waits for them (without it a lone vessel would wait for ever)",
            );
        }
        if l.join == LockJoin::UntilLevelling && line.cycle_h.is_some() {
            c.error(
                field_path!["lock", i, "line", j, "cycle_h"],
                "`join = \"until_levelling\"` needs the lockage in parts (entry_h, doors_h, levelling_h, \
                 exit_h): a whole cycle has no moment when levelling starts",
            );
        }
    }
}

/// Checks line `j` of lock `i`: its chamber, its batch limits, and a lockage given either as one cycle or
/// as its parts.
fn check_lock_line(c: &mut Check, i: usize, j: usize, line: &LockLine) {
    check_chamber(c, i, j, line);
    if line.max_vessels.value == 0 {
        c.error(
            field_path!["lock", i, "line", j, "max_vessels"],
            "expected at least 1 vessel per lockage",
        );
    }
    if let Some(m) = &line.min_vessels
        && (m.value == 0 || m.value > line.max_vessels.value)
    {
        c.error(
            field_path!["lock", i, "line", j, "min_vessels"],
            format!(
                "expected 1 to max_vessels ({}) vessels, got {}",
                line.max_vessels.value, m.value
            ),
        );
    }
    check_cycle(c, i, j, line);
    if let Some(e) = &line.empty_cycle_h {
        // Zero is allowed: a chamber that turns round at once (levelling by direction only matters loaded).
        c.dist(field_path!["lock", i, "line", j, "empty_cycle_h"], e, false);
    }
    c.disruptions(
        field_path!["lock", i, "line", j, "disruptions"],
        &line.disruptions,
    );
}

/// A chamber is limited by tonnage, by length and width, or both; length and width come together.
fn check_chamber(c: &mut Check, i: usize, j: usize, line: &LockLine) {
    if let Some(t) = &line.chamber_capacity_t {
        c.positive(
            field_path!["lock", i, "line", j, "chamber_capacity_t"],
            t.value,
        );
    }
    match (&line.chamber_length_m, &line.chamber_width_m) {
        (Some(length), Some(width)) => {
            c.positive(
                field_path!["lock", i, "line", j, "chamber_length_m"],
                length.value,
            );
            c.positive(
                field_path!["lock", i, "line", j, "chamber_width_m"],
                width.value,
            );
        }
        (Some(_), None) | (None, Some(_)) => c.error(
            field_path!["lock", i, "line", j],
            "give both `chamber_length_m` and `chamber_width_m`, or neither",
        ),
        (None, None) if line.chamber_capacity_t.is_none() => c.error(
            field_path!["lock", i, "line", j],
            "a lock line needs `chamber_capacity_t`, or `chamber_length_m` and `chamber_width_m`",
        ),
        (None, None) => {}
    }
}

/// A lockage is one `cycle_h`, or its parts with one levelling time or one per direction.
fn check_cycle(c: &mut Check, i: usize, j: usize, line: &LockLine) {
    let parts = [
        ("doors_h", &line.doors_h),
        ("levelling_h", &line.levelling_h),
        ("levelling_up_h", &line.levelling_up_h),
        ("levelling_down_h", &line.levelling_down_h),
        ("entry_h", &line.entry_h),
        ("exit_h", &line.exit_h),
    ];
    if let Some(cycle) = &line.cycle_h {
        c.dist(field_path!["lock", i, "line", j, "cycle_h"], cycle, true);
        if let Some((name, _)) = parts.iter().find(|(_, p)| p.is_some()) {
            c.error(
                field_path!["lock", i, "line", j, *name],
                "give either `cycle_h` or the parts of a lockage (doors_h, levelling_h, entry_h, exit_h), not both",
            );
        }
        return;
    }
    match (
        &line.levelling_h,
        &line.levelling_up_h,
        &line.levelling_down_h,
    ) {
        (Some(_), None, None) | (None, Some(_), Some(_)) => {}
        (Some(_), _, _) => c.error(
            field_path!["lock", i, "line", j, "levelling_h"],
            "give `levelling_h`, or `levelling_up_h` and `levelling_down_h` (by direction), not both",
        ),
        (None, None, None) => c.error(
            field_path!["lock", i, "line", j],
            "a lock line needs `cycle_h`, or `levelling_h` (with doors_h, entry_h and exit_h)",
        ),
        (None, _, _) => c.error(
            field_path!["lock", i, "line", j],
            "levelling by direction needs both `levelling_up_h` and `levelling_down_h`",
        ),
    }
    for (name, part) in parts {
        if let Some(d) = part {
            c.dist(field_path!["lock", i, "line", j, name], d, false);
        }
    }
}

/// Vessel sizes: positive where given, given for every water carrier once a chamber packs by size, and no
/// vessel larger than every chamber of a lock (it would wait there for ever).
fn check_vessel_sizes(c: &mut Check, s: &Scenario) {
    let sized_lines: Vec<(&Lock, &LockLine, f64, f64)> = s
        .lock
        .iter()
        .flat_map(|l| l.line.iter().map(move |line| (l, line)))
        .filter_map(|(l, line)| {
            let length = line.chamber_length_m.as_ref()?.value;
            let width = line.chamber_width_m.as_ref()?.value;
            Some((l, line, length, width))
        })
        .collect();
    for (i, x) in s.carrier.iter().enumerate() {
        let sizes = [("length_m", &x.length_m), ("beam_m", &x.beam_m)];
        for (name, size) in sizes {
            if let Some(v) = size {
                c.positive(field_path!["carrier", i, name], v.value);
                if x.mode != Mode::Water {
                    c.error(
                        field_path!["carrier", i, name],
                        "only water carriers have a length and beam for locks",
                    );
                }
            }
        }
        if x.mode != Mode::Water || sized_lines.is_empty() {
            continue;
        }
        let (Some(length), Some(beam)) = (&x.length_m, &x.beam_m) else {
            let (l, line, ..) = sized_lines[0];
            c.error(
                field_path!["carrier", i],
                format!(
                    "lock \"{}\" line \"{}\" packs vessels by size: give this vessel's `length_m` and `beam_m`",
                    l.id, line.id
                ),
            );
            continue;
        };
        for l in &s.lock {
            let lines: Vec<_> = sized_lines.iter().filter(|x| x.0.id == l.id).collect();
            let all_sized = lines.len() == l.line.len();
            let fits_one = lines
                .iter()
                .any(|&&(_, _, cl, cw)| length.value <= cl && beam.value <= cw);
            if all_sized && !fits_one {
                c.error(
                    field_path!["carrier", i],
                    format!(
                        "a {} m x {} m vessel fits no chamber of lock \"{}\": it would wait there for ever",
                        length.value, beam.value, l.id
                    ),
                );
            }
        }
    }
}
