//! A single multi-server station with customer classes and optional closures, built on the kernel.
//!
//! It covers the textbook systems the kernel is validated against (M/M/c, M/D/1, priority M/G/1, a server
//! with scheduled or random closures) and is the "kernel M/M/3" of the benchmarks and the `mmc` example.

use crate::des::{
    Discipline, Request, Resource, RngStream, Sampler, Scheduler, StreamSeeder, Tally,
};

/// One class of customers.
#[derive(Clone, Debug)]
pub struct CustomerClass {
    /// Time between arrivals (hours).
    pub interarrival: Sampler,
    /// Service time (hours).
    pub service: Sampler,
    /// Priority (lower is served first) when the discipline is [`Discipline::Priority`].
    pub priority: i32,
}

/// How the station's servers are taken out of service.
#[derive(Clone, Debug)]
pub enum Closures {
    /// Always open.
    None,
    /// Open for `open_hours` at the start of every period of `period_hours`, closed for the rest.
    Periodic {
        /// Cycle length.
        period_hours: f64,
        /// Open part at the start of each cycle.
        open_hours: f64,
    },
    /// Alternating random up and down times (MTBF/MTTR style).
    Random {
        /// Time between failures.
        up: Sampler,
        /// Time to repair.
        down: Sampler,
    },
}

/// When a run ends.
#[derive(Clone, Copy, Debug)]
pub enum RunLength {
    /// After this many arrivals (all classes together).
    Arrivals(u64),
    /// At this time (hours).
    Hours(f64),
}

/// When statistics restart.
#[derive(Clone, Copy, Debug)]
pub enum Warmup {
    /// When this arrival occurs (all classes together).
    Arrivals(u64),
    /// At this time (hours).
    Hours(f64),
}

/// A station to simulate.
#[derive(Clone, Debug)]
pub struct StationConfig {
    /// Number of servers.
    pub servers: u32,
    /// Queue discipline.
    pub discipline: Discipline,
    /// Customer classes (at least one).
    pub classes: Vec<CustomerClass>,
    /// Closures of all servers at once.
    pub closures: Closures,
    /// Run length.
    pub run_length: RunLength,
    /// Warm-up deletion.
    pub warmup: Warmup,
}

/// What one replication measured (after the warm-up).
#[derive(Clone, Debug, Default)]
pub struct StationResult {
    /// Mean wait in queue per class (hours).
    pub mean_wait_by_class: Vec<f64>,
    /// Customers of each class that started service.
    pub started_by_class: Vec<u64>,
    /// Mean wait in queue over all customers.
    pub mean_wait: f64,
    /// Mean wait part spent while the station was closed.
    pub mean_closed_wait: f64,
    /// Mean wait part caused by congestion.
    pub mean_congestion_wait: f64,
    /// 95th percentile of the wait.
    pub p95_wait: f64,
    /// Time-average number waiting.
    pub mean_queue_length: f64,
    /// Busy servers over available servers.
    pub utilisation: f64,
    /// Available over nominal server-hours.
    pub availability: f64,
    /// Service completions per hour.
    pub throughput_per_hour: f64,
    /// Customers that started service.
    pub started: u64,
    /// Events processed (whole run, warm-up included).
    pub events: u64,
}

#[derive(Clone, Copy, Debug)]
enum Event {
    Arrival(u16),
    Departure(u16),
    Close,
    Open,
    WarmupEnd,
}

/// Simulates replication `replication` of `config`; streams come from `seeder`.
pub fn simulate(config: &StationConfig, seeder: &StreamSeeder, replication: u64) -> StationResult {
    Station::new(config, seeder, replication).run()
}

struct Station<'a> {
    config: &'a StationConfig,
    scheduler: Scheduler<Event>,
    resource: Resource<u16>,
    arrival_streams: Vec<RngStream>,
    service_streams: Vec<RngStream>,
    closure_stream: RngStream,
    waits_by_class: Vec<Tally>,
    arrivals: u64,
    completions: u64,
    started_buffer: Vec<crate::des::Started<u16>>,
    warmup_time: f64,
}

impl<'a> Station<'a> {
    fn new(config: &'a StationConfig, seeder: &StreamSeeder, replication: u64) -> Self {
        let classes = config.classes.len();
        Station {
            config,
            scheduler: Scheduler::with_capacity(64),
            resource: Resource::new(0.0, config.servers, config.discipline),
            arrival_streams: (0..classes)
                .map(|k| seeder.stream(replication, &format!("arrivals/{k}")))
                .collect(),
            service_streams: (0..classes)
                .map(|k| seeder.stream(replication, &format!("service/{k}")))
                .collect(),
            closure_stream: seeder.stream(replication, "closures"),
            waits_by_class: vec![Tally::new(); classes],
            arrivals: 0,
            completions: 0,
            started_buffer: Vec::new(),
            warmup_time: 0.0,
        }
    }

