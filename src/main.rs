//! The `hazflow` command line. It only parses arguments and calls the library.

use clap::Parser;

/// Discrete-event Monte-Carlo simulator of chemical-park logistics and hazmat flows.
#[derive(Parser)]
#[command(version, about)]
struct Cli {}

fn main() {
    let _cli = Cli::parse();
    eprintln!(
        "hazflow {}: the scenario commands arrive with the logistics model; until then run the kernel example:\n  \
         cargo run --release --example mmc -- --servers 3 --rho 0.9 --customers 2000000 --reps 4 --threads 2",
        env!("CARGO_PKG_VERSION")
    );
}
