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

/// Mean sojourn (wait + service) of each M/M/c station of an open tandem (Jackson) line fed at `lambda`.
pub fn jackson_tandem_sojourns(lambda: f64, stations: &[(u32, f64)]) -> Vec<f64> {
    stations
        .iter()
        .map(|&(servers, mu)| mmc(servers, lambda, mu).mean_wait + 1.0 / mu)
        .collect()
}

#[cfg(test)]
mod tests {
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
}
