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
pub mod population;
pub mod probit;
pub mod source;
pub mod vce;
pub mod vulnerability;
