//! The plan's accidents against the historical record, for `hazflow findings`: its deadliest sampled
//! accidents and, per substance, its worst road accident beside the worst recorded one; its road
//! release frequency beside the Chinese record scaled by tonnage.

use std::path::Path;

use crate::report::findings::{DeadlyAccident, RecordCheck, SubstanceRecord};

/// Recorded hazmat road-transport accidents in China per tonne of dangerous goods shipped by road: 2,777
/// accidents in 2013-2019 (Zhu, Zhang, Lang, Jiang & Xing 2022, IJERPH 19:9632), about 397 a year, over
/// about 1.1 Gt shipped a year (Ministry of Transport, 2017 and 2018). Media and database counts, so an
/// under-count; the years do not match exactly.
pub const RECORDED_ROAD_ACCIDENTS_PER_T: f64 = 2777.0 / 7.0 / 1.1e9;

/// The worst recorded road accident of each substance the Liuzhou plan carries, with its source in the
/// text: substance id, the event, deaths (final official or reported tolls).
pub const WORST_RECORDED: [(&str, &str, f64); 3] = [
    (
        "chlorine",
        "Huai'an, Jiangsu, 29 Mar 2005: a 29.4 t chlorine tanker hit by a truck on the Jing-Hu \
         expressway, a village 80 m away (Xinhua)",
        29.0,
    ),
    (
        "methanol",
        "Yanhou tunnel, Shanxi, 1 Mar 2014: two 29 t methanol tankers collided, the fire spread to 42 \
         vehicles in the tunnel (State Council report)",
        40.0,
    ),
    (
        "hydrogen",
        "Changhua, Taiwan, 30 Sep 2020: a tube trailer fell 20 m from a viaduct and exploded; the \
         driver died (press reports); no fatal tube-trailer accident in mainland China was found",
        1.0,
    ),
];

/// One accidents.csv row, by column name.
struct Row<'a> {
    header: &'a csv::StringRecord,
    record: csv::StringRecord,
}

impl Row<'_> {
    fn text(&self, column: &str) -> String {
        self.header
            .iter()
            .position(|h| h == column)
            .and_then(|k| self.record.get(k))
            .unwrap_or_default()
            .to_string()
    }

    fn number(&self, column: &str) -> f64 {
        self.text(column).parse().unwrap_or(f64::NAN)
    }
}

/// The `count` deadliest accidents of `accidents.csv` by their worst outcome, and the plan against the
/// record per substance. Missing or unreadable files give empty lists.
pub fn deadliest_and_record(
    accidents_csv: &Path,
    count: usize,
    road_hazmat_t: f64,
    road_releases_per_year: f64,
) -> (Vec<DeadlyAccident>, RecordCheck) {
    let mut accidents = Vec::new();
    let mut substances: Vec<SubstanceRecord> = WORST_RECORDED
        .iter()
        .map(|(id, event, deaths)| SubstanceRecord {
            substance: id.to_string(),
            plan_worst_deaths: 0.0,
            plan_frequency_n_ge_10: 0.0,
            recorded_event: event.to_string(),
            recorded_deaths: *deaths,
        })
        .collect();
    if let Ok(mut reader) = csv::Reader::from_path(accidents_csv) {
        let header = reader.headers().cloned().unwrap_or_default();
        for record in reader.records().filter_map(Result::ok) {
            let row = Row {
                header: &header,
                record,
            };
            let substance = row.text("substance");
            let on_road = row.text("source") == crate::sim::SourceCategory::TransportRoad.name();
            if let Some(s) = substances
                .iter_mut()
                .find(|s| on_road && s.substance == substance)
            {
                s.plan_worst_deaths = s.plan_worst_deaths.max(row.number("deaths_max"));
                s.plan_frequency_n_ge_10 +=
                    row.number("frequency_per_year") * row.number("probability_n_ge_10");
            }
            accidents.push(DeadlyAccident {
                source: row.text("source"),
                place: row.text("facility"),
                substance,
                release: row.text("release"),
                released_kg: row.number("released_kg"),
                outcome: row.text("max_outcome"),
                weather: row.text("max_weather"),
                deaths_max: row.number("deaths_max"),
                deaths_mean: row.number("deaths_mean"),
                frequency_per_year: row.number("frequency_per_year"),
            });
        }
    }
    accidents.sort_by(|a, b| b.deaths_max.total_cmp(&a.deaths_max));
    accidents.truncate(count);
    let record = RecordCheck {
        road_hazmat_t,
        road_releases_per_year,
        recorded_accidents_per_t: RECORDED_ROAD_ACCIDENTS_PER_T,
        substances,
    };
    (accidents, record)
}
