//! Textbook queueing systems built on the kernel, and their analytic solutions.
//!
//! The validation tests (`tests/validation.rs`), the benchmarks and the `mmc` example use these to show
//! that the kernel reproduces queueing theory: Erlang C, Pollaczek-Khinchine, Cobham, Little and Jackson.

pub mod analytic;
pub mod dispersion;
pub mod station;
pub mod tandem;
