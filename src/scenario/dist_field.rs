//! How scenario files write distributions: a bare number, `{ value = ..., source = ... }`, or a table naming
//! the distribution and its parameters.

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};

use crate::des::DistSpec;

/// A field that takes a distribution: a bare number (deterministic) or a `DistSpec` table, which may also
/// carry a `source` (and a free-text `note`) like any other scenario value.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DistField {
    /// The distribution.
    #[serde(flatten)]
    pub spec: DistSpec,
    /// Where the parameters come from, if stated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

impl DistField {
    /// A deterministic value without a source (defaults).
    pub fn constant(value: f64) -> Self {
        Self {
            spec: DistSpec::Deterministic { value },
            source: None,
        }
    }
}

impl<'de> Deserialize<'de> for DistField {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct FieldVisitor;
        impl<'de> Visitor<'de> for FieldVisitor {
            type Value = DistField;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a number or a distribution table such as { dist = \"exponential\", mean = 2.0 }")
            }
            fn visit_f64<E: de::Error>(self, value: f64) -> Result<DistField, E> {
                Ok(DistField::constant(value))
            }
            fn visit_i64<E: de::Error>(self, value: i64) -> Result<DistField, E> {
                Ok(DistField::constant(value as f64))
            }
            fn visit_u64<E: de::Error>(self, value: u64) -> Result<DistField, E> {
                Ok(DistField::constant(value as f64))
            }
            fn visit_map<M: MapAccess<'de>>(self, map: M) -> Result<DistField, M::Error> {
                let raw = RawDist::deserialize(de::value::MapAccessDeserializer::new(map))?;
                raw.into_field().map_err(de::Error::custom)
            }
        }
        deserializer.deserialize_any(FieldVisitor)
    }
}

/// Every key a distribution table may hold; which ones are required depends on `dist`. Parsing into this
/// flat form (rather than an internally tagged enum) lets `{ value = 2, source = "..." }` mean a sourced
/// constant, and lets errors say exactly which parameter is missing.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDist {
    dist: Option<String>,
    value: Option<f64>,
    mean: Option<f64>,
    sd: Option<f64>,
    min: Option<f64>,
    mode: Option<f64>,
    max: Option<f64>,
    shape: Option<f64>,
    scale: Option<f64>,
    values: Option<Vec<f64>>,
    weights: Option<Vec<f64>>,
    source: Option<String>,
    #[allow(dead_code)]
    note: Option<String>,
}

impl RawDist {
    fn into_field(self) -> Result<DistField, String> {
        let dist = self.dist.as_deref().unwrap_or(if self.value.is_some() {
            "deterministic"
        } else {
            ""
        });
        let need = |v: Option<f64>, name: &str| v.ok_or_else(|| format!("`{dist}` needs `{name}`"));
        let allowed: &[&str] = match dist {
            "exponential" => &["mean"],
            "deterministic" => &["value"],
            "uniform" => &["min", "max"],
            "triangular" => &["min", "mode", "max"],
            "truncated_normal" => &["mean", "sd", "min", "max"],
            "lognormal" => &["mean", "sd"],
            "gamma" | "weibull" => &["shape", "scale"],
            "empirical" => &["values", "weights"],
            "empirical_continuous" => &["values"],
            "" => return Err("missing `dist` (or `value` for a constant)".into()),
            other => {
                return Err(format!(
                    "unknown distribution `{other}`: expected exponential, deterministic, uniform, triangular, \
                     truncated_normal, lognormal, gamma, weibull, empirical or empirical_continuous"
                ));
            }
        };
        let given = [
            ("value", self.value.is_some()),
            ("mean", self.mean.is_some()),
            ("sd", self.sd.is_some()),
            ("min", self.min.is_some()),
            ("mode", self.mode.is_some()),
            ("max", self.max.is_some()),
            ("shape", self.shape.is_some()),
            ("scale", self.scale.is_some()),
            ("values", self.values.is_some()),
            ("weights", self.weights.is_some()),
        ];
        if let Some((name, _)) = given
            .iter()
            .find(|(name, present)| *present && !allowed.contains(name))
        {
            return Err(format!(
                "`{dist}` takes {}, not `{name}`",
                allowed.join(", ")
            ));
        }
        let spec = match dist {
            "exponential" => DistSpec::Exponential {
                mean: need(self.mean, "mean")?,
            },
            "deterministic" => DistSpec::Deterministic {
                value: need(self.value, "value")?,
            },
            "uniform" => DistSpec::Uniform {
                min: need(self.min, "min")?,
                max: need(self.max, "max")?,
            },
            "triangular" => DistSpec::Triangular {
                min: need(self.min, "min")?,
                mode: need(self.mode, "mode")?,
                max: need(self.max, "max")?,
            },
            "truncated_normal" => DistSpec::TruncatedNormal {
                mean: need(self.mean, "mean")?,
                sd: need(self.sd, "sd")?,
                min: self.min.unwrap_or(0.0),
                max: self.max.unwrap_or(f64::INFINITY),
            },
            "lognormal" => DistSpec::Lognormal {
                mean: need(self.mean, "mean")?,
                sd: need(self.sd, "sd")?,
            },
            "gamma" => DistSpec::Gamma {
                shape: need(self.shape, "shape")?,
                scale: need(self.scale, "scale")?,
            },
            "weibull" => DistSpec::Weibull {
                shape: need(self.shape, "shape")?,
                scale: need(self.scale, "scale")?,
            },
            "empirical" => DistSpec::Empirical {
                values: self.values.ok_or("`empirical` needs `values`")?,
                weights: self.weights,
            },
            _ => DistSpec::EmpiricalContinuous {
                values: self.values.ok_or("`empirical_continuous` needs `values`")?,
            },
        };
        Ok(DistField {
            spec,
            source: self.source,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<DistField, toml::de::Error> {
        #[derive(Deserialize)]
        struct Holder {
            d: DistField,
        }
        toml::from_str::<Holder>(text).map(|h| h.d)
    }

    #[test]
    fn bare_number_is_deterministic_and_tables_are_tagged() {
        assert_eq!(
            parse("d = 3").unwrap().spec,
            DistSpec::Deterministic { value: 3.0 }
        );
        let sourced =
            parse("d = { dist = \"exponential\", mean = 2.5, source = \"paper\" }").unwrap();
        assert_eq!(sourced.spec, DistSpec::Exponential { mean: 2.5 });
        assert_eq!(sourced.source.as_deref(), Some("paper"));
        let err = parse("d = { dist = \"exponential\", men = 2.5 }")
            .unwrap_err()
            .to_string();
        assert!(err.contains("men"), "{err}");
    }
}
