//! Mode choice per shipment: a fixed random split, or the least generalised cost at that moment (static
//! cost plus the value of the time expected in queues, and a prohibitive penalty for a route through a
//! facility or link that is closed by a disruption).

use rand::RngExt;

use super::Replication;
use crate::model::{Choice, FlowId, Mode, RouteId};

/// Something on a route whose current state changes the route's cost.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Probe {
    RoadBays(usize),
    Tracks(usize),
    /// A site's berths, and the hours one vessel of the route's load would hold a berth there.
    Berths {
        site: usize,
        hours_per_vessel: f64,
    },
    Lock(usize),
    Target(usize),
    /// Disrupted when every line of the lock is.
    LockLines(usize),
}

/// Hours a full load of `carrier` holds a berth of `site`: its payload over the site's handling rate for
/// the commodity's handling group (the slowest rate of the site if it lists none for that group).
fn berth_hours_per_vessel(
    m: &crate::model::Model,
    site: usize,
    carrier: usize,
    commodity: Option<usize>,
) -> f64 {
    let rate = m.sites[site].berth_rate_or_slowest(commodity.map(|c| m.commodities[c].handling));
    if rate.is_finite() && rate > 0.0 {
        m.carriers[carrier].payload_t / rate
    } else {
        0.0
    }
}

/// Cost added to a route through a disrupted facility: far above any real cost, so such routes are
/// taken only when every alternative is disrupted too.
const DISRUPTED_PENALTY: f64 = 1e9;

impl Replication<'_> {
    /// The probes of every route (built once the availability targets exist).
    pub(crate) fn build_probes(&self) -> Vec<Vec<Probe>> {
        let m = self.m;
        let mut commodity_of_route = vec![None; m.routes.len()];
        for flow in &m.flows {
            for &(route, _) in &flow.options {
                commodity_of_route[route] = Some(flow.commodity);
            }
        }
        m.routes
            .iter()
            .enumerate()
            .map(|(r, route)| {
                let mut probes = Vec::new();
                for leg in &route.legs {
                    for site in [leg.from, leg.to] {
                        if m.sites[site].is_external() {
                            continue;
                        }
                        probes.push(match leg.mode {
                            Mode::Road => Probe::RoadBays(site),
                            Mode::Rail => Probe::Tracks(site),
                            Mode::Water => Probe::Berths {
                                site,
                                hours_per_vessel: berth_hours_per_vessel(
                                    m,
                                    site,
                                    leg.carrier,
                                    commodity_of_route[r],
                                ),
                            },
                        });
                        if let Some(t) = self.target_of_site[site] {
                            probes.push(Probe::Target(t));
                        }
                    }
                    for &(l, _) in &leg.links {
                        if let Some(t) = self.target_of_link[l] {
                            probes.push(Probe::Target(t));
                        }
                    }
                    for &node in &leg.nodes {
                        if let Some(lock) = m.lock_of_node(node) {
                            probes.push(Probe::Lock(lock));
                            probes.push(Probe::LockLines(lock));
                        }
                    }
                }
                probes
            })
            .collect()
    }

    /// Picks the route of a new shipment of flow `f`.
    pub(crate) fn choose_route(&mut self, f: FlowId) -> RouteId {
        let flow = &self.m.flows[f];
        if flow.options.len() == 1 {
            return flow.options[0].0;
        }
        match flow.choice {
            Choice::Fixed => {
                let u: f64 = self.streams.flow_choice[f].random();
                let mut cumulative = 0.0;
                for &(route, share) in &flow.options {
                    cumulative += share;
                    if u < cumulative {
                        return route;
                    }
                }
                flow.options.last().expect("flows have routes").0
            }
            Choice::GeneralisedCost => {
                flow.options
                    .iter()
                    .map(|&(route, _)| (route, self.current_cost(route)))
                    .min_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)))
                    .expect("flows have routes")
                    .0
            }
        }
    }

    /// Generalised cost per tonne of `route` now.
    fn current_cost(&self, route: RouteId) -> f64 {
        let m = self.m;
        let mut expected_wait_h = 0.0;
        let mut penalty = 0.0;
        for probe in &self.probes[route] {
            match *probe {
                Probe::RoadBays(s) => {
                    if let Some(r) = &self.sites[s].road {
                        expected_wait_h += r.queue_len() as f64
                            * m.sites[s].truck_handling_h.mean()
                            / r.nominal_capacity().max(1) as f64;
                    }
                }
                Probe::Tracks(s) => {
                    if let Some(r) = &self.sites[s].rail {
                        expected_wait_h += r.queue_len() as f64
                            * m.sites[s].wagon_handling_h.mean()
                            / r.nominal_capacity().max(1) as f64;
                    }
                }
                Probe::Berths {
                    site: s,
                    hours_per_vessel,
                } => {
                    let queued: usize = self.sites[s]
                        .berths
                        .iter()
                        .map(|g| g.berths.queue_len())
                        .sum();
                    let berths: u32 = self.sites[s]
                        .berths
                        .iter()
                        .map(|g| g.berths.nominal_capacity())
                        .sum();
                    // Each vessel ahead holds a berth about as long as one of this route's loads would.
                    expected_wait_h += queued as f64 * hours_per_vessel / berths.max(1) as f64;
                }
                Probe::Lock(l) => {
                    let lines = &m.locks[l].lines;
                    let per_cycle: f64 = lines
                        .iter()
                        .map(|x| x.max_vessels as f64 / x.cycle.mean_h(x.max_vessels).max(1e-9))
                        .sum();
                    expected_wait_h += self.locks[l].waiting() as f64 / per_cycle.max(1e-9);
                }
                Probe::Target(t) => {
                    if self.is_disrupted(Some(t)) {
                        penalty = DISRUPTED_PENALTY;
                    }
                }
                Probe::LockLines(l) => {
                    if self.target_of_line[l].iter().all(|&t| self.is_disrupted(t)) {
                        penalty = DISRUPTED_PENALTY;
                    }
                }
            }
        }
        m.routes[route].static_cost_per_t
            + m.rules.value_of_time_per_t_h * expected_wait_h
            + penalty
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_queued_barge_holds_a_berth_for_its_load_over_the_handling_rate() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("scenarios/examples/one-of-each.toml");
        let m = crate::model::compile(&crate::scenario::load(&path).unwrap()).unwrap();
        let dock = m.sites.iter().position(|s| s.id == "north-dock").unwrap();
        let barge = m
            .carriers
            .iter()
            .position(|c| c.id == "barge-1000")
            .unwrap();
        let caustic = m
            .commodities
            .iter()
            .position(|c| c.id == "caustic-soda")
            .unwrap();
        // 1000 t of liquid bulk at 250 t/h, not a fixed 8 h.
        let hours = berth_hours_per_vessel(&m, dock, barge, Some(caustic));
        assert!((hours - 4.0).abs() < 1e-12, "{hours}");
        // A commodity the dock lists no rate for is handled at its slowest rate.
        assert!((berth_hours_per_vessel(&m, dock, barge, None) - 4.0).abs() < 1e-12);
    }
}
