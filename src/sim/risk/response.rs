//! The fire brigade's dispatch to an accident: the nearest free engines, over the road network as it is
//! at that moment (closed links cannot be driven), until the first assignment is complete.
//!
//! Travel times come from a shortest-path search from the accident outwards over the reversed road
//! graph, so one search serves every station. An accident on a road link is reached from either end
//! (the far end only if the link is two-way); any other accident is reached from every road node over
//! a straight stretch times the access circuity, at the access speed, and the search keeps the best.
//!
//! Engines are busy from the dispatch until they are back: turn-out, travel there and back, and the
//! time on scene. Only real accidents hold engines: a sampled accident holds them with probability
//! equal to its importance weight (capped at 1), so the inflated sampling of rare accidents does not
//! inflate the brigade's workload. Accidents are followed in the order their exposures are sampled,
//! not always in time order, so each engine keeps the intervals it is busy rather than one end time.
//!
//! Every draw comes from the accident's own seed, and each station's turn-out from a generator of its
//! own seeded by that and the station's id: removing a station leaves the others' draws unchanged
//! (common random numbers across station layouts).

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use rand::{RngExt, SeedableRng};

use super::super::Replication;
use super::{AccidentSource, Initiating};
use crate::des::RngStream;
use crate::model::ResponseModel;

/// Salt of the seed the response's own draws are made from (apart from the cascade's).
const RESPONSE_SALT: u64 = 0x5851_F42D_4C95_7F2D;

/// Busy intervals kept per engine beyond which the oldest are dropped: a real accident every few days
/// at most, so this is months of history.
const MAX_BUSY_INTERVALS: usize = 64;

/// Engines' busy intervals: `busy[station][engine]`, hours.
#[derive(Default)]
pub(crate) struct EngineBook {
    busy: Vec<Vec<Vec<(f64, f64)>>>,
}

impl EngineBook {
    fn is_free(&self, station: usize, engine: usize, at_h: f64) -> bool {
        self.busy
            .get(station)
            .and_then(|s| s.get(engine))
            .is_none_or(|intervals| intervals.iter().all(|&(a, b)| at_h < a || at_h >= b))
    }

    fn hold(&mut self, station: usize, engine: usize, from_h: f64, to_h: f64) {
        if self.busy.len() <= station {
            self.busy.resize(station + 1, Vec::new());
        }
        let s = &mut self.busy[station];
        if s.len() <= engine {
            s.resize(engine + 1, Vec::new());
        }
        let intervals = &mut s[engine];
        if intervals.len() >= MAX_BUSY_INTERVALS {
            intervals.remove(0);
        }
        intervals.push((from_h, to_h));
    }
}

/// What was sent to one accident.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Dispatch {
    /// Hours from the release until the first assignment was on scene (`None`: no engine could come).
    pub on_scene_h: Option<f64>,
    /// Engines sent.
    pub engines: u32,
    /// Hours from the release until the first engine was on scene.
    pub first_engine_h: Option<f64>,
}

/// A candidate engine: when it would be on scene, its station, its index, its one-way travel.
struct Candidate {
    arrival_h: f64,
    station: usize,
    engine: usize,
    turnout_h: f64,
    travel_h: f64,
}

