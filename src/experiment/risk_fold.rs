//! The risk analysis folded replication by replication in bounded memory: every replication's accidents
//! are added, in replication order, to exact F-N accumulators (overall, per establishment, per 1 km
//! window of every route), the contributors, the individual-risk map and the transects, then dropped.
//! The same fold runs for a single run and for merged shards, so both give identical results; memory
//! is that of the map and the accumulators, whatever the number of replications.

use std::collections::BTreeMap;

use super::ReplicationStats;
use crate::model::{HOURS_PER_YEAR, Model, RiskModel};
use crate::risk::dispersion::Weather;
use crate::risk::fn_curve::FnAccumulator;
use crate::risk::individual::{
    Climate, CloudTableCache, Footprint, Grid, LethalityClasses, add_individual_risk,
    add_point_risk,
};
use crate::sim::{Accident, AccidentSource, FN_POINTS, facility_of};

/// Lowest contour of the map, per year: the pruning floor is a tenth of it.
pub const LOWEST_CONTOUR: f64 = 1e-8;
/// Window of the worst-km route F-N, and its step along the route, km.
pub const WINDOW_KM: f64 = 1.0;
const WINDOW_STEP_KM: f64 = 0.1;
/// Transects reach this far either side of a link, m, every `TRANSECT_STEP_M`.
const TRANSECT_HALF_M: f64 = 2000.0;
const TRANSECT_STEP_M: f64 = 20.0;

/// The 1 km windows of one link.
#[derive(Clone, Debug)]
pub struct LinkWindows {
    /// Link index.
    pub link: usize,
    /// Window starts, km from the link's first node.
    pub starts_km: Vec<f64>,
    /// One accumulator per window (per km-year).
    pub curves: Vec<FnAccumulator>,
    /// Largest importance-sampling weight seen on the link.
    pub max_weight: f64,
}

impl LinkWindows {
    /// Adds an event at `chainage_km` with `n` deaths and frequency `value` (per year) to every window
    /// that holds it, per km of window.
    pub fn add(&mut self, chainage_km: f64, n: f64, value: f64) {
        for (k, start) in self.starts_km.iter().enumerate() {
            if chainage_km >= *start && chainage_km <= start + WINDOW_KM {
                self.curves[k].add(n, value / WINDOW_KM);
            }
        }
    }

    /// Closes a replication in every window.
    pub fn end_replication(&mut self) {
        self.curves
            .iter_mut()
            .for_each(FnAccumulator::end_replication);
    }
}

/// A transect across one link through its midpoint.
#[derive(Clone, Debug)]
pub struct TransectAccumulator {
    /// Link index.
    pub link: usize,
    /// Signed distances from the link (positive to the left of travel), m.
    pub distances_m: Vec<f64>,
    points: Vec<(f64, f64)>,
    /// Individual risk per year at each point.
    pub values: Vec<f64>,
}

