//! The discrete-event kernel: clock, event queue, resources, containers, statistics and random streams.
//!
//! Domain-free: nothing here knows about docks, locks or chlorine. A model is a struct that owns a
//! [`Scheduler`] with its own event enum, plus whatever [`Resource`]s, [`Container`]s and statistics it
//! needs, and drives them from a `match` on its events. Time is in hours throughout.

mod container;
mod quad;
mod queue;
mod radix;
mod random;
mod resource;
mod scheduler;
mod stats;
mod waits;

pub use container::{Container, LevelMark, Side, Transfer, Woken};
pub use queue::{EventKey, EventQueue, Time, hour_of_day};
pub use random::{DistError, DistSpec, RngStream, Sampler, StreamSeeder};
pub use resource::{Discipline, Request, Resource, ResourceStats, Started};
pub use scheduler::Scheduler;
pub use stats::{Histogram, Tally, TimeWeighted};
pub use waits::{ClosedClock, WaitTallies};
