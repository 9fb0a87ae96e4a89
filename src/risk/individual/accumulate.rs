//! Summing footprints into risk: the map's cells, transects and single points.
//!
//! Every sum takes the footprints in their given order, so that folding replication after replication
//! gives the same figures for any thread count and any split into shards. Footprints of one lethality
//! class (equal units at one spot: the tankers of a lot repeat by the thousand in a saturated run) share
//! their lethalities, computed once; each still adds its own frequency, so the sums are unchanged to
//! the bit.

use rayon::prelude::*;

use super::{Footprint, Grid};

/// Individual risk per year at every cell centre (row-major, south row first). Rows are computed in
/// parallel, each summing the accidents in their given order, so the result does not depend on the
/// number of threads.
pub fn individual_risk_grid(
    footprints: &[Footprint],
    grid: &Grid,
    wind_rose_from: &[f64; 12],
) -> Vec<f64> {
    let mut out = vec![0.0; grid.nx * grid.ny];
    let classes = LethalityClasses::new(footprints);
    add_individual_risk(footprints, &classes, grid, wind_rose_from, &mut out);
    out
}

/// Adds the individual risk of `footprints` (grouped into `classes`) to the cells of `values`
/// (row-major, south row first), each cell summing the footprints in their given order.
pub fn add_individual_risk(
    footprints: &[Footprint],
    classes: &LethalityClasses,
    grid: &Grid,
    wind_rose_from: &[f64; 12],
    values: &mut [f64],
) {
    if footprints.is_empty() {
        return;
    }
    values
        .par_chunks_mut(grid.nx)
        .enumerate()
        .for_each(|(j, row)| {
            let y = grid.y0_m + (j as f64 + 0.5) * grid.cell_m;
            // This row's lethalities of each shared class, once computed.
            let mut row_of_class: Vec<Option<Vec<f64>>> = vec![None; classes.shared];
            for (f, class) in footprints.iter().zip(&classes.class_of) {
                if f.reach_m <= 0.0 || (y - f.centre.1).abs() > f.reach_m {
                    continue;
                }
                let i0 = ((f.centre.0 - f.reach_m - grid.x0_m) / grid.cell_m)
                    .floor()
                    .max(0.0) as usize;
                let i1 = (((f.centre.0 + f.reach_m - grid.x0_m) / grid.cell_m)
                    .ceil()
                    .max(0.0) as usize)
                    .min(grid.nx);
                let x = |i: usize| grid.x0_m + (i as f64 + 0.5) * grid.cell_m;
                add_footprint(
                    row.get_mut(i0..i1).unwrap_or_default(),
                    f.frequency_per_year,
                    class.map(|c| &mut row_of_class[c]),
                    |k| f.lethality_at(x(i0 + k), y, wind_rose_from),
                );
            }
        });
}

/// Adds the individual risk of `footprints` (grouped into `classes`) at `points` to `values`, each
/// point summing the footprints in their given order and counting a footprint only within its reach
/// (a transect, a protected object).
pub fn add_point_risk(
    footprints: &[Footprint],
    classes: &LethalityClasses,
    points: &[(f64, f64)],
    wind_rose_from: &[f64; 12],
    values: &mut [f64],
) {
    let Some(&middle) = points.get(points.len() / 2) else {
        return;
    };
    // A footprint farther from the middle than its reach and this radius reaches no point.
    let radius_m = points
        .iter()
        .map(|p| (p.0 - middle.0).hypot(p.1 - middle.1))
        .fold(0.0, f64::max);
    let mut of_class: Vec<Option<Vec<f64>>> = vec![None; classes.shared];
    for (f, class) in footprints.iter().zip(&classes.class_of) {
        if (f.centre.0 - middle.0).hypot(f.centre.1 - middle.1) > f.reach_m + radius_m {
            continue;
        }
        add_footprint(
            values,
            f.frequency_per_year,
            class.map(|c| &mut of_class[c]),
            |k| {
                let (x, y) = points[k];
                if (x - f.centre.0).hypot(y - f.centre.1) <= f.reach_m {
                    f.lethality_at(x, y, wind_rose_from)
                } else {
                    0.0
                }
            },
        );
    }
}

/// Adds one footprint of `frequency` to `values`: `frequency * p` where the lethality `p =
/// lethality(k)` at value `k` is positive. A footprint of a shared class reads the lethalities from
/// `shared`, computed there by the first footprint of its class that reaches these values.
fn add_footprint(
    values: &mut [f64],
    frequency: f64,
    shared: Option<&mut Option<Vec<f64>>>,
    lethality: impl Fn(usize) -> f64,
) {
    let add = |v: &mut f64, p: f64| {
        if p > 0.0 {
            *v += frequency * p;
        }
    };
    match shared {
        Some(slot) => {
            let p = slot.get_or_insert_with(|| (0..values.len()).map(&lethality).collect());
            values
                .iter_mut()
                .zip(p.iter())
                .for_each(|(v, &p)| add(v, p));
        }
        None => {
            for (k, v) in values.iter_mut().enumerate() {
                add(v, lethality(k));
            }
        }
    }
}

/// The footprints whose lethality is the same everywhere (every table, position and reach equal to the
/// bit; the frequency may differ), grouped.
#[derive(Clone, Debug, PartialEq)]
pub struct LethalityClasses {
    /// Each footprint's class among those shared by two or more footprints (`None`: one of a kind).
    pub class_of: Vec<Option<usize>>,
    /// The number of shared classes.
    pub shared: usize,
}

impl LethalityClasses {
    /// Groups `footprints`.
    pub fn new(footprints: &[Footprint]) -> Self {
        use std::hash::{Hash, Hasher};
        let mut by_hash: rustc_hash::FxHashMap<u64, Vec<usize>> = Default::default();
        let mut first_of = vec![0usize; footprints.len()];
        for (k, f) in footprints.iter().enumerate() {
            let mut hasher = rustc_hash::FxHasher::default();
            f.lethality_bits().for_each(|b| b.hash(&mut hasher));
            let firsts = by_hash.entry(hasher.finish()).or_default();
            first_of[k] = match firsts.iter().find(|&&q| footprints[q].same_lethality(f)) {
                Some(&q) => q,
                None => {
                    firsts.push(k);
                    k
                }
            };
        }
        let mut members = vec![0u32; footprints.len()];
        for &q in &first_of {
            members[q] += 1;
        }
        let mut class_of_first = vec![None; footprints.len()];
        let mut shared = 0;
        for (q, &n) in members.iter().enumerate() {
            if n > 1 {
                class_of_first[q] = Some(shared);
                shared += 1;
            }
        }
        Self {
            class_of: first_of.iter().map(|&q| class_of_first[q]).collect(),
            shared,
        }
    }
}

/// Individual risk per year at arbitrary points.
pub fn individual_risk_at(
    footprints: &[Footprint],
    points: &[(f64, f64)],
    wind_rose_from: &[f64; 12],
) -> Vec<f64> {
    points
        .par_iter()
        .map(|&(x, y)| {
            footprints
                .iter()
                .filter(|f| (x - f.centre.0).hypot(y - f.centre.1) <= f.reach_m)
                .map(|f| f.frequency_per_year * f.lethality_at(x, y, wind_rose_from))
                .sum()
        })
        .collect()
}
