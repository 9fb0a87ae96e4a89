//! M/M/c on the hazflow kernel, replicated in parallel, against Erlang C. Prints one JSON line.
//!
//! `cargo run --release --example mmc -- --servers 3 --rho 0.9 --customers 2000000 --reps 4 --threads 1 --seed 7`

use std::time::Instant;

use clap::Parser;
use hazflow::des::StreamSeeder;
use hazflow::experiment::{ReplicationStats, Runner};
use hazflow::validation::analytic;
use hazflow::validation::station::{RunLength, Warmup, mmc_config, simulate};

#[derive(Parser)]
#[command(about = "M/M/c queue on the hazflow kernel, checked against Erlang C")]
struct Args {
    /// Number of servers c.
    #[arg(long, default_value_t = 3)]
    servers: u32,
    /// Utilisation rho = lambda / (c mu), in (0, 1).
    #[arg(long, default_value_t = 0.9)]
    rho: f64,
    /// Service rate per server (per hour).
    #[arg(long, default_value_t = 1.0)]
    mu: f64,
    /// Customers (arrivals) per replication.
    #[arg(long, default_value_t = 1_000_000)]
    customers: u64,
    /// Customers deleted as warm-up at the start of each replication (default: 1 % of --customers).
    #[arg(long)]
    warmup_customers: Option<u64>,
    /// Replications.
    #[arg(long, default_value_t = 4)]
    reps: u64,
    /// Worker threads.
    #[arg(long, default_value_t = 1)]
    threads: usize,
    /// Master seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

fn main() {
    let args = Args::parse();
    if !(args.rho > 0.0 && args.rho < 1.0) || args.servers == 0 || args.mu <= 0.0 || args.reps == 0
    {
        eprintln!("error: need 0 < --rho < 1, --servers >= 1, --mu > 0 and --reps >= 1");
        std::process::exit(2);
    }
    let runner = Runner::new(args.threads).unwrap_or_else(|e| {
        eprintln!("error: {e}");
        std::process::exit(2);
    });
    let lambda = args.rho * args.servers as f64 * args.mu;
    let warmup = args.warmup_customers.unwrap_or(args.customers / 100).max(1);
    let config = mmc_config(
        args.servers,
        lambda,
        args.mu,
        RunLength::Arrivals(args.customers),
        Warmup::Arrivals(warmup),
    );
    let seeder = StreamSeeder::new(args.seed);

    let started = Instant::now();
    let (mut wait, mut queue, mut utilisation) = (
        ReplicationStats::new(),
        ReplicationStats::new(),
        ReplicationStats::new(),
    );
    let mut events = 0u64;
    runner.run(
        0..args.reps,
        |rep| simulate(&config, &seeder, rep),
        |_, r| {
            wait.record(r.mean_wait);
            queue.record(r.mean_queue_length);
            utilisation.record(r.utilisation);
            events += r.events;
        },
    );
    let seconds = started.elapsed().as_secs_f64();
    let theory = analytic::mmc(args.servers, lambda, args.mu);
    let json = serde_json::json!({
        "servers": args.servers,
        "rho": args.rho,
        "customers": args.customers,
        "warmup_customers": warmup,
        "reps": args.reps,
        "threads": runner.threads(),
        "seed": args.seed,
        "mean_wait": wait.mean(),
        "ci95_half_width": wait.ci95_half_width(),
        "erlang_c_wait": theory.mean_wait,
        "mean_queue_length": queue.mean(),
        "erlang_c_queue_length": theory.mean_queue_length,
        "utilisation": utilisation.mean(),
        "events": events,
        "wall_seconds": seconds,
        "events_per_sec": events as f64 / seconds,
    });
    println!("{json}");
}
