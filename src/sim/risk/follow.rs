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

use rand::RngExt;

use super::super::Replication;
use super::super::availability::Target;
use super::super::scene::{SceneUnit, UnitKey};
use super::{
    ANY_WEATHER, Accident, AccidentSource, Branch, Condition, Initiating, ReleaseKind, Unmitigated,
    pick, source_index,
};
use crate::des::RngStream;
use crate::model::{Mode, RiskModel, SiteId};
use crate::risk::cascade::{CascadeModel, CascadeUnit};
use crate::risk::consequence::{Outcome, ReleaseSite, SubstanceState};
use crate::risk::dispersion::Weather;
use crate::risk::effects::Effect;
use crate::risk::intervention::{Brigade, Protection};
use crate::scenario::ProtectedUnit;
use std::sync::Arc;

use crate::risk::population::{
    CloudField, CloudFieldCache, People, Placed, RadialDeathsCache, Shelter,
};
use crate::risk::source::{Breach, Containment, Outflow, P_ATM_PA, SourceTerm, outflow};
use crate::scenario::ClosureMode;

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

/// Whether a source's units stand at a site (tank farm, bays, berths) or on the network (roads,
/// railways, waterways, lots): it decides the congestion an exploding cloud finds.
fn at_site(source: AccidentSource) -> bool {
    matches!(
        source,
        AccidentSource::Tank(_) | AccidentSource::Loading(_) | AccidentSource::Berth(_)
    )
}

