//! hazflow: a discrete-event Monte-Carlo simulator of chemical-park logistics and hazardous-materials flows.
//!
//! Data flows one way: scenario -> compiled model -> replications -> statistics -> reports. The layers,
//! lowest first (no module imports one above it):
//!
//! * [`des`]: the deterministic discrete-event kernel (clock, event queue, resources, containers,
//!   statistics, random streams);
//! * [`risk`]: effect and damage models, escalation and the cascade engine: physics and probability only;
//! * [`scenario`]: the TOML format, `extends`, physical-range and semantic validation with located errors;
//! * [`model`]: the compiled network, routes and risk model, immutable and shared by all replications;
//! * [`sim`]: one replication of the logistics model, with sampled accidents and the saturation guard;
//! * [`experiment`]: parallel replications aggregated in replication order, Student-t intervals, the
//!   risk fold and analysis, stored replications for shards and checkpoints, paired comparisons;
//! * [`report`]: CSV, plots, HTML, manifests, the findings document, written atomically;
//! * [`assess`]: the assessor's tools that need no simulation (`hazflow effect`, `hazflow cascade`);
//! * [`app`]: the commands behind the command line, with their budgets;
//! * [`validation`]: textbook queueing models on the kernel and their analytic solutions, used by the
//!   validation tests, the benchmarks and the `mmc` example.
#![warn(clippy::too_many_lines)]

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
