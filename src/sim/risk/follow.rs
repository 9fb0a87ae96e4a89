//! One release followed through: its source term, every branch of the event tree with the domino
//! cascade it sets off among the units standing there, and the deaths of each branch in every weather
//! class and wind sector of the moment (a conditional expectation: each accident carries its whole
//! distribution of N), then the closure it causes.
//!
//! Integrated exactly: the event tree's branches and the weather classes (their shares at that time of
//! day). Stratified: the wind direction, one direction drawn uniformly inside each 30-degree sector,
//! weighted by the sector's share. Sampled: the cascade of each escalating branch (one draw per branch).
//! The time of day is the exposure's own (the simulation knows when the truck was on the road), so day
//! and night are not averaged over.
//!
//! With `[risk.response]` the brigade is dispatched first (`response`), each cascade races it and is
//! drawn again on the same draws without it (what it prevented), an emergency pool splits the release
//! into its drained and undrained states, and people warned in time shelter from clouds.

use rand::RngExt;

use super::super::Replication;
use super::super::scene::{SceneUnit, UnitKey};
use super::{
    ANY_WEATHER, Accident, AccidentSource, Branch, Condition, Initiating, Unmitigated, pick,
    source_index,
};
use crate::des::RngStream;
use crate::model::{RiskModel, SiteId};
use crate::risk::cascade::{CascadeModel, CascadeUnit};
use crate::risk::consequence::{Outcome, ReleaseSite};
use crate::risk::dispersion::Weather;
use crate::risk::effects::Effect;
use crate::risk::intervention::{Brigade, Protection};
use crate::scenario::ProtectedUnit;
use std::sync::Arc;

use crate::risk::population::{
    CloudField, CloudFieldCache, People, Placed, RadialDeathsCache, Shelter,
};
use crate::risk::source::{Outflow, SourceTerm};

/// One branch's cascade: the effects of the units that failed, the depth, the failed units (indices
/// into `units`), and, where the brigade changed it, the effects, depth and size the cascade would have
/// had without it.
struct Cascaded {
    effects: Vec<Placed>,
    depth: u32,
    failed: Vec<usize>,
    units: Vec<SceneUnit>,
    unmitigated: Option<(Vec<Placed>, u32, u32)>,
}

/// The moment of an accident as its deaths see it: the caches of this replication, the people's
/// whereabouts, the wind directions drawn, where it is, and the warning people get.
struct Moment {
    cache: CloudFieldCache,
    radial: RadialDeathsCache,
    people: People,
    directions_deg: [f64; 12],
    at: (f64, f64),
    shelter: Option<Shelter>,
}

/// The event tree's outcomes of every spill state: outcome, probability (the state's included), state.
fn outcomes_of_spills(
    r: &RiskModel,
    substance: &crate::risk::consequence::Substance,
    spills: &[(ReleaseSite, SourceTerm, f64)],
) -> Vec<(Outcome, f64, usize)> {
    spills
        .iter()
        .enumerate()
        .filter(|(_, spill)| spill.2 > 0.0)
        .flat_map(|(k, (_, st, p_spill))| {
            r.tree
                .outcomes(substance, st)
                .into_iter()
                .map(move |(outcome, p)| (outcome, p * p_spill, k))
        })
        .collect()
}

/// What kind of unit a scene unit is, for its barriers.
fn unit_kind(unit: &SceneUnit) -> ProtectedUnit {
    match unit.kind {
        "tank" => ProtectedUnit::Tank,
        "wagon" => ProtectedUnit::Wagon,
        "vessel" => ProtectedUnit::Vessel,
        _ => ProtectedUnit::Tanker,
    }
}

/// The site an accident happened at, if any.
fn source_site(m: &crate::model::Model, source: AccidentSource) -> Option<SiteId> {
    match source {
        AccidentSource::Tank(t) => Some(m.tanks[t].site),
        AccidentSource::Loading(s) | AccidentSource::Berth(s) => Some(s),
        _ => None,
    }
}

