//! hazflow: a discrete-event Monte-Carlo simulator of chemical-park logistics and hazardous-materials flows.
//!
//! Data flows one way: scenario -> compiled model -> replications -> statistics -> reports. This crate
//! currently holds the layers every later one stands on:
//!
//! * [`des`]: the deterministic discrete-event kernel (clock, event queue, resources, containers,
//!   statistics, random streams);
//! * [`experiment`]: parallel replications aggregated in replication order, with Student-t intervals;
//! * [`validation`]: textbook queueing models on the kernel and their analytic solutions, used by the
//!   validation tests, the benchmarks and the `mmc` example.

pub mod app;
pub mod assess;
pub mod des;
pub mod experiment;
pub mod model;
pub mod report;
pub mod risk;
pub mod scenario;
pub mod sim;
pub mod validation;

/// The code examples of `docs/kernel.md` run as doc tests, so the guide cannot drift from the code.
#[cfg(doctest)]
#[doc = include_str!("../docs/kernel.md")]
pub struct KernelGuide;
