//! What a lock chamber holds during one lockage: the vessels' class tonnage and count against the line's
//! limits, and, for a chamber given by its length and width, the vessels packed in rows by length and beam.

use crate::model::LockLine;

/// A vessel as a chamber sees it: its class tonnage and, where the chamber packs by size, its length and
/// beam in metres.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct VesselSize {
    pub(crate) class_t: f64,
    pub(crate) length_beam_m: Option<(f64, f64)>,
}

/// A row of vessels side by side across the chamber: as long as its longest vessel.
#[derive(Clone, Copy, Debug)]
struct Row {
    length_m: f64,
    width_m: f64,
}

/// The load of one lockage so far.
#[derive(Clone, Debug, Default)]
pub(crate) struct ChamberLoad {
    class_t: f64,
    vessels: u32,
    rows: Vec<Row>,
}

/// Slack for sums of decimal sizes (three 40 m vessels do fill a 120 m chamber).
const SLACK: f64 = 1e-9;

impl ChamberLoad {
    /// Vessels aboard.
    pub(crate) fn vessels(&self) -> u32 {
        self.vessels
    }

    /// Takes `vessel` aboard if the line's count, tonnage and size limits allow; returns whether it did.
    ///
    /// Sizes are packed first fit, in the order vessels are offered (the order a lock master calls them
    /// in): into the first row with room across for its beam, whose length grows to the vessel's if the
    /// chamber has the length to spare, else into a new row behind the others. First fit is not an optimal
    /// packing; it is the rule a queue served in order follows.
    pub(crate) fn try_add(&mut self, line: &LockLine, vessel: VesselSize) -> bool {
        if self.vessels >= line.max_vessels
            || self.class_t + vessel.class_t > line.chamber_capacity_t + SLACK
        {
            return false;
        }
        if let Some((chamber_length_m, chamber_width_m)) = line.chamber_size_m {
            let Some((length_m, beam_m)) = vessel.length_beam_m else {
                return false;
            };
            if !self.pack(chamber_length_m, chamber_width_m, length_m, beam_m) {
                return false;
            }
        }
        self.class_t += vessel.class_t;
        self.vessels += 1;
        true
    }

    /// Places a `length_m` x `beam_m` vessel in the rows (see [`try_add`](Self::try_add)).
    fn pack(
        &mut self,
        chamber_length_m: f64,
        chamber_width_m: f64,
        length_m: f64,
        beam_m: f64,
    ) -> bool {
        let used_m: f64 = self.rows.iter().map(|r| r.length_m).sum();
        for row in &mut self.rows {
            let longer_by = (length_m - row.length_m).max(0.0);
            if row.width_m + beam_m <= chamber_width_m + SLACK
                && used_m + longer_by <= chamber_length_m + SLACK
            {
                row.width_m += beam_m;
                row.length_m += longer_by;
                return true;
            }
        }
        if used_m + length_m <= chamber_length_m + SLACK && beam_m <= chamber_width_m + SLACK {
            self.rows.push(Row {
                length_m,
                width_m: beam_m,
            });
            return true;
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::{ChamberLoad, VesselSize};
    use crate::des::Sampler;
    use crate::model::{Availability, LockCycle, LockLine};

    fn line(capacity_t: f64, size_m: Option<(f64, f64)>, max_vessels: u32) -> LockLine {
        LockLine {
            id: "line".into(),
            chamber_capacity_t: capacity_t,
            chamber_size_m: size_m,
            max_vessels,
            min_vessels: 1,
            cycle: LockCycle::Whole(Sampler::Constant(1.0)),
            empty_cycle_h: [Sampler::Constant(1.0), Sampler::Constant(1.0)],
            availability: Availability::default(),
        }
    }

    fn vessel(class_t: f64, length_m: f64, beam_m: f64) -> VesselSize {
        VesselSize {
            class_t,
            length_beam_m: Some((length_m, beam_m)),
        }
    }

    fn takes(line: &LockLine, vessels: &[VesselSize]) -> Vec<bool> {
        let mut load = ChamberLoad::default();
        vessels.iter().map(|&v| load.try_add(line, v)).collect()
    }

    #[test]
    fn tonnage_and_count_limit_a_chamber_without_sizes() {
        let by_tonnage = line(2000.0, None, 3);
        let v = VesselSize {
            class_t: 1000.0,
            length_beam_m: None,
        };
        assert_eq!(takes(&by_tonnage, &[v, v, v]), [true, true, false]);
        let by_count = line(10_000.0, None, 2);
        assert_eq!(takes(&by_count, &[v, v, v]), [true, true, false]);
    }

    #[test]
    fn vessels_pack_side_by_side_then_in_rows() {
        // 120 m x 23 m: two 11 m beams side by side, two rows of 60 m.
        let chamber = line(f64::INFINITY, Some((120.0, 23.0)), 10);
        let v = vessel(1000.0, 60.0, 11.0);
        assert_eq!(
            takes(&chamber, &[v, v, v, v, v]),
            [true, true, true, true, false]
        );
        // A narrow chamber takes them one behind the other only.
        let narrow = line(f64::INFINITY, Some((120.0, 12.0)), 10);
        assert_eq!(takes(&narrow, &[v, v, v]), [true, true, false]);
    }

    #[test]
    fn a_longer_vessel_lengthens_its_row_only_if_the_chamber_has_room() {
        let chamber = line(f64::INFINITY, Some((100.0, 20.0)), 10);
        let short = vessel(500.0, 40.0, 10.0);
        let long = vessel(1000.0, 70.0, 10.0);
        // Row 1 holds two short ones (40 m); the long one cannot join it (width) and a new 70 m row
        // would need 110 m: refused. A third short one gets its own 40 m row behind.
        assert_eq!(
            takes(&chamber, &[short, short, long, short]),
            [true, true, false, true]
        );
        // Beside a short one, a long one stretches the row to 70 m when nothing else is behind it.
        assert_eq!(takes(&chamber, &[short, long, short]), [true, true, false]);
    }

    #[test]
    fn a_vessel_without_a_size_does_not_enter_a_chamber_packed_by_size() {
        let chamber = line(f64::INFINITY, Some((100.0, 20.0)), 10);
        let unknown = VesselSize {
            class_t: 500.0,
            length_beam_m: None,
        };
        assert_eq!(takes(&chamber, &[unknown]), [false]);
    }
}
