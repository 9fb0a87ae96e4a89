//! What leaves a unit in a release (the breach, the containment, the outflow) and the place it
//! happens at (pool limits, the congestion an exploding cloud finds).

use super::super::Replication;
use super::super::scene::SceneUnit;
use super::{AccidentSource, ReleaseKind};
use crate::risk::consequence::{ReleaseSite, SubstanceState};
use crate::risk::source::{Breach, Containment, Outflow, P_ATM_PA, outflow};

/// Whether a source's units stand at a site (tank farm, bays, berths) or on the network (roads,
/// railways, waterways, lots): it decides the congestion an exploding cloud finds.
fn at_site(source: AccidentSource) -> bool {
    matches!(
        source,
        AccidentSource::Tank(_) | AccidentSource::Loading(_) | AccidentSource::Berth(_)
    )
}

impl Replication<'_> {
    /// What leaves `unit` in a release of `kind`.
    pub(super) fn outflow_of(&self, unit: &SceneUnit, kind: ReleaseKind) -> Outflow {
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

    pub(super) fn site_of(&self, unit: &SceneUnit, source: AccidentSource) -> ReleaseSite {
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
}