impl Replication<'_> {
    pub(super) fn risk_model(&self) -> &RiskModel {
        self.m.risk.as_ref().expect("risk model")
    }

    /// The barriers of a unit of the scene of an accident at `site`.
    fn protection_of(&self, unit: &SceneUnit, site: Option<SiteId>) -> Protection {
        let Some(response) = self.risk_model().response.as_ref() else {
            return Protection::default();
        };
        let kind = unit_kind(unit);
        let site = match unit.key {
            UnitKey::Tank(t, _) => Some(self.m.tanks[t].site),
            _ => site,
        };
        response.protection(kind, site)
    }

    /// The effects of one branch: the primary and, if it escalates, the units that failed; with the
    /// cascade's depth and units, and what it would have been without the brigade.
    #[allow(clippy::too_many_arguments)]
    fn branch_cascade(
        &self,
        primary: Option<Effect>,
        unit: &SceneUnit,
        companions: &[SceneUnit],
        source: AccidentSource,
        neighbours: &mut Option<Vec<SceneUnit>>,
        brigade: Option<Brigade>,
        rng: &mut RngStream,
    ) -> Cascaded {
        let r = self.risk_model();
        let mut units = vec![unit.clone()];
        let escalates = primary.is_some_and(|e| e.escalates());
        if escalates {
            // The scene is the same for every branch of the accident: built once, by the first that
            // escalates.
            let scene = neighbours.get_or_insert_with(|| {
                let scene = self.scene_around(unit.x_m, unit.y_m, r.domino_radius_m);
                scene
                    .units
                    .into_iter()
                    .filter(|u| u.key != unit.key)
                    .collect()
            });
            units.extend(scene.iter().cloned());
            units.extend(companions.iter().cloned());
        }
        let n = units.len();
        let mut failed = vec![0usize];
        let mut depth = 0;
        let mut without_brigade = None;
        let mut secondary: Vec<Option<Effect>> = vec![None; n];
        if escalates && n > 1 {
            for (i, u) in units.iter().enumerate().skip(1) {
                let site = self.site_of(u, source);
                let s = &r.substances[u.substance];
                secondary[i] = r
                    .tree
                    .failure_effect(s, u.inventory_kg * u.released_share, &site);
            }
            let mut flux = vec![0.0; n * n];
            let mut blast = vec![0.0; n * n];
            for i in 0..n {
                let effect = if i == 0 { primary } else { secondary[i] };
                let Some(effect) = effect else { continue };
                for j in 0..n {
                    if i != j {
                        let d = (units[i].x_m - units[j].x_m).hypot(units[i].y_m - units[j].y_m);
                        flux[i * n + j] = effect.lasting_flux_kw_m2(d, &r.air);
                        if i == 0 {
                            blast[j] = effect.blast_kpa(d);
                        }
                    }
                }
            }
            let site = source_site(self.m, source);
            let cascade = CascadeModel {
                units: units
                    .iter()
                    .map(|u| CascadeUnit {
                        vessel: u.vessel,
                        volume_m3: u.volume_m3,
                        protection: self.protection_of(u, site),
                    })
                    .collect(),
                flux_kw_m2: flux,
                blast_kpa: blast,
                escalation: &r.escalation,
                thresholds: r.escalation_thresholds,
                max_levels: usize::MAX,
                brigade,
            };
            // The same draws without the brigade: what it prevented.
            if let Some(b) = brigade {
                let nobody = CascadeModel {
                    brigade: Some(Brigade {
                        arrival_s: f64::INFINITY,
                        ..b
                    }),
                    ..cascade.clone()
                };
                let alone = nobody.sample(&[0], &mut rng.clone());
                without_brigade = Some((alone.failed(), alone.depth));
            }
            let result = cascade.sample(&[0], rng);
            failed = result.failed();
            depth = result.depth;
        }
        let effects_of = |failed: &[usize]| {
            let mut effects = Vec::new();
            if let Some(e) = primary {
                effects.push(Placed {
                    effect: e,
                    x_m: unit.x_m,
                    y_m: unit.y_m,
                });
            }
            for &i in failed.iter().skip(1) {
                if let Some(e) = secondary[i] {
                    effects.push(Placed {
                        effect: e,
                        x_m: units[i].x_m,
                        y_m: units[i].y_m,
                    });
                }
            }
            effects
        };
        let effects = effects_of(&failed);
        let unmitigated = without_brigade
            .filter(|(alone, _)| *alone != failed)
            .map(|(alone, alone_depth)| (effects_of(&alone), alone_depth, alone.len() as u32));
        Cascaded {
            effects,
            depth,
            failed,
            units,
            unmitigated,
        }
    }

    /// Deaths of a branch's effects in every weather class and wind sector of the moment; `primary`
    /// effects are the first `primary_count` of `effects`.
    fn branch_conditions(
        &self,
        moment: &mut Moment,
        effects: &[Placed],
        primary_count: usize,
    ) -> Vec<Condition> {
        let Moment {
            cache,
            radial,
            people,
            directions_deg,
            at,
            shelter,
        } = moment;
        let (people, at, shelter) = (*people, *at, *shelter);
        let r = self.risk_model();
        let v = &r.vulnerability;
        let radial_all = radial.deaths(effects, people, v, &r.air, &r.raster);
        let radial_primary = if primary_count < effects.len() {
            radial.deaths(&effects[..primary_count], people, v, &r.air, &r.raster)
        } else {
            radial_all
        };
        let clouds: Vec<(usize, &Placed)> = effects
            .iter()
            .enumerate()
            .filter(|(_, p)| p.effect.is_directional())
            .collect();
        if clouds.is_empty() {
            return vec![Condition {
                weather: ANY_WEATHER,
                wind_from_deg: f32::NAN,
                probability: 1.0,
                deaths: radial_all,
                primary_deaths: radial_primary,
            }];
        }
        let terrain = r.terrain_at(at.0, at.1);
        let mut out = Vec::with_capacity(r.weather.len() * 12);
        for (w, class) in r.weather.iter().enumerate() {
            let share = if people.night {
                class.night_share
            } else {
                class.day_share
            };
            if share <= 0.0 {
                continue;
            }
            let weather = Weather {
                stability: class.stability,
                wind_m_s: class.wind_m_s,
                terrain,
            };
            let fields: Vec<(bool, &Placed, Arc<CloudField>)> = clouds
                .iter()
                .map(|&(i, p)| {
                    let cloud = p.effect.cloud().expect("directional effects are clouds");
                    (
                        i < primary_count,
                        p,
                        cache.field(cloud, &weather, r.ambient_k, v),
                    )
                })
                .collect();
            for (sector, &from_deg) in directions_deg.iter().enumerate() {
                let p_sector = r.wind_rose_from[sector];
                if p_sector <= 0.0 {
                    continue;
                }
                let to = (from_deg + 180.0).to_radians();
                let (mut all, mut primary) = (radial_all, radial_primary);
                for (is_primary, p, field) in &fields {
                    let d = match shelter {
                        Some(warned) => {
                            field.deaths_sheltering((p.x_m, p.y_m), to, people, &r.raster, warned)
                        }
                        None => field.deaths(p.x_m, p.y_m, to, people, &r.raster),
                    };
                    all += d;
                    if *is_primary {
                        primary += d;
                    }
                }
                out.push(Condition {
                    weather: w as u8,
                    wind_from_deg: from_deg as f32,
                    probability: share * p_sector,
                    deaths: all,
                    primary_deaths: primary,
                });
            }
        }
        out
    }

    /// A branch's record: its cascade with the deaths by weather and wind, and the deaths had no
    /// brigade come where the cascade would have differed.
    fn branch_record(
        &self,
        outcome: Outcome,
        probability: f64,
        cascaded: Cascaded,
        primary_count: usize,
        moment: &mut Moment,
    ) -> Branch {
        let conditions = self.branch_conditions(moment, &cascaded.effects, primary_count);
        let unmitigated = cascaded
            .unmitigated
            .as_ref()
            .map(|(effects, depth, units)| Unmitigated {
                depth: *depth,
                units: *units,
                expected_deaths: self
                    .branch_conditions(moment, effects, primary_count)
                    .iter()
                    .map(|c| c.probability * c.deaths)
                    .sum(),
            });
        Branch {
            outcome,
            probability,
            depth: cascaded.depth,
            units: cascaded
                .failed
                .iter()
                .map(|&i| self.unit_label(&cascaded.units[i]))
                .collect(),
            effects: cascaded.effects,
            conditions,
            unmitigated,
        }
    }

    /// The states of the spill: caught by a working emergency pool (the pool no larger than it
    /// allows) or not, each with its source term and probability; one state without a pool.
    fn spill_states(
        &self,
        unit: &SceneUnit,
        source: AccidentSource,
        site: ReleaseSite,
        out: Outflow,
        st: SourceTerm,
    ) -> Vec<(ReleaseSite, SourceTerm, f64)> {
        let m = self.m;
        let r = self.risk_model();
        let caught = r
            .response
            .as_ref()
            .and_then(|response| response.pool_at(unit_kind(unit), source_site(m, source)));
        match caught {
            Some((max_area_m2, works)) => {
                let drained = ReleaseSite {
                    max_pool_area_m2: site.max_pool_area_m2.min(max_area_m2),
                    ..site
                };
                let substance = &r.substances[unit.substance];
                vec![
                    (drained, r.tree.source_term(substance, out, &drained), works),
                    (site, st, 1.0 - works),
                ]
            }
            None => vec![(site, st, 1.0)],
        }
    }

    /// Dispatches the brigade to the accident, if one is simulated: what was sent, and the brigade as
    /// the cascade's targets see it.
    fn send_brigade(
        &mut self,
        init: &Initiating,
        seed: u64,
        night: bool,
    ) -> (Option<super::Dispatch>, Option<Brigade>) {
        let m = self.m;
        let Some(response) = m.risk.as_ref().and_then(|r| r.response.as_ref()) else {
            return (None, None);
        };
        let d = self.dispatch_brigade(response, init, seed, night);
        let brigade = Brigade {
            arrival_s: d.on_scene_h.map_or(f64::INFINITY, |h| h * 3600.0),
            team_pfd: response.team_pfd,
            setup_median_s: response.setup_median_s,
            setup_sigma_ln: response.setup_sigma_ln,
        };
        (Some(d), Some(brigade))
    }

    /// Follows one release through: source term, every branch with its cascade and deaths by weather
    /// and wind, the closure; records it.
    pub(super) fn accident(&mut self, init: Initiating) {
        let m = self.m;
        let r = m.risk.as_ref().expect("risk model");
        let index = source_index(m, init.source);
        let unit = init.unit.clone();
        let substance = &r.substances[unit.substance];
        let site = self.site_of(&unit, init.source);
        let out = self.outflow_of(&unit, init.release_kind);
        let st: SourceTerm = r.tree.source_term(substance, out, &site);
        let spills = self.spill_states(&unit, init.source, site, out, st);
        let tree = outcomes_of_spills(r, substance, &spills);
        // One draw from the source's stream seeds everything this accident samples, so that what one
        // accident does (how many cascades, how deep) never shifts the next one's draws: the same
        // accidents get the same draws across layouts and settings (common random numbers).
        let seed = self.risk.as_mut().expect("risk state").consequence[index].random::<u64>();
        let mut rng = <RngStream as rand::SeedableRng>::seed_from_u64(seed);
        let hour = init.time_h.rem_euclid(24.0);
        let night = hour < m.exposure.day_start_h || hour >= m.exposure.day_end_h;
        let (dispatch, brigade) = self.send_brigade(&init, seed, night);
        let shelter = r
            .response
            .as_ref()
            .and_then(|response| response.shelter_at(source_site(m, init.source)));
        let state = self.risk.as_mut().expect("risk state");
        let mut moment = Moment {
            cache: std::mem::take(&mut state.fields),
            radial: std::mem::take(&mut state.radial),
            // One wind direction inside each sector (stratified), shared by the branches.
            directions_deg: std::array::from_fn(|k| {
                (k as f64 * 30.0 - 15.0 + 30.0 * rng.random::<f64>()).rem_euclid(360.0)
            }),
            people: People {
                night,
                indoor_fraction: if night {
                    m.exposure.indoor_fraction_night
                } else {
                    m.exposure.indoor_fraction_day
                },
            },
            at: (unit.x_m, unit.y_m),
            shelter,
        };
        let mut branches = Vec::with_capacity(tree.len());
        let mut neighbours = None;
        for &(outcome, probability, spill) in &tree {
            let (site, st, _) = &spills[spill];
            let primary = r.tree.effect(substance, st, outcome, site);
            let cascaded = self.branch_cascade(
                primary,
                &unit,
                &init.companions,
                init.source,
                &mut neighbours,
                brigade,
                &mut rng,
            );
            let primary_count = usize::from(primary.is_some());
            branches.push(self.branch_record(
                outcome,
                probability,
                cascaded,
                primary_count,
                &mut moment,
            ));
        }
        let Moment { cache, radial, .. } = moment;
        // One realisation for listings, drawn from the distribution.
        let b = pick(
            &branches.iter().map(|b| b.probability).collect::<Vec<_>>(),
            &mut rng,
        );
        let c = pick(
            &branches[b]
                .conditions
                .iter()
                .map(|c| c.probability)
                .collect::<Vec<_>>(),
            &mut rng,
        );
        let closure_h = self.closure_hours(init.source, init.weight, &mut rng);
        let state = self.risk.as_mut().expect("risk state");
        state.fields = cache;
        state.radial = radial;
        if closure_h > 0.0 {
            for target in self.closure_targets(init.source) {
                self.accident_closure(target, closure_h);
            }
        }
        let airborne_kg = if out.instantaneous {
            st.airborne_kg()
        } else {
            st.airborne_kg_s() * out.duration_s
        };
        let record = Accident {
            replication: self.replication,
            time_h: init.time_h - m.warmup_h,
            weight: init.weight,
            source: init.source,
            mode: init.mode,
            commodity: unit.commodity,
            substance: unit.substance,
            release: init.release_kind,
            released_kg: out.mass_kg,
            airborne_kg,
            night,
            x_m: unit.x_m,
            y_m: unit.y_m,
            chainage_km: init.chainage_km,
            closure_h,
            branches,
            shown: (b, c),
            dispatch,
        };
        self.risk
            .as_mut()
            .expect("risk state")
            .accidents
            .push(record);
    }
}
