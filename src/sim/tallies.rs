//! Counters of cargo: demand, deliveries, transit times, tank flows, and the whole-run mass balance.

use crate::des::Tally;
use crate::model::{ByMode, FlowId, Model, RouteId};

/// Counters of cargo (reset at the end of the warm-up, except the whole-run mass balance).
pub(crate) struct Tallies {
    pub(crate) flow_demand: Vec<f64>,
    pub(crate) flow_delivered: Vec<f64>,
    pub(crate) flow_skipped: Vec<f64>,
    pub(crate) flow_transit: Vec<Tally>,
    /// Tonnes by commodity and main mode.
    pub(crate) demand_by_mode: Vec<ByMode<f64>>,
    pub(crate) delivered_by_mode: Vec<ByMode<f64>>,
    /// Delivered tonnes by main mode: chemical flows, all flows.
    pub(crate) chemical_by_mode: ByMode<f64>,
    pub(crate) all_by_mode: ByMode<f64>,
    pub(crate) tank_produced: Vec<f64>,
    pub(crate) tank_consumed: Vec<f64>,
    pub(crate) tank_out: Vec<f64>,
    pub(crate) tank_in: Vec<f64>,
    pub(crate) run_demand: f64,
    pub(crate) run_delivered: f64,
    pub(crate) run_stranded: f64,
    /// Whole-run tonnes into and out of each tank.
    pub(crate) run_tank_in: Vec<f64>,
    pub(crate) run_tank_out: Vec<f64>,
}

impl Tallies {
    pub(crate) fn new(m: &Model) -> Self {
        let (flows, tanks, commodities) = (m.flows.len(), m.tanks.len(), m.commodities.len());
        Self {
            flow_demand: vec![0.0; flows],
            flow_delivered: vec![0.0; flows],
            flow_skipped: vec![0.0; flows],
            flow_transit: vec![Tally::new(); flows],
            demand_by_mode: vec![ByMode::default(); commodities],
            delivered_by_mode: vec![ByMode::default(); commodities],
            chemical_by_mode: ByMode::default(),
            all_by_mode: ByMode::default(),
            tank_produced: vec![0.0; tanks],
            tank_consumed: vec![0.0; tanks],
            tank_out: vec![0.0; tanks],
            tank_in: vec![0.0; tanks],
            run_demand: 0.0,
            run_delivered: 0.0,
            run_stranded: 0.0,
            run_tank_in: vec![0.0; tanks],
            run_tank_out: vec![0.0; tanks],
        }
    }

    pub(crate) fn reset(&mut self) {
        self.flow_demand.iter_mut().for_each(|x| *x = 0.0);
        self.flow_delivered.iter_mut().for_each(|x| *x = 0.0);
        self.flow_skipped.iter_mut().for_each(|x| *x = 0.0);
        self.flow_transit.iter_mut().for_each(Tally::reset);
        self.chemical_by_mode = ByMode::default();
        self.all_by_mode = ByMode::default();
        for v in [&mut self.demand_by_mode, &mut self.delivered_by_mode] {
            v.iter_mut().for_each(|x| *x = ByMode::default());
        }
        for v in [
            &mut self.tank_produced,
            &mut self.tank_consumed,
            &mut self.tank_out,
            &mut self.tank_in,
        ] {
            v.iter_mut().for_each(|x| *x = 0.0);
        }
    }

    pub(crate) fn shipped(&mut self, m: &Model, f: FlowId, route: RouteId, tonnes: f64) {
        self.flow_demand[f] += tonnes;
        self.demand_by_mode[m.flows[f].commodity][m.routes[route].main_mode] += tonnes;
        self.run_demand += tonnes;
    }

    pub(crate) fn delivered(
        &mut self,
        m: &Model,
        f: FlowId,
        route: RouteId,
        tonnes: f64,
        transit_h: f64,
    ) {
        self.flow_delivered[f] += tonnes;
        self.flow_transit[f].record(transit_h);
        let mode = m.routes[route].main_mode;
        self.delivered_by_mode[m.flows[f].commodity][mode] += tonnes;
        self.all_by_mode[mode] += tonnes;
        if !m.flows[f].background {
            self.chemical_by_mode[mode] += tonnes;
        }
        self.run_delivered += tonnes;
    }

    /// A shipment not released because its destination tank was (nearly) full.
    pub(crate) fn skipped(&mut self, f: FlowId, tonnes: f64) {
        self.flow_skipped[f] += tonnes;
    }

    pub(crate) fn stranded(&mut self, tonnes: f64) {
        self.run_stranded += tonnes;
    }

    pub(crate) fn produced(&mut self, tank: usize, tonnes: f64) {
        self.tank_produced[tank] += tonnes;
        self.run_tank_in[tank] += tonnes;
    }

    pub(crate) fn consumed(&mut self, tank: usize, tonnes: f64) {
        self.tank_consumed[tank] += tonnes;
        self.run_tank_out[tank] += tonnes;
    }

    pub(crate) fn picked_up(&mut self, tank: usize, tonnes: f64) {
        self.tank_out[tank] += tonnes;
        self.run_tank_out[tank] += tonnes;
    }

    pub(crate) fn received(&mut self, tank: usize, tonnes: f64) {
        self.tank_in[tank] += tonnes;
        self.run_tank_in[tank] += tonnes;
    }
}
