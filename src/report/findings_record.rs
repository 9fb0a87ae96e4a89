//! The findings' comparison of the plan with the historical record: its deadliest sampled accidents and,
//! per substance, its worst case beside the worst recorded road accident.

use super::findings::{Findings, Section};
use super::html::readable;

/// One of the plan's deadliest sampled accidents.
#[derive(Clone, Debug)]
pub struct DeadlyAccident {
    /// Source (transport_road, loading, ...).
    pub source: String,
    /// Link or facility.
    pub place: String,
    /// Substance.
    pub substance: String,
    /// Release (rupture, large leak, hose rupture, ...).
    pub release: String,
    /// Released mass, kg.
    pub released_kg: f64,
    /// The outcome of its deadliest branch.
    pub outcome: String,
    /// The weather of its deadliest branch.
    pub weather: String,
    /// Deaths of its deadliest branch (weather class, wind sector, outcome).
    pub deaths_max: f64,
    /// Deaths averaged over its branches.
    pub deaths_mean: f64,
    /// Frequency it stands for, per year.
    pub frequency_per_year: f64,
}

/// One substance of the plan beside its worst recorded road accident.
#[derive(Clone, Debug)]
pub struct SubstanceRecord {
    /// Substance id.
    pub substance: String,
    /// Deaths of the plan's deadliest road accident of it.
    pub plan_worst_deaths: f64,
    /// Frequency of its road accidents with 10 or more deaths in the plan, per year.
    pub plan_frequency_n_ge_10: f64,
    /// The worst recorded road accident with it.
    pub recorded_event: String,
    /// Its deaths.
    pub recorded_deaths: f64,
}

/// The plan against the historical record.
#[derive(Clone, Debug)]
pub struct RecordCheck {
    /// Dangerous goods delivered by road in the plan, t/yr.
    pub road_hazmat_t: f64,
    /// The plan's road releases per year (the part of each trip inside the area).
    pub road_releases_per_year: f64,
    /// Recorded road hazmat accidents in China per tonne shipped.
    pub recorded_accidents_per_t: f64,
    /// Per substance.
    pub substances: Vec<SubstanceRecord>,
}

/// The plan's deadliest accidents and its worst cases beside the historical record.
pub(super) fn record_section(f: &Findings) -> Section {
    let r = &f.plan_record;
    let expected = r.road_hazmat_t * r.recorded_accidents_per_t;
    let sampled_share = if expected > 0.0 {
        r.road_releases_per_year / expected
    } else {
        f64::NAN
    };
    let mut text = vec![format!(
        "Frequency. The plan sends {} t of dangerous goods a year by road. At China's recorded rate (about 397 \
         hazmat road accidents a year over about 1.1 Gt shipped, {:.2e} per tonne; Zhu et al. 2022, Ministry \
         of Transport) that is {} recorded accidents a year over whole trips. The plan samples {} road \
         releases a year inside the modelled area only, with US accident rates per vehicle-km (Harwood et al. \
         1993) and the share of accidents that release ({:.0} % of the record's rate): a recorded accident \
         also counts spills without a release of consequence and the part of each trip outside the area.",
        readable(r.road_hazmat_t),
        r.recorded_accidents_per_t,
        readable(expected),
        readable(r.road_releases_per_year),
        100.0 * sampled_share
    )];
    for s in &r.substances {
        let every = if s.plan_frequency_n_ge_10 > 0.0 {
            format!("once in {} years", readable(1.0 / s.plan_frequency_n_ge_10))
        } else {
            "not sampled".into()
        };
        text.push(format!(
            "{}: the plan's deadliest sampled road accident kills {:.0} in its worst weather and wind; \
             road accidents with 10 or more deaths happen {every}. The worst recorded: {}, {:.0} dead.",
            s.substance, s.plan_worst_deaths, s.recorded_event, s.recorded_deaths
        ));
    }
    let rows = f
        .plan_deadliest
        .iter()
        .map(|a| {
            vec![
                format!("{:.0}", a.deaths_max),
                format!("{:.0}", a.deaths_mean),
                a.substance.clone(),
                format!("{} ({:.0} kg)", a.release, a.released_kg),
                a.outcome.clone(),
                a.weather.clone(),
                format!("{}, {}", a.source, a.place),
                format!("{:.1e}", a.frequency_per_year),
            ]
        })
        .collect();
    Section {
        heading: "The plan against the historical record".into(),
        text,
        tables: vec![(
            [
                "deaths, worst branch",
                "deaths, mean",
                "substance",
                "release",
                "outcome",
                "weather",
                "source and place",
                "frequency, /yr",
            ]
            .map(String::from)
            .to_vec(),
            rows,
        )],
        charts: Vec::new(),
    }
}