    fn run(mut self) -> StationResult {
        for (k, class) in self.config.classes.iter().enumerate() {
            let first = class.interarrival.sample(&mut self.arrival_streams[k]);
            self.scheduler.schedule_in(first, Event::Arrival(k as u16));
        }
        match &self.config.closures {
            Closures::None => {}
            Closures::Periodic { open_hours, .. } => {
                self.scheduler.schedule_in(*open_hours, Event::Close);
            }
            Closures::Random { up, .. } => {
                let t = up.sample(&mut self.closure_stream);
                self.scheduler.schedule_in(t, Event::Close);
            }
        }
        if let Warmup::Hours(h) = self.config.warmup {
            self.scheduler.schedule_at(h, Event::WarmupEnd);
        }
        let (horizon, arrival_limit) = match self.config.run_length {
            RunLength::Arrivals(n) => (f64::INFINITY, n),
            RunLength::Hours(h) => (h, u64::MAX),
        };
        while let Some(event) = self.scheduler.next_event_until(horizon) {
            match event {
                Event::Arrival(k) => {
                    self.arrivals += 1;
                    if self.arrivals > arrival_limit {
                        break;
                    }
                    if let Warmup::Arrivals(n) = self.config.warmup
                        && self.arrivals == n
                    {
                        self.end_warmup();
                    }
                    self.on_arrival(k);
                }
                Event::Departure(k) => self.on_departure(k),
                Event::Close => self.on_close(),
                Event::Open => self.on_open(),
                Event::WarmupEnd => self.end_warmup(),
            }
        }
        self.result()
    }

    fn end_warmup(&mut self) {
        let now = self.scheduler.now();
        self.resource.reset_stats(now);
        self.waits_by_class.iter_mut().for_each(Tally::reset);
        self.completions = 0;
        self.warmup_time = now;
    }

    #[inline]
    fn on_arrival(&mut self, k: u16) {
        let class = &self.config.classes[k as usize];
        let gap = class
            .interarrival
            .sample(&mut self.arrival_streams[k as usize]);
        self.scheduler.schedule_in(gap, Event::Arrival(k));
        let now = self.scheduler.now();
        if self.resource.request(now, k, class.priority) == Request::Granted {
            self.waits_by_class[k as usize].record(0.0);
            self.start_service(k);
        }
    }

    #[inline]
    fn start_service(&mut self, k: u16) {
        let service = self.config.classes[k as usize]
            .service
            .sample(&mut self.service_streams[k as usize]);
        self.scheduler.schedule_in(service, Event::Departure(k));
    }

    #[inline]
    fn on_departure(&mut self, _k: u16) {
        self.completions += 1;
        let now = self.scheduler.now();
        if let Some(next) = self.resource.release(now) {
            self.waits_by_class[next.customer as usize].record(next.wait_hours);
            self.start_service(next.customer);
        }
    }

    fn on_close(&mut self) {
        let now = self.scheduler.now();
        self.resource.set_capacity(now, 0, &mut self.started_buffer);
        let down = match &self.config.closures {
            Closures::Periodic {
                period_hours,
                open_hours,
            } => period_hours - open_hours,
            Closures::Random { down, .. } => down.sample(&mut self.closure_stream),
            Closures::None => return,
        };
        self.scheduler.schedule_in(down, Event::Open);
    }

    fn on_open(&mut self) {
        let now = self.scheduler.now();
        let mut started = std::mem::take(&mut self.started_buffer);
        self.resource
            .set_capacity(now, self.config.servers, &mut started);
        for s in started.drain(..) {
            self.waits_by_class[s.customer as usize].record(s.wait_hours);
            self.start_service(s.customer);
        }
        self.started_buffer = started;
        let up = match &self.config.closures {
            Closures::Periodic { open_hours, .. } => *open_hours,
            Closures::Random { up, .. } => up.sample(&mut self.closure_stream),
            Closures::None => return,
        };
        self.scheduler.schedule_in(up, Event::Close);
    }

    fn result(&self) -> StationResult {
        let now = self.scheduler.now();
        let stats = self.resource.stats();
        let elapsed = now - self.warmup_time;
        StationResult {
            mean_wait_by_class: self.waits_by_class.iter().map(Tally::mean).collect(),
            started_by_class: self.waits_by_class.iter().map(Tally::count).collect(),
            mean_wait: stats.waits.total().mean(),
            mean_closed_wait: stats.waits.closed().mean(),
            mean_congestion_wait: stats.waits.congestion().mean(),
            p95_wait: stats.waits.total().quantile(0.95).unwrap_or(0.0),
            mean_queue_length: stats.queue_length.mean(now),
            utilisation: self.resource.utilisation(now),
            availability: self.resource.availability(now),
            throughput_per_hour: if elapsed > 0.0 {
                self.completions as f64 / elapsed
            } else {
                0.0
            },
            started: stats.waits.total().count(),
            events: self.scheduler.events_processed(),
        }
    }
}

/// An M/M/c station: Poisson arrivals at `lambda`, exponential service at `mu` per server.
pub fn mmc_config(
    servers: u32,
    lambda: f64,
    mu: f64,
    run_length: RunLength,
    warmup: Warmup,
) -> StationConfig {
    use crate::des::DistSpec;
    StationConfig {
        servers,
        discipline: Discipline::Fifo,
        classes: vec![CustomerClass {
            interarrival: DistSpec::Exponential { mean: 1.0 / lambda }
                .compile()
                .expect("lambda > 0"),
            service: DistSpec::Exponential { mean: 1.0 / mu }
                .compile()
                .expect("mu > 0"),
            priority: 0,
        }],
        closures: Closures::None,
        run_length,
        warmup,
    }
}
