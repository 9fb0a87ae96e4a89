//! Closed-form results of queueing theory that the kernel is validated against.

/// Erlang C: probability that an arrival waits in an M/M/c queue with offered load `a = lambda / mu`
/// (requires a < c). Computed through the Erlang B recursion, which is stable for large c.
pub fn erlang_c(servers: u32, offered_load: f64) -> f64 {
    let c = servers as f64;
    let mut erlang_b = 1.0;
    for k in 1..=servers {
        erlang_b = offered_load * erlang_b / (k as f64 + offered_load * erlang_b);
    }
    c * erlang_b / (c - offered_load * (1.0 - erlang_b))
}

/// Steady-state measures of an M/M/c queue.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MmcTheory {
    /// Mean wait in queue Wq.
    pub mean_wait: f64,
    /// Mean number waiting Lq.
    pub mean_queue_length: f64,
    /// Server utilisation rho = lambda / (c mu).
    pub utilisation: f64,
    /// Probability of waiting (Erlang C).
    pub probability_of_wait: f64,
}

/// M/M/c with arrival rate `lambda` and service rate `mu` per server.
pub fn mmc(servers: u32, lambda: f64, mu: f64) -> MmcTheory {
    let c = servers as f64;
    let probability_of_wait = erlang_c(servers, lambda / mu);
    let mean_wait = probability_of_wait / (c * mu - lambda);
    MmcTheory {
        mean_wait,
        mean_queue_length: lambda * mean_wait,
        utilisation: lambda / (c * mu),
        probability_of_wait,
    }
}

/// Pollaczek-Khinchine mean wait of an M/G/1 queue: `lambda E[S^2] / (2 (1 - rho))`.
pub fn pollaczek_khinchine_wait(lambda: f64, service_mean: f64, service_second_moment: f64) -> f64 {
    let rho = lambda * service_mean;
    lambda * service_second_moment / (2.0 * (1.0 - rho))
}

/// One class of a priority queue: arrival rate and the first two moments of its service time.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PriorityClass {
    /// Poisson arrival rate.
    pub lambda: f64,
    /// E\[S\], the mean service time.
    pub service_mean: f64,
    /// E[S^2].
    pub service_second_moment: f64,
}

/// Cobham's formula: mean waits of a single-server non-preemptive priority queue, classes given from the
/// highest priority down. `W_k = W0 / ((1 - sigma_{k-1}) (1 - sigma_k))`, `W0 = sum lambda_i E[S_i^2] / 2`,
/// `sigma_k` the load of classes 1..k.
pub fn cobham_waits(classes: &[PriorityClass]) -> Vec<f64> {
    let residual: f64 = classes
        .iter()
        .map(|c| c.lambda * c.service_second_moment / 2.0)
        .sum();
    let mut sigma_before = 0.0;
    classes
        .iter()
        .map(|c| {
            let sigma = sigma_before + c.lambda * c.service_mean;
            let w = residual / ((1.0 - sigma_before) * (1.0 - sigma));
            sigma_before = sigma;
            w
        })
        .collect()
}

/// Mean waits of an M/M/c queue with non-preemptive priority classes that share one exponential service
/// rate `mu` (arrival rates from the highest priority down): `W_k = C(c, a) / (c mu (1 - sigma_{k-1})
/// (1 - sigma_k))`, with `C` the Erlang C probability of waiting for the total load `a = lambda / mu` and
/// `sigma_k` the utilisation of classes 1..k (Cobham 1954; Gross and Harris, *Fundamentals of Queueing
/// Theory*, the multichannel non-preemptive priority model). One server gives Cobham's formula.
pub fn mmc_priority_waits(servers: u32, lambdas: &[f64], mu: f64) -> Vec<f64> {
    let capacity = servers as f64 * mu;
    let probability_of_wait = erlang_c(servers, lambdas.iter().sum::<f64>() / mu);
    let mut sigma_before = 0.0;
    lambdas
        .iter()
        .map(|lambda| {
            let sigma = sigma_before + lambda / capacity;
            let w = probability_of_wait / (capacity * (1.0 - sigma_before) * (1.0 - sigma));
            sigma_before = sigma;
            w
        })
        .collect()
}