/// Everything accumulated so far.
#[derive(Clone, Debug)]
pub struct RiskFold {
    /// Years simulated per replication.
    pub years_per_replication: f64,
    /// Replications folded.
    pub replications: u64,
    /// F-N of all accidents, per year.
    pub all: FnAccumulator,
    /// Largest weight overall.
    pub max_weight: f64,
    /// F-N per establishment, per year, with its largest weight.
    pub establishments: BTreeMap<String, (FnAccumulator, f64)>,
    /// F-N per 1 km window of every link with hazmat traffic, per km-year.
    pub windows: Vec<LinkWindows>,
    /// PLL and frequency of N >= 10 by (category, facility, substance), summed weights per year.
    pub contributors: BTreeMap<(&'static str, String, String), (f64, f64)>,
    /// PLL per link, for the transect choice.
    pub link_pll: Vec<f64>,
    /// The map's cells.
    pub grid: Grid,
    /// Individual risk per year in each cell (summed over replications; divided at the end).
    pub map: Vec<f64>,
    /// Transects of every link.
    pub transects: Vec<TransectAccumulator>,
    /// Individual risk at each protected object.
    pub protected: Vec<f64>,
    /// Seconds spent on the map and transects.
    pub map_seconds: f64,
    /// Response times by area (with a simulated brigade).
    pub response: Option<super::response_times::ResponseFold>,
    climate: Climate,
    floor_scale: f64,
    tables: CloudTableCache,
}

/// The windows of a link of `km`: 1 km long every 100 m (one window over a shorter link).
pub fn windows_of(link: usize, km: f64) -> LinkWindows {
    let count = if km <= WINDOW_KM {
        1
    } else {
        ((km - WINDOW_KM) / WINDOW_STEP_KM).floor() as usize + 1
    };
    LinkWindows {
        link,
        starts_km: (0..count).map(|k| k as f64 * WINDOW_STEP_KM).collect(),
        curves: vec![FnAccumulator::with_probes(&FN_POINTS); count],
        max_weight: 0.0,
    }
}

/// The climate of the map: weather classes with their day and night shares, and the wind rose.
pub fn climate_of(r: &RiskModel) -> Climate {
    Climate {
        classes: r
            .weather
            .iter()
            .map(|w| {
                (
                    Weather {
                        stability: w.stability,
                        wind_m_s: w.wind_m_s,
                        terrain: r.terrain,
                    },
                    w.day_share,
                    w.night_share,
                )
            })
            .collect(),
        wind_rose_from: r.wind_rose_from,
        ambient_k: r.ambient_k,
    }
}

/// Cells the map would have with cells of `cell_m`, in floating point: a bad input's count overflows any
/// integer, and budgets are checked on it before [`map_grid`] allocates.
pub fn map_cells(r: &RiskModel, cell_m: f64) -> f64 {
    let [x0, x1, y0, y1] = r.bounds_km;
    ((x1 - x0) * 1000.0 / cell_m).ceil().max(1.0) * ((y1 - y0) * 1000.0 / cell_m).ceil().max(1.0)
}

/// The map's grid over the modelled area with cells of `cell_m`.
pub fn map_grid(r: &RiskModel, cell_m: f64) -> Grid {
    let [x0, x1, y0, y1] = r.bounds_km;
    Grid {
        x0_m: x0 * 1000.0,
        y0_m: y0 * 1000.0,
        cell_m,
        nx: (((x1 - x0) * 1000.0) / cell_m).ceil().max(1.0) as usize,
        ny: (((y1 - y0) * 1000.0) / cell_m).ceil().max(1.0) as usize,
    }
}

fn establishment_of(m: &Model, source: AccidentSource) -> Option<String> {
    match source {
        AccidentSource::Transport(_) | AccidentSource::Roadside(_) => None,
        other => Some(facility_of(m, other)),
    }
}

impl RiskFold {
    /// An empty fold for `m` (none without a risk model), the map in cells of `cell_m`.
    pub fn new(m: &Model, cell_m: Option<f64>) -> Option<Self> {
        let r = m.risk.as_ref()?;
        let grid = map_grid(r, cell_m.unwrap_or(r.grid.cell_m));
        let windows = m
            .links
            .iter()
            .enumerate()
            .filter(|(_, l)| l.in_area_km > 0.0)
            .map(|(i, l)| windows_of(i, l.in_area_km))
            .collect();
        let transects = m
            .links
            .iter()
            .enumerate()
            .filter(|(_, l)| l.in_area_km > 0.0)
            .map(|(i, _)| transect_of(r, i))
            .collect();
        Some(Self {
            years_per_replication: m.horizon_h / HOURS_PER_YEAR,
            replications: 0,
            all: FnAccumulator::with_probes(&FN_POINTS),
            max_weight: 0.0,
            establishments: BTreeMap::new(),
            windows,
            contributors: BTreeMap::new(),
            link_pll: vec![0.0; m.links.len()],
            map: vec![0.0; grid.nx * grid.ny],
            grid,
            transects,
            protected: vec![0.0; r.protected.len()],
            map_seconds: 0.0,
            response: r.response.as_ref().map(|_| Default::default()),
            climate: climate_of(r),
            floor_scale: r.planned_accidents_per_year.max(1e-12),
            tables: CloudTableCache::default(),
        })
    }

