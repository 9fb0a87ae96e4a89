//! Tools for safety assessors that work without a simulation run: spot checks of effect models
//! (`hazflow effect`) and conditional domino analysis of a fixed layout (`hazflow cascade`). Each prints
//! one JSON object.

pub mod cascade;
pub mod effect;
pub mod release_effect;
