//! Accidents sampled from what the simulation moves, parks and queues.
//!
//! Every accident source (a link, a tank group, a site's hoses and berths, a lock, a parking lot, the
//! roadside at a node) turns its exposure into releases at its loss-of-containment rate, inflated by the
//! source's importance-sampling factor `k` (`RiskModel::inflation`); each sampled accident carries the
//! weight `1/k`, so weighted sums estimate real frequencies without bias. The release kind (rupture or
//! leak) is drawn by [`sampling_shares`], rare kinds more often than they occur, its weight corrected by
//! the ratio of real to sampled share. Exposure is sampled as
//! intervals whose length is known: a link traversal or a handling when it starts, a wait in a lot or at
//! a lock when it ends, tank-days at midnight. An accident then takes its outcome from the event tree,
//! sets off the domino cascade among the units standing near it at that moment, kills by the population
//! around it in the weather of the moment, and may close its link or facility.
//!
//! Each source has two random streams (exposure sampling, consequences): adding a tank elsewhere does not
//! change which accidents a link draws (common random numbers across layouts).

mod closure;
mod exposure;
mod follow;
mod record;
mod release;
mod response;

pub use record::{ANY_WEATHER, Accident, Branch, Condition, ReleaseKind, Unmitigated};
pub use response::Dispatch;

use rand::RngExt;

use super::metric::SourceCategory;
use super::scene::SceneUnit;
use crate::des::RngStream;
use crate::model::{LinkId, LockId, Mode, NodeId, ParkingId, SiteId, TankId};

/// Where an accident started.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum AccidentSource {
    /// A vehicle, train or vessel moving on a link.
    Transport(LinkId),
    /// A storage tank of a tank group.
    Tank(TankId),
    /// A hose or loading arm while a vehicle is (un)loaded at a site.
    Loading(SiteId),
    /// A vessel moored at a site, hit by a passing ship.
    Berth(SiteId),
    /// A vessel at a lock (waiting or in the chamber).
    Lock(LockId),
    /// A tanker waiting in a parking lot.
    Parking(ParkingId),
    /// A tanker waiting on the road at a node.
    Roadside(NodeId),
}

impl AccidentSource {
    /// The category of the breakdowns (`mode`: of the transport, for a link).
    pub fn category(&self, mode: Option<Mode>) -> SourceCategory {
        match self {
            AccidentSource::Transport(_) => match mode {
                Some(Mode::Rail) => SourceCategory::TransportRail,
                Some(Mode::Water) => SourceCategory::TransportWater,
                _ => SourceCategory::TransportRoad,
            },
            AccidentSource::Tank(_) => SourceCategory::StorageTank,
            AccidentSource::Loading(_) => SourceCategory::Loading,
            AccidentSource::Berth(_) => SourceCategory::VesselAtBerth,
            AccidentSource::Lock(_) => SourceCategory::VesselAtLock,
            AccidentSource::Parking(_) => SourceCategory::ParkedTanker,
            AccidentSource::Roadside(_) => SourceCategory::TankerWaitingOnRoad,
        }
    }
}

/// An accident closure in progress, with what is needed to count the delay it causes.
struct ActiveClosure {
    target: usize,
    start: f64,
    queue_integral: f64,
    waiting_integral: f64,
}

/// The risk part of a replication's state.
pub(crate) struct RiskState {
    sample: Vec<RngStream>,
    consequence: Vec<RngStream>,
    pub(crate) accidents: Vec<Accident>,
    /// Cloud fields and deaths of fires and blasts already integrated in this replication.
    pub(crate) fields: crate::risk::population::CloudFieldCache,
    pub(crate) radial: crate::risk::population::RadialDeathsCache,
    /// When each responder's engines are busy.
    engines: response::EngineBook,
    active: Vec<ActiveClosure>,
    pub(crate) closures: u64,
    pub(crate) closure_hours: f64,
    pub(crate) delay_veh_h: f64,
    pub(crate) delay_hazmat_veh_h: f64,
}

/// Index of each source's streams.
fn source_index(m: &crate::model::Model, s: AccidentSource) -> usize {
    let (links, tanks, sites, locks, lots) = (
        m.links.len(),
        m.tanks.len(),
        m.sites.len(),
        m.locks.len(),
        m.parkings.len(),
    );
    match s {
        AccidentSource::Transport(l) => l,
        AccidentSource::Tank(t) => links + t,
        AccidentSource::Loading(s) => links + tanks + s,
        AccidentSource::Berth(s) => links + tanks + sites + s,
        AccidentSource::Lock(l) => links + tanks + 2 * sites + l,
        AccidentSource::Parking(p) => links + tanks + 2 * sites + locks + p,
        AccidentSource::Roadside(n) => links + tanks + 2 * sites + locks + lots + n,
    }
}

/// Names of the streams of every source, in [`source_index`] order.
fn source_names(m: &crate::model::Model) -> Vec<String> {
    let mut names = Vec::new();
    names.extend(m.links.iter().map(|l| format!("link/{}", l.id)));
    names.extend(
        m.tanks
            .iter()
            .enumerate()
            .map(|(i, t)| format!("tank/{}/{}", m.sites[t.site].id, i)),
    );
    names.extend(m.sites.iter().map(|s| format!("loading/{}", s.id)));
    names.extend(m.sites.iter().map(|s| format!("berth/{}", s.id)));
    names.extend(m.locks.iter().map(|l| format!("lock/{}", l.id)));
    names.extend(m.parkings.iter().map(|p| format!("parking/{}", p.id)));
    names.extend(m.nodes.iter().map(|n| format!("roadside/{}", n.id)));
    names
}

