//! Scenario -> Model: resolves ids, compiles distributions and calendars, checks the network's structure
//! and computes every flow's routes.
//!
//! The places (`sites`) and the network between them (`network`) are compiled in submodules; this
//! module holds the context that collects problems, and assembles the model.

mod network;
mod sites;

use std::collections::BTreeMap;

use super::flows::compile_flows;
use super::*;
use crate::des::Sampler;
use crate::scenario::DistField;
use crate::scenario::{self as sc, Diagnostic, FieldPath, LoadedScenario, ScenarioError};

/// Compilation problems are scenario problems, located like any other.
pub type CompileError = ScenarioError;

pub(super) struct Ctx<'a> {
    pub(super) loaded: &'a LoadedScenario,
    pub(super) errors: Vec<Diagnostic>,
    /// Errors beyond `MAX_DIAGNOSTICS`, counted only (each located one costs a scan of its file).
    pub(super) suppressed: usize,
    pub(super) warnings: Vec<String>,
}

impl Ctx<'_> {
    pub(super) fn error(&mut self, path: FieldPath, message: impl Into<String>) {
        if self.errors.len() < crate::scenario::MAX_DIAGNOSTICS {
            self.errors.push(self.loaded.diagnostic(&path, message));
        } else {
            self.suppressed += 1;
        }
    }

    pub(super) fn sampler(&mut self, path: FieldPath, field: &DistField) -> Sampler {
        field.spec.compile().unwrap_or_else(|e| {
            self.error(path, format!("impossible distribution: {}", e.0));
            Sampler::Constant(1.0)
        })
    }

    fn availability(
        &mut self,
        path: FieldPath,
        window: &Option<sc::DailyWindow>,
        d: Option<&sc::Disruptions>,
        start_day: f64,
    ) -> Availability {
        let mut a = Availability {
            // A window spanning the whole day (0 to 24 h) is no window: as a pair of hours it would close
            // at 24:00 and wait for the next day's 0:00, a day later.
            daily_window: window
                .as_ref()
                .filter(|w| (w.close_h - w.open_h).abs() != 24.0)
                .map(|w| (w.open_h, w.close_h)),
            ..Default::default()
        };
        if let Some(d) = d {
            a.yearly_windows = d
                .windows
                .iter()
                .map(|w| {
                    (
                        (w.start_day_of_year - start_day).rem_euclid(365.0) * 24.0,
                        w.days * 24.0,
                    )
                })
                .collect();
            if let Some(f) = &d.failures {
                let mut p = path.clone();
                p.push(sc::Segment::Key("failures".into()));
                let mut up = p.clone();
                up.push(sc::Segment::Key("time_between_h".into()));
                p.push(sc::Segment::Key("duration_h".into()));
                a.failures = Some((
                    self.sampler(up, &f.time_between_h),
                    self.sampler(p, &f.duration_h),
                ));
            }
        }
        a
    }
}

/// The (longitude, latitude) of a position, if one is given.
fn position(p: &Option<sc::Position>) -> Option<(f64, f64)> {
    p.as_ref().map(|p| (p.lon, p.lat))
}

/// Compiles a loaded scenario; every problem is reported with its location.
pub fn compile(loaded: &LoadedScenario) -> Result<Model, CompileError> {
    let s = &loaded.scenario;
    let mut ctx = Ctx {
        loaded,
        errors: Vec::new(),
        suppressed: 0,
        warnings: Vec::new(),
    };
    let start_day = s.scenario.start_day_of_year;

    let (commodities, commodity_index) = compile_commodities(s);
    let carriers = compile_carriers(s);
    let places = sites::compile_places(&mut ctx, &commodity_index, start_day);
    let network = network::compile_network(&mut ctx, &places, start_day);

    let rail = &s.rail;
    let rules = Rules {
        wagons_per_train: rail.wagons_per_train.value,
        max_train_weight_t: rail.max_train_weight_t.value,
        rail_max_wait_h: rail.max_wait_h.value,
        rail_timetable_every_h: rail.timetable_every_h.as_ref().map(|v| v.value),
        water_max_wait_h: s.water.max_wait_h.value,
        value_of_time_per_t_h: s.cost.value_of_time_per_t_h.value,
    };
    let mut model = Model {
        name: s.scenario.name.clone(),
        horizon_h: s.scenario.horizon_days.value * 24.0,
        warmup_h: s.scenario.warmup_days.value * 24.0,
        start_day_of_year: start_day,
        commodities,
        carriers,
        nodes: places.nodes,
        sites: places.sites,
        tanks: places.tanks,
        producers: places.producers,
        consumers: places.consumers,
        processes: places.processes,
        locks: network.locks,
        parkings: network.parkings,
        parking_of_node: network.parking_of_node,
        links: network.links,
        flows: Vec::new(),
        routes: Vec::new(),
        rules,
        population: s
            .population
            .iter()
            .map(|z| PopulationZone {
                id: z.id.clone(),
                lon: z.lon,
                lat: z.lat,
                radius_km: z.radius_km.value,
                day_per_km2: z.day_per_km2.value,
                night_per_km2: z.night_per_km2.value,
            })
            .collect(),
        exposure: Exposure {
            background_day_per_km2: s.exposure.background_day_per_km2.value,
            background_night_per_km2: s.exposure.background_night_per_km2.value,
            day_start_h: s.exposure.day_start_h,
            day_end_h: s.exposure.day_end_h,
            indoor_fraction_day: s.exposure.indoor_fraction_day.value,
            indoor_fraction_night: s.exposure.indoor_fraction_night.value,
        },
        warnings: Vec::new(),
        risk: None,
    };

    if ctx.errors.is_empty() {
        compile_flows(&mut ctx, &mut model);
        fit_batches_to_tanks(&mut model);
    }
    if ctx.errors.is_empty()
        && let (Some(rules), Some(data)) = (&s.risk, &loaded.risk_data)
    {
        model.risk = super::risk_model::compile_risk(&mut ctx, &model, rules, data);
    }
    model.warnings = std::mem::take(&mut ctx.warnings);
    if ctx.errors.is_empty() {
        Ok(model)
    } else {
        Err(ScenarioError {
            diagnostics: crate::scenario::with_suppressed(ctx.errors, ctx.suppressed),
        })
    }
}