impl Replication<'_> {
    fn risk_model(&self) -> &RiskModel {
        self.m.risk.as_ref().expect("risk model")
    }

    /// What leaves `unit` in a release of `kind`.
    fn outflow_of(&self, unit: &SceneUnit, kind: ReleaseKind) -> Outflow {
        let r = self.risk_model();
        let s = &r.substances[unit.substance];
        let rel = &r.release;
        let tank = matches!(unit.kind, "tank");
        let containment = Containment {
            phase: s.phase(),
            inventory_kg: unit.inventory_kg.max(0.0) * unit.released_share,
            pressure_pa: match s.state {
                SubstanceState::LiquefiedPressurised | SubstanceState::CompressedGas => {
                    s.pressure_bar * 1e5
                }
                _ => P_ATM_PA,
            },
            head_m: if tank {
                rel.liquid_head_m
            } else {
                rel.vehicle_liquid_head_m
            },
            liquid_density_kg_m3: s.liquid_density_kg_m3,
            molar_mass_g_mol: s.molar_mass_g_mol,
            gamma: s.thermo.gamma,
            temperature_k: r.ambient_k,
        };
        let container_hole = |large: bool| {
            let rules = unit.container.map(|c| r.container(c));
            let wanted = if large {
                crate::scenario::ContainerRelease::LargeLeak
            } else {
                crate::scenario::ContainerRelease::SmallLeak
            };
            rules
                .and_then(|c| c.scenarios.iter().find(|s| s.0 == wanted).map(|s| s.2))
                .unwrap_or(rel.hole_mm)
        };
        let bore = if unit.kind == "vessel" {
            rel.arm_bore_mm
        } else {
            s.transfer_bore_mm.unwrap_or(rel.hose_bore_mm)
        };
        let breach = match kind {
            ReleaseKind::Instantaneous => Breach::Rupture,
            ReleaseKind::TenMinutes => Breach::Emptying {
                seconds: rel.ten_minute_s,
            },
            ReleaseKind::Hole => Breach::Hole {
                diameter_mm: rel.hole_mm,
            },
            ReleaseKind::SmallLeak => Breach::Hole {
                diameter_mm: container_hole(false),
            },
            ReleaseKind::LargeLeak => Breach::Hole {
                diameter_mm: container_hole(true),
            },
            // Purple Book: a rupture is full bore, a leak a tenth of the diameter.
            ReleaseKind::HoseRupture => Breach::Hole { diameter_mm: bore },
            ReleaseKind::HoseLeak => Breach::Hole {
                diameter_mm: 0.1 * bore,
            },
        };
        let stops_after = match kind {
            ReleaseKind::HoseRupture | ReleaseKind::HoseLeak => rel.transfer_isolation_s,
            _ => rel.max_duration_s,
        };
        outflow(&containment, breach, rel.discharge_coefficient, stops_after)
    }

    fn site_of(&self, unit: &SceneUnit, source: AccidentSource) -> ReleaseSite {
        let r = self.risk_model();
        ReleaseSite {
            max_pool_area_m2: unit.max_pool_area_m2,
            min_pool_depth_m: r.release.min_pool_depth_m,
            max_duration_s: r.release.max_duration_s,
            ambient_k: r.ambient_k,
            ground: r.release.ground,
            explosion: r.explosion[usize::from(at_site(source))],
        }
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
    #[allow(clippy::too_many_arguments)]
    fn branch_conditions(
        &self,
        cache: &mut CloudFieldCache,
        radial: &mut RadialDeathsCache,
        effects: &[Placed],
        primary_count: usize,
        people: People,
        directions_deg: &[f64; 12],
        at: (f64, f64),
        shelter: Option<Shelter>,
    ) -> Vec<Condition> {
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
        // An emergency pool that works drains the spill away: the pool is no larger than it allows.
        // Both states are followed, each branch weighted by its state's probability.
        let caught = r
            .response
            .as_ref()
            .and_then(|response| response.pool_at(unit_kind(&unit), source_site(m, init.source)));
        let mut spills: Vec<(ReleaseSite, SourceTerm, f64)> = Vec::with_capacity(2);
        match caught {
            Some((max_area_m2, works)) => {
                let drained = ReleaseSite {
                    max_pool_area_m2: site.max_pool_area_m2.min(max_area_m2),
                    ..site
                };
                spills.push((drained, r.tree.source_term(substance, out, &drained), works));
                spills.push((site, st, 1.0 - works));
            }
            None => spills.push((site, st, 1.0)),
        }
        let tree: Vec<(Outcome, f64, usize)> = spills
            .iter()
            .enumerate()
            .filter(|(_, spill)| spill.2 > 0.0)
            .flat_map(|(k, (_, st, p_spill))| {
                r.tree
                    .outcomes(substance, st)
                    .into_iter()
                    .map(move |(outcome, p)| (outcome, p * p_spill, k))
            })
            .collect();
        // One draw from the source's stream seeds everything this accident samples, so that what one
        // accident does (how many cascades, how deep) never shifts the next one's draws: the same
        // accidents get the same draws across layouts and settings (common random numbers).
        let seed = self.risk.as_mut().expect("risk state").consequence[index].random::<u64>();
        let mut rng = <RngStream as rand::SeedableRng>::seed_from_u64(seed);
        let hour = init.time_h.rem_euclid(24.0);
        let night = hour < m.exposure.day_start_h || hour >= m.exposure.day_end_h;
        let dispatch = r
            .response
            .as_ref()
            .map(|response| (response, self.dispatch_brigade(&init, seed, night)));
        let brigade = dispatch.map(|(response, d)| Brigade {
            arrival_s: d.on_scene_h.map_or(f64::INFINITY, |h| h * 3600.0),
            team_pfd: response.team_pfd,
            setup_median_s: response.setup_median_s,
            setup_sigma_ln: response.setup_sigma_ln,
        });
        let shelter = r
            .response
            .as_ref()
            .and_then(|response| response.shelter_at(source_site(m, init.source)));
        let state = self.risk.as_mut().expect("risk state");
        let mut cache = std::mem::take(&mut state.fields);
        let mut radial = std::mem::take(&mut state.radial);
        // One wind direction inside each sector (stratified), shared by the branches.
        let directions: [f64; 12] = std::array::from_fn(|k| {
            (k as f64 * 30.0 - 15.0 + 30.0 * rng.random::<f64>()).rem_euclid(360.0)
        });
        let people = People {
            night,
            indoor_fraction: if night {
                m.exposure.indoor_fraction_night
            } else {
                m.exposure.indoor_fraction_day
            },
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
            let mut conditions_of = |effects: &[Placed]| {
                self.branch_conditions(
                    &mut cache,
                    &mut radial,
                    effects,
                    primary_count,
                    people,
                    &directions,
                    (unit.x_m, unit.y_m),
                    shelter,
                )
            };
            let conditions = conditions_of(&cascaded.effects);
            let unmitigated = cascaded
                .unmitigated
                .as_ref()
                .map(|(effects, depth, units)| Unmitigated {
                    depth: *depth,
                    units: *units,
                    expected_deaths: conditions_of(effects)
                        .iter()
                        .map(|c| c.probability * c.deaths)
                        .sum(),
                });
            branches.push(Branch {
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
            });
        }
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
            dispatch: dispatch.map(|(_, d)| d),
        };
        self.risk
            .as_mut()
            .expect("risk state")
            .accidents
            .push(record);
    }

    /// Whether and for how long the accident closes its link or facility.
    fn closure_hours(&self, source: AccidentSource, weight: f64, rng: &mut RngStream) -> f64 {
        let m = self.m;
        let r = self.risk_model();
        let closes = match r.closure_mode {
            ClosureMode::Off => false,
            ClosureMode::EverySampled => true,
            ClosureMode::Real => rng.random::<f64>() < weight,
        };
        if !closes || self.closure_targets(source).is_empty() {
            return 0.0;
        }
        let hours = match source {
            AccidentSource::Transport(l) => &r.closure_h.link[m.links[l].mode],
            // A lock closes the waterway.
            AccidentSource::Lock(_) => &r.closure_h.link[Mode::Water],
            _ => &r.closure_h.facility,
        };
        hours.sample(rng).max(0.0)
    }

    fn closure_targets(&self, source: AccidentSource) -> Vec<Target> {
        let m = self.m;
        match source {
            AccidentSource::Transport(l) => vec![Target::Link(l)],
            AccidentSource::Tank(t) => vec![Target::Site(m.tanks[t].site)],
            AccidentSource::Loading(s) | AccidentSource::Berth(s) => vec![Target::Site(s)],
            AccidentSource::Lock(l) => (0..m.locks[l].lines.len())
                .map(|k| Target::LockLine(l, k))
                .collect(),
            AccidentSource::Parking(_) | AccidentSource::Roadside(_) => Vec::new(),
        }
    }
}
