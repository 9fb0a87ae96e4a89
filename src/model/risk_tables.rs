//! Risk data turned into the physics types: vulnerability conventions, toxic probits in mg/m3, the
//! escalation model. Shared by the compiled model and the assessor tools.

use crate::risk::probit::{Probit, ToxicProbit};
use crate::risk::vulnerability::Vulnerability;
use crate::scenario::{ConcentrationUnit, ProbitData, RiskData};

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