impl Replication<'_> {
    /// Hours from every node to the accident by road, in the network's state now.
    fn hours_to_accident(&self, response: &ResponseModel, init: &Initiating) -> Vec<f64> {
        let m = self.m;
        let r = m.risk.as_ref().expect("risk model");
        let mut hours = vec![f64::INFINITY; m.nodes.len()];
        let mut heap = BinaryHeap::new();
        let mut seed = |node: usize, h: f64| {
            if h < hours[node] {
                hours[node] = h;
                heap.push(Reverse((OrderedHours(h), node)));
            }
        };
        match (init.source, init.chainage_km) {
            (AccidentSource::Transport(l), Some(km)) if response.link_hours[l].is_some() => {
                let link = &m.links[l];
                let full_h = response.link_hours[l].expect("a road link");
                let along = (km / link.length_km.max(1e-9)).clamp(0.0, 1.0);
                seed(link.from, along * full_h);
                if link.bidirectional {
                    seed(link.to, (1.0 - along) * full_h);
                }
            }
            _ => {
                let (x, y) = (init.unit.x_m, init.unit.y_m);
                for (node, &(nx, ny)) in r.node_xy_m.iter().enumerate() {
                    if response.on_road[node] {
                        let km = (nx - x).hypot(ny - y) / 1000.0 * response.access_circuity;
                        seed(node, km / response.access_speed_km_per_h);
                    }
                }
            }
        }
        while let Some(Reverse((OrderedHours(h), node))) = heap.pop() {
            if h > hours[node] {
                continue;
            }
            for &(l, from) in &response.road_in[node] {
                if self.is_disrupted(self.target_of_link[l]) {
                    continue;
                }
                let next = h + response.link_hours[l].expect("road links only");
                if next < hours[from] {
                    hours[from] = next;
                    heap.push(Reverse((OrderedHours(next), from)));
                }
            }
        }
        hours
    }

    /// Sends the nearest free engines of `response` to the accident `init`, seeded by `seed`; holds
    /// them if the accident is a real one.
    pub(super) fn dispatch_brigade(
        &mut self,
        response: &ResponseModel,
        init: &Initiating,
        seed: u64,
        night: bool,
    ) -> Dispatch {
        let hours = self.hours_to_accident(response, init);
        let dispatch_h = init.time_h + response.alarm_h;
        let mut candidates = Vec::new();
        for (s, station) in response.stations.iter().enumerate() {
            let travel_h = station.access_h + hours[station.node];
            if !travel_h.is_finite() {
                continue;
            }
            let mut own = RngStream::seed_from_u64(seed ^ RESPONSE_SALT ^ id_hash(&station.id));
            let turnout_h = station.turnout_min.sample(&mut own).max(0.0) / 60.0;
            let mut to_scene_h = turnout_h + travel_h;
            if response.standard_met_everywhere {
                to_scene_h = to_scene_h.min(response.arrival_standard_h);
            }
            let engines = if night {
                station.engines_night
            } else {
                station.engines_day
            };
            let state = &self.risk.as_ref().expect("risk state").engines;
            for engine in 0..engines as usize {
                if state.is_free(s, engine, dispatch_h) {
                    candidates.push(Candidate {
                        arrival_h: response.alarm_h + to_scene_h,
                        station: s,
                        engine,
                        turnout_h,
                        travel_h: to_scene_h - turnout_h.min(to_scene_h),
                    });
                }
            }
        }
        candidates.sort_by(|a, b| {
            a.arrival_h
                .total_cmp(&b.arrival_h)
                .then(a.station.cmp(&b.station))
                .then(a.engine.cmp(&b.engine))
        });
        candidates.truncate(response.engines_per_accident as usize);
        let mut rng = RngStream::seed_from_u64(seed ^ RESPONSE_SALT);
        let real = rng.random::<f64>() < init.weight.min(1.0);
        if real {
            let book = &mut self.risk.as_mut().expect("risk state").engines;
            for c in &candidates {
                let back_h = dispatch_h + c.turnout_h + 2.0 * c.travel_h + response.on_scene_h;
                book.hold(c.station, c.engine, dispatch_h, back_h);
            }
        }
        Dispatch {
            on_scene_h: candidates.last().map(|c| c.arrival_h),
            engines: candidates.len() as u32,
            first_engine_h: candidates.first().map(|c| c.arrival_h),
        }
    }
}

/// FNV-1a of a station id: the salt of its turn-out draws.
fn id_hash(id: &str) -> u64 {
    id.bytes().fold(0xCBF2_9CE4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01B3)
    })
}

/// Hours ordered for the search's heap (never NaN: sums of finite, non-negative link hours).
#[derive(Clone, Copy, PartialEq)]
struct OrderedHours(f64);

impl Eq for OrderedHours {}

impl PartialOrd for OrderedHours {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for OrderedHours {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}