    /// Adds one replication's accidents (replications must come in order).
    pub fn fold(&mut self, m: &Model, accidents: &[Accident]) {
        let r = m
            .risk
            .as_ref()
            .expect("a fold only exists with a risk model");
        let years = self.years_per_replication;
        for a in accidents {
            let scale = a.weight / years;
            self.max_weight = self.max_weight.max(a.weight);
            for (n, p) in a.outcomes() {
                self.all.add(n, scale * p);
            }
            if let Some(e) = establishment_of(m, a.source) {
                let folded = self.replications;
                let entry = self.establishments.entry(e).or_insert_with(|| {
                    // The replications before this one had no event here.
                    let mut curve = FnAccumulator::with_probes(&FN_POINTS);
                    (0..folded).for_each(|_| curve.end_replication());
                    (curve, 0.0)
                });
                entry.1 = entry.1.max(a.weight);
                for (n, p) in a.outcomes() {
                    entry.0.add(n, scale * p);
                }
            }
            if let (AccidentSource::Transport(l), Some(c)) = (a.source, a.chainage_km) {
                self.add_to_windows(l, c, a, scale);
                self.link_pll[l] += scale * a.expected_deaths();
            }
            let key = (
                a.source.category(a.mode).name(),
                facility_of(m, a.source),
                r.substances[a.substance].id.clone(),
            );
            let g = self.contributors.entry(key).or_insert((0.0, 0.0));
            g.0 += scale * a.expected_deaths();
            g.1 += scale * a.probability_at_least(10.0);
        }
        if let (Some(fold), Some(response)) = (&mut self.response, &r.response) {
            fold.fold(m, response, accidents);
        }
        self.all.end_replication();
        for (curve, _) in self.establishments.values_mut() {
            curve.end_replication();
        }
        for w in &mut self.windows {
            w.end_replication();
        }
        self.replications += 1;
        let started = std::time::Instant::now();
        self.add_map(r, accidents);
        self.map_seconds += started.elapsed().as_secs_f64();
    }

    fn add_to_windows(&mut self, link: usize, chainage_km: f64, a: &Accident, scale: f64) {
        let Some(w) = self.windows.iter_mut().find(|w| w.link == link) else {
            return;
        };
        w.max_weight = w.max_weight.max(a.weight);
        for (n, p) in a.outcomes() {
            w.add(chainage_km, n, scale * p);
        }
    }

    fn add_map(&mut self, r: &RiskModel, accidents: &[Accident]) {
        use rayon::prelude::*;
        let total_years = self.years_per_replication;
        let climate = &self.climate;
        let floor_scale = self.floor_scale;
        let tables = &self.tables;
        let footprints: Vec<Footprint> = accidents
            .par_iter()
            .flat_map_iter(|a| {
                a.branches
                    .iter()
                    .filter(|b| !b.effects.is_empty())
                    .map(move |b| {
                        // Per replication-year; the map is divided by the replications at the end.
                        let frequency = a.weight * b.probability / total_years;
                        let mut f = Footprint::with_cache(
                            &b.effects,
                            frequency,
                            a.night,
                            climate,
                            r.terrain_at(a.x_m, a.y_m),
                            &r.vulnerability,
                            &r.air,
                            tables,
                        );
                        // All the skipped contributions together stay below a tenth of the lowest
                        // contour, if the accidents come at the planned frequency.
                        f.prune(
                            LOWEST_CONTOUR / 10.0 * frequency / floor_scale,
                            &climate.wind_rose_from,
                        );
                        f
                    })
            })
            .collect();
        let classes = LethalityClasses::new(&footprints);
        let rose = &climate.wind_rose_from;
        add_individual_risk(&footprints, &classes, &self.grid, rose, &mut self.map);
        self.transects.par_iter_mut().for_each(|t| {
            add_point_risk(&footprints, &classes, &t.points, rose, &mut t.values);
        });
        for (v, p) in self.protected.iter_mut().zip(&r.protected) {
            let at = [(p.x_m, p.y_m)];
            add_point_risk(&footprints, &classes, &at, rose, std::slice::from_mut(v));
        }
    }