/// A Poisson count with mean `mean` (inversion below 30, rand_distr above).
fn poisson(mean: f64, rng: &mut RngStream) -> u64 {
    if mean <= 0.0 {
        return 0;
    }
    if mean < 30.0 {
        let u: f64 = rng.random();
        let mut p = (-mean).exp();
        let mut cumulative = p;
        let mut k = 0u64;
        while u > cumulative && k < 1000 {
            k += 1;
            p *= mean / k as f64;
            cumulative += p;
        }
        k
    } else {
        use rand_distr::Distribution;
        rand_distr::Poisson::new(mean).map_or(0, |d| d.sample(rng) as u64)
    }
}

/// Picks an index with probability proportional to `weights`.
fn pick(weights: &[f64], rng: &mut RngStream) -> usize {
    let total: f64 = weights.iter().sum();
    let mut u = rng.random::<f64>() * total;
    for (i, w) in weights.iter().enumerate() {
        if u < *w {
            return i;
        }
        u -= w;
    }
    weights.len() - 1
}

/// The shares release kinds are sampled with, given their real shares: half the real share plus half an
/// equal share among the possible kinds (a defensive mixture). Rare kinds such as ruptures, which carry
/// the tail of the F-N curve, are sampled far more often than they occur; no kind's weight grows by more
/// than 2, so the common kinds lose little precision.
pub fn sampling_shares(shares: &[f64]) -> Vec<f64> {
    let total: f64 = shares.iter().filter(|&&s| s > 0.0).sum();
    let possible = shares.iter().filter(|&&s| s > 0.0).count().max(1) as f64;
    shares
        .iter()
        .map(|&s| {
            if s > 0.0 && total > 0.0 {
                0.5 * s / total + 0.5 / possible
            } else {
                0.0
            }
        })
        .collect()
}

/// Picks a release kind from its real `shares` by [`sampling_shares`]: the index and the factor on the
/// accident's weight (real over sampling share) that keeps the estimates unbiased.
fn pick_kind(shares: &[f64], rng: &mut RngStream) -> (usize, f64) {
    let sampled = sampling_shares(shares);
    let i = pick(&sampled, rng);
    let total: f64 = shares.iter().filter(|&&s| s > 0.0).sum();
    (i, shares[i] / total / sampled[i])
}

impl RiskState {
    pub(crate) fn new(
        m: &crate::model::Model,
        seeder: &crate::des::StreamSeeder,
        replication: u64,
    ) -> Option<Self> {
        m.risk.as_ref()?;
        let names = source_names(m);
        debug_assert_eq!(
            names.len(),
            source_index(m, AccidentSource::Roadside(m.nodes.len().saturating_sub(1))) + 1,
            "stream names and stream indices disagree"
        );
        Some(Self {
            sample: names
                .iter()
                .map(|n| seeder.stream(replication, &format!("risk/{n}/exposure")))
                .collect(),
            consequence: names
                .iter()
                .map(|n| seeder.stream(replication, &format!("risk/{n}/consequence")))
                .collect(),
            accidents: Vec::new(),
            fields: Default::default(),
            radial: Default::default(),
            engines: Default::default(),
            active: Vec::new(),
            closures: 0,
            closure_hours: 0.0,
            delay_veh_h: 0.0,
            delay_hazmat_veh_h: 0.0,
        })
    }
}

/// A release about to be followed through.
struct Initiating {
    source: AccidentSource,
    weight: f64,
    time_h: f64,
    mode: Option<Mode>,
    unit: SceneUnit,
    /// Units moving with it (the other wagons of its train).
    companions: Vec<SceneUnit>,
    release_kind: ReleaseKind,
    /// Km along the link (transport accidents).
    chainage_km: Option<f64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rare kinds are sampled at least half as often as kinds would be by equal shares, no weight grows
    /// by more than 2, and sampled share times weight factor is the real share, so the weighted
    /// frequency of each kind is unbiased; a seeded run of 200 000 draws agrees within 4.5 standard
    /// errors (a correct sampler fails with probability below 1e-5 per kind).
    #[test]
    fn stratified_release_kinds_are_unbiased() {
        let hose = [4e-6, 4e-5];
        let q = sampling_shares(&hose);
        assert!((q.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert!((q[0] - (0.5 / 11.0 + 0.25)).abs() < 1e-12, "{q:?}");
        assert_eq!(sampling_shares(&[0.0, 1.0]), vec![0.0, 1.0]);
        let mut rng = crate::des::StreamSeeder::new(7).stream(0, "kinds");
        let draws = 200_000;
        let mut weighted = [0.0; 2];
        for _ in 0..draws {
            let (i, factor) = pick_kind(&hose, &mut rng);
            assert!(factor <= 2.0);
            weighted[i] += factor;
        }
        for i in 0..2 {
            let p = hose[i] / 44e-6;
            let mean = weighted[i] / draws as f64;
            // Var of factor x indicator: q (p/q)^2 - p^2.
            let sd = ((p * p / q[i] - p * p) / draws as f64).sqrt();
            assert!((mean - p).abs() < 4.5 * sd, "kind {i}: {mean} against {p}");
        }
    }
}
