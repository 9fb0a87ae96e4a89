//! Accident risk: effect and damage models (probits, fires, explosions, dispersion), escalation to
//! neighbouring equipment and the domino cascade engine.
//!
//! This layer is physics and probability only: it knows nothing of the simulation. The risk data
//! (constants with their sources) come from data files, so that an assessor can swap the Purple Book set
//! for CCPS or newer RIVM values without touching code.

pub mod blast;
pub mod cascade;
pub mod cloud;
pub mod consequence;
pub mod dense;
pub mod dispersion;
pub mod effects;
pub mod escalation;
pub mod fire;
pub mod fn_curve;
pub mod individual;
pub mod intervention;
pub mod population;
pub mod probit;
pub mod source;
pub mod vce;
pub mod vulnerability;

/// `x.floor() as usize` for every `x`, without the call to libm's `floor` that the baseline x86-64
/// target makes (it has no rounding instruction): the hot loops of the consequence grids index tables
/// with it millions of times per run. A cast truncates towards zero, which is the floor for `x >= 0`,
/// and a cast to an unsigned type saturates every negative value (and NaN) to 0, as it does the floor's.
#[inline]
pub(crate) fn floor_index(x: f64) -> usize {
    x as usize
}

#[cfg(test)]
mod floor_index_tests {
    #[test]
    fn floor_index_is_the_floor_cast() {
        for x in [
            -1e300,
            -2.5,
            -1.0,
            -0.5,
            -0.0,
            0.0,
            0.25,
            0.999_999,
            1.0,
            1.5,
            7.0,
            1e15 + 0.5,
            1e300,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
        ] {
            assert_eq!(super::floor_index(x), x.floor() as usize, "x = {x}");
        }
    }
}
