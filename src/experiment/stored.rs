//! Replication outputs kept on disk, losslessly (CBOR): the checkpoints of a run that can be resumed and the
//! shards of a run split over machines.
//!
//! Summaries are folded one replication at a time in replication order (Welford), and floating-point sums
//! depend on their order; merging summaries of two halves would give slightly different bits. So a shard
//! keeps every replication's raw output, and merging folds them again in order through the same code as a
//! single run: the merged result is byte-identical by construction, not by luck.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use serde::{Deserialize, Serialize};

use crate::sim::{Accident, DailySeries, Metric, MetricKey, ReplicationOutput};

/// Bumped whenever the stored layout changes; older files are recomputed, never misread.
const FORMAT: u32 = 1;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct StoredKey {
    metric: String,
    subject: String,
    detail: String,
    unit: String,
}

impl From<&MetricKey> for StoredKey {
    fn from(key: &MetricKey) -> Self {
        Self {
            metric: key.metric.name().to_string(),
            subject: key.subject.clone(),
            detail: key.detail.clone(),
            unit: key.unit.to_string(),
        }
    }
}

impl StoredKey {
    /// The key, or an error naming a metric this build does not know (a file of another version).
    fn to_key(&self) -> Result<MetricKey, String> {
        let metric = Metric::from_name(&self.metric)
            .ok_or_else(|| format!("metric `{}` is unknown to this build", self.metric))?;
        Ok(MetricKey {
            metric,
            subject: self.subject.clone(),
            detail: self.detail.clone(),
            unit: intern(&self.unit),
        })
    }
}

fn to_keys(stored: &[StoredKey], path: &Path) -> Result<Vec<MetricKey>, String> {
    stored
        .iter()
        .map(StoredKey::to_key)
        .collect::<Result<_, _>>()
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// Units are `&'static str` in the simulation (they are compiled in); units read back from a file are
/// interned once each, so memory stays bounded by the number of distinct units.
fn intern(text: &str) -> &'static str {
    static TABLE: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
    let mut table = TABLE
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(known) = table.get(text) {
        return known;
    }
    let leaked: &'static str = Box::leak(text.to_string().into_boxed_str());
    table.insert(leaked);
    leaked
}

#[derive(Serialize, Deserialize)]
struct StoredReplication {
    replication: u64,
    /// Present only when this replication's keys differ from the chunk's (a model bug the fold reports).
    own_metric_keys: Option<Vec<StoredKey>>,
    metrics: Vec<f64>,
    days: Vec<Vec<f64>>,
    events: u64,
    mass_balance_relative_error: f64,
    accidents: Vec<Accident>,
}

#[derive(Serialize, Deserialize)]
struct StoredChunk {
    format: u32,
    metric_keys: Vec<StoredKey>,
    daily_keys: Vec<StoredKey>,
    replications: Vec<StoredReplication>,
}

/// Name of the file holding replications `first..end`; zero-padded so names sort in replication order.
pub fn chunk_file_name(first: u64, end: u64) -> String {
    format!("replications-{first:012}-{end:012}.cbor")
}

/// Parses a name made by [`chunk_file_name`] back into its range.
pub fn parse_chunk_file_name(name: &str) -> Option<(u64, u64)> {
    let middle = name.strip_prefix("replications-")?.strip_suffix(".cbor")?;
    let (first, end) = middle.split_once('-')?;
    Some((first.parse().ok()?, end.parse().ok()?))
}

/// Writes replication outputs to `path` atomically (a temporary sibling renamed into place), so a killed
/// process leaves either the whole chunk or none of it.
pub fn write_chunk(path: &Path, outputs: &[(u64, ReplicationOutput)]) -> std::io::Result<()> {
    let metric_keys: Vec<StoredKey> = outputs
        .first()
        .map(|(_, o)| o.metrics.iter().map(|(k, _)| k.into()).collect())
        .unwrap_or_default();
    let daily_keys: Vec<StoredKey> = outputs
        .first()
        .map(|(_, o)| o.daily.keys.iter().map(StoredKey::from).collect())
        .unwrap_or_default();
    let replications = outputs
        .iter()
        .map(|(replication, o)| {
            let same_keys = o.metrics.len() == metric_keys.len()
                && o.metrics
                    .iter()
                    .zip(&metric_keys)
                    .all(|((k, _), s)| StoredKey::from(k) == *s);
            StoredReplication {
                replication: *replication,
                own_metric_keys: (!same_keys)
                    .then(|| o.metrics.iter().map(|(k, _)| k.into()).collect()),
                metrics: o.metrics.iter().map(|(_, v)| *v).collect(),
                days: o.daily.days.clone(),
                events: o.events,
                mass_balance_relative_error: o.mass_balance_relative_error,
                accidents: o.accidents.clone(),
            }
        })
        .collect();
    let chunk = StoredChunk {
        format: FORMAT,
        metric_keys,
        daily_keys,
        replications,
    };
    let temporary = temporary_sibling(path);
    {
        let file = std::fs::File::create(&temporary)?;
        let mut writer = std::io::BufWriter::new(file);
        ciborium::into_writer(&chunk, &mut writer).map_err(std::io::Error::other)?;
        let file = writer.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
    }
    std::fs::rename(&temporary, path)
}