/// Mean sojourn (wait + service) of each M/M/c station of an open tandem (Jackson) line fed at `lambda`.
pub fn jackson_tandem_sojourns(lambda: f64, stations: &[(u32, f64)]) -> Vec<f64> {
    stations
        .iter()
        .map(|&(servers, mu)| mmc(servers, lambda, mu).mean_wait + 1.0 / mu)
        .collect()
}

/// Mean wait of a Poisson(`lambda`) queue with exponential(`mu`) service whose server count follows a daily
/// shift schedule (`periods`: hours and servers, in order, summing to 24), in its periodic steady state.
///
/// Exact up to the integration step: the forward equations of the chain (busy servers, waiting customers)
/// are integrated (RK4) over whole days until the day repeats, and the mean wait is the day's mean queue
/// length over `lambda` (Little's law). A drop in servers is non-preemptive, as in
/// [`Resource::set_capacity`](crate::des::Resource::set_capacity): services under way finish and their
/// servers then retire; a rise starts waiting customers at once.
pub fn periodic_mmc_wait(lambda: f64, mu: f64, periods: &[(f64, u32)]) -> f64 {
    const MAX_WAITING: usize = 160;
    let max_servers = periods.iter().map(|p| p.1).max().unwrap_or(0) as usize;
    let width = MAX_WAITING + 1;
    let mut p = vec![0.0; (max_servers + 1) * width];
    p[0] = 1.0;
    let step_h = 0.2 / (lambda + max_servers as f64 * mu);
    let mut last_day_wait = f64::NAN;
    for _day in 0..10_000 {
        let mut queue_hours = 0.0;
        for &(hours, servers) in periods {
            let servers = servers as usize;
            start_waiting(&mut p, servers, max_servers, width);
            let steps = (hours / step_h).ceil() as usize;
            let dt = hours / steps as f64;
            for _ in 0..steps {
                let before: f64 = mean_waiting(&p, width);
                rk4_step(&mut p, dt, |x, dx| {
                    chain_derivative(x, dx, lambda, mu, servers, max_servers, width)
                });
                queue_hours += 0.5 * (before + mean_waiting(&p, width)) * dt;
            }
        }
        let wait = queue_hours / (24.0 * lambda);
        if (wait - last_day_wait).abs() < 1e-12 * wait.max(1e-300) {
            return wait;
        }
        last_day_wait = wait;
    }
    last_day_wait
}

/// A rise to `servers`: waiting customers start on the free servers at once.
fn start_waiting(p: &mut [f64], servers: usize, max_servers: usize, width: usize) {
    for busy in (0..servers.min(max_servers)).rev() {
        for waiting in 1..width {
            let moved = (servers - busy).min(waiting);
            let mass = std::mem::take(&mut p[busy * width + waiting]);
            p[(busy + moved) * width + waiting - moved] += mass;
        }
    }
}

fn mean_waiting(p: &[f64], width: usize) -> f64 {
    p.iter()
        .enumerate()
        .map(|(i, &x)| (i % width) as f64 * x)
        .sum()
}

/// d/dt of the state probabilities with `servers` at work (truncated: arrivals to a full queue are lost).
fn chain_derivative(
    x: &[f64],
    dx: &mut [f64],
    lambda: f64,
    mu: f64,
    servers: usize,
    max_servers: usize,
    width: usize,
) {
    dx.iter_mut().for_each(|d| *d = 0.0);
    for busy in 0..=max_servers {
        for waiting in 0..width {
            let i = busy * width + waiting;
            let mass = x[i];
            if mass == 0.0 {
                continue;
            }
            let arrival = if busy < servers {
                Some((busy + 1) * width + waiting)
            } else if waiting + 1 < width {
                Some(busy * width + waiting + 1)
            } else {
                None
            };
            if let Some(j) = arrival {
                dx[i] -= lambda * mass;
                dx[j] += lambda * mass;
            }
            if busy > 0 {
                // A finishing server retires if it is surplus, takes the next customer if one waits, or
                // falls idle.
                let j = if busy <= servers && waiting > 0 {
                    i - 1
                } else {
                    i - width
                };
                let rate = busy as f64 * mu * mass;
                dx[i] -= rate;
                dx[j] += rate;
            }
        }
    }
}

