//! An open tandem line: Poisson arrivals pass M/M/c stations in series. Used to check Little's law
//! (L = lambda W) on the whole line and against Jackson's product-form solution.

use crate::des::{
    Discipline, DistSpec, Request, Resource, RngStream, Sampler, Scheduler, StreamSeeder, Tally,
    TimeWeighted,
};

/// What one replication of the line measured (after the warm-up).
#[derive(Clone, Debug, Default)]
pub struct TandemResult {
    /// Mean sojourn (wait + service) at each station.
    pub sojourn_by_station: Vec<f64>,
    /// Mean time in the whole line.
    pub mean_time_in_system: f64,
    /// Time-average number of customers in the line.
    pub mean_number_in_system: f64,
    /// Customers leaving the line per hour.
    pub throughput_per_hour: f64,
    /// Events processed.
    pub events: u64,
}

#[derive(Clone, Copy)]
enum Event {
    Arrival,
    /// Service end at a station of a customer who entered that station at the given time.
    Departure {
        station: usize,
        customer: Customer,
    },
    WarmupEnd,
}

#[derive(Clone, Copy)]
struct Customer {
    entered_line: f64,
    entered_station: f64,
}

/// Simulates the line: arrival rate `lambda`, stations `(servers, mu)`, until `horizon_hours`, statistics
/// restarted at `warmup_hours`.
pub fn simulate(
    lambda: f64,
    stations: &[(u32, f64)],
    horizon_hours: f64,
    warmup_hours: f64,
    seeder: &StreamSeeder,
    replication: u64,
) -> TandemResult {
    let exp = |mean: f64| {
        DistSpec::Exponential { mean }
            .compile()
            .expect("positive rate")
    };
    let interarrival = exp(1.0 / lambda);
    let services: Vec<Sampler> = stations.iter().map(|&(_, mu)| exp(1.0 / mu)).collect();
    let mut arrival_stream = seeder.stream(replication, "arrivals");
    let mut service_streams: Vec<RngStream> = (0..stations.len())
        .map(|i| seeder.stream(replication, &format!("service/{i}")))
        .collect();
    let mut resources: Vec<Resource<Customer>> = stations
        .iter()
        .map(|&(c, _)| Resource::new(0.0, c, Discipline::Fifo))
        .collect();
    let mut sojourns = vec![Tally::new(); stations.len()];
    let mut time_in_system = Tally::new();
    let mut in_system = TimeWeighted::new(0.0, 0.0);
    let mut warmup_time = 0.0;

    let mut scheduler = Scheduler::new();
    scheduler.schedule_in(interarrival.sample(&mut arrival_stream), Event::Arrival);
    scheduler.schedule_at(warmup_hours, Event::WarmupEnd);

    while let Some(event) = scheduler.next_event_until(horizon_hours) {
        let now = scheduler.now();
        match event {
            Event::Arrival => {
                scheduler.schedule_in(interarrival.sample(&mut arrival_stream), Event::Arrival);
                in_system.add(now, 1.0);
                let customer = Customer {
                    entered_line: now,
                    entered_station: now,
                };
                if resources[0].request(now, customer, 0) == Request::Granted {
                    let s = services[0].sample(&mut service_streams[0]);
                    scheduler.schedule_in(
                        s,
                        Event::Departure {
                            station: 0,
                            customer,
                        },
                    );
                }
            }
            Event::Departure { station, customer } => {
                sojourns[station].record(now - customer.entered_station);
                if let Some(next) = resources[station].release(now) {
                    let s = services[station].sample(&mut service_streams[station]);
                    scheduler.schedule_in(
                        s,
                        Event::Departure {
                            station,
                            customer: next.customer,
                        },
                    );
                }
                let next_station = station + 1;
                if next_station < resources.len() {
                    let moved = Customer {
                        entered_line: customer.entered_line,
                        entered_station: now,
                    };
                    if resources[next_station].request(now, moved, 0) == Request::Granted {
                        let s = services[next_station].sample(&mut service_streams[next_station]);
                        scheduler.schedule_in(
                            s,
                            Event::Departure {
                                station: next_station,
                                customer: moved,
                            },
                        );
                    }
                } else {
                    in_system.add(now, -1.0);
                    time_in_system.record(now - customer.entered_line);
                }
            }
            Event::WarmupEnd => {
                sojourns.iter_mut().for_each(Tally::reset);
                time_in_system.reset();
                in_system.reset(now);
                resources.iter_mut().for_each(|r| r.reset_stats(now));
                warmup_time = now;
            }
        }
    }
    let now = scheduler.now();
    TandemResult {
        sojourn_by_station: sojourns.iter().map(Tally::mean).collect(),
        mean_time_in_system: time_in_system.mean(),
        mean_number_in_system: in_system.mean(now),
        throughput_per_hour: time_in_system.count() as f64 / (now - warmup_time),
        events: scheduler.events_processed(),
    }
}