fn temporary_sibling(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.tmp-{}", std::process::id()))
}

/// Reads a chunk written by [`write_chunk`]; an error message if the file is unreadable or from another
/// format version.
pub fn read_chunk(path: &Path) -> Result<Vec<(u64, ReplicationOutput)>, String> {
    let file =
        std::fs::File::open(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let chunk: StoredChunk = ciborium::from_reader(std::io::BufReader::new(file))
        .map_err(|e| format!("{} is not a hazflow replication file: {e}", path.display()))?;
    if chunk.format != FORMAT {
        return Err(format!(
            "{} has stored format {}, this build reads format {FORMAT}",
            path.display(),
            chunk.format
        ));
    }
    let metric_keys = to_keys(&chunk.metric_keys, path)?;
    let daily_keys = to_keys(&chunk.daily_keys, path)?;
    chunk
        .replications
        .into_iter()
        .map(|r| {
            let keys: Vec<MetricKey> = match &r.own_metric_keys {
                Some(own) => to_keys(own, path)?,
                None => metric_keys.clone(),
            };
            if keys.len() != r.metrics.len() {
                return Err(format!(
                    "{}: replication {} has {} values for {} metrics",
                    path.display(),
                    r.replication,
                    r.metrics.len(),
                    keys.len()
                ));
            }
            Ok((
                r.replication,
                ReplicationOutput {
                    metrics: keys.into_iter().zip(r.metrics).collect(),
                    daily: DailySeries {
                        keys: daily_keys.clone(),
                        days: r.days,
                    },
                    events: r.events,
                    // Not stored: the run that wrote the chunk reported them.
                    bad_event_times: 0,
                    mass_balance_relative_error: r.mass_balance_relative_error,
                    accidents: r.accidents,
                    // Only whole replications are stored: a saturated one fails its run first.
                    saturation: None,
                },
            ))
        })
        .collect()
}

/// The chunk files in `dir`, sorted by first replication, with their ranges.
pub fn list_chunks(dir: &Path) -> Result<Vec<(u64, u64, PathBuf)>, String> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
    let mut chunks = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if let Some((first, end)) = parse_chunk_file_name(&name) {
            chunks.push((first, end, entry.path()));
        }
    }
    chunks.sort_by_key(|(first, end, _)| (*first, *end));
    Ok(chunks)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunk_names_round_trip_and_sort() {
        assert_eq!(
            parse_chunk_file_name(&chunk_file_name(16, 32)),
            Some((16, 32))
        );
        assert!(chunk_file_name(2, 4) < chunk_file_name(10, 12));
        assert_eq!(parse_chunk_file_name("replications-1-x.cbor"), None);
    }

    #[test]
    fn outputs_round_trip_bit_for_bit() {
        let key = |m: Metric, s: &str| MetricKey {
            metric: m,
            subject: s.into(),
            detail: String::new(),
            unit: "h",
        };
        let output = ReplicationOutput {
            metrics: vec![
                (key(Metric::WaitHoursMean, "lock"), 0.1 + 0.2),
                (key(Metric::DeliveredT, "all"), f64::NAN),
                (key(Metric::Events, "y"), -0.0),
            ],
            daily: DailySeries {
                keys: vec![key(Metric::QueueMean, "lock")],
                days: vec![vec![1.0 / 3.0], vec![2.5e-300]],
            },
            events: 42,
            bad_event_times: 0,
            mass_balance_relative_error: 1.3e-15,
            accidents: Vec::new(),
            saturation: None,
        };
        let dir = std::env::temp_dir().join(format!("hazflow-stored-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(chunk_file_name(3, 4));
        write_chunk(&path, &[(3, output.clone())]).unwrap();
        let back = read_chunk(&path).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(back.len(), 1);
        let (replication, read) = &back[0];
        assert_eq!(*replication, 3);
        for ((ka, va), (kb, vb)) in output.metrics.iter().zip(&read.metrics) {
            assert_eq!(ka, kb);
            assert_eq!(va.to_bits(), vb.to_bits());
        }
        assert_eq!(read.daily.days[0][0].to_bits(), (1.0f64 / 3.0).to_bits());
        assert_eq!(read.daily.days[1][0], 2.5e-300);
        assert_eq!(read.events, 42);
    }
}
