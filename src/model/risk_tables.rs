//! Risk data turned into the physics types: vulnerability conventions, toxic probits in mg/m3, the
//! escalation model. Shared by the compiled model and the assessor tools.

use crate::risk::consequence::{Substance, SubstanceState};
use crate::risk::probit::{Probit, ToxicProbit};
use crate::risk::source::Thermo;
use crate::risk::vulnerability::Vulnerability;
use crate::scenario::{ConcentrationUnit, ProbitData, RiskData, Sourced};

/// Molar volume of an ideal gas at 25 C and 1 atm, litres: converts ppm to mg/m3.
const MOLAR_VOLUME_L: f64 = 24.45;

fn probit(p: &ProbitData) -> Probit {
    Probit {
        a: p.a,
        b: p.b,
        scale: p.scale,
    }
}

/// The `[people]` conventions.
pub fn vulnerability(data: &RiskData) -> Vulnerability {
    let p = &data.people;
    Vulnerability {
        thermal: probit(&p.thermal_probit),
        lung: probit(&p.lung_probit),
        lethal_flux_kw_m2: p.lethal_flux_kw_m2.value,
        societal_clothing_factor: p.societal_clothing_factor.value,
        fire_exposure_s: p.fire_exposure_s.value,
        lethal_overpressure_kpa: p.lethal_overpressure_kpa.value,
        indoor_blast_min_kpa: p.indoor_blast_min_kpa.value,
        indoor_blast_lethality: p.indoor_blast_lethality.value,
        toxic_exposure_cap_min: p.toxic_exposure_cap_min.value,
        indoor_air_changes_per_h: p.indoor_air_changes_per_h.value,
    }
}

/// The toxic probit `id` with concentrations in mg/m3 (a ppm probit is converted with the molar mass of
/// the first substance that uses it). `None` if unknown or if a ppm probit has no substance with a
/// molar mass.
pub fn toxic_probit(data: &RiskData, id: &str) -> Option<ToxicProbit> {
    let t = data.toxic_probit.iter().find(|t| t.id == id)?;
    let a = match t.unit {
        ConcentrationUnit::MgPerM3 => t.a,
        ConcentrationUnit::Ppm => {
            let molar_mass = data
                .substance
                .iter()
                .filter(|s| s.toxic_probit.as_deref() == Some(id))
                .find_map(|s| s.molar_mass_g_mol.as_ref())?
                .value;
            // ln(C_ppm^n t) = ln(C_mg^n t) + n ln(24.45 / M).
            t.a + t.b * t.n * (MOLAR_VOLUME_L / molar_mass).ln()
        }
    };
    Some(ToxicProbit { a, b: t.b, n: t.n })
}

/// Substance `i` of the data, compiled.
pub fn substance(data: &RiskData, i: usize) -> Substance {
    let s = &data.substance[i];
    let v = |x: &Option<Sourced<f64>>| x.as_ref().map_or(0.0, |x| x.value);
    let pressure_bar = s.storage_pressure_bar.as_ref().map_or(1.01325, |x| x.value);
    let vapour_pressure_pa = match s.state {
        SubstanceState::LiquefiedPressurised => pressure_bar * 1e5,
        _ => v(&s.vapour_pressure_pa),
    };
    Substance {
        id: s.id.clone(),
        state: s.state,
        liquid_density_kg_m3: v(&s.liquid_density_kg_m3),
        pressure_bar,
        hc_mj_per_kg: v(&s.heat_of_combustion_mj_per_kg),
        burning_rate_kg_m2_s: v(&s.burning_rate_kg_m2_s),
        radiative_fraction: v(&s.radiative_fraction),
        fireball_radiative_fraction: s.fireball_radiative_fraction.as_ref().map(|x| x.value),
        flame_flux_kw_m2: v(&s.flame_flux_kw_m2),
        transfer_bore_mm: s.transfer_bore_mm.as_ref().map(|x| x.value),
        lfl_kg_m3: v(&s.lower_flammability_kg_m3),
        toxic: s
            .toxic_probit
            .as_deref()
            .and_then(|id| toxic_probit(data, id)),
        molar_mass_g_mol: v(&s.molar_mass_g_mol),
        ignition: s.ignition,
        thermo: Thermo {
            boiling_point_k: v(&s.boiling_point_k),
            liquid_cp_kj_kg_k: v(&s.liquid_cp_kj_kg_k),
            vaporisation_kj_kg: v(&s.heat_of_vaporisation_kj_kg),
            vapour_pressure_pa,
            gamma: s.gamma.as_ref().map_or(1.4, |x| x.value),
        },
    }
}

/// The substance with this id, compiled.
pub fn substance_named(data: &RiskData, id: &str) -> Option<Substance> {
    data.substance
        .iter()
        .position(|s| s.id == id)
        .map(|i| substance(data, i))
}