    /// Per-replication statistics of the worst window's F-N at the standard N (per km-year).
    pub fn window_stats(&self, link: usize, window: usize) -> Vec<(f64, ReplicationStats)> {
        let w = self
            .windows
            .iter()
            .find(|w| w.link == link)
            .expect("a window of a known link");
        w.curves[window]
            .probe_moments()
            .into_iter()
            .map(|(n, sum, squares, min, max)| {
                (
                    n,
                    ReplicationStats::from_moments(self.replications, sum, squares, min, max),
                )
            })
            .collect()
    }
}

fn transect_of(r: &RiskModel, link: usize) -> TransectAccumulator {
    let path = &r.link_path_m[link];
    let mid = r.point_along(link, 0.5);
    // Direction of the path around its midpoint.
    let a = r.point_along(link, 0.49);
    let b = r.point_along(link, 0.51);
    let (dx, dy) = if (b.0 - a.0).hypot(b.1 - a.1) > 1e-9 {
        (b.0 - a.0, b.1 - a.1)
    } else {
        let (p, q) = (path[0], path[path.len() - 1]);
        (q.0 - p.0, q.1 - p.1)
    };
    let len = dx.hypot(dy).max(1e-9);
    let normal = (-dy / len, dx / len);
    let steps = (TRANSECT_HALF_M / TRANSECT_STEP_M) as i64;
    let distances_m: Vec<f64> = (-steps..=steps)
        .map(|k| k as f64 * TRANSECT_STEP_M)
        .collect();
    let points = distances_m
        .iter()
        .map(|d| (mid.0 + d * normal.0, mid.1 + d * normal.1))
        .collect();
    TransectAccumulator {
        link,
        values: vec![0.0; distances_m.len()],
        distances_m,
        points,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::risk::fn_curve::{Line, frequency_at, worst_ratio};

    /// A 3 km link, one replication-year: events at 0.2 km (20 deaths, 1e-4/yr), 0.9 km (50, 2e-5/yr)
    /// and 2.5 km (20, 1e-4/yr). The worst window holds the first two: F(N >= 20) = 1.2e-4 and
    /// F(N >= 50) = 2e-5 per km-year; the whole link would average them over 3 km.
    #[test]
    fn worst_km_window_by_hand() {
        let mut w = windows_of(0, 3.0);
        assert_eq!(w.starts_km.len(), 21);
        assert!((w.starts_km[20] - 2.0).abs() < 1e-12);
        w.add(0.2, 20.0, 1e-4);
        w.add(0.9, 50.0, 2e-5);
        w.add(2.5, 20.0, 1e-4);
        w.end_replication();
        let line = Line {
            c: 1e-2,
            alpha: 2.0,
            n_min: 10.0,
            n_max: f64::INFINITY,
        };
        let ratios: Vec<f64> = w
            .curves
            .iter()
            .map(|c| worst_ratio(&c.steps(), &line).ratio)
            .collect();
        let (best, ratio) = ratios
            .iter()
            .copied()
            .enumerate()
            .fold((0, 0.0), |b, (k, r)| if r > b.1 { (k, r) } else { b });
        // Windows starting at 0.0 and 0.1 and 0.2 hold both 0.2 and 0.9 km; the first one wins the tie.
        assert_eq!(best, 0);
        let steps = w.curves[best].steps();
        assert!((frequency_at(&steps, 20.0) - 1.2e-4).abs() < 1e-15);
        assert!((frequency_at(&steps, 50.0) - 2e-5).abs() < 1e-15);
        // Ratio to 1e-2/N^2 per km: max(1.2e-4 / 2.5e-5, 2e-5 / 4e-6) = 5.
        assert!((ratio - 5.0).abs() < 1e-9, "{ratio}");
        // A window from 1.5 km holds only the 2.5 km event.
        let later = w.curves[15].steps();
        assert!((frequency_at(&later, 20.0) - 1e-4).abs() < 1e-15);
        assert_eq!(frequency_at(&later, 50.0), 0.0);
        // A link shorter than a km has one window, still per km.
        let mut short = windows_of(1, 0.4);
        short.add(0.3, 12.0, 1e-5);
        short.end_replication();
        assert_eq!(short.starts_km, vec![0.0]);
        assert!((frequency_at(&short.curves[0].steps(), 12.0) - 1e-5).abs() < 1e-18);
    }
}
