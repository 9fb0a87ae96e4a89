//! What a replication of the model will start, estimated before it runs: consignments, plant batches,
//! trains on the timetable and failures. Commands compare the total with a budget, so a scenario that
//! would start billions of entities (a 1 t barge on a 1e9 t/yr flow, a train every 1e-6 h) is refused
//! with the reason, instead of running for hours or until memory runs out.

use super::{Availability, HOURS_PER_YEAR, Model};

/// One source of starts and its expected count per replication (warm-up included).
#[derive(Clone, Debug, PartialEq)]
pub struct Starts {
    /// What starts: `flow caustic-inland (consignments)`, say.
    pub source: String,
    /// Expected starts per replication.
    pub per_replication: f64,
}

impl Model {
    /// Expected starts per replication, largest first.
    pub fn expected_starts(&self) -> Vec<Starts> {
        let run_h = self.run_h();
        let mut out = Vec::new();
        let mut push = |source: String, per_replication: f64| {
            if per_replication > 0.0 {
                out.push(Starts {
                    source,
                    per_replication,
                });
            }
        };
        for f in &self.flows {
            let per_year = f.t_per_year / f.consignment_t.max(f64::MIN_POSITIVE);
            push(
                format!("flow {} (consignments)", f.id),
                per_year * run_h / HOURS_PER_YEAR,
            );
        }
        for (kind, plants) in [("producer", &self.producers), ("consumer", &self.consumers)] {
            for p in plants {
                if p.batch_t > 0.0 {
                    let tank = &self.tanks[p.tank];
                    let name = format!(
                        "{}/{}",
                        self.sites[tank.site].id, self.commodities[tank.commodity].id
                    );
                    push(
                        format!("{kind} at tank {name} (batches)"),
                        p.rate_t_per_h * run_h / p.batch_t,
                    );
                }
            }
        }
        if let Some(every) = self.rules.rail_timetable_every_h {
            push("the rail timetable (departures)".into(), run_h / every);
        }
        let mut failures = |name: String, a: &Availability| {
            if let Some((between, _)) = &a.failures {
                push(format!("{name} (failures)"), run_h / between.mean());
            }
        };
        for s in &self.sites {
            failures(format!("site {}", s.id), &s.availability);
        }
        for l in &self.locks {
            for line in &l.lines {
                failures(
                    format!("lock {} line {}", l.id, line.id),
                    &line.availability,
                );
            }
        }
        for l in &self.links {
            failures(format!("link {}", l.id), &l.availability);
        }
        out.sort_by(|a, b| b.per_replication.total_cmp(&a.per_replication));
        out
    }
}
