//! When shipments are released: the time change from unit gaps to arrival times under a rate that varies
//! by month and by hour of the day.

const MONTH_DAYS: [f64; 12] = [
    31.0, 28.0, 31.0, 30.0, 31.0, 30.0, 31.0, 31.0, 30.0, 31.0, 30.0, 31.0,
];

/// Advances `step` units of expected arrivals from `now` through a rate that varies by month.
pub(super) fn seasonal_advance(
    now: f64,
    step: f64,
    base_rate_per_h: f64,
    factors: &[f64; 12],
    start_day_of_year: f64,
) -> f64 {
    let mut t = now;
    let mut left = step;
    for _ in 0..(12 * 200) {
        let (month, hours_left_in_month) = month_at(t, start_day_of_year);
        let rate = base_rate_per_h * factors[month];
        if rate > 0.0 && left <= rate * hours_left_in_month {
            return t + left / rate;
        }
        left -= rate * hours_left_in_month;
        t += hours_left_in_month.max(1e-9);
    }
    t
}

/// Advances `step` units of expected arrivals from `now` through a rate that varies by month and by hour
/// of the day (`base_rate_per_h` x the month's factor x the hour's factor): the time change that turns unit
/// exponential gaps into a non-homogeneous Poisson process, walked interval by interval where both factors
/// are constant.
pub(super) fn profile_advance(
    now: f64,
    step: f64,
    base_rate_per_h: f64,
    monthly: &[f64; 12],
    hourly: &[f64; 24],
    start_day_of_year: f64,
) -> f64 {
    let mut t = now;
    let mut left = step;
    // Two years of hourly intervals: a profile whose rate is zero that long never ships again.
    for _ in 0..(24 * 365 * 2) {
        let (month, hours_left_in_month) = month_at(t, start_day_of_year);
        let hour_of_day = crate::des::hour_of_day(t);
        let hour = (hour_of_day.floor() as usize).min(23);
        let hours_left_in_hour = (hour as f64 + 1.0 - hour_of_day).max(1e-9);
        let span = hours_left_in_hour.min(hours_left_in_month);
        let rate = base_rate_per_h * monthly[month] * hourly[hour];
        if rate > 0.0 && left <= rate * span {
            return t + left / rate;
        }
        left -= rate * span;
        t += span.max(1e-9);
    }
    f64::INFINITY
}

/// The month (0 = January) at time `t` and the hours left in it.
fn month_at(t: f64, start_day_of_year: f64) -> (usize, f64) {
    let day_of_year = ((start_day_of_year - 1.0) + t / 24.0).rem_euclid(365.0);
    let (mut month, mut month_start) = (0, 0.0);
    while month < 11 && day_of_year >= month_start + MONTH_DAYS[month] {
        month_start += MONTH_DAYS[month];
        month += 1;
    }
    (
        month,
        (month_start + MONTH_DAYS[month] - day_of_year) * 24.0,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seasonal_rate_spends_expected_arrivals_month_by_month() {
        let mut factors = [1.0; 12];
        factors[0] = 0.0; // no shipments in January
        // Starting 1 January with 1 arrival per hour: the first arrival is 1 h into February.
        let t = seasonal_advance(0.0, 1.0, 1.0, &factors, 1.0);
        assert!((t - (31.0 * 24.0 + 1.0)).abs() < 1e-9, "{t}");
        // Double rate in a month halves the gaps.
        factors = [1.0; 12];
        factors[1] = 2.0;
        let t = seasonal_advance(31.0 * 24.0, 10.0, 1.0, &factors, 1.0);
        assert!((t - (31.0 * 24.0 + 5.0)).abs() < 1e-9);
    }

    #[test]
    fn an_hourly_profile_spends_expected_arrivals_hour_by_hour() {
        let mut hourly = [0.0; 24];
        hourly[8] = 12.0; // every arrival between 08:00 and 10:00
        hourly[9] = 12.0;
        let monthly = [1.0; 12];
        // From midnight at 1 per hour on average: 12 per hour from 08:00, so one unit takes 5 minutes.
        let t = profile_advance(0.0, 1.0, 1.0, &monthly, &hourly, 1.0);
        assert!((t - (8.0 + 1.0 / 12.0)).abs() < 1e-9, "{t}");
        // 30 units: 12 in the 08:00 hour, 12 in the 09:00 hour, 6 more at 08:00 the next day.
        let t = profile_advance(0.0, 30.0, 1.0, &monthly, &hourly, 1.0);
        assert!((t - (24.0 + 8.5)).abs() < 1e-9, "{t}");
        // A flat profile is the plain seasonal advance.
        let flat = profile_advance(100.0, 7.5, 0.3, &monthly, &[1.0; 24], 1.0);
        assert!((flat - seasonal_advance(100.0, 7.5, 0.3, &monthly, 1.0)).abs() < 1e-9);
    }
}