/// The model's commodities, and the index of each by its id.
fn compile_commodities(s: &sc::Scenario) -> (Vec<Commodity>, BTreeMap<&str, usize>) {
    let commodities: Vec<Commodity> = s
        .commodity
        .iter()
        .map(|c| Commodity {
            id: c.id.clone(),
            kind: c.kind,
            hazmat: c.kind != CommodityKind::NonHazardous,
            handling: c.handling,
            density_t_per_m3: c.density_t_per_m3.value,
        })
        .collect();
    let commodity_index: BTreeMap<&str, usize> = s
        .commodity
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.as_str(), i))
        .collect();
    (commodities, commodity_index)
}

/// The model's carriers; unset vessel classes and empty returns take their defaults.
fn compile_carriers(s: &sc::Scenario) -> Vec<Carrier> {
    s.carrier
        .iter()
        .map(|c| Carrier {
            id: c.id.clone(),
            mode: c.mode,
            payload_t: c.payload_t.value,
            tare_t: c.tare_t.value,
            vessel_class_t: c
                .vessel_class_t
                .as_ref()
                .map_or(c.payload_t.value, |v| v.value),
            speed_km_per_h: c.speed_km_per_h.as_ref().map(|v| v.value),
            length_m: c.length_m.as_ref().map(|v| v.value),
            beam_m: c.beam_m.as_ref().map(|v| v.value),
            hazmat: c.hazmat,
            returns_empty: c.returns_empty.unwrap_or(c.mode != Mode::Road),
            named_only: c.named_only,
        })
        .collect()
}

/// Shrinks producer and consumer batches so that no tank can jam. A batch put waits for room of its
/// whole size while a load waits for stock of its whole size, so when a batch exceeds the capacity less
/// the largest load on the other side, a remnant can be left that neither side can move (a 4 t buffer
/// filled in 4 t batches and emptied by 0.3 t trailers stops for good at 0.2 t).
fn fit_batches_to_tanks(model: &mut Model) {
    for tank in 0..model.tanks.len() {
        let capacity_t = model.tanks[tank].capacity_t;
        let largest = |pick: fn(&Flow) -> Option<TankId>| {
            model
                .flows
                .iter()
                .filter(|f| pick(f) == Some(tank))
                .map(|f| f.consignment_t)
                .fold(0.0_f64, f64::max)
        };
        let (load_out_t, load_in_t) = (largest(|f| f.origin_tank), largest(|f| f.destination_tank));
        let fit = |plants: &mut Vec<Plant>, other_side_t: f64| {
            let room_t = capacity_t - other_side_t;
            for p in plants.iter_mut().filter(|p| p.tank == tank) {
                if room_t > 0.0 && p.batch_t > room_t {
                    p.batch_t = room_t;
                }
            }
        };
        fit(&mut model.producers, load_out_t);
        fit(&mut model.consumers, load_in_t);
        // A process's product batch faces the loads taken out, its input batches the loads put in.
        for p in &mut model.processes {
            if p.output == Some(tank) && capacity_t - load_out_t > 0.0 {
                p.batch_t = p.batch_t.min(capacity_t - load_out_t);
            }
            for &(input, per_t) in &p.inputs {
                if input == tank && capacity_t - load_in_t > 0.0 {
                    p.batch_t = p.batch_t.min((capacity_t - load_in_t) / per_t);
                }
            }
        }
        // A producer and a consumer on one tank face each other's batches: together they fit in it.
        let batch = |plants: &[Plant]| {
            plants
                .iter()
                .filter(|p| p.tank == tank)
                .map(|p| p.batch_t)
                .fold(0.0_f64, f64::max)
        };
        let both_t = batch(&model.producers) + batch(&model.consumers);
        if both_t > capacity_t && batch(&model.producers) > 0.0 && batch(&model.consumers) > 0.0 {
            let scale = capacity_t / both_t;
            for p in model
                .producers
                .iter_mut()
                .chain(model.consumers.iter_mut())
                .filter(|p| p.tank == tank)
            {
                p.batch_t *= scale;
            }
        }
    }
}
