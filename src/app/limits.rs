//! Budgets a command checks before it allocates or runs: cells of the risk map, starts per replication,
//! entities alive at once, variants of a sweep. Each has a default that the shipped scenarios stay far
//! below and a `--max-...` option for the user who means it.

use super::AppError;
use crate::experiment::risk_fold::map_cells;
use crate::field_path;
use crate::model::{HOURS_PER_YEAR, Model};
use crate::scenario::{LoadedScenario, ScenarioError, readable};

/// The budgets.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Limits {
    /// Cells of the individual-risk map (8 bytes each, in every replication fold).
    pub max_grid_cells: u64,
    /// Expected starts per replication: consignments, plant batches, timetabled trains, failures.
    pub max_starts: f64,
    /// Consignments and convoys alive at once in one replication (the saturation guard).
    pub max_in_system: usize,
    /// Variants of one sweep (each holds its compiled model in memory).
    pub max_variants: u64,
    /// Accidents sampled per replication (each a consequence assessment, about 100 times a consignment).
    pub max_accidents: f64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            // The plan's map at 100 m holds about 3 M cells.
            max_grid_cells: 20_000_000,
            // The plan starts about 79,000; this is 250 times that (minutes of computing per replication).
            max_starts: 20_000_000.0,
            max_in_system: crate::sim::DEFAULT_MAX_IN_SYSTEM,
            max_variants: 1000,
            // The plan samples about 260 a replication; this is 400 times that (tens of seconds).
            max_accidents: 100_000.0,
        }
    }
}

impl Limits {
    /// Checks `model` against the budgets, the risk map in cells of `ir_cell_m` (default: the
    /// scenario's). Errors name the scenario field to change, or the option.
    pub fn check_model(
        &self,
        loaded: &LoadedScenario,
        model: &Model,
        ir_cell_m: Option<f64>,
    ) -> Result<(), AppError> {
        if let Some(risk) = &model.risk {
            let cell_m = ir_cell_m.unwrap_or(risk.grid.cell_m);
            let [x0, x1, y0, y1] = risk.bounds_km;
            let cells = map_cells(risk, cell_m);
            // NaN cells (a NaN cell size) fail too.
            if cells.is_nan() || cells > self.max_grid_cells as f64 {
                let message = format!(
                    "the individual-risk map would have {} cells of {} m over {:.0} x {:.0} km (about {} GB); \
                     the limit is {} cells: choose larger cells or a smaller margin_km, or raise the limit \
                     with --max-grid-cells",
                    readable(cells),
                    readable(cell_m),
                    x1 - x0,
                    y1 - y0,
                    readable((cells * 8.0 / 1e9 * 10.0).round() / 10.0),
                    self.max_grid_cells
                );
                return Err(match ir_cell_m {
                    Some(_) => {
                        AppError::Usage(format!("--ir-cell-m {}: {message}", readable(cell_m)))
                    }
                    None => AppError::Scenario(ScenarioError::single(
                        loaded.diagnostic(&field_path!["risk", "grid", "cell_m"], message),
                    )),
                });
            }
        }
        if let Some(risk) = &model.risk {
            let accidents = risk.sampled_accidents_per_year * model.run_h() / HOURS_PER_YEAR;
            if accidents.is_nan() || accidents > self.max_accidents {
                return Err(AppError::Scenario(ScenarioError::single(loaded.diagnostic(
                    &field_path!["risk", "sampling", "events_per_source_year"],
                    format!(
                        "one replication would sample about {} accidents, more than the limit of {}: \
                         lower events_per_source_year, or raise the limit with --max-accidents",
                        readable(accidents.round()),
                        readable(self.max_accidents)
                    ),
                ))));
            }
        }
        let starts = model.expected_starts();
        let total: f64 = starts.iter().map(|s| s.per_replication).sum();
        if total.is_nan() || total > self.max_starts {
            let largest: Vec<String> = starts
                .iter()
                .take(3)
                .map(|s| format!("{} {:.3e}", s.source, s.per_replication))
                .collect();
            return Err(AppError::Usage(format!(
                "{}: one replication would start about {total:.3e} consignments, batches, trains and \
                 failures, more than the limit of {:.0e} (largest: {}); check the tonnages, payloads and \
                 intervals, or raise the limit with --max-starts",
                model.name,
                self.max_starts,
                largest.join(", ")
            )));
        }
        Ok(())
    }

    /// Checks the size of a sweep before its variants are built.
    pub fn check_variants(&self, counts: &[usize]) -> Result<(), AppError> {
        let total = counts
            .iter()
            .try_fold(1u64, |acc, &n| acc.checked_mul(n as u64));
        match total {
            Some(n) if n <= self.max_variants => Ok(()),
            _ => Err(AppError::Usage(format!(
                "the sweep has {} variants ({}), more than the limit of {}; each holds its compiled model \
                 in memory. Sweep fewer values, or raise the limit with --max-variants",
                total.map_or("more than 1.8e19".to_string(), |n| n.to_string()),
                counts
                    .iter()
                    .map(|n| n.to_string())
                    .collect::<Vec<_>>()
                    .join(" x "),
                self.max_variants
            ))),
        }
    }
}