fn rk4_step(p: &mut [f64], dt: f64, f: impl Fn(&[f64], &mut [f64])) {
    let n = p.len();
    let (mut k1, mut k2, mut k3, mut k4) = (vec![0.0; n], vec![0.0; n], vec![0.0; n], vec![0.0; n]);
    let mut tmp = vec![0.0; n];
    f(p, &mut k1);
    tmp.iter_mut()
        .zip(p.iter())
        .zip(&k1)
        .for_each(|((t, &x), &k)| *t = x + 0.5 * dt * k);
    f(&tmp, &mut k2);
    tmp.iter_mut()
        .zip(p.iter())
        .zip(&k2)
        .for_each(|((t, &x), &k)| *t = x + 0.5 * dt * k);
    f(&tmp, &mut k3);
    tmp.iter_mut()
        .zip(p.iter())
        .zip(&k3)
        .for_each(|((t, &x), &k)| *t = x + dt * k);
    f(&tmp, &mut k4);
    for i in 0..n {
        p[i] += dt / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn multichannel_priority_waits_reduce_to_cobham_and_conserve_the_fifo_wait() {
        let (mu, lambdas) = (1.0, [0.6, 0.8]);
        // One server: Cobham's formula with exponential service (E[S^2] = 2 / mu^2).
        let single = super::mmc_priority_waits(1, &[0.3, 0.4], mu);
        let classes = [0.3, 0.4].map(|lambda| super::PriorityClass {
            lambda,
            service_mean: 1.0,
            service_second_moment: 2.0,
        });
        for (a, b) in single.iter().zip(super::cobham_waits(&classes)) {
            assert!((a - b).abs() < 1e-12, "{a} vs {b}");
        }
        // With one service rate the order of service leaves the mean wait over all customers unchanged:
        // the classes' waits weighted by their rates give Erlang C's.
        let waits = super::mmc_priority_waits(2, &lambdas, mu);
        let total: f64 = lambdas.iter().sum();
        let weighted: f64 = lambdas.iter().zip(&waits).map(|(l, w)| l * w).sum::<f64>() / total;
        let fifo = super::mmc(2, total, mu).mean_wait;
        assert!((weighted - fifo).abs() < 1e-12, "{weighted} vs {fifo}");
        assert!(waits[0] < fifo && fifo < waits[1]);
    }

    use super::*;

    #[test]
    fn mm3_at_rho_09_matches_the_reference_value() {
        // des-anchors.md: Erlang-C P(wait) = 0.8171, Wq = 2.7235 for lambda 2.7, mu 1, c 3.
        let t = mmc(3, 2.7, 1.0);
        assert!((t.probability_of_wait - 0.8171).abs() < 1e-4);
        assert!((t.mean_wait - 2.7235).abs() < 1e-4);
    }

    #[test]
    fn mm1_reduces_to_rho_over_mu_minus_lambda() {
        let t = mmc(1, 0.9, 1.0);
        assert!((t.mean_wait - 9.0).abs() < 1e-12);
        // M/M/1 is also M/G/1 with E[S^2] = 2 / mu^2.
        assert!((pollaczek_khinchine_wait(0.9, 1.0, 2.0) - 9.0).abs() < 1e-12);
    }

    #[test]
    fn cobham_with_one_class_is_pollaczek_khinchine() {
        let w = cobham_waits(&[PriorityClass {
            lambda: 0.5,
            service_mean: 1.0,
            service_second_moment: 1.0,
        }]);
        assert!((w[0] - pollaczek_khinchine_wait(0.5, 1.0, 1.0)).abs() < 1e-12);
    }

    #[test]
    fn a_schedule_that_never_changes_is_erlang_c() {
        for periods in [vec![(24.0, 2)], vec![(16.0, 3), (8.0, 3)]] {
            let servers = periods[0].1;
            let exact = mmc(servers, 6.0, 4.0).mean_wait;
            let periodic = periodic_mmc_wait(6.0, 4.0, &periods);
            assert!(
                (periodic - exact).abs() < 1e-6 * exact,
                "{periods:?}: {periodic} vs Erlang C {exact}"
            );
        }
    }
}
